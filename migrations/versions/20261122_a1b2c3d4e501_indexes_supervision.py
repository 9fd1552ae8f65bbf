"""indexes for supervision at scale

Revision ID: a1b2c3d4e501
Revises: 771379d215cc
Create Date: 2026-11-22 23:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a1b2c3d4e501"
down_revision = "771379d215cc"
branch_labels = None
depends_on = None


def upgrade():
    # Sessions held, with the date and length the compliance figures read (the reports
    # and the team view read them from this index alone, not from the table).
    with op.batch_alter_table("supervision_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supervision_session_id_held_on_duration_minutes",
            ["id", "held_on", "duration_minutes"],
            unique=False,
            postgresql_where=sa.text("outcome = 'held'"),
            sqlite_where=sa.text("outcome = 'held'"),
        )


def downgrade():
    with op.batch_alter_table("supervision_session", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_session_id_held_on_duration_minutes")
