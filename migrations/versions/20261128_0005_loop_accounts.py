"""accounts for every party: e-mail and physician verification, admin locks, one-time links,
login throttle counters shared by every worker, and the mail outbox

Revision ID: 0005_loop_accounts
Revises: 0004
Create Date: 2026-11-28 08:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_loop_accounts'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('physician_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True))
        # Wrong passwords are counted in login_throttle now, for every e-mail alike.
        batch.drop_column('failed_logins')
        batch.drop_column('locked_until')
    # Every account made before self-registration existed was made by an operator: verified.
    op.execute("UPDATE user_account SET email_verified_at = created_at")
    op.execute("UPDATE user_account SET physician_verified_at = created_at WHERE role = 'referring_physician'")

    op.create_table('account_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('verify_email', 'change_email', 'reset_password', 'claim_specialist',
                                 name='tokenpurpose', native_enum=False, length=32), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('specialist_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'],
                            name=op.f('fk_account_token_created_by_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['specialist_id'], ['specialist.id'],
                            name=op.f('fk_account_token_specialist_id_specialist'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_account_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_token')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_account_token_token_sha256'))
    )
    with op.batch_alter_table('account_token') as batch:
        batch.create_index(batch.f('ix_account_token_user_id'), ['user_id'], unique=False)
        batch.create_index(batch.f('ix_account_token_specialist_id'), ['specialist_id'], unique=False)

    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )

    op.create_table('mail_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox'))
    )
    with op.batch_alter_table('mail_outbox') as batch:
        batch.create_index(batch.f('ix_mail_outbox_created_at'), ['created_at'], unique=False)
        batch.create_index(batch.f('ix_mail_outbox_sent_at'), ['sent_at'], unique=False)


def downgrade() -> None:
    op.drop_table('mail_outbox')
    op.drop_table('login_throttle')
    op.drop_table('account_token')
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch.drop_column('locked_at')
        batch.drop_column('physician_verified_at')
        batch.drop_column('email_verified_at')
