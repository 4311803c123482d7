"""ISF categories 0-4 of a concern and how a category may change.

Who to tell, register entry and the provider's category are in
:mod:`nets_app.domain.isf_reporting`.

A concern's category changes only through :func:`transition`, which takes the current
state (``None`` for a new concern) and a :class:`Proposal`, and returns the new
:class:`IsfState` with the :class:`CategoryChange` to store, or raises a
:class:`~nets_app.domain.errors.TransitionError` naming the rule. :func:`replay`
re-applies stored changes and so proves a history valid.

The rules, from *A guide to the HEE Intensive Support Framework*, "Movement between ISF
categories" (seed lines 117-119) and "Risk categorisation of concerns" (line 61), by id:

- ``isf.category_range``: a category is an int 0-4.
- ``isf.concern_mismatch``: the proposal names the state's concern.
- ``isf.change_who`` / ``isf.change_when`` / ``isf.change_why`` /
  ``isf.change_evidence``: every change records who (non-blank), when (a datetime), why
  (non-blank) and at least one :class:`Evidence`.
- ``isf.change_order``: a change is not earlier than the current category's start.
- ``isf.initial_not_4``: an initial category is never 4 (the guide: "almost always below
  category 4"; the platform makes it never, as 4 follows 3 as a last resort).
- ``isf.no_change``: a change must change the category.
- ``isf.reason_code_fit``: ``insufficient_progress`` only on an escalation from 1, 2 or
  3; no reason code on a de-escalation.
- ``isf.escalation_to_3``: to 3 only on insufficient progress at 1-2 or a significant,
  rapid fall in quality (``rapid_fall``, from any lower category or initially).
- ``isf.cat4_from_3``: 4 only from 3 ("as a last resort", when category 3 "fails to
  address the situation").
- ``isf.cat4_national_approval``: 4 only with a recorded national approval (approver,
  date on or before the change): "Where category 4 is to be applied to a concern, there
  will need to be scrutiny and agreement at a national level".
- ``isf.deescalation_evidence``: a lower category only with evidence of sustained
  improvement (an item whose kind is in ``IMPROVEMENT_KINDS``, e.g. a later window
  without the flag).

Checks run in this order; the first that fails is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from nets_app.domain._checks import is_int, is_text
from nets_app.domain.errors import TransitionError
from nets_app.domain.isf_config import (
    CATEGORIES,
    IMPROVEMENT_KINDS,
    EvidenceKind,
    IsfCategory,
    ReasonCode,
)

__all__ = [
    "CategoryChange",
    "Evidence",
    "IsfState",
    "NationalApproval",
    "Proposal",
    "category_info",
    "check_category",
    "replay",
    "transition",
]


def check_category(value: object) -> int:
    """Return ``value`` as an int if it is an ISF category 0-4, else raise.

    Examples
    --------
    >>> check_category(2)
    2
    >>> check_category(5)
    Traceback (most recent call last):
    ...
    nets_app.domain.errors.TransitionError: [isf.category_range] an ISF category is a whole \
number from 0 (No concerns) to 4 (Training suspended), got 5
    """
    if not is_int(value) or not 0 <= int(value) <= 4:  # type: ignore[call-overload]
        raise TransitionError(
            "isf.category_range",
            "an ISF category is a whole number from 0 (No concerns) to 4 (Training "
            f"suspended), got {value!r}",
        )
    return int(value)  # type: ignore[call-overload]


def category_info(category: int) -> IsfCategory:
    """The guide's description of a category: monitoring, support, registers, pace.

    Examples
    --------
    >>> info = category_info(2)
    >>> info.name, info.support, info.register, info.action_plan_required
    ('Significant concerns', 'Enhanced support programme', 'by_score', True)
    """
    return CATEGORIES[check_category(category)]


# --- state, proposals, change records -------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence behind a category change.

    Attributes
    ----------
    kind : EvidenceKind or str
        See :class:`~nets_app.domain.isf_config.EvidenceKind`.
    ref : str
        What it is, findable again (a flag id, a visit report, a document).
    summary : str
        What it shows.
    window : str or None
        The survey window, for survey evidence.
    """

    kind: EvidenceKind
    ref: str
    summary: str = ""
    window: str | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", EvidenceKind(self.kind))
        except ValueError:
            raise TransitionError(
                "isf.evidence_item",
                f"evidence kind must be one of {[k.value for k in EvidenceKind]}, "
                f"got {self.kind!r}",
            ) from None
        if not is_text(self.ref):
            raise TransitionError(
                "isf.evidence_item", "evidence needs a ref saying where to find it"
            )

    @property
    def shows_improvement(self) -> bool:
        """True for the kinds that count as evidence of sustained improvement."""
        return self.kind in IMPROVEMENT_KINDS


@dataclass(frozen=True)
class NationalApproval:
    """The national scrutiny and agreement that category 4 needs (guide line 61)."""

    approver: str
    approved_on: date


@dataclass(frozen=True)
class IsfState:
    """A concern's current ISF category.

    Attributes
    ----------
    concern_id : str
    category : int
    since : datetime
        When the last change took effect.
    changes : int
        How many changes made this state (1 after the initial categorisation).
    """

    concern_id: str
    category: int
    since: datetime
    changes: int = 1


