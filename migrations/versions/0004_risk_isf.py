"""Risk register and ISF: quality concerns, their evidence, audit trail and SMART actions.

Revision ID: 0004
Revises: 0003

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quality_concern',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=True),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('standards', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('likelihood', sa.Integer(), nullable=True),
    sa.Column('impact', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('rag', sa.String(length=5), nullable=True),
    sa.Column('level', sa.String(length=10), nullable=True),
    sa.Column('on_register', sa.Boolean(), nullable=False),
    sa.Column('register_threshold', sa.Integer(), nullable=True),
    sa.Column('rating_basis', sa.String(length=20), nullable=True),
    sa.Column('rating_rationale', sa.Text(), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('isf_category', sa.Integer(), nullable=True),
    sa.Column('isf_since', sa.DateTime(), nullable=True),
    sa.Column('isf_changes', sa.Integer(), nullable=False),
    sa.Column('plan_agreed_on', sa.Date(), nullable=True),
    sa.CheckConstraint("source IN ('flags', 'manual')", name=op.f('ck_quality_concern_source_known')),
    sa.CheckConstraint("status IN ('proposed', 'open', 'dismissed', 'closed')", name=op.f('ck_quality_concern_status_known')),
    sa.CheckConstraint('impact IS NULL OR (impact >= 1 AND impact <= 5)', name=op.f('ck_quality_concern_impact_range')),
    sa.CheckConstraint('isf_category IS NULL OR (isf_category >= 0 AND isf_category <= 4)', name=op.f('ck_quality_concern_isf_category_range')),
    sa.CheckConstraint('likelihood IS NULL OR (likelihood >= 1 AND likelihood <= 5)', name=op.f('ck_quality_concern_likelihood_range')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_quality_concern_placement_id_placement')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_quality_concern_provider_id_provider')),
    sa.ForeignKeyConstraint(['window_id'], ['survey_window.id'], name=op.f('fk_quality_concern_window_id_survey_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_concern'))
    )
    with op.batch_alter_table('quality_concern', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_concern_placement_id'), ['placement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_concern_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_concern_status'), ['status'], unique=False)

    op.create_table('concern_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('measure', sa.Text(), nullable=False),
    sa.Column('standards', sa.JSON(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['quality_concern.id'], name=op.f('fk_concern_action_concern_id_quality_concern'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_action'))
    )
    with op.batch_alter_table('concern_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_action_concern_id'), ['concern_id'], unique=False)

    op.create_table('concern_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['quality_concern.id'], name=op.f('fk_concern_event_concern_id_quality_concern'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_concern_event_staff_id_staff_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_event'))
    )
    with op.batch_alter_table('concern_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_event_concern_id'), ['concern_id'], unique=False)

    op.create_table('concern_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('ref', sa.String(length=300), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=True),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['quality_concern.id'], name=op.f('fk_concern_evidence_concern_id_quality_concern'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['flag_id'], ['adverse_flag.id'], name=op.f('fk_concern_evidence_flag_id_adverse_flag'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['window_id'], ['survey_window.id'], name=op.f('fk_concern_evidence_window_id_survey_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_evidence'))
    )
    with op.batch_alter_table('concern_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_evidence_concern_id'), ['concern_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_evidence_flag_id'), ['flag_id'], unique=False)



def downgrade():
    with op.batch_alter_table('concern_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_evidence_flag_id'))
        batch_op.drop_index(batch_op.f('ix_concern_evidence_concern_id'))

    op.drop_table('concern_evidence')
    with op.batch_alter_table('concern_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_event_concern_id'))

    op.drop_table('concern_event')
    with op.batch_alter_table('concern_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_action_concern_id'))

    op.drop_table('concern_action')
    with op.batch_alter_table('quality_concern', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_concern_status'))
        batch_op.drop_index(batch_op.f('ix_quality_concern_provider_id'))
        batch_op.drop_index(batch_op.f('ix_quality_concern_placement_id'))

    op.drop_table('quality_concern')
