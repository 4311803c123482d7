"""The researchers' validation pages: who may see them, what they show, and clear 404s."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import AuditEvent
from nets_app.services import cache
from tests.dashboard.conftest import ROLES, sign_in
from tests.dashboard.factories import create_staff
from tests.factories import create_group, create_window
from tests.validation.demo import load_demo_with_retests

ALLOWED = {"researcher", "national"}
WINDOW = str(dt.date.today().year - 1)
PATHS = ("/validation/", f"/validation/{WINDOW}", f"/validation/{WINDOW}/report.json")


@pytest.fixture(autouse=True)
def _fewer_resamples(app, monkeypatch):
    cache.clear()  # ids restart in every test's database
    monkeypatch.setitem(app.config, "NETS_VALIDATION_BOOT", 20)


@pytest.fixture
def staff(app):
    load_demo_with_retests(300)
    users = {role: create_staff(role) for role in ROLES}
    db.session.commit()
    return users


def client_as(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


@pytest.fixture
def window_only(app):
    create_window(code=WINDOW, name=f"NETS {WINDOW}")
    db.session.commit()


@pytest.mark.parametrize("role", ROLES)
def test_researchers_and_national_users_see_reports_other_roles_are_refused(app, window_only, role):
    # One role per test: Flask-Login keeps the signed-in user for the app context.
    user = create_staff(role)
    db.session.commit()
    client = client_as(app, user)
    want = 200 if role in ALLOWED else 403
    for path in PATHS:
        response = client.get(path)
        assert response.status_code == want, path
        assert response.headers["Cache-Control"] == "no-store"
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert len(refused) == (0 if role in ALLOWED else len(PATHS))


def test_signed_out_visitors_are_sent_to_sign_in(app, window_only):
    response = app.test_client().get(PATHS[1])
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=/validation/")


def test_the_index_lists_windows_with_their_responses(app, staff):
    page = BeautifulSoup(
        client_as(app, staff["researcher"]).get("/validation/").data, "html.parser"
    )
    rows = page.select("#validation-windows tbody tr")
    assert len(rows) == 3
    assert [a["href"] for a in page.select("#validation-windows a")][1] == f"/validation/{WINDOW}"


def test_the_report_page_shows_every_section_and_the_json_has_every_number(app, staff):
    client = client_as(app, staff["national"])
    page = BeautifulSoup(client.get(f"/validation/{WINDOW}").data, "html.parser")
    assert page.h1.get_text() == f"Validation report: NETS {WINDOW}"
    titles = [h.get_text() for h in page.select("section h2")]
    response = client.get(f"/validation/{WINDOW}/report.json")
    assert response.mimetype == "application/json"
    assert f'filename="validation-{WINDOW}.json"' in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert titles == [s["title"] for s in data["sections"].values()]
    # about 100 responses: the factor analyses say what is missing, the rest is there
    for key in ("adequacy", "dimensionality", "efa", "cfa"):
        assert data["sections"][key]["status"] == "unavailable"
        box = page.select_one(f"#vr-{key} .vr-unavailable").get_text(" ", strip=True)
        assert "Complete responses" in box or "Respondents" in box
    assert data["sections"]["reliability"]["status"] == "ok"
    assert page.select_one("#vr-reliability") is not None


def test_a_report_for_one_learner_group(app, staff):
    client = client_as(app, staff["researcher"])
    page = BeautifulSoup(client.get(f"/validation/{WINDOW}?group=nursing").data, "html.parser")
    assert "learner group nursing" in page.select_one(".vr-meta").get_text()
    rows = page.select("#vr-sample-groups tbody tr")
    assert [r.td.get_text() for r in rows] == ["Nursing student or nursing associate"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/validation/nope", "There is no survey window nope"),
        (f"/validation/{WINDOW}?group=vets", "There is no learner group vets"),
        ("/validation/nope/report.json", "There is no survey window nope"),
    ],
)
def test_unknown_window_or_group_is_a_404_that_names_it(app, window_only, path, message):
    create_group("nursing")
    user = create_staff("researcher")
    db.session.commit()
    response = client_as(app, user).get(path)
    assert response.status_code == 404
    text = BeautifulSoup(response.data, "html.parser").get_text(" ", strip=True)
    assert message in text
    assert "choose one of the" in text
