"""Action plans for concerns at ISF category 2 and above.

Sources: the ISF guide's category 2 "Enhanced support programme" involves "formal, time
limited action plans ... agreed between HEE and the provider to ensure SMART objectives"
(seed ``hee-intensive-support-framework-guide.txt`` line 110); the handbook's quality
cycle, step 5: "agree further actions / action plan ... with clear timescales for action
and a named lead responsible for delivery" (seed ``hee-quality-framework-handbook-2017-18.txt``
line 214). Hence every action has a description, an owner (the named lead) and a due date
(the timescale); how success is measured and the standards addressed are optional.

Neither source sets a review frequency or a number of days for a plan; none is encoded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from nets_app.domain._checks import is_text
from nets_app.domain.errors import ActionError
from nets_app.domain.isf import category_info

__all__ = ["Action", "ActionPlan", "Gap", "days_overdue", "overdue", "plan_gaps"]


def _check_day(rule: str, what: str, value: object, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ActionError(rule, f"{what} must be a date (not a datetime), got {value!r}")


@dataclass(frozen=True)
class Action:
    """One SMART action: what, who owns it, by when.

    Attributes
    ----------
    description : str
        What will be done (specific).
    owner : str
        The named lead responsible for delivery.
    due : date
        When it is due (time-bound).
    measure : str
        How success will be measured (optional).
    standards : tuple of str
        Quality Framework standards it addresses, e.g. ``("3.4",)`` (optional).
    done_on : date or None
        When it was completed.

    Raises
    ------
    ActionError
        ``action.description``, ``action.owner``, ``action.due`` or ``action.done_on``.

    Examples
    --------
    >>> from datetime import date
    >>> Action("Timetable protected teaching", "Dr A. Lead", date(2024, 9, 30)).owner
    'Dr A. Lead'
    >>> Action("Timetable protected teaching", "", date(2024, 9, 30))
    Traceback (most recent call last):
    ...
    nets_app.domain.errors.ActionError: [action.owner] every action needs an owner: \
the named lead responsible for delivery
    """

    description: str
    owner: str
    due: date
    measure: str = ""
    standards: tuple[str, ...] = ()
    done_on: date | None = None

    def __post_init__(self) -> None:
        if not is_text(self.description):
            raise ActionError("action.description", "every action needs a description")
        if not is_text(self.owner):
            raise ActionError(
                "action.owner",
                "every action needs an owner: the named lead responsible for delivery",
            )
        _check_day("action.due", "every action needs a due date; due", self.due)
        _check_day("action.done_on", "done_on", self.done_on, optional=True)
        object.__setattr__(self, "standards", tuple(self.standards))

    def is_overdue(self, today: date) -> bool:
        """Not done and due before ``today`` (an action due today is not yet overdue)."""
        return self.done_on is None and self.due < today


@dataclass(frozen=True)
class ActionPlan:
    """A concern's action plan, agreed between HEE and the provider.

    Raises
    ------
    ActionError
        ``action.plan_empty`` with no actions; ``action.due`` if an action falls due
        before the plan was agreed; ``action.plan_agreed`` without an agreement date.

    Examples
    --------
    >>> from datetime import date
    >>> plan = ActionPlan("C1", [Action("Induction", "Ms B", date(2024, 7, 1))],
    ...                   agreed_on=date(2024, 6, 1))
    >>> len(plan.actions)
    1
    """

    concern_id: str
    actions: tuple[Action, ...]
    agreed_on: date

    def __post_init__(self) -> None:
        _check_day("action.plan_agreed", "agreed_on", self.agreed_on)
        actions = tuple(self.actions)
        if not actions or not all(isinstance(a, Action) for a in actions):
            raise ActionError("action.plan_empty", "an action plan needs at least one Action")
        for a in actions:
            if a.due < self.agreed_on:
                raise ActionError(
                    "action.due",
                    f"action {a.description!r} is due {a.due.isoformat()}, before the plan "
                    f"was agreed on {self.agreed_on.isoformat()}",
                )
        object.__setattr__(self, "actions", actions)


def overdue(actions: Iterable[Action], today: date) -> tuple[Action, ...]:
    """The actions not done and due before ``today``, the longest overdue first.

    Examples
    --------
    >>> from datetime import date
    >>> acts = [Action("a", "x", date(2024, 3, 1)), Action("b", "y", date(2024, 1, 1)),
    ...         Action("c", "z", date(2024, 1, 1), done_on=date(2024, 2, 1)),
    ...         Action("d", "w", date(2024, 6, 1))]
    >>> [a.description for a in overdue(acts, date(2024, 6, 1))]
    ['b', 'a']
    """
    _check_day("action.today", "today", today)
    late = [a for a in actions if a.is_overdue(today)]
    return tuple(sorted(late, key=lambda a: (a.due, a.description)))


def days_overdue(action: Action, today: date) -> int:
    """Whole days past due (0 if done or not yet due).

    Examples
    --------
    >>> from datetime import date
    >>> days_overdue(Action("a", "x", date(2024, 3, 1)), date(2024, 3, 11))
    10
    """
    _check_day("action.today", "today", today)
    return (today - action.due).days if action.is_overdue(today) else 0


@dataclass(frozen=True)
class Gap:
    """Something the ISF expects that is missing, to surface on a dashboard."""

    rule: str
    message: str


def plan_gaps(category: int, plan: ActionPlan | None, today: date) -> tuple[Gap, ...]:
    """What is missing from a concern's action plan at its category.

    Parameters
    ----------
    category : int
        The concern's ISF category.
    plan : ActionPlan or None
    today : date

    Returns
    -------
    tuple of Gap
        ``action.plan_missing`` if the category expects a plan (2 and above) and there is
        none; ``action.overdue`` if any action is overdue. Empty if nothing is missing.

    Examples
    --------
    >>> from datetime import date
    >>> plan_gaps(2, None, date(2024, 6, 1))
    (Gap(rule='action.plan_missing', message='category 2 (Significant concerns) expects a \
formal, time-limited action plan with SMART actions, and there is none'),)
    >>> plan_gaps(1, None, date(2024, 6, 1))
    ()
    """
    info = category_info(category)
    gaps = []
    if plan is None:
        if info.action_plan_required:
            gaps.append(
                Gap(
                    "action.plan_missing",
                    f"category {info.number} ({info.name}) expects a formal, time-limited "
                    "action plan with SMART actions, and there is none",
                )
            )
    else:
        late = overdue(plan.actions, today)
        if late:
            gaps.append(
                Gap(
                    "action.overdue",
                    f"{len(late)} action(s) overdue, the oldest due "
                    f"{late[0].due.isoformat()}: {late[0].description}",
                )
            )
    return tuple(gaps)
