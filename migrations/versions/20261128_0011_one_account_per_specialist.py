"""accounts: at most one account per directory entry

Revision ID: 0011_one_account_per_specialist
Revises: 0010_notification_lease
Create Date: 2026-11-28 11:30:00
"""
from alembic import op


revision = "0011_one_account_per_specialist"
down_revision = "0010_notification_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot add a constraint to a table in place.
    with op.batch_alter_table("user_account") as batch:
        batch.create_unique_constraint("uq_user_account_specialist_id", ["specialist_id"])


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint("uq_user_account_specialist_id", type_="unique")