@dataclass(frozen=True)
class Proposal:
    """A proposed category for a concern: who proposes it, when, why, on what evidence.

    ``reason_code`` is needed to escalate to 3; ``national_approval`` to move to 4.
    """

    concern_id: str
    to_category: int
    by: str
    at: datetime
    reason: str
    evidence: Sequence[Evidence]
    reason_code: ReasonCode | None = None
    national_approval: NationalApproval | None = None


@dataclass(frozen=True)
class CategoryChange:
    """The record of one applied change, as the service should store it.

    ``direction`` is ``"initial"``, ``"escalation"`` or ``"de-escalation"``;
    ``from_category`` is ``None`` for the initial categorisation.
    """

    concern_id: str
    from_category: int | None
    to_category: int
    direction: str
    by: str
    at: datetime
    reason: str
    evidence: tuple[Evidence, ...]
    reason_code: ReasonCode | None = None
    national_approval: NationalApproval | None = None

    def as_proposal(self) -> Proposal:
        """The proposal that produced this change (used by :func:`replay`)."""
        return Proposal(
            concern_id=self.concern_id,
            to_category=self.to_category,
            by=self.by,
            at=self.at,
            reason=self.reason,
            evidence=self.evidence,
            reason_code=self.reason_code,
            national_approval=self.national_approval,
        )


# --- the rules ----------------------------------------------------------------------------


def _check_record(current: IsfState | None, p: Proposal) -> tuple[Evidence, ...]:
    """who / when / why / evidence, concern identity and time order."""
    if not is_text(p.concern_id):
        raise TransitionError("isf.concern_mismatch", "a proposal must name its concern")
    if current is not None and p.concern_id != current.concern_id:
        raise TransitionError(
            "isf.concern_mismatch",
            f"proposal is for concern {p.concern_id!r} but the state is of {current.concern_id!r}",
        )
    if not is_text(p.by):
        raise TransitionError("isf.change_who", "every change records who made it (by)")
    if not isinstance(p.at, datetime):
        raise TransitionError(
            "isf.change_when", f"every change records when (a datetime), got {p.at!r}"
        )
    if not is_text(p.reason):
        raise TransitionError("isf.change_why", "every change records why: give a non-empty reason")
    evidence = tuple(p.evidence) if isinstance(p.evidence, Sequence) else ()
    if not evidence or not all(isinstance(e, Evidence) for e in evidence):
        raise TransitionError(
            "isf.change_evidence",
            "every change records its evidence: give at least one Evidence item",
        )
    if current is not None:
        try:
            earlier = p.at < current.since
        except TypeError:
            raise TransitionError(
                "isf.change_when",
                "use timezone-aware datetimes throughout, or naive ones throughout",
            ) from None
        if earlier:
            raise TransitionError(
                "isf.change_order",
                f"a change at {p.at.isoformat()} cannot come before the current category's "
                f"start at {current.since.isoformat()}",
            )
    return evidence


def _check_reason_code(frm: int | None, to: int, code: object) -> ReasonCode | None:
    if code is None:
        return None
    try:
        code = ReasonCode(code)
    except ValueError:
        raise TransitionError(
            "isf.reason_code_fit",
            f"reason_code must be one of {[c.value for c in ReasonCode]} or None, got {code!r}",
        ) from None
    if frm is not None and to < frm:
        raise TransitionError(
            "isf.reason_code_fit",
            f"reason code {code.value!r} explains an escalation, not a de-escalation",
        )
    if code is ReasonCode.INSUFFICIENT_PROGRESS and frm not in (1, 2, 3):
        start = "an initial categorisation" if frm is None else f"category {frm}"
        raise TransitionError(
            "isf.reason_code_fit",
            f"insufficient progress applies to concerns at category 1, 2 or 3, not to {start}",
        )
    return code


def _check_approval(approval: object, at: datetime) -> None:
    if not isinstance(approval, NationalApproval):
        raise TransitionError(
            "isf.cat4_national_approval",
            "category 4 needs a recorded national approval (approver and date): the guide "
            "requires scrutiny and agreement at a national level",
        )
    if not is_text(approval.approver):
        raise TransitionError(
            "isf.cat4_national_approval", "the national approval must name its approver"
        )
    day = approval.approved_on
    if not isinstance(day, date) or isinstance(day, datetime) or day > at.date():
        raise TransitionError(
            "isf.cat4_national_approval",
            f"the national approval needs a date on or before the change, got {day!r}",
        )


