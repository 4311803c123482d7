"""Do the flags find what synthetic pilots planted, and stay quiet when nothing is planted?

Planted truth (psychometrics.synthetic): adverse placements have culture and
safety 1 learner-SD lower and adverse items more endorsed in every window;
declining placements fall 0.8 SD on every theme in the last window.

Measured with the default FlagConfig and benchmark settings (pooled over the
seeds below; precision = flagged placements that were planted / flagged,
recall = planted placements flagged / planted):

================  ==================  ==================  ==================
pilot             adverse_items       any environment     significant_fall
                  precision  recall   precision  recall   precision  recall
================  ==================  ==================  ==================
6,000 x 6 seeds   0.875      0.667    0.745      0.762    0.667      0.381
20,000 x 3 seeds  0.788      0.621    0.722      0.727    0.610      0.379
60,000 x 1 seed   0.804      0.672    0.767      0.731    0.622      0.343
================  ==================  ==================  ==================

"Any environment" is adverse_items, funnel_low or three_poor_windows; its
precision counts a flag on a declining placement as right (it is genuinely poor
in the last window). Recall is limited by small placements: a placement with 3
or 4 respondents cannot pass the adverse-items bound, and a fall needs enough
learners in both windows. The minima asserted below sit about 0.1 under the
lowest measured value, so a real regression fails while the data stay fixed.
"""

from __future__ import annotations

from functools import cache

import pytest
from scipy import stats

import psychometrics as pm
from tests.scoring.helpers import pilot_tables

MINIMUM = {
    "adverse_items": (0.70, 0.55),
    "environment": (0.65, 0.65),
    "significant_fall": (0.50, 0.28),
}


@cache
def flag_counts(n_responses, seed):
    pilot = pm.generate_pilot(n_responses=n_responses, seed=seed)
    _, _, adverse, scores = pilot_tables(pilot)
    flags = pm.adverse_flags(
        pilot.responses, pm.benchmark(scores), adverse_items=adverse, windows=pilot.windows
    )
    a, d = pilot.truth.adverse_placements, pilot.truth.declining_placements
    by_rule = {r: set(flags.loc[flags["rule"] == r, "placement"]) for r in flags["rule"].unique()}
    env = set().union(
        *(by_rule.get(r, set()) for r in ("adverse_items", "funnel_low", "three_poor_windows"))
    )
    ai = by_rule.get("adverse_items", set())
    fall = by_rule.get("significant_fall", set())
    return {
        "adverse_items": (len(ai & a), len(ai), len(a)),
        "environment": (len(env & (a | d)), len(env), len(a), len(env & a)),
        "significant_fall": (len(fall & d), len(fall), len(d)),
    }


def pooled(n_responses, seeds, family):
    counts = [flag_counts(n_responses, s)[family] for s in seeds]
    right, flagged, planted = (sum(c[i] for c in counts) for i in range(3))
    found = sum(c[3] for c in counts) if family == "environment" else right
    return right / flagged, found / planted


SIZES = [
    pytest.param(6000, (0, 1, 2, 3, 4, 5), id="6000x6"),
    pytest.param(20000, (0, 1, 2), id="20000x3"),
    pytest.param(60000, (0,), id="60000x1", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("n_responses", "seeds"), SIZES)
@pytest.mark.parametrize("family", sorted(MINIMUM))
def test_flags_find_planted_placements(n_responses, seeds, family):
    precision, recall = pooled(n_responses, seeds, family)
    min_precision, min_recall = MINIMUM[family]
    assert precision >= min_precision
    assert recall >= min_recall


@cache
def null_categories():
    """Funnel categories of every shown score on three null pilots (nothing planted)."""
    counts: dict[str, int] = {}
    n_scales = 0
    for seed in (0, 1, 2):
        pilot = pm.generate_pilot(
            n_responses=30000, seed=seed, adverse_fraction=0, decline_fraction=0
        )
        scales, _, _, scores = pilot_tables(pilot)
        n_scales = len(scales)
        b = pm.benchmark(scores)
        for category, k in b.loc[b["status"] == "ok", "category"].value_counts().items():
            counts[category] = counts.get(category, 0) + int(k)
    return counts, n_scales


@pytest.mark.parametrize(
    ("tail", "categories", "nominal"),
    [
        ("below the lower 99.8 % limit", ("below_99.8",), 0.001),
        ("below the lower 95 % limit", ("below_95", "below_99.8"), 0.025),
        ("above the upper 95 % limit", ("above_95", "above_99.8"), 0.025),
        ("above the upper 99.8 % limit", ("above_99.8",), 0.001),
    ],
)
def test_null_pilot_funnel_rates_are_nominal(tail, categories, nominal):
    counts, n_scales = null_categories()
    total = sum(counts.values())
    rate = sum(counts.get(c, 0) for c in categories) / total
    # The scales of one placement x window share their learners, so their
    # categories are correlated; at worst they count as one observation, which
    # bounds the design effect by the number of scales. Test the rate as a
    # binomial proportion on that effective sample size, two-sided at 0.1 %.
    n_eff = total // n_scales
    k_eff = round(rate * n_eff)
    p_value = stats.binomtest(k_eff, n_eff, nominal).pvalue
    assert p_value > 0.001, f"{rate:.4f} of scores {tail}, nominal {nominal}"
    # and the rate is near nominal in absolute terms too (measured: 0.0016,
    # 0.0266, 0.0234, 0.0005 for the four tails)
    assert abs(rate - nominal) < max(0.003, 0.25 * nominal)
