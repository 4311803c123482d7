"""The risk register and ISF service: stores the decisions of the pure domain rules.

Every function here is one unit of work: it loads what it needs, asks a function in
:mod:`nets_app.domain` to decide (:func:`~nets_app.domain.risk.suggest_rating`,
:func:`~nets_app.domain.risk.rate`, :func:`~nets_app.domain.risk.override`,
:func:`~nets_app.domain.isf.transition`, :class:`~nets_app.domain.actions.Action`),
stores the decision with an entry in the concern's trail, and commits. When a rule
refuses, it raises a :class:`~nets_app.domain.errors.DomainError` naming the rule and
the transaction is rolled back: nothing is changed.

The workflow of a concern::

    proposed (from flags) --confirm--> open --close--> closed
        \\--dismiss--> dismissed            (manual concerns start open)

Rating, category changes, evidence and actions apply to open concerns only (a
proposed concern carries the rating suggested from its flags until confirmed).

Rules this module adds to the domain's (all :class:`ConcernError`):

- ``concern.reason``: confirming, dismissing, closing and rating need a reason.
- ``concern.status``: the action is not allowed in the concern's status.
- ``concern.title`` / ``concern.evidence_required`` / ``concern.standard_unknown`` /
  ``concern.placement_provider``: a manual concern names what it is about, its
  evidence (at least one item) and known Quality Framework standards.
- ``concern.evidence_kind``: NETS flags are attached by the service, not typed in.
- ``concern.window_without_flag``: evidence "a later window without the flag" is
  checked against the stored flags: the window was scored, is later than the
  concern's own window, and has no flag at the concern's placement(s).
- ``concern.close_category``: a concern at ISF category 1 or above is de-escalated to
  0 (with evidence) before it is closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select

from nets_app.domain._checks import is_text
from nets_app.domain.isf import Evidence, IsfState, NationalApproval, Proposal, transition
from nets_app.domain.isf_config import EvidenceKind
from nets_app.domain.risk import DEFAULT_RISK_CONFIG, RiskConfig, override, rate
from nets_app.extensions import db
from nets_app.models import (
    AdverseFlag,
    ConcernEvidence,
    Placement,
    PlacementScore,
    Provider,
    QualityConcern,
    ScoringRun,
    SurveyWindow,
)
from nets_app.services.access import AccessDenied, NotFound
from nets_app.services.risk_actions import add_action, complete_action
from nets_app.services.risk_common import (
    ACTIVE,
    Actor,
    ConcernError,
    actor_of,
    change_to_json,
    current_rating,
    load_concern,
    rating_to_json,
    record_event,
    require_reason,
    require_status,
    store_rating,
    utc_naive,
)
from nets_app.services.risk_flags import propose_concerns_from_flags
from nets_app.services.uow import unit_of_work
from questionnaires import load_framework

__all__ = [
    "add_action",
    "add_evidence",
    "change_category",
    "close_concern",
    "complete_action",
    "confirm_concern",
    "create_manual_concern",
    "dismiss_concern",
    "propose_concerns_from_flags",
    "rate_concern",
]

#: Evidence a person may type in; "flag" items come only from stored flags.
MANUAL_KINDS = tuple(k.value for k in EvidenceKind if k is not EvidenceKind.FLAG)


# --- the quality team's decisions ---------------------------------------------------------


def confirm_concern(
    concern_id: int, actor: Actor, reason: str, *, scope: int | None = None, at=None
) -> QualityConcern:
    """Confirm a proposed concern (it becomes open) with the reason it stands."""
    at = utc_naive(at)
    with unit_of_work():
        concern = load_concern(concern_id, scope, for_update=True)
        require_status(concern, ("proposed",), "confirm")
        why = require_reason(reason, "confirming a concern")
        concern.status = "open"
        record_event(concern, "confirmed", actor, at, why)
    return concern


def dismiss_concern(
    concern_id: int, actor: Actor, reason: str, *, scope: int | None = None, at=None
) -> QualityConcern:
    """Dismiss a proposed concern with the reason it does not stand (reason required)."""
    at = utc_naive(at)
    with unit_of_work():
        concern = load_concern(concern_id, scope, for_update=True)
        require_status(concern, ("proposed",), "dismiss")
        why = require_reason(reason, "dismissing a concern")
        concern.status, concern.closed_at = "dismissed", at
        record_event(concern, "dismissed", actor, at, why)
    return concern


def close_concern(
    concern_id: int, actor: Actor, reason: str, *, scope: int | None = None, at=None
) -> QualityConcern:
    """Close an open concern; one at ISF category 1-4 must first be de-escalated to 0."""
    at = utc_naive(at)
    with unit_of_work():
        concern = load_concern(concern_id, scope, for_update=True)
        require_status(concern, ("open",), "close")
        why = require_reason(reason, "closing a concern")
        if concern.isf_category:
            raise ConcernError(
                "concern.close_category",
                f"concern {concern.id} is at ISF category {concern.isf_category}; de-escalate "
                "it to 0 with evidence of sustained improvement before closing it",
            )
        concern.status, concern.closed_at = "closed", at
        record_event(concern, "closed", actor, at, why)
    return concern


def create_manual_concern(
    *,
    provider_code: str,
    title: str,
    evidence: Sequence[Mapping[str, Any] | Evidence],
    actor: Actor,
    reason: str,
    placement_code: str | None = None,
    standards: Sequence[str] = (),
    scope: int | None = None,
    at: dt.datetime | None = None,
) -> QualityConcern:
    """Open a concern from evidence other than NETS flags (GMC survey, visit, complaint, ...).

    ``evidence`` items are mappings with ``kind`` (a value of
    :class:`~nets_app.domain.isf_config.EvidenceKind` other than ``"flag"``), ``ref``
    (where to find it), ``summary`` and optionally ``window``; at least one is needed.
    """
    at = utc_naive(at)
    with unit_of_work():
        provider = db.session.scalar(select(Provider).where(Provider.code == provider_code))
        if provider is None:
            raise NotFound("provider", provider_code, "check the provider code")
        if scope is not None and provider.region_id != scope:
            raise AccessDenied(f"provider:{provider_code}", "provider outside the user's region")
        placement = None
        if placement_code:
            placement = db.session.scalar(select(Placement).where(Placement.code == placement_code))
            if placement is None or placement.provider_id != provider.id:
                raise ConcernError(
                    "concern.placement_provider",
                    f"placement {placement_code!r} is not a placement of provider {provider_code}",
                )
        if not is_text(title):
            raise ConcernError("concern.title", "a concern needs a title saying what it is about")
        known = load_framework().standards
        unknown = [s for s in standards if s not in known]
        if unknown:
            raise ConcernError(
                "concern.standard_unknown",
                f"unknown Quality Framework standard(s) {unknown}; use ids such as 1.2 or 3.4",
            )
        items = [_manual_evidence(e) for e in evidence]
        if not items:
            raise ConcernError(
                "concern.evidence_required",
                "a concern needs at least one piece of evidence (kind and reference)",
            )
        why = require_reason(reason, "opening a concern")
        name, _ = actor_of(actor)
        concern = QualityConcern(
            provider=provider,
            placement=placement,
            title=title.strip()[:200],
            source="manual",
            status="open",
            standards=sorted(set(standards)),
            created_at=at,
            created_by=name,
        )
        db.session.add(concern)
        for item in items:
            _store_evidence(concern, item, name, at)
        record_event(concern, "created", actor, at, why,
                     {"evidence": [e.ref for e in items]})  # fmt: skip
    return concern


def _manual_evidence(item: Mapping[str, Any] | Evidence) -> Evidence:
    """A typed-in evidence item as the domain's :class:`Evidence` (which checks kind and ref)."""
    if isinstance(item, Evidence):
        return item
    if item.get("kind") == EvidenceKind.FLAG.value:
        raise ConcernError(
            "concern.evidence_kind",
            "NETS flags are attached from the stored flags, not typed in; choose another kind",
        )
    window = item.get("window") or None
    return Evidence(
        item.get("kind"), str(item.get("ref") or ""), str(item.get("summary") or ""), window
    )


