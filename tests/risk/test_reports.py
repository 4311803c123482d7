"""Summaries, CSV and the docstring examples of the risk service modules."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib

import pytest

from nets_app.extensions import db
from nets_app.services import risk
from nets_app.services import risk_reports as reports
from tests.risk.factories import flagged_placement, two_windows


@pytest.mark.parametrize(
    "name", ["nets_app.services.risk_common", "nets_app.services.risk_reports"]
)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("period", "on", "start", "end"),
    [
        ("alerts", dt.date(2025, 3, 3), dt.date(2025, 2, 25), dt.date(2025, 3, 3)),
        ("monthly", dt.date(2025, 2, 14), dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        ("monthly", dt.date(2024, 12, 31), dt.date(2024, 12, 1), dt.date(2024, 12, 31)),
        ("quarterly", dt.date(2024, 2, 29), dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
        ("quarterly", dt.date(2024, 11, 5), dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
    ],
)
def test_period_bounds(period, on, start, end):
    assert reports.period_bounds(period, on) == (start, end)


def _at(y, m, d):
    return dt.datetime(y, m, d, 10)


def test_monthly_quarterly_and_alerts(app):
    w1, _ = two_windows()
    flagged_placement(w1)
    flagged_placement(w1)
    db.session.commit()
    a, b = risk.propose_concerns_from_flags(w1.code, at=_at(2024, 5, 2))
    risk.confirm_concern(a.id, "qa", "stands", at=_at(2024, 5, 3))
    risk.dismiss_concern(b.id, "qa", "artefact", at=_at(2024, 5, 3))
    risk.rate_concern(a.id, "qa", 4, 3, "agreed", at=_at(2024, 6, 10))
    risk.change_category(a.id, "qa", 2, "significant", [{"kind": "complaint", "ref": "C"}],
                         at=_at(2024, 6, 11))  # fmt: skip

    may = reports.summary("monthly", None, dt.date(2024, 5, 20))
    assert (may.start, may.end) == (dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    assert {k: may.headline[k] for k in ("new concerns", "confirmed", "dismissed", "escalations")} == {
        "new concerns": 2, "confirmed": 1, "dismissed": 1, "escalations": 0}  # fmt: skip
    assert {r["id"]: r["activity"] for r in may.rows} == {a.id: "proposed, confirmed",
                                                          b.id: "proposed, dismissed"}  # fmt: skip

    quarter = reports.summary("quarterly", None, dt.date(2024, 5, 20))
    assert quarter.headline["escalations"] == 1
    assert {r["id"] for r in quarter.rows} == {a.id, b.id}

    alerts = reports.summary("alerts", None, dt.date(2024, 6, 12))
    assert [(r["id"], r["alert"]) for r in alerts.rows] == [
        (a.id, "rated 4 x 3 = 12 (A/R, High)"), (a.id, "ISF category set to 2")]  # fmt: skip
    assert reports.summary("alerts", None, dt.date(2024, 7, 1)).rows == []


def test_csv_neutralises_formulas():
    text = reports.to_csv([{"title": "=HYPERLINK(1)", "n": 3, "s": ["1.2", "3.4"], "x": None}])
    assert text.splitlines() == ["title,n,s,x", "'=HYPERLINK(1),3,1.2 3.4,"]
