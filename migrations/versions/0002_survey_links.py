"""Survey links: the open (QR-poster) link per placement and survey window.

Revision ID: 0002
Revises: 0001

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('open_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=32), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_open_link_placement_id_placement')),
    sa.ForeignKeyConstraint(['window_id'], ['survey_window.id'], name=op.f('fk_open_link_window_id_survey_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_link')),
    sa.UniqueConstraint('slug', name=op.f('uq_open_link_slug')),
    sa.UniqueConstraint('window_id', 'placement_id', name=op.f('uq_open_link_window_id'))
    )
    with op.batch_alter_table('open_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_link_window_id'), ['window_id'], unique=False)


def downgrade():
    with op.batch_alter_table('open_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_link_window_id'))

    op.drop_table('open_link')
