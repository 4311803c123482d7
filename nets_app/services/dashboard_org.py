"""Provider and region pages: placements ranked with their uncertainty, flags, ISF, response rates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy import ColumnElement, select

from nets_app import charts
from nets_app.extensions import db
from nets_app.models import Placement, Provider, SurveyWindow
from nets_app.services import audit, isf_view, results
from nets_app.services.access import Principal, require_provider, require_region
from nets_app.services.dashboard import Filters, check_scale, resolve_filters, scale_choices
from nets_app.services.response_rates import ResponseRate, response_rates
from nets_app.services.results import LOW_FUNNEL, FlagView, Score
from nets_app.services.uow import transactional


@dataclass(frozen=True)
class Ranked:
    """A shown score with the range of ranks its interval allows (1 = best)."""

    score: Score
    rank: int
    rank_best: int
    rank_worst: int
    flags: int


@dataclass(frozen=True)
class ProviderSummary:
    code: str
    name: str
    placements: int
    shown: int
    below_limit: int
    bottom_quartile: int
    flags: int
    isf: isf_view.IsfInfo | None


@dataclass(frozen=True)
class OrgPage:
    kind: str  # "provider" | "region"
    code: str
    name: str
    region_code: str
    region_name: str
    filters: Filters
    scale: str
    scale_label: str
    scales: tuple[tuple[str, str], ...]
    min_n: int
    ranked: tuple[Ranked, ...]
    hidden: tuple[Score, ...]
    unscored: tuple[tuple[str, str], ...]
    chart: charts.Chart | None
    benchmark: float | None
    flags: tuple[FlagView, ...]
    rates: tuple[ResponseRate, ...]
    providers: tuple[ProviderSummary, ...]
    isf: dict[str, isf_view.IsfInfo]
    isf_available: bool


def rank_ranges(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best and worst rank (1 = highest score) each interval allows.

    A placement is certainly below another only when its whole interval is below
    the other's, so its best rank is one more than the number of intervals lying
    wholly above it, and its worst rank is the count less those wholly below.

    Examples
    --------
    >>> best, worst = rank_ranges(np.array([70.0, 60.0, 20.0]), np.array([90.0, 80.0, 30.0]))
    >>> best.tolist(), worst.tolist()
    ([1, 1, 3], [2, 2, 3])
    """
    above = (low[None, :] > high[:, None]).sum(axis=1)
    below = (high[None, :] < low[:, None]).sum(axis=1)
    return 1 + above, len(low) - below


def _rank(shown: list[Score], flag_counts: Counter) -> list[Ranked]:
    shown = sorted(shown, key=lambda s: (-(s.score or 0.0), s.placement_code))
    if not shown:
        return []
    best, worst = rank_ranges(
        np.array([s.ci_low for s in shown], dtype=float),
        np.array([s.ci_high for s in shown], dtype=float),
    )
    return [
        Ranked(s, k + 1, int(b), int(w), flag_counts.get(s.placement_code, 0))
        for k, (s, b, w) in enumerate(zip(shown, best, worst, strict=True))
    ]


