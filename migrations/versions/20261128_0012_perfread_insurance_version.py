"""insurance: a version counter bumped by every write to payers, networks, plans and coverage rules

Revision ID: 0012_perfread_insurance_version
Revises: 0011_one_account_per_specialist
Create Date: 2026-11-28 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0012_perfread_insurance_version"
down_revision = "0011_one_account_per_specialist"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "insurance_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("insurance_version")
