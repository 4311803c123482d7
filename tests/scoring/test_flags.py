"""adverse_flags: each rule on hand-made data, the thresholds config, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import psychometrics as pm
from psychometrics.flags import FLAG_COLUMNS, RULES, FlagConfig, SuppressionConfig, adverse_flags
from tests.scoring.helpers import score_table


def adverse_responses(groups):
    """Responses where placement p has n learners, k of whom agree with 'bullied'."""
    rows = []
    for p, (n, k) in groups.items():
        for i in range(n):
            rows.append({"placement": p, "window": "2024", "bullied": 4.0 if i < k else 2.0})
    r = pd.DataFrame(rows)
    r["supported"] = 4.0
    r["concern_patient_safety"] = False
    return r


def benchmarked_for(responses, **kwargs):
    scores = pm.score_placements(
        responses, {"overall": ["bullied", "supported"]}, reverse=["bullied"]
    )
    return pm.benchmark(scores, min_placements=2, **kwargs)


def test_adverse_items_rule_is_an_exact_binomial_test():
    r = adverse_responses({"A": (10, 9), "B": (5, 5), "C": (2, 2), "D": (12, 3)})
    flags = adverse_flags(r, benchmarked_for(r), adverse_items=["bullied"])
    row = flags.iloc[0]
    assert flags["rule"].tolist() == ["adverse_items"]  # B: 5/5 has lower bound 55 % < 60 %
    assert (row["placement"], row["n"], row["value"], row["limit"]) == ("A", 10, 90.0, 60.0)
    # one-sided 95 % Clopper-Pearson lower bound of 9/10
    assert row["ci_low"] == pytest.approx(100 * stats.beta.ppf(0.05, 9, 2), rel=1e-12)
    assert stats.binomtest(9, 10, 0.6, alternative="greater").pvalue < 0.05
    assert "9 of 10" in row["evidence"]


def test_adverse_items_flags_agree_with_scipy_binomtest_everywhere():
    grid = {f"P{n:02d}_{k:02d}": (n, k) for n in range(1, 26) for k in range(n + 1)}
    r = adverse_responses(grid)
    cfg = FlagConfig(adverse_rate=0.4, adverse_confidence=0.9)
    flags = adverse_flags(r, benchmarked_for(r), adverse_items=["bullied"], config=cfg)
    got = set(flags.loc[flags["rule"] == "adverse_items", "placement"])
    expected = {
        p
        for p, (n, k) in grid.items()
        if n >= 3 and stats.binomtest(k, n, 0.4, alternative="greater").pvalue < 0.1
    }
    assert got == expected


def test_learners_who_skipped_every_adverse_item_are_not_counted():
    r = adverse_responses({"A": (6, 6)})
    r = pd.concat([r, r.assign(bullied=np.nan)], ignore_index=True)  # 6 more who skipped it
    flags = adverse_flags(r, benchmarked_for(r), adverse_items=["bullied"])
    assert flags["n"].tolist() == [6]


def test_concerns_are_passed_on_whatever_the_numbers():
    r = adverse_responses({"A": (1, 0), "B": (8, 0)})
    r["concern_patient_safety"] = [True] + [True, True] + [False] * 6
    r["concern_bullying"] = [0.0] * 8 + [1.0]
    flags = adverse_flags(
        r,
        benchmarked_for(r),
        concern_columns=("concern_patient_safety", "concern_bullying"),
    )
    assert list(flags.columns) == list(FLAG_COLUMNS)  # nothing about the learner
    assert flags[["placement", "rule", "value"]].values.tolist() == [
        ["A", "patient_safety_concern", 1.0],  # a lone learner's concern still goes
        ["B", "patient_safety_concern", 2.0],
        ["B", "bullying_concern", 1.0],
    ]
    assert flags["n"].isna().all()


def test_concern_column_must_be_true_false():
    r = adverse_responses({"A": (3, 0)}).assign(concern_patient_safety=["yes", "no", "no"])
    with pytest.raises(ValueError, match="True/False"):
        adverse_flags(r, benchmarked_for(r))
    r = r.assign(concern_patient_safety=[2.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="1/0"):
        adverse_flags(r, benchmarked_for(r))


def funnel_windows(windows=("2024",), low=63.0):
    """Benchmarked tables (linear scale, no overdispersion) with P08 at ``low``."""
    frames = []
    for w in windows:
        t = score_table([70] * 8 + [low, 77, 64, 76], [25] * 12, 10.0, window=w)
        frames.append(t)
    scores = pd.concat(frames, ignore_index=True)
    return pm.benchmark(scores, scale="linear", overdispersion="none")


def no_responses(placements=("P00",), window="2024"):
    return pd.DataFrame(
        {"placement": list(placements), "window": window, "concern_patient_safety": False}
    )


def test_funnel_low_flags_the_999_limit_by_default():
    b = funnel_windows()
    flags = adverse_flags(no_responses(), b)
    assert flags["rule"].tolist() == ["funnel_low"]
    row = flags.iloc[0]
    assert (row["placement"], row["scale"], row["value"], row["n"]) == ("P08", "overall", 63.0, 25)
    assert row["limit"] == pytest.approx(b.loc[8, "lower_998"])
    wider = adverse_flags(
        no_responses(), b, config=FlagConfig(funnel_categories=("below_95", "below_99.8"))
    )
    assert wider["placement"].tolist() == ["P08", "P10"]
    assert wider["limit"].tolist() == pytest.approx([b.loc[8, "lower_998"], b.loc[10, "lower_95"]])


def test_funnel_rule_needs_funnel_benchmarks():
    t = score_table([70] * 12, [25] * 12, 10.0)
    with pytest.raises(ValueError, match="method='funnel'"):
        adverse_flags(no_responses(), pm.benchmark(t, method="quartile"))
    with pytest.raises(ValueError, match="funnel_categories"):
        adverse_flags(
            no_responses(), pm.benchmark(t), config=FlagConfig(funnel_categories=("red",))
        )


def test_three_poor_windows():
    b = funnel_windows(("2024", "2025", "2026"))
    flags = adverse_flags(no_responses(), b)
    runs = flags[flags["rule"] == "three_poor_windows"]
    assert runs[["placement", "window", "value", "limit"]].values.tolist() == [
        ["P08", "2026", 3.0, 3.0],
        ["P10", "2026", 3.0, 3.0],  # below the 95 % limit each time
    ]
    assert (flags["rule"] == "funnel_low").sum() == 3


def test_significant_fall_needs_size_and_significance():
    before = score_table([80.0, 80.0], [100, 10000], 10.0, window="2024")
    after = score_table([60.0, 77.0], [100, 10000], 10.0, window="2025")
    b = pm.benchmark(pd.concat([before, after], ignore_index=True), min_placements=2)
    flags = adverse_flags(no_responses(), b)
    falls = flags[flags["rule"] == "significant_fall"]
    # P01 fell 3 points: significant with 10,000 learners, but under 5 points
    assert falls["placement"].tolist() == ["P00"]
    row = falls.iloc[0]
    assert (row["window"], row["value"], row["limit"]) == ("2025", -20.0, -5.0)
    assert row["ci_high"] < 0
    relaxed = adverse_flags(no_responses(), b, config=FlagConfig(fall_min_points=0.0))
    assert relaxed.loc[relaxed["rule"] == "significant_fall", "placement"].tolist() == [
        "P00",
        "P01",
    ]


def test_group_rows_keep_their_group():
    r = pd.DataFrame(
        {
            "placement": np.repeat([f"P{i}" for i in range(12)], 6),
            "window": "2024",
            "group": ["a", "a", "a", "b", "b", "b"] * 12,
            "q": [4.0] * 72,
            "concern_patient_safety": [True] + [False] * 71,
        }
    )
    r.loc[r["placement"] == "P0", "q"] = 1.0
    b = pm.benchmark(pm.score_placements(r, {"s": ["q"]}, group="group"), by=["window", "group"])
    flags = adverse_flags(r, b, group="group")
    assert list(flags.columns[:3]) == ["placement", "window", "group"]
    assert flags[["group", "rule"]].values.tolist() == [
        ["(all)", "patient_safety_concern"],
        ["(all)", "funnel_low"],
        ["a", "funnel_low"],
        ["b", "funnel_low"],
    ]


def test_no_flags_gives_an_empty_table_with_the_columns():
    r = adverse_responses({"A": (5, 0), "B": (5, 0)})
    flags = adverse_flags(r, benchmarked_for(r), adverse_items=["bullied"])
    assert flags.empty and list(flags.columns) == list(FLAG_COLUMNS)
    assert set(RULES) >= {"patient_safety_concern", "adverse_items", "funnel_low"}


def test_bad_input_raises():
    r = adverse_responses({"A": (5, 0)})
    b = benchmarked_for(r)
    with pytest.raises(ValueError, match="not in responses"):
        adverse_flags(r, b, adverse_items=["harassed"])
    with pytest.raises(ValueError, match="sequences of column names"):
        adverse_flags(r, b, adverse_items="bullied")
    with pytest.raises(ValueError, match="FlagConfig"):
        adverse_flags(r, b, config={"adverse_rate": 0.5})
    with pytest.raises(ValueError, match="DataFrame"):
        adverse_flags(r.to_dict(), b)
    with pytest.raises(ValueError, match="whole numbers 1-5"):
        adverse_flags(r.assign(bullied=7.0), b, adverse_items=["bullied"])
    with pytest.raises(ValueError, match="not in benchmarked"):
        adverse_flags(r, b.drop(columns="category"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_n": 0}, "min_n"),
        ({"adverse_rate": 1.0}, "adverse_rate"),
        ({"adverse_confidence": 0.0}, "adverse_confidence"),
        ({"fall_confidence": 1.5}, "fall_confidence"),
        ({"fall_min_points": -1}, "fall_min_points"),
        ({"poor_run": 1}, "poor_run"),
        ({"funnel_scales": "overall"}, "tuple of strings"),
        ({"poor_categories": ()}, "must not be empty"),
    ],
)
def test_flag_config_validates(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FlagConfig(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_n": 0}, "min_n"),
        ({"min_n": 5, "min_n_free_text": 4}, "at least min_n"),
        ({"min_items": 0}, "min_items"),
    ],
)
def test_suppression_config_validates(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SuppressionConfig(**kwargs)


@pytest.mark.parametrize("config", [FlagConfig(), SuppressionConfig()])
def test_every_threshold_has_a_rationale(config):
    table = config.describe()
    assert table["setting"].tolist() == [f.name for f in dataclasses.fields(config)]
    assert table["value"].tolist() == [getattr(config, f.name) for f in dataclasses.fields(config)]
    assert (table["rationale"].str.len() > 40).all()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.min_n = 10
