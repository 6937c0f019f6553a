"""notifications: a lease on a notification while it is being sent

Revision ID: 0010_notification_lease
Revises: 0009_mail_lease
Create Date: 2026-11-28 11:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0010_notification_lease"
down_revision = "0009_mail_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a table's columns in place.
    with op.batch_alter_table("notification_outbox") as batch:
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification_outbox") as batch:
        batch.drop_column("claimed_until")
