"""indexes for asye at scale

Revision ID: a1b2c3d4e504
Revises: a1b2c3d4e501
Create Date: 2026-11-22 23:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "a1b2c3d4e504"
down_revision = "a1b2c3d4e501"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("asye_evidence", schema=None) as batch_op:
        batch_op.create_index(
            "ix_asye_evidence_enrolment_kind_dated", ["enrolment_id", "kind", "dated"], unique=False
        )


def downgrade():
    with op.batch_alter_table("asye_evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_asye_evidence_enrolment_kind_dated")
