"""indexes for training at scale

Revision ID: a1b2c3d4e505
Revises: a1b2c3d4e504
Create Date: 2026-11-22 23:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a1b2c3d4e505"
down_revision = "a1b2c3d4e504"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_booking_session_status_attendance_staff",
        "booking",
        ["session_id", "status", "attendance", "staff_id"],
    )
    op.create_index("ix_impact_follow_up_responded_at", "impact_follow_up", ["responded_at"])


def downgrade():
    op.drop_index("ix_impact_follow_up_responded_at", table_name="impact_follow_up")
    op.drop_index("ix_booking_session_status_attendance_staff", table_name="booking")
