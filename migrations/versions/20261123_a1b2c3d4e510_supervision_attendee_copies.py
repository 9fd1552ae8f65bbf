"""attendees carry their session's date, outcome and length, indexed for compliance

Revision ID: a1b2c3d4e510
Revises: a1b2c3d4e506
Create Date: 2026-11-23 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e510'
down_revision = 'a1b2c3d4e506'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("supervision_attendee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("held", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("minutes", sa.Integer(), nullable=True))
    # Copy each session's facts onto its attendees (the same statement on both databases).
    op.execute(
        """
        UPDATE supervision_attendee SET
            held_on = (SELECT s.held_on FROM supervision_session s
                       WHERE s.id = supervision_attendee.session_id),
            held = (SELECT s.outcome = 'held' FROM supervision_session s
                    WHERE s.id = supervision_attendee.session_id),
            minutes = (SELECT coalesce(s.duration_minutes, 0) FROM supervision_session s
                       WHERE s.id = supervision_attendee.session_id)
        """
    )
    with op.batch_alter_table("supervision_attendee", schema=None) as batch_op:
        batch_op.alter_column("held_on", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("held", existing_type=sa.Boolean(), nullable=False)
        batch_op.alter_column("minutes", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(
            "ix_supervision_attendee_held",
            ["staff_id", "held_on", "minutes"],
            unique=False,
            postgresql_where=sa.text("held"),
            sqlite_where=sa.text("held"),
        )


def downgrade():
    with op.batch_alter_table("supervision_attendee", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_supervision_attendee_held",
            postgresql_where=sa.text("held"),
            sqlite_where=sa.text("held"),
        )
        batch_op.drop_column("minutes")
        batch_op.drop_column("held")
        batch_op.drop_column("held_on")