def _store_evidence(concern, item: Evidence, name: str, at: dt.datetime) -> ConcernEvidence:
    window_id = None
    if item.window:
        window_id = db.session.scalar(
            select(SurveyWindow.id).where(SurveyWindow.code == item.window)
        )
    row = ConcernEvidence(
        concern=concern,
        kind=item.kind.value,
        ref=item.ref.strip()[:300],
        window_id=window_id,
        summary=item.summary,
        detail={},
        added_at=at,
        added_by=name,
    )
    db.session.add(row)
    return row


def add_evidence(
    concern_id: int,
    actor: Actor,
    item: Mapping[str, Any],
    *,
    scope: int | None = None,
    at: dt.datetime | None = None,
) -> ConcernEvidence:
    """Add a piece of triangulating evidence to an open or proposed concern."""
    at = utc_naive(at)
    with unit_of_work():
        concern = load_concern(concern_id, scope, for_update=True)
        require_status(concern, ACTIVE, "add evidence to")
        evidence = _manual_evidence(item)
        _check_window_without_flag(concern, [evidence])
        row = _store_evidence(concern, evidence, actor_of(actor)[0], at)
        record_event(concern, "evidence_added", actor, at, evidence.summary,
                     {"kind": evidence.kind.value, "ref": evidence.ref})  # fmt: skip
    return row


# --- rating ------------------------------------------------------------------------------


def rate_concern(
    concern_id: int,
    actor: Actor,
    likelihood: object,
    impact: object,
    reason: str,
    *,
    scope: int | None = None,
    at: dt.datetime | None = None,
    config: RiskConfig = DEFAULT_RISK_CONFIG,
) -> QualityConcern:
    """Rate an open concern, or override its rating (suggested or earlier) with a reason.

    A first rating is :func:`~nets_app.domain.risk.rate` with ``reason`` as its
    rationale; any later one is :func:`~nets_app.domain.risk.override`, which keeps the
    previous levels and requires the reason (rule ``risk.override_reason``).
    """
    at = utc_naive(at)
    with unit_of_work():
        concern = load_concern(concern_id, scope, for_update=True)
        require_status(concern, ("open",), "rate")
        before = current_rating(concern)
        if before is None:
            why = reason.strip() if is_text(reason) else ""
            new = rate(likelihood, impact, rationale=why, config=config)  # type: ignore[arg-type]
            require_reason(why, "a rating")
            kind = "rated"
        else:
            new = override(before, likelihood, impact, reason, config=config)  # type: ignore[arg-type]
            why, kind = new.override_reason or "", "overridden"
        store_rating(concern, new)
        record_event(concern, kind, actor, at, why, {"rating": rating_to_json(new)})
    return concern


