"""The placement page, and what every results page shares (filters, audit, defaults).

Each page is one function that a view calls: it checks the principal's scope,
reads stored results through :mod:`nets_app.services.results`, writes the view to
the audit log in the same transaction, and returns plain frozen data for the
template. Provider and region pages are in :mod:`nets_app.services.dashboard_org`,
the national Quality Dashboard in :mod:`nets_app.services.dashboard_national`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from nets_app import charts
from nets_app.extensions import db
from nets_app.models import Answer, Placement, Response, SurveyWindow
from nets_app.services import audit, cache, results
from nets_app.services.access import (
    NotFound,
    Principal,
    find_group,
    find_window,
    require_placement,
)
from nets_app.services.results import ALL_GROUPS, FlagView, RunInfo, Score, WindowInfo
from nets_app.services.survey import instrument_for
from nets_app.services.uow import transactional


@dataclass(frozen=True)
class Filters:
    """Parsed, checked filter values shared by the results pages."""

    window: WindowInfo
    windows: tuple[WindowInfo, ...]
    group: str | None  # learner-group code, None = all groups
    groups: tuple[tuple[str, str], ...]
    run: RunInfo | None

    @property
    def window_options(self) -> tuple[tuple[str, str], ...]:
        return tuple((w.code, w.name) for w in self.windows)

    @property
    def group_key(self) -> str:
        return self.group or ALL_GROUPS

    def describe(self) -> dict[str, str]:
        return {"window": self.window.code, "group": self.group or "all"}


def default_window() -> SurveyWindow:
    """The newest window that has been scored, else the newest window."""
    from nets_app.models import ScoringRun

    scored = db.session.scalar(
        select(SurveyWindow)
        .join(ScoringRun, ScoringRun.window_id == SurveyWindow.id)
        .order_by(SurveyWindow.opens_on.desc())
    )
    return scored or find_window(None)


def resolve_filters(window_code: str | None, group_code: str | None) -> Filters:
    """Check the window and learner-group filter values (unknown -> :class:`NotFound`)."""
    window = find_window(window_code) if window_code else default_window()
    group = find_group(group_code)
    return Filters(
        window=results.window_info(window),
        windows=tuple(results.windows()),
        group=group.code if group else None,
        groups=tuple(results.learner_groups()),
        run=results.latest_run(window.id),
    )


def check_scale(scale: str | None, allowed: list[str]) -> str:
    """The scale filter: ``overall`` by default, else one of ``allowed`` (else 404)."""
    if not scale:
        return "overall"
    if scale not in allowed:
        raise NotFound("scale", scale, "choose a theme, a domain or overall")
    return scale


def scale_choices(window: SurveyWindow) -> list[tuple[str, str]]:
    inst = instrument_for(window)
    names = ["overall", *inst.theme_scales(), *inst.domain_scales()]
    names = list(dict.fromkeys(names))
    return [(s, results.scale_label(s, inst)) for s in names]


# -- placement page ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    """A score row with its display label and kind (theme, domain, overall)."""

    label: str
    kind: str
    score: Score


@dataclass(frozen=True)
class PlacementPage:
    placement_code: str
    placement_name: str
    specialty: str
    provider_code: str
    provider_name: str
    region_code: str
    region_name: str
    filters: Filters
    min_n: int
    overall: ScoreLine | None
    themes: tuple[ScoreLine, ...]
    domains: tuple[ScoreLine, ...]
    any_hidden: bool
    flags: tuple[FlagView, ...]
    trend: charts.Chart | None
    funnel: charts.Chart | None
    distribution: charts.Chart | None
    distribution_note: str


def _lines(scores: list[Score], inst) -> tuple[ScoreLine | None, list[ScoreLine], list[ScoreLine]]:
    overall = None
    themes, domains = [], []
    for s in scores:
        line = ScoreLine(results.scale_label(s.scale, inst), results.scale_kind(s.scale), s)
        if line.kind == "overall":
            overall = line
        elif line.kind == "domain":
            domains.append(line)
        else:
            themes.append(line)
    order = {t.id: k for k, t in enumerate(inst.themes)}
    themes.sort(key=lambda line: order.get(line.score.scale, 99))
    domains.sort(key=lambda line: line.score.scale)
    return overall, themes, domains


def _trend(principal: Principal, placement: Placement, f: Filters) -> charts.Chart | None:
    rows = results.fetch_scores(
        principal,
        [w.id for w in f.windows],
        group=f.group_key,
        scales=["overall"],
        where=Placement.id == placement.id,
    )
    points = [(s.window_code, s.score, s.ci_low, s.ci_high) for s in rows]
    if not any(s.shown for s in rows):
        return None
    return charts.trend_chart(f"Overall score of {placement.name} by survey window", points)


def _funnel(
    principal: Principal, placement: Placement, f: Filters, overall: Score
) -> charts.Chart | None:
    if not overall.shown or f.run is None or overall.benchmark_mean is None:
        return None
    key = cache.make_key(
        "funnel-points", principal.scope_key, f.window.id, f.run.token, f.group_key
    )

    def points() -> tuple[tuple, tuple]:
        rows = [
            r
            for r in results.fetch_scores(
                principal, f.window.id, group=f.group_key, scales=["overall"]
            )
            if r.shown
        ]
        pts = tuple((r.placement_code, r.placement_name, r.n, r.score) for r in rows)
        limits = tuple(
            (r.n, r.lower_998, r.lower_95, r.upper_95, r.upper_998)
            for r in rows
            if None not in (r.lower_998, r.lower_95, r.upper_95, r.upper_998)
        )
        return pts, limits

    pts, limits = cache.cached(key, points)
    return charts.funnel_chart(
        f"Position of {placement.name} on the funnel plot (overall score)",
        [(name, n, score, code == placement.code) for code, name, n, score in pts],
        overall.benchmark_mean,
        limits,
        overall.within_sd,
        overall.tau2,
    )


def item_distribution(window: SurveyWindow, placement_id: int, run: RunInfo) -> charts.Chart:
    """Share of answers per option for each core item, all learner groups together.

    Only called when the placement's all-groups overall row is shown; an item
    answered by fewer than ``run.min_n`` learners is not shown. Computed once per
    scoring run and cached.
    """
    inst = instrument_for(window)
    key = cache.make_key("distribution", window.id, placement_id, run.token)

    def compute() -> charts.Chart:
        counts: dict[tuple[str, int], int] = {}
        query = (
            select(Answer.item_id, Answer.value, func.count())
            .join(Response, Answer.response_id == Response.id)
            .where(
                Response.window_id == window.id,
                Response.placement_id == placement_id,
                Response.is_retest.is_(False),
                Answer.value.is_not(None),
            )
            .group_by(Answer.item_id, Answer.value)
        )
        for item_id, value, count in db.session.execute(query):
            counts[item_id, int(value)] = int(count)
        items = []
        for it in inst.items:
            total = sum(counts.get((it.id, v), 0) for v in range(1, 6))
            label = it.text + (" (R)" if it.reverse else "")
            if total < run.min_n:
                items.append((label, None))
            else:
                items.append(
                    (label, [100.0 * counts.get((it.id, v), 0) / total for v in range(1, 6)])
                )
        return charts.distribution_chart(
            "How learners answered each question", items, [label for _, label in inst.scale]
        )

    return cache.cached(key, compute)


@transactional
def placement_page(
    principal: Principal, code: str, window_code: str | None = None, group_code: str | None = None
) -> PlacementPage:
    """Theme and domain scores with intervals, benchmark colours, funnel, trend, items, flags."""
    placement = require_placement(principal, code)
    f = resolve_filters(window_code, group_code)
    window = db.session.get(SurveyWindow, f.window.id)
    inst = instrument_for(window)
    scores = results.fetch_scores(
        principal, f.window.id, group=f.group_key, where=Placement.id == placement.id
    )
    overall, themes, domains = _lines(scores, inst)
    min_n = f.run.min_n if f.run else int(current_app.config["NETS_MIN_N"])
    distribution, note = None, ""
    if f.group is not None:
        note = (
            "Answers to each question are shown for all learner groups together only, so that "
            "a small group's answers cannot be picked out."
        )
    elif overall is not None and overall.score.shown and f.run is not None:
        distribution = item_distribution(window, placement.id, f.run)
    else:
        note = "Answers to each question are not shown: too few responses in this window."
    flags = results.fetch_flags(principal, f.window.id, where=Placement.id == placement.id)
    audit.record(
        "view", f"placement:{placement.code}", detail={"page": "placement", **f.describe()}
    )
    return PlacementPage(
        placement_code=placement.code,
        placement_name=placement.name,
        specialty=placement.specialty,
        provider_code=placement.provider.code,
        provider_name=placement.provider.name,
        region_code=placement.provider.region.code,
        region_name=placement.provider.region.name,
        filters=f,
        min_n=min_n,
        overall=overall,
        themes=tuple(themes),
        domains=tuple(domains),
        any_hidden=any(not s.shown for s in scores),
        flags=tuple(flags),
        trend=_trend(principal, placement, f),
        funnel=_funnel(principal, placement, f, overall.score) if overall else None,
        distribution=distribution,
        distribution_note=note,
    )
