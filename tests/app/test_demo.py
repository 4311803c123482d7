"""The demo pilot loads into both databases and the start page shows it."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from nets_app.extensions import db
from nets_app.models import Answer, ConcernReport, Invitation, Placement, Response, SurveyWindow
from nets_app.services import demo


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_pilot_loads_with_windows_placements_and_anonymous_responses(app):
    today = dt.date(2026, 11, 23)
    stats = demo.load_demo(n_responses=400, seed=7, today=today)
    survey_responses = db.session.scalar(select(func.count()).where(Response.is_retest.is_(False)))
    assert survey_responses == stats["responses"] == 400
    # the pilot's retest pairs: a retest response shares its random code with one response
    retests = db.session.scalars(select(Response).where(Response.is_retest)).all()
    assert len(retests) == stats["retest_pairs"] > 0
    for r in retests:
        firsts = db.session.scalars(
            select(Response).where(Response.retest_code == r.retest_code, ~Response.is_retest)
        ).all()
        assert len(firsts) == 1 and firsts[0].placement_id == r.placement_id
        interval = (r.submitted_on - firsts[0].submitted_on).days
        assert r.window.retest_min_days <= interval <= r.window.retest_max_days
    assert count(Answer) >= stats["answers"] > 400 * 30  # plus the retests' answers
    assert count(Placement) == stats["placements"]
    assert count(ConcernReport) == stats["concerns"]
    windows = db.session.scalars(select(SurveyWindow).order_by(SurveyWindow.opens_on)).all()
    assert [w.code for w in windows] == ["2024", "2025", "2026"]
    assert windows[-1].is_open(today) and not windows[0].is_open(today)
    for r in db.session.scalars(select(Response).where(~Response.is_retest)):
        assert r.window.opens_on <= r.submitted_on <= min(r.window.closes_on, today)
    # "Not applicable" is stored as NULL + flag, never as an out-of-scale value
    assert (
        db.session.scalar(
            select(func.count()).where(Answer.not_applicable, Answer.value.is_not(None))
        )
        == 0
    )


def test_demo_is_deterministic_from_its_seed(app):
    demo.load_demo(n_responses=200, seed=11, today=dt.date(2026, 11, 23))
    first = db.session.execute(
        select(Answer.item_id, func.sum(Answer.value))
        .group_by(Answer.item_id)
        .order_by(Answer.item_id)
    ).all()
    from tests.dbutil import truncate_all

    truncate_all(db)
    demo.load_demo(n_responses=200, seed=11, today=dt.date(2026, 11, 23))
    again = db.session.execute(
        select(Answer.item_id, func.sum(Answer.value))
        .group_by(Answer.item_id)
        .order_by(Answer.item_id)
    ).all()
    assert first == again


def test_demo_command_refuses_to_load_twice_and_changes_nothing(app):
    demo.load_demo(n_responses=100, seed=1)
    before = count(Response)
    result = app.test_cli_runner().invoke(args=["nets", "demo", "--responses", "50"])
    assert result.exit_code != 0
    assert "already has data" in result.output
    assert count(Response) == before


def test_demo_command_rejects_a_non_positive_size(app):
    result = app.test_cli_runner().invoke(args=["nets", "demo", "--responses", "0"])
    assert result.exit_code != 0
    assert "0 is not in the range x>=1" in result.output
    assert count(Response) == 0


def test_setup_prints_a_survey_link_that_maps_to_one_unused_invitation(app):
    demo.load_demo(n_responses=100, seed=1)
    result = app.test_cli_runner().invoke(args=["nets", "setup"])
    assert result.exit_code == 0, result.output
    assert "NETS platform: http://127.0.0.1:5000/" in result.output
    assert "A learner's survey link: http://127.0.0.1:5000/s/" in result.output
    assert count(Invitation) == 1
    assert db.session.scalar(select(Invitation.used)) is False


def test_start_page_shows_what_is_loaded(app, client):
    demo.load_demo(n_responses=150, seed=3)
    page = BeautifulSoup(client.get("/").data, "html.parser")
    items = [li.get_text(strip=True) for li in page.select("#summary li")]
    assert "150 anonymous responses" in items
    assert f"{count(Placement)} placements" in items
    assert page.title.get_text().startswith("Home")
