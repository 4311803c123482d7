"""Anonymity is designed into the schema: a response cannot carry identity or time."""

from sqlalchemy import Date, DateTime, inspect

from nets_app.extensions import db
from nets_app.models import ConcernReport, Invitation, Response


def test_a_response_has_no_link_to_invitation_or_learner_and_only_a_date(app):
    columns = {c["name"]: c for c in inspect(db.engine).get_columns("response")}
    assert not {"invitation_id", "ip", "ip_address", "user_agent", "email", "learner_id"} & set(
        columns
    )
    fks = {fk["referred_table"] for fk in inspect(db.engine).get_foreign_keys("response")}
    assert "invitation" not in fks and "staff_user" not in fks
    for col in Response.__table__.columns:
        assert not isinstance(col.type, DateTime), f"response.{col.name} is finer than a date"
    assert isinstance(Response.__table__.c.submitted_on.type, Date)


def test_an_invitation_records_only_that_it_was_used():
    names = {c.name for c in Invitation.__table__.columns}
    assert "used" in names
    assert not {"response_id", "submitted_at", "used_at", "email", "ip_address"} & names


def test_a_concern_report_carries_no_identity_and_no_response_link():
    names = {c.name for c in ConcernReport.__table__.columns}
    assert not {"response_id", "invitation_id", "email", "name", "ip_address"} & names
    assert {"placement_id", "learner_group_id", "window_id", "kind"} <= names
