"""``flask nets validate`` and ``flask nets export-items`` on the demo pilot (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from nets_app.extensions import db
from nets_app.models import Response, SurveyWindow
from nets_app.services.validation_report import SECTION_KEYS
from tests.factories import create_window
from tests.validation.demo import load_demo_with_retests

LAST_YEAR = str(dt.date.today().year - 1)


def first_responses(window_code: str) -> int:
    return db.session.scalar(
        select(func.count(Response.id))
        .join(SurveyWindow)
        .where(SurveyWindow.code == window_code, Response.is_retest.is_(False))
    )


def test_validate_writes_a_printable_report_and_json_for_a_demo_window(app, tmp_path):
    pairs = load_demo_with_retests(1800)
    assert pairs > 100
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["nets", "validate", "--window", LAST_YEAR, "--out", str(tmp_path), "--boot", "20"]
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {tmp_path / f'validation-{LAST_YEAR}.html'}" in result.output
    report = json.loads((tmp_path / f"validation-{LAST_YEAR}.json").read_text())
    sections = report["sections"]
    assert list(sections) == list(SECTION_KEYS)
    status = {k: v["status"] for k, v in sections.items()}
    # About 600 responses a window: every analysis runs except invariance, whose groups are too
    # small for a 34-item, 6-theme model; it says so and lists every group.
    assert {k for k, v in status.items() if v != "ok"} == {"invariance"}
    assert "too small" in json.dumps(sections["invariance"]["groups"])
    assert sections["retest"]["n_pairs"] >= 30
    assert sections["sample"]["retest_pairs"] == sections["retest"]["n_pairs"]
    assert sections["sample"]["n_responses"] == first_responses(LAST_YEAR)
    html = BeautifulSoup((tmp_path / f"validation-{LAST_YEAR}.html").read_text(), "html.parser")
    headings = [h.get_text() for h in html.select("section h2")]
    assert headings == [v["title"] for v in sections.values()]
    assert "@media print" in html.style.get_text()
    assert len(html.select("figure svg")) >= 10
    unavailable = html.select_one("#vr-invariance .vr-unavailable").get_text(" ", strip=True)
    assert unavailable.startswith("Not available.") and "at least two learner groups" in unavailable


def test_validate_for_one_group_and_export_items(app, tmp_path):
    load_demo_with_retests(600)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["nets", "validate", "--window", LAST_YEAR, "--group", "nursing", "--out",
              str(tmp_path), "--boot", "10"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / f"validation-{LAST_YEAR}-nursing.json").read_text())
    assert report["group"] == "nursing"
    assert [g["group"] for g in report["sections"]["sample"]["groups"]] == ["nursing"]
    assert "restricted to learner group 'nursing'" in report["sections"]["invariance"]["reason"]

    out = tmp_path / "items.csv"
    result = runner.invoke(args=["nets", "export-items", "--window", LAST_YEAR, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    meta = json.loads(out.with_suffix(".json").read_text())
    assert list(table.columns[:5]) == ["row", "learner_group", "occasion", "pair", "interval_days"]
    assert (table["occasion"] == 1).sum() == first_responses(LAST_YEAR)
    pairs = table[table["pair"].notna()]
    assert pairs.groupby("pair").size().eq(2).all()
    assert set(meta["scales"]) == {"induction", "supervision", "learning", "culture",
                                   "facilities", "safety"}  # fmt: skip
    # nothing that identifies a response, a placement or a date
    assert not {"response_id", "placement", "provider", "region", "submitted_on"} & set(table)


def test_unknown_window_or_group_is_named_and_exits_non_zero(app, tmp_path):
    create_window(code="W2025")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["nets", "validate", "--window", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "no survey window 'nope'; choose one of the known windows: W2025" in result.output
    result = runner.invoke(
        args=["nets", "validate", "--window", "W2025", "--group", "vets", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "no learner group 'vets'" in result.output
    result = runner.invoke(args=["nets", "export-items", "--window", "nope", "--out", "x.csv"])
    assert result.exit_code == 1 and "no survey window 'nope'" in result.output
    assert not list(tmp_path.iterdir())
