"""rel-finish: a case's prior authorization number

Revision ID: 0008_rel_finish
Revises: 0005_rel_patient
Create Date: 2026-11-28 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0008_rel_finish"
down_revision = "0005_rel_patient"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a table's columns in place.
    with op.batch_alter_table("patient_case") as batch:
        batch.add_column(sa.Column("prior_authorization_number", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("patient_case") as batch:
        batch.drop_column("prior_authorization_number")
