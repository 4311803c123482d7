"""Plain data shared by the validation report's sections: inputs, settings, results.

Nothing here touches the database or a request: :mod:`nets_app.services.validation`
builds a :class:`ReportInput` from the database, and the section functions
(:mod:`~nets_app.services.validation_sections`,
:mod:`~nets_app.services.validation_structure`,
:mod:`~nets_app.services.validation_retest`) turn it into :class:`Section` results,
so the same code runs on a synthetic pilot in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Section status values.
OK, UNAVAILABLE = "ok", "unavailable"


@dataclass(frozen=True)
class Settings:
    """Analysis settings, recorded in the report's JSON so a run can be repeated.

    Attributes
    ----------
    seed : int
        Seed of parallel analysis and of the bootstrap.
    n_boot : int
        Bootstrap resamples for omega's confidence intervals.
    pa_iter : int
        Random data sets of parallel analysis.
    ci : float
        Confidence level of every interval.
    min_n_reliability : int
        Fewest respondents for alpha, omega and item statistics.
    min_per_item_factor : int
        Complete responses per item needed for factor analysis (and at least
        ``min_n_factor``): the common rule of thumb of 5 per item (Gorsuch 1983).
    min_n_factor : int
    min_pairs : int
        Fewest retest pairs for an ICC: 30 (Koo & Li 2016).
    min_n_criterion : int
        Fewest respondents for a criterion correlation.
    min_n_display : int
        Item distributions are suppressed below this many answers (the platform's
        small-number rule, ``NETS_MIN_N``).
    min_share_answered : float
        A learner's theme or total score needs answers to at least this share of its
        items (for a retest score: answered on both occasions); 1 means complete.
    """

    seed: int = 2026
    n_boot: int = 200
    pa_iter: int = 100
    ci: float = 0.95
    min_n_reliability: int = 30
    min_per_item_factor: int = 5
    min_n_factor: int = 100
    min_pairs: int = 30
    min_n_criterion: int = 30
    min_n_display: int = 3
    min_share_answered: float = 0.5

    def factor_min_n(self, k: int) -> int:
        return max(self.min_n_factor, self.min_per_item_factor * k)


@dataclass(frozen=True)
class ReportInput:
    """Everything the report analyses, as plain tables.

    Attributes
    ----------
    window, window_name : str
        The survey window's code and name.
    group : str or None
        The learner group the report is restricted to (None: every group).
    instrument : str
        Instrument key, e.g. ``"nets-core@1"``.
    responses : DataFrame
        One row per (first, not retest) response: ``group``, ``retest_code`` (None
        unless the learner was offered the retest) and one column per item, answers
        as given (1-5; NaN for "not applicable" or unanswered).
    not_applicable : DataFrame
        Booleans of the same shape as the item columns of ``responses``: True where
        the learner answered "not applicable" (NaN in ``responses`` otherwise means
        the question was not answered).
    scales : dict of str to list of str
        Theme -> its scoring items, in instrument order (marker item first).
    reverse : frozenset of str
        Reverse-keyed items (recoded ``6 - x`` before any analysis).
    criteria : dict of str to str
        ``"overall_experience"`` and ``"would_recommend"`` -> item id.
    labels : dict of str to str
        Item -> question text; theme -> title; group code -> name.
    groups : tuple of (str, str)
        Every learner group (code, name), so groups without responses are listed.
    retest : DataFrame
        Long format, two rows per pair: ``retest_code``, ``occasion`` (1, 2),
        ``interval_days``, ``group`` and the retest items.
    retest_items : tuple of str
    retest_offered : (int, int)
        The interval (days) within which the retest form was offered.
    unpaired_retests : int
        Retest responses whose first response is not in this window (or group).
    """

    window: str
    window_name: str
    group: str | None
    instrument: str
    responses: pd.DataFrame
    not_applicable: pd.DataFrame
    scales: dict[str, list[str]]
    reverse: frozenset[str]
    criteria: dict[str, str]
    labels: dict[str, str]
    groups: tuple[tuple[str, str], ...]
    retest: pd.DataFrame
    retest_items: tuple[str, ...]
    retest_offered: tuple[int, int]
    unpaired_retests: int = 0

    @property
    def scoring_items(self) -> list[str]:
        return [i for items in self.scales.values() for i in items]

    def keyed(self, frame: pd.DataFrame | None = None, items: list[str] | None = None):
        """Item columns with reverse-keyed items recoded (``6 - x``): higher is better."""
        frame = self.responses if frame is None else frame
        items = self.scoring_items if items is None else items
        out = frame[items].astype(float).copy()
        rev = [c for c in items if c in self.reverse]
        out[rev] = 6.0 - out[rev]
        return out

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


@dataclass(frozen=True)
class Figure:
    """A figure as inline SVG markup with its caption."""

    caption: str
    svg: str


@dataclass(frozen=True)
class Section:
    """One section of the report: its numbers, or why they could not be computed.

    ``data`` holds every number shown (tables as lists of records) and is written
    to the JSON file as is; the HTML is rendered from it.
    """

    key: str
    title: str
    status: str
    reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    figures: tuple[Figure, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == OK


class Unavailable(Exception):
    """A section cannot be computed: the message says what is missing and why."""


def unavailable(key: str, title: str, reason: str, data: dict[str, Any] | None = None) -> Section:
    return Section(key, title, UNAVAILABLE, reason, data or {})


def run_section(
    key: str, title: str, compute: Callable[[], Section], note: Callable[[str], None] | None
) -> Section:
    """Compute one section; too little data or a statistical failure makes it unavailable.

    :class:`Unavailable` carries a reason written for the reader; a ``ValueError``
    from the psychometrics library names the statistical problem (a constant item,
    a singular matrix, too few respondents), which is shown as the reason. Other
    exceptions are bugs and propagate.
    """
    try:
        section = compute()
    except Unavailable as exc:
        section = unavailable(key, title, str(exc))
    except ValueError as exc:
        section = unavailable(key, title, f"The analysis could not be run on these data: {exc}.")
    if note is not None:
        note(key)
    return section


def need(n: int, minimum: int, what: str, why: str) -> None:
    """Raise :class:`Unavailable` unless ``n >= minimum``."""
    if n < minimum:
        raise Unavailable(f"{what}: {n} available, at least {minimum} needed ({why}).")


def clean(value: Any) -> Any:
    """A JSON-able copy: numpy scalars to Python, NaN and inf to None, frames to records."""
    if isinstance(value, pd.DataFrame):
        return [clean(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [clean(v) for v in value.tolist()]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        v = float(value)
        return v if math.isfinite(v) else None
    if value is None or isinstance(value, str):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def figure_svg(fig, caption: str, key: str) -> Figure:
    """Render a matplotlib Figure as accessible inline SVG (the dashboard's renderer)."""
    from nets_app.charts import _to_svg

    return Figure(caption, _to_svg(fig, key, caption, ""))
