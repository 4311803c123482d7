"""Reading the risk register: concern pages, registers, the ISF board, summaries, CSV.

Read-only queries; every one takes ``scope`` (a region id, or ``None`` for national)
and filters in SQL, so a concern of another region is never loaded. What a concern
sets in motion (who to tell, register entry, plan gaps, the provider's category) is
asked of the pure functions in :mod:`nets_app.domain`; nothing is decided here.

Summaries follow the handbook's reporting rhythm ("as-needed alerts for emerging
high-risk concerns, monthly highlight reports, quarterly reports"). The handbook does
not define their content; the platform's choice, shown on the page:

- ``alerts``: the 7 days up to the report date; one row per event that made a concern
  high-risk: proposed or rated at level High or at/above the register threshold, or
  categorised / escalated to ISF category 2 or above.
- ``monthly`` / ``quarterly``: the calendar month / quarter holding the report date;
  one row per concern with any recorded activity in it, with counts by kind of event.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from nets_app.domain.actions import Action, ActionPlan, Gap, days_overdue, plan_gaps
from nets_app.domain.errors import DomainError
from nets_app.domain.isf import IsfState, category_info, replay
from nets_app.domain.isf_config import IsfCategory
from nets_app.domain.isf_reporting import (
    Notification,
    ProviderCategory,
    RegisterStatus,
    provider_category,
    register_status,
    who_to_inform,
)
from nets_app.domain.risk import Rating
from nets_app.domain.risk_config import DEFAULT_REGISTER_THRESHOLD
from nets_app.extensions import db
from nets_app.models import (
    ConcernAction,
    ConcernEvent,
    Provider,
    QualityConcern,
    Region,
    SurveyWindow,
)
from nets_app.services import audit
from nets_app.services.access import NotFound
from nets_app.services.risk_actions import domain_action
from nets_app.services.risk_common import change_from_json, current_rating, load_concern
from nets_app.services.uow import transactional
from questionnaires import load_framework

__all__ = [
    "ConcernView",
    "History",
    "PERIODS",
    "Summary",
    "concern_history",
    "concern_page",
    "concern_rows",
    "concern_view",
    "export_csv",
    "list_concerns",
    "overdue_actions",
    "provider_categories",
    "register",
    "register_of",
    "summary",
    "to_csv",
]

#: Summary periods and how they are named to users.
PERIODS = {
    "alerts": "As-needed alerts: emerging high-risk concerns in the last 7 days",
    "monthly": "Monthly highlight report",
    "quarterly": "Quarterly report",
}
ALERT_DAYS = 7


def _concerns(scope: int | None):
    query = select(QualityConcern).join(Provider, QualityConcern.provider_id == Provider.id)
    if scope is not None:
        query = query.where(Provider.region_id == scope)
    return query


def list_concerns(scope: int | None, *, status: str | None = None) -> list[QualityConcern]:
    """Concerns in scope, newest first; ``status`` narrows to one status."""
    query = _concerns(scope).order_by(QualityConcern.id.desc())
    if status:
        query = query.where(QualityConcern.status == status)
    return list(db.session.scalars(query))


def register_of(concern: QualityConcern) -> RegisterStatus:
    """Register entry of a concern: :func:`register_status` once it has a category.

    Before categorisation only the score can put it there (the guide's threshold).
    Proposed, dismissed and closed concerns are not on the registers.
    """
    if concern.status != "open":
        return RegisterStatus(False, f"{concern.status} concerns are not on the registers", None)
    if concern.isf_category is None:
        thr = concern.register_threshold or DEFAULT_REGISTER_THRESHOLD
        if concern.score is None:
            return RegisterStatus(False, "not rated", None)
        on = concern.score >= thr
        sign = ">=" if on else "<"
        return RegisterStatus(on, f"risk score {concern.score} {sign} {thr}", None)
    return register_status(concern.isf_category, concern.score,
                           concern.register_threshold or DEFAULT_REGISTER_THRESHOLD)  # fmt: skip


# --- one concern --------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """A concern's trail and its ISF history re-checked by :func:`replay`."""

    events: list[ConcernEvent]
    states: list[IsfState]
    error: DomainError | None = None

    @property
    def valid(self) -> bool:
        return self.error is None


def _history(concern: QualityConcern) -> History:
    events = list(concern.events)
    changes = [change_from_json(e.detail) for e in events if e.kind == "category_change"]
    try:
        states = replay(changes)
    except DomainError as err:
        return History(events, [], err)
    if states and (states[-1].category, states[-1].since) != (
        concern.isf_category,
        concern.isf_since,
    ):
        err = DomainError("isf.replay_chain", "the stored category differs from its history")
        return History(events, states, err)
    return History(events, states)


def concern_history(concern_id: int, scope: int | None) -> History:
    """The concern's trail, oldest first, with its category history replayed."""
    return _history(load_concern(concern_id, scope))


@dataclass(frozen=True)
class ConcernView:
    """Everything the concern page shows, decided by the domain functions."""

    concern: QualityConcern
    rating: Rating | None
    category: IsfCategory | None
    notifications: tuple[Notification, ...]
    register: RegisterStatus
    actions: list[ConcernAction]
    overdue: list[tuple[ConcernAction, int]]
    gaps: tuple[Gap, ...]
    provider: ProviderCategory
    history: History
    windows: tuple[str, ...] = ()


def _plan(concern: QualityConcern) -> ActionPlan | None:
    if not concern.actions or concern.plan_agreed_on is None:
        return None
    return ActionPlan(str(concern.id), tuple(map(domain_action, concern.actions)),
                      concern.plan_agreed_on)  # fmt: skip


def _overdue(rows: Sequence[ConcernAction], today: dt.date) -> list[tuple[ConcernAction, int]]:
    late = [(r, days_overdue(domain_action(r), today)) for r in rows]
    return sorted([(r, d) for r, d in late if d > 0], key=lambda x: (x[0].due_on, x[0].id))


def concern_view(concern_id: int, scope: int | None, today: dt.date | None = None) -> ConcernView:
    """The concern with its rating, category, who to tell, register entry and plan."""
    today = today or dt.date.today()
    concern = load_concern(concern_id, scope)
    cat = concern.isf_category
    gaps: tuple[Gap, ...] = ()
    if concern.status == "open" and cat is not None:
        gaps = plan_gaps(cat, _plan(concern), today)
    return ConcernView(
        concern=concern,
        rating=current_rating(concern),
        category=None if cat is None else category_info(cat),
        notifications=() if cat is None else who_to_inform(cat),
        register=register_of(concern),
        actions=list(concern.actions),
        overdue=_overdue(concern.actions, today),
        gaps=gaps,
        provider=_provider_category(concern.provider_id),
        history=_history(concern),
        windows=tuple(
            db.session.scalars(select(SurveyWindow.code).order_by(SurveyWindow.opens_on))
        ),
    )


@transactional
def concern_page(concern_id: int, scope: int | None, today: dt.date | None = None) -> ConcernView:
    """:func:`concern_view`, with the view kept in the staff audit trail."""
    view = concern_view(concern_id, scope, today)
    audit.record("view", f"concern:{view.concern.id}", detail={"page": "concern"})
    return view


#: Filters of the concern list: a status, or "register" (open and on the registers).
LIST_FILTERS = {
    "": "All concerns",
    "proposed": "Proposed, awaiting a decision",
    "open": "Open",
    "register": "On the risk register",
    "dismissed": "Dismissed",
    "closed": "Closed",
}


def concern_rows(scope: int | None, which: str = "") -> list[dict[str, Any]]:
    """Concerns in scope for the list page, newest first, with their register entry."""
    if which not in LIST_FILTERS:
        raise NotFound(
            "concern filter", which, f"choose one of {sorted(k for k in LIST_FILTERS if k)}"
        )
    status = "open" if which == "register" else which or None
    rows = []
    for c in list_concerns(scope, status=status):
        entry = register_of(c)
        if which == "register" and not entry.on_register:
            continue
        rows.append(_row(c) | {"on_register": entry.on_register, "created_at": c.created_at})
    return rows


@transactional
def export_csv(what: str, rows: Sequence[dict[str, Any]], target: str) -> str:
    """``rows`` as CSV, with the export kept in the staff audit trail."""
    audit.record("export", target, detail={"what": what, "rows": len(rows)})
    return to_csv(rows)


# --- registers, board, overdue actions -------------------------------------------------------


def register(scope: int | None) -> list[dict[str, Any]]:
    """The risk register for a region (or nationally): open concerns on it, highest first.

    One row per concern, plain values (ready for a table or CSV).
    """
    rows = []
    for c in db.session.scalars(_concerns(scope).where(QualityConcern.status == "open")):
        status = register_of(c)
        if not status.on_register:
            continue
        rows.append(_row(c) | {"register_basis": status.basis, "review": status.review or ""})
    return sorted(rows, key=lambda r: (-(r["score"] or 0), -(r["isf_category"] or 0), r["id"]))


def _row(c: QualityConcern) -> dict[str, Any]:
    return {
        "id": c.id,
        "region": c.provider.region.name,
        "provider": c.provider.name,
        "provider_code": c.provider.code,
        "placement": c.placement.name if c.placement else "",
        "title": c.title,
        "status": c.status,
        "likelihood": c.likelihood,
        "impact": c.impact,
        "score": c.score,
        "rag": c.rag or "",
        "level": c.level or "",
        "isf_category": c.isf_category,
        "standards": " ".join(c.standards or ()),
    }


def _open_categories(provider_ids: Sequence[int] | None = None) -> dict[int, dict[str, int]]:
    query = select(
        QualityConcern.provider_id, QualityConcern.id, QualityConcern.isf_category
    ).where(QualityConcern.status == "open", QualityConcern.isf_category.is_not(None))
    if provider_ids is not None:
        query = query.where(QualityConcern.provider_id.in_(provider_ids))
    out: dict[int, dict[str, int]] = {}
    for pid, cid, cat in db.session.execute(query):
        out.setdefault(pid, {})[str(cid)] = cat
    return out


def _provider_category(provider_id: int) -> ProviderCategory:
    return provider_category(_open_categories([provider_id]).get(provider_id, {}))


def provider_categories(scope: int | None) -> list[dict[str, Any]]:
    """Every provider in scope with its ISF category (that of its most severe open concern).

    Rows ``provider``, ``provider_code``, ``region``, ``category``, ``category_name``,
    ``concern_ids``; most severe first.
    """
    query = select(Provider).join(Region).order_by(Provider.name)
    if scope is not None:
        query = query.where(Provider.region_id == scope)
    providers = list(db.session.scalars(query))
    cats = _open_categories([p.id for p in providers])
    rows = []
    for p in providers:
        pc = provider_category(cats.get(p.id, {}))
        rows.append({
            "provider": p.name, "provider_code": p.code, "region": p.region.name,
            "category": pc.category, "category_name": category_info(pc.category).name,
            "concern_ids": [int(i) for i in pc.concern_ids],
        })  # fmt: skip
    return sorted(rows, key=lambda r: (-r["category"], r["provider"]))


def overdue_actions(scope: int | None, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Actions of open concerns in scope not done and past due, the longest overdue first."""
    today = today or dt.date.today()
    query = (
        select(ConcernAction)
        .join(QualityConcern)
        .join(Provider, QualityConcern.provider_id == Provider.id)
        .where(QualityConcern.status == "open", ConcernAction.done_on.is_(None),
               ConcernAction.due_on < today)
        .order_by(ConcernAction.due_on, ConcernAction.id)
    )  # fmt: skip
    if scope is not None:
        query = query.where(Provider.region_id == scope)
    return [
        {
            "action_id": a.id, "concern_id": a.concern_id, "provider": a.concern.provider.name,
            "description": a.description, "owner": a.owner, "due_on": a.due_on,
            "days_overdue": days_overdue(Action(a.description, a.owner, a.due_on), today),
        }
        for a in db.session.scalars(query)
    ]  # fmt: skip


# --- summaries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """A summary for a period: headline counts and one row per concern or alert."""

    period: str
    title: str
    start: dt.date
    end: dt.date  # inclusive
    headline: dict[str, int]
    rows: list[dict[str, Any]] = field(default_factory=list)


def period_bounds(period: str, on: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of the period holding ``on``.

    Examples
    --------
    >>> period_bounds("quarterly", dt.date(2025, 5, 17))
    (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))
    >>> period_bounds("weekly", dt.date(2025, 5, 17))
    Traceback (most recent call last):
    ...
    ValueError: period must be one of ['alerts', 'monthly', 'quarterly'], got 'weekly'
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {sorted(PERIODS)}, got {period!r}")
    if period == "alerts":
        return on - dt.timedelta(days=ALERT_DAYS - 1), on
    months = 1 if period == "monthly" else 3
    first_month = on.month if months == 1 else 3 * ((on.month - 1) // 3) + 1
    start = on.replace(month=first_month, day=1)
    nxt = start.month + months
    after = start.replace(year=start.year + (nxt - 1) // 12, month=(nxt - 1) % 12 + 1)
    return start, after - dt.timedelta(days=1)


def _is_alert(event: ConcernEvent) -> str | None:
    d = event.detail or {}
    rating = d.get("rating")
    high = bool(rating) and (rating["level"] == "High" or rating["on_register"])
    if event.kind in ("proposed", "rated", "overridden") and high:
        return (
            f"rated {rating['likelihood']} x {rating['impact']} = {rating['score']} "
            f"({rating['rag']}, {rating['level']})"
        )
    if (
        event.kind == "category_change"
        and d["to_category"] >= 2
        and d["direction"] != "de-escalation"
    ):
        if d["from_category"] is None:
            return f"ISF category set to {d['to_category']}"
        return f"ISF category {d['from_category']} -> {d['to_category']}"
    return None


def summary(period: str, scope: int | None, on: dt.date | None = None) -> Summary:
    """The as-needed alerts, monthly or quarterly summary for ``scope`` (see module notes)."""
    on = on or dt.date.today()
    start, end = period_bounds(period, on)
    lo = dt.datetime.combine(start, dt.time())
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    query = (
        select(ConcernEvent)
        .join(QualityConcern)
        .join(Provider, QualityConcern.provider_id == Provider.id)
        .where(ConcernEvent.at >= lo, ConcernEvent.at < hi)
        .order_by(ConcernEvent.at, ConcernEvent.id)
    )
    if scope is not None:
        query = query.where(Provider.region_id == scope)
    events = list(db.session.scalars(query))
    kinds = Counter(e.kind for e in events)
    directions = Counter(e.detail.get("direction") for e in events if e.kind == "category_change")
    headline = {
        "new concerns": kinds["proposed"] + kinds["created"],
        "confirmed": kinds["confirmed"],
        "dismissed": kinds["dismissed"],
        "closed": kinds["closed"],
        "escalations": directions["escalation"] + directions["initial"],
        "de-escalations": directions["de-escalation"],
        "on the register now": len(register(scope)),
        "actions overdue now": len(overdue_actions(scope, on)),
    }
    if period == "alerts":
        rows = [
            _row(e.concern) | {"at": e.at.isoformat(sep=" ", timespec="minutes"), "alert": why}
            for e in events
            if (why := _is_alert(e)) is not None
        ]
    else:
        by_concern: dict[int, list[ConcernEvent]] = {}
        for e in events:
            by_concern.setdefault(e.concern_id, []).append(e)
        rows = [
            _row(evs[0].concern) | {"activity": ", ".join(
                f"{k} x{n}" if n > 1 else k for k, n in Counter(e.kind for e in evs).items())}
            for evs in by_concern.values()
        ]  # fmt: skip
    return Summary(period, PERIODS[period], start, end, headline, rows)


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows of plain values as CSV text (header from ``columns`` or the first row)."""
    columns = list(columns or (rows[0].keys() if rows else []))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: _cell(r.get(k)) for k in columns})
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, list):
        value = " ".join(map(str, value))
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


@dataclass(frozen=True)
class NewConcernOptions:
    """Choices for the manual-concern form, limited to the user's scope."""

    providers: tuple[tuple[str, str], ...]
    placements: tuple[tuple[str, str], ...]
    windows: tuple[str, ...]
    standards: tuple[tuple[str, str], ...]


def new_concern_options(scope: int | None) -> NewConcernOptions:
    """Providers and placements in scope, windows, and the Quality Framework's standards."""
    providers = select(Provider).order_by(Provider.name)
    if scope is not None:
        providers = providers.where(Provider.region_id == scope)
    provs = list(db.session.scalars(providers))
    placements = [(pl.code, f"{pl.name} ({p.name})") for p in provs for pl in p.placements]
    return NewConcernOptions(
        providers=tuple((p.code, p.name) for p in provs),
        placements=tuple(sorted(placements, key=lambda x: x[1])),
        windows=tuple(
            db.session.scalars(select(SurveyWindow.code).order_by(SurveyWindow.opens_on))
        ),
        standards=tuple((k, f"{k} {v.title}") for k, v in load_framework().standards.items()),
    )
