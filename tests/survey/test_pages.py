"""What a learner sees on each survey page (parsed HTML, not string matching)."""

from __future__ import annotations

import pytest

from questionnaires import load_instrument
from tests.survey.helpers import (
    answer_questions,
    draft_data,
    make_invitation,
    post,
    soup,
)

INST = load_instrument()


@pytest.fixture
def entered(client):
    s = make_invitation()
    client.get(f"/s/{s.token}")
    return s


def test_the_first_page_confirms_the_placement_and_says_answers_are_anonymous(client, entered):
    page = soup(client.get("/survey/start"))
    text = page.get_text(" ", strip=True)
    assert entered.placement_name in text
    assert page.find(id="anonymous").get_text(strip=True) == "Your answers are anonymous"
    for promise in ("IP address", "the date you submit, not the time", "cannot be traced back"):
        assert promise in text
    assert [r["value"] for r in page.select("input[name=group]")] == [
        "medical",
        "dental",
        "nursing",
    ]
    assert not page.select("input[checked]")


def test_a_fixed_learner_group_is_shown_not_asked(client):
    s = make_invitation(group="medical")
    client.get(f"/s/{s.token}")
    page = soup(client.get("/survey/start"))
    assert not page.select("input[name=group]")
    assert "Medical" in page.get_text()
    assert post(client, "/survey/start", {}).headers["Location"] == "/survey/questions/induction"
    assert draft_data(s.invitation_id)["group"] == "medical"


def _question_page(client, theme="induction"):
    post(client, "/survey/start", {"group": "nursing"})
    return soup(client.get(f"/survey/questions/{theme}"))


def test_question_pages_stack_five_labelled_points_per_statement_with_nothing_chosen(
    client, entered
):
    page = _question_page(client)
    assert not page.find("table"), "never a grid"
    assert not page.select(".nhsuk-radios--inline")
    items = [i for i in INST.items if i.theme == "induction"]
    fieldsets = page.select("form fieldset.nhsuk-fieldset")
    assert [f.legend.get_text(strip=True) for f in fieldsets] == [i.text for i in items]
    for item, fieldset in zip(items, fieldsets, strict=True):
        radios = fieldset.select("input.nhsuk-radios__input")
        labels = [
            fieldset.find("label", attrs={"for": r["id"]}).get_text(strip=True) for r in radios
        ]
        expected = [label for _, label in INST.scale]
        if item.allow_na:
            expected.append(INST.not_applicable_label)
            assert fieldset.select_one(".nhsuk-radios__divider").get_text(strip=True) == "or"
        assert labels == expected
        assert radios[0]["id"] == item.id  # the error summary links here
        assert not any(r.has_attr("checked") for r in radios)


def test_progress_is_shown_as_page_n_of_m(client, entered):
    page = _question_page(client)
    steps = 1 + len(INST.themes) + 2  # start, one page per theme (nursing has a block), 2 more
    assert page.select_one(".nets-progress").get_text(strip=True) == f"Page 2 of {steps + 1}"


@pytest.mark.parametrize(("group", "first"), [("nursing", "nur_1"), ("medical", "med_1")])
def test_the_profession_page_asks_the_groups_own_questions(client, entered, group, first):
    post(client, "/survey/start", {"group": group})
    path = answer_questions(client, until="/survey/questions/profession")
    assert path == "/survey/questions/profession"
    names = [r["name"] for r in soup(client.get(path)).select("input[type=radio]")]
    assert names[0] == first


def test_back_links_keep_the_answers(client, entered):
    post(client, "/survey/start", {"group": "nursing"})
    answer_questions(client, "3", until="/survey/questions/supervision")
    page = soup(client.get("/survey/questions/supervision"))
    back = page.select_one(".nhsuk-back-link__link")["href"]
    assert back == "/survey/questions/induction"
    previous = soup(client.get(back))
    checked = {r["name"]: r["value"] for r in previous.select("input[checked]")}
    assert checked == {i.id: "3" for i in INST.items if i.theme == "induction"}


def test_comments_show_their_limit_without_javascript(client, entered):
    post(client, "/survey/start", {"group": "nursing"})
    answer_questions(client)
    page = soup(client.get("/survey/comments"))
    for p in INST.free_text:
        box = page.find("textarea", id=p.id)
        info = page.find(id=f"{p.id}-info").get_text(strip=True)
        assert info == f"You can enter up to {p.max_length:,} characters"
        assert f"{p.id}-info" in box["aria-describedby"]
        assert not box.has_attr("maxlength")


