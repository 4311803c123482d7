"""Input checks and sample moments for :func:`psychometrics.cfa` and :func:`psychometrics.invariance`.

Everything downstream works on the p x p covariance matrix, computed once here (and
vectorised) from the wide data, so the estimator's cost does not grow with N.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from psychometrics._cfa_engine import FloatArray, IntArray, Moments

MISSING_POLICIES = ("listwise", "pairwise")


@dataclass(frozen=True)
class ModelSpec:
    """A measurement model: factors, their items, and every item once in order of appearance."""

    factors: tuple[str, ...]
    loadings: tuple[tuple[str, ...], ...]
    items: tuple[str, ...]

    @property
    def members(self) -> tuple[IntArray, ...]:
        """Item indices of each factor, marker first."""
        index = {name: i for i, name in enumerate(self.items)}
        return tuple(np.array([index[it] for it in its], dtype=np.intp) for its in self.loadings)


def parse_model(model: Any) -> ModelSpec:
    """Check a ``{factor: [items]}`` mapping and return it as a :class:`ModelSpec`."""
    example = "e.g. {'visual': ['x1', 'x2', 'x3'], 'textual': ['x4', 'x5', 'x6']}"
    if not isinstance(model, Mapping) or len(model) == 0:
        raise ValueError(
            f"model must be a non-empty mapping of factor name to its item names, {example}; "
            f"got {type(model).__name__}"
        )
    factors: list[str] = []
    loadings: list[tuple[str, ...]] = []
    items: list[str] = []
    for factor, its in model.items():
        if not isinstance(factor, str) or not factor:
            raise ValueError(f"factor names must be non-empty strings, got {factor!r}")
        if isinstance(its, str) or not isinstance(its, Sequence | pd.Index | np.ndarray):
            raise ValueError(
                f"the items of factor {factor!r} must be a list of column names, got {its!r}"
            )
        names = [str(it) for it in its]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"factor {factor!r} lists item(s) {dupes} more than once")
        if len(names) < 2:
            raise ValueError(
                f"factor {factor!r} has {len(names)} item(s); a factor needs at least 2 items "
                "to be identified (3 or more if it is the only factor)"
            )
        factors.append(factor)
        loadings.append(tuple(names))
        items.extend(n for n in names if n not in items)
    clash = sorted(set(factors) & set(items))
    if clash:
        raise ValueError(f"name(s) {clash} are used both as a factor and as an item")
    return ModelSpec(tuple(factors), tuple(loadings), tuple(items))


def check_columns(data: Any, items: Sequence[str]) -> pd.DataFrame:
    """The model's item columns of ``data``, checked to be present and numeric."""
    if not isinstance(data, pd.DataFrame):
        raise ValueError(
            "data must be a pandas DataFrame with one row per respondent and one column per "
            f"item, got {type(data).__name__}"
        )
    missing = [it for it in items if it not in data.columns]
    if missing:
        raise ValueError(
            f"model names item(s) {missing} that are not columns of data; "
            f"columns are {list(map(str, data.columns))}"
        )
    frame = data.loc[:, list(items)]
    bad = [
        f"{col} ({frame[col].dtype})"
        for col in items
        if not pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col])
    ]
    if bad:
        raise ValueError(
            f"item column(s) must be numeric (scores such as 1-5, NaN for missing); "
            f"non-numeric: {bad}"
        )
    return frame


def _finite_values(frame: pd.DataFrame) -> FloatArray:
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isinf(values).any():
        cols = [
            str(c)
            for c, bad in zip(frame.columns, np.isinf(values).any(axis=0), strict=True)
            if bad
        ]
        raise ValueError(f"item column(s) {cols} contain infinite values; use NaN for missing")
    return values


