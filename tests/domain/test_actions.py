"""SMART action plans: required fields, overdue actions, plan gaps by ISF category.

ISF guide line 110 (category 2: "formal, time limited action plans ... SMART objectives");
handbook quality cycle step 5 ("clear timescales for action and a named lead").
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from nets_app.domain.actions import Action, ActionPlan, days_overdue, overdue, plan_gaps
from nets_app.domain.errors import ActionError

DUE = date(2024, 9, 30)


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"description": ""}, "action.description"),
        ({"description": "   "}, "action.description"),
        ({"description": None}, "action.description"),
        ({"owner": ""}, "action.owner"),
        ({"owner": " "}, "action.owner"),
        ({"owner": None}, "action.owner"),
        ({"due": None}, "action.due"),
        ({"due": "2024-09-30"}, "action.due"),
        ({"due": datetime(2024, 9, 30, 12)}, "action.due"),
        ({"done_on": "yesterday"}, "action.done_on"),
    ],
)
def test_action_needs_description_owner_due(kwargs, rule):
    fields = {"description": "Protected teaching timetabled", "owner": "Dr A", "due": DUE}
    fields.update(kwargs)
    with pytest.raises(ActionError) as info:
        Action(**fields)
    assert info.value.rule == rule
    assert f"[{rule}]" in str(info.value)


def test_action_optional_fields():
    a = Action("Induction pack", "Ms B", DUE, measure="90 % inducted", standards=["3.4"])
    assert a.standards == ("3.4",) and a.measure == "90 % inducted"


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"actions": ()}, "action.plan_empty"),
        ({"actions": ("do better",)}, "action.plan_empty"),
        ({"agreed_on": None}, "action.plan_agreed"),
        ({"agreed_on": date(2024, 10, 1)}, "action.due"),
    ],
)
def test_bad_plan(kwargs, rule):
    fields = {"concern_id": "C1", "actions": (Action("x", "y", DUE),),
              "agreed_on": date(2024, 6, 1)}  # fmt: skip
    fields.update(kwargs)
    with pytest.raises(ActionError) as info:
        ActionPlan(**fields)
    assert info.value.rule == rule


@pytest.mark.parametrize(
    ("due", "done_on", "today", "late", "days"),
    [
        (DUE, None, date(2024, 9, 29), False, 0),
        (DUE, None, DUE, False, 0),  # due today: not yet overdue
        (DUE, None, date(2024, 10, 1), True, 1),
        (DUE, None, date(2024, 12, 29), True, 90),
        (DUE, date(2024, 10, 15), date(2024, 12, 29), False, 0),  # done late: not overdue
    ],
)
def test_overdue(due, done_on, today, late, days):
    a = Action("x", "y", due, done_on=done_on)
    assert overdue([a], today) == ((a,) if late else ())
    assert days_overdue(a, today) == days


def test_overdue_order_and_bad_today():
    a, b, c = (Action(n, "o", d) for n, d in
               [("a", date(2024, 5, 1)), ("b", date(2024, 1, 1)), ("c", date(2024, 3, 1))])  # fmt: skip
    assert overdue([a, b, c], date(2024, 6, 1)) == (b, c, a)
    with pytest.raises(ActionError) as info:
        overdue([a], "2024-06-01")
    assert info.value.rule == "action.today"


@pytest.mark.parametrize("category", range(5))
def test_plan_gap_without_plan(category):
    gaps = plan_gaps(category, None, date(2024, 6, 1))
    if category >= 2:
        assert [g.rule for g in gaps] == ["action.plan_missing"]
        assert f"category {category}" in gaps[0].message
    else:
        assert gaps == ()


def test_plan_gap_overdue_actions():
    plan = ActionPlan("C1", [Action("late one", "o", date(2024, 7, 1)),
                             Action("fine", "o", date(2024, 12, 1))],
                      agreed_on=date(2024, 6, 1))  # fmt: skip
    assert plan_gaps(2, plan, date(2024, 6, 30)) == ()
    gaps = plan_gaps(2, plan, date(2024, 7, 2))
    assert [g.rule for g in gaps] == ["action.overdue"]
    assert "late one" in gaps[0].message and "2024-07-01" in gaps[0].message
