"""The national Quality Dashboard: the handbook's business questions, answered from stored results.

Questions (HEE Quality Framework Handbook 2017-18, "Quality Dashboard"):
which organisations need the most support; which show early warning signs of
declining quality; which demonstrate excellence; the key trends and themes across
learner groups; where resources should go; how improvement is demonstrated.

Every number is a stored placement result with status "ok", a count of such
results, or a mean of such results (the unweighted mean of placement scores,
labelled as such); nothing is recomputed from answers, so suppression holds.
The computed part is cached per window and scoring run; ISF categories and the
concern counts are read live because they change between scoring runs.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import case, func, select

from nets_app import charts
from nets_app.extensions import db
from nets_app.models import (
    ConcernReport,
    LearnerGroup,
    Placement,
    PlacementScore,
    Provider,
    Region,
    Response,
    SurveyWindow,
)
from nets_app.services import audit, cache, isf_view, results
from nets_app.services.access import Principal, require
from nets_app.services.dashboard import Filters, resolve_filters
from nets_app.services.results import HIGH_FUNNEL, LOW_FUNNEL, Score
from nets_app.services.survey import instrument_for
from nets_app.services.uow import transactional

TOP = 15


@dataclass(frozen=True)
class OrgNeed:
    provider_code: str
    provider_name: str
    region_name: str
    shown: int
    below_limit: int
    bottom_quartile: int
    falling: int
    flags: int
    isf: isf_view.IsfInfo | None = None
    concerns: int = 0


@dataclass(frozen=True)
class RegionNeed:
    code: str
    name: str
    shown: int
    below_limit: int
    flags: int
    concerns_open: int = 0
    concerns_overdue: int = 0

    @property
    def share_below(self) -> float | None:
        return 100.0 * self.below_limit / self.shown if self.shown else None


@dataclass(frozen=True)
class Cell:
    placements: int
    mean: float | None
    previous: float | None
    below_limit: int

    @property
    def change(self) -> float | None:
        if self.mean is None or self.previous is None:
            return None
        return self.mean - self.previous


@dataclass(frozen=True)
class Computed:
    """The cached part: a pure function of the window's stored results."""

    responses: int
    placements_total: int
    shown: int
    hidden: int
    support: tuple[OrgNeed, ...]
    warning: tuple[Score, ...]
    n_warning: int
    streaks: tuple[Score, ...]
    excellence: tuple[Score, ...]
    n_excellence: int
    improved: tuple[Score, ...]
    n_improved: int
    n_declined: int
    flag_rules: tuple[tuple[str, int], ...]
    theme_columns: tuple[tuple[str, str], ...]
    theme_rows: tuple[tuple[str, str, tuple[Cell, ...]], ...]
    theme_needs: tuple[tuple[str, int], ...]
    regions: tuple[RegionNeed, ...]
    trend: charts.Chart | None
    previous_code: str | None


@dataclass(frozen=True)
class NationalPage:
    filters: Filters
    computed: Computed | None
    support: tuple[OrgNeed, ...]
    regions: tuple[RegionNeed, ...]
    isf_available: bool
    min_n: int


def _theme_table(window: SurveyWindow, previous: SurveyWindow | None, themes: list[str], inst):
    ids = [window.id] + ([previous.id] if previous else [])
    low = case((PlacementScore.funnel_category.in_(LOW_FUNNEL), 1), else_=0)
    query = (
        select(
            PlacementScore.learner_group_id,
            PlacementScore.scale,
            PlacementScore.window_id,
            func.count(),
            func.avg(PlacementScore.score),
            func.sum(low),
        )
        .where(
            PlacementScore.window_id.in_(ids),
            PlacementScore.status == "ok",
            PlacementScore.scale.in_(themes),
        )
        .group_by(PlacementScore.learner_group_id, PlacementScore.scale, PlacementScore.window_id)
    )
    stats = {
        (g, s, w): (int(n), float(m), int(b or 0)) for g, s, w, n, m, b in db.session.execute(query)
    }
    groups = [(None, "All learner groups")] + [
        (g.id, g.name) for g in db.session.scalars(select(LearnerGroup).order_by(LearnerGroup.name))
    ]
    rows = []
    for gid, gname in groups:
        cells = []
        for scale in themes:
            n, mean, below = stats.get((gid, scale, window.id), (0, None, 0))
            prev = (
                stats.get((gid, scale, previous.id))[1]
                if previous and (gid, scale, previous.id) in stats
                else None
            )
            cells.append(Cell(n, mean, prev, below))
        if gid is None or any(c.placements for c in cells):
            rows.append((str(gid or "all"), gname, tuple(cells)))
    columns = tuple((s, results.scale_label(s, inst)) for s in themes)
    needs = Counter()
    for (gid, scale, wid), (_, _, below) in stats.items():
        if gid is None and wid == window.id and scale != "overall":
            needs[scale] = below
    theme_needs = tuple(
        (results.scale_label(s, inst), n)
        for s, n in sorted(needs.items(), key=lambda kv: -kv[1])
        if n
    )
    return columns, tuple(rows), theme_needs