# --- ISF category --------------------------------------------------------------------------


def _check_window_without_flag(concern: QualityConcern, items: Iterable[Evidence]) -> None:
    """Refuse "a later window without the flag" unless the stored results bear it out."""
    rule = "concern.window_without_flag"
    for e in items:
        if e.kind is not EvidenceKind.WINDOW_WITHOUT_FLAG:
            continue
        window = db.session.scalar(select(SurveyWindow).where(SurveyWindow.code == e.window))
        if window is None:
            raise ConcernError(
                rule, f"evidence {e.ref!r} must name a survey window, got {e.window!r}"
            )
        if concern.window is not None and window.opens_on <= concern.window.opens_on:
            raise ConcernError(
                rule,
                f"window {window.code} is not later than the concern's "
                f"window {concern.window.code}",
            )
        run = select(ScoringRun.id).where(ScoringRun.window_id == window.id)
        if db.session.scalar(run) is None:
            raise ConcernError(rule, f"window {window.code} has not been scored yet")
        placements = (
            [concern.placement_id]
            if concern.placement_id is not None
            else select(Placement.id).where(Placement.provider_id == concern.provider_id)
        )
        shown = db.session.scalar(
            select(PlacementScore.id).where(
                PlacementScore.window_id == window.id,
                PlacementScore.status == "ok",
                PlacementScore.placement_id.in_(placements),
            )
        )
        if shown is None:
            raise ConcernError(
                rule,
                f"window {window.code} shows no score for this concern's "
                "placement(s) (too few responses or none), so the absence of "
                "flags there shows nothing",
            )
        flagged = db.session.scalar(
            select(AdverseFlag.id).where(
                AdverseFlag.window_id == window.id, AdverseFlag.placement_id.in_(placements)
            )
        )
        if flagged is not None:
            raise ConcernError(
                rule,
                f"window {window.code} has adverse flags at this concern's "
                f"placement(s) (flag {flagged}); it is not evidence of improvement",
            )


def change_category(
    concern_id: int,
    actor: Actor,
    to_category: object,
    reason: str,
    evidence: Sequence[Mapping[str, Any] | Evidence] = (),
    *,
    evidence_ids: Sequence[int] = (),
    reason_code: str | None = None,
    national_approval: tuple[str, dt.date] | None = None,
    scope: int | None = None,
    at: dt.datetime | None = None,
) -> QualityConcern:
    """Set or change an open concern's ISF category, if :func:`transition` allows it.

    Parameters
    ----------
    to_category : int
        0-4.
    reason : str
        Why (rule ``isf.change_why``).
    evidence : sequence
        New evidence items (mappings as in :func:`create_manual_concern`), stored
        with the concern.
    evidence_ids : sequence of int
        Ids of the concern's stored evidence that also support the change.
    reason_code : {"insufficient_progress", "rapid_fall"}, optional
        Needed to escalate to 3.
    national_approval : (approver, approved_on), optional
        Needed to move to 4.
    """
    at = utc_naive(at)
    with unit_of_work():
        concern = load_concern(concern_id, scope, for_update=True)
        require_status(concern, ("open",), "categorise")
        name, _ = actor_of(actor)
        new_items = [_manual_evidence(e) for e in evidence]
        stored = {row.id: row for row in concern.evidence}
        missing = [i for i in evidence_ids if i not in stored]
        if missing:
            raise ConcernError(
                "concern.evidence_unknown", f"evidence {missing} is not evidence of this concern"
            )
        chosen = [
            Evidence(stored[i].kind, stored[i].ref, stored[i].summary,
                     stored[i].window.code if stored[i].window else None)
            for i in evidence_ids
        ]  # fmt: skip
        _check_window_without_flag(concern, new_items)
        current = None
        if concern.isf_category is not None:
            current = IsfState(
                str(concern.id), concern.isf_category, concern.isf_since, concern.isf_changes
            )
        approval = NationalApproval(*national_approval) if national_approval else None
        proposal = Proposal(
            concern_id=str(concern.id),
            to_category=to_category,  # type: ignore[arg-type]
            by=name,
            at=at,
            reason=reason,
            evidence=[*chosen, *new_items],
            reason_code=reason_code or None,  # type: ignore[arg-type]
            national_approval=approval,
        )
        state, change = transition(current, proposal)
        for item in new_items:
            _store_evidence(concern, item, name, at)
        concern.isf_category, concern.isf_since = state.category, state.since
        concern.isf_changes = state.changes
        record_event(concern, "category_change", actor, at, change.reason, change_to_json(change))
    return concern
