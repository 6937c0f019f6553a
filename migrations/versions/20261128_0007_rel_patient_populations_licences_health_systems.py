"""rel-patient: specialist populations, state licences and health systems

Revision ID: 0005_rel_patient
Revises: 0005_loop_case
Create Date: 2026-11-28 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_rel_patient'
down_revision = "0005_loop_case"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('health_system',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_system')),
    sa.UniqueConstraint('name', name=op.f('uq_health_system_name'))
    )
    # batch mode: SQLite cannot ALTER a table's columns in place.
    with op.batch_alter_table('institution') as batch:
        batch.add_column(sa.Column('health_system_id', sa.Integer(), nullable=True))
        batch.create_index(batch.f('ix_institution_health_system_id'), ['health_system_id'], unique=False)
        batch.create_foreign_key(batch.f('fk_institution_health_system_id_health_system'), 'health_system',
                                 ['health_system_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('specialist') as batch:
        batch.add_column(sa.Column('population', sa.String(length=10), nullable=True))
        batch.create_check_constraint(
            op.f('ck_specialist_population_known'), "population IS NULL OR population IN ('pediatric', 'adult', 'all')")
    op.create_table('specialist_licence',
    sa.Column('specialist_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('via_compact', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['specialist_id'], ['specialist.id'],
                            name=op.f('fk_specialist_licence_specialist_id_specialist'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('specialist_id', 'state', name=op.f('pk_specialist_licence'))
    )
    with op.batch_alter_table('specialist_licence') as batch:
        batch.create_index(batch.f('ix_specialist_licence_state'), ['state'], unique=False)


def downgrade() -> None:
    op.drop_table('specialist_licence')
    with op.batch_alter_table('specialist') as batch:
        batch.drop_constraint(op.f('ck_specialist_population_known'), type_='check')
        batch.drop_column('population')
    with op.batch_alter_table('institution') as batch:
        batch.drop_constraint(batch.f('fk_institution_health_system_id_health_system'), type_='foreignkey')
        batch.drop_index(batch.f('ix_institution_health_system_id'))
        batch.drop_column('health_system_id')
    op.drop_table('health_system')
