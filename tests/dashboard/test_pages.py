"""What each page shows a person, read from the parsed HTML; and clear 404s for bad input."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import AuditEvent, ConcernReport
from tests.dashboard import factories as f


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.data[:300]
    return BeautifulSoup(response.data, "html.parser")


def cells(table) -> list[list[str]]:
    return [
        [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])]
        for row in table.find_all("tr")
    ]


def views() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view")))


def test_placement_page_shows_scores_with_intervals_benchmarks_and_flags(client_for, world):
    page = soup(client_for("site_reviewer").get("/dashboard/placements/XASTER"))
    assert page.h1.text == "Ward Aster"
    overall = page.select_one("#overall").get_text(" ", strip=True)
    assert "70 (95% confidence interval 62 to 78)" in overall
    assert "White" in overall
    assert "Within limits" in overall
    themes = cells(page.find("caption", string="Scores by theme").parent)
    assert themes[1][:5] == ["Induction", "70 adjusted 71", "62 to 78", "75", "12"]
    flag = cells(
        page.find("caption", string="Adverse-environment flags and their evidence").parent
    )[1]
    assert flag[0] == "funnel_low"
    assert flag[-1] == "Aster flag: score 41 below the limit ci low: 35.1 Raised 5 January 2026."
    # trend, funnel and item distributions are SVG charts with a text alternative
    figures = page.select("figure.nets-chart")
    assert len(figures) == 3
    for fig in figures:
        svg = fig.find("svg")
        assert svg["role"] == "img" and svg["aria-label"]
        assert fig.find("details")
    trend = figures[0].find("table")
    assert cells(trend)[1:] == [["W2025", "60", "52", "68"], ["W2026", "70", "62", "78"]]
    # no answers are stored in this world: every item is too thinly answered to show
    items = cells(figures[2].find("table"))[1:]
    assert items and all(row[1:] == ["not shown"] * 5 for row in items)
    (event,) = views()
    assert (event.target, event.detail["window"], event.detail["group"]) == (
        "placement:XASTER",
        "W2026",
        "all",
    )


def test_placement_page_for_a_suppressed_group_shows_the_notice_never_numbers(client_for, world):
    page = soup(client_for("national").get("/dashboard/placements/XASTER?group=medical"))
    assert "Some results are not shown" in page.select_one(".nets-suppression").text
    overall = page.select_one("#overall").text
    assert "not shown" in overall
    main = page.find("main")
    for caption in ("Scores by theme", "Scores by Quality Framework domain"):
        table = main.find("caption", string=caption).parent
        for row in cells(table)[1:]:
            assert row[1:] == ["Not shown"], row
    assert main.find("figure") is None
    assert "Answers to each question are shown for all learner groups together only" in main.text


def test_provider_page_ranks_placements_with_uncertainty(client_for, world):
    page = soup(client_for("regional").get("/dashboard/providers/PALD?scale=induction"))
    rows = cells(page.select_one("#ranked"))
    # Basil (71) above Aster (70); their intervals overlap, so either could be first.
    assert [r[2] for r in rows[1:]] == ["Ward Basil", "Ward Aster"]
    assert [r[1] for r in rows[1:]] == ["1 to 2", "1 to 2"]
    rates = cells(page.select_one("#response-rates"))
    assert rates[0][0] == "Window"
    assert [r[0] for r in rates[1:]] == ["NETS 2026", "NETS 2025"]


def test_region_page_lists_its_providers_by_need(client_for, world):
    page = soup(client_for("regional").get("/dashboard/regions/RNM"))
    providers = cells(page.select_one("#providers"))
    assert [r[0] for r in providers[1:]] == ["Alder Trust", "Birch Trust"]
    assert providers[1][2] == "1"  # Aster's flag
    ranked = [r[2] for r in cells(page.select_one("#ranked"))[1:]]
    assert [name.split(" ")[0:2] for name in ranked] == [
        ["Ward", "Cedar"],
        ["Ward", "Basil"],
        ["Ward", "Aster"],
    ]


def test_national_dashboard_answers_the_business_questions(client_for, world):
    page = soup(client_for("national").get("/dashboard/national"))
    headings = [h.text for h in page.find_all("h2")]
    for question in (
        "Which organisations need the most support?",
        "Which show early warning signs of declining quality?",
        "Which demonstrate excellence?",
        "Trends and themes across learner groups",
        "Where should resources go?",
        "Where are our successes?",
    ):
        assert question in headings
    assert "4 of 4 placements have an overall score" in page.select_one("#assurance").text
    regions = cells(page.select_one("#regions"))
    assert [r[0] for r in regions[1:]] == ["Northmoor", "Southdale"]
    themes = cells(page.select_one("#theme-table"))
    assert themes[1][0] == "All learner groups"
    # mean of the four placements' overall scores (70, 71, 72, 73) and the change from 2025 (+10)
    assert themes[1][1].startswith("72 (+10)")


def test_concern_queue_shows_deadlines_and_updates_need_an_outcome_to_close(app, client_for, world):
    client = client_for("regional")
    page = soup(client.get("/dashboard/concerns"))
    rows = cells(page.select_one("#concerns"))
    assert len(rows) == 2 and "Ward Aster" in rows[1][2]
    assert "(5 days)" in rows[1][0]
    detail = client.get(f"/dashboard/concerns/{world.concerns['A'].id}")
    token = soup(detail).find("input", {"name": "csrf_token"})["value"]
    refused = client.post(
        f"/dashboard/concerns/{world.concerns['A'].id}",
        data={"status": "closed", "outcome": " ", "csrf_token": token},
    )
    assert refused.status_code == 400
    assert (
        "Enter the outcome before closing"
        in BeautifulSoup(refused.data, "html.parser").select_one(".nhsuk-error-summary").text
    )
    done = client.post(
        f"/dashboard/concerns/{world.concerns['A'].id}",
        data={"status": "closed", "outcome": "Visited; rota fixed.", "csrf_token": token},
    )
    assert done.status_code == 303
    db.session.expire_all()
    concern = db.session.get(ConcernReport, world.concerns["A"].id)
    assert (concern.status, concern.outcome) == ("closed", "Visited; rota fixed.")
    assert "No concerns match" in soup(client.get("/dashboard/concerns")).text


def test_overdue_concerns_are_marked(client_for, world):
    import datetime as dt

    f.create_concern(
        world.window,
        world.placements["XBASIL"],
        respond_by=dt.date.today() - dt.timedelta(days=1),
        kind="bullying",
    )
    db.session.commit()
    page = soup(client_for("regional").get("/dashboard/concerns"))
    assert "1 past the deadline" in page.select_one(".nhsuk-warning-callout").text
    assert "Overdue" in cells(page.select_one("#concerns"))[1][0]


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/dashboard/placements/NOPE", "There is no placement NOPE"),
        ("/dashboard/providers/NOPE", "There is no provider NOPE"),
        ("/dashboard/regions/NOPE", "There is no region NOPE"),
        ("/dashboard/placements/XASTER?window=1999", "There is no survey window 1999"),
        ("/dashboard/placements/XASTER?group=astronaut", "There is no learner group astronaut"),
        ("/dashboard/providers/PALD?scale=happiness", "There is no scale happiness"),
        ("/dashboard/national?window=1999", "There is no survey window 1999"),
        ("/dashboard/concerns?status=lost", "There is no status filter lost"),
        ("/dashboard/concerns?kind=gossip", "There is no concern kind gossip"),
        ("/dashboard/concerns/99999", "There is no concern report 99999"),
    ],
)
def test_unknown_values_give_a_clear_404(client_for, world, path, says):
    response = client_for("national").get(path)
    assert response.status_code == 404
    page = BeautifulSoup(response.data, "html.parser")
    assert page.h1.text == "Page not found"
    assert says in " ".join(page.find("main").get_text(" ", strip=True).split())


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/api/v1/nonsense", "no dataset 'nonsense'"),
        ("/api/v1/scores?colour=red", "no filter 'colour'"),
        ("/api/v1/scores?group=astronaut", "no learner group 'astronaut'"),
        ("/api/v1/scores?scale=happiness", "no scale 'happiness'"),
        ("/api/v1/scores?window=1999", "no survey window '1999'"),
        ("/api/v1/flags?provider=NOPE", "no provider 'NOPE'"),
    ],
)
def test_api_unknown_values_give_a_json_404(client_for, world, path, error):
    response = client_for("national").get(path)
    assert response.status_code == 404
    assert response.json["error"].startswith(error)


def test_register_and_isf_board_show_the_regions_concerns(client_for, world):
    client = client_for("regional")
    register = soup(client.get("/dashboard/register"))
    rows = cells(register.select_one("#register"))
    assert len(rows) == 2
    assert rows[1][0] == "Aster supervision concern Ward Aster"
    assert rows[1][2] == "4 × 3 = 12"
    board = soup(client.get("/dashboard/isf"))
    (column,) = [h.parent for h in board.find_all("h2") if "Significant concerns" in h.text]
    assert "Alder Trust" in column.text
    assert "Providers with no open concern (category 0): 1." in board.text  # Birch Trust


def test_national_register_can_narrow_to_a_region(client_for, world):
    client = client_for("national")
    everything = cells(soup(client.get("/dashboard/register")).select_one("#register"))
    assert sorted(r[0].split(" ")[0] for r in everything[1:]) == ["Aster", "Yarrow"]
    south = cells(soup(client.get("/dashboard/register?region=RSD")).select_one("#register"))
    assert [r[0].split(" ")[0] for r in south[1:]] == ["Yarrow"]


def test_provider_page_shows_its_isf_category(client_for, world):
    page = soup(client_for("site_reviewer").get("/dashboard/providers/PALD"))
    assert page.select_one("#isf").text.startswith("2 Significant concerns")


@pytest.mark.parametrize(
    ("role", "codes"),
    [
        ("site_reviewer", ["XASTER", "XBASIL"]),
        ("regional", ["XASTER", "XBASIL", "XCEDAR"]),
        ("national", ["XASTER", "XBASIL", "XCEDAR", "XYARROW"]),
        ("researcher", []),
        ("admin", []),
    ],
)
def test_visible_placements_follow_the_scope(world, role, codes):
    from nets_app.services.access import principal_for, visible_placements

    principal = principal_for(world.staff[role])
    assert [p.code for p in db.session.scalars(visible_placements(principal))] == codes
