"""ISF category transitions: every from -> to pair under every condition class, and replay.

Rules from "A guide to the HEE Intensive Support Framework", "Movement between ISF
categories" (seed lines 117-119) and "Risk categorisation of concerns" (line 61).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from nets_app.domain.errors import TransitionError
from nets_app.domain.isf import (
    CategoryChange,
    Evidence,
    IsfState,
    NationalApproval,
    Proposal,
    check_category,
    replay,
    transition,
)
from nets_app.domain.isf_config import EvidenceKind, ReasonCode

T0 = datetime(2024, 1, 10, 9, 0)
LATER = T0 + timedelta(days=90)
FLAG = Evidence(EvidenceKind.FLAG, "flag:P1:2024:funnel_low", "domain 3 below the limit")
CLEAR = Evidence(EvidenceKind.WINDOW_WITHOUT_FLAG, "P1:2025", "2025 window without the flag")
APPROVAL = NationalApproval("National Quality Scrutiny Forum", date(2024, 4, 1))


def proposal(to, cls="plain", *, concern="C1", at=LATER, **overrides):
    """A proposal of condition class ``cls``."""
    fields = {
        "concern_id": concern,
        "to_category": to,
        "by": "quality.lead@example.org",
        "at": at,
        "reason": "Triangulated evidence reviewed at the regional quality meeting",
        "evidence": (FLAG,),
        "reason_code": None,
        "national_approval": None,
    }
    if cls == "insufficient_progress":
        fields["reason_code"] = ReasonCode.INSUFFICIENT_PROGRESS
    elif cls == "rapid_fall":
        fields["reason_code"] = ReasonCode.RAPID_FALL
    elif cls == "national_approval":
        fields["national_approval"] = APPROVAL
    elif cls == "improvement":
        fields["evidence"] = (FLAG, CLEAR)
    else:
        assert cls == "plain", cls
    fields.update(overrides)
    return Proposal(**fields)


def state(category, concern="C1"):
    return IsfState(concern_id=concern, category=category, since=T0, changes=1)


CLASSES = ["plain", "insufficient_progress", "rapid_fall", "national_approval", "improvement"]


def expected_rule(frm, to, cls):
    """The guide's rules restated: None if the move is allowed, else the refusing rule."""
    if frm is None:  # initial categorisation
        if to == 4:
            return "isf.initial_not_4"  # "almost always below category 4": never, here
        if cls == "insufficient_progress":
            return "isf.reason_code_fit"  # no progress to be insufficient yet
        return None
    if frm == to:
        return "isf.no_change"
    if to < frm:  # de-escalation needs evidence of sustained improvement (line 119)
        if cls in ("insufficient_progress", "rapid_fall"):
            return "isf.reason_code_fit"
        return None if cls == "improvement" else "isf.deescalation_evidence"
    if cls == "insufficient_progress" and frm == 0:
        return "isf.reason_code_fit"
    if to == 3:  # insufficient progress at 1-2, or a significant and rapid fall (line 117)
        allowed = cls == "rapid_fall" or (cls == "insufficient_progress" and frm in (1, 2))
        return None if allowed else "isf.escalation_to_3"
    if to == 4:  # last resort after 3 (line 119), national agreement (line 61)
        if frm != 3:
            return "isf.cat4_from_3"
        return None if cls == "national_approval" else "isf.cat4_national_approval"
    return None  # escalation to 1 or 2 on evidence


CASES = [
    pytest.param(frm, to, cls, expected_rule(frm, to, cls), id=f"{frm}->{to}-{cls}")
    for cls in CLASSES
    for frm in (None, 0, 1, 2, 3, 4)
    for to in range(5)
]


def test_case_count():
    # 5 condition classes x (5 x 5 pairs + 5 initial categories)
    assert len(CASES) == 5 * (25 + 5)
    assert sum(1 for c in CASES if c.values[3] is None) > 0


@pytest.mark.parametrize(("frm", "to", "cls", "rule"), CASES)
def test_transition_matrix(frm, to, cls, rule):
    current = None if frm is None else state(frm)
    p = proposal(to, cls)
    if rule is None:
        new, change = transition(current, p)
        assert (new.concern_id, new.category, new.since) == ("C1", to, LATER)
        assert new.changes == (1 if frm is None else 2)
        assert (change.from_category, change.to_category) == (frm, to)
        direction = "initial" if frm is None else "escalation" if to > frm else "de-escalation"
        assert change.direction == direction
        assert (change.by, change.at, change.evidence) == (p.by, p.at, tuple(p.evidence))
        assert change.national_approval == (APPROVAL if to == 4 else None)
    else:
        with pytest.raises(TransitionError) as info:
            transition(current, p)
        assert info.value.rule == rule
        assert f"[{rule}]" in str(info.value)


