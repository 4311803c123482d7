"""The survey's pages and draft updates as plain functions (no database, no request)."""

from __future__ import annotations

import pytest

from nets_app.services import survey_flow as flow
from questionnaires import load_instrument

INST = load_instrument()
GROUPS = ("nursing", "medical", "dental", "midwifery")


def keys(group):
    return [s.key for s in flow.build_steps(INST, group)]


def test_pages_follow_the_instruments_themes_with_the_profession_block_of_the_group():
    nursing = keys("nursing")
    assert nursing[0] == "start" and nursing[-2:] == ["comments", "concerns"]
    themed = [k.split("/")[1] for k in nursing if k.startswith("questions/")]
    assert themed == [t.id for t in INST.themes]
    profession = flow.step_by_key(flow.build_steps(INST, "nursing"), "questions/profession")
    block = next(b for b in INST.profession_blocks if b.group == "nursing")
    assert profession.items == block.items


def test_a_group_without_a_profession_block_gets_no_profession_page():
    assert "questions/profession" not in keys("no-such-group")
    assert "questions/profession" not in keys(None)


def test_every_item_for_the_group_is_on_exactly_one_page():
    steps = flow.build_steps(INST, "medical")
    on_pages = [i.id for s in steps for i in s.items]
    assert sorted(on_pages) == sorted(i.id for i in INST.items_for("medical"))


def test_page_numbers_count_the_check_page_last():
    steps = flow.build_steps(INST, "nursing")
    assert flow.page_number(steps, "start") == (1, len(steps) + 1)
    assert flow.page_number(steps, flow.CHECK) == (len(steps) + 1, len(steps) + 1)


def _answered(group="nursing", value=4):
    steps = flow.build_steps(INST, group)
    data: dict = {}
    for step in steps:
        values = {f: "" for f in flow.page_fields(step, INST)}
        if step.kind == "start":
            values = {"group": group}
        elif step.kind == "questions":
            values = {i.id: str(value) for i in step.items}
        elif step.kind == "concerns":
            values = {f: ("no" if not f.endswith("_details") else "") for f in values}
        data = flow.apply_page(data, steps, step, INST, values, GROUPS)
        steps = flow.build_steps(INST, data["group"])
    return steps, data


def test_next_page_never_skips_a_page_still_to_answer():
    steps = flow.build_steps(INST, "nursing")
    data = {"group": "nursing", "done": ["start"]}
    assert flow.next_key(steps, "start", data, to_check=True) == "questions/induction"
    steps, full = _answered()
    assert flow.next_key(steps, "comments", full, to_check=True) == flow.CHECK
    assert flow.next_key(steps, "comments", full, to_check=False) == "concerns"


def test_changing_group_drops_the_old_profession_answers_and_asks_the_new_ones():
    steps, data = _answered("nursing")
    assert "nur_1" in data["answers"]
    start = steps[0]
    new = flow.apply_page(data, steps, start, INST, {"group": "medical"}, GROUPS)
    assert "nur_1" not in new["answers"] and "ind_1" in new["answers"]
    new_steps = flow.build_steps(INST, "medical")
    assert flow.first_incomplete(new_steps, new) == "questions/profession"
    assert data["answers"]["nur_1"] == 4, "the old draft is not changed in place"


def test_keeping_the_same_group_keeps_everything():
    steps, data = _answered("nursing")
    new = flow.apply_page(data, steps, steps[0], INST, {"group": "nursing"}, GROUPS)
    assert new == data


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"ind_1": "6"}, "takes 1-5"),
        ({"ind_1": "0"}, "takes 1-5"),
        ({"ind_1": "na"}, "takes 1-5"),  # ind_1 does not allow "not applicable"
        ({"ind_1": True}, "takes 1-5"),
        ({"zzz": "4"}, "takes fields"),
    ],
)
def test_a_value_a_page_cannot_take_is_refused(values, problem):
    steps = flow.build_steps(INST, "nursing")
    step = steps[1]
    page = {i.id: "4" for i in step.items} | values
    with pytest.raises(flow.InvalidAnswer, match=problem):
        flow.apply_page({}, steps, step, INST, page, GROUPS)


def test_not_applicable_is_kept_where_the_item_allows_it():
    steps = flow.build_steps(INST, "nursing")
    step = steps[1]
    na_item = next(i for i in step.items if i.allow_na)
    page = {i.id: "3" for i in step.items} | {na_item.id: "na"}
    data = flow.apply_page({}, steps, step, INST, page, GROUPS)
    assert data["answers"][na_item.id] == "na"


def test_oversized_text_is_refused_and_newlines_count_once():
    steps = flow.build_steps(INST, "nursing")
    step = flow.step_by_key(steps, "comments")
    limit = INST.free_text[0].max_length
    ok = flow.apply_page({}, steps, step, INST, {"good": "a\r\n" * (limit // 2), "improve": ""}, ())
    assert len(ok["comments"]["good"]) == limit - 1  # "\r\n" is stored as one "\n"
    with pytest.raises(flow.InvalidAnswer, match="at most"):
        flow.apply_page({}, steps, step, INST, {"good": "a" * (limit + 1), "improve": ""}, ())


def test_an_unknown_group_is_refused():
    steps = flow.build_steps(INST, None)
    with pytest.raises(flow.InvalidAnswer, match="learner group"):
        flow.apply_page({}, steps, steps[0], INST, {"group": "wizard"}, GROUPS)


def test_response_rows_of_a_complete_draft():
    steps, data = _answered("nursing", value=2)
    answers, comments, concerns = flow.response_rows(INST, steps, data)
    assert [a for a, _ in answers] == [i.id for i in INST.items_for("nursing")]
    assert {v for _, v in answers} == {2}
    assert comments == [] and concerns == []


def test_response_rows_refuse_an_incomplete_draft():
    steps, data = _answered()
    data = dict(data, done=data["done"][:-1])
    with pytest.raises(flow.InvalidAnswer, match="has not been answered"):
        flow.response_rows(INST, steps, data)


def test_concerns_keep_details_only_with_yes():
    steps, data = _answered()
    step = flow.step_by_key(steps, "concerns")
    values = {
        "patient_safety": "yes",
        "patient_safety_details": "Unsafe staffing at night",
        "bullying": "no",
        "bullying_details": "ignored",
    }
    data = flow.apply_page(data, steps, step, INST, values, GROUPS)
    assert flow.concerns_raised(INST, data) == ("patient_safety",)
    assert flow.response_rows(INST, steps, data)[2] == [
        ("patient_safety", "Unsafe staffing at night")
    ]
    assert data["concerns"]["bullying"]["details"] == ""


def test_summary_shows_labels_not_codes():
    steps, data = _answered(value=5)
    sections = flow.summary(steps, INST, data, {"nursing": "Nursing"})
    assert sections[0][1][0].value == "Nursing"
    first_question = sections[1][1][0]
    assert first_question.value == "Strongly agree" and first_question.anchor == "ind_1"
