"""indexes for people, turnover and caseload at scale

Revision ID: a1b2c3d4e506
Revises: a1b2c3d4e505
Create Date: 2026-11-22 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e506'
down_revision = 'a1b2c3d4e505'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_staff_last_name_first_name", "staff", ["last_name", "first_name", "id"], unique=False
    )
    op.create_index(
        "ix_caseload_count_snapshot_id_cases",
        "caseload_count",
        ["snapshot_id", "cases"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_caseload_count_snapshot_id_cases", table_name="caseload_count")
    op.drop_index("ix_staff_last_name_first_name", table_name="staff")