def test_transition_does_not_touch_its_inputs():
    current = state(2)
    p = proposal(1, "improvement")
    before = (current, p)
    transition(current, p)
    with pytest.raises(TransitionError):
        transition(current, proposal(4, "national_approval"))
    assert (current, p) == before


# --- who / when / why / evidence ---------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "rule"),
    [
        ({"by": ""}, "isf.change_who"),
        ({"by": "   "}, "isf.change_who"),
        ({"by": None}, "isf.change_who"),
        ({"at": date(2024, 4, 1)}, "isf.change_when"),
        ({"at": "2024-04-01T09:00"}, "isf.change_when"),
        ({"at": None}, "isf.change_when"),
        ({"reason": ""}, "isf.change_why"),
        ({"reason": " \n"}, "isf.change_why"),
        ({"reason": None}, "isf.change_why"),
        ({"evidence": ()}, "isf.change_evidence"),
        ({"evidence": None}, "isf.change_evidence"),
        ({"evidence": ("flag:P1",)}, "isf.change_evidence"),
        ({"evidence": "flag:P1"}, "isf.change_evidence"),
        ({"concern_id": "C2"}, "isf.concern_mismatch"),
        ({"concern_id": ""}, "isf.concern_mismatch"),
        ({"at": T0 - timedelta(seconds=1)}, "isf.change_order"),
        ({"at": LATER.replace(tzinfo=UTC)}, "isf.change_when"),
        ({"to_category": 5}, "isf.category_range"),
        ({"to_category": -1}, "isf.category_range"),
        ({"to_category": 2.0}, "isf.category_range"),
        ({"to_category": "2"}, "isf.category_range"),
        ({"reason_code": "getting_worse"}, "isf.reason_code_fit"),
    ],
)
def test_every_change_records_who_when_why_evidence(override, rule):
    with pytest.raises(TransitionError) as info:
        transition(state(1), proposal(2, **override))
    assert info.value.rule == rule
    assert f"[{rule}]" in str(info.value)


@pytest.mark.parametrize("override", [{"by": ""}, {"reason": ""}, {"evidence": ()}])
def test_initial_categorisation_also_needs_who_why_evidence(override):
    with pytest.raises(TransitionError):
        transition(None, proposal(1, **override))


def test_change_at_the_same_moment_is_allowed():
    new, _ = transition(state(1), proposal(2, at=T0))
    assert new.since == T0


def test_reason_code_as_string_is_accepted_and_normalised():
    _, change = transition(state(2), proposal(3, reason_code="rapid_fall"))
    assert change.reason_code is ReasonCode.RAPID_FALL


def test_reason_and_who_are_stored_stripped():
    _, change = transition(state(1), proposal(2, by="  qa.lead ", reason="  why  "))
    assert (change.by, change.reason) == ("qa.lead", "why")


# --- category 4 and de-escalation in detail ---------------------------------------------


def test_initial_4_is_refused_even_with_national_approval():
    with pytest.raises(TransitionError) as info:
        transition(None, proposal(4, "national_approval"))
    assert info.value.rule == "isf.initial_not_4"
    assert "[isf.initial_not_4]" in str(info.value)


@pytest.mark.parametrize(
    "approval",
    [
        None,
        "approved by the national team",
        NationalApproval("", date(2024, 4, 1)),
        NationalApproval("   ", date(2024, 4, 1)),
        NationalApproval("JSOG", None),
        NationalApproval("JSOG", "2024-04-01"),
        NationalApproval("JSOG", datetime(2024, 4, 1, 9)),
        NationalApproval("JSOG", LATER.date() + timedelta(days=1)),
    ],
)
def test_4_needs_a_recorded_national_approval(approval):
    with pytest.raises(TransitionError) as info:
        transition(state(3), proposal(4, national_approval=approval))
    assert info.value.rule == "isf.cat4_national_approval"
    assert "[isf.cat4_national_approval]" in str(info.value)


def test_4_with_approval_on_the_day_is_allowed():
    approval = NationalApproval("JSOG", LATER.date())
    new, change = transition(state(3), proposal(4, national_approval=approval))
    assert new.category == 4 and change.national_approval == approval


def test_approval_is_not_recorded_on_other_moves():
    _, change = transition(state(1), proposal(2, "national_approval"))
    assert change.national_approval is None


@pytest.mark.parametrize(
    "kind",
    [k for k in EvidenceKind if k not in {EvidenceKind.WINDOW_WITHOUT_FLAG,
                                          EvidenceKind.IMPROVEMENT_FEEDBACK,
                                          EvidenceKind.INTERVENTION_FOUND_RESOLVED}],
)  # fmt: skip
def test_deescalation_without_improvement_evidence(kind):
    with pytest.raises(TransitionError) as info:
        transition(state(2), proposal(1, evidence=(Evidence(kind, "ref"),)))
    assert info.value.rule == "isf.deescalation_evidence"
    assert "[isf.deescalation_evidence]" in str(info.value)