def _trend_chart(themes: list[str], inst) -> charts.Chart | None:
    query = (
        select(SurveyWindow.code, PlacementScore.scale, func.avg(PlacementScore.score))
        .join(SurveyWindow, PlacementScore.window_id == SurveyWindow.id)
        .where(
            PlacementScore.status == "ok",
            PlacementScore.learner_group_id.is_(None),
            PlacementScore.scale.in_(themes),
        )
        .group_by(SurveyWindow.code, SurveyWindow.opens_on, PlacementScore.scale)
        .order_by(SurveyWindow.opens_on)
    )
    means: dict[str, dict[str, float]] = defaultdict(dict)
    order: list[str] = []
    for code, scale, mean in db.session.execute(query):
        if code not in order:
            order.append(code)
        means[scale][code] = float(mean)
    if not order:
        return None
    series = [
        (results.scale_label(s, inst), [means[s].get(w) for w in order])
        for s in themes
        if s in means
    ]
    return charts.lines_chart("Mean placement score by theme and survey window", order, series)


def _compute(window: SurveyWindow, principal: Principal) -> Computed:
    inst = instrument_for(window)
    themes = ["overall", *[t for t in inst.theme_scales() if t != "overall"]]
    previous = results.previous_window(window)
    overall = results.fetch_scores(principal, window.id, scales=["overall"])
    shown = [s for s in overall if s.shown]
    flags = results.fetch_flags(principal, window.id)
    flag_by_provider = Counter(f.provider_code for f in flags)
    by_provider: dict[str, list[Score]] = defaultdict(list)
    for s in shown:
        by_provider[s.provider_code].append(s)
    support = []
    names = {s.provider_code: (s.provider_name, s.region_name) for s in overall}
    for code in set(by_provider) | set(flag_by_provider):
        rows = by_provider.get(code, [])
        name, region = names.get(code, (code, ""))
        need = OrgNeed(
            code,
            name,
            region,
            len(rows),
            sum(r.funnel_category in LOW_FUNNEL for r in rows),
            sum(r.quartile_category in ("red", "pink") for r in rows),
            sum(r.significant_fall for r in rows),
            flag_by_provider.get(code, 0),
        )
        if need.flags or need.below_limit or need.bottom_quartile or need.falling:
            support.append(need)
    support.sort(
        key=lambda o: (-o.flags, -o.below_limit, -o.falling, -o.bottom_quartile, o.provider_code)
    )
    falling = sorted((s for s in shown if s.significant_fall), key=lambda s: s.change)
    streaks = sorted(
        (s for s in shown if (s.poor_streak or 0) >= 3), key=lambda s: -(s.poor_streak or 0)
    )
    excellent = sorted(
        (s for s in shown if s.funnel_category in HIGH_FUNNEL or s.quartile_category == "green"),
        key=lambda s: -(s.score or 0),
    )
    improved = sorted((s for s in shown if s.significant_rise), key=lambda s: -(s.change or 0))
    columns, rows, theme_needs = _theme_table(window, previous, themes, inst)
    regions = []
    by_region: dict[tuple[str, str], list[Score]] = defaultdict(list)
    for s in shown:
        by_region[s.region_code, s.region_name].append(s)
    flag_by_region = Counter(f.region_code for f in flags)
    for (code, name), rows_ in sorted(by_region.items()):
        regions.append(
            RegionNeed(
                code,
                name,
                len(rows_),
                sum(r.funnel_category in LOW_FUNNEL for r in rows_),
                flag_by_region.get(code, 0),
            )
        )
    responses = db.session.scalar(
        select(func.count(Response.id)).where(
            Response.window_id == window.id, Response.is_retest.is_(False)
        )
    )
    return Computed(
        responses=int(responses or 0),
        placements_total=int(db.session.scalar(select(func.count(Placement.id))) or 0),
        shown=len(shown),
        hidden=len(overall) - len(shown),
        support=tuple(support[: TOP * 4]),
        warning=tuple(falling[:TOP]),
        n_warning=len(falling),
        streaks=tuple(streaks[:TOP]),
        excellence=tuple(excellent[:TOP]),
        n_excellence=len(excellent),
        improved=tuple(improved[:TOP]),
        n_improved=len(improved),
        n_declined=len(falling),
        flag_rules=tuple(sorted(Counter(f.rule for f in flags).items(), key=lambda kv: -kv[1])),
        theme_columns=columns,
        theme_rows=rows,
        theme_needs=theme_needs,
        regions=tuple(regions),
        trend=_trend_chart(themes, inst),
        previous_code=previous.code if previous else None,
    )