def _org_page(
    principal: Principal,
    kind: str,
    code: str,
    name: str,
    region,
    where: ColumnElement[bool],
    provider_ids: list[int],
    window_code: str | None,
    group_code: str | None,
    scale: str | None,
) -> OrgPage:
    f = resolve_filters(window_code, group_code)
    window = db.session.get(SurveyWindow, f.window.id)
    scales = scale_choices(window)
    scale = check_scale(scale, [s for s, _ in scales])
    rows = results.fetch_scores(
        principal, f.window.id, group=f.group_key, scales=[scale], where=where
    )
    flags = results.fetch_flags(principal, f.window.id, where=where)
    flag_counts = Counter(fl.placement_code for fl in flags)
    ranked = _rank([r for r in rows if r.shown], flag_counts)
    scored = {r.placement_code for r in rows}
    placements = list(
        db.session.execute(
            select(Placement.code, Placement.name)
            .join(Provider)
            .where(where)
            .order_by(Placement.code)
        )
    )
    benchmark = next(
        (r.score.benchmark_mean for r in ranked if r.score.benchmark_mean is not None), None
    )
    chart = None
    if ranked:
        chart = charts.ranked_chart(
            f"Placements ranked by {results.scale_label(scale).lower()} score, {f.window.name}",
            [
                (
                    r.score.placement_name,
                    r.score.score,
                    r.score.ci_low,
                    r.score.ci_high,
                    r.score.quartile_category,
                )
                for r in ranked[:60]
            ],
            benchmark,
        )
    isf = isf_view.provider_categories(provider_ids)
    providers = ()
    if kind == "region":
        providers = _provider_summaries(principal, f, where, flags, isf)
    return OrgPage(
        kind=kind,
        code=code,
        name=name,
        region_code=region.code,
        region_name=region.name,
        filters=f,
        scale=scale,
        scale_label=results.scale_label(scale),
        scales=tuple(scales),
        min_n=f.run.min_n if f.run else 0,
        ranked=tuple(ranked),
        hidden=tuple(r for r in rows if not r.shown),
        unscored=tuple((c, n) for c, n in placements if c not in scored),
        chart=chart,
        benchmark=benchmark,
        flags=tuple(flags),
        rates=tuple(response_rates(where)),
        providers=providers,
        isf=isf,
        isf_available=isf_view.available(),
    )


def _provider_summaries(principal, f: Filters, where, flags, isf) -> tuple[ProviderSummary, ...]:
    overall = results.fetch_scores(principal, f.window.id, scales=["overall"], where=where)
    by_provider: dict[str, list[Score]] = {}
    for s in overall:
        by_provider.setdefault(s.provider_code, []).append(s)
    flag_counts = Counter(fl.provider_code for fl in flags)
    provs = db.session.execute(
        select(Provider.code, Provider.name, Provider.id)
        .join(Placement, isouter=True)
        .where(where)
        .distinct()
    )
    counts = Counter(
        code for (code,) in db.session.execute(select(Provider.code).join(Placement).where(where))
    )
    out = []
    for code, name, _ in provs:
        rows = by_provider.get(code, [])
        out.append(
            ProviderSummary(
                code=code,
                name=name,
                placements=counts.get(code, 0),
                shown=sum(r.shown for r in rows),
                below_limit=sum(r.funnel_category in LOW_FUNNEL for r in rows),
                bottom_quartile=sum(r.quartile_category in ("red", "pink") for r in rows),
                flags=flag_counts.get(code, 0),
                isf=isf.get(code),
            )
        )
    out.sort(key=lambda p: (-(p.isf.category if p.isf else -1), -p.flags, -p.below_limit, p.code))
    return tuple(out)


@transactional
def provider_page(
    principal: Principal,
    code: str,
    window_code: str | None = None,
    group_code: str | None = None,
    scale: str | None = None,
) -> OrgPage:
    """A provider's placements ranked, its flags, ISF category and response rates."""
    p = require_provider(principal, code)
    where = Placement.provider_id == p.id
    org = (p.code, p.name, p.region, where, [p.id])
    return _audited(principal, "provider", org, window_code, group_code, scale)


@transactional
def region_page(
    principal: Principal,
    code: str,
    window_code: str | None = None,
    group_code: str | None = None,
    scale: str | None = None,
) -> OrgPage:
    """A region's placements ranked, its providers by need, flags and response rates."""
    r = require_region(principal, code)
    ids = list(db.session.scalars(select(Provider.id).where(Provider.region_id == r.id)))
    org = (r.code, r.name, r, Provider.region_id == r.id, ids)
    return _audited(principal, "region", org, window_code, group_code, scale)


def _audited(principal, kind, org, window_code, group_code, scale) -> OrgPage:
    code, name, region, where, provider_ids = org
    page = _org_page(
        principal, kind, code, name, region, where, provider_ids, window_code, group_code, scale
    )
    detail = {"page": kind, "scale": page.scale, **page.filters.describe()}
    audit.record("view", f"{kind}:{code}", detail=detail)
    return page
