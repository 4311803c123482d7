"""Placement scores on 0-100 with confidence intervals and small-number suppression.

:func:`score_placements` turns a wide table of survey responses into one row per
placement x window (x learner group) x scale. Suppression of small numbers,
including the complementary suppression that stops a hidden group being
recovered by subtraction, is applied here, inside the scoring output, so that no
page, export or later computation can leak it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "ALL_GROUPS",
    "NOT_STATED",
    "SCORE_COLUMNS",
    "STATUSES",
    "scales_from_items",
    "score_placements",
]

#: Label of the row that pools every learner group of a placement and window.
ALL_GROUPS = "(all)"
#: Label given to respondents whose learner group is missing.
NOT_STATED = "(not stated)"
#: The values of the ``status`` column.
STATUSES = ("ok", "suppressed", "no data")
#: Numeric result columns, in output order (all NaN on a suppressed row).
SCORE_COLUMNS = ("n", "score", "ci_low", "ci_high", "sd", "pct_positive")

_LIKERT = np.array([1.0, 2.0, 3.0, 4.0, 5.0])


def _ordered_levels(values: pd.Series, given: Sequence[Hashable] | None, what: str) -> pd.Index:
    """Levels of a key column: ``given`` in its order, else sorted observed values."""
    observed = pd.Index(values.unique())
    if given is not None:
        levels = pd.Index(list(given))
        if levels.has_duplicates:
            raise ValueError(f"{what} lists some values more than once: {list(levels)}")
        missing = observed.difference(levels)
        if len(missing):
            raise ValueError(
                f"the data have {what[:-1]} values not in the {what} given: "
                f"{list(missing)[:10]}; list every {what[:-1]} or leave {what}=None"
            )
        return levels
    try:
        return observed.sort_values()
    except TypeError:  # mixed types cannot be sorted: keep order of appearance
        return observed


def _check_columns(
    frame: pd.DataFrame, names: Iterable[Hashable], role: str, where: str = "responses"
) -> None:
    absent = [c for c in names if c not in frame.columns]
    if absent:
        raise ValueError(
            f"{role} column(s) {absent} not in {where}; columns are {list(frame.columns)[:20]}"
        )


def _check_keys(responses: pd.DataFrame, column: Hashable, role: str) -> None:
    missing = int(responses[column].isna().sum())
    if missing:
        raise ValueError(
            f"{missing} response(s) have no {role} (column {column!r} is missing); every "
            f"response must name its {role}"
        )


def _item_matrix(responses: pd.DataFrame, items: Sequence[Hashable]) -> np.ndarray:
    """Item answers as a float matrix, checked to be 1-5 whole numbers or NaN."""
    for item in items:
        dtype = responses[item].dtype
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            raise ValueError(
                f"item column {item!r} has dtype {dtype}; items must be numeric "
                "1-5 with NaN for missing or not applicable"
            )
    x = responses.loc[:, list(items)].to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isnan(x) & ~np.isin(x, _LIKERT)
    if bad.any():
        cols = np.flatnonzero(bad.any(axis=0))
        examples = {items[c]: x[bad[:, c], c][:3].tolist() for c in cols[:5]}
        raise ValueError(
            "item answers must be whole numbers 1-5 (NaN for missing or not applicable); "
            f"found other values in {examples}"
        )
    return x


def _validate_scales(
    scales: Mapping[str, Sequence[Hashable]], responses: pd.DataFrame
) -> dict[str, list[Hashable]]:
    if not isinstance(scales, Mapping) or not scales:
        raise ValueError("scales must be a non-empty mapping of scale name -> item columns")
    out: dict[str, list[Hashable]] = {}
    for name, items in scales.items():
        if isinstance(items, str) or not isinstance(items, Iterable):
            raise ValueError(f"scale {name!r} must list its item columns, got {items!r}")
        items = list(items)
        if not items:
            raise ValueError(f"scale {name!r} has no items")
        if len(set(items)) != len(items):
            raise ValueError(f"scale {name!r} lists an item more than once: {items}")
        unknown = [i for i in items if i not in responses.columns]
        if unknown:
            raise ValueError(f"scale {name!r} names items not in responses: {unknown}")
        out[name] = items
    return out


def _check_options(min_n: Any, min_items: Any, ci: Any) -> None:
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise ValueError(f"min_n must be a whole number >= 1, got {min_n!r}")
    if not isinstance(min_items, int | float) or not 0 < float(min_items) <= 1:
        raise ValueError(
            f"min_items must be a fraction in (0, 1] of a scale's items, got {min_items!r}"
        )
    if not isinstance(ci, int | float) or not 0 < float(ci) < 1:
        raise ValueError(f"ci must be a confidence level strictly between 0 and 1, got {ci!r}")


def _cell_sums(
    cells: np.ndarray,
    size: int,
    counted: np.ndarray,
    r: np.ndarray,
    pos: np.ndarray,
    ans: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """n, mean, sum of squared deviations, positives and answers per cell (bincount)."""
    c = cells[counted]
    n = np.bincount(c, minlength=size).astype(float)
    s1 = np.bincount(c, weights=r[counted], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s1 / n
    ss = np.bincount(c, weights=(r[counted] - mean[c]) ** 2, minlength=size)
    p = np.bincount(c, weights=pos[counted], minlength=size)
    a = np.bincount(c, weights=ans[counted], minlength=size)
    return n, mean, ss, p, a


def _complementary(n: np.ndarray, total: np.ndarray, min_n: int) -> tuple[np.ndarray, np.ndarray]:
    """Suppression masks for group cells ``n`` (units x groups) and for the totals.

    Primary: 0 < n < min_n. Then, in every unit whose total is reported, while
    exactly one group is suppressed, or the suppressed groups together hold
    fewer than ``min_n`` respondents, or no more respondents than there are
    suppressed groups (each would then be known to hold exactly one), also
    suppress the smallest reported non-empty group (ties: first group). A unit
    still unsafe when no group is left to suppress (every group present holds
    exactly one respondent) has its total suppressed as well. The loop runs
    over groups, not units.
    """
    supp = (n > 0) & (n < min_n)
    reported_total = total >= min_n

    def unsafe_units() -> np.ndarray:
        k = supp.sum(axis=1)
        held = np.where(supp, n, 0).sum(axis=1)
        return reported_total & (k > 0) & ((k == 1) | (held < min_n) | (held <= k))

    for _ in range(n.shape[1]):
        unsafe = unsafe_units()
        if not unsafe.any():
            break
        rows = np.flatnonzero(unsafe)
        cand = np.where(~supp[rows] & (n[rows] > 0), n[rows], np.inf)
        has = np.isfinite(cand).any(axis=1)
        rows, cand = rows[has], cand[has]
        supp[rows, np.argmin(cand, axis=1)] = True
    return supp, unsafe_units()


def scales_from_items(
    items: Iterable[Any], *, overall: str | None = "overall"
) -> dict[str, list[str]]:
    """Scales for :func:`score_placements` from item specifications.

    Parameters
    ----------
    items : iterable
        Objects with ``id`` and ``factor`` attributes (e.g. ``pilot.items``).
    overall : str or None, default "overall"
        Name of an extra scale holding every item; None for none.

    Returns
    -------
    dict
        Factor (theme) -> item ids in order of appearance, then ``overall``.

    Examples
    --------
    >>> from types import SimpleNamespace as Item
    >>> scales_from_items([Item(id="a", factor="t1"), Item(id="b", factor="t2"),
    ...                    Item(id="c", factor="t1")])
    {'t1': ['a', 'c'], 't2': ['b'], 'overall': ['a', 'b', 'c']}
    """
    scales: dict[str, list[str]] = {}
    every = []
    for item in items:
        scales.setdefault(item.factor, []).append(item.id)
        every.append(item.id)
    if overall is not None:
        scales[overall] = every
    return scales


def score_placements(
    responses: pd.DataFrame,
    scales: Mapping[str, Sequence[Hashable]],
    *,
    placement: Hashable = "placement",
    window: Hashable = "window",
    group: Hashable | None = None,
    reverse: Iterable[Hashable] = (),
    min_n: int = 3,
    min_items: float = 0.5,
    ci: float = 0.95,
    placements: Sequence[Hashable] | None = None,
    windows: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Score every placement x window (x learner group) on every scale, with suppression.

    Parameters
    ----------
    responses : pandas.DataFrame
        Wide table, one row per response: a placement column, a window column,
        optionally a learner-group column, and one column per item holding 1-5
        (1 = strongly disagree ... 5 = strongly agree) or NaN for missing or
        "not applicable". Reverse-keyed items are stored as answered.
    scales : mapping of str to sequence of column names
        Scale name (theme, Quality Framework domain or ``"overall"``) -> its
        item columns. Scales may share items.
    placement, window : column name
        Key columns. Every response must have both.
    group : column name, optional
        Learner-group column. When given, each placement x window also gets one
        row per learner group present; respondents with no group form the group
        ``"(not stated)"``, and the all-groups row is labelled ``"(all)"``.
    reverse : iterable of column names
        Reverse-keyed items (agreeing is unfavourable); scored as ``6 - x``.
    min_n : int, default 3
        Smallest number of respondents for which a result is shown.
    min_items : float, default 0.5
        A respondent counts toward a scale only if they answered at least
        ``ceil(min_items * k)`` of its ``k`` items (and at least one).
    ci : float, default 0.95
        Confidence level of the interval for the score.
    placements, windows : sequence, optional
        Every placement / window to report, in display order; ones with no
        responses get ``"no data"`` rows. By default the observed values, sorted.

    Returns
    -------
    pandas.DataFrame
        One row per placement x window x scale (every combination), plus, when
        ``group`` is given, one per placement x window x group present x scale.
        Columns: ``placement``, ``window``, [``group``], ``scale``, ``n``
        (nullable integer), ``score``, ``ci_low``, ``ci_high``, ``sd``,
        ``pct_positive`` and ``status`` (``"ok"``, ``"suppressed"`` or
        ``"no data"``). Key columns keep the names passed in.

    Raises
    ------
    ValueError
        On missing columns, unknown or duplicated scale items, non-numeric
        items, answers other than 1-5, missing placement/window/group keys
        clashing with the reserved labels, or out-of-range options.

    Notes
    -----
    **Score.** For respondent *j* with answered items :math:`A_j` of a scale
    (reverse items turned round, :math:`x' = 6 - x`), the respondent score is
    :math:`r_j = 25\\,(\\bar x'_{A_j} - 1)`, i.e. the item mean rescaled from
    1-5 to 0-100. The placement score is the mean of :math:`r_j` over the
    :math:`n` respondents who count (the GMC "mean of respondents' indicator
    scores" construction). ``sd`` is the sample SD of :math:`r_j`.

    **Interval.** A Student *t* interval on the respondent scores,
    :math:`\\bar r \\pm t_{(1+c)/2,\\,n-1}\\, s/\\sqrt n`, clipped to [0, 100]
    (scores cannot leave the scale; a clipped interval is slightly
    conservative). With ``n = 1`` no spread can be estimated: ``sd`` is NaN and
    the interval is the whole scale [0, 100]. With all respondents identical
    the interval has zero width, as the *t* interval does.

    **Percent positive.** Among the counted respondents, the share of their
    answered item responses that are favourable: 4 or 5 after reverse items are
    turned round (so "disagree" with "I was bullied" is positive), times 100.
    Item responses are pooled, so respondents who answered more items weigh more.

    **Suppression.** ``status`` is ``"no data"`` when no respondent counts
    (``n = 0``) and ``"suppressed"`` when ``0 < n < min_n``. A suppressed row
    carries no numbers at all: ``n`` is <NA> and every other numeric column
    NaN. ``n`` is deliberately not shown as "< min_n": complementary
    suppression (below) also hides groups with ``n >= min_n``, and marking which
    hidden rows are small would tell a reader where the small group is.

    **Differencing.** With ``group``, a placement's group rows sit beside its
    all-groups row and the groups add up to it, so one hidden group could be
    recovered as total minus the others (for ``n`` and for score x ``n``).
    Within each placement x window x scale whose all-groups row is shown, while
    exactly one group is hidden, or the hidden groups together hold fewer than
    ``min_n`` respondents, or no more respondents than there are hidden groups
    (each would then be known to hold exactly one, since empty groups show
    "no data"), the smallest shown non-empty group is hidden too; if none is
    left (every group present has one respondent) the all-groups row is hidden
    as well. So ``"suppressed"`` does not imply ``n < min_n``. Afterwards
    the only quantity recoverable about hidden groups is their union, which
    holds ``>= min_n`` respondents, and no hidden group's size is pinned down. Scales are suppressed
    separately: a respondent's score on an overlapping scale is not a fixed
    linear combination of their scores on its parts when items are missing, so
    no exact subtraction across scales exists; windows hold different
    respondents. Provider rows are not produced here; score them with
    ``placement="provider"`` and note that placement rows and provider rows
    together form the same kind of table, to be protected the same way.

    References
    ----------
    General Medical Council. Education data reporting tool help: "What do the
    results mean?" (indicator scores as the mean of respondents' scores;
    results shown only with three or more respondents).
    https://www.gmc-uk.org/help/education-data-reporting-tool-help/what-do-the-results-mean

    Hundepool A, et al. *Statistical Disclosure Control*. Wiley, 2012, ch. 4-5
    (primary and secondary (complementary) cell suppression).

    Examples
    --------
    >>> import pandas as pd
    >>> responses = pd.DataFrame({
    ...     "placement": ["A", "A", "A", "B"],
    ...     "window": ["2024", "2024", "2024", "2024"],
    ...     "q1": [5, 4, 2, 3],
    ...     "q2": [4, 4, None, 3],
    ...     "q3": [1, 2, 2, 5],
    ... })
    >>> out = score_placements(responses, {"overall": ["q1", "q2", "q3"]}, reverse=["q3"])
    >>> print(out[["placement", "n", "score", "pct_positive", "status"]].round(2).to_string())
      placement     n  score  pct_positive      status
    0         A     3  72.22          87.5          ok
    1         B  <NA>    NaN           NaN  suppressed

    Respondent scores are 91.67 (5, 4 and the reversed 1 -> 5), 75 and 50 (two
    of three items answered, enough under ``min_items=0.5``); 7 of the 8
    answered item responses are favourable. Placement B has one respondent.
    """
    if not isinstance(responses, pd.DataFrame):
        raise ValueError(f"responses must be a pandas DataFrame, got {type(responses).__name__}")
    _check_options(min_n, min_items, ci)
    keys = [placement, window] + ([group] if group is not None else [])
    _check_columns(responses, keys, "key")
    _check_keys(responses, placement, "placement")
    _check_keys(responses, window, "window")
    scale_items = _validate_scales(scales, responses)
    reverse = list(reverse)
    in_scales = {i for items in scale_items.values() for i in items}
    stray = [i for i in reverse if i not in in_scales]
    if stray:
        raise ValueError(f"reverse names items that are in no scale: {stray}")

    items = list(dict.fromkeys(i for its in scale_items.values() for i in its))
    x = _item_matrix(responses, items)
    rev = np.isin(np.arange(len(items)), [items.index(i) for i in reverse])
    x[:, rev] = 6.0 - x[:, rev]

    p_levels = _ordered_levels(responses[placement], placements, "placements")
    w_levels = _ordered_levels(responses[window], windows, "windows")
    pc = p_levels.get_indexer(responses[placement])
    wc = w_levels.get_indexer(responses[window])
    n_p, n_w = len(p_levels), len(w_levels)
    unit = pc * n_w + wc  # placement x window code of every response
    n_units = n_p * n_w

    if group is not None:
        g_raw = responses[group]
        clash = {ALL_GROUPS, NOT_STATED} & set(g_raw.dropna().unique())
        if clash:
            raise ValueError(f"group labels {sorted(clash)} are reserved; rename those groups")
        g_levels = _ordered_levels(g_raw.dropna(), None, "groups")
        gc = g_levels.get_indexer(g_raw)
        if (gc < 0).any():
            g_levels = g_levels.append(pd.Index([NOT_STATED]))
            gc = np.where(gc < 0, len(g_levels) - 1, gc)
        n_g = len(g_levels)
        gcell = unit * n_g + gc
        present = np.bincount(gcell, minlength=n_units * n_g).reshape(n_units, n_g) > 0

    n_s = len(scale_items)
    tot = np.empty((6, n_units, n_s))  # n, mean, ss, pos, ans, status code
    grp = np.empty((6, n_units, n_g, n_s)) if group is not None else None
    for s, its in enumerate(scale_items.values()):
        sub = x[:, [items.index(i) for i in its]]
        answered = ~np.isnan(sub)
        a = answered.sum(axis=1)
        need = max(1, math.ceil(float(min_items) * len(its) - 1e-9))
        counted = a >= need
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (np.where(answered, sub, 0.0).sum(axis=1) / a - 1.0) * 25.0
        pos = (answered & (sub >= 4)).sum(axis=1).astype(float)
        tot[:5, :, s] = _cell_sums(unit, n_units, counted, r, pos, a.astype(float))
        if grp is not None:
            sums = _cell_sums(gcell, n_units * n_g, counted, r, pos, a.astype(float))
            for k in range(5):
                grp[k, :, :, s] = sums[k].reshape(n_units, n_g)

    # status codes: 0 ok, 1 suppressed, 2 no data
    tot[5] = np.where(tot[0] == 0, 2, np.where(tot[0] < min_n, 1, 0))
    if grp is not None:
        masks = [_complementary(grp[0, :, :, s], tot[0, :, s], min_n) for s in range(n_s)]
        supp = np.stack([m[0] for m in masks], axis=-1)
        grp[5] = np.where(grp[0] == 0, 2, np.where(supp, 1, 0))
        tot[5] = np.where(np.stack([m[1] for m in masks], axis=-1), 1, tot[5])

    # one slot per unit x (all groups, group 1..G) x scale, in output order
    if grp is not None:
        cube = np.concatenate([tot[:, :, None, :], grp], axis=2)
        keep_cells = np.concatenate([np.ones((n_units, 1), dtype=bool), present], axis=1)
        labels = np.array([ALL_GROUPS, *g_levels.to_numpy()], dtype=object)
    else:
        cube = tot[:, :, None, :]
        keep_cells = np.ones((n_units, 1), dtype=bool)
        labels = np.array([ALL_GROUPS], dtype=object)
    u_idx, g_idx = np.nonzero(keep_cells)
    k = len(u_idx)
    values = cube[:, u_idx, g_idx, :].reshape(6, k * n_s)
    u_rep = np.repeat(u_idx, n_s)
    columns: dict[Hashable, np.ndarray] = {
        placement: p_levels.to_numpy()[u_rep // n_w],
        window: w_levels.to_numpy()[u_rep % n_w],
    }
    if grp is not None:
        columns[group] = labels[np.repeat(g_idx, n_s)]
    columns["scale"] = np.tile(np.array(list(scale_items), dtype=object), k)
    return _frame(values, ci, columns)


def _frame(v: np.ndarray, ci: float, columns: dict[Hashable, np.ndarray]) -> pd.DataFrame:
    """The key ``columns``, then results from the stacked sums (n, mean, ss, pos, ans, status)."""
    n, mean, ss, pos, ans, code = v
    ok = code == 0
    df, where = np.unique(np.maximum(n - 1, 1), return_inverse=True)
    t = stats.t.ppf((1 + ci) / 2, df)[where]  # one quantile per distinct n
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.where(n >= 2, np.sqrt(ss / (n - 1)), np.nan)
        half = t * sd / np.sqrt(n)
        pct = 100.0 * pos / ans
    ci_low = np.where(n >= 2, np.clip(mean - half, 0.0, 100.0), 0.0)
    ci_high = np.where(n >= 2, np.clip(mean + half, 0.0, 100.0), 100.0)
    nan = np.full(n.shape, np.nan)
    out = pd.DataFrame(columns)
    hidden = code == 1
    out["n"] = pd.arrays.IntegerArray(np.where(hidden, 0, n).astype(np.int64), hidden)
    out["score"] = np.where(ok, mean, nan)
    out["ci_low"] = np.where(ok, ci_low, nan)
    out["ci_high"] = np.where(ok, ci_high, nan)
    out["sd"] = np.where(ok, sd, nan)
    out["pct_positive"] = np.where(ok, pct, nan)
    out["status"] = np.array(STATUSES, dtype=object)[code.astype(int)]
    return out
