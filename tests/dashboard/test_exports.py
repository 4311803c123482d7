"""Exports: stable column names, a dictionary for every column, pandas-friendly JSON, audit."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from sqlalchemy import select

from nets_app.api.formats import csv_text
from nets_app.extensions import db
from nets_app.models import AuditEvent

# The published column names. Changing one breaks analysts' code: append, never rename.
STABLE = {
    "scores": [
        "window", "region_code", "region_name", "provider_code", "provider_name",
        "placement_code", "placement_name", "specialty", "learner_group", "scale",
        "scale_label", "status", "n", "score", "ci_low", "ci_high", "pct_positive",
        "shrunk_score", "benchmark_mean", "funnel_category", "quartile_category",
        "change", "change_ci_low", "change_ci_high",
    ],
    "flags": [
        "window", "region_code", "provider_code", "placement_code", "placement_name", "rule",
        "scale", "measure", "value", "limit", "n", "raised_on", "evidence",
    ],
    "response_rates": [
        "window", "region_code", "provider_code", "provider_name", "invited", "responded",
        "response_rate", "open_link_responses", "responses",
    ],
}  # fmt: skip


@pytest.mark.parametrize("dataset", sorted(STABLE))
def test_csv_columns_are_stable_and_each_is_in_the_dictionary(client_for, world, dataset):
    client = client_for("national")
    response = client.get(f"/api/v1/{dataset}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="nets-{dataset}-W2026.csv"'
    )
    assert response.headers["Link"] == f'</api/v1/{dataset}/dictionary.csv>; rel="describedby"'
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header == STABLE[dataset]
    dictionary = client.get(f"/api/v1/{dataset}/dictionary.csv").get_data(as_text=True)
    described = list(csv.DictReader(io.StringIO(dictionary)))
    assert [d["column"] for d in described] == header
    assert all(d["type"] and d["description"] for d in described)


def test_json_reads_straight_into_pandas(client_for, world):
    js = client_for("regional").get("/api/v1/scores?group=any&scale=overall").json
    df = pd.DataFrame(js["records"], columns=js["columns"])
    assert list(df.columns) == STABLE["scores"]
    assert js["filters"] == {"group": "any", "scale": "overall", "window": "W2026"}
    assert js["min_n"] == 3
    assert js["dictionary"] == "/api/v1/scores/dictionary"
    assert sorted(df.placement_code.unique()) == ["XASTER", "XBASIL", "XCEDAR"]
    shown = df[df.status == "ok"]
    assert (shown.learner_group == "all").all()
    hidden = df[df.status != "ok"]
    assert hidden[["n", "score", "ci_low", "ci_high"]].isna().all().all()
    assert shown.score.tolist() == [70.0, 71.0, 72.0]


def test_every_export_is_audited_with_its_filters(client_for, world):
    client = client_for("site_reviewer")
    client.get("/api/v1/scores.csv?scale=induction")
    client.get("/api/v1/flags")
    db.session.expire_all()
    events = list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        )
    )
    assert [(e.target, e.detail["format"]) for e in events] == [
        ("dataset:scores", "csv"),
        ("dataset:flags", "json"),
    ]
    assert events[0].detail["scale"] == "induction"
    assert events[0].detail["rows"] == 2
    assert events[0].staff_id == world.staff["site_reviewer"].id


def test_api_index_lists_only_the_roles_datasets(client_for, world):
    names = lambda role: [d["name"] for d in client_for(role).get("/api/v1/").json["datasets"]]  # noqa: E731
    assert names("site_reviewer") == ["scores", "flags", "response_rates"]
    assert names("researcher") == ["items"]
    assert names("admin") == []


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("@SUM", "'@SUM"),
        ("-2", "'-2"),
        ("Ward 1", "Ward 1"),
    ],
)
def test_csv_text_cells_cannot_become_formulas(value, written):
    text = csv_text(["a", "b"], [(value, -3.5)])
    assert list(csv.reader(io.StringIO(text)))[1] == [written, "-3.5"]


def test_csv_writes_missing_numbers_as_empty():
    assert csv_text(["a", "b"], [(None, float("nan"))]).splitlines()[1] == ","
