"""score_placements: hand-computed scores, intervals, suppression and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import psychometrics as pm
from psychometrics.scoring import ALL_GROUPS, NOT_STATED, SCORE_COLUMNS

SCALES = {"overall": ["q1", "q2", "q3"]}


def small_responses():
    # Placement A: three learners; B: one. q3 is reverse-keyed.
    return pd.DataFrame(
        {
            "placement": ["A", "A", "A", "B"],
            "window": ["2024"] * 4,
            "q1": [5, 4, 2, 3],
            "q2": [4, 4, np.nan, 3],
            "q3": [1, 2, 2, 5],
        }
    )


def test_hand_computed_score_interval_and_percent_positive():
    out = pm.score_placements(small_responses(), SCALES, reverse=["q3"])
    a = out.iloc[0]
    # Respondent scores, 25 * (item mean - 1) with q3 turned round (6 - x):
    # (5 + 4 + 5) / 3 -> 275/3; (4 + 4 + 4) / 3 -> 75; (2 + 4) / 2 -> 50.
    mean = (275 / 3 + 75 + 50) / 3  # = 650/9
    ss = (175 / 9) ** 2 + (25 / 9) ** 2 + (200 / 9) ** 2  # = 71250/81
    sd = math.sqrt(ss / 2)
    half = stats.t.ppf(0.975, 2) * sd / math.sqrt(3)  # t(0.975, 2 df) = 4.303
    assert a["n"] == 3
    assert a["score"] == pytest.approx(650 / 9, rel=1e-12)
    assert a["sd"] == pytest.approx(sd, rel=1e-12)
    assert a["ci_low"] == pytest.approx(mean - half, rel=1e-12)
    assert a["ci_high"] == 100.0  # 72.2 + 52.1 clipped to the scale
    # answered item responses after reversing: 5,4,5 | 4,4,4 | 2,4 -> 7 of 8 favourable
    assert a["pct_positive"] == pytest.approx(87.5, rel=1e-12)
    assert a["status"] == "ok"


def test_suppressed_row_carries_no_numbers():
    out = pm.score_placements(small_responses(), SCALES, reverse=["q3"])
    b = out.iloc[1]
    assert b["status"] == "suppressed"
    assert b["n"] is pd.NA
    for col in SCORE_COLUMNS[1:]:
        assert np.isnan(b[col])


def test_output_columns_and_key_names_kept():
    r = small_responses().rename(columns={"placement": "site", "window": "year"})
    out = pm.score_placements(r, SCALES, placement="site", window="year")
    assert list(out.columns) == [
        "site",
        "year",
        "scale",
        "n",
        "score",
        "ci_low",
        "ci_high",
        "sd",
        "pct_positive",
        "status",
    ]
    assert str(out["n"].dtype) == "Int64"


@pytest.mark.parametrize(
    ("min_items", "k", "answered", "counts"),
    [
        (0.5, 4, 1, False),  # needs ceil(0.5 * 4) = 2
        (0.5, 4, 2, True),
        (0.5, 3, 1, False),  # needs ceil(1.5) = 2
        (0.5, 3, 2, True),
        (0.75, 4, 2, False),  # needs 3
        (1.0, 4, 3, False),  # needs all 4
        (1.0, 4, 4, True),
        (0.1, 4, 1, True),  # never fewer than one
    ],
)
def test_min_items_rule(min_items, k, answered, counts):
    items = [f"i{j}" for j in range(k)]
    row = [4.0] * answered + [np.nan] * (k - answered)
    r = pd.DataFrame([row] * 3, columns=items).assign(placement="A", window="w")
    out = pm.score_placements(r, {"s": items}, min_items=min_items)
    assert out["status"].item() == ("ok" if counts else "no data")


def test_respondent_not_counted_is_left_out_of_score():
    r = pd.DataFrame({"placement": "A", "window": "w", "a": [5, 1, 3, 3], "b": [5, np.nan, 3, 3]})
    out = pm.score_placements(r, {"s": ["a", "b"]}, min_items=1.0)
    # learner 2 answered one of two items: not counted; others 100, 50, 50
    assert out["n"].item() == 3
    assert out["score"].item() == pytest.approx(200 / 3)


def test_single_respondent_interval_is_whole_scale_when_shown():
    r = pd.DataFrame({"placement": "A", "window": "w", "a": [4.0]})
    out = pm.score_placements(r, {"s": ["a"]}, min_n=1)
    row = out.iloc[0]
    assert (row["score"], row["ci_low"], row["ci_high"]) == (75.0, 0.0, 100.0)
    assert np.isnan(row["sd"])


def test_identical_answers_give_zero_width_interval():
    r = pd.DataFrame({"placement": "A", "window": "w", "a": [4.0, 4.0, 4.0]})
    row = pm.score_placements(r, {"s": ["a"]}).iloc[0]
    assert (row["score"], row["ci_low"], row["ci_high"], row["sd"]) == (75.0, 75.0, 75.0, 0.0)


def test_window_and_placement_without_responses_are_explicit():
    out = pm.score_placements(
        small_responses(), SCALES, placements=["A", "B", "Z"], windows=["2023", "2024"]
    )
    assert len(out) == 6
    empty = out[(out["window"] == "2023") | (out["placement"] == "Z")]
    assert len(empty) == 4
    assert (empty["status"] == "no data").all()
    assert (empty["n"] == 0).all()
    assert empty["score"].isna().all()
    # display order follows the lists given
    assert out["placement"].tolist() == ["A", "A", "B", "B", "Z", "Z"]
    assert out["window"].tolist() == ["2023", "2024"] * 3


def test_empty_responses_with_expected_rows():
    r = small_responses().iloc[:0]
    out = pm.score_placements(r, SCALES, placements=["A"], windows=["2024"])
    assert out["status"].tolist() == ["no data"]


def test_groups_total_row_and_not_stated():
    r = pd.DataFrame(
        {
            "placement": "A",
            "window": "w",
            "group": ["nurse"] * 3 + ["doctor"] * 3 + [None] * 3,
            "a": [5, 4, 4, 2, 2, 3, 1, 1, 1],
        }
    )
    out = pm.score_placements(r, {"s": ["a"]}, group="group")
    assert out["group"].tolist() == [ALL_GROUPS, "doctor", "nurse", NOT_STATED]
    assert out["n"].tolist() == [9, 3, 3, 3]
    assert out.loc[0, "score"] == pytest.approx(25 * (23 / 9 - 1))
    assert out.loc[3, "score"] == 0.0


def _reference(responses, scales, reverse, min_n, min_items, keys):
    """Slow, obvious implementation: loop over cells and respondents."""
    rows = []
    for key, cell in responses.groupby(keys, sort=True):
        for name, items in scales.items():
            x = cell[items].astype(float).copy()
            for item in reverse:
                if item in items:
                    x[item] = 6 - x[item]
            need = max(1, math.ceil(min_items * len(items)))
            counted = x[x.notna().sum(axis=1) >= need]
            r = 25 * (counted.mean(axis=1) - 1)
            answered = counted.stack()
            rows.append(
                {
                    **dict(zip(keys, key, strict=True)),
                    "scale": name,
                    "n": len(r),
                    "score": r.mean() if len(r) >= min_n else np.nan,
                    "sd": r.std(ddof=1) if len(r) >= min_n else np.nan,
                    "pct_positive": 100 * (answered >= 4).mean() if len(r) >= min_n else np.nan,
                }
            )
    return pd.DataFrame(rows)


def test_matches_slow_reference_on_random_data():
    rng = np.random.default_rng(7)
    n = 600
    x = rng.integers(1, 6, size=(n, 6)).astype(float)
    x[rng.random((n, 6)) < 0.25] = np.nan
    r = pd.DataFrame(x, columns=[f"q{i}" for i in range(6)])
    r["placement"] = rng.choice([f"P{i}" for i in range(40)], n)
    r["window"] = rng.choice(["2024", "2025"], n)
    scales = {
        "t1": ["q0", "q1", "q2"],
        "t2": ["q3", "q4", "q5"],
        "all": [f"q{i}" for i in range(6)],
    }
    out = pm.score_placements(r, scales, reverse=["q1", "q4"], min_items=0.6)
    ref = _reference(r, scales, ["q1", "q4"], 3, 0.6, ["placement", "window"])
    merged = out.merge(ref, on=["placement", "window", "scale"], suffixes=("", "_ref"))
    assert len(merged) == len(ref) == len(out)
    shown = merged["status"] == "ok"
    assert (merged.loc[shown, "n"].astype(int) == merged.loc[shown, "n_ref"]).all()
    for col in ("score", "sd", "pct_positive"):
        np.testing.assert_allclose(merged[col], merged[f"{col}_ref"], rtol=1e-12, atol=1e-12)
    hidden = ~shown
    assert (merged.loc[hidden, "n_ref"] < 3).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.assign(q1=r["q1"].astype(str)), "must be numeric"),
        (lambda r: r.assign(q1=[5, 4, 0, 3]), "whole numbers 1-5"),
        (lambda r: r.assign(q1=[5, 4, 6, 3]), "whole numbers 1-5"),
        (lambda r: r.assign(q1=[5, 4, 2.5, 3]), "whole numbers 1-5"),
        (lambda r: r.assign(q1=[5, 4, np.inf, 3]), "whole numbers 1-5"),
        (lambda r: r.assign(q1=[True, False, True, True]), "must be numeric"),
        (lambda r: r.assign(placement=["A", None, "A", "B"]), "no placement"),
        (lambda r: r.assign(window=["2024", "2024", np.nan, "2024"]), "no window"),
        (lambda r: r.drop(columns="window"), "key column"),
    ],
)
def test_bad_responses_raise(change, message):
    with pytest.raises(ValueError, match=message):
        pm.score_placements(change(small_responses()), SCALES)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scales": {"overall": ["q1", "q9"]}}, "not in responses"),
        ({"scales": {}}, "non-empty mapping"),
        ({"scales": {"s": []}}, "has no items"),
        ({"scales": {"s": "q1"}}, "must list its item columns"),
        ({"scales": {"s": ["q1", "q1"]}}, "more than once"),
        ({"reverse": ["q9"]}, "in no scale"),
        ({"min_n": 0}, "min_n"),
        ({"min_n": 2.5}, "min_n"),
        ({"min_n": True}, "min_n"),
        ({"min_items": 0}, "min_items"),
        ({"min_items": 1.5}, "min_items"),
        ({"ci": 1.0}, "ci must"),
        ({"windows": ["2025"]}, "not in the windows given"),
        ({"placements": ["A", "A", "B"]}, "more than once"),
        ({"group": "missing"}, "key column"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    args = {"scales": SCALES} | kwargs
    scales = args.pop("scales")
    with pytest.raises(ValueError, match=message):
        pm.score_placements(small_responses(), scales, **args)


def test_responses_must_be_a_dataframe():
    with pytest.raises(ValueError, match="DataFrame"):
        pm.score_placements(small_responses().to_dict(), SCALES)


def test_reserved_group_label_raises():
    r = small_responses().assign(group=[ALL_GROUPS, "x", "x", "x"])
    with pytest.raises(ValueError, match="reserved"):
        pm.score_placements(r, SCALES, group="group")
