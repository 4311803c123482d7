"""The issue's end-to-end story at the domain level (no database): flags -> rated concern
-> ISF category 2 with a plan and a notification list -> a clear window -> de-escalation.
The service/DB version of this story builds on these functions.
"""

from __future__ import annotations

from datetime import date, datetime

from nets_app.domain.actions import Action, ActionPlan, plan_gaps
from nets_app.domain.isf import Evidence, Proposal, replay, transition
from nets_app.domain.isf_reporting import register_status, who_to_inform
from nets_app.domain.risk import suggest_rating


def test_adverse_placement_story():
    flags = [
        {"rule": "funnel_low", "measure": "supervision", "value": 54.0, "limit": 58.0,
         "n": 18, "window": "2024"},
        {"rule": "significant_fall", "measure": "supervision", "value": -9.0, "limit": -6.0,
         "n": 18, "window": "2024"},
        {"rule": "three_poor_windows", "measure": "overall", "value": 3, "limit": 3,
         "n": 18, "window": "2024"},
    ]  # fmt: skip
    rating = suggest_rating(flags)
    assert (rating.likelihood, rating.impact, rating.score) == (4, 3, 12)
    assert (rating.rag, rating.level, rating.on_register) == ("A/R", "High", True)
    assert rating.interventions == ("Triggered visit", "Programme review")

    evidence = [Evidence("flag", f"P1:2024:{f['rule']}:{f['measure']}") for f in flags]
    s1, c1 = transition(None, Proposal("C1", 2, "qa.lead", datetime(2024, 6, 3, 10),
                                       "Flags confirmed at triggered visit", evidence))  # fmt: skip
    assert c1.direction == "initial" and s1.category == 2
    assert register_status(s1.category, rating.score).on_register
    told = {n.code for n in who_to_inform(s1.category) if n.required}
    assert {"postgraduate_dean", "regulator", "affected_learners"} <= told
    assert "jsog" not in told

    assert [g.rule for g in plan_gaps(2, None, date(2024, 6, 3))] == ["action.plan_missing"]
    plan = ActionPlan("C1", [Action("Weekly supervision rota", "Dr Lead", date(2024, 9, 1))],
                      agreed_on=date(2024, 6, 10))  # fmt: skip
    assert plan_gaps(2, plan, date(2024, 8, 1)) == ()

    clear = Evidence("window_without_flag", "P1:2025", "no flags in the 2025 window")
    s2, c2 = transition(s1, Proposal("C1", 1, "qa.lead", datetime(2025, 6, 2, 9),
                                     "2025 window without the flags", [clear]))  # fmt: skip
    assert (c2.direction, s2.category) == ("de-escalation", 1)
    assert [s.category for s in replay([c1, c2])] == [2, 1]
