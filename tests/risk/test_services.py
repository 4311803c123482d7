"""The risk service stores the domain's decisions, on SQLite and PostgreSQL.

Matrix cells and transitions are tested exhaustively in tests/domain; here a
representative subset goes through the database, and every refusal is checked to
leave every risk table exactly as it was.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from nets_app.domain.errors import DomainError
from nets_app.domain.isf import replay
from nets_app.domain.risk import suggest_rating
from nets_app.extensions import db
from nets_app.models import ConcernEvent, QualityConcern
from nets_app.services import risk
from nets_app.services import risk_reports as reports
from nets_app.services.access import AccessDenied, NotFound
from nets_app.services.risk_common import change_from_json
from tests.risk.factories import (
    create_flag,
    create_score,
    create_staff,
    flagged_placement,
)
from tests.risk.factories import two_windows as windows

T0 = dt.datetime(2024, 5, 1, 9, 0)
ACTOR = "Q. Lead (qa@nets.test)"


def _at(days: int) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


def _open_concern(window, *, category=None, rate_to=None):
    """A confirmed concern from three flags, optionally rated and categorised. Committed."""
    placement, flags = flagged_placement(window)
    db.session.commit()
    (concern,) = risk.propose_concerns_from_flags(window.code, at=_at(0))
    risk.confirm_concern(concern.id, ACTOR, "Flags agree with the visit notes", at=_at(1))
    if rate_to:
        risk.rate_concern(concern.id, ACTOR, *rate_to, "Visit confirmed it", at=_at(2))
    if category is not None:
        risk.change_category(
            concern.id,
            ACTOR,
            category,
            "Flags confirmed",
            [],
            evidence_ids=[concern.evidence[0].id],
            at=_at(3),
        )
    return db.session.get(QualityConcern, concern.id), placement, flags


# --- flags -> proposed concerns ---------------------------------------------------------------


def test_flags_become_one_proposed_concern_per_placement_with_the_suggested_rating(app):
    w1, _ = windows()
    p1, flags1 = flagged_placement(w1)
    p2, _ = flagged_placement(w1, rules=("patient_safety_concern",))
    db.session.commit()

    created = risk.propose_concerns_from_flags(w1.code, at=_at(0))

    assert sorted(c.placement_id for c in created) == sorted([p1.id, p2.id])
    c1 = next(c for c in created if c.placement_id == p1.id)
    assert c1.status == "proposed" and c1.source == "flags" and c1.provider_id == p1.provider_id
    assert sorted(e.flag_id for e in c1.evidence) == sorted(f.id for f in flags1)
    # the same flags, written by hand as the domain takes them (scale as the measure)
    expected = suggest_rating(
        [
            {"rule": "funnel_low", "measure": "supervision", "value": 54.0, "limit": 58.0,
             "n": 14, "window": w1.code},
            {"rule": "significant_fall", "measure": "supervision", "value": -9.0,
             "limit": -6.0, "n": 14, "window": w1.code},
            {"rule": "three_poor_windows", "measure": "overall", "value": 3.0, "limit": 3.0,
             "n": 14, "window": w1.code},
        ]
    )  # fmt: skip
    assert (c1.likelihood, c1.impact, c1.score, c1.rag, c1.level) == (
        expected.likelihood, expected.impact, expected.score, expected.rag, expected.level,
    )  # fmt: skip
    assert c1.rating_basis == "suggested" and c1.rating_rationale == expected.rationale
    # supervision items map to standards in the instrument (e.g. 3.1 educational support)
    assert c1.standards and all("." in s for s in c1.standards)
    (event,) = c1.events
    assert event.kind == "proposed" and event.detail["rating"]["score"] == expected.score


def test_proposing_twice_changes_nothing_and_new_flags_join_the_active_concern(app, snap):
    w1, w2 = windows()
    placement, _ = flagged_placement(w1)
    db.session.commit()
    (concern,) = risk.propose_concerns_from_flags(w1.code, at=_at(0))
    before = snap()
    assert risk.propose_concerns_from_flags(w1.code, at=_at(1)) == []
    assert snap() == before

    later = create_flag(placement, w2, "adverse_items")
    db.session.commit()
    assert risk.propose_concerns_from_flags(w2.code, at=_at(2)) == []
    concern = db.session.get(QualityConcern, concern.id)
    assert later.id in {e.flag_id for e in concern.evidence}
    assert [e.kind for e in concern.events] == ["proposed", "evidence_added"]


def test_rescored_flags_of_a_dismissed_concern_are_not_proposed_again(app, snap):
    w1, _ = windows()
    placement, flags = flagged_placement(w1)
    db.session.commit()
    (concern,) = risk.propose_concerns_from_flags(w1.code, at=_at(0))
    risk.dismiss_concern(concern.id, ACTOR, "Rota artefact", at=_at(1))
    # rescoring replaces the flag rows: same content, new ids
    for f in flags:
        db.session.delete(f)
    db.session.flush()
    for f in flags:
        create_flag(placement, w1, f.rule)
    db.session.commit()
    before = snap()
    assert risk.propose_concerns_from_flags(w1.code, at=_at(2)) == []
    assert snap() == before


def test_flags_the_configuration_does_not_weigh_are_evidence_but_not_rated(app):
    w1, _ = windows()
    placement, flags = flagged_placement(w1, rules=("funnel_low", "future_rule"))
    db.session.commit()
    (concern,) = risk.propose_concerns_from_flags(w1.code, at=_at(0))
    expected = suggest_rating([{"rule": "funnel_low", "measure": "supervision", "value": 54.0,
                                "limit": 58.0, "n": 14, "window": w1.code}])  # fmt: skip
    assert (concern.likelihood, concern.impact) == (expected.likelihood, expected.impact)
    assert sorted(e.flag_id for e in concern.evidence) == sorted(f.id for f in flags)
    assert concern.events[0].detail["not_weighed"]["rules"] == ["future_rule"]


def test_a_bullying_concern_flag_is_weighed_like_adverse_items(app):
    w1, _ = windows()
    flagged_placement(w1, rules=("bullying_concern",))
    db.session.commit()
    (concern,) = risk.propose_concerns_from_flags(w1.code, at=_at(0))
    assert concern.impact == 4
    assert "not_weighed" not in concern.events[0].detail


def test_unknown_window_is_not_found(app):
    with pytest.raises(NotFound):
        risk.propose_concerns_from_flags("no-such-window")


# --- decisions ----------------------------------------------------------------------------


def test_confirm_and_dismiss_record_who_when_why(app):
    w1, _ = windows()
    flagged_placement(w1)
    flagged_placement(w1)
    db.session.commit()
    a, b = risk.propose_concerns_from_flags(w1.code, at=_at(0))
    staff = create_staff("regional")
    db.session.commit()

    risk.confirm_concern(a.id, staff, "Visit found the same", at=_at(1))
    risk.dismiss_concern(b.id, "nets-cli", "Known rota gap, already fixed", at=_at(1))

    a, b = db.session.get(QualityConcern, a.id), db.session.get(QualityConcern, b.id)
    assert (a.status, b.status) == ("open", "dismissed")
    last_a, last_b = a.events[-1], b.events[-1]
    assert (last_a.kind, last_a.actor, last_a.staff_id, last_a.reason) == (
        "confirmed", f"{staff.name} ({staff.email})", staff.id, "Visit found the same",
    )  # fmt: skip
    assert (last_b.kind, last_b.actor, last_b.staff_id) == ("dismissed", "nets-cli", None)
    assert last_a.at == _at(1)


def test_manual_concern_from_other_evidence(app):
    w1, _ = windows()
    placement, _ = flagged_placement(w1)
    db.session.commit()
    c = risk.create_manual_concern(
        provider_code=placement.provider.code,
        placement_code=placement.code,
        title="GMC NTS red outlier for clinical supervision",
        standards=["3.1", "2.1"],
        evidence=[{"kind": "gmc_nts", "ref": "GMC NTS 2024, supervision", "summary": "red"},
                  {"kind": "complaint", "ref": "Complaint 17/2024"}],
        actor=ACTOR, reason="Two independent sources", at=_at(0),
    )  # fmt: skip
    c = db.session.get(QualityConcern, c.id)
    assert (c.status, c.source, c.standards) == ("open", "manual", ["2.1", "3.1"])
    assert [e.kind for e in c.evidence] == ["gmc_nts", "complaint"]
    assert [e.kind for e in c.events] == ["created"]


def test_rating_then_override_keeps_the_previous_levels(app):
    w1, _ = windows()
    concern, _, _ = _open_concern(w1)
    suggested = (concern.likelihood, concern.impact)

    risk.rate_concern(concern.id, ACTOR, 2, 2, "Flags were a rota artefact", at=_at(5))
    c = db.session.get(QualityConcern, concern.id)
    assert (c.score, c.rag, c.rating_basis, c.on_register) == (4, "G/A", "overridden", False)
    assert c.events[-1].kind == "overridden"
    assert tuple(c.events[-1].detail["rating"]["previous"]) == suggested

    manual = risk.create_manual_concern(
        provider_code=c.provider.code, title="Complaint", evidence=[{"kind": "complaint",
        "ref": "C-1"}], actor=ACTOR, reason="Complaint received", at=_at(0))  # fmt: skip
    risk.rate_concern(manual.id, ACTOR, 4, 3, "Serious, likely to recur", at=_at(1))
    m = db.session.get(QualityConcern, manual.id)
    assert (m.score, m.rag, m.level, m.on_register, m.rating_basis) == (
        12, "A/R", "High", True, "assessed")  # fmt: skip
    assert m.events[-1].kind == "rated"


# --- ISF categories ----------------------------------------------------------------------


def test_category_history_is_stored_and_replays(app):
    w1, w2 = windows()
    concern, _, _ = _open_concern(w1, category=2, rate_to=(4, 3))
    risk.change_category(concern.id, ACTOR, 3, "No progress after 6 months", [
        {"kind": "action_plan_progress", "ref": "Review 2024-11"}],
        reason_code="insufficient_progress", at=_at(200))  # fmt: skip
    risk.change_category(concern.id, ACTOR, 4, "Category 3 did not address it", [
        {"kind": "quality_intervention", "ref": "Visit 2025-01"}],
        reason_code="insufficient_progress",
        national_approval=("National Director", _at(250).date()), at=_at(250))  # fmt: skip
    c = db.session.get(QualityConcern, concern.id)
    assert (c.isf_category, c.isf_changes, c.isf_since) == (4, 3, _at(250))
    changes = [change_from_json(e.detail) for e in c.events if e.kind == "category_change"]
    assert [s.category for s in replay(changes)] == [2, 3, 4]
    assert changes[-1].national_approval.approver == "National Director"
    history = reports.concern_history(c.id, None)
    assert history.valid and [s.category for s in history.states] == [2, 3, 4]


def test_deescalation_with_a_later_window_without_flags(app):
    w1, w2 = windows()
    concern, placement, _ = _open_concern(w1, category=2)
    create_score(placement, w2)  # w2 scored, the placement shown, and no flag there
    db.session.commit()
    risk.change_category(concern.id, ACTOR, 1, "Sustained improvement", [
        {"kind": "window_without_flag", "ref": f"scoring {w2.code}", "window": w2.code}],
        at=_at(400))  # fmt: skip
    c = db.session.get(QualityConcern, concern.id)
    assert c.isf_category == 1
    assert c.events[-1].detail["direction"] == "de-escalation"
    assert c.evidence[-1].kind == "window_without_flag" and c.evidence[-1].window_id == w2.id


def test_a_later_window_with_flags_is_not_evidence_of_improvement(app, snap):
    w1, w2 = windows()
    concern, placement, _ = _open_concern(w1, category=2)
    create_score(placement, w2)
    flag = create_flag(placement, w2, "adverse_items")
    db.session.commit()
    before = snap()
    with pytest.raises(DomainError) as err:
        risk.change_category(concern.id, ACTOR, 1, "Better", [
            {"kind": "window_without_flag", "ref": "w", "window": w2.code}])  # fmt: skip
    assert err.value.rule == "concern.window_without_flag"
    assert f"flag {flag.id}" in str(err.value)
    assert snap() == before


def test_tampered_history_does_not_replay(app):
    w1, _ = windows()
    concern, _, _ = _open_concern(w1, category=2)
    event = db.session.scalar(select(ConcernEvent).where(ConcernEvent.kind == "category_change"))
    event.detail = {**event.detail, "to_category": 4}
    db.session.commit()
    history = reports.concern_history(concern.id, None)
    assert not history.valid and history.error.rule == "isf.initial_not_4"


# --- actions -----------------------------------------------------------------------------------


def test_actions_plan_and_overdue(app):
    w1, _ = windows()
    concern, _, _ = _open_concern(w1, category=2)
    view = reports.concern_view(concern.id, None, today=_at(10).date())
    assert [g.rule for g in view.gaps] == ["action.plan_missing"]

    a1 = risk.add_action(
        concern.id,
        ACTOR,
        description="Protected teaching timetable",
        owner="Dr A. Lead",
        due_on=dt.date(2024, 6, 30),
        at=_at(10),
    )
    risk.add_action(
        concern.id,
        ACTOR,
        description="Induction rewrite",
        owner="Ms B",
        due_on=dt.date(2024, 9, 30),
        measure="NETS induction >= 70",
        at=_at(10),
    )
    today = dt.date(2024, 7, 10)
    view = reports.concern_view(concern.id, None, today=today)
    assert [(a.id, d) for a, d in view.overdue] == [(a1.id, 10)]
    assert [g.rule for g in view.gaps] == ["action.overdue"]
    assert [r["action_id"] for r in reports.overdue_actions(None, today)] == [a1.id]

    risk.complete_action(a1.id, ACTOR, dt.date(2024, 7, 5), "Timetable published", at=_at(70))
    assert reports.overdue_actions(None, today) == []
    c = db.session.get(QualityConcern, concern.id)
    assert c.plan_agreed_on == _at(10).date()
    assert [e.kind for e in c.events][-3:] == ["action_added", "action_added", "action_done"]


# --- bad input: a clear error naming the rule, and nothing changed -----------------------------


def _bad_inputs():
    def deesc_without_evidence(c, w2):
        risk.change_category(c, ACTOR, 1, "Better", [{"kind": "complaint", "ref": "x"}])

    def deesc_same_window(c, w2):
        risk.change_category(c, ACTOR, 1, "Better", [
            {"kind": "window_without_flag", "ref": "w", "window": "2024"}])  # fmt: skip

    def deesc_unscored_window(c, w2):
        risk.change_category(c, ACTOR, 1, "Better", [
            {"kind": "window_without_flag", "ref": "w", "window": w2}])  # fmt: skip

    return {
        "likelihood 0": (lambda c, w2: risk.rate_concern(c, ACTOR, 0, 3, "x"),
                         "risk.likelihood_range"),
        "likelihood 6": (lambda c, w2: risk.rate_concern(c, ACTOR, 6, 3, "x"),
                         "risk.likelihood_range"),
        "impact 0": (lambda c, w2: risk.rate_concern(c, ACTOR, 3, 0, "x"), "risk.impact_range"),
        "impact 2.5": (lambda c, w2: risk.rate_concern(c, ACTOR, 3, 2.5, "x"),
                       "risk.impact_range"),
        "override without reason": (lambda c, w2: risk.rate_concern(c, ACTOR, 2, 2, "  "),
                                    "risk.override_reason"),
        "category 5": (lambda c, w2: risk.change_category(c, ACTOR, 5, "x", [
            {"kind": "complaint", "ref": "x"}]), "isf.category_range"),
        "2 to 4": (lambda c, w2: risk.change_category(c, ACTOR, 4, "x", [
            {"kind": "complaint", "ref": "x"}]), "isf.cat4_from_3"),
        "2 to 3 without reason code": (lambda c, w2: risk.change_category(c, ACTOR, 3, "x", [
            {"kind": "complaint", "ref": "x"}]), "isf.escalation_to_3"),
        "change without reason": (lambda c, w2: risk.change_category(c, ACTOR, 3, "", [
            {"kind": "complaint", "ref": "x"}], reason_code="rapid_fall"), "isf.change_why"),
        "change without evidence": (lambda c, w2: risk.change_category(c, ACTOR, 3, "x", [],
            reason_code="rapid_fall"), "isf.change_evidence"),
        "de-escalation without improvement evidence": (deesc_without_evidence,
                                                       "isf.deescalation_evidence"),
        "the concern's own window": (deesc_same_window, "concern.window_without_flag"),
        "window not scored": (deesc_unscored_window, "concern.window_without_flag"),
        # w2 is scored but the placement's score is suppressed (too few responses)
        "window without a shown score": (deesc_unscored_window, "concern.window_without_flag",
                                         "suppressed"),
        "flag evidence typed in": (lambda c, w2: risk.add_evidence(c, ACTOR, {
            "kind": "flag", "ref": "flag:1"}), "concern.evidence_kind"),
        "unknown evidence kind": (lambda c, w2: risk.add_evidence(c, ACTOR, {
            "kind": "rumour", "ref": "x"}), "isf.evidence_item"),
        "action without owner": (lambda c, w2: risk.add_action(c, ACTOR, description="x",
            owner=" ", due_on=dt.date(2030, 1, 1)), "action.owner"),
        "action without due date": (lambda c, w2: risk.add_action(c, ACTOR, description="x",
            owner="Dr A", due_on=None), "action.due"),
        "action without description": (lambda c, w2: risk.add_action(c, ACTOR, description="",
            owner="Dr A", due_on=dt.date(2030, 1, 1)), "action.description"),
        "action due before the plan": (lambda c, w2: risk.add_action(c, ACTOR, description="x",
            owner="Dr A", due_on=dt.date(2000, 1, 1)), "action.due"),
        "confirm an open concern": (lambda c, w2: risk.confirm_concern(c, ACTOR, "again"),
                                    "concern.status"),
        "close at category 2": (lambda c, w2: risk.close_concern(c, ACTOR, "done"),
                                "concern.close_category"),
        "close without reason": (lambda c, w2: risk.close_concern(c, ACTOR, ""),
                                 "concern.reason"),
        "no actor": (lambda c, w2: risk.rate_concern(c, "", 2, 2, "x"), "concern.actor"),
    }  # fmt: skip


BAD = _bad_inputs()


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_the_rule_and_changes_nothing(app, snap, case):
    w1, w2 = windows()
    concern, placement, _ = _open_concern(w1, category=2)
    call, rule, *w2_score = BAD[case]
    if w2_score:
        create_score(placement, w2, status=w2_score[0])
        db.session.commit()
    before = snap()
    with pytest.raises(DomainError) as err:
        call(concern.id, w2.code)
    assert err.value.rule == rule
    assert str(err.value).startswith(f"[{rule}]")
    assert snap() == before


@pytest.mark.parametrize(
    ("call", "rule"),
    [
        (lambda c: risk.dismiss_concern(c, ACTOR, " "), "concern.reason"),
        (lambda c: risk.confirm_concern(c, ACTOR, ""), "concern.reason"),
        (lambda c: risk.rate_concern(c, ACTOR, 4, 3, "x"), "concern.status"),
    ],
    ids=["dismiss without reason", "confirm without reason", "rate before confirming"],
)
def test_bad_decisions_on_a_proposed_concern_change_nothing(app, snap, call, rule):
    w1, _ = windows()
    flagged_placement(w1)
    db.session.commit()
    (concern,) = risk.propose_concerns_from_flags(w1.code, at=_at(0))
    before = snap()
    with pytest.raises(DomainError) as err:
        call(concern.id)
    assert err.value.rule == rule
    assert snap() == before


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"title": " "}, "concern.title"),
        ({"evidence": []}, "concern.evidence_required"),
        ({"standards": ["9.9"]}, "concern.standard_unknown"),
        ({"reason": ""}, "concern.reason"),
        ({"evidence": [{"kind": "gmc_nts", "ref": ""}]}, "isf.evidence_item"),
    ],
)
def test_bad_manual_concern_changes_nothing(app, snap, overrides, rule):
    w1, _ = windows()
    placement, _ = flagged_placement(w1)
    db.session.commit()
    before = snap()
    args = {"provider_code": placement.provider.code, "title": "GMC red flag",
            "evidence": [{"kind": "gmc_nts", "ref": "GMC 2024"}], "actor": ACTOR,
            "reason": "why", **overrides}  # fmt: skip
    with pytest.raises(DomainError) as err:
        risk.create_manual_concern(**args)
    assert err.value.rule == rule
    assert snap() == before


# --- scope -----------------------------------------------------------------------------------


def test_another_regions_concern_is_refused_and_lists_are_scoped(app, snap):
    w1, _ = windows()
    concern, placement, _ = _open_concern(w1, rate_to=(4, 3))
    other, _ = flagged_placement(w1)
    db.session.commit()
    (other_concern,) = risk.propose_concerns_from_flags(w1.code, at=_at(5))
    mine = placement.provider.region_id
    before = snap()
    with pytest.raises(AccessDenied):
        risk.confirm_concern(other_concern.id, ACTOR, "not mine", scope=mine)
    assert snap() == before
    with pytest.raises(AccessDenied):
        reports.concern_view(other_concern.id, mine)
    assert [c.id for c in reports.list_concerns(mine)] == [concern.id]
    assert [r["id"] for r in reports.register(mine)] == [concern.id]
    assert [r["id"] for r in reports.register(other.provider.region_id)] == []
    assert {r["id"] for r in reports.register(None)} == {concern.id}


def test_provider_category_is_its_most_severe_open_concern(app):
    w1, _ = windows()
    concern, placement, _ = _open_concern(w1, category=2)
    second = risk.create_manual_concern(
        provider_code=placement.provider.code, title="Complaint", actor=ACTOR, reason="r",
        evidence=[{"kind": "complaint", "ref": "C-2"}], at=_at(0))  # fmt: skip
    risk.change_category(
        second.id, ACTOR, 1, "minor", [{"kind": "complaint", "ref": "C-2"}], at=_at(1)
    )
    rows = {r["provider_code"]: r for r in reports.provider_categories(None)}
    row = rows[placement.provider.code]
    assert (row["category"], row["concern_ids"]) == (2, [concern.id])
