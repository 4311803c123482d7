"""Issue 7, end to end, on SQLite and PostgreSQL.

A synthetic pilot with planted adverse placements (``load_demo``) is scored by the
scoring service; the flags of the most-flagged placement become a proposed concern,
which the quality team confirms and rates 4 x 3 = 12 (Amber/Red, High, on the regional
and national registers), puts at ISF category 2 with an action plan and its
notification list; in the next window the placement's learners report a good
placement, the window is scored without a flag there, and the concern is de-escalated
on that recorded evidence. The history replays under the ISF rules, and the concern
page shows it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from bs4 import BeautifulSoup
from sqlalchemy import delete, func, select

from nets_app.domain.isf_reporting import who_to_inform
from nets_app.extensions import db
from nets_app.models import (
    AdverseFlag,
    Answer,
    ConcernReport,
    LearnerGroup,
    Placement,
    Response,
    SurveyWindow,
)
from nets_app.services import demo, risk, scoring
from nets_app.services import risk_reports as reports
from questionnaires import load_instrument
from tests.risk.factories import create_staff
from tests.risk.test_pages import OwnUserClient, sign_in

TODAY = dt.date(2026, 11, 23)  # load_demo's windows: "2025" and "2026"
FLAGGED, LATER = "2025", "2026"


def _most_flagged_placement() -> Placement:
    """The placement with the most distinct flag rules in the flagged window."""
    window = db.session.scalar(select(SurveyWindow).filter_by(code=FLAGGED))
    rules = func.count(func.distinct(AdverseFlag.rule))
    pid = db.session.scalar(
        select(AdverseFlag.placement_id)
        .where(AdverseFlag.window_id == window.id)
        .group_by(AdverseFlag.placement_id)
        .order_by(rules.desc(), AdverseFlag.placement_id)
        .limit(1)
    )
    return db.session.get(Placement, pid)


def _replace_with_good_responses(placement: Placement, n: int = 24) -> None:
    """The placement's learners in the later window report a good placement.

    Positive items 4-5, reversed and adverse items 1-2 (disagreeing with the negative
    statement), a few not-applicable answers where allowed; no concern reports.
    """
    window = db.session.scalar(select(SurveyWindow).filter_by(code=LATER))
    ids = select(Response.id).where(Response.window_id == window.id,
                                    Response.placement_id == placement.id)  # fmt: skip
    db.session.execute(delete(Answer).where(Answer.response_id.in_(ids)))
    db.session.execute(delete(Response).where(Response.id.in_(ids)))
    db.session.execute(
        delete(ConcernReport).where(
            ConcernReport.window_id == window.id, ConcernReport.placement_id == placement.id
        )
    )
    group = db.session.scalar(select(LearnerGroup).filter_by(code="nursing"))
    rng = np.random.default_rng(7)
    inst = load_instrument()
    for _ in range(n):
        answers = []
        for item in inst.scoring_items:
            low = item.reverse or item.adverse
            value = int(rng.integers(1, 3) if low else rng.integers(4, 6))
            answers.append(Answer(item_id=item.id, value=value, not_applicable=False))
        db.session.add(
            Response(
                window_id=window.id,
                placement_id=placement.id,
                learner_group_id=group.id,
                instrument_version_id=window.instrument_version_id,
                submitted_on=window.opens_on,
                is_retest=False,
                answers=answers,
            )
        )
    db.session.commit()  # fmt: skip


def test_adverse_placement_to_deescalation(app):
    demo.load_demo(n_responses=900, seed=11, today=TODAY, n_windows=2)
    staff = create_staff("regional", region=None, name="Rhea Quality", email="rhea@nets.test")
    db.session.commit()

    # 1. a synthetic adverse placement -> flags (the lead's scoring service)
    scoring.score_window(FLAGGED, today=TODAY)
    placement = _most_flagged_placement()
    flags = db.session.scalars(select(AdverseFlag).where(
        AdverseFlag.placement_id == placement.id)).all()  # fmt: skip
    assert len({f.rule for f in flags}) >= 2, "a planted adverse placement raises several flags"

    # 2. flags -> a proposed concern with the flags as evidence and a suggested rating
    proposed = risk.propose_concerns_from_flags(FLAGGED, at=dt.datetime(2025, 4, 1, 9))
    (concern,) = [c for c in proposed if c.placement_id == placement.id]
    assert {e.flag_id for e in concern.evidence} == {f.id for f in flags}
    assert concern.status == "proposed" and concern.rating_basis == "suggested"

    # 3. confirmed and rated 4 x 3 = 12: Amber/Red, High, on the regional and national registers
    staff.region_id = placement.provider.region_id
    db.session.commit()
    region = placement.provider.region_id
    risk.confirm_concern(concern.id, staff, "Flags match the visit findings", scope=region,
                         at=dt.datetime(2025, 4, 3, 10))  # fmt: skip
    risk.rate_concern(concern.id, staff, 4, 3, "Likely to recur; moderate harm to learning",
                      scope=region, at=dt.datetime(2025, 4, 3, 11))  # fmt: skip
    view = reports.concern_view(concern.id, region, today=dt.date(2025, 4, 3))
    assert (view.rating.score, view.rating.rag, view.rating.level) == (12, "A/R", "High")
    assert view.register.on_register
    assert concern.id in [r["id"] for r in reports.register(region)]  # regional register
    assert concern.id in [r["id"] for r in reports.register(None)]  # national register

    # 4. ISF category 2, its notification list and an action plan
    flag_evidence = [e.id for e in view.concern.evidence]
    risk.change_category(concern.id, staff, 2, "Significant: several standards not met",
                         evidence_ids=flag_evidence, scope=region,
                         at=dt.datetime(2025, 4, 4, 9))  # fmt: skip
    view = reports.concern_view(concern.id, region, today=dt.date(2025, 4, 4))
    assert view.category.name == "Significant concerns" and view.category.action_plan_required
    assert view.notifications == who_to_inform(2)
    assert {
        "regional_head_of_quality",
        "postgraduate_dean",
        "regulator",
        "provider_director_medical_education",
    } <= {n.code for n in view.notifications}
    assert all(n.required for n in view.notifications)
    assert [g.rule for g in view.gaps] == ["action.plan_missing"]
    for description, owner, due in (
        ("Protected weekly teaching, timetabled", "Dr A. Lead, DME", dt.date(2025, 7, 31)),
        ("Induction rewritten with learners", "Ms B. Educator", dt.date(2025, 9, 30)),
    ):
        risk.add_action(concern.id, staff, description=description, owner=owner, due_on=due,
                        scope=region, at=dt.datetime(2025, 4, 10, 9))  # fmt: skip
    view = reports.concern_view(concern.id, region, today=dt.date(2025, 8, 15))
    assert [a.description for a, _ in view.overdue] == ["Protected weekly teaching, timetabled"]
    risk.complete_action(view.actions[0].id, staff, dt.date(2025, 8, 20), "Timetable live",
                         scope=region, at=dt.datetime(2025, 8, 20, 9))  # fmt: skip
    risk.complete_action(view.actions[1].id, staff, dt.date(2025, 9, 25), "New induction",
                         scope=region, at=dt.datetime(2025, 9, 25, 9))  # fmt: skip

    # 5. a later window without flags at the placement
    _replace_with_good_responses(placement)
    scoring.score_window(LATER, today=TODAY)
    later = db.session.scalar(select(SurveyWindow).filter_by(code=LATER))
    assert db.session.scalar(select(func.count(AdverseFlag.id)).where(
        AdverseFlag.window_id == later.id, AdverseFlag.placement_id == placement.id)) == 0  # fmt: skip
    assert concern.id not in [c.id for c in risk.propose_concerns_from_flags(LATER)]

    # 6. de-escalation with the recorded evidence
    risk.change_category(
        concern.id, staff, 1, "Sustained improvement: the 2026 survey shows no flag",
        [{"kind": "window_without_flag", "ref": f"NETS {LATER} scoring, {placement.code}",
          "summary": "No adverse-environment flag at the placement", "window": LATER}],
        scope=region, at=dt.datetime(2026, 11, 23, 9),
    )  # fmt: skip
    view = reports.concern_view(concern.id, region, today=TODAY)
    assert view.concern.isf_category == 1
    change = view.history.events[-1]
    assert change.kind == "category_change" and change.detail["direction"] == "de-escalation"
    assert change.detail["evidence"][0]["kind"] == "window_without_flag"
    assert change.actor == "Rhea Quality (rhea@nets.test)" and change.staff_id == staff.id

    # 7. the history replays, and the trail records every step
    assert view.history.valid and [s.category for s in view.history.states] == [2, 1]
    # the confirmed rating overrides the suggested one (same or not), so it is "overridden"
    assert [e.kind for e in view.history.events] == [
        "proposed", "confirmed", "overridden", "category_change", "action_added",
        "action_added", "action_done", "action_done", "category_change",
    ]  # fmt: skip

    # 8. and the concern page shows it to the regional team
    client = OwnUserClient(app, app.response_class, use_cookies=True)
    sign_in(client, staff)
    page = BeautifulSoup(client.get(f"/risk/concerns/{concern.id}").get_data(as_text=True),
                         "html.parser")  # fmt: skip
    assert page.select_one("#replay")["data-valid"] == "true"
    assert "2 → 1" in page.select_one("#replay").get_text()
    assert "1 Minor concerns" in page.select_one("#current-category").get_text()
