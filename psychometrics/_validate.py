"""Input checks shared by the psychometrics functions.

Every public function turns its input into plain arrays here first, so that bad
input fails early with a :class:`ValueError` that names the problem and says what
would be right, never with an ``assert`` or a silent NaN further down.

Other modules may import these helpers; they are not part of the public API.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "DEFAULT_SCALE",
    "NAN_POLICIES",
    "ItemData",
    "check_choice",
    "check_items",
    "check_n_factors",
    "check_nonsingular",
    "check_probability",
    "check_scale",
]

#: Response scale of NETS items: five-point Likert, 1 = strongly disagree.
DEFAULT_SCALE: tuple[float, float] = (1.0, 5.0)
NAN_POLICIES: tuple[str, ...] = ("pairwise", "listwise")

_MAX_LISTED = 5


@dataclass(frozen=True)
class ItemData:
    """Validated wide item responses.

    Attributes
    ----------
    names : tuple of str
        Item (column) names, in input order.
    values : ndarray of shape (n, k)
        Responses as float64, NaN where missing. Rows with no answer at all are
        kept (they count towards ``pct_missing``) but not towards ``n_respondents``.
    n_respondents : int
        Rows with at least one answer.
    scale : tuple of float or None
        The response scale the values were checked against.
    """

    names: tuple[str, ...]
    values: NDArray[np.float64]
    n_respondents: int
    scale: tuple[float, float] | None

    @property
    def k(self) -> int:
        return len(self.names)


def _listing(names: Iterable[Any]) -> str:
    names = [str(n) for n in names]
    shown = ", ".join(repr(n) for n in names[:_MAX_LISTED])
    if len(names) > _MAX_LISTED:
        shown += f" and {len(names) - _MAX_LISTED} more"
    return shown


def check_choice(name: str, value: object, choices: Sequence[object]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)!r}, got {value!r}")


def check_probability(name: str, value: object) -> float:
    """Return ``value`` as a float strictly between 0 and 1, or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")
    value = float(value)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")
    return value


def check_scale(scale: object) -> tuple[float, float] | None:
    """Validate a ``(lowest, highest)`` response scale; ``None`` switches the check off."""
    if scale is None:
        return None
    try:
        pair: Any = scale  # anything that unpacks to two numbers
        low, high = pair
        lo, hi = float(low), float(high)
    except (TypeError, ValueError):
        raise ValueError(
            f"scale must be a (lowest, highest) pair such as (1, 5), or None, got {scale!r}"
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"scale must satisfy lowest < highest, got {scale!r}")
    return lo, hi


def check_n_factors(n_factors: object, k: int, *, what: str = "n_factors") -> int:
    """Validate a number of factors for ``k`` items."""
    if isinstance(n_factors, bool) or not isinstance(n_factors, int | np.integer):
        raise ValueError(f"{what} must be a positive integer, got {n_factors!r}")
    n_factors = int(n_factors)
    if n_factors < 1:
        raise ValueError(f"{what} must be at least 1, got {n_factors}")
    if n_factors >= k:
        raise ValueError(
            f"{what}={n_factors} is too many for {k} items: a factor model needs "
            f"fewer factors than items"
        )
    return n_factors


def _as_frame(items: object, what: str) -> pd.DataFrame:
    if isinstance(items, pd.DataFrame):
        return items
    if isinstance(items, np.ndarray) and items.ndim == 2:
        return pd.DataFrame(items, columns=[f"item{i + 1}" for i in range(items.shape[1])])
    raise ValueError(
        f"{what} must be a wide pandas DataFrame (rows = respondents, columns = items), "
        f"got {type(items).__name__}"
    )