def check_moments(cov: FloatArray, items: Sequence[str], n: int, where: str = "") -> float:
    """Check a covariance matrix is usable for ML and return its log-determinant."""
    p = len(items)
    if n <= p:
        raise ValueError(
            f"too few respondents{where}: {n} usable rows for {p} items; maximum-likelihood "
            "CFA needs more respondents than items"
        )
    var = np.diag(cov)
    flat = [items[int(i)] for i in np.flatnonzero(~(var > 0))]
    if flat:
        raise ValueError(
            f"item(s) {flat} have zero variance{where} (every respondent gave the same answer); "
            "drop them from the model"
        )
    corr = cov / np.sqrt(np.outer(var, var))
    eig = np.linalg.eigvalsh(corr)
    if eig[0] <= 1e-10 * eig[-1]:
        raise ValueError(
            f"the sample covariance matrix{where} is singular (not positive definite; smallest "
            f"eigenvalue of the correlation matrix {eig[0]:.3g}): some items are linear "
            "combinations of others (a copy, a sum or a reversed item); drop one of them"
        )
    return float(np.linalg.slogdet(cov)[1])


def listwise_moments(values: FloatArray) -> tuple[FloatArray, FloatArray, int]:
    """Means, biased (divide-by-N) covariance and N of the complete rows."""
    complete = values[~np.isnan(values).any(axis=1)] if np.isnan(values).any() else values
    n = complete.shape[0]
    if n == 0:
        return np.full(values.shape[1], np.nan), np.full((values.shape[1],) * 2, np.nan), 0
    mean = complete.mean(axis=0)
    centred = complete - mean
    cov = centred.T @ centred / n
    return mean, cov, n


def pairwise_moments(values: FloatArray) -> tuple[FloatArray, FloatArray, int]:
    """Pairwise-complete biased covariances; N is the smallest pairwise count."""
    seen = ~np.isnan(values)
    filled = np.where(seen, values, 0.0)
    weights = seen.astype(np.float64)
    counts = weights.T @ weights
    n = int(counts.min())
    if n == 0:
        p = values.shape[1]
        return np.full(p, np.nan), np.full((p, p), np.nan), 0
    sums = filled.T @ weights  # sums[i, j]: sum of x_i over rows where i and j are seen
    cross = filled.T @ filled
    cov = cross / counts - (sums / counts) * (sums.T / counts)
    mean = filled.sum(axis=0) / seen.sum(axis=0)
    return mean, (cov + cov.T) / 2.0, n


def data_moments(frame: pd.DataFrame, missing: str, where: str = "") -> Moments:
    """Sample moments of the item columns under the missing-data policy."""
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing must be one of {MISSING_POLICIES}, got {missing!r}")
    values = _finite_values(frame)
    items = [str(c) for c in frame.columns]
    if missing == "listwise":
        mean, cov, n = listwise_moments(values)
    else:
        mean, cov, n = pairwise_moments(values)
    logdet = check_moments(cov, items, n, where)
    return Moments(cov=cov, mean=mean, n=n, logdet=logdet)


def cov_moments(cov: Any, items: Sequence[str], n_obs: Any) -> Moments:
    """Moments from a user-supplied (unbiased, N - 1) covariance matrix, rescaled as lavaan does."""
    if not isinstance(cov, pd.DataFrame):
        raise ValueError(
            "cov must be a pandas DataFrame labelled with the item names on both axes "
            f"(e.g. data.cov()), got {type(cov).__name__}"
        )
    missing = [it for it in items if it not in cov.index or it not in cov.columns]
    if missing:
        raise ValueError(
            f"model names item(s) {missing} that are not labels of cov; "
            f"labels are {list(map(str, cov.columns))}"
        )
    if isinstance(n_obs, bool) or not isinstance(n_obs, int | np.integer) or n_obs < 2:
        raise ValueError(
            f"n_obs must be the number of respondents (an integer >= 2), got {n_obs!r}"
        )
    try:
        mat = cov.loc[list(items), list(items)].to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cov must hold numbers: {exc}") from None
    if not np.all(np.isfinite(mat)):
        raise ValueError("cov contains missing or infinite values")
    if not np.allclose(mat, mat.T, rtol=1e-10, atol=1e-12):
        raise ValueError("cov must be symmetric")
    n = int(n_obs)
    mat = (mat + mat.T) / 2.0 * (n - 1) / n
    logdet = check_moments(mat, items, n)
    return Moments(cov=mat, mean=np.zeros(len(items)), n=n, logdet=logdet)
