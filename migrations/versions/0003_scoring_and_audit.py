"""Scoring results (runs, placement scores, adverse flags) and the staff audit trail.

Revision ID: 0003
Revises: 0002

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_audit_event_staff_id_staff_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)

    op.create_table('scoring_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('n_responses', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['window_id'], ['survey_window.id'], name=op.f('fk_scoring_run_window_id_survey_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoring_run'))
    )
    with op.batch_alter_table('scoring_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scoring_run_window_id'), ['window_id'], unique=False)

    op.create_table('adverse_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('scale', sa.String(length=40), nullable=True),
    sa.Column('measure', sa.String(length=200), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('limit', sa.Float(), nullable=True),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_adverse_flag_placement_id_placement')),
    sa.ForeignKeyConstraint(['run_id'], ['scoring_run.id'], name=op.f('fk_adverse_flag_run_id_scoring_run'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['window_id'], ['survey_window.id'], name=op.f('fk_adverse_flag_window_id_survey_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adverse_flag'))
    )
    with op.batch_alter_table('adverse_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adverse_flag_placement_id'), ['placement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adverse_flag_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adverse_flag_window_id'), ['window_id'], unique=False)

    op.create_table('placement_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('learner_group_id', sa.Integer(), nullable=True),
    sa.Column('scale', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('ci_low', sa.Float(), nullable=True),
    sa.Column('ci_high', sa.Float(), nullable=True),
    sa.Column('pct_positive', sa.Float(), nullable=True),
    sa.Column('shrunk_score', sa.Float(), nullable=True),
    sa.Column('benchmark_mean', sa.Float(), nullable=True),
    sa.Column('funnel_category', sa.String(length=40), nullable=True),
    sa.Column('quartile_category', sa.String(length=40), nullable=True),
    sa.Column('change', sa.Float(), nullable=True),
    sa.Column('change_ci_low', sa.Float(), nullable=True),
    sa.Column('change_ci_high', sa.Float(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['learner_group_id'], ['learner_group.id'], name=op.f('fk_placement_score_learner_group_id_learner_group')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_placement_score_placement_id_placement')),
    sa.ForeignKeyConstraint(['run_id'], ['scoring_run.id'], name=op.f('fk_placement_score_run_id_scoring_run'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['window_id'], ['survey_window.id'], name=op.f('fk_placement_score_window_id_survey_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_score')),
    sa.UniqueConstraint('window_id', 'placement_id', 'learner_group_id', 'scale', name=op.f('uq_placement_score_window_id'))
    )
    with op.batch_alter_table('placement_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_score_placement_id'), ['placement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_score_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_score_window_id'), ['window_id'], unique=False)



def downgrade():
    with op.batch_alter_table('placement_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_score_window_id'))
        batch_op.drop_index(batch_op.f('ix_placement_score_run_id'))
        batch_op.drop_index(batch_op.f('ix_placement_score_placement_id'))

    op.drop_table('placement_score')
    with op.batch_alter_table('adverse_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adverse_flag_window_id'))
        batch_op.drop_index(batch_op.f('ix_adverse_flag_run_id'))
        batch_op.drop_index(batch_op.f('ix_adverse_flag_placement_id'))

    op.drop_table('adverse_flag')
    with op.batch_alter_table('scoring_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scoring_run_window_id'))

    op.drop_table('scoring_run')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
