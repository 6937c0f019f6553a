"""loop-case: consent before a case is shared, bookings tied to their referral, the patient's decision

Revision ID: 0005_loop_case
Revises: 0005_loop_accounts
Create Date: 2026-11-28 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_loop_case'
down_revision = '0005_loop_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a table's columns in place.
    with op.batch_alter_table('patient_case') as batch:
        batch.alter_column('patient_user_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('status', sa.Enum('invited', 'open', 'closed', name='casestatus',
                                                     native_enum=False, length=32),
                                   server_default='open', nullable=False))
        batch.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'case_invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('invited_by_user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['patient_case.id'], name=op.f('fk_case_invitation_case_id_patient_case'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invited_by_user_id'], ['user_account.id'],
                                name=op.f('fk_case_invitation_invited_by_user_id_user_account'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_invitation')),
        sa.UniqueConstraint('case_id', name=op.f('uq_case_invitation_case_id')),
        sa.UniqueConstraint('token_sha256', name=op.f('uq_case_invitation_token_sha256')),
    )
    op.create_table(
        'case_decision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('decided_by_user_id', sa.Integer(), nullable=False),
        sa.Column('path', sa.Enum('first_plan', 'second_opinion', 'tie_breaker', name='chosenpath',
                                  native_enum=False, length=32), nullable=False),
        sa.Column('opinion_id', sa.Integer(), nullable=True),
        sa.Column('physician_user_id', sa.Integer(), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['patient_case.id'], name=op.f('fk_case_decision_case_id_patient_case'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['decided_by_user_id'], ['user_account.id'],
                                name=op.f('fk_case_decision_decided_by_user_id_user_account'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['opinion_id'], ['opinion.id'], name=op.f('fk_case_decision_opinion_id_opinion'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['physician_user_id'], ['user_account.id'],
                                name=op.f('fk_case_decision_physician_user_id_user_account'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_decision')),
        sa.UniqueConstraint('case_id', name=op.f('uq_case_decision_case_id')),
    )
    with op.batch_alter_table('booking') as batch:
        batch.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('referral_id', sa.Integer(), nullable=True))
        batch.create_index(batch.f('ix_booking_case_id'), ['case_id'], unique=False)
        batch.create_index(batch.f('ix_booking_referral_id'), ['referral_id'], unique=False)
        batch.create_foreign_key(batch.f('fk_booking_case_id_patient_case'), 'patient_case', ['case_id'], ['id'],
                                 ondelete='SET NULL')
        batch.create_foreign_key(batch.f('fk_booking_referral_id_referral'), 'referral', ['referral_id'], ['id'],
                                 ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('booking') as batch:
        batch.drop_constraint(batch.f('fk_booking_referral_id_referral'), type_='foreignkey')
        batch.drop_constraint(batch.f('fk_booking_case_id_patient_case'), type_='foreignkey')
        batch.drop_index(batch.f('ix_booking_referral_id'))
        batch.drop_index(batch.f('ix_booking_case_id'))
        batch.drop_column('referral_id')
        batch.drop_column('case_id')
    op.drop_table('case_decision')
    op.drop_table('case_invitation')
    with op.batch_alter_table('patient_case') as batch:
        batch.drop_column('closed_at')
        batch.drop_column('status')
        batch.alter_column('patient_user_id', existing_type=sa.Integer(), nullable=False)
