"""Reading stored scoring results, always through the caller's scope.

Everything the dashboards, exports and API show about scores comes from here, and
from stored :class:`~nets_app.models.PlacementScore` rows only: a row whose status
is not ``"ok"`` contributes its status and nothing else (its numbers are blanked
here even if a faulty writer stored some), and nothing is recomputed from raw
answers. Suppression, including the complementary suppression that stops a small
group being recovered by differencing, is therefore exactly what the scoring
service stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, select, true

from nets_app.extensions import db
from nets_app.models import (
    AdverseFlag,
    LearnerGroup,
    Placement,
    PlacementScore,
    Provider,
    Region,
    ScoringRun,
    SurveyWindow,
)
from nets_app.services.access import Principal, placement_scope
from questionnaires import Instrument, load_framework, load_instrument

#: Pass as ``group`` to read the all-learner-groups rows (learner_group_id IS NULL).
ALL_GROUPS = "(all)"
#: Pass as ``group`` to read every row, all-groups and per group.
ANY_GROUP = "(any)"

#: How each benchmark category is shown: (label, NHS.UK tag modifier).
QUARTILE_LABELS = {
    "red": ("Red: below benchmark", "red"),
    "pink": ("Pink: bottom quartile", "pink"),
    "white": ("White", "white"),
    "light green": ("Light green: top quartile", "aqua-green"),
    "green": ("Green: above benchmark", "green"),
    "grey": ("Grey: too few responses to show", "grey"),
    "yellow": ("No responses", "yellow"),
    "insufficient comparator": ("Too few placements to benchmark", "grey"),
}
FUNNEL_LABELS = {
    "below_99.8": ("Below 99.8% limit", "red"),
    "below_95": ("Below 95% limit", "pink"),
    "within": ("Within limits", "white"),
    "above_95": ("Above 95% limit", "aqua-green"),
    "above_99.8": ("Above 99.8% limit", "green"),
    "suppressed": ("Not shown", "grey"),
    "no data": ("No responses", "yellow"),
    "insufficient comparator": ("Too few placements to benchmark", "grey"),
}
LOW_FUNNEL = ("below_95", "below_99.8")
HIGH_FUNNEL = ("above_95", "above_99.8")


@dataclass(frozen=True)
class WindowInfo:
    id: int
    code: str
    name: str
    opens_on: dt.date
    closes_on: dt.date


@dataclass(frozen=True)
class RunInfo:
    id: int
    computed_at: dt.datetime
    n_responses: int
    min_n: int
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def token(self) -> tuple[int, str]:
        """Part of every cache key: a new scoring of the window invalidates old entries."""
        return (self.id, self.computed_at.isoformat())


@dataclass(frozen=True)
class Score:
    """One stored result. Numbers are None unless ``status == "ok"``."""

    window_code: str
    placement_id: int
    placement_code: str
    placement_name: str
    specialty: str
    provider_code: str
    provider_name: str
    region_code: str
    region_name: str
    group_code: str | None
    scale: str
    status: str
    n: int | None = None
    score: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    pct_positive: float | None = None
    shrunk_score: float | None = None
    benchmark_mean: float | None = None
    funnel_category: str | None = None
    quartile_category: str | None = None
    change: float | None = None
    change_ci_low: float | None = None
    change_ci_high: float | None = None
    poor_streak: int | None = None
    within_sd: float | None = None
    tau2: float | None = None
    lower_95: float | None = None
    upper_95: float | None = None
    lower_998: float | None = None
    upper_998: float | None = None

    @property
    def shown(self) -> bool:
        return self.status == "ok"

    @property
    def significant_fall(self) -> bool:
        return self.change_ci_high is not None and self.change_ci_high < 0

    @property
    def significant_rise(self) -> bool:
        return self.change_ci_low is not None and self.change_ci_low > 0


def windows() -> list[WindowInfo]:
    """Every survey window, newest first."""
    rows = db.session.scalars(select(SurveyWindow).order_by(SurveyWindow.opens_on.desc()))
    return [WindowInfo(w.id, w.code, w.name, w.opens_on, w.closes_on) for w in rows]


def window_info(w: SurveyWindow) -> WindowInfo:
    return WindowInfo(w.id, w.code, w.name, w.opens_on, w.closes_on)


def latest_run(window_id: int) -> RunInfo | None:
    run = db.session.scalar(
        select(ScoringRun).where(ScoringRun.window_id == window_id).order_by(ScoringRun.id.desc())
    )
    if run is None:
        return None
    settings = dict(run.settings or {})
    return RunInfo(
        run.id,
        run.computed_at,
        run.n_responses,
        int(
            (settings.get("suppression") or {}).get("min_n")
            or settings.get("min_n")
            or current_app.config["NETS_MIN_N"]
        ),
        settings,
    )


def learner_groups() -> list[tuple[str, str]]:
    return [
        (g.code, g.name)
        for g in db.session.scalars(select(LearnerGroup).order_by(LearnerGroup.code))
    ]


@lru_cache(maxsize=1)
def _default_instrument() -> Instrument:
    return load_instrument()


def scale_kind(scale: str) -> str:
    if scale == "overall":
        return "overall"
    if scale.startswith("domain "):
        return "domain"
    return "theme"


def scale_label(scale: str, inst: Instrument | None = None) -> str:
    """A person-readable name: the theme title, or the Quality Framework domain's title."""
    if scale == "overall":
        return "Overall (all core items)"
    if scale.startswith("domain "):
        number = scale.split(" ", 1)[1]
        title = load_framework().domains.get(number)
        return f"Domain {number}: {title}" if title else scale
    inst = inst or _default_instrument()
    try:
        return inst.theme(scale).title
    except StopIteration:
        return scale


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _extra_number(extra: dict[str, Any] | None, key: str) -> float | None:
    value = (extra or {}).get(key)
    return float(value) if isinstance(value, int | float) and value == value else None


