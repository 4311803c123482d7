"""benchmark and the funnel machinery: published values, hand-computed categories, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import psychometrics as pm
from psychometrics.benchmarking import FUNNEL_CATEGORIES, QUARTILE_CATEGORIES
from psychometrics.funnel import funnel_dispersion, funnel_limits, winsorised_moment
from tests.scoring.helpers import score_table

# BCG vaccine trials (Colditz et al., JAMA 1994;271:698-702; metafor's dat.bcg):
# tpos, tneg, cpos, cneg for the 13 trials.
BCG = np.array(
    [
        [4, 119, 11, 128],
        [6, 300, 29, 274],
        [3, 228, 11, 209],
        [62, 13536, 248, 12619],
        [33, 5036, 47, 5761],
        [180, 1361, 372, 1079],
        [8, 2537, 10, 619],
        [505, 87886, 499, 87892],
        [29, 7470, 45, 7232],
        [17, 1699, 65, 1600],
        [186, 50448, 141, 27197],
        [5, 2493, 3, 2338],
        [27, 16886, 29, 17825],
    ],
    dtype=float,
)


def bcg_effects(measure):
    a, b, c, d = BCG.T
    if measure == "RR":
        return np.log((a / (a + b)) / (c / (c + d))), 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    return np.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d


# Published: metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r, which
# checks rma(method="FE") and rma(method="DL") against Stata's metan (fixedi / randomi).
# Without winsorising, the paper's estimator is DerSimonian-Laird: target = FE estimate,
# I * phi = Cochran's Q, tau2 = DL tau^2.
@pytest.mark.parametrize(
    ("measure", "quantity", "published"),
    [
        ("RR", "target", -0.4303),  # FE estimate, metan fixedi rr log
        ("RR", "Q", 152.2330),  # QE
        ("RR", "tau2", 0.3088),  # DL tau^2, metan randomi rr log
        ("OR", "target", -0.4361),
        ("OR", "Q", 163.1649),
        ("OR", "tau2", 0.3663),
    ],
)
def test_dersimonian_laird_reproduces_published_bcg_values(measure, quantity, published):
    y, v = bcg_effects(measure)
    d = funnel_dispersion(y, np.sqrt(v), winsor=0, estimator="winsorised")
    got = {"target": d.target, "Q": d.units * d.phi, "tau2": d.tau2}[quantity]
    assert got == pytest.approx(published, abs=5e-5)  # published to 4 decimals


def test_winsorised_moment_matches_numerical_integration():
    q = stats.norm.ppf(0.9)
    value, _ = integrate.quad(
        lambda z: min(max(z, -q), q) ** 2 * stats.norm.pdf(z), -12, 12, points=[-q, q]
    )
    assert winsorised_moment(0.1) == pytest.approx(value, rel=1e-9)


def test_funnel_z_values_are_the_papers():
    # Spiegelhalter (2005): 95 % and 99.8 % limits at z = 1.96 and 3.09
    lo, hi = funnel_limits(
        4, mean=50.0, within_sd=20.0, scale="linear", overdispersion="none", level=0.95
    )
    assert (hi - 50) / (20 / 2) == pytest.approx(1.960, abs=5e-4)
    lo, hi = funnel_limits(
        4, mean=50.0, within_sd=20.0, scale="linear", overdispersion="none", level=0.998
    )
    assert (50 - lo) / (20 / 2) == pytest.approx(3.090, abs=5e-4)


def test_arcsine_limits_by_hand():
    # g(70) = asin(sqrt(0.7)); s = 20 / (200 sqrt(0.7 * 0.3) sqrt(10)); limits g +- 1.96 s
    g = math.asin(math.sqrt(0.7))
    s = 20 / (200 * math.sqrt(0.21) * math.sqrt(10))
    z = stats.norm.ppf(0.975)
    lo, hi = funnel_limits(10, mean=70, within_sd=20, level=0.95, overdispersion="none")
    assert float(lo) == pytest.approx(100 * math.sin(g - z * s) ** 2, rel=1e-12)
    assert float(hi) == pytest.approx(100 * math.sin(g + z * s) ** 2, rel=1e-12)
    assert 70 - float(lo) > float(hi) - 70  # asymmetric toward the ceiling


def test_additive_limits_add_tau2():
    lo, hi = funnel_limits(25, mean=60, within_sd=10, tau2=9.0, scale="linear", level=0.95)
    assert float(hi) - 60 == pytest.approx(
        stats.norm.ppf(0.975) * math.sqrt(100 / 25 + 9), rel=1e-12
    )


def _simulate(rng, units, how):
    n = rng.integers(3, 60, units)
    s = 15 / np.sqrt(n)
    if how == "additive":
        y = 70 + rng.normal(0, np.sqrt(s**2 + 9.0))
    else:
        y = 70 + rng.normal(0, np.sqrt(2.0) * s)
    return y, s


def test_robust_estimator_recovers_tau2_where_the_winsorised_one_is_biased():
    y, s = _simulate(np.random.default_rng(1), 4000, "additive")  # true tau2 = 9
    robust = funnel_dispersion(y, s, target=70.0)
    paper = funnel_dispersion(y, s, target=70.0, estimator="winsorised")
    assert robust.tau2 == pytest.approx(9.0, rel=0.1)
    assert paper.tau2 < 0.75 * 9.0  # winsorising without correction: biased low


def test_robust_estimator_recovers_phi():
    y, s = _simulate(np.random.default_rng(2), 4000, "multiplicative")  # true phi = 2
    assert funnel_dispersion(y, s, target=70.0).phi == pytest.approx(2.0, rel=0.08)
    assert funnel_dispersion(y, s, target=70.0, estimator="winsorised").phi == pytest.approx(
        2.0 * winsorised_moment(0.1), rel=0.08
    )


def test_funnel_categories_by_hand():
    # 12 placements of 25 learners, SD 10: sigma/sqrt(n) = 2, mean 70;
    # limits 70 +- 1.96 * 2 = +-3.92 (95 %) and 70 +- 3.09 * 2 = +-6.18 (99.8 %).
    scores = [70] * 8 + [63, 77, 64, 76]
    out = pm.benchmark(score_table(scores, [25] * 12, 10.0), scale="linear", overdispersion="none")
    assert out["category"].tolist() == ["within"] * 8 + [
        "below_99.8",
        "above_99.8",
        "below_95",
        "above_95",
    ]
    assert out["benchmark_mean"].eq(70.0).all()
    assert out["within_sd"].eq(10.0).all()
    assert out.loc[0, "lower_95"] == pytest.approx(70 - stats.norm.ppf(0.975) * 2, rel=1e-12)
    assert out.loc[0, "upper_998"] == pytest.approx(70 + stats.norm.ppf(0.999) * 2, rel=1e-12)
    assert out.loc[8, "z"] == pytest.approx(-3.5, rel=1e-12)
    assert set(out["category"]) <= set(FUNNEL_CATEGORIES)


def quartile_table():
    scores = [50, 60, 66, 68, 70, 70, 72, 74, 80, 90]
    t = score_table(scores, [20] * 10, 10.0)
    half = stats.t.ppf(0.975, 19) * 10 / math.sqrt(20)  # each placement's own t interval
    t["ci_low"], t["ci_high"] = t["score"] - half, t["score"] + half
    hidden = pd.DataFrame(
        {
            "placement": ["S", "Z"],
            "window": "2024",
            "scale": "overall",
            "n": pd.array([pd.NA, 0], dtype="Int64"),
            "status": ["suppressed", "no data"],
        }
    )
    return pd.concat([t, hidden], ignore_index=True)


def test_gmc_quartile_categories_by_hand():
    out = pm.benchmark(quartile_table(), method="quartile")
    # Q1 = 66.5, Q3 = 73.5 (linear interpolation over the 10 placement scores);
    # benchmark mean 70; total SD over the 200 learners sqrt((19000 + 20800) / 199)
    # = sqrt(200), so its interval is 70 +- t(0.975, 199) * sqrt(200) / sqrt(200).
    half = stats.t.ppf(0.975, 199)
    assert out.loc[0, "quartile_low"] == pytest.approx(66.5)
    assert out.loc[0, "quartile_high"] == pytest.approx(73.5)
    assert out.loc[0, "benchmark_ci_low"] == pytest.approx(70 - half, rel=1e-12)
    assert out["category"].tolist() == [
        "red",  # 50: bottom quartile, interval (.. 54.7) below 68.0
        "red",  # 60
        "pink",  # 66: bottom quartile, interval reaches 70.7
        "white",
        "white",
        "white",
        "white",
        "light green",  # 74: top quartile, interval from 69.3 overlaps
        "green",  # 80: interval from 75.3 above 72.0
        "green",
        "grey",  # suppressed (GMC: fewer than three)
        "yellow",  # no data (GMC: n = 0)
    ]
    assert set(out["category"]) <= set(QUARTILE_CATEGORIES)


def test_rows_without_numbers_and_small_comparators_are_explicit():
    t = quartile_table()
    out = pm.benchmark(t.iloc[[0, 1, 2, 10, 11]])  # 3 placements with a score
    assert out["category"].tolist() == [
        "insufficient comparator",
        "insufficient comparator",
        "insufficient comparator",
        "suppressed",
        "no data",
    ]
    for col in ("lower_998", "upper_95", "z", "score_shrunk", "shrinkage", "tau2"):
        assert out[col].isna().all()
    assert out["benchmark_mean"].iloc[:3].notna().all()  # the mean itself is shown
    assert (out["comparator_placements"] == 3).all()


def test_comparator_with_no_shown_scores():
    t = quartile_table().iloc[[10, 11]]
    out = pm.benchmark(t)
    assert out["category"].tolist() == ["suppressed", "no data"]
    assert out["benchmark_mean"].isna().all()


def test_identical_respondents_do_not_divide_by_zero():
    out = pm.benchmark(score_table([80.0] * 12, [5] * 12, 0.0))
    assert (out["category"] == "within").all()
    assert (out["z"] == 0).all()


def test_shrinkage_formula_and_order():
    rng = np.random.default_rng(0)
    n = rng.integers(3, 80, 40)
    scores = np.clip(70 + rng.normal(0, 4, 40) + rng.normal(0, 15 / np.sqrt(n)), 0, 100)
    out = pm.benchmark(score_table(list(scores), list(n), 15.0), scale="linear")
    tau2, sigma, theta = (
        out["tau2"].iloc[0],
        out["within_sd"].iloc[0],
        out["benchmark_mean"].iloc[0],
    )
    b = tau2 / (tau2 + sigma**2 / n)  # B_i = n_i / (n_i + sigma^2 / tau^2)
    assert tau2 > 0
    np.testing.assert_allclose(out["shrinkage"], b, rtol=1e-12)
    np.testing.assert_allclose(out["score_shrunk"], theta + b * (scores - theta), rtol=1e-12)
    assert out["score"].tolist() == pytest.approx(list(scores))  # raw score untouched


def test_comparators_by_region_are_separate():
    a = score_table([60.0 + i for i in range(10)], [20] * 10).assign(region="R1")
    b = score_table([80.0 + i for i in range(10)], [20] * 10).assign(region="R2")
    b["placement"] = [f"Q{i}" for i in range(10)]
    out = pm.benchmark(pd.concat([a, b], ignore_index=True), by=["window", "region"])
    assert out["comparator"].unique().tolist() == [
        "window=2024, region=R1",
        "window=2024, region=R2",
    ]
    assert out.groupby("region")["benchmark_mean"].first().tolist() == [64.5, 84.5]


def test_group_rows_need_the_group_in_by():
    t = pd.concat(
        [score_table([70.0] * 10, [20] * 10).assign(group=g) for g in ("(all)", "nursing")],
        ignore_index=True,
    )
    with pytest.raises(ValueError, match="add the group column"):
        pm.benchmark(t)
    out = pm.benchmark(t, by=["window", "group"])
    assert out["comparator"].nunique() == 2


def test_same_rows_same_order_and_empty_table():
    t = quartile_table().sample(frac=1, random_state=1)
    out = pm.benchmark(t)
    assert out["placement"].tolist() == t["placement"].tolist()
    empty = pm.benchmark(t.iloc[:0])
    assert len(empty) == 0 and "category" in empty.columns


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "league"}, "method must be one of"),
        ({"overdispersion": "both"}, "overdispersion must be one of"),
        ({"estimator": "mle"}, "estimator must be one of"),
        ({"scale": "log"}, "scale must be one of"),
        ({"min_placements": 1}, "min_placements"),
        ({"winsor": 0.5}, "winsor"),
        ({"ci": 0}, "ci must"),
        ({"by": ["window", "region"]}, "lacks column"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pm.benchmark(quartile_table(), **kwargs)


def test_bad_tables_raise():
    t = quartile_table()
    with pytest.raises(ValueError, match="unknown status"):
        pm.benchmark(t.assign(status="fine"))
    broken = t.copy()
    broken.loc[0, "score"] = np.nan
    with pytest.raises(ValueError, match="lacks a score"):
        pm.benchmark(broken)
    with pytest.raises(ValueError, match="DataFrame"):
        pm.benchmark(t.to_dict())
    with pytest.raises(ValueError, match="se finite and > 0"):
        funnel_dispersion([1.0, 2.0], [0.0, 1.0])
