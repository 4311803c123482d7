"""trend (change from the previous window) and poor_streaks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import psychometrics as pm
from psychometrics.trends import poor_streaks, trend


def two_windows(a, b):
    """Score one placement from raw learner scores in two windows (one item, 1-5)."""
    r = pd.DataFrame(
        {"placement": "A", "window": ["2024"] * len(a) + ["2025"] * len(b), "q": list(a) + list(b)}
    )
    return pm.score_placements(r, {"s": ["q"]})


def test_change_interval_matches_scipy_welch():
    rng = np.random.default_rng(4)
    a = rng.integers(2, 6, 30)
    b = rng.integers(1, 5, 25)
    t = trend(two_windows(a, b))
    # oracle: scipy's Welch t-test on the learners' 0-100 scores, current minus previous
    res = stats.ttest_ind(25 * (b - 1.0), 25 * (a - 1.0), equal_var=False)
    lo, hi = res.confidence_interval(0.95)
    row = t.iloc[0]
    assert row["change"] == pytest.approx(25 * (b.mean() - a.mean()), rel=1e-12)
    assert row["change_ci_low"] == pytest.approx(lo, rel=1e-9)
    assert row["change_ci_high"] == pytest.approx(hi, rel=1e-9)
    assert bool(row["significant_fall"]) == (hi < 0)
    assert row["trend_status"] == "ok"
    assert (row["window"], row["previous_window"]) == ("2025", "2024")


def test_significant_fall_and_rise():
    fall = trend(two_windows([5, 5, 4, 5, 4, 5], [2, 1, 2, 2, 1, 2])).iloc[0]
    assert fall["significant_fall"] and not fall["significant_rise"]
    rise = trend(two_windows([2, 1, 2, 2, 1, 2], [5, 5, 4, 5, 4, 5])).iloc[0]
    assert rise["significant_rise"] and not rise["significant_fall"]
    flat = trend(two_windows([3, 4, 5, 2], [4, 3, 2, 5])).iloc[0]
    assert not flat["significant_fall"] and not flat["significant_rise"]


def test_not_comparable_rows_carry_no_numbers():
    t = trend(two_windows([5, 4], [3, 3, 3]))  # previous window suppressed
    row = t.iloc[0]
    assert row["trend_status"] == "not comparable"
    assert np.isnan(row["change"]) and row["n"] is pd.NA
    assert not row["significant_fall"]


def test_previous_window_is_the_one_before_in_order():
    s = two_windows([5, 4, 4], [3, 3, 2])
    s = pd.concat([s, s[s["window"] == "2025"].assign(window="2027")], ignore_index=True)
    t = trend(s, windows=["2024", "2025", "2026", "2027"])
    assert t["window"].tolist() == ["2025", "2026", "2027"]
    assert t["previous_window"].tolist() == ["2024", "2025", "2026"]
    # 2026 is missing: neither 2026 nor 2027 can be compared
    assert t["trend_status"].tolist() == ["ok", "not comparable", "not comparable"]


def test_trend_bad_input():
    s = two_windows([5, 4, 4], [3, 3, 2])
    with pytest.raises(ValueError, match="not in the windows given"):
        trend(s, windows=["2025"])
    with pytest.raises(ValueError, match="more than one row"):
        trend(pd.concat([s, s]))
    with pytest.raises(ValueError, match="ci must"):
        trend(s, ci=95)
    with pytest.raises(ValueError, match="lacks column"):
        trend(s.drop(columns="sd"))


def streak_table(categories, windows=None):
    windows = windows or [str(2020 + i) for i in range(len(categories))]
    return pd.DataFrame(
        {"placement": "A", "scale": "overall", "window": windows, "category": categories}
    )


@pytest.mark.parametrize(
    ("categories", "runs"),
    [
        (["below_95", "below_95", "below_99.8", "within"], [1, 2, 3, 0]),
        (["red", "pink", "white", "pink", "red", "red"], [1, 2, 0, 1, 2, 3]),
        (["below_95", "suppressed", "below_95", "below_95"], [1, 0, 1, 2]),
        (["within", "above_95", "green"], [0, 0, 0]),
    ],
)
def test_poor_runs(categories, runs):
    assert poor_streaks(streak_table(categories))["poor_run"].tolist() == runs


def test_missing_window_breaks_a_run():
    t = streak_table(["below_95", "below_95", "below_95"], ["2020", "2021", "2023"])
    out = poor_streaks(t, windows=["2020", "2021", "2022", "2023"])
    assert out["poor_run"].tolist() == [1, 2, 1]


def test_runs_are_per_placement_and_scale_in_any_row_order():
    a = streak_table(["below_95"] * 3)
    b = streak_table(["below_95", "within", "below_95"]).assign(placement="B")
    c = streak_table(["below_95"] * 3).assign(scale="culture")
    t = pd.concat([a, b, c], ignore_index=True).sample(frac=1, random_state=3)
    out = poor_streaks(t).sort_values(["placement", "scale", "window"])
    assert out["poor_run"].tolist() == [1, 2, 3, 1, 2, 3, 1, 0, 1]


def test_poor_streaks_needs_categories():
    with pytest.raises(ValueError, match="category"):
        poor_streaks(streak_table(["red"]).drop(columns="category"))
