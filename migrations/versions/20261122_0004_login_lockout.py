"""login lockout: user_account.locked_until

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 13:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a table's columns in place.
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('locked_until')
