"""indexes for caseload page at scale

Revision ID: a1b2c3d4e508
Revises: a1b2c3d4e507
Create Date: 2026-11-23 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e508'
down_revision = 'a1b2c3d4e507'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
