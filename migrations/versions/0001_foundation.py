"""Foundation: organisations, survey windows, invitations, drafts, anonymous responses, staff.

Revision ID: 0001
Revises: 

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('education_provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_education_provider')),
    sa.UniqueConstraint('code', name=op.f('uq_education_provider_code'))
    )
    op.create_table('instrument_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instrument_version')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_instrument_version_name'))
    )
    op.create_table('learner_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learner_group')),
    sa.UniqueConstraint('code', name=op.f('uq_learner_group_code'))
    )
    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region')),
    sa.UniqueConstraint('code', name=op.f('uq_region_code'))
    )
    op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('education_provider_id', sa.Integer(), nullable=False),
    sa.Column('learner_group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['education_provider_id'], ['education_provider.id'], name=op.f('fk_programme_education_provider_id_education_provider')),
    sa.ForeignKeyConstraint(['learner_group_id'], ['learner_group.id'], name=op.f('fk_programme_learner_group_id_learner_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme')),
    sa.UniqueConstraint('code', name=op.f('uq_programme_code'))
    )
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_education_provider_id'), ['education_provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_learner_group_id'), ['learner_group_id'], unique=False)

    op.create_table('provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_provider_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider')),
    sa.UniqueConstraint('code', name=op.f('uq_provider_code'))
    )
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_region_id'), ['region_id'], unique=False)

    op.create_table('staff_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_staff_user_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_user')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_user_email'))
    )
    op.create_table('survey_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('instrument_version_id', sa.Integer(), nullable=False),
    sa.Column('retest_fraction', sa.Double(), nullable=False),
    sa.Column('retest_min_days', sa.Integer(), nullable=False),
    sa.Column('retest_max_days', sa.Integer(), nullable=False),
    sa.CheckConstraint('closes_on >= opens_on', name=op.f('ck_survey_window_dates_ordered')),
    sa.CheckConstraint('retest_fraction >= 0 AND retest_fraction <= 1', name=op.f('ck_survey_window_retest_fraction_range')),
    sa.ForeignKeyConstraint(['instrument_version_id'], ['instrument_version.id'], name=op.f('fk_survey_window_instrument_version_id_instrument_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_window')),
    sa.UniqueConstraint('code', name=op.f('uq_survey_window_code'))
    )
    op.create_table('site',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_site_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site'))
    )
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_provider_id'), ['provider_id'], unique=False)

    op.create_table('staff_provider',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_staff_provider_provider_id_provider'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_staff_provider_staff_id_staff_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', 'provider_id', name=op.f('pk_staff_provider'))
    )
    op.create_table('placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('specialty', sa.String(length=100), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_placement_provider_id_provider')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_placement_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement')),
    sa.UniqueConstraint('code', name=op.f('uq_placement_code'))
    )
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_provider_id'), ['provider_id'], unique=False)

    op.create_table('concern_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('learner_group_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('respond_by', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('patient_safety', 'bullying')", name=op.f('ck_concern_report_kind_known')),
    sa.ForeignKeyConstraint(['learner_group_id'], ['learner_group.id'], name=op.f('fk_concern_report_learner_group_id_learner_group')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_concern_report_placement_id_placement')),
    sa.ForeignKeyConstraint(['window_id'], ['survey_window.id'], name=op.f('fk_concern_report_window_id_survey_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_report'))
    )
    with op.batch_alter_table('concern_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_report_placement_id'), ['placement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_report_window_id'), ['window_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=True),
    sa.Column('learner_group_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('retest_code', sa.String(length=32), nullable=True),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['learner_group_id'], ['learner_group.id'], name=op.f('fk_invitation_learner_group_id_learner_group')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_invitation_placement_id_placement')),
    sa.ForeignKeyConstraint(['window_id'], ['survey_window.id'], name=op.f('fk_invitation_window_id_survey_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_window_id'), ['window_id'], unique=False)

    op.create_table('response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('learner_group_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('instrument_version_id', sa.Integer(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('is_retest', sa.Boolean(), nullable=False),
    sa.Column('retest_code', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['instrument_version_id'], ['instrument_version.id'], name=op.f('fk_response_instrument_version_id_instrument_version')),
    sa.ForeignKeyConstraint(['learner_group_id'], ['learner_group.id'], name=op.f('fk_response_learner_group_id_learner_group')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_response_placement_id_placement')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_response_programme_id_programme')),
    sa.ForeignKeyConstraint(['window_id'], ['survey_window.id'], name=op.f('fk_response_window_id_survey_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response'))
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_learner_group_id'), ['learner_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_placement_id'), ['placement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_retest_code'), ['retest_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_window_id'), ['window_id'], unique=False)

    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('not_applicable', sa.Boolean(), nullable=False),
    sa.CheckConstraint('(value IS NULL) = not_applicable', name=op.f('ck_answer_na_xor_value')),
    sa.CheckConstraint('value IS NULL OR (value >= 1 AND value <= 5)', name=op.f('ck_answer_value_range')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_answer_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer')),
    sa.UniqueConstraint('response_id', 'item_id', name=op.f('uq_answer_response_id'))
    )
    op.create_table('free_text_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('prompt_id', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_free_text_comment_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_free_text_comment'))
    )
    with op.batch_alter_table('free_text_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_free_text_comment_response_id'), ['response_id'], unique=False)

    op.create_table('survey_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=True),
    sa.Column('learner_group_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], name=op.f('fk_survey_draft_invitation_id_invitation')),
    sa.ForeignKeyConstraint(['learner_group_id'], ['learner_group.id'], name=op.f('fk_survey_draft_learner_group_id_learner_group')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_survey_draft_placement_id_placement')),
    sa.ForeignKeyConstraint(['window_id'], ['survey_window.id'], name=op.f('fk_survey_draft_window_id_survey_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_draft')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_survey_draft_invitation_id'))
    )
    with op.batch_alter_table('survey_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_draft_window_id'), ['window_id'], unique=False)



def downgrade():
    with op.batch_alter_table('survey_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_draft_window_id'))

    op.drop_table('survey_draft')
    with op.batch_alter_table('free_text_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_free_text_comment_response_id'))

    op.drop_table('free_text_comment')
    op.drop_table('answer')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_window_id'))
        batch_op.drop_index(batch_op.f('ix_response_retest_code'))
        batch_op.drop_index(batch_op.f('ix_response_placement_id'))
        batch_op.drop_index(batch_op.f('ix_response_learner_group_id'))

    op.drop_table('response')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_window_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('concern_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_report_window_id'))
        batch_op.drop_index(batch_op.f('ix_concern_report_placement_id'))

    op.drop_table('concern_report')
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_provider_id'))

    op.drop_table('placement')
    op.drop_table('staff_provider')
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_provider_id'))

    op.drop_table('site')
    op.drop_table('survey_window')
    op.drop_table('staff_user')
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_region_id'))

    op.drop_table('provider')
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_learner_group_id'))
        batch_op.drop_index(batch_op.f('ix_programme_education_provider_id'))

    op.drop_table('programme')
    op.drop_table('region')
    op.drop_table('learner_group')
    op.drop_table('instrument_version')
    op.drop_table('education_provider')
