"""Trying every filter combination and export to isolate a small learner group, and failing.

End to end: real answers are stored, the scoring service scores the window (with its
complementary suppression), and then a national user (who may see everything)
pulls every combination of group, scale and organisation filter from the JSON API,
the CSV export and the pages, and a researcher pulls the item-level data. Placement
XTARGET has 6 nursing and 2 medical respondents: nothing anywhere may let anyone
learn the 2 medical learners' results, directly or by subtracting one shown
result from another.
"""

from __future__ import annotations

import csv
import io
import itertools

import numpy as np
import pytest
from bs4 import BeautifulSoup

from nets_app.extensions import db
from nets_app.services import scoring
from questionnaires import load_instrument
from tests.clients import new_client
from tests.dashboard import factories as f
from tests.dashboard.conftest import sign_in
from tests.factories import (
    create_group,
    create_placement,
    create_provider,
    create_region,
    create_window,
)

MIN_N = 3
GROUPS = ("all", "any", "nursing", "medical")


@pytest.fixture
def scored(app):
    inst = load_instrument()
    items = [it.id for it in inst.items]
    rng = np.random.default_rng(7)
    region = create_region(code="RZ", name="Zedshire")
    provider = create_provider(code="PZ", name="Zed Trust", region=region)
    window = create_window(code="WZ")
    nursing, medical = create_group("nursing"), create_group("medical")
    target = create_placement(code="XTARGET", name="Ward Target", provider=provider)
    others = [
        create_placement(code=f"XO{k:02d}", name=f"Ward Other {k}", provider=provider)
        for k in range(11)
    ]

    def answer(placement, group):
        values = rng.integers(1, 6, size=len(items))
        f.create_response(window, placement, group, dict(zip(items, map(int, values), strict=True)))

    for _ in range(6):
        answer(target, nursing)
    for _ in range(2):
        answer(target, medical)
    for placement in others:
        for _ in range(5):
            answer(placement, nursing)
    national = f.create_staff("national")
    researcher = f.create_staff("researcher")
    db.session.commit()
    scoring.score_window("WZ")
    return {
        "national": national,
        "researcher": researcher,
        "scales": list(scoring.scales_for(inst)),
    }


def _client(app, user):
    client = new_client(app)
    sign_in(client, user)
    return client


def _api_rows(client, **query) -> list[dict]:
    response = client.get("/api/v1/scores", query_string={k: v for k, v in query.items() if v})
    assert response.status_code == 200, response.json
    return response.json["records"]


def _csv_rows(client, **query) -> list[dict]:
    response = client.get("/api/v1/scores.csv", query_string={k: v for k, v in query.items() if v})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _number(value) -> float | None:
    return None if value in (None, "") else float(value)


def test_no_filter_combination_or_export_isolates_the_small_group(app, scored):
    client = _client(app, scored["national"])
    seen: list[dict] = []
    for group, scale, org in itertools.product(
        GROUPS, [None, *scored["scales"]], [{}, {"provider": "PZ"}, {"region": "RZ"}]
    ):
        seen += _api_rows(client, window="WZ", group=group, scale=scale, **org)
    for group in GROUPS:
        seen += _csv_rows(client, window="WZ", group=group)
    target = [r for r in seen if r["placement_code"] == "XTARGET"]
    assert target, "the target placement must appear"

    numeric = ("n", "score", "ci_low", "ci_high", "pct_positive", "shrunk_score", "change")
    for row in seen:
        if row["status"] != "ok":
            assert all(_number(row[c]) is None for c in numeric), row
        else:
            assert _number(row["n"]) >= MIN_N, row
    # The medical group is never shown ...
    assert all(r["status"] != "ok" for r in target if r["learner_group"] == "medical")
    # ... and cannot be recovered as "all groups minus the shown groups", on any scale.
    for scale in scored["scales"]:
        total = [
            r
            for r in target
            if r["scale"] == scale and r["learner_group"] == "all" and r["status"] == "ok"
        ]
        shown = {
            r["learner_group"]: _number(r["n"])
            for r in target
            if r["scale"] == scale and r["learner_group"] not in ("all",) and r["status"] == "ok"
        }
        if total:
            rest = _number(total[0]["n"]) - sum(shown.values())
            assert rest == 0 or rest >= MIN_N, (scale, total[0]["n"], shown)


def test_pages_filtered_to_the_small_group_show_the_notice_never_numbers(app, scored):
    client = _client(app, scored["national"])
    for path in (
        "/dashboard/placements/XTARGET?window=WZ&group=medical",
        "/dashboard/placements/XTARGET?window=WZ&group=nursing",
    ):
        page = BeautifulSoup(client.get(path).data, "html.parser")
        main = page.find("main")
        assert "Some results are not shown" in main.text
        assert "not shown" in main.select_one("#overall").text
        for table in main.select("table.nets-table"):
            if table.find("caption") and table.caption.text.startswith("Scores by"):
                for row in table.select("tbody tr"):
                    assert [c.get_text(strip=True) for c in row.find_all("td")] == ["Not shown"]
        assert main.find("figure") is None  # no trend, funnel or item chart for the group
    for scale in scored["scales"]:
        page = BeautifulSoup(
            client.get(f"/dashboard/providers/PZ?window=WZ&group=medical&scale={scale}").data,
            "html.parser",
        )
        ranked = page.select_one("#ranked")
        names = [] if ranked is None else [a.text for a in ranked.select("tbody th a")]
        assert "Ward Target" not in names
        assert "Ward Target" in page.select_one("#not-shown").text


def test_item_distributions_are_for_all_learner_groups_together_only(app, scored):
    client = _client(app, scored["national"])
    page = BeautifulSoup(client.get("/dashboard/placements/XTARGET?window=WZ").data, "html.parser")
    chart = page.find("figcaption", string="How learners answered each question").parent
    rows = [[c.get_text(strip=True) for c in r.find_all("td")] for r in chart.select("tbody tr")]
    # 8 respondents answered every item: each row is a full distribution summing to ~100 %
    assert rows and all(abs(sum(float(v.rstrip("%")) for v in r[1:]) - 100) <= 3 for r in rows)


def test_research_items_pool_every_class_below_min_n(app, scored):
    client = _client(app, scored["researcher"])
    response = client.get("/api/v1/items.csv", query_string={"window": "WZ"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    # 63 responses; the 2 medical ones form a class of 2 at every level of pooling
    # (placement, then group, then region), so they are left out: 61 rows.
    assert len(rows) == 61
    classes: dict[tuple, int] = {}
    for r in rows:
        key = (r["window"], r["region"], r["learner_group"], r["placement_pseudonym"])
        classes[key] = classes.get(key, 0) + 1
    assert min(classes.values()) >= MIN_N
    # the 2 medical learners are not a class of their own: their group is pooled away
    assert not any(k[2] == "medical" for k in classes)
    header = list(rows[0])
    assert header[:5] == ["row", "window", "region", "learner_group", "placement_pseudonym"]
    assert not {"submitted_on", "response_id", "placement", "placement_code", "text"} & set(header)
    assert all(set(v) <= set("12345") for r in rows for k, v in r.items() if k not in header[:5])