def score_query(principal: Principal) -> Select:
    """Stored scores with their organisation, limited to the principal's scope."""
    return (
        select(PlacementScore, Placement, Provider, Region, LearnerGroup.code, SurveyWindow.code)
        .join(SurveyWindow, PlacementScore.window_id == SurveyWindow.id)
        .join(Placement, PlacementScore.placement_id == Placement.id)
        .join(Provider, Placement.provider_id == Provider.id)
        .join(Region, Provider.region_id == Region.id)
        .outerjoin(LearnerGroup, PlacementScore.learner_group_id == LearnerGroup.id)
        .where(placement_scope(principal, PlacementScore.placement_id))
    )


def to_score(
    ps: PlacementScore, pl: Placement, pr: Provider, rg: Region, group: str | None, window: str
) -> Score:
    base = dict(
        window_code=window,
        placement_id=pl.id,
        placement_code=pl.code,
        placement_name=pl.name,
        specialty=pl.specialty,
        provider_code=pr.code,
        provider_name=pr.name,
        region_code=rg.code,
        region_name=rg.name,
        group_code=group,
        scale=ps.scale,
        status=ps.status,
    )
    if ps.status != "ok":
        return Score(**base)
    streak = (ps.extra or {}).get("poor_streak")
    return Score(
        **base,
        n=ps.n,
        score=_number(ps.score),
        ci_low=_number(ps.ci_low),
        ci_high=_number(ps.ci_high),
        pct_positive=_number(ps.pct_positive),
        shrunk_score=_number(ps.shrunk_score),
        benchmark_mean=_number(ps.benchmark_mean),
        funnel_category=ps.funnel_category,
        quartile_category=ps.quartile_category,
        change=_number(ps.change),
        change_ci_low=_number(ps.change_ci_low),
        change_ci_high=_number(ps.change_ci_high),
        poor_streak=int(streak) if isinstance(streak, int) else None,
        within_sd=_extra_number(ps.extra, "within_sd"),
        tau2=_extra_number(ps.extra, "tau2"),
        lower_95=_extra_number(ps.extra, "lower_95"),
        upper_95=_extra_number(ps.extra, "upper_95"),
        lower_998=_extra_number(ps.extra, "lower_998"),
        upper_998=_extra_number(ps.extra, "upper_998"),
    )


def fetch_scores(
    principal: Principal,
    window_ids: int | list[int],
    *,
    group: str = ALL_GROUPS,
    scales: list[str] | None = None,
    where: ColumnElement[bool] | None = None,
) -> list[Score]:
    """Stored scores in the principal's scope, ordered by placement code and scale.

    ``group`` is :data:`ALL_GROUPS`, :data:`ANY_GROUP` or a learner-group code;
    ``where`` narrows further (e.g. ``Placement.provider_id == 3``).
    """
    ids = [window_ids] if isinstance(window_ids, int) else list(window_ids)
    query = score_query(principal).where(PlacementScore.window_id.in_(ids))
    if group == ALL_GROUPS:
        query = query.where(PlacementScore.learner_group_id.is_(None))
    elif group != ANY_GROUP:
        query = query.where(LearnerGroup.code == group)
    if scales is not None:
        query = query.where(PlacementScore.scale.in_(scales))
    query = query.where(where if where is not None else true())
    query = query.order_by(Placement.code, SurveyWindow.opens_on, PlacementScore.scale)
    return [to_score(*row) for row in db.session.execute(query)]


@dataclass(frozen=True)
class FlagView:
    placement_code: str
    placement_name: str
    provider_code: str
    region_code: str
    rule: str
    scale: str | None
    measure: str
    value: float | None
    limit: float | None
    n: int | None
    raised_on: dt.date
    evidence: dict[str, Any]


def fetch_flags(
    principal: Principal, window_id: int, *, where: ColumnElement[bool] | None = None
) -> list[FlagView]:
    """Adverse-environment flags of the window in the principal's scope, with their evidence."""
    query = (
        select(AdverseFlag, Placement, Provider, Region)
        .join(Placement, AdverseFlag.placement_id == Placement.id)
        .join(Provider, Placement.provider_id == Provider.id)
        .join(Region, Provider.region_id == Region.id)
        .where(AdverseFlag.window_id == window_id)
        .where(placement_scope(principal, AdverseFlag.placement_id))
        .where(where if where is not None else true())
        .order_by(Placement.code, AdverseFlag.rule, AdverseFlag.id)
    )
    return [
        FlagView(
            pl.code,
            pl.name,
            pr.code,
            rg.code,
            f.rule,
            f.scale,
            f.measure,
            f.value,
            f.limit,
            f.n,
            f.raised_on,
            dict(f.evidence or {}),
        )
        for f, pl, pr, rg in db.session.execute(query)
    ]


def previous_window(window: SurveyWindow) -> SurveyWindow | None:
    return db.session.scalar(
        select(SurveyWindow)
        .where(SurveyWindow.opens_on < window.opens_on)
        .order_by(SurveyWindow.opens_on.desc())
    )
