"""The learner survey's pages and draft answers, as plain functions over plain data.

No request, session or database here: the survey service stores what these
functions decide, and the tests can check the flow without a browser.

A draft is a JSON-able dict::

    {"group": "nursing",
     "answers": {"ind_1": 4, "ind_3": "na"},
     "comments": {"good": "..."},
     "concerns": {"patient_safety": {"answer": "yes", "details": "..."}},
     "done": ["start", "questions/induction"]}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from questionnaires import Instrument, Item

NA = "na"
YES, NO = "yes", "no"
CHECK = "check"


class InvalidAnswer(ValueError):
    """A value a page cannot take (unknown item, out-of-range value, oversized text)."""


@dataclass(frozen=True)
class Step:
    """One page of the survey. ``key`` is also its address under ``/survey/``."""

    key: str
    kind: str  # start | questions | comments | concerns
    title: str
    intro: str = ""
    items: tuple[Item, ...] = ()


def build_steps(inst: Instrument, group: str | None) -> tuple[Step, ...]:
    """The pages a learner in ``group`` sees, in order (the check page comes after them).

    Question pages follow the instrument's themes; a theme with no item for this
    group (e.g. another profession's block) has no page.
    """
    items = inst.items_for(group)
    steps = [Step("start", "start", "Before you start")]
    for theme in inst.themes:
        on_page = tuple(i for i in items if i.theme == theme.id)
        if on_page:
            steps.append(
                Step(f"questions/{theme.id}", "questions", theme.title, theme.intro, on_page)
            )
    if inst.free_text:
        steps.append(Step("comments", "comments", "Your comments"))
    if inst.concerns:
        steps.append(Step("concerns", "concerns", "Concerns about this placement"))
    return tuple(steps)


def step_by_key(steps: tuple[Step, ...], key: str) -> Step | None:
    return next((s for s in steps if s.key == key), None)


def page_number(steps: tuple[Step, ...], key: str) -> tuple[int, int]:
    """(this page's number, number of pages) counting the check page as the last."""
    total = len(steps) + 1
    if key == CHECK:
        return total, total
    keys = [s.key for s in steps]
    return keys.index(key) + 1, total


def first_incomplete(steps: tuple[Step, ...], data: dict[str, Any]) -> str:
    """The first page not yet completed, or ``"check"`` when every page is done."""
    done = set(data.get("done", ()))
    for s in steps:
        if s.key not in done:
            return s.key
    return CHECK


def previous_key(steps: tuple[Step, ...], key: str) -> str | None:
    keys = [s.key for s in steps]
    if key == CHECK:
        return keys[-1]
    i = keys.index(key)
    return keys[i - 1] if i > 0 else None


def next_key(steps: tuple[Step, ...], key: str, data: dict[str, Any], *, to_check: bool) -> str:
    """Where to go after saving ``key``: the next page, or back to check when changing.

    Never past the first page still to do, so a group change that adds a page sends
    the learner there, and no one reaches "Check your answers" with a gap.
    """
    keys = [s.key for s in steps]
    want = CHECK if to_check else (keys + [CHECK])[keys.index(key) + 1]
    gap = first_incomplete(steps, data)
    order = keys + [CHECK]
    return gap if order.index(gap) < order.index(want) else want


def page_fields(step: Step, inst: Instrument) -> tuple[str, ...]:
    """The names of the fields a page posts."""
    if step.kind == "start":
        return ("group",)
    if step.kind == "questions":
        return tuple(i.id for i in step.items)
    if step.kind == "comments":
        return tuple(p.id for p in inst.free_text)
    return tuple(f for c in inst.concerns for f in (c.id, f"{c.id}_details"))


def page_values(step: Step, inst: Instrument, data: dict[str, Any]) -> dict[str, Any]:
    """The saved answers of one page, as form field values (to fill the page again)."""
    if step.kind == "start":
        return {"group": data.get("group")}
    if step.kind == "questions":
        answers = data.get("answers", {})
        return {i.id: str(answers[i.id]) for i in step.items if i.id in answers}
    if step.kind == "comments":
        return {p.id: data.get("comments", {}).get(p.id, "") for p in inst.free_text}
    out: dict[str, Any] = {}
    for c in inst.concerns:
        saved = data.get("concerns", {}).get(c.id, {})
        out[c.id] = saved.get("answer")
        out[f"{c.id}_details"] = saved.get("details", "")
    return out


def _likert(item: Item, value: Any) -> int | str:
    if value == NA and item.allow_na:
        return NA
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    allowed = "1-5" + (" or 'na'" if item.allow_na else "")
    raise InvalidAnswer(f"item {item.id!r} takes {allowed}, got {value!r}")


def _text(value: Any, limit: int, name: str) -> str:
    text = "" if value is None else str(value).replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise InvalidAnswer(f"{name} holds {len(text)} characters; at most {limit} are allowed")
    return text


def apply_page(
    data: dict[str, Any],
    steps: tuple[Step, ...],
    step: Step,
    inst: Instrument,
    values: dict[str, Any],
    groups: tuple[str, ...],
) -> dict[str, Any]:
    """A new draft with one page's answers saved and the page marked done.

    ``values`` must hold exactly the page's fields; anything else raises
    :class:`InvalidAnswer`, so a tampered page changes nothing. ``groups`` are
    the learner-group codes the start page may take. Changing the group drops the
    other group's profession answers and marks the pages whose questions changed
    as not done.
    """
    new = {
        "group": data.get("group"),
        "answers": dict(data.get("answers", {})),
        "comments": dict(data.get("comments", {})),
        "concerns": {k: dict(v) for k, v in data.get("concerns", {}).items()},
        "done": list(data.get("done", [])),
    }
    expected = set(page_fields(step, inst))
    if set(values) != expected:
        raise InvalidAnswer(
            f"page {step.key!r} takes fields {sorted(expected)}, got {sorted(values)}"
        )
    if step.kind == "start":
        group = values["group"]
        if group not in groups:
            raise InvalidAnswer(f"learner group must be one of {list(groups)}, got {group!r}")
        if group != new["group"]:
            old_items = {s.key: s.items for s in build_steps(inst, new["group"])}
            new_items = {s.key: s.items for s in build_steps(inst, group)}
            keep = {i.id for items in new_items.values() for i in items}
            new["answers"] = {k: v for k, v in new["answers"].items() if k in keep}
            new["done"] = [
                k for k in new["done"] if k not in new_items or old_items.get(k) == new_items[k]
            ]
            new["group"] = group
    elif step.kind == "questions":
        for item in step.items:
            new["answers"][item.id] = _likert(item, values[item.id])
    elif step.kind == "comments":
        for p in inst.free_text:
            new["comments"][p.id] = _text(values[p.id], p.max_length, f"comment {p.id!r}")
    else:
        for c in inst.concerns:
            answer = values[c.id]
            if answer not in (YES, NO):
                raise InvalidAnswer(f"concern {c.id!r} takes 'yes' or 'no', got {answer!r}")
            details = _text(values[f"{c.id}_details"], c.max_length, f"details of {c.id!r}")
            new["concerns"][c.id] = {"answer": answer, "details": details if answer == YES else ""}
    if step.key not in new["done"]:
        new["done"].append(step.key)
    return new


def concerns_raised(inst: Instrument, data: dict[str, Any]) -> tuple[str, ...]:
    """The concern kinds the learner answered yes to."""
    saved = data.get("concerns", {})
    return tuple(c.kind for c in inst.concerns if saved.get(c.id, {}).get("answer") == YES)


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str
    anchor: str  # the field id the Change link jumps to


def summary(
    steps: tuple[Step, ...], inst: Instrument, data: dict[str, Any], group_names: dict[str, str]
) -> list[tuple[Step, list[SummaryRow]]]:
    """What "Check your answers" lists, page by page."""
    labels = dict(inst.scale)
    out: list[tuple[Step, list[SummaryRow]]] = []
    for step in steps:
        rows: list[SummaryRow] = []
        if step.kind == "start":
            group = data.get("group") or ""
            rows.append(SummaryRow("Learner group", group_names.get(group, group), "group"))
        elif step.kind == "questions":
            answers = data.get("answers", {})
            for item in step.items:
                v = answers.get(item.id)
                shown = inst.not_applicable_label if v == NA else labels.get(v, "Not answered")
                rows.append(SummaryRow(item.text, shown, item.id))
        elif step.kind == "comments":
            for p in inst.free_text:
                text = data.get("comments", {}).get(p.id, "")
                rows.append(SummaryRow(p.prompt, text or "No comment", p.id))
        else:
            for c in inst.concerns:
                saved = data.get("concerns", {}).get(c.id, {})
                value = "Yes" if saved.get("answer") == YES else "No"
                if saved.get("answer") == YES and saved.get("details"):
                    value += ": " + saved["details"]
                rows.append(SummaryRow(c.question, value, c.id))
        out.append((step, rows))
    return out


def response_rows(
    inst: Instrument, steps: tuple[Step, ...], data: dict[str, Any]
) -> tuple[list[tuple[str, int | None]], list[tuple[str, str]], list[tuple[str, str]]]:
    """A complete draft as (answers, comments, concerns) ready to store.

    answers: (item_id, value or None for not applicable); comments: (prompt_id,
    text) for non-empty comments; concerns: (kind, details) for each yes.
    Raises :class:`InvalidAnswer` if a page is missing or a value is out of range.
    """
    gap = first_incomplete(steps, data)
    if gap != CHECK:
        raise InvalidAnswer(f"the page {gap!r} has not been answered")
    answers = []
    saved = data.get("answers", {})
    for step in steps:
        for item in step.items:
            if item.id not in saved:
                raise InvalidAnswer(f"item {item.id!r} has no answer")
            v = _likert(item, saved[item.id])
            answers.append((item.id, None if v == NA else int(v)))
    comments = [
        (p.id, _text(data.get("comments", {}).get(p.id), p.max_length, p.id))
        for p in inst.free_text
    ]
    concerns = []
    for c in inst.concerns:
        s = data.get("concerns", {}).get(c.id, {})
        if s.get("answer") == YES:
            concerns.append((c.kind, _text(s.get("details"), c.max_length, c.id)))
    return answers, [(k, t) for k, t in comments if t], concerns
