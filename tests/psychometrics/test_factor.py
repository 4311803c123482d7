"""Exploratory factor analysis against published output.

Sources (each number below names one):

JASP-T  jasp-stats/jaspFactor unit test "Exploratory Factor Analysis -- Verification
        project": Field's SAQ, 23 items, 4 factors, ``factoringMethod =
        "principalAxis"``, varimax (JASP runs psych::fa(fm = "pa", rotate =
        "varimax")); reference tables to 15 significant digits: loadings shown when
        |loading| >= .4, every uniqueness, the unrotated and rotated sums of squared
        loadings, and the chi-square test.
JASP-V  JASP verification project, chapter "Factor" (jasp-stats.github.io/
        jasp-verification-project/factor.html): the same PAF/varimax analysis printed
        by psych (``factor.pa(EFA.data, nfactors = 4, rotate = "varimax")``): TLI
        0.921, RMSEA 0.048 with 90 % CI 0.046-0.051.
BLOG    "Using Principal Components or Common Factor Analysis in Social Psychology"
        (2019, blogdown source post 2019-02-13-...social-psychology): psych
        ``fa(saq, fm = "minres", rotate = "oblimin")`` with 1 and with 6 factors,
        loadings 2 dp, h2 3 dp (1 factor) or 2 dp (6 factors), chi-square 2 dp,
        TLI 3 dp, RMSEA and its 90 % CI 3 dp, factor correlations 2 dp.
FACTANAL  R ``factanal(~x1 + ... + x9, factors = 3, data = HolzingerSwineford1939)``
        (maximum likelihood, varimax) as printed in two published R notebooks
        (uniquenesses and loadings 3 dp, SS loadings 3 dp, chi-square 22.38 on 12 df,
        p 0.0335; one of them also prints ``rowSums(loadings^2)`` and the SS loadings
        to 7 significant digits).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import psychometrics as pm
from psychometrics._extraction import _ml_objective
from tests.psychometrics.reference_data import holzinger, saq


def _tol(decimals: int) -> float:
    return 0.5 * 10.0**-decimals + 1e-12


SAQ = [f"q{i:02d}" for i in range(1, 24)]


@pytest.fixture(scope="module")
def paf() -> pm.EFAResult:
    return pm.efa(saq(), 4, method="paf", rotation="varimax")


# --- principal axis factoring, SAQ (psych / JASP / SPSS) --------------------------


@pytest.mark.parametrize(
    ("factor", "published"),
    [  # JASP-T unrotated sums of squared loadings
        ("F1", 6.74423977040149),
        ("F2", 1.12742632925149),
        ("F3", 0.813546571642938),
        ("F4", 0.623956135170229),
    ],
)
def test_paf_unrotated_sums_of_squares_match_psych_exactly(paf, factor, published):
    # these depend only on psych's iteration rule (SMC start, stop when the sum of
    # communalities changes by < 0.001, at most 50 iterations)
    assert (paf.unrotated_loadings[factor] ** 2).sum() == pytest.approx(published, abs=1e-10)


@pytest.mark.parametrize(
    ("factor", "published", "tol"),
    [
        ("F1", 3.03364366945174, 1e-10),  # JASP-T rotated sums of squares
        ("F2", 2.85449216288541, 1e-10),
        ("F3", 1.98593932417061, 1e-10),
        ("F4", 1.43509364995838, 1e-10),
        # JASP-V's SPSS figures (3.033, 2.855, 1.986, 1.435) come from SPSS's own PAF
        # stopping rule (ITERATE(25), convergence on each communality), so they differ
        # from psych's in the third decimal (3.0336 vs 3.033) and are not psych's target.
    ],
)
def test_paf_varimax_sums_of_squares(paf, factor, published, tol):
    assert paf.variance_explained.loc[factor, "ss_loadings"] == pytest.approx(published, abs=tol)


@pytest.mark.parametrize(
    ("item", "published"),
    list(
        zip(
            SAQ,
            [  # JASP-T uniquenesses
                0.62706699829401, 0.739566273641575, 0.527897850195385, 0.580667195632203,
                0.701443047559466, 0.406800622132955, 0.511460467477405, 0.35443175468058,
                0.661507864735525, 0.802836465382577, 0.370538941689453, 0.546632542253933,
                0.526185953600992, 0.575078150674822, 0.678066883985776, 0.542301630651373,
                0.42443552431156, 0.456125933778706, 0.75505210830241, 0.733931975694471,
                0.532349713500281, 0.752705017167598, 0.883748278190796,
            ],
            strict=True,
        )
    ),
)  # fmt: skip
def test_paf_uniquenesses(paf, item, published):
    assert paf.uniquenesses[item] == pytest.approx(published, abs=1e-10)


@pytest.mark.parametrize(
    ("item", "factor", "published"),
    [  # JASP-T loadings table (entries with |loading| >= .4)
        ("q01", "F1", 0.504443068600037),
        ("q02", "F4", 0.464435993252366),
        ("q03", "F1", -0.504752555500398),
        ("q04", "F1", 0.527234647096963),
        ("q05", "F1", 0.435703345283996),
        ("q06", "F2", 0.752227670605963),
        ("q07", "F2", 0.559109959464811),
        ("q08", "F3", 0.758761772699984),
        ("q09", "F4", 0.5588079331129),
        ("q11", "F3", 0.687755278680838),
        ("q12", "F1", 0.510111383189127),
        ("q13", "F2", 0.564234988703368),
        ("q14", "F2", 0.485499971502765),
        ("q16", "F1", 0.543183965236721),
        ("q17", "F3", 0.640921688314853),
        ("q18", "F2", 0.612049563761631),
        ("q20", "F1", 0.464661270843535),
        ("q21", "F1", 0.594343110473497),
        ("q22", "F4", 0.465060148217776),
    ],
)
def test_paf_varimax_loadings(paf, item, factor, published):
    assert paf.loadings.loc[item, factor] == pytest.approx(published, abs=1e-10)


def test_paf_loadings_hidden_below_the_display_limit(paf):
    # JASP-T leaves every other cell of the table blank: all below .4 in magnitude
    shown = {("q01", "F1"), ("q02", "F4"), ("q03", "F1"), ("q04", "F1"), ("q05", "F1"),
             ("q06", "F2"), ("q07", "F2"), ("q08", "F3"), ("q09", "F4"), ("q11", "F3"),
             ("q12", "F1"), ("q13", "F2"), ("q14", "F2"), ("q16", "F1"), ("q17", "F3"),
             ("q18", "F2"), ("q20", "F1"), ("q21", "F1"), ("q22", "F4")}  # fmt: skip
    big = {(i, f) for i in SAQ for f in paf.loadings.columns if abs(paf.loadings.loc[i, f]) >= 0.4}
    assert big == shown


@pytest.mark.parametrize(
    ("field", "published", "tol"),
    [
        ("chi2", 1166.49275431232, 1e-8),  # JASP-T
        ("dof", 167, 0),  # JASP-T
        ("pvalue", 2.05253874626043e-149, 1e-160),  # JASP-T
        ("tli", 0.921, _tol(3)),  # JASP-V psych printout
        ("rmsea", 0.048, _tol(3)),  # JASP-V
    ],
)
def test_paf_fit_statistics(paf, field, published, tol):
    assert getattr(paf, field) == pytest.approx(published, abs=tol)


@pytest.mark.parametrize(("bound", "published"), [(0, 0.046), (1, 0.051)])  # JASP-V
def test_paf_rmsea_interval(paf, bound, published):
    assert paf.rmsea_ci[bound] == pytest.approx(published, abs=_tol(3))


def test_paf_converged_in_psychs_iterations(paf):
    assert paf.converged
    assert paf.iterations == 10  # psych's rule stops the SAQ 4-factor PAF after 10 passes
    assert paf.warnings == ()


# --- minres, SAQ (psych) ------------------------------------------------------------

ONE_FACTOR = {  # BLOG fa(saq, fm = "minres"): loading (2 dp), h2 (3 dp)
    "q18": (0.68, 0.464), "q07": (0.66, 0.440), "q16": (0.66, 0.430), "q13": (0.65, 0.422),
    "q12": (0.64, 0.416), "q21": (0.63, 0.400), "q14": (0.63, 0.398), "q11": (0.63, 0.392),
    "q17": (0.62, 0.381), "q04": (0.61, 0.369), "q03": (-0.60, 0.360), "q15": (0.56, 0.317),
    "q01": (0.56, 0.310), "q06": (0.53, 0.283), "q05": (0.52, 0.275), "q08": (0.52, 0.269),
    "q10": (0.41, 0.164), "q20": (0.40, 0.163), "q19": (-0.39, 0.156), "q02": (-0.28, 0.076),
    "q22": (-0.27, 0.075), "q09": (-0.26, 0.066), "q23": (-0.13, 0.017),
}  # fmt: skip


@pytest.fixture(scope="module")
def minres1() -> pm.EFAResult:
    return pm.efa(saq(), 1)


@pytest.mark.parametrize(("item", "published"), list(ONE_FACTOR.items()))
def test_minres_one_factor_loadings_and_communalities(minres1, item, published):
    loading, h2 = published
    assert minres1.loadings.loc[item, "F1"] == pytest.approx(loading, abs=_tol(2))
    assert minres1.communalities[item] == pytest.approx(h2, abs=_tol(3))


@pytest.mark.parametrize(
    ("field", "published", "tol"),
    [  # BLOG, 1 factor
        ("chi2", 4463.05, _tol(2)),
        ("dof", 230, 0),
        ("tli", 0.756, _tol(3)),
        ("rmsea", 0.085, _tol(3)),
    ],
)
def test_minres_one_factor_fit(minres1, field, published, tol):
    assert getattr(minres1, field) == pytest.approx(published, abs=tol)


@pytest.mark.parametrize(("bound", "published"), [(0, 0.082), (1, 0.087)])  # BLOG
def test_minres_one_factor_rmsea_interval(minres1, bound, published):
    assert minres1.rmsea_ci[bound] == pytest.approx(published, abs=_tol(3))


# BLOG fa(saq, nfactors = 6, fm = "minres", rotate = "oblimin"), columns as printed:
# MR1 MR4 MR5 MR2 MR3 MR6, then h2 (all 2 dp)
SIX_FACTOR = {
    "q06": (0.77, 0.02, -0.09, 0.00, -0.08, 0.09, 0.57),
    "q18": (0.60, 0.01, 0.14, -0.04, 0.14, -0.03, 0.56),
    "q13": (0.53, 0.14, 0.12, -0.08, 0.03, -0.04, 0.49),
    "q07": (0.49, 0.03, 0.05, 0.00, 0.21, 0.11, 0.50),
    "q14": (0.38, 0.01, 0.17, -0.03, 0.14, 0.10, 0.42),
    "q12": (0.31, -0.02, 0.25, -0.07, 0.26, 0.00, 0.45),
    "q10": (0.28, 0.01, 0.17, -0.08, -0.14, 0.16, 0.22),
    "q08": (-0.06, 0.85, 0.00, 0.06, 0.01, 0.00, 0.67),
    "q11": (0.07, 0.74, -0.02, -0.10, 0.00, 0.01, 0.63),
    "q17": (0.06, 0.63, 0.09, 0.03, 0.02, 0.06, 0.57),
    "q01": (0.00, 0.08, 0.71, 0.01, -0.04, -0.05, 0.51),
    "q16": (-0.03, 0.01, 0.53, -0.08, 0.05, 0.27, 0.54),
    "q05": (0.11, 0.02, 0.48, -0.01, 0.02, 0.02, 0.34),
    "q04": (0.10, 0.09, 0.42, 0.04, 0.15, 0.06, 0.42),
    "q09": (0.02, 0.09, -0.02, 0.59, 0.01, -0.07, 0.35),
    "q22": (-0.11, -0.08, 0.03, 0.50, 0.11, 0.03, 0.26),
    "q02": (0.05, 0.01, 0.03, 0.45, -0.16, -0.03, 0.26),
    "q23": (-0.02, -0.12, 0.08, 0.36, 0.09, 0.04, 0.12),
    "q03": (-0.01, -0.08, -0.20, 0.35, -0.26, -0.03, 0.46),
    "q19": (-0.06, -0.03, -0.02, 0.34, -0.19, -0.01, 0.25),
    "q21": (0.14, 0.06, 0.04, 0.02, 0.65, 0.03, 0.60),
    "q20": (-0.11, 0.06, -0.04, -0.09, 0.59, 0.04, 0.37),
    "q15": (0.03, 0.04, 0.00, -0.01, 0.00, 0.80, 0.70),
}
SIX_PHI = np.array(  # BLOG factor correlations, same column order
    [
        [1.00, 0.45, 0.48, -0.29, 0.39, 0.49],
        [0.45, 1.00, 0.54, -0.17, 0.38, 0.44],
        [0.48, 0.54, 1.00, -0.29, 0.53, 0.43],
        [-0.29, -0.17, -0.29, 1.00, -0.35, -0.34],
        [0.39, 0.38, 0.53, -0.35, 1.00, 0.33],
        [0.49, 0.44, 0.43, -0.34, 0.33, 1.00],
    ]
)


@pytest.fixture(scope="module")
def minres6() -> tuple[pm.EFAResult, list[str]]:
    res = pm.efa(saq(), 6, method="minres", rotation="oblimin")
    published = pd.DataFrame({k: v[:6] for k, v in SIX_FACTOR.items()}).T
    ours = res.loadings.loc[published.index]
    # psych's 2019 printout orders factors by the pattern's sums of squares, we by
    # diag(Phi L'L) as current psych does: match each printed column to ours
    order = [ours.corrwith(published[j]).abs().idxmax() for j in published.columns]
    assert sorted(order) == list(res.loadings.columns)
    return res, order


@pytest.mark.parametrize(("item", "published"), list(SIX_FACTOR.items()))
def test_minres_six_factor_oblimin_loadings(minres6, item, published):
    res, order = minres6
    np.testing.assert_allclose(res.loadings.loc[item, order], published[:6], atol=_tol(2))
    assert res.communalities[item] == pytest.approx(published[6], abs=_tol(2))


@pytest.mark.parametrize("row", range(6))
def test_minres_six_factor_correlations(minres6, row):
    res, order = minres6
    phi = res.factor_correlations.loc[order, order].to_numpy()
    np.testing.assert_allclose(phi[row], SIX_PHI[row], atol=_tol(2))


@pytest.mark.parametrize(
    ("field", "published", "tol"),
    [  # BLOG, 6 factors
        ("chi2", 577.8, _tol(1)),
        ("dof", 130, 0),
        ("tli", 0.954, _tol(3)),
        ("rmsea", 0.037, _tol(3)),
    ],
)
def test_minres_six_factor_fit(minres6, field, published, tol):
    assert getattr(minres6[0], field) == pytest.approx(published, abs=tol)


@pytest.mark.parametrize(("bound", "published"), [(0, 0.034), (1, 0.04)])  # BLOG
def test_minres_six_factor_rmsea_interval(minres6, bound, published):
    assert minres6[0].rmsea_ci[bound] == pytest.approx(published, abs=_tol(3))


# --- maximum likelihood, Holzinger-Swineford (factanal) ----------------------------

FACTANAL_H2 = [0.4874721, 0.2512648, 0.4572236, 0.7208072, 0.7571231, 0.6947835,
               0.4977990, 0.5314433, 0.4567549]  # fmt: skip
FACTANAL_LOADINGS = {  # FACTANAL printed loadings (blank when < .1), 3 dp
    "x1": (0.277, 0.623, 0.151), "x2": (0.105, 0.489, None), "x3": (None, 0.663, 0.130),
    "x4": (0.827, 0.165, None), "x5": (0.861, None, None), "x6": (0.801, 0.212, None),
    "x7": (None, None, 0.696), "x8": (None, 0.162, 0.709), "x9": (0.132, 0.406, 0.524),
}  # fmt: skip


@pytest.fixture(scope="module")
def ml() -> pm.EFAResult:
    return pm.efa(holzinger(), 3, method="ml", rotation="varimax", scale=None)


@pytest.mark.parametrize(
    ("item", "published"),
    list(zip([f"x{i}" for i in range(1, 10)],
             [0.513, 0.749, 0.543, 0.279, 0.243, 0.305, 0.502, 0.469, 0.543], strict=True)),
)  # FACTANAL uniquenesses, 3 dp  # fmt: skip
def test_ml_uniquenesses(ml, item, published):
    assert ml.uniquenesses[item] == pytest.approx(published, abs=_tol(3))


@pytest.mark.parametrize(("item", "published"), list(FACTANAL_LOADINGS.items()))
def test_ml_varimax_loadings(ml, item, published):
    for j, value in enumerate(published):
        if value is None:
            assert abs(ml.loadings.loc[item, f"F{j + 1}"]) < 0.1
        else:
            assert ml.loadings.loc[item, f"F{j + 1}"] == pytest.approx(value, abs=_tol(3))


@pytest.mark.parametrize(
    ("factor", "published"),
    [("F1", 2.184693), ("F2", 1.342721), ("F3", 1.327258)],  # FACTANAL, 7 sig. digits
)
def test_ml_sums_of_squares(ml, factor, published):
    # factanal's optim (L-BFGS-B, factr = 1e7) stops about 1e-6 short of the optimum
    # (see test_ml_is_at_least_as_good_as_factanal), hence 2e-6 rather than 5e-7
    assert ml.variance_explained.loc[factor, "ss_loadings"] == pytest.approx(published, abs=2e-6)


@pytest.mark.parametrize(("index", "published"), list(enumerate(FACTANAL_H2)))
def test_ml_communalities(ml, index, published):
    # FACTANAL's communalities sit up to 8e-6 from the optimum (its optimiser's stopping
    # rule; ours has the smaller ML discrepancy, tested below), hence 1e-5
    assert ml.communalities.iloc[index] == pytest.approx(published, abs=1e-5)


def test_ml_is_at_least_as_good_as_factanal(ml):
    r = holzinger().corr().to_numpy()
    ours, _ = _ml_objective(ml.uniquenesses.to_numpy(), r, 3)
    theirs, _ = _ml_objective(1.0 - np.array(FACTANAL_H2), r, 3)
    assert ours <= theirs


@pytest.mark.parametrize(
    ("field", "published", "tol"),
    [("chi2", 22.38, _tol(2)), ("dof", 12, 0), ("pvalue", 0.0335, _tol(4))],  # FACTANAL
)
def test_ml_chi_square(ml, field, published, tol):
    assert getattr(ml, field) == pytest.approx(published, abs=tol)


# --- conventions and warnings -----------------------------------------------------


@pytest.mark.parametrize("rotation", ["oblimin", "promax", "varimax", "geomin", None])
@pytest.mark.parametrize("method", ["minres", "ml", "paf"])
def test_sign_and_order_conventions(method, rotation):
    res = pm.efa(saq(), 3, method=method, rotation=rotation)
    assert (res.loadings.sum() > 0).all()
    ss = res.variance_explained["ss_loadings"].to_numpy()
    assert (np.diff(ss) <= 1e-12).all()
    phi = res.factor_correlations.to_numpy()
    np.testing.assert_allclose(np.diag(phi), 1.0, atol=1e-12)
    if rotation in ("varimax", None):
        np.testing.assert_allclose(phi, np.eye(3), atol=1e-12)
    # rotation never changes the fitted common part of the correlation matrix
    lam = res.loadings.to_numpy()
    un = res.unrotated_loadings.to_numpy()
    np.testing.assert_allclose(lam @ phi @ lam.T, un @ un.T, atol=1e-8)
    assert res.converged, res.warnings


def test_paf_non_convergence_is_a_warning_not_an_error():
    res = pm.efa(saq(), 4, method="paf", rotation="varimax", max_iter=3)
    assert not res.converged
    assert any("did not converge in 3 iterations" in w for w in res.warnings)


def test_heywood_case_is_reported():
    # two items that are near copies force a communality at the 0.995 bound
    rng = np.random.default_rng(2)
    f = rng.standard_normal(300)
    data = pd.DataFrame({f"v{i}": f + rng.normal(0, s, 300) for i, s in
                         enumerate([0.05, 0.06, 1.5, 1.6, 1.7, 1.8])})  # fmt: skip
    res = pm.efa(data, 2, method="minres", rotation="varimax", scale=None)
    assert any("Heywood" in w for w in res.warnings)
