"""Parallel analysis: published eigenvalues and decisions, and the Wishart shortcut.

Sources (each number below names one):

JASP-V  JASP verification project, chapter "Factor" (jasp-stats.github.io/
        jasp-verification-project/factor.html): eigenvalues of the SAQ correlation
        matrix from R ``prcomp(PCA.data, scale = TRUE)`` / factoextra
        ``get_eigenvalue``, printed to 7 decimals (the first to 7 significant digits).
JASP-T  jasp-stats/jaspFactor unit test "Exploratory Factor Analysis -- Verification
        project": the first four eigenvalues to 15 significant digits.
BLOG    "Using Principal Components or Common Factor Analysis in Social Psychology"
        (2019): ``psych::fa.parallel(saq, fm = "minres", fa = "both")`` says "the
        number of components = 4"; Field (2018, ch. 18) also retains four for the SAQ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import psychometrics as pm
from psychometrics._matrix import smc
from psychometrics.parallel import random_correlations
from tests.psychometrics.reference_data import saq

SAQ_EIGENVALUES = [  # JASP-V
    7.2900471, 1.7388287, 1.3167515, 1.2271982, 0.9878779, 0.8953304, 0.8055604,
    0.7828199, 0.7509712, 0.7169577, 0.6835877, 0.6695016, 0.6119976, 0.5777377,
    0.5491875, 0.5231504, 0.5083962, 0.4559399, 0.4238036, 0.4077909, 0.3794799,
    0.3640223, 0.3330618,
]  # fmt: skip


@pytest.fixture(scope="module")
def saq_pa() -> pm.ParallelResult:
    return pm.parallel_analysis(saq(), n_iter=100, seed=20240601)


@pytest.mark.parametrize(("position", "published"), list(enumerate(SAQ_EIGENVALUES, start=1)))
def test_saq_observed_eigenvalues(saq_pa, position, published):
    assert saq_pa.table.loc[position, "observed"] == pytest.approx(published, abs=5e-8)


@pytest.mark.parametrize(
    ("position", "published"),
    [(1, 7.29004706361899), (2, 1.73882874685703), (3, 1.31675152787573), (4, 1.22719815361453)],
)  # JASP-T
def test_saq_leading_eigenvalues_full_precision(saq_pa, position, published):
    assert saq_pa.table.loc[position, "observed"] == pytest.approx(published, abs=1e-12)


def test_saq_retains_four_components(saq_pa):
    assert saq_pa.n_factors == 4  # BLOG (psych fa.parallel), Field (2018)
    assert saq_pa.table["retain"].tolist() == [True] * 4 + [False] * 19


def test_table_layout_and_reproducibility(saq_pa):
    assert list(saq_pa.table.columns) == ["observed", "random_mean", "random_quantile", "retain"]
    assert (saq_pa.n_iter, saq_pa.quantile, saq_pa.kind, saq_pa.n) == (100, 0.95, "pca", 2571)
    again = pm.parallel_analysis(saq(), n_iter=100, seed=20240601)
    pd.testing.assert_frame_equal(saq_pa.table, again.table)


def test_fa_kind_uses_smc_reduced_matrix():
    data = saq()
    res = pm.parallel_analysis(data, n_iter=20, seed=1, kind="fa")
    r = data.corr().to_numpy()
    np.fill_diagonal(r, smc(r))
    expected = np.sort(np.linalg.eigvalsh(r))[::-1]
    np.testing.assert_allclose(res.table["observed"], expected, atol=1e-12)
    assert res.n_factors >= 4


def test_decision_counts_leading_eigenvalues_only():
    # an eigenvalue above the random threshold after one below it does not count
    rng = np.random.default_rng(4)
    f = rng.standard_normal((400, 1))
    data = pd.DataFrame(f @ np.full((1, 6), 0.7) + rng.standard_normal((400, 6)) * 0.7,
                        columns=list("abcdef"))  # fmt: skip
    res = pm.parallel_analysis(data, n_iter=50, seed=3, scale=None)
    retain = res.table["retain"].to_numpy()
    above = (res.table["observed"] > res.table["random_quantile"]).to_numpy()
    assert res.n_factors == 1
    assert retain.sum() == res.n_factors and retain[: res.n_factors].all()
    assert (above[: res.n_factors]).all() and not above[res.n_factors]


# --- the Wishart (Bartlett decomposition) shortcut -------------------------------


def _brute_force(n: int, k: int, n_iter: int, rng: np.random.Generator) -> np.ndarray:
    return np.stack([np.corrcoef(rng.standard_normal((n, k)), rowvar=False) for _ in range(n_iter)])


def test_random_correlations_are_correlation_matrices():
    r = random_correlations(30, 5, 10, np.random.default_rng(0))
    assert r.shape == (10, 5, 5)
    np.testing.assert_allclose(np.einsum("bii->bi", r), 1.0, atol=1e-14)
    np.testing.assert_allclose(r, np.swapaxes(r, 1, 2), atol=1e-15)
    assert (np.linalg.eigvalsh(r) > 0).all()


def test_off_diagonal_correlations_have_the_null_moments():
    # for n iid normal rows, E r = 0 and Var r = 1/(n - 1) exactly
    n, k, draws = 25, 6, 20_000
    r = random_correlations(n, k, draws, np.random.default_rng(1))
    off = r[:, *np.triu_indices(k, 1)].ravel()
    se_mean = np.sqrt(1 / (n - 1) / off.size)
    assert abs(off.mean()) < 4 * se_mean
    assert off.var() == pytest.approx(1 / (n - 1), rel=0.02)


@pytest.mark.parametrize("which", [0, 2, -1])
def test_eigenvalue_distribution_matches_simulated_data(which):
    # two-sample Kolmogorov-Smirnov: Bartlett-decomposition draws vs correlation
    # matrices of generated normal data (fixed seeds, so the test is deterministic)
    n, k, draws = 40, 6, 3000
    fast = np.linalg.eigvalsh(random_correlations(n, k, draws, np.random.default_rng(2)))
    slow = np.linalg.eigvalsh(_brute_force(n, k, draws, np.random.default_rng(3)))
    result = stats.ks_2samp(fast[:, which], slow[:, which])
    assert result.pvalue > 0.01


def test_bad_arguments_name_the_problem():
    data = saq()
    with pytest.raises(ValueError, match="n_iter must be a positive integer"):
        pm.parallel_analysis(data, n_iter=0)
    with pytest.raises(ValueError, match="quantile must be strictly between 0 and 1"):
        pm.parallel_analysis(data, quantile=1.0)
    with pytest.raises(ValueError, match="kind must be one of"):
        pm.parallel_analysis(data, kind="smc")
    with pytest.raises(ValueError, match="more respondents than items"):
        pm.parallel_analysis(data.iloc[:20])
