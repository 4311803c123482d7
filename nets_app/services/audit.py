"""The audit trail: who viewed or exported which results, who was refused, who signed in.

``record`` adds an event to the caller's transaction, so a view of results and its
audit entry commit together (and a failed change leaves no false "ok" entry).
``record_refusal`` owns its own transaction: a refused request rolls back whatever
it did, but the refusal itself must stay on the record.

Learners never appear here: events name staff and the target of their action
(e.g. ``"placement:PL12 window:2025"``), never a response.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import AuditEvent
from nets_app.services.uow import unit_of_work

#: Actions written by this platform (others may add their own).
ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "view",
    "export",
    "forbidden",
    "update",
    "create",
)


def _current_staff_id() -> int | None:
    if not has_request_context():
        return None
    user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return int(user.staff_id)


def record(
    action: str,
    target: str,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
    *,
    staff_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits).

    Parameters
    ----------
    action : str
        What was done, e.g. ``"view"``, ``"export"``, ``"forbidden"`` (see ``ACTIONS``).
    target : str
        What it was done to, e.g. ``"placement:PL12 window:2025"`` (at most 300 chars).
    outcome : str, default "ok"
        ``"ok"``, ``"denied"``, ``"failed"``.
    detail : dict, optional
        Filters, row counts, reasons: plain JSON values only.
    staff_id : int, optional
        The acting staff user; defaults to the signed-in user of the request.
    """
    if not action or len(action) > 40:
        raise ValueError(f"audit action must be 1-40 characters, got {action!r}")
    event = AuditEvent(
        at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        staff_id=staff_id if staff_id is not None else _current_staff_id(),
        action=action,
        target=target[:300],
        outcome=outcome,
        detail=dict(detail or {}),
    )
    db.session.add(event)
    return event


def record_refusal(target: str, reason: str, *, action: str = "forbidden") -> None:
    """Roll back the refused request's work and store the refusal in its own transaction."""
    db.session.rollback()
    with unit_of_work():
        record(action, target, "denied", {"reason": reason})


def recent(limit: int = 50, *, action: str | None = None) -> list[AuditEvent]:
    """The newest events first (for the admin's audit page and the tests)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))