@pytest.mark.parametrize(
    "kind",
    [EvidenceKind.WINDOW_WITHOUT_FLAG, EvidenceKind.IMPROVEMENT_FEEDBACK,
     EvidenceKind.INTERVENTION_FOUND_RESOLVED],
)  # fmt: skip
def test_deescalation_with_improvement_evidence(kind):
    new, change = transition(state(4), proposal(3, evidence=(Evidence(kind, "ref"),)))
    assert (new.category, change.direction) == (3, "de-escalation")


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [({"kind": "rumour", "ref": "x"}, "evidence kind"), ({"kind": "flag", "ref": " "}, "ref")],
)
def test_bad_evidence_item(kwargs, needle):
    with pytest.raises(TransitionError) as info:
        Evidence(**kwargs)
    assert info.value.rule == "isf.evidence_item" and needle in str(info.value)


def test_evidence_kind_from_string():
    assert Evidence("window_without_flag", "P1:2025").shows_improvement
    assert not Evidence("flag", "f").shows_improvement


@pytest.mark.parametrize("bad", [5, -1, 2.0, "2", None, True])
def test_check_category(bad):
    with pytest.raises(TransitionError) as info:
        check_category(bad)
    assert info.value.rule == "isf.category_range"


# --- replay -------------------------------------------------------------------------------


def _valid_history():
    """Initial 2 -> 3 (insufficient progress) -> 4 (approved) -> 3 -> 1 -> 0."""
    steps = [
        (None, proposal(2, at=T0)),
        ("s", proposal(3, "insufficient_progress", at=T0 + timedelta(days=120))),
        ("s", proposal(4, "national_approval", at=T0 + timedelta(days=200),
                       national_approval=NationalApproval("JSOG", date(2024, 7, 20)))),
        ("s", proposal(3, evidence=(Evidence("improvement_feedback", "consultant feedback"),),
                       at=T0 + timedelta(days=400))),
        ("s", proposal(1, "improvement", at=T0 + timedelta(days=500))),
        ("s", proposal(0, "improvement", at=T0 + timedelta(days=600))),
    ]  # fmt: skip
    current, changes = None, []
    for _, p in steps:
        current, change = transition(current, p)
        changes.append(change)
    return changes


def test_replay_valid_history():
    changes = _valid_history()
    history = replay(changes)
    assert [s.category for s in history] == [2, 3, 4, 3, 1, 0]
    assert [s.changes for s in history] == [1, 2, 3, 4, 5, 6]
    assert history[-1].since == changes[-1].at
    assert [c.direction for c in changes] == [
        "initial", "escalation", "escalation", "de-escalation", "de-escalation", "de-escalation"
    ]  # fmt: skip


def test_replay_empty_history():
    assert replay([]) == []


def _forge(change, **fields):
    values = {f: getattr(change, f) for f in CategoryChange.__dataclass_fields__}
    values.update(fields)
    return CategoryChange(**values)


@pytest.mark.parametrize(
    ("tamper", "rule"),
    [
        # a record whose from_category does not follow the state before it
        (lambda ch: [ch[0], _forge(ch[1], from_category=1)] + ch[2:], "isf.replay_chain"),
        # a dropped record breaks the chain
        (lambda ch: [ch[0]] + ch[2:], "isf.replay_chain"),
        # history must start with an initial categorisation
        (lambda ch: ch[1:], "isf.replay_chain"),
        # a recorded direction that the rules would not give
        (lambda ch: [ch[0], _forge(ch[1], direction="de-escalation")] + ch[2:],
         "isf.replay_chain"),
        # a forged jump straight to 4 without approval
        (lambda ch: [ch[0], _forge(ch[1], to_category=4, reason_code=None)],
         "isf.cat4_from_3"),
        # a forged de-escalation without improvement evidence
        (lambda ch: ch[:4] + [_forge(ch[4], evidence=(FLAG,))], "isf.deescalation_evidence"),
        # out of time order
        (lambda ch: [ch[0], _forge(ch[1], at=T0 - timedelta(days=1))], "isf.change_order"),
        # records of another concern mixed in
        (lambda ch: [ch[0], _forge(ch[1], concern_id="C9")], "isf.concern_mismatch"),
        # an initial 4
        (lambda ch: [_forge(ch[0], to_category=4)], "isf.initial_not_4"),
        # not a change record at all
        (lambda ch: [ch[0], {"to_category": 3}], "isf.replay_chain"),
    ],
)  # fmt: skip
def test_replay_invalid_history(tamper, rule):
    with pytest.raises(TransitionError) as info:
        replay(tamper(_valid_history()))
    assert info.value.rule == rule
    assert f"[{rule}]" in str(info.value)
    assert "change " in str(info.value)