def transition(current: IsfState | None, proposal: Proposal) -> tuple[IsfState, CategoryChange]:
    """Apply a proposed category change if the ISF rules allow it.

    Parameters
    ----------
    current : IsfState or None
        The concern's state; ``None`` for a new concern (initial categorisation).
    proposal : Proposal

    Returns
    -------
    (IsfState, CategoryChange)
        The new state and the record to store.

    Raises
    ------
    TransitionError
        Naming the first rule that refuses (see the module docstring).

    Examples
    --------
    >>> from datetime import datetime, date
    >>> flag = Evidence("flag", "flag:P1:2024:funnel_low")
    >>> s1, c1 = transition(None, Proposal("C1", 2, "qa.lead", datetime(2024, 5, 1),
    ...                                    "Two adverse flags, confirmed", [flag]))
    >>> s1.category, c1.direction
    (2, 'initial')
    >>> transition(s1, Proposal("C1", 3, "qa.lead", datetime(2024, 9, 1),
    ...                         "No better", [flag]))
    Traceback (most recent call last):
    ...
    nets_app.domain.errors.TransitionError: [isf.escalation_to_3] escalation to category 3 \
needs reason code 'insufficient_progress' (at category 1 or 2) or 'rapid_fall'
    >>> s2, c2 = transition(s1, Proposal("C1", 1, "qa.lead", datetime(2025, 5, 1),
    ...     "2025 window clear", [Evidence("window_without_flag", "P1:2025")]))
    >>> s2.category, s2.changes, c2.from_category, c2.direction
    (1, 2, 2, 'de-escalation')
    """
    to = check_category(proposal.to_category)
    evidence = _check_record(current, proposal)
    frm = None if current is None else current.category
    if frm is None and to == 4:
        raise TransitionError(
            "isf.initial_not_4",
            "an initial category is never 4: training is suspended only as a last resort "
            "after category 3",
        )
    if frm == to:
        raise TransitionError("isf.no_change", f"the concern is already at category {to}")
    code = _check_reason_code(frm, to, proposal.reason_code)

    if frm is None:
        direction = "initial"
    elif to > frm:
        direction = "escalation"
        # _check_reason_code has already refused insufficient progress from 0, so any
        # code left is one of the guide's two grounds for category 3.
        if to == 3 and code is None:
            raise TransitionError(
                "isf.escalation_to_3",
                "escalation to category 3 needs reason code 'insufficient_progress' (at "
                "category 1 or 2) or 'rapid_fall'",
            )
        if to == 4:
            if frm != 3:
                raise TransitionError(
                    "isf.cat4_from_3",
                    f"category 4 is a last resort after category 3; the concern is at {frm}",
                )
            _check_approval(proposal.national_approval, proposal.at)
    else:
        direction = "de-escalation"
        if not any(e.shows_improvement for e in evidence):
            kinds = sorted(k.value for k in IMPROVEMENT_KINDS)
            raise TransitionError(
                "isf.deescalation_evidence",
                "de-escalation needs recorded evidence of sustained improvement: at least "
                f"one evidence item of kind {kinds} (e.g. the next window without the flag)",
            )

    change = CategoryChange(
        concern_id=proposal.concern_id,
        from_category=frm,
        to_category=to,
        direction=direction,
        by=proposal.by.strip(),
        at=proposal.at,
        reason=proposal.reason.strip(),
        evidence=evidence,
        reason_code=code,
        national_approval=proposal.national_approval if to == 4 else None,
    )
    state = IsfState(
        concern_id=proposal.concern_id,
        category=to,
        since=proposal.at,
        changes=1 if current is None else current.changes + 1,
    )
    return state, change


def replay(changes: Iterable[CategoryChange]) -> list[IsfState]:
    """Re-apply a concern's stored changes in order and return the state after each.

    Every change is re-checked by :func:`transition`, and must be exactly the record
    that :func:`transition` would produce from the state before it, so a history that
    replays is a history the rules allowed.

    Raises
    ------
    TransitionError
        ``isf.replay_chain`` if a record does not follow from the one before (wrong
        ``from_category``, concern or direction), or the rule a change breaks; the
        message gives the change's position.

    Examples
    --------
    >>> from datetime import datetime
    >>> ev = [Evidence("flag", "f1")]
    >>> _, c1 = transition(None, Proposal("C1", 1, "qa", datetime(2024, 1, 1), "flag", ev))
    >>> [s.category for s in replay([c1])]
    [1]
    >>> replay([c1, c1])
    Traceback (most recent call last):
    ...
    nets_app.domain.errors.TransitionError: [isf.replay_chain] change 2 of concern 'C1' \
does not follow from the state before it: recorded from category None, but the concern \
was at 1
    """
    history: list[IsfState] = []
    state: IsfState | None = None
    for i, change in enumerate(changes, start=1):
        before = None if state is None else state.category
        if not isinstance(change, CategoryChange) or change.from_category != before:
            got = getattr(change, "from_category", change)
            raise TransitionError(
                "isf.replay_chain",
                f"change {i} of concern {getattr(change, 'concern_id', '?')!r} does not "
                f"follow from the state before it: recorded from category {got!r}, but the "
                f"concern was at {before!r}",
            )
        try:
            state, redone = transition(state, change.as_proposal())
        except TransitionError as err:
            raise TransitionError(err.rule, f"change {i}: {err.detail}") from err
        if redone != change:
            raise TransitionError(
                "isf.replay_chain",
                f"change {i} of concern {change.concern_id!r} is not the record its proposal "
                f"produces (stored {change!r}, recomputed {redone!r})",
            )
        history.append(state)
    return history
