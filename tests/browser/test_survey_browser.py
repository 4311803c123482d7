"""A learner completes the survey in Chromium at a phone viewport, by touch and by keyboard.

Every survey page, error states included, is scanned with axe-core; none may have a
serious or critical violation.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from nets_app.extensions import db
from nets_app.models import ConcernReport, Response
from tests.browser_fixtures import axe_violations
from tests.survey.helpers import make_invitation

pytestmark = pytest.mark.browser

CONTINUE = "Save and continue"


def survey_link(live_server, **kw) -> tuple[str, str]:
    """A new invitation on the live server: (its link path, its placement's name)."""
    with live_server.app.app_context():
        s = make_invitation(**kw)
    return f"/s/{s.token}", s.placement_name


def stored(live_server, model) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def survey_violations(page) -> list[dict]:
    return axe_violations(page)


def assert_accessible(page) -> None:
    assert survey_violations(page) == [], page.url


def test_the_shared_header_is_accessible(live_server, page):
    page.goto(live_server("/survey/start"))
    assert axe_violations(page) == []


def radio_names(page) -> list[str]:
    return page.eval_on_selector_all(
        "main input[type=radio]", "els => [...new Set(els.map(e => e.name))]"
    )


def answer_page(page, value: str = "4", skip: tuple[str, ...] = ()) -> None:
    for name in radio_names(page):
        if name not in skip:
            page.locator(f"input[name='{name}'][value='{value}']").check()
    # Wait for the next page (or the same page with errors) before the caller reads it.
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("button", name=CONTINUE).click()


def answer_until(page, path: str, *, scan: bool = False) -> None:
    while not page.url.endswith(path):
        assert "/survey/questions/" in page.url, page.url
        if scan:
            assert_accessible(page)
        answer_page(page)


def test_a_learner_completes_the_survey_on_a_phone(live_server, new_context):
    link, placement = survey_link(live_server)
    before = stored(live_server, Response)
    page = new_context().new_page()
    page.goto(live_server(link))

    # The token is exchanged at once: it is not left in the address bar.
    expect(page).to_have_url(live_server("/survey/start"))
    expect(page.locator("main")).to_contain_text(placement)
    expect(page.locator("#anonymous")).to_have_text("Your answers are anonymous")
    assert_accessible(page)

    # A validation error, and its correction.
    page.get_by_role("button", name="Start the survey").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    assert_accessible(page)
    summary.get_by_role("link", name="Select your learner group").click()
    assert page.evaluate("document.activeElement.id") == "group"
    page.get_by_label("Nursing").check()
    page.get_by_role("button", name="Start the survey").click()

    expect(page).to_have_url(live_server("/survey/questions/induction"))
    expect(page.locator(".nets-progress")).to_have_text(re.compile(r"Page 2 of \d+"))
    answer_page(page, skip=("ind_2",))
    expect(page.locator("#ind_2-error")).to_contain_text("Select an answer for")
    assert_accessible(page)
    page.locator("input[name='ind_2'][value='5']").check()
    page.get_by_role("button", name=CONTINUE).click()
    # Wait for the next page: answering before it loads would answer the old one.
    expect(page).to_have_url(live_server("/survey/questions/supervision"))
    answer_page(page)
    expect(page).to_have_url(live_server("/survey/questions/learning"))
    page.context.close()  # the learner closes the browser

    # Save and resume: a fresh browser opens the same link and carries on.
    page = new_context().new_page()
    page.goto(live_server(link))
    expect(page).to_have_url(live_server("/survey/questions/learning"))
    page.get_by_role("link", name="Back").click()
    expect(page.locator("input[name='sup_1'][value='4']")).to_be_checked()
    page.get_by_role("button", name=CONTINUE).click()
    expect(page).to_have_url(live_server("/survey/questions/learning"))
    answer_until(page, "/survey/comments", scan=True)

    # Free text with the live character count.
    page.get_by_label("What was good about this placement?").fill("Supportive team.")
    expect(page.locator(".nhsuk-character-count__status").first).to_contain_text(
        "You have 1484 characters remaining"
    )
    assert_accessible(page)
    page.get_by_role("button", name=CONTINUE).click()

    # A concern: the details box appears with Yes; signposting follows at once.
    page.locator("#patient_safety").check()
    details = page.locator("#patient_safety_details")
    expect(details).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=CONTINUE).click()  # forgot the bullying question
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select yes or no")
    expect(page.locator("#patient_safety_details-error")).to_be_visible()
    assert_accessible(page)
    details.fill("Too few staff on night shifts to keep patients safe.")
    page.locator("input[name='bullying'][value='no']").check()
    page.get_by_role("button", name=CONTINUE).click()
    expect(page).to_have_url(live_server("/survey/where-to-report"))
    main = page.locator("main")
    expect(main).to_contain_text("This survey does not replace incident reporting")
    expect(main).to_contain_text("Freedom to Speak Up guardian")
    expect(main).to_contain_text("multi-professional Dean")
    assert_accessible(page)
    page.get_by_role("link", name="Continue").click()

    # Check your answers, with a change that comes back here.
    expect(page).to_have_url(live_server("/survey/check"))
    assert_accessible(page)
    page.locator(".nhsuk-summary-list__actions a").nth(1).click()
    expect(page).to_have_url(re.compile(r"/survey/questions/induction\?change=1#ind_1$"))
    page.locator("input[name='ind_1'][value='1']").check()
    page.get_by_role("button", name=CONTINUE).click()
    expect(page).to_have_url(live_server("/survey/check"))
    expect(page.locator("main")).to_contain_text("Strongly disagree")

    # A double submit: two requests at once from the page, then a double tap.
    statuses = page.evaluate(
        """() => {
            const form = document.querySelector('main form');
            const send = () => fetch('/survey/check', {method: 'POST', body: new FormData(form),
                                                     redirect: 'manual'});
            return Promise.all([send(), send()]).then(rs => rs.map(r => r.type));
        }"""
    )
    assert statuses == ["opaqueredirect", "opaqueredirect"]
    page.get_by_role("button", name="Send my answers").dblclick()
    expect(page).to_have_url(live_server("/survey/done"))
    expect(page.locator("h1")).to_have_text("Your answers have been sent")
    expect(page.locator("main")).to_contain_text("This survey does not replace incident reporting")
    assert_accessible(page)
    page.go_back()  # back to the check page: the confirmation again, no second response
    expect(page).to_have_url(live_server("/survey/done"))
    assert stored(live_server, Response) == before + 1
    with live_server.app.app_context():
        assert db.session.scalar(select(ConcernReport.details).order_by(ConcernReport.id.desc()))


def tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until the focused element matches ``selector``; its focus must be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        reached, visible = page.evaluate(FOCUS, selector)
        if reached:
            assert visible, f"focus on {selector} is not visible"
            return
    raise AssertionError(f"Tab never reached {selector}")


# Whether the focused element matches a selector, and whether its focus can be seen
# (an outline or box shadow; NHS.UK radios draw theirs on the label's ::before).
FOCUS = """selector => {
    const el = document.activeElement;
    const shown = s => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                       || s.boxShadow !== 'none';
    let style = getComputedStyle(el);
    if (el.matches('input[type=radio]')) {
        style = getComputedStyle(document.querySelector(`label[for="${el.id}"]`), '::before');
    }
    return [el.matches(selector), shown(style)];
}"""


def press_and_wait(page, key: str = "Enter") -> None:
    """Press ``key`` and wait for the next page."""
    old = page.url
    page.keyboard.press(key)
    page.wait_for_url(lambda url: url != old, wait_until="domcontentloaded")


def submit_by_keyboard(page) -> None:
    tab_to(page, "main button[type=submit]")
    press_and_wait(page)


def keyboard_answer_page(page) -> None:
    for name in radio_names(page):
        tab_to(page, f"input[name='{name}']")
        page.keyboard.press("Space")  # the first point ...
        for _ in range(3):
            page.keyboard.press("ArrowDown")  # ... then down to "Agree"
    submit_by_keyboard(page)


def test_a_learner_completes_the_survey_by_keyboard_alone(live_server, page):
    link, _ = survey_link(live_server)
    before = stored(live_server, Response)
    page.goto(live_server(link))
    tab_to(page, "input[name=group]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "nursing"
    submit_by_keyboard(page)
    while "/survey/questions/" in page.url:
        keyboard_answer_page(page)
    expect(page).to_have_url(live_server("/survey/comments"))
    tab_to(page, "textarea#good")
    page.keyboard.type("Good teaching on ward rounds.")
    submit_by_keyboard(page)
    expect(page).to_have_url(live_server("/survey/concerns"))
    for name in ("patient_safety", "bullying"):
        tab_to(page, f"input[name='{name}']")
        page.keyboard.press("Space")  # Yes ...
        page.keyboard.press("ArrowDown")  # ... then No
    submit_by_keyboard(page)
    expect(page).to_have_url(live_server("/survey/check"))
    expect(page.locator("main")).to_contain_text("Good teaching on ward rounds.")
    submit_by_keyboard(page)
    expect(page).to_have_url(live_server("/survey/done"))
    assert stored(live_server, Response) == before + 1


def test_the_survey_works_without_javascript_at_320_pixels(live_server, new_context):
    link, _ = survey_link(live_server)
    narrow = {"width": 320, "height": 640}
    no_js = new_context(java_script_enabled=False, viewport=narrow)
    page = no_js.new_page()
    page.goto(live_server(link))
    page.get_by_label("Medical").check()
    page.get_by_role("button", name="Start the survey").click()
    expect(page).to_have_url(live_server("/survey/questions/induction"))
    answer_until(page, "/survey/comments")
    page.get_by_role("button", name=CONTINUE).click()
    # Without JavaScript the details box is shown, and the limit is a plain hint.
    expect(page.locator("#patient_safety_details")).to_be_visible()
    expect(page.locator("#patient_safety_details-info")).to_have_text(
        "You can enter up to 1,500 characters"
    )
    for path in ("/survey/questions/induction", "/survey/concerns"):
        page.goto(live_server(path))
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                    'main input[type=radio], main button, main textarea, .nhsuk-back-link a')]
                .map(e => e.getBoundingClientRect())
                .filter(r => r.width < 24 || r.height < 24).length"""
        )
        assert small == 0, f"tap targets smaller than 24 px on {path}"
    scanner = new_context(viewport=narrow)  # axe needs JavaScript; same session, same HTML
    scanner.add_cookies(no_js.cookies())
    scan = scanner.new_page()
    for path in ("/survey/questions/induction", "/survey/comments", "/survey/concerns"):
        scan.goto(live_server(path))
        assert_accessible(scan)


@pytest.mark.parametrize(
    "path",
    ["/s/short", "/s/" + "A" * 32, "/p/no-such-poster", "/survey/start"],
    ids=["malformed", "unknown", "unknown-poster", "no-session"],
)
def test_problem_pages_are_accessible(live_server, page, path):
    page.goto(live_server(path))
    expect(page.locator("h2", has_text="What you can do")).to_be_visible()
    assert_accessible(page)