def test_each_concern_question_has_its_details_box_right_after_it(client, entered):
    post(client, "/survey/start", {"group": "nursing"})
    answer_questions(client)
    post(client, "/survey/comments", {"good": "", "improve": ""})
    page = soup(client.get("/survey/concerns"))
    for c in INST.concerns:
        fieldset = page.find("input", id=c.id).find_parent("fieldset")
        assert fieldset.legend.get_text(strip=True) == c.question
        assert [r["value"] for r in fieldset.select("input[type=radio]")] == ["yes", "no"]
        box = fieldset.find_next("textarea")
        assert box["id"] == f"{c.id}_details"
        label = page.find("label", attrs={"for": box["id"]}).get_text(strip=True)
        assert label == f"If yes: {c.details_prompt}"
    assert not page.select("[aria-expanded]")


def _to_concerns(client):
    post(client, "/survey/start", {"group": "nursing"})
    answer_questions(client)
    post(client, "/survey/comments", {"good": "", "improve": ""})


CONCERN = {
    "patient_safety": "yes",
    "patient_safety_details": "Unsafe staffing at night",
    "bullying": "no",
    "bullying_details": "",
}


def test_reporting_a_concern_shows_where_to_take_it_at_once(client, entered):
    _to_concerns(client)
    r = post(client, "/survey/concerns", CONCERN)
    assert r.headers["Location"] == "/survey/where-to-report"
    page = soup(client.get("/survey/where-to-report"))
    text = page.get_text(" ", strip=True)
    assert "a concern about patient safety" in text
    assert "This survey does not replace incident reporting" in text
    assert "Datix" in text and "immediate danger" in text
    pathways = [li.get_text(" ", strip=True) for li in page.select("ol.nhsuk-list--number li")]
    assert len(pathways) == 3
    assert "Freedom to Speak Up guardian" in pathways[0]
    assert "education provider" in pathways[1]
    assert "multi-professional Dean" in pathways[2]
    assert page.select_one("a.nhsuk-button")["href"] == "/survey/"
    assert client.get("/survey/").headers["Location"] == "/survey/check"


def test_no_concern_goes_straight_to_check_your_answers(client, entered):
    _to_concerns(client)
    r = post(
        client,
        "/survey/concerns",
        {**CONCERN, "patient_safety": "no", "patient_safety_details": ""},
    )
    assert r.headers["Location"] == "/survey/check"
    assert client.get("/survey/where-to-report").headers["Location"] == "/survey/"


def test_check_your_answers_lists_every_answer_with_a_change_link(client, entered):
    _to_concerns(client)
    post(client, "/survey/concerns", CONCERN)
    page = soup(client.get("/survey/check"))
    rows = page.select(".nhsuk-summary-list__row")
    items = INST.items_for("nursing")
    assert len(rows) == 1 + len(items) + len(INST.free_text) + len(INST.concerns)
    values = {
        r.select_one(".nhsuk-summary-list__key").get_text(strip=True): r.select_one(
            ".nhsuk-summary-list__value"
        ).get_text(strip=True)
        for r in rows
    }
    assert values["Learner group"] == "Nursing"
    assert values[items[0].text] == "Agree"
    assert values[INST.concerns[0].question] == "Yes: Unsafe staffing at night"
    change = rows[1].select_one(".nhsuk-summary-list__actions a")
    assert change["href"] == "/survey/questions/induction?change=1#ind_1"
    hidden = change.select_one(".nhsuk-u-visually-hidden").get_text(strip=True)
    assert hidden.endswith(items[0].text)


def test_a_change_from_check_your_answers_returns_there(client, entered):
    _to_concerns(client)
    post(
        client,
        "/survey/concerns",
        {**CONCERN, "patient_safety": "no", "patient_safety_details": ""},
    )
    path = "/survey/questions/induction?change=1"
    page = soup(client.get(path))
    assert page.select_one(".nhsuk-back-link__link")["href"] == "/survey/check"
    values = {i.id: "1" for i in INST.items if i.theme == "induction"}
    r = post(client, path, values)
    assert r.headers["Location"] == "/survey/check"
    assert draft_data(entered.invitation_id)["answers"]["ind_1"] == 1


def test_changing_group_from_check_asks_the_new_profession_questions_first(client, entered):
    _to_concerns(client)
    post(
        client,
        "/survey/concerns",
        {**CONCERN, "patient_safety": "no", "patient_safety_details": ""},
    )
    r = post(client, "/survey/start?change=1", {"group": "medical"})
    assert r.headers["Location"] == "/survey/questions/profession"
    assert "nur_1" not in draft_data(entered.invitation_id)["answers"]
