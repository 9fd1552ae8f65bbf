"""indexes for performance at scale

Revision ID: a1b2c3d4e502
Revises: a1b2c3d4e501
Create Date: 2026-11-22 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e502'
down_revision = 'a1b2c3d4e501'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
