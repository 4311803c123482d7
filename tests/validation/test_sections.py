"""Each section stands alone: too little data or a failed analysis is said, the rest is produced.

Also checks the two computations the report adds to the psychometrics library: omega's
bootstrap (against psychometrics.omega and pandas' pairwise correlations) and the
interval of Spearman's rho (by its coverage).
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import psychometrics as pm
from nets_app.services import validation_bootstrap
from nets_app.services.validation_bootstrap import omega_total_from_corr, resampled_correlations
from nets_app.services.validation_common import OK, UNAVAILABLE, Settings
from nets_app.services.validation_report import SECTION_KEYS, compute_report
from nets_app.services.validation_sections import spearman_ci
from tests.validation.pilots import pilot_input

FAST = Settings(n_boot=20, pa_iter=20)


def small_input(n: int, **kw):
    pilot = pm.generate_pilot(n_responses=n, windows=("W",), decline_fraction=0, seed=3, **kw)
    return pilot_input(pilot)


def statuses(report) -> dict[str, str]:
    return {s.key: s.status for s in report.sections}


def test_a_small_window_gets_the_sections_it_can_support_and_reasons_for_the_others():
    report = compute_report(small_input(60), FAST)
    assert [s.key for s in report.sections] == list(SECTION_KEYS)
    got = statuses(report)
    for key in ("sample", "distributions", "reliability", "items", "criterion"):
        assert got[key] == OK, key
    for key in ("adequacy", "dimensionality", "efa", "cfa"):
        assert got[key] == UNAVAILABLE
        # 40 items need 5 per item: 200 respondents
        assert "at least 200 needed" in report.section(key).reason
    assert "Retest pairs: 6 available, at least 30 needed" in report.section("retest").reason
    reason = report.section("invariance").reason
    assert "at least two learner groups" in reason and "medical (n=" in reason
    # the JSON holds every section, without NaN
    text = json.dumps(report.to_json(), allow_nan=False)
    assert set(json.loads(text)["sections"]) == set(SECTION_KEYS)


def test_an_empty_window_says_so_in_every_section():
    inp = small_input(30)
    empty = dataclasses.replace(
        inp,
        responses=inp.responses.iloc[:0],
        not_applicable=inp.not_applicable.iloc[:0],
        retest=inp.retest.iloc[:0],
    )
    report = compute_report(empty, FAST)
    assert set(statuses(report).values()) == {UNAVAILABLE}
    assert report.section("sample").reason == "No responses in window W."
    assert report.section("retest").reason.startswith("No retest pairs in window W")
    json.dumps(report.to_json(), allow_nan=False)


def test_a_report_for_one_group_explains_why_invariance_is_not_run():
    inp = dataclasses.replace(small_input(60), group="nursing")
    section = compute_report(inp, FAST, only=("invariance",)).section("invariance")
    assert section.status == UNAVAILABLE
    assert "restricted to learner group 'nursing'" in section.reason


def test_a_failed_analysis_is_reported_and_the_other_sections_still_run():
    inp = small_input(400, straightliner_rate=0)
    responses = inp.responses.copy()
    responses["cul_1"] = 4.0  # a constant item: the correlation matrix is singular
    report = compute_report(dataclasses.replace(inp, responses=responses), FAST)
    adequacy = report.section("adequacy")
    assert adequacy.status == UNAVAILABLE
    assert adequacy.reason.startswith("The analysis could not be run on these data:")
    assert "cul_1" in adequacy.reason
    assert report.section("sample").ok and report.section("criterion").ok


def test_unknown_sections_are_refused_by_name():
    with pytest.raises(ValueError, match=r"unknown section\(s\) \['scree'\]"):
        compute_report(small_input(30), FAST, only=("scree",))


def keyed_items(n: int = 600, seed: int = 8) -> pd.DataFrame:
    pilot = pm.generate_pilot(n_responses=n, windows=("W",), decline_fraction=0, seed=seed)
    inp = pilot_input(pilot)
    return inp.keyed()


@pytest.mark.parametrize(
    ("columns", "n_factors"),
    [(["cul_1", "cul_2", "cul_3", "cul_4", "cul_5", "cul_6", "cul_7"], 1), (None, 6)],
)
def test_bootstrap_omega_equals_psychometrics_omega_on_the_sample(columns, n_factors):
    # The bootstrap refits by iterated principal axis; at the sample it must give the
    # omega total of psychometrics.omega (minres), or it would estimate something else.
    items = keyed_items()
    items = items if columns is None else items[columns]
    corr = items.corr().to_numpy()  # pandas: pairwise-complete, as psychometrics uses
    ours = omega_total_from_corr(corr[None], n_factors)[0]
    assert ours == pytest.approx(pm.omega(items, n_factors=n_factors).omega_total, abs=1e-7)


def test_resampled_correlations_are_the_pairwise_correlations_of_the_resample():
    items = keyed_items(n=200).iloc[:, :8]
    x = items.to_numpy()
    got = resampled_correlations(x, 3, np.random.default_rng(4))
    rng = np.random.default_rng(4)
    for b in range(3):
        idx = rng.integers(0, len(x), len(x))
        want = items.iloc[idx].corr().to_numpy()
        np.testing.assert_allclose(got[b], want, rtol=0, atol=1e-12)


def test_spearman_interval_covers_the_population_value_about_95_percent_of_the_time():
    # Bivariate normal with Pearson rho = 0.5: Spearman's population value is
    # (6 / pi) asin(rho / 2) (Pearson 1907; Kendall & Gibbons 1990, ch. 9).
    rho = 0.5
    truth = 6 / math.pi * math.asin(rho / 2)
    rng = np.random.default_rng(2026)
    cov = [[1, rho], [rho, 1]]
    hits = 0
    reps = 400
    for _ in range(reps):
        xy = rng.multivariate_normal([0, 0], cov, size=80)
        res = spearman_ci(pd.Series(xy[:, 0]), pd.Series(xy[:, 1]), 0.95)
        hits += res["ci_low"] <= truth <= res["ci_high"]
    # 400 draws of a 95 % interval: a binomial 99.9 % range is about 0.915-0.98
    low, high = stats.binom.ppf([0.0005, 0.9995], reps, 0.95) / reps
    assert low <= hits / reps <= high


def test_spearman_refuses_too_few_pairs_and_constant_data():
    with pytest.raises(ValueError, match="at least 4 pairs"):
        spearman_ci(pd.Series([1.0, 2, 3]), pd.Series([1.0, 2, 3]), 0.95)
    with pytest.raises(ValueError, match="constant"):
        spearman_ci(pd.Series([1.0, 2, 3, 4, 5]), pd.Series([3.0] * 5), 0.95)


def test_block_bootstrap_of_a_large_window_matches_the_row_bootstrap(monkeypatch):
    # Above BLOCK_ABOVE respondents the bootstrap resamples 2,000 random blocks of rows.
    # Its spread of omega must match the row bootstrap's: with 400 resamples each, an SD
    # is estimated to about 3.5 %, so the ratio of the two lies within 0.8-1.25 unless the
    # block bootstrap is wrong (it would be far off if, say, blocks were not resampled).
    pilot = pm.generate_pilot(n_responses=25_000, windows=("W",), decline_fraction=0, seed=9)
    x = pilot_input(pilot).keyed()[["ind_1", "ind_2", "ind_3", "ind_4", "ind_5"]].to_numpy()
    blocks = omega_total_from_corr(resampled_correlations(x, 400, np.random.default_rng(1)), 1)
    monkeypatch.setattr(validation_bootstrap, "BLOCK_ABOVE", 10**9)
    rows = omega_total_from_corr(resampled_correlations(x, 400, np.random.default_rng(2)), 1)
    assert 0.8 <= blocks.std() / rows.std() <= 1.25
    assert abs(blocks.mean() - rows.mean()) < 0.5 * rows.std()