def _live(
    computed: Computed, window: SurveyWindow
) -> tuple[tuple[OrgNeed, ...], tuple[RegionNeed, ...]]:
    """Add what changes between scoring runs: ISF categories and open / overdue concerns."""
    today = dt.date.today()
    open_ = ConcernReport.status != "closed"
    overdue = case(
        ((ConcernReport.status != "closed") & (ConcernReport.respond_by < today), 1), else_=0
    )
    rows = db.session.execute(
        select(
            Provider.code,
            Region.code,
            func.sum(case((open_, 1), else_=0)),
            func.sum(overdue),
            func.count(),
        )
        .join(Placement, ConcernReport.placement_id == Placement.id)
        .join(Provider, Placement.provider_id == Provider.id)
        .join(Region, Provider.region_id == Region.id)
        .where(ConcernReport.window_id == window.id)
        .group_by(Provider.code, Region.code)
    ).all()
    by_provider = {p: int(total) for p, _, _, _, total in rows}
    open_region: Counter = Counter()
    overdue_region: Counter = Counter()
    for _, region, n_open, n_overdue, _ in rows:
        open_region[region] += int(n_open or 0)
        overdue_region[region] += int(n_overdue or 0)
    ids = (
        dict(db.session.execute(select(Provider.code, Provider.id)).all())
        if computed.support
        else {}
    )
    isf = isf_view.provider_categories(
        [ids[o.provider_code] for o in computed.support if o.provider_code in ids]
    )
    support = [
        replace(o, isf=isf.get(o.provider_code), concerns=by_provider.get(o.provider_code, 0))
        for o in computed.support
    ]
    support.sort(key=lambda o: -(o.isf.category if o.isf else -1))  # stable: keeps the need order
    regions = tuple(
        replace(r, concerns_open=open_region[r.code], concerns_overdue=overdue_region[r.code])
        for r in computed.regions
    )
    return tuple(support[:TOP]), regions


@transactional
def national_page(principal: Principal, window_code: str | None = None) -> NationalPage:
    require(principal, "national", "dashboard:national")
    f = resolve_filters(window_code, None)
    window = db.session.get(SurveyWindow, f.window.id)
    computed = None
    support: tuple[OrgNeed, ...] = ()
    regions: tuple[RegionNeed, ...] = ()
    if f.run is not None:
        key = cache.make_key("national", principal.scope_key, window.id, f.run.token)
        computed = cache.cached(key, lambda: _compute(window, principal))
        support, regions = _live(computed, window)
    audit.record("view", "dashboard:national", detail={"page": "national", **f.describe()})
    return NationalPage(
        filters=f,
        computed=computed,
        support=support,
        regions=regions,
        isf_available=isf_view.available(),
        min_n=f.run.min_n if f.run else 0,
    )
