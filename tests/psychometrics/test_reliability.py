"""Cronbach's alpha, item analysis and omega against published output.

Sources (each number below names one):

JASP-V  JASP verification project, chapter "Reliability Module" (jasp-stats.github.io/
        jasp-verification-project/reliability-module.html): Field's SAQ items
        1, 4, 5, 6, 7, 8 and 10, ``psych::alpha(QuestionSelection, cumulative = T)``
        printed to 7 significant digits ($total, $item.stats, $alpha.drop); the same
        page reports alpha = 0.758 from SPSS RELIABILITY /MODEL=ALPHA and 0.7574 from
        JASP 0.15, SAS PROC CORR ALPHA and Minitab.
PG      pingouin's ``cronbach_alpha`` docstring: ``cronbach_wide_missing`` data,
        "In R: psych:alpha(data, use='pairwise')" = 0.732660835214447 with CI95
        [0.435, 0.909]; "psych:alpha(data, use='complete.obs')" = 0.8016949152542373;
        the long-format ``cronbach_alpha`` data = 0.5917188485995826, CI95 [0.195, 0.84].
EASY    easystats/performance, tests/testthat/test-item_omega.R: ``item_omega(mtcars,
        n = 3)``, i.e. ``psych::omega(mtcars, nfactors = 3, fm = "minres",
        rotate = "oblimin")``, printed to 5 decimals: Alpha 0.88219, G.6 0.97254,
        Omega (hierarchical) 0.56637, Omega (total) 0.97277.

Tolerances are half a unit in the last published digit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import psychometrics as pm
from tests.psychometrics.reference_data import mtcars, saq, with_correlation

JASP_ITEMS = ["q01", "q04", "q05", "q06", "q07", "q08", "q10"]


def _tol(decimals: int) -> float:
    return 0.5 * 10.0**-decimals + 1e-12


@pytest.fixture(scope="module")
def saq7() -> pd.DataFrame:
    return saq()[JASP_ITEMS]


@pytest.fixture(scope="module")
def saq7_items(saq7) -> pd.DataFrame:
    return pm.item_analysis(saq7)


# --- Cronbach's alpha -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "published", "decimals"),
    [
        ("alpha", 0.7573813, 7),  # JASP-V psych::alpha raw_alpha
        ("standardized_alpha", 0.757503, 6),  # JASP-V psych::alpha std.alpha
        ("alpha", 0.7574, 4),  # JASP-V JASP 0.15 / SAS / Minitab
        # JASP-V's SPSS figure (0.758) is not tested: raw alpha 0.75738 rounds to .757,
        # so the table must have taken another SPSS column.
    ],
)
def test_saq_alpha_matches_psych_spss_jasp(saq7, field, published, decimals):
    assert getattr(pm.cronbach_alpha(saq7), field) == pytest.approx(published, abs=_tol(decimals))


@pytest.mark.parametrize(
    ("item", "published"),
    [  # JASP-V psych::alpha $item.stats r.drop (corrected item-total correlation)
        ("q01", 0.4824078),
        ("q04", 0.5378476),
        ("q05", 0.4890456),
        ("q06", 0.4733243),
        ("q07", 0.5726486),
        ("q08", 0.4074534),
        ("q10", 0.3691902),
    ],
)
def test_saq_item_rest_correlation(saq7_items, item, published):
    assert saq7_items.loc[item, "item_rest_r"] == pytest.approx(published, abs=_tol(7))


@pytest.mark.parametrize(
    ("item", "published"),
    [  # JASP-V psych::alpha $alpha.drop raw_alpha
        ("q01", 0.7277017),
        ("q04", 0.7142260),
        ("q05", 0.7246553),
        ("q06", 0.7300262),
        ("q07", 0.7044218),
        ("q08", 0.7412689),
        ("q10", 0.7484933),
    ],
)
def test_saq_alpha_if_item_deleted(saq7_items, item, published):
    assert saq7_items.loc[item, "alpha_if_deleted"] == pytest.approx(published, abs=_tol(7))


@pytest.mark.parametrize(
    ("item", "mean", "sd"),
    [  # JASP-V psych::alpha $item.stats mean (6 dp) and sd (7 dp)
        ("q01", 2.374173, 0.8280221),
        ("q04", 2.786075, 0.9485482),
        ("q05", 2.722287, 0.9646904),
        ("q06", 2.227149, 1.1220023),
        ("q07", 2.923765, 1.1023600),
        ("q08", 2.236873, 0.8725704),
        ("q10", 2.280825, 0.8771293),
    ],
)
def test_saq_item_means_and_sds(saq7_items, item, mean, sd):
    assert saq7_items.loc[item, "mean"] == pytest.approx(mean, abs=_tol(6))
    assert saq7_items.loc[item, "sd"] == pytest.approx(sd, abs=_tol(7))
    assert saq7_items.loc[item, "n"] == 2571  # JASP-V item.stats n


@pytest.mark.parametrize(
    ("policy", "published"),
    [  # PG (psych::alpha with use="pairwise" / use="complete.obs")
        ("pairwise", 0.732660835214447),
        ("listwise", 0.8016949152542373),
    ],
)
def test_pingouin_missing_data_example(policy, published):
    data = pg.read_dataset("cronbach_wide_missing")
    res = pm.cronbach_alpha(data, nan_policy=policy, scale=(0, 1))
    assert res.alpha == pytest.approx(published, abs=1e-13)


@pytest.mark.parametrize(("bound", "published"), [("ci_low", 0.435), ("ci_high", 0.909)])
def test_pingouin_missing_data_feldt_interval(bound, published):
    data = pg.read_dataset("cronbach_wide_missing")  # PG, pairwise, CI95 to 3 dp
    assert getattr(pm.cronbach_alpha(data, scale=(0, 1)), bound) == pytest.approx(
        published, abs=_tol(3)
    )


def test_listwise_interval_uses_the_complete_respondents():
    # pingouin's published listwise CI ([0.581, 0.933]) takes n from the data *before*
    # dropping incomplete rows (12) although alpha uses the 9 complete ones; Feldt's
    # interval needs the n behind alpha, so we compare with pingouin on complete rows.
    data = pg.read_dataset("cronbach_wide_missing")
    ours = pm.cronbach_alpha(data, nan_policy="listwise", scale=(0, 1))
    alpha, (low, high) = pg.cronbach_alpha(data.dropna())
    assert ours.n == 9
    assert ours.alpha == pytest.approx(alpha, abs=1e-13)
    assert (ours.ci_low, ours.ci_high) == pytest.approx((low, high), abs=_tol(3))


@pytest.mark.parametrize(
    ("field", "published", "decimals"),
    [  # PG long-format example
        ("alpha", 0.5917188485995826, 15),
        ("ci_low", 0.195, 3),
        ("ci_high", 0.84, 2),
    ],
)
def test_pingouin_long_format_example(field, published, decimals):
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    res = pm.cronbach_alpha(wide, scale=(1, 7))
    assert getattr(res, field) == pytest.approx(published, abs=_tol(decimals))


def test_alpha_reports_n_and_k(saq7):
    res = pm.cronbach_alpha(saq7, ci=0.9)
    assert (res.n, res.k, res.ci) == (2571, 7, 0.9)
    assert res.ci_low < res.alpha < res.ci_high


# --- item analysis ---------------------------------------------------------------


def test_item_analysis_counts_missing_floor_and_ceiling():
    items = pd.DataFrame(
        {"a": [1, 1, 2, 5, np.nan, 3], "b": [1, 2, 2, 5, 5, np.nan], "c": [2, 3, 3, 4, 4, 3]}
    )
    table = pm.item_analysis(items)
    assert table["n"].tolist() == [5, 5, 6]
    assert table["pct_missing"].tolist() == pytest.approx([100 / 6, 100 / 6, 0.0])
    assert table["floor_pct"].tolist() == pytest.approx([40.0, 20.0, 0.0])
    assert table["ceiling_pct"].tolist() == pytest.approx([20.0, 40.0, 0.0])
    assert table["mean"].tolist() == pytest.approx([12 / 5, 15 / 5, 19 / 6])
    assert list(table.columns) == [
        "n", "mean", "sd", "pct_missing", "floor_pct", "ceiling_pct", "item_rest_r",
        "alpha_if_deleted",
    ]  # fmt: skip


def test_item_rest_and_alpha_if_deleted_equal_their_definitions(saq7, saq7_items):
    # on complete data: correlate each item with the sum of the others, and compute
    # alpha (via pingouin) on the other items
    for item in JASP_ITEMS:
        rest = saq7.drop(columns=item)
        r = np.corrcoef(saq7[item], rest.sum(axis=1))[0, 1]
        assert saq7_items.loc[item, "item_rest_r"] == pytest.approx(r, abs=1e-12)
        alpha, _ = pg.cronbach_alpha(rest)
        assert saq7_items.loc[item, "alpha_if_deleted"] == pytest.approx(alpha, abs=1e-12)


def test_alpha_if_deleted_undefined_for_two_items():
    items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 3, 5]})
    assert pm.item_analysis(items)["alpha_if_deleted"].isna().all()


# --- omega -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def mtcars_omega() -> pm.OmegaResult:
    return pm.omega(mtcars(), 3, scale=None)


@pytest.mark.parametrize(
    ("field", "published"),
    [  # EASY: psych::omega(mtcars, nfactors = 3), 5 dp
        ("omega_hierarchical", 0.56637),
        ("omega_total", 0.97277),
    ],
)
def test_mtcars_omega_matches_psych(mtcars_omega, field, published):
    assert getattr(mtcars_omega, field) == pytest.approx(published, abs=_tol(5))


def test_mtcars_items_flipped_as_psych(mtcars_omega):
    # psych's Alpha line (EASY: 0.88219) is alpha of the standardized items after the
    # negatively g-loaded ones are reversed; reproducing it checks which were reversed.
    r = mtcars().corr().to_numpy()
    key = np.where(mtcars_omega.general_loadings.index.isin(mtcars_omega.reversed_items), -1, 1)
    flipped = r * np.outer(key, key)
    k = r.shape[0]
    alpha = (flipped.sum() - k) / flipped.sum() * k / (k - 1)
    assert alpha == pytest.approx(0.88219, abs=_tol(5))


def test_one_factor_omega_is_mcdonalds_formula():
    # exact one-factor correlation matrix: omega_t = (sum l)^2 / ((sum l)^2 + sum u2)
    lam = np.array([0.8, 0.7, 0.6, 0.5, 0.75, 0.65])
    corr = np.outer(lam, lam)
    np.fill_diagonal(corr, 1.0)
    res = pm.omega(with_correlation(corr, 400), scale=None)
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + np.sum(1 - lam**2))
    assert res.omega_total == pytest.approx(expected, abs=1e-8)
    assert res.omega_hierarchical == pytest.approx(expected, abs=1e-8)
    np.testing.assert_allclose(res.general_loadings, lam, atol=1e-6)


def test_hierarchical_omega_recovers_a_schmid_leiman_structure():
    # exact higher-order model: 3 group factors, 3 items each, g loadings on groups
    group = np.array([0.7, 0.6, 0.5, 0.7, 0.6, 0.5, 0.7, 0.6, 0.5])
    second = np.array([0.8, 0.7, 0.6])
    f = np.zeros((9, 3))
    for j in range(3):
        f[3 * j : 3 * j + 3, j] = group[3 * j : 3 * j + 3]
    phi = np.outer(second, second)
    np.fill_diagonal(phi, 1.0)
    corr = f @ phi @ f.T
    np.fill_diagonal(corr, 1.0)
    res = pm.omega(with_correlation(corr, 500), 3, scale=None)
    g = f @ second
    vt = corr.sum()
    assert res.omega_hierarchical == pytest.approx(g.sum() ** 2 / vt, abs=1e-6)
    h2 = np.einsum("ij,jk,ik->i", f, phi, f)
    assert res.omega_total == pytest.approx(1 - np.sum(1 - h2) / vt, abs=1e-8)
    np.testing.assert_allclose(res.general_loadings, g, atol=1e-5)


def test_two_group_factors_use_equal_general_loadings():
    # psych's option="equal": g loadings on the two group factors are sqrt(phi12)
    f = np.zeros((6, 2))
    f[:3, 0] = [0.8, 0.7, 0.6]
    f[3:, 1] = [0.8, 0.7, 0.6]
    phi = np.array([[1.0, 0.49], [0.49, 1.0]])
    corr = f @ phi @ f.T
    np.fill_diagonal(corr, 1.0)
    res = pm.omega(with_correlation(corr, 500), 2, scale=None)
    g = f.sum(axis=1) * 0.7
    assert res.omega_hierarchical == pytest.approx(g.sum() ** 2 / corr.sum(), abs=1e-6)
