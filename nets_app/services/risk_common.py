"""Shared pieces of the risk-register services: who acts, when, in which scope.

* **Actor.** Every change records who made it. An actor is a signed-in
  :class:`~nets_app.services.access.Principal`, a :class:`~nets_app.models.StaffUser`
  or a plain name (a CLI run, ``"system"``); :func:`actor_of` turns it into the name
  stored in the trail and the staff id when there is one.
* **Time.** Times are stored as naive UTC; :func:`utc_naive` normalises whatever the
  caller passes, so the domain never sees aware and naive datetimes mixed.
* **Scope.** ``scope`` is a region id (a regional quality team) or ``None`` (national).
  :func:`load_concern` refuses a concern outside the scope with
  :class:`~nets_app.services.access.AccessDenied`, and an unknown id with
  :class:`~nets_app.services.access.NotFound`.
* **Category changes** are stored as JSON in the trail and read back into the domain's
  :class:`~nets_app.domain.isf.CategoryChange`, so :func:`~nets_app.domain.isf.replay`
  can re-check the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from nets_app.domain._checks import is_text
from nets_app.domain.errors import DomainError
from nets_app.domain.isf import CategoryChange, Evidence, NationalApproval
from nets_app.domain.isf_config import ReasonCode
from nets_app.domain.risk import Rating, rate
from nets_app.extensions import db
from nets_app.models import ConcernEvent, Provider, QualityConcern, StaffUser
from nets_app.services.access import AccessDenied, NotFound

__all__ = [
    "ConcernError",
    "actor_of",
    "change_from_json",
    "change_to_json",
    "current_rating",
    "in_scope",
    "load_concern",
    "record_event",
    "require_reason",
    "require_status",
    "utc_naive",
]

#: Statuses in which a concern is still being worked on.
ACTIVE = ("proposed", "open")

Actor = Any  # Principal | StaffUser | str


class ConcernError(DomainError):
    """A concern workflow rule refused the input (status, reason, evidence, scope of data)."""


def actor_of(actor: Actor) -> tuple[str, int | None]:
    """The name to record for ``actor`` and its staff id (None for a plain name).

    Examples
    --------
    >>> actor_of("nets-cli")
    ('nets-cli', None)
    >>> actor_of("  ")
    Traceback (most recent call last):
    ...
    nets_app.services.risk_common.ConcernError: [concern.actor] every change records who \