def check_items(
    items: object,
    *,
    scale: object = DEFAULT_SCALE,
    min_items: int = 2,
    min_respondents: int = 3,
    what: str = "items",
) -> ItemData:
    """Check a wide table of item responses and return it as a float array.

    Parameters
    ----------
    items : DataFrame
        Rows are respondents, columns are items; NaN marks a missing answer.
    scale : (float, float) or None
        Lowest and highest valid response. ``None`` skips the range check.
    min_items : int
        Fewest columns accepted.
    min_respondents : int
        Fewest respondents (rows with at least one answer) accepted.
    what : str
        How the input is called in error messages.

    Raises
    ------
    ValueError
        If a column is not numeric, a value is infinite or outside ``scale``,
        there are too few items or respondents, an item is never answered or
        is constant, or column names repeat.
    """
    frame = _as_frame(items, what)
    scale_ = check_scale(scale)
    names = tuple(str(c) for c in frame.columns)

    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"{what} has repeated column names {_listing(dup)}; name each item once")

    bad = [
        c
        for c in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
    ]
    if bad:
        kinds = ", ".join(f"{c!r} ({frame[c].dtype})" for c in bad[:_MAX_LISTED])
        raise ValueError(
            f"{what} must be numeric responses; non-numeric column(s): {kinds}. "
            f"Recode answers to numbers (e.g. 1-5) and 'Not applicable' to NaN"
        )

    if len(names) < min_items:
        raise ValueError(f"{what} needs at least {min_items} items (columns), got {len(names)}")

    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    if values.ndim != 2:  # pragma: no cover - DataFrame is always 2-D
        raise ValueError(f"{what} must be two-dimensional")

    if np.isinf(values).any():
        cols = [names[j] for j in np.flatnonzero(np.isinf(values).any(axis=0))]
        raise ValueError(f"{what} has infinite values in {_listing(cols)}; use NaN for missing")

    observed = ~np.isnan(values)
    if scale_ is not None:
        lo, hi = scale_
        with np.errstate(invalid="ignore"):
            outside = observed & ((values < lo) | (values > hi))
        if outside.any():
            out_cols = np.flatnonzero(outside.any(axis=0))
            first = names[out_cols[0]]
            example = values[outside[:, out_cols[0]], out_cols[0]][0]
            raise ValueError(
                f"{what} has {int(outside.sum())} value(s) outside the scale {lo:g}-{hi:g}, "
                f"in {_listing(names[j] for j in out_cols)} (e.g. {example:g} in {first!r}); "
                f"recode them, or pass scale=(lowest, highest) for another response scale"
            )

    n_answered = observed.sum(axis=0)
    never = [names[j] for j in np.flatnonzero(n_answered == 0)]
    if never:
        raise ValueError(f"{what} has item(s) nobody answered: {_listing(never)}")

    n_respondents = int(observed.any(axis=1).sum())
    if n_respondents < min_respondents:
        raise ValueError(
            f"{what} needs at least {min_respondents} respondents with an answer, "
            f"got {n_respondents}"
        )

    with np.errstate(invalid="ignore"):
        col_min = np.nanmin(values, axis=0)
        col_max = np.nanmax(values, axis=0)
    constant = [names[j] for j in np.flatnonzero(col_min == col_max)]
    if constant:
        raise ValueError(
            f"{what} has constant item(s) {_listing(constant)}: every respondent gave the "
            f"same answer, so the item carries no information; drop it"
        )

    return ItemData(names=names, values=values, n_respondents=n_respondents, scale=scale_)


def check_nonsingular(
    corr: NDArray[np.float64],
    names: Sequence[str],
    *,
    n: int | None = None,
    what: str = "correlation matrix",
) -> None:
    """Raise ``ValueError`` if ``corr`` is singular or not positive definite.

    The message names the items that carry the near-linear dependence: those with
    the largest weights in the eigenvector of the smallest eigenvalue. Given the
    number of respondents ``n``, too few respondents is reported as such.
    """
    if n is not None and n <= len(names):
        raise ValueError(
            f"this analysis needs more respondents than items: {n} respondents for "
            f"{len(names)} items make the {what} singular"
        )
    values, vectors = np.linalg.eigh(corr)
    smallest = float(values[0])
    tol = 1e-10 * max(float(values[-1]), 1.0)
    if smallest > tol:
        return
    weights = np.abs(vectors[:, 0])
    involved = [names[j] for j in np.argsort(-weights) if weights[j] > 0.1]
    if smallest < -tol:
        raise ValueError(
            f"the {what} is not positive definite (smallest eigenvalue {smallest:.3g}); "
            f"with pairwise missing data this happens when items are answered by "
            f"different respondents. Items involved: {_listing(involved)}"
        )
    raise ValueError(
        f"the {what} is singular (smallest eigenvalue {smallest:.3g}): some items are "
        f"linear combinations of others ({_listing(involved)}); drop duplicated or "
        f"derived items"
    )
