"""Confirmatory factor analysis by maximum likelihood, with lavaan's default conventions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from psychometrics._cfa_data import check_columns, cov_moments, data_moments, parse_model
from psychometrics._cfa_engine import (
    build_layouts,
    fisher_scoring,
    implied_moments,
    single_threaded_blas,
)
from psychometrics._cfa_results import (
    degrees_of_freedom,
    diagnose,
    fit_measures,
    parameter_frame,
    standard_errors,
)
from psychometrics._cfa_start import start_values

__all__ = ["CFAResult", "cfa"]


@dataclass(frozen=True)
class CFAResult:
    """Result of :func:`cfa`.

    Attributes
    ----------
    chi2, dof, pvalue : float, int, float
        Likelihood-ratio test of the model against the saturated model
        (``chi2 = N * F_ML``).
    cfi, tli : float
        Comparative fit index and Tucker-Lewis index against the independence model.
    rmsea : float
        Root mean square error of approximation.
    rmsea_ci : tuple of float
        Its 90 % confidence interval ``(lower, upper)``.
    rmsea_pvalue : float
        P-value of the test of close fit, H0: RMSEA <= 0.05.
    srmr : float
        Standardized root mean square residual (Bentler's, lavaan's ``srmr``).
    loadings : pandas.DataFrame
        One row per loading: ``factor``, ``item``, ``estimate`` (unstandardized),
        ``se``, ``std_all`` (fully standardized) and ``fixed`` (the marker loading).
    factor_covariances : pandas.DataFrame
        Factor variances and covariances: ``factor1``, ``factor2``, ``estimate``, ``se``,
        ``std_all`` (the factor correlation; 1 on the diagonal), ``fixed``.
    residual_variances : pandas.DataFrame
        ``item``, ``estimate``, ``se``, ``std_all`` (the share of the item's variance the
        factors leave unexplained, 1 - R^2).
    implied_cov : pandas.DataFrame
        The model-implied covariance matrix.
    n_obs, n_params : int
        Respondents used and free parameters estimated.
    baseline_chi2, baseline_dof : float, int
        Chi-square and dof of the independence (baseline) model.
    loglikelihood, loglikelihood_h1, aic, bic : float
        Log-likelihood of the model and of the saturated model, AIC and BIC.
    converged : bool
        Whether the optimiser reached the ML optimum.
    iterations : int
        Fisher-scoring iterations used.
    warning : str or None
        Problems worth reading before the numbers: non-convergence, a Heywood case
        (negative residual variance), a non-positive-definite factor covariance matrix,
        a singular information matrix (model not identified), or a saturated model.
    """

    chi2: float
    dof: int
    pvalue: float
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci: tuple[float, float]
    rmsea_pvalue: float
    srmr: float
    loadings: pd.DataFrame
    factor_covariances: pd.DataFrame
    residual_variances: pd.DataFrame
    implied_cov: pd.DataFrame
    n_obs: int
    n_params: int
    baseline_chi2: float
    baseline_dof: int
    loglikelihood: float
    loglikelihood_h1: float
    aic: float
    bic: float
    converged: bool
    iterations: int
    warning: str | None


def cfa(
    data: pd.DataFrame | None,
    model: dict[str, list[str]],
    *,
    cov: pd.DataFrame | None = None,
    n_obs: int | None = None,
    estimator: str = "ML",
    std_lv: bool = False,
    missing: str = "listwise",
    max_iter: int = 500,
) -> CFAResult:
    r"""Fit a confirmatory factor analysis by maximum likelihood, as lavaan's ``cfa()`` does.

    Parameters
    ----------
    data : pandas.DataFrame or None
        Wide data: one row per respondent, one numeric column per item (NaN for missing).
        Columns not named in ``model`` are ignored. Pass ``None`` and give ``cov`` and
        ``n_obs`` to fit a covariance matrix instead.
    model : dict of str to list of str
        Each factor's name mapped to its items, marker item first, e.g.
        ``{"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"]}``. An item may
        load on more than one factor (a cross-loading). Every factor needs at least two
        items, and the model at least as many covariances as parameters (dof >= 0).
    cov : pandas.DataFrame, optional
        A covariance matrix labelled with the item names, computed with N - 1 (as
        ``DataFrame.cov()`` and R's ``cov()`` do); like lavaan, it is rescaled by
        (N - 1) / N before fitting, so ``cfa(None, model, cov=df.cov(), n_obs=len(df))``
        equals ``cfa(df, model)`` for complete data.
    n_obs : int, optional
        Number of respondents behind ``cov``.
    estimator : {"ML"}
        Normal-theory maximum likelihood (the only estimator offered).
    std_lv : bool, default False
        Identify each factor by fixing its variance to 1 (all loadings free) instead of
        fixing its first loading to 1.
    missing : {"listwise", "pairwise"}, default "listwise"
        ``"listwise"`` uses the respondents who answered every item in the model.
        ``"pairwise"`` uses each pair's complete cases for its covariance and, as N, the
        smallest pairwise count (a conservative choice; lavaan has no exact equivalent).
    max_iter : int, default 500
        Iteration limit of the optimiser; when reached, ``converged`` is False and
        ``warning`` says so.

    Returns
    -------
    CFAResult
        Fit measures, estimates with standard errors, and the standardized solution.

    Raises
    ------
    ValueError
        If the model names an item that is not a column, a column is not numeric, a
        factor has fewer than two items, the model has more parameters than covariances,
        there are no more respondents than items, an item is constant, or the covariance
        matrix is singular.

    Notes
    -----
    The model is :math:`\Sigma = \Lambda \Phi \Lambda^\top + \Theta` with diagonal
    :math:`\Theta` and all factors correlated; by default the first loading of each
    factor is fixed to 1. Estimates minimise the normal-theory ML discrepancy

    .. math:: F_{ML} = \log|\Sigma| + \operatorname{tr}(S \Sigma^{-1}) - \log|S| - p,

    where :math:`S` is the sample covariance matrix with divisor N, by Fisher scoring
    with analytic gradients (Bollen 1989, ch. 4; Jöreskog 1969). The test statistic is
    :math:`\chi^2 = N F_{ML}` with N, not N - 1: lavaan's default ``likelihood =
    "normal"`` (Rosseel 2012). With :math:`\chi^2_b, df_b` the independence model's,

    .. math::

        CFI = 1 - \frac{\max(\chi^2 - df, 0)}{\max(\chi^2 - df, \chi^2_b - df_b, 0)},
        \quad TLI = \frac{\chi^2_b/df_b - \chi^2/df}{\chi^2_b/df_b - 1},
        \quad RMSEA = \sqrt{\max\left(\frac{\chi^2 - df}{N\,df}, 0\right)}.

    The RMSEA interval inverts the non-central chi-square (Browne & Cudeck 1993); the SRMR
    is the root mean square of :math:`(s_{ij} - \hat\sigma_{ij}) / \sqrt{s_{ii} s_{jj}}`
    over :math:`i \le j`. Standard errors come from the expected information,
    :math:`\operatorname{Var}(\hat\theta) = (2/N) H^{-1}`, with
    :math:`H_{kl} = \operatorname{tr}(\Sigma^{-1} \partial_k\Sigma\, \Sigma^{-1} \partial_l\Sigma)`.
    AIC and BIC count the free parameters, not the (saturated) means, as lavaan does
    without a mean structure. Conventional cut-offs for good fit are CFI and TLI >= .95,
    RMSEA <= .06 and SRMR <= .08 (Hu & Bentler 1999) — conventions, not verdicts.

    References
    ----------
    .. [1] Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.
    .. [2] Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
       *Journal of Statistical Software*, 48(2), 1-36. doi:10.18637/jss.v048.i02
    .. [3] Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance
       structure analysis. *Structural Equation Modeling*, 6(1), 1-55.
    .. [4] Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit.
       In K. A. Bollen & J. S. Long (Eds.), *Testing Structural Equation Models*
       (pp. 136-162). Sage.
    .. [5] Jöreskog, K. G. (1969). A general approach to confirmatory maximum likelihood
       factor analysis. *Psychometrika*, 34(2), 183-202.

    Examples
    --------
    Holzinger & Swineford's (1939) three-factor model, the example of lavaan's ``?cfa``:

    >>> import psychometrics as pm
    >>> from semopy.examples import holzinger39
    >>> hs = holzinger39.get_data()
    >>> model = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...          "speed": ["x7", "x8", "x9"]}
    >>> fit = pm.cfa(hs, model)
    >>> print(f"chi2 = {fit.chi2:.3f}, df = {fit.dof}, CFI = {fit.cfi:.3f}, "
    ...       f"RMSEA = {fit.rmsea:.3f}, SRMR = {fit.srmr:.3f}")
    chi2 = 85.306, df = 24, CFI = 0.931, RMSEA = 0.092, SRMR = 0.065
    >>> fit.loadings.round(3).iloc[:3]
       factor item  estimate     se  std_all  fixed
    0  visual   x1     1.000  0.000    0.772   True
    1  visual   x2     0.554  0.100    0.424  False
    2  visual   x3     0.729  0.109    0.581  False
    """
    if not isinstance(estimator, str) or estimator.upper() != "ML":
        raise ValueError(
            f"estimator must be 'ML' (normal-theory maximum likelihood), got {estimator!r}"
        )
    if not isinstance(std_lv, bool):
        raise ValueError(f"std_lv must be True or False, got {std_lv!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")
    spec = parse_model(model)
    if data is not None and cov is not None:
        raise ValueError("give either data or cov (with n_obs), not both")
    if data is None and cov is None:
        raise ValueError("give data (a wide DataFrame) or cov and n_obs")
    if data is not None and n_obs is not None:
        raise ValueError("n_obs is only used with cov; with data, N is the number of rows used")
    layouts, q = build_layouts(
        spec.factors, spec.loadings, spec.items, 1, std_lv=std_lv, meanstructure=False
    )
    p = len(spec.items)
    dof = degrees_of_freedom(p, 1, q, meanstructure=False)
    if dof < 0:
        raise ValueError(
            f"the model is not identified: it has {q} free parameters but {p} items give only "
            f"{p * (p + 1) // 2} variances and covariances (dof = {dof}); add items or simplify "
            "the model"
        )
    with single_threaded_blas():
        if data is None:
            moments = cov_moments(cov, spec.items, n_obs)
        else:
            moments = data_moments(check_columns(data, spec.items), missing)
        x0 = start_values(layouts, [moments], spec.members, q, std_lv=std_lv)
        state = fisher_scoring(layouts, [moments], x0, q, max_iter=max_iter)
        measures = fit_measures(layouts, [moments], state, q)
        se, se_ok = standard_errors(state, moments.n)
    params = parameter_frame(layouts, state.x, se, spec.items, spec.factors)
    warning = diagnose(
        layouts, state, spec.items, spec.factors, se_ok=se_ok, dof=dof, max_iter=max_iter
    )
    return _result(spec.items, spec.factors, layouts, state, measures, params, moments.n, warning)


def _result(
    items: tuple[str, ...],
    factors: tuple[str, ...],
    layouts: Any,
    state: Any,
    measures: Any,
    params: pd.DataFrame,
    n: int,
    warning: str | None,
) -> CFAResult:
    lam = params[params["op"] == "=~"]
    loadings = pd.DataFrame(
        {
            "factor": lam["lhs"].to_numpy(),
            "item": lam["rhs"].to_numpy(),
            "estimate": lam["estimate"].to_numpy(),
            "se": lam["se"].to_numpy(),
            "std_all": lam["std_all"].to_numpy(),
            "fixed": ~lam["free"].to_numpy(),
        }
    )
    is_factor = params["lhs"].isin(factors)
    phi = params[(params["op"] == "~~") & is_factor]
    factor_covariances = pd.DataFrame(
        {
            "factor1": phi["lhs"].to_numpy(),
            "factor2": phi["rhs"].to_numpy(),
            "estimate": phi["estimate"].to_numpy(),
            "se": phi["se"].to_numpy(),
            "std_all": phi["std_all"].to_numpy(),
            "fixed": ~phi["free"].to_numpy(),
        }
    )
    theta = params[(params["op"] == "~~") & ~is_factor]
    residual_variances = pd.DataFrame(
        {
            "item": theta["lhs"].to_numpy(),
            "estimate": theta["estimate"].to_numpy(),
            "se": theta["se"].to_numpy(),
            "std_all": theta["std_all"].to_numpy(),
        }
    )
    sigma, _ = implied_moments(layouts[0], state.x)
    return CFAResult(
        chi2=measures.chi2,
        dof=measures.dof,
        pvalue=measures.pvalue,
        cfi=measures.cfi,
        tli=measures.tli,
        rmsea=measures.rmsea,
        rmsea_ci=measures.rmsea_ci,
        rmsea_pvalue=measures.rmsea_pvalue,
        srmr=measures.srmr,
        loadings=loadings,
        factor_covariances=factor_covariances,
        residual_variances=residual_variances,
        implied_cov=pd.DataFrame(sigma, index=list(items), columns=list(items)),
        n_obs=n,
        n_params=measures.n_params,
        baseline_chi2=measures.baseline_chi2,
        baseline_dof=measures.baseline_dof,
        loglikelihood=measures.loglikelihood,
        loglikelihood_h1=measures.loglikelihood_h1,
        aic=measures.aic,
        bic=measures.bic,
        converged=state.converged,
        iterations=state.iterations,
        warning=warning,
    )