made it: give a staff user or a name
    """
    if isinstance(actor, str):
        if not actor.strip():
            raise ConcernError(
                "concern.actor", "every change records who made it: give a staff user or a name"
            )
        return actor.strip(), None
    staff_id = getattr(actor, "staff_id", None)
    if staff_id is None and isinstance(actor, StaffUser):
        staff_id = actor.id
    name, email = getattr(actor, "name", None), getattr(actor, "email", None)
    if staff_id is None or not name:
        raise ConcernError(
            "concern.actor", f"every change records who made it; cannot tell who {actor!r} is"
        )
    return (f"{name} ({email})" if email else str(name)), int(staff_id)


def utc_naive(at: dt.datetime | None) -> dt.datetime:
    """``at`` as naive UTC (now when None); naive input is taken to be UTC already.

    Examples
    --------
    >>> utc_naive(dt.datetime(2025, 1, 1, 13, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    datetime.datetime(2025, 1, 1, 12, 0)
    """
    if at is None:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if not isinstance(at, dt.datetime):
        raise ConcernError("concern.when", f"a time must be a datetime, got {at!r}")
    if at.tzinfo is not None:
        return at.astimezone(dt.UTC).replace(tzinfo=None)
    return at


def in_scope(concern: QualityConcern, scope: int | None) -> bool:
    """True if a user with ``scope`` (region id, None for national) may see the concern."""
    return scope is None or concern.provider.region_id == scope


def load_concern(concern_id: object, scope: int | None, *, for_update: bool = False):
    """The concern with ``concern_id`` if it exists and is in ``scope``.

    Raises
    ------
    NotFound
        No such concern (HTTP 404).
    AccessDenied
        It belongs to another region (HTTP 403, audited by the error handler).
    """
    try:
        key = int(concern_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NotFound("concern", concern_id, "concern ids are whole numbers") from None
    query = select(QualityConcern).where(QualityConcern.id == key)
    if for_update:
        query = query.with_for_update()
    concern = db.session.scalar(query)
    if concern is None:
        raise NotFound("concern", concern_id, "check the concern number")
    if not in_scope(concern, scope):
        raise AccessDenied(f"concern:{key}", "concern outside the user's region")
    return concern


def require_reason(reason: object, what: str) -> str:
    """``reason`` stripped, or :class:`ConcernError` ``concern.reason``."""
    if not is_text(reason):
        raise ConcernError("concern.reason", f"{what} needs a reason: say why")
    return str(reason).strip()


def require_status(concern: QualityConcern, allowed: Sequence[str], what: str) -> None:
    """Refuse (``concern.status``) unless the concern's status is in ``allowed``."""
    if concern.status not in allowed:
        raise ConcernError(
            "concern.status",
            f"cannot {what} concern {concern.id}: it is {concern.status}; only "
            f"{' or '.join(allowed)} concerns can",
        )


def scope_filter(scope: int | None):
    """A WHERE clause on :class:`QualityConcern` for ``scope`` (join Provider first)."""
    return True if scope is None else Provider.region_id == scope


def record_event(
    concern: QualityConcern,
    kind: str,
    actor: Actor,
    at: dt.datetime,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> ConcernEvent:
    """Add one entry to the concern's trail (in the caller's transaction)."""
    name, staff_id = actor_of(actor)
    event = ConcernEvent(
        concern=concern,
        at=at,
        actor=name,
        staff_id=staff_id,
        kind=kind,
        reason=reason.strip(),
        detail=dict(detail or {}),
    )
    db.session.add(event)
    return event


def rating_to_json(r: Rating) -> dict[str, Any]:
    return {
        "likelihood": r.likelihood,
        "impact": r.impact,
        "score": r.score,
        "rag": r.rag,
        "level": r.level,
        "on_register": r.on_register,
        "register_threshold": r.register_threshold,
        "basis": r.basis,
        "rationale": r.rationale,
        "override_reason": r.override_reason,
        "previous": list(r.previous) if r.previous else None,
    }


def store_rating(concern: QualityConcern, r: Rating) -> None:
    """Copy a domain rating into the concern's rating columns."""
    concern.likelihood, concern.impact, concern.score = r.likelihood, r.impact, r.score
    concern.rag, concern.level, concern.on_register = r.rag, r.level, r.on_register
    concern.register_threshold, concern.rating_basis = r.register_threshold, r.basis
    concern.rating_rationale, concern.override_reason = r.rationale, r.override_reason


def current_rating(concern: QualityConcern) -> Rating | None:
    """The concern's stored rating as a domain :class:`Rating` (None if not rated)."""
    if concern.likelihood is None or concern.impact is None:
        return None
    return rate(concern.likelihood, concern.impact, rationale=concern.rating_rationale or "")


# --- category changes as JSON -----------------------------------------------------------


def change_to_json(change: CategoryChange) -> dict[str, Any]:
    """Serialise a :class:`CategoryChange` for :attr:`ConcernEvent.detail`."""
    approval = change.national_approval
    return {
        "concern_id": change.concern_id,
        "from_category": change.from_category,
        "to_category": change.to_category,
        "direction": change.direction,
        "by": change.by,
        "at": change.at.isoformat(),
        "reason": change.reason,
        "evidence": [
            {"kind": e.kind.value, "ref": e.ref, "summary": e.summary, "window": e.window}
            for e in change.evidence
        ],
        "reason_code": change.reason_code.value if change.reason_code else None,
        "national_approval": None
        if approval is None
        else {"approver": approval.approver, "approved_on": approval.approved_on.isoformat()},
    }


def change_from_json(data: dict[str, Any]) -> CategoryChange:
    """The :class:`CategoryChange` that :func:`change_to_json` stored.

    Examples
    --------
    >>> from nets_app.domain.isf import Proposal, transition
    >>> _, c = transition(None, Proposal("7", 2, "qa", dt.datetime(2025, 1, 2, 3, 4, 5, 6),
    ...                   "flags confirmed", [Evidence("flag", "flag:1", "funnel_low")]))
    >>> change_from_json(change_to_json(c)) == c
    True
    """
    approval = data.get("national_approval")
    code = data.get("reason_code")
    return CategoryChange(
        concern_id=data["concern_id"],
        from_category=data["from_category"],
        to_category=data["to_category"],
        direction=data["direction"],
        by=data["by"],
        at=dt.datetime.fromisoformat(data["at"]),
        reason=data["reason"],
        evidence=tuple(
            Evidence(e["kind"], e["ref"], e.get("summary", ""), e.get("window"))
            for e in data["evidence"]
        ),
        reason_code=ReasonCode(code) if code else None,
        national_approval=None
        if approval is None
        else NationalApproval(approval["approver"], dt.date.fromisoformat(approval["approved_on"])),
    )
