"""pm.cfa against lavaan's published output for Holzinger & Swineford (1939).

Sources (each number below names one):

TUT  lavaan 0.6-11, ``summary(fit, fit.measures = TRUE)`` for
     ``cfa("visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9",
     data = HolzingerSwineford1939)``, printed in the lavaan tutorial "A CFA example"
     (lavaan.ugent.be/tutorial/cfa.html; source file tutorial.src/cfa.md of
     github.com/yrosseel/lavaan.org.old).
STD  the ``Std.lv`` / ``Std.all`` columns of lavaan 0.6-19
     ``summary(fit, standardized = TRUE, fit.measures = TRUE, rsquare = TRUE)`` for the
     same call (the identical columns appear in published lavaan 0.5-23 and 0.6-3
     printouts of this model); its fit section equals TUT's and adds the not-close-fit
     p-value.

lavaan prints three decimals, so every published number is matched to within half a
unit of the third decimal (5e-4).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import semopy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from semopy.examples import holzinger39

import psychometrics as pm
from psychometrics import _cfa_data, _cfa_engine
from psychometrics._cfa_start import start_values

HS_MODEL = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}
ITEMS = [f"x{i}" for i in range(1, 10)]
PRINTED = 5e-4  # half a unit in lavaan's third printed decimal


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return holzinger39.get_data()


@pytest.fixture(scope="module")
def fit(hs: pd.DataFrame) -> pm.CFAResult:
    return pm.cfa(hs, HS_MODEL)


@pytest.fixture(scope="module")
def fit_std_lv(hs: pd.DataFrame) -> pm.CFAResult:
    return pm.cfa(hs, HS_MODEL, std_lv=True)


# --- global fit ------------------------------------------------------------------------

FIT_MEASURES = [
    ("chi2", 85.306),  # TUT: Test statistic
    ("baseline_chi2", 918.852),  # TUT: Model Test Baseline Model, Test statistic
    ("cfi", 0.931),  # TUT: Comparative Fit Index (CFI)
    ("tli", 0.896),  # TUT: Tucker-Lewis Index (TLI)
    ("loglikelihood", -3737.745),  # TUT: Loglikelihood user model (H0)
    ("loglikelihood_h1", -3695.092),  # TUT: Loglikelihood unrestricted model (H1)
    ("aic", 7517.490),  # TUT: Akaike (AIC)
    ("bic", 7595.339),  # TUT: Bayesian (BIC)
    ("rmsea", 0.092),  # TUT: RMSEA
    ("rmsea_pvalue", 0.001),  # TUT: P-value RMSEA <= 0.05
    ("srmr", 0.065),  # TUT: SRMR
    ("pvalue", 0.000),  # TUT: P-value (Chi-square)
]


@pytest.mark.parametrize(("name", "published"), FIT_MEASURES, ids=[n for n, _ in FIT_MEASURES])
def test_fit_measures_match_lavaan_tutorial(fit: pm.CFAResult, name: str, published: float) -> None:
    assert getattr(fit, name) == pytest.approx(published, abs=PRINTED)


@pytest.mark.parametrize(
    ("bound", "published"),
    [(0, 0.071), (1, 0.114)],  # TUT: 90 Percent confidence interval - lower / upper
    ids=["lower", "upper"],
)
def test_rmsea_interval_matches_lavaan_tutorial(
    fit: pm.CFAResult, bound: int, published: float
) -> None:
    assert fit.rmsea_ci[bound] == pytest.approx(published, abs=PRINTED)


@pytest.mark.parametrize(
    ("name", "published"),
    [
        ("dof", 24),  # TUT: Degrees of freedom
        ("baseline_dof", 36),  # TUT: baseline Degrees of freedom
        ("n_params", 21),  # TUT: Number of model parameters
        ("n_obs", 301),  # TUT: Number of observations
    ],
)
def test_counts_match_lavaan_tutorial(fit: pm.CFAResult, name: str, published: int) -> None:
    assert getattr(fit, name) == published


def test_not_close_fit_pvalue_matches_lavaan(fit: pm.CFAResult) -> None:
    # STD: "P-value H_0: RMSEA >= 0.080  0.840" = P(chi2'(df, ncp = N df 0.08^2) <= chi2)
    from scipy import stats

    p = stats.ncx2.cdf(fit.chi2, fit.dof, fit.n_obs * fit.dof * 0.08**2)
    assert p == pytest.approx(0.840, abs=PRINTED)
    assert fit.converged and fit.warning is None


# --- estimates -------------------------------------------------------------------------

# Each row: table, key, estimate (TUT), se (TUT), std_all (STD). Marker loadings are fixed
# (lavaan prints no SE; parameterEstimates() gives se 0); factor variances standardise to 1.
ESTIMATES = [
    ("loadings", "x1", 1.000, 0.0, 0.772),
    ("loadings", "x2", 0.554, 0.100, 0.424),
    ("loadings", "x3", 0.729, 0.109, 0.581),
    ("loadings", "x4", 1.000, 0.0, 0.852),
    ("loadings", "x5", 1.113, 0.065, 0.855),
    ("loadings", "x6", 0.926, 0.055, 0.838),
    ("loadings", "x7", 1.000, 0.0, 0.570),
    ("loadings", "x8", 1.180, 0.165, 0.723),
    ("loadings", "x9", 1.082, 0.151, 0.665),
    ("factor_covariances", ("visual", "textual"), 0.408, 0.074, 0.459),
    ("factor_covariances", ("visual", "speed"), 0.262, 0.056, 0.471),
    ("factor_covariances", ("textual", "speed"), 0.173, 0.049, 0.283),
    ("factor_covariances", ("visual", "visual"), 0.809, 0.145, 1.0),
    ("factor_covariances", ("textual", "textual"), 0.979, 0.112, 1.0),
    ("factor_covariances", ("speed", "speed"), 0.384, 0.086, 1.0),
    ("residual_variances", "x1", 0.549, 0.114, 0.404),
    ("residual_variances", "x2", 1.134, 0.102, 0.821),
    ("residual_variances", "x3", 0.844, 0.091, 0.662),
    ("residual_variances", "x4", 0.371, 0.048, 0.275),
    ("residual_variances", "x5", 0.446, 0.058, 0.269),
    ("residual_variances", "x6", 0.356, 0.043, 0.298),
    ("residual_variances", "x7", 0.799, 0.081, 0.676),
    ("residual_variances", "x8", 0.488, 0.074, 0.477),
    ("residual_variances", "x9", 0.566, 0.071, 0.558),
]
KEYS = {
    "loadings": ["item"],
    "factor_covariances": ["factor1", "factor2"],
    "residual_variances": ["item"],
}


@pytest.mark.parametrize(
    ("table", "key", "estimate", "se", "std_all"),
    ESTIMATES,
    ids=[f"{r[0]}-{'~~'.join(r[1]) if isinstance(r[1], tuple) else r[1]}" for r in ESTIMATES],
)
@pytest.mark.parametrize("column", ["estimate", "se", "std_all"])
def test_estimates_match_lavaan(
    fit: pm.CFAResult,
    table: str,
    key: str | tuple[str, str],
    estimate: float,
    se: float,
    std_all: float,
    column: str,
) -> None:
    row = getattr(fit, table).set_index(KEYS[table]).loc[key]
    published = {"estimate": estimate, "se": se, "std_all": std_all}[column]
    assert row[column] == pytest.approx(published, abs=PRINTED)


STD_LV = [("x1", 0.900), ("x2", 0.498), ("x3", 0.656), ("x4", 0.990), ("x5", 1.102)]
STD_LV += [("x6", 0.917), ("x7", 0.619), ("x8", 0.731), ("x9", 0.670)]  # STD: Std.lv column


@pytest.mark.parametrize(("item", "published"), STD_LV, ids=[r[0] for r in STD_LV])
def test_std_lv_loadings_match_lavaan_std_lv_column(
    fit_std_lv: pm.CFAResult, item: str, published: float
) -> None:
    assert fit_std_lv.loadings.set_index("item").loc[item, "estimate"] == pytest.approx(
        published, abs=PRINTED
    )


# --- internal consistency ----------------------------------------------------------------


def test_identification_does_not_change_the_fit(
    fit: pm.CFAResult, fit_std_lv: pm.CFAResult
) -> None:
    assert fit_std_lv.chi2 == pytest.approx(fit.chi2, rel=1e-10)
    assert fit_std_lv.loadings["std_all"].to_numpy() == pytest.approx(
        fit.loadings["std_all"].to_numpy(), abs=1e-8
    )


def test_covariance_input_equals_data_input(hs: pd.DataFrame, fit: pm.CFAResult) -> None:
    # like lavaan's sample.cov, cov is taken as the N - 1 matrix and rescaled by (N - 1) / N
    from_cov = pm.cfa(None, HS_MODEL, cov=hs[ITEMS].cov(), n_obs=len(hs))
    assert from_cov.chi2 == pytest.approx(fit.chi2, rel=1e-12)
    assert from_cov.loadings["se"].to_numpy() == pytest.approx(
        fit.loadings["se"].to_numpy(), rel=1e-9
    )


def test_implied_covariance_is_lambda_phi_lambda_plus_theta(fit: pm.CFAResult) -> None:
    # TUT-style fitted(fit)$cov: x1 variance 1.358, x5~~x4 1.090 (lavaan 0.6-19 fitted())
    assert fit.implied_cov.loc["x1", "x1"] == pytest.approx(1.358, abs=PRINTED)
    assert fit.implied_cov.loc["x5", "x4"] == pytest.approx(1.090, abs=PRINTED)


def test_listwise_deletion_equals_fitting_complete_rows(hs: pd.DataFrame) -> None:
    holes = hs.copy()
    holes.loc[holes.index[:7], "x3"] = np.nan
    holes.loc[holes.index[5:12], "x8"] = np.nan
    fitted = pm.cfa(holes, HS_MODEL)
    complete = pm.cfa(holes.dropna(subset=ITEMS), HS_MODEL)
    assert fitted.n_obs == len(hs) - 12
    assert fitted.chi2 == pytest.approx(complete.chi2, rel=1e-12)


def test_pairwise_covariances_are_pandas_pairwise_with_divisor_n(hs: pd.DataFrame) -> None:
    rng = np.random.default_rng(7)
    values = hs[ITEMS].to_numpy(dtype=float)
    values[rng.random(values.shape) < 0.1] = np.nan
    frame = pd.DataFrame(values, columns=ITEMS)
    _, cov, n = _cfa_data.pairwise_moments(values)
    counts = (~frame.isna()).astype(float).T @ (~frame.isna()).astype(float)
    expected = frame.cov() * (counts - 1) / counts  # pandas: pairwise, divisor n_ij - 1
    assert cov == pytest.approx(expected.to_numpy(), rel=1e-10, abs=1e-12)
    assert n == int(counts.to_numpy().min())
    assert pm.cfa(frame, HS_MODEL, missing="pairwise").n_obs == n


def test_pairwise_without_missing_equals_listwise(hs: pd.DataFrame, fit: pm.CFAResult) -> None:
    assert pm.cfa(hs, HS_MODEL, missing="pairwise").chi2 == pytest.approx(fit.chi2, rel=1e-10)


def test_saturated_model_says_so(hs: pd.DataFrame) -> None:
    res = pm.cfa(hs, {"visual": ["x1", "x2", "x3"]})
    assert res.dof == 0 and res.chi2 == pytest.approx(0.0, abs=1e-9)
    assert res.cfi == 1.0 and res.tli == 1.0 and res.rmsea == 0.0 and res.rmsea_ci == (0.0, 0.0)
    assert math.isnan(res.pvalue)
    assert "saturated" in res.warning


def test_heywood_case_is_reported() -> None:
    # One factor, correlations .8, .8, .5: the exact solution has loading^2 = .8 * .8 / .5 = 1.28
    # for item a, so its residual variance is 1 - 1.28 = -0.28 (a Heywood case).
    cov = pd.DataFrame(
        [[1.0, 0.8, 0.8], [0.8, 1.0, 0.5], [0.8, 0.5, 1.0]], index=list("abc"), columns=list("abc")
    )
    res = pm.cfa(None, {"f": ["a", "b", "c"]}, cov=cov, n_obs=200)
    # cov is rescaled by (N - 1) / N, as lavaan does with sample.cov
    theta_a = res.residual_variances.set_index("item").loc["a", "estimate"]
    assert theta_a == pytest.approx((1.0 - 0.8 * 0.8 / 0.5) * 199 / 200, abs=1e-8)
    assert "Heywood case" in res.warning and "['a']" in res.warning


def test_non_convergence_is_flagged_not_silent(hs: pd.DataFrame) -> None:
    res = pm.cfa(hs, HS_MODEL, max_iter=1)
    assert res.converged is False
    assert "did not converge after 1 iterations" in res.warning
    assert np.isfinite(res.chi2) and np.isfinite(res.cfi)


def test_cross_loading_is_fitted(hs: pd.DataFrame) -> None:
    model = {**HS_MODEL, "visual": ["x1", "x2", "x3", "x9"]}
    res = pm.cfa(hs, model)
    assert res.dof == 23 and res.converged
    assert len(res.loadings) == 10
    assert res.chi2 < pm.cfa(hs, HS_MODEL).chi2


def test_engine_gradient_and_hessian_match_finite_differences(hs: pd.DataFrame) -> None:
    """The analytic derivatives the optimiser relies on, with means, groups and a cross-loading."""
    spec = _cfa_data.parse_model({**HS_MODEL, "visual": ["x1", "x2", "x3", "x4"]})
    moms = [
        _cfa_data.data_moments(_cfa_data.check_columns(g, spec.items), "listwise")
        for _, g in hs.groupby("school", sort=False)
    ]
    lays, q = _cfa_engine.build_layouts(
        spec.factors, spec.loadings, spec.items, 2, std_lv=False, meanstructure=True,
        equal=frozenset({"loadings", "intercepts"}),
    )  # fmt: skip
    x = start_values(lays, moms, spec.members, q, std_lv=False)
    x = x + 0.02 * np.random.default_rng(3).standard_normal(q)
    der = _cfa_engine.derivatives(lays, moms, x, q)
    h = 1e-6
    steps = np.eye(q) * h

    def f(z: np.ndarray) -> float:
        return _cfa_engine.objective(lays, moms, z)[0]

    grad_fd = np.array([(f(x + e) - f(x - e)) / (2 * h) for e in steps])
    hess_fd = np.array(
        [
            (_cfa_engine.derivatives(lays, moms, x + e, q).grad
             - _cfa_engine.derivatives(lays, moms, x - e, q).grad) / (2 * h)
            for e in steps
        ]
    )  # fmt: skip
    assert der.grad == pytest.approx(grad_fd, abs=1e-7)
    assert der.observed == pytest.approx(hess_fd, abs=1e-6)


# --- semopy as an oracle on random models -----------------------------------------------


def _random_model_data(
    seed: int, sizes: list[int], n: int, cross: float
) -> tuple[pd.DataFrame, dict]:
    """Normal data from a correlated factor model; ``cross`` plants an unmodelled cross-loading."""
    rng = np.random.default_rng(seed)
    m, p = len(sizes), sum(sizes)
    lam = np.zeros((p, m))
    model, start = {}, 0
    for a, k in enumerate(sizes):
        lam[start : start + k, a] = rng.uniform(0.4, 0.9, size=k)
        model[f"f{a + 1}"] = [f"v{i + 1}" for i in range(start, start + k)]
        start += k
    if m > 1:
        lam[0, 1] = cross
    phi = np.full((m, m), 0.3) + 0.7 * np.eye(m)
    scores = rng.multivariate_normal(np.zeros(m), phi, size=n)
    noise = rng.standard_normal((n, p)) * rng.uniform(0.5, 1.0, size=p)
    data = pd.DataFrame(scores @ lam.T + noise, columns=[f"v{i + 1}" for i in range(p)])
    return data, model


@settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    seed=st.integers(0, 2**31 - 1),
    sizes=st.lists(st.integers(3, 5), min_size=1, max_size=3),
    n=st.integers(150, 3000),
    cross=st.sampled_from([0.0, 0.35]),
)
def test_chi_square_agrees_with_semopy(seed: int, sizes: list[int], n: int, cross: float) -> None:
    data, model = _random_model_data(seed, sizes, n, cross)
    ours = pm.cfa(data, model)
    assume(ours.converged and ours.warning is None and ours.dof > 0)
    syntax = "\n".join(f"{f} =~ " + " + ".join(items) for f, items in model.items())
    oracle = semopy.Model(syntax)
    oracle.fit(data, options={"ftol": 1e-13, "maxiter": 10000})
    # semopy's chi2 is n_samples * F_MLW with the divide-by-N covariance: the same statistic
    theirs = semopy.calc_stats(oracle)
    assert ours.chi2 == pytest.approx(float(theirs["chi2"].iloc[0]), rel=1e-6, abs=1e-6)
    assert ours.dof == int(theirs["DoF"].iloc[0])
    if ours.chi2 > ours.dof:  # below that lavaan (and we) truncate CFI at 1, semopy does not
        assert ours.cfi == pytest.approx(float(theirs["CFI"].iloc[0]), abs=1e-6)
    assert ours.tli == pytest.approx(float(theirs["TLI"].iloc[0]), abs=1e-6)


# --- bad input -------------------------------------------------------------------------


def _with(hs: pd.DataFrame, **columns: object) -> pd.DataFrame:
    out = hs.copy()
    for name, value in columns.items():
        out[name] = value
    return out


BAD_INPUT = [
    ("unknown item", lambda hs: pm.cfa(hs, {**HS_MODEL, "speed": ["x7", "x8", "x10"]}),
     r"item\(s\) \['x10'\] that are not columns of data"),
    ("one-item factor", lambda hs: pm.cfa(hs, {**HS_MODEL, "speed": ["x7"]}),
     r"factor 'speed' has 1 item\(s\); a factor needs at least 2 items"),
    ("item twice in a factor", lambda hs: pm.cfa(hs, {"visual": ["x1", "x2", "x2"]}),
     r"factor 'visual' lists item\(s\) \['x2'\] more than once"),
    ("not identified", lambda hs: pm.cfa(hs, {"visual": ["x1", "x2"]}),
     r"not identified: it has 4 free parameters but 2 items give only 3"),
    ("non-numeric column", lambda hs: pm.cfa(_with(hs, x5=hs["x5"].astype(str)), HS_MODEL),
     r"must be numeric .* non-numeric: \['x5 \(object\)'\]"),
    ("too few respondents", lambda hs: pm.cfa(hs.head(9), HS_MODEL),
     r"too few respondents: 9 usable rows for 9 items"),
    ("constant item", lambda hs: pm.cfa(_with(hs, x4=3.0), HS_MODEL),
     r"item\(s\) \['x4'\] have zero variance"),
    ("singular covariance", lambda hs: pm.cfa(_with(hs, x10=hs["x1"] + hs["x2"]),
                                              {**HS_MODEL, "visual": ["x1", "x2", "x3", "x10"]}),
     r"sample covariance matrix is singular"),
    ("infinite value", lambda hs: pm.cfa(_with(hs, x1=np.where(hs.index == hs.index[0], np.inf, hs["x1"])), HS_MODEL),
     r"\['x1'\] contain infinite values"),
    ("factor named like an item", lambda hs: pm.cfa(hs, {"visual": ["x1", "x2", "x3"], "x1": ["x4", "x5", "x6"]}),
     r"\['x1'\] are used both as a factor and as an item"),
    ("model not a mapping", lambda hs: pm.cfa(hs, ["x1", "x2", "x3"]),
     r"model must be a non-empty mapping of factor name to its item names"),
    ("items given as a string", lambda hs: pm.cfa(hs, {"visual": "x1 + x2 + x3"}),
     r"the items of factor 'visual' must be a list of column names"),
    ("data not a DataFrame", lambda hs: pm.cfa(hs.to_numpy(), HS_MODEL),
     r"data must be a pandas DataFrame"),
    ("unknown estimator", lambda hs: pm.cfa(hs, HS_MODEL, estimator="GLS"),
     r"estimator must be 'ML'"),
    ("unknown missing policy", lambda hs: pm.cfa(hs, HS_MODEL, missing="fiml"),
     r"missing must be one of \('listwise', 'pairwise'\), got 'fiml'"),
    ("data and cov", lambda hs: pm.cfa(hs, HS_MODEL, cov=hs[ITEMS].cov(), n_obs=301),
     r"give either data or cov"),
    ("neither data nor cov", lambda hs: pm.cfa(None, HS_MODEL),
     r"give data \(a wide DataFrame\) or cov and n_obs"),
    ("cov without n_obs", lambda hs: pm.cfa(None, HS_MODEL, cov=hs[ITEMS].cov()),
     r"n_obs must be the number of respondents"),
    ("cov as an array", lambda hs: pm.cfa(None, HS_MODEL, cov=hs[ITEMS].cov().to_numpy(), n_obs=301),
     r"cov must be a pandas DataFrame labelled with the item names"),
    ("n_obs with data", lambda hs: pm.cfa(hs, HS_MODEL, n_obs=300),
     r"n_obs is only used with cov"),
    ("bad max_iter", lambda hs: pm.cfa(hs, HS_MODEL, max_iter=0),
     r"max_iter must be a positive integer"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "call", "message"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_raises_a_clear_value_error(
    hs: pd.DataFrame, case: str, call, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call(hs)
