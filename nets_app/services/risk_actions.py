"""Action plans: SMART actions (what, owner, due date) for a concern, and their completion.

Part of the risk-register service (:mod:`nets_app.services.risk` re-exports these).
:class:`~nets_app.domain.actions.Action` and :class:`~nets_app.domain.actions.ActionPlan`
decide whether an action is SMART enough; this stores it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from nets_app.domain.actions import Action, ActionPlan
from nets_app.extensions import db
from nets_app.models import ConcernAction
from nets_app.services.access import NotFound
from nets_app.services.risk_common import (
    Actor,
    ConcernError,
    actor_of,
    load_concern,
    record_event,
    require_status,
    utc_naive,
)
from nets_app.services.uow import unit_of_work

__all__ = ["add_action", "complete_action", "domain_action"]


def domain_action(row: ConcernAction) -> Action:
    return Action(row.description, row.owner, row.due_on, row.measure or "",
                  tuple(row.standards or ()), row.done_on)  # fmt: skip


def add_action(
    concern_id: int,
    actor: Actor,
    *,
    description: str,
    owner: str,
    due_on: dt.date | None,
    measure: str = "",
    standards: Sequence[str] = (),
    scope: int | None = None,
    at: dt.datetime | None = None,
) -> ConcernAction:
    """Add a SMART action (description, owner, due date) to an open concern's plan.

    The plan is agreed on the day of its first action; every action is due on or after
    that day (rule ``action.due``).
    """
    at = utc_naive(at)
    with unit_of_work():
        concern = load_concern(concern_id, scope, for_update=True)
        require_status(concern, ("open",), "add an action to")
        action = Action(description, owner, due_on, measure or "", tuple(standards))  # type: ignore[arg-type]
        agreed = concern.plan_agreed_on or at.date()
        ActionPlan(str(concern.id), (*map(domain_action, concern.actions), action), agreed)
        name, _ = actor_of(actor)
        concern.plan_agreed_on = agreed
        row = ConcernAction(
            concern=concern,
            description=action.description.strip(),
            owner=action.owner.strip(),
            due_on=action.due,
            measure=action.measure.strip(),
            standards=list(action.standards),
            created_at=at,
            created_by=name,
        )
        db.session.add(row)
        db.session.flush()
        record_event(concern, "action_added", actor, at, action.description,
                     {"action_id": row.id, "owner": row.owner,
                      "due_on": row.due_on.isoformat()})  # fmt: skip
    return row


def complete_action(
    action_id: int,
    actor: Actor,
    done_on: dt.date | None,
    note: str = "",
    *,
    concern_id: int | None = None,
    scope: int | None = None,
    at: dt.datetime | None = None,
) -> ConcernAction:
    """Mark an action done on ``done_on`` (a date, rule ``action.done_on``).

    ``concern_id``, when given, must be the action's concern (as in a page address).
    """
    at = utc_naive(at)
    with unit_of_work():
        row = db.session.get(ConcernAction, action_id)
        if row is None or (concern_id is not None and row.concern_id != concern_id):
            raise NotFound("action", action_id, "check the action number")
        concern = load_concern(row.concern_id, scope, for_update=True)
        require_status(concern, ("open",), "complete an action of")
        if row.done_on is not None:
            raise ConcernError(
                "concern.status", f"action {row.id} was already done on {row.done_on}"
            )
        if not isinstance(done_on, dt.date) or isinstance(done_on, dt.datetime):
            raise ConcernError("action.done_on", "say when the action was done (a date)")
        if done_on > at.date():
            raise ConcernError(
                "action.done_on", f"an action cannot be done in the future ({done_on})"
            )
        done = Action(row.description, row.owner, row.due_on, done_on=done_on)
        row.done_on = done.done_on
        record_event(concern, "action_done", actor, at, note,
                     {"action_id": row.id, "done_on": done_on.isoformat()})  # fmt: skip
    return row
