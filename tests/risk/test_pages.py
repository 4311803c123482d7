"""The risk pages as a person sees them (BeautifulSoup), on SQLite and PostgreSQL.

Access for every page and role; the matrix and descriptors beside the rating; every
refused form shows the NHS error summary naming the rule and the message beside the
field, with status 422 and nothing changed; the register shows a concern scored 12.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from flask import g
from flask.testing import FlaskClient

from nets_app.domain.isf_reporting import who_to_inform
from nets_app.domain.risk_config import IMPACT, LIKELIHOOD, MATRIX
from nets_app.extensions import db
from nets_app.models import QualityConcern
from nets_app.services import risk
from tests.factories import create_region
from tests.risk.factories import create_staff, flagged_placement, two_windows

ROLES = ("site_reviewer", "regional", "national", "researcher", "admin")


@dataclass
class World:
    mine: QualityConcern  # region North, open, rated 4 x 3, category 2
    proposed: QualityConcern  # region North, proposed
    other: QualityConcern  # region South, proposed
    staff: dict
    north: object
    south: object


@pytest.fixture
def world(app) -> World:
    w1, _ = two_windows()
    north = create_region(code="RN", name="Northmoor")
    south = create_region(code="RS", name="Southdale")
    p_mine, _ = flagged_placement(w1, region=north)
    flagged_placement(w1, region=north)
    flagged_placement(w1, region=south)
    staff = {
        role: create_staff(role, region=north if role == "regional" else None) for role in ROLES
    }
    staff["regional_south"] = create_staff("regional", region=south)
    db.session.commit()
    mine, proposed, other = sorted(
        risk.propose_concerns_from_flags(w1.code),
        key=lambda c: (c.provider.region_id != north.id, c.id),
    )
    risk.confirm_concern(mine.id, "qa", "Confirmed at the visit")
    risk.rate_concern(mine.id, "qa", 4, 3, "Visit found the same")
    risk.change_category(
        mine.id, "qa", 2, "Significant", [{"kind": "quality_intervention", "ref": "Visit 1"}]
    )
    return World(mine, proposed, other, staff, north, south)


def sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_version}"
        session["_fresh"] = True


class OwnUserClient(FlaskClient):
    """A test client whose every request loads its own signed-in user.

    The ``app`` fixture keeps one application context open for the whole test, so
    requests share ``g`` and Flask-Login would reuse the first request's user.
    """

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def as_role(app, world):
    def make(role: str):
        client = OwnUserClient(app, app.response_class, use_cookies=True)
        sign_in(client, world.staff[role])
        return client

    return make


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csrf_token(client, path: str) -> str:
    return soup(client.get(path)).find("input", attrs={"name": "csrf_token"})["value"]


# --- access --------------------------------------------------------------------------------

QUALITY = {"regional", "national"}
PAGES = [
    ("/risk/", QUALITY),
    ("/risk/?status=register", QUALITY),
    ("/risk/?status=proposed&region=RN", QUALITY),
    ("/risk/?region=RS", {"national"}),
    ("/risk/register.csv", QUALITY),
    ("/risk/summaries?period=alerts", QUALITY),
    ("/risk/summaries?period=quarterly&on=2024-05-01", QUALITY),
    ("/risk/summaries.csv?period=monthly", QUALITY),
    ("/risk/concerns/new", QUALITY),
    ("/risk/concerns/{mine}", QUALITY),
    ("/risk/concerns/{other}", {"national"}),
]


@pytest.mark.parametrize(("path", "role"), [(p, r) for p, _ in PAGES for r in ROLES])
def test_each_page_for_each_role(world, as_role, path, role):
    allowed = dict(PAGES)[path]
    response = as_role(role).get(path.format(mine=world.mine.id, other=world.other.id))
    assert response.status_code == (200 if role in allowed else 403)
    if role == "regional" and response.status_code == 200:
        assert world.other.provider.name not in response.get_data(as_text=True)


def test_signed_out_is_sent_to_sign_in(world, client):
    response = client.get(f"/risk/concerns/{world.mine.id}")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_unknown_concern_and_filter_are_not_found(world, as_role):
    client = as_role("national")
    assert client.get("/risk/concerns/999999").status_code == 404
    assert client.get("/risk/?status=maybe").status_code == 404
    assert client.get("/risk/summaries?period=weekly").status_code == 404


# --- what the concern page shows -------------------------------------------------------------


def test_concern_page_shows_the_matrix_descriptors_and_who_to_inform(world, as_role):
    page = soup(as_role("regional").get(f"/risk/concerns/{world.mine.id}"))
    cells = page.select("#risk-matrix td[data-rag]")
    assert len(cells) == 25
    for cell in cells:
        lik, imp = int(cell["data-likelihood"]), int(cell["data-impact"])
        assert cell["data-rag"] == MATRIX[lik][imp]
        assert f"({lik * imp})" in cell.get_text()
    (current,) = page.select('#risk-matrix td[aria-current="true"]')
    assert (current["data-likelihood"], current["data-impact"]) == ("4", "3")
    assert "4 × 3 = 12" in page.select_one("#current-rating").get_text()
    assert "A/R" in page.select_one("#current-rating").get_text()
    lik_rows = page.select("#likelihood-descriptors tr")
    assert [r.th.get_text(strip=True) for r in lik_rows] == [
        f"{n} {LIKELIHOOD[n][0]}" for n in range(1, 6)
    ]
    assert IMPACT[5][1][0] in page.select_one("#impact-descriptors").get_text()
    assert "On the regional and national registers" in page.select_one("#register").get_text()
    codes = [tr["data-code"] for tr in page.select("#inform tr[data-code]")]
    assert codes == [n.code for n in who_to_inform(2)]
    assert page.select_one("#replay")["data-valid"] == "true"
    kinds = [li["data-kind"] for li in page.select("#trail li")]
    # the suggested rating was overridden (same 4 x 3, with a reason)
    assert kinds == ["proposed", "confirmed", "overridden", "category_change"]
    assert page.select_one('[data-rule="action.plan_missing"]') is not None


def test_register_shows_the_concern_and_exports_it(world, as_role):
    page = soup(as_role("regional").get("/risk/?status=register"))
    assert [tr["data-concern"] for tr in page.select("#concerns tr[data-concern]")] == [
        str(world.mine.id)
    ]
    csv = as_role("national").get("/risk/register.csv")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("id,region,provider")
    assert [line.split(",")[0] for line in lines[1:]] == [str(world.mine.id)]
    south = soup(as_role("regional_south").get("/risk/?status=register"))
    assert south.select("#concerns tr[data-concern]") == []


def test_alerts_show_the_concern_rated_high(world, as_role):
    page = soup(as_role("national").get("/risk/summaries?period=alerts"))
    rows = page.select("#rows tr[data-concern]")
    assert str(world.mine.id) in {r["data-concern"] for r in rows}
    assert any("12" in r.get_text() for r in rows)


# --- forms -------------------------------------------------------------------------------


def test_confirm_rate_categorise_and_plan_through_the_pages(world, as_role, snap):
    client = as_role("regional")
    cid = world.proposed.id
    path = f"/risk/concerns/{cid}"
    token = csrf_token(client, path)
    assert (
        client.post(
            f"{path}/confirm", data={"csrf_token": token, "reason": "Seen at visit"}
        ).status_code
        == 302
    )
    r = client.post(
        f"{path}/rating",
        data={"csrf_token": token, "likelihood": "4", "impact": "3", "reason": "Agreed"},
    )
    assert r.status_code == 302
    ev = db.session.get(QualityConcern, cid).evidence[0].id
    r = client.post(
        f"{path}/category",
        data={
            "csrf_token": token,
            "to_category": "2",
            "reason": "Significant",
            "evidence_ids": [str(ev)],
        },
    )
    assert r.status_code == 302
    r = client.post(
        f"{path}/actions",
        data={
            "csrf_token": token,
            "description": "Protected teaching",
            "owner": "Dr A",
            "due_on": "2099-01-31",
        },
    )
    assert r.status_code == 302
    page = soup(client.get(path))
    assert page.select_one("#status").get_text(strip=True) == "open"
    assert "2 Significant concerns" in page.select_one("#current-category").get_text()
    assert [td.get_text(strip=True) for td in page.select("#action-table tbody tr td")][:3] == [
        "Protected teaching",
        "Dr A",
        "31 Jan 2099",
    ]
    c = db.session.get(QualityConcern, cid)
    assert c.events[-1].actor.endswith(f"({world.staff['regional'].email})")


def _post(world, role_client, form: str, data: dict) -> tuple:
    """(path to post to, page to read the token from)."""
    cid = world.mine.id if form != "decide" else world.proposed.id
    base = f"/risk/concerns/{cid}"
    return {
        "decide": (f"{base}/dismiss", base),
        "rate": (f"{base}/rating", base),
        "category": (f"{base}/category", base),
        "action": (f"{base}/actions", base),
        "new": ("/risk/concerns/new", "/risk/concerns/new"),
    }[form]


BAD_FORMS = {
    "likelihood 7": ("rate", {"likelihood": "7", "impact": "3", "reason": "x"}, "risk.likelihood_range", "likelihood"),
    "impact missing": ("rate", {"likelihood": "3", "impact": "", "reason": "x"}, "risk.impact_range", "impact"),
    "override without reason": ("rate", {"likelihood": "2", "impact": "2", "reason": " "}, "risk.override_reason", "reason"),
    "straight to 4": ("category", {"to_category": "4", "reason": "x", "evidence_kind": "complaint",
                                   "evidence_ref": "C1"}, "isf.cat4_from_3", "to_category"),
    "to 3 without ground": ("category", {"to_category": "3", "reason": "x", "evidence_kind": "complaint",
                                         "evidence_ref": "C1"}, "isf.escalation_to_3", "reason_code"),
    "de-escalation without evidence of improvement": (
        "category", {"to_category": "1", "reason": "better", "evidence_kind": "complaint", "evidence_ref": "C1"},
        "isf.deescalation_evidence", "evidence_kind"),
    "change without reason": ("category", {"to_category": "1", "reason": "", "evidence_kind": "complaint",
                                           "evidence_ref": "C1"}, "isf.change_why", "reason"),
    "action without owner": ("action", {"description": "Teach", "owner": "", "due_on": "2099-01-01"},
                             "action.owner", "owner"),
    "action without due date": ("action", {"description": "Teach", "owner": "Dr A", "due_on": ""},
                                "action.due", "due_on"),
    "dismiss without reason": ("decide", {"reason": ""}, "concern.reason", "reason"),
    "manual concern without title": ("new", {"provider": "{provider}", "title": "", "evidence_kind": "gmc_nts",
                                             "evidence_ref": "GMC 2024", "reason": "x"}, "concern.title", "title"),
    "manual concern without evidence": ("new", {"provider": "{provider}", "title": "GMC", "evidence_kind": "gmc_nts",
                                                "evidence_ref": "", "reason": "x"}, "concern.evidence_required",
                                        "evidence_kind"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_FORMS))
def test_refused_form_shows_the_error_summary_and_the_field_and_changes_nothing(
    world, as_role, snap, case
):
    form, data, rule, field = BAD_FORMS[case]
    client = as_role("regional")
    post_to, page_path = _post(world, client, form, data)
    data = {k: v.format(provider=world.mine.provider.code) for k, v in data.items()}
    data["csrf_token"] = csrf_token(client, page_path)
    before = snap()

    response = client.post(post_to, data=data)

    assert response.status_code == 422
    page = soup(response)
    summary = page.select_one(".nhsuk-error-summary")
    assert summary is not None and rule in summary.get_text()
    link = summary.select_one("a")["href"]
    assert link == f"#{form}-{field}"
    target = page.select_one(link)
    assert target is not None, f"the summary links to {link}, which is not on the page"
    group = target.find_parent(class_="nhsuk-form-group") or target.parent
    assert "nhsuk-form-group--error" in group["class"]
    assert group.select_one(".nhsuk-error-message") is not None
    assert page.title.get_text().startswith("Error:")
    assert snap() == before


def test_a_post_without_the_csrf_token_is_refused(world, as_role, snap):
    before = snap()
    response = as_role("regional").post(
        f"/risk/concerns/{world.mine.id}/rating", data={"likelihood": "2"}
    )
    assert response.status_code == 400
    assert snap() == before


def test_another_regions_concern_cannot_be_changed(world, as_role, snap):
    client = as_role("regional")
    token = csrf_token(client, f"/risk/concerns/{world.mine.id}")
    before = snap()
    response = client.post(
        f"/risk/concerns/{world.other.id}/confirm", data={"csrf_token": token, "reason": "x"}
    )
    assert response.status_code == 403
    assert snap() == before


def test_action_marked_done_through_the_page(world, as_role):
    aid = risk.add_action(
        world.mine.id, "qa", description="Induction", owner="Ms B", due_on=dt.date(2099, 1, 1)
    ).id
    client = as_role("national")
    path = f"/risk/concerns/{world.mine.id}"
    token = csrf_token(client, path)
    bad = client.post(f"{path}/actions/{aid}/done", data={"csrf_token": token, "done_on": ""})
    assert bad.status_code == 422
    assert soup(bad).select_one(".nhsuk-error-summary a")["href"] == f"#done-{aid}-done_on"
    ok = client.post(
        f"{path}/actions/{aid}/done",
        data={"csrf_token": token, "done_on": dt.date.today().isoformat()},
    )
    assert ok.status_code == 302
    assert "Done" in soup(client.get(path)).select_one(f'tr[data-action="{aid}"]').get_text()
