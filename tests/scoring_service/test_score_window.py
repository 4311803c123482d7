"""Scoring a window from the database stores scores and flags; suppression holds in storage."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from nets_app.extensions import db
from nets_app.models import AdverseFlag, Placement, PlacementScore, ScoringRun
from nets_app.services import demo, scoring
from questionnaires import load_instrument
from tests.factories import create_window

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def pilot(app):
    demo.load_demo(n_responses=800, seed=5, today=TODAY)
    return app


def test_score_window_stores_every_placement_scale_and_flags_with_evidence(pilot):
    run = scoring.score_window("2026", today=TODAY)
    n_placements = db.session.scalar(select(func.count(Placement.id)))
    all_groups = select(func.count()).where(PlacementScore.learner_group_id.is_(None))
    n_scales = len(scoring.scales_for(load_instrument()))
    assert db.session.scalar(all_groups) == n_placements * n_scales
    assert run.n_responses == db.session.scalar(select(ScoringRun.n_responses))
    ok = db.session.scalars(select(PlacementScore).where(PlacementScore.status == "ok")).all()
    assert ok and all(0 <= s.score <= 100 and s.ci_low <= s.score <= s.ci_high for s in ok)
    assert all(s.n >= 3 for s in ok)
    flags = db.session.scalars(select(AdverseFlag)).all()
    assert flags, "a pilot with planted adverse placements raises flags"
    for f in flags:
        assert f.rule in {
            "adverse_items",
            "funnel_low",
            "significant_fall",
            "patient_safety_concern",
            "bullying_concern",
            "three_poor_windows",
        }
        assert f.measure and f.evidence["text"] and f.evidence["window"] == "2026"


def test_suppressed_rows_are_stored_without_any_number(pilot):
    scoring.score_window("2026", today=TODAY)
    hidden = db.session.scalars(select(PlacementScore).where(PlacementScore.status != "ok")).all()
    assert hidden
    for s in hidden:
        assert (s.n, s.score, s.ci_low, s.ci_high, s.pct_positive, s.shrunk_score, s.change) == (
            None,
        ) * 7


def test_rescoring_replaces_the_previous_results(pilot):
    scoring.score_window("2026", today=TODAY)
    first = db.session.scalar(select(func.count(PlacementScore.id)))
    scoring.score_window("2026", today=TODAY)
    assert db.session.scalar(select(func.count(PlacementScore.id))) == first
    assert db.session.scalar(select(func.count(ScoringRun.id))) == 1


def test_unknown_window_is_named_and_nothing_is_stored(pilot):
    with pytest.raises(
        scoring.UnknownWindowError, match="unknown survey window '1999'; known: 2024, 2025, 2026"
    ):
        scoring.score_window("1999")
    assert db.session.scalar(select(func.count(ScoringRun.id))) == 0


def test_a_window_without_responses_gives_no_data_rows_not_numbers(pilot):
    create_window(
        code="2027",
        opens_on=TODAY + dt.timedelta(days=300),
        closes_on=TODAY + dt.timedelta(days=330),
    )
    db.session.commit()
    run = scoring.score_window("2027", today=TODAY)
    assert run.n_responses == 0
    statuses = set(
        db.session.scalars(
            select(PlacementScore.status).where(PlacementScore.window_id == run.window_id)
        )
    )
    assert statuses == {"no data"}


def test_cli_scores_every_window_and_names_an_unknown_one(pilot):
    runner = pilot.test_cli_runner()
    result = runner.invoke(args=["nets", "score"])
    assert result.exit_code == 0, result.output
    assert "Window 2024:" in result.output and "Window 2026:" in result.output
    bad = runner.invoke(args=["nets", "score", "--window", "nope"])
    assert bad.exit_code != 0 and "unknown survey window 'nope'" in bad.output
