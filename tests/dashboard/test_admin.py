"""Survey administration: windows, one-time invitation downloads, response rates, retest sample."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import AuditEvent, Invitation, SurveyWindow
from nets_app.services.tokens import token_hash
from tests.dashboard import factories as f


def _token(client, path: str) -> str:
    return BeautifulSoup(client.get(path).data, "html.parser").find(
        "input", {"name": "csrf_token"}
    )["value"]


def test_windows_page_lists_windows_with_response_rates(client_for, world):
    client = client_for("admin")
    for _ in range(3):
        db.session.add(
            Invitation(
                token_hash=token_hash(f"t{_}" * 8),
                window_id=world.window.id,
                placement_id=world.placements["XASTER"].id,
                kind="survey",
                used=_ == 0,
            )
        )
    f.create_response(
        world.window, world.placements["XASTER"], world.groups["nursing"], {"ind_1": 4}
    )
    db.session.commit()
    page = BeautifulSoup(client.get("/admin/").data, "html.parser")
    rows = [
        [c.get_text(" ", strip=True) for c in r.find_all(["th", "td"])]
        for r in page.select("#windows tbody tr")
    ]
    assert rows[0][0] == "NETS 2026" and rows[0][2] == "open"
    assert rows[0][4:] == ["3", "33%", "1"]
    assert rows[1][0] == "NETS 2025" and rows[1][2] == "closed"


def test_invitations_are_downloaded_once_and_only_their_hashes_kept(client_for, world):
    client = client_for("admin")
    token = _token(client, "/admin/windows/W2026")
    response = client.post(
        "/admin/windows/W2026/invitations",
        data={"placement": "XBASIL", "group": "nursing", "count": "3", "csrf_token": token},
    )
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="nets-invitations-W2026-XBASIL.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 3 and {r["placement_code"] for r in rows} == {"XBASIL"}
    assert all(r["survey_url"] == f"http://localhost/s/{r['token']}" for r in rows)
    stored = list(db.session.scalars(select(Invitation)))
    assert {i.token_hash for i in stored} == {token_hash(r["token"]) for r in rows}
    assert {i.learner_group.code for i in stored} == {"nursing"}
    # the audit log says how many, never the tokens
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "create"))
    assert event.detail == {"count": 3, "group": "nursing"}
    assert not any(r["token"] in str(event.detail) + event.target for r in rows)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"placement": "NOPE", "count": "2"}, "There is no placement with code 'NOPE'"),
        ({"placement": "XBASIL", "count": "0"}, "between 1 and 5000"),
        ({"placement": "XBASIL", "count": "lots"}, "as a whole number"),
        ({"placement": "XBASIL", "count": "2", "group": "astronaut"}, "There is no learner group"),
    ],
)
def test_bad_invitation_requests_say_what_to_fix_and_create_nothing(
    client_for, world, form, message
):
    client = client_for("admin")
    token = _token(client, "/admin/windows/W2026")
    response = client.post("/admin/windows/W2026/invitations", data={**form, "csrf_token": token})
    assert response.status_code == 400
    assert (
        message
        in BeautifulSoup(response.data, "html.parser").select_one(".nhsuk-error-summary").text
    )
    assert db.session.scalar(select(Invitation.id)) is None


def test_no_invitations_for_a_closed_window(client_for, world):
    client = client_for("admin")
    token = _token(client, "/admin/windows/W2025")
    response = client.post(
        "/admin/windows/W2025/invitations",
        data={"placement": "XBASIL", "count": "1", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "closed on" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"code": "W2026"}, "already exists"),
        ({"code": "bad code!"}, "Enter a window code"),
        ({"opens_on": "next week"}, "Enter the opening date as a date"),
        ({"closes_on": "2029-12-31"}, "closing date must be on or after"),
        ({"retest_fraction": "1.5"}, "between 0 and 1"),
        ({"retest_min_days": "30"}, "no more than the maximum"),
    ],
)
def test_bad_windows_are_refused_with_the_reason(client_for, world, form, message):
    client = client_for("admin")
    token = _token(client, "/admin/windows/new")
    data = {
        "code": "W2030",
        "name": "NETS 2030",
        "opens_on": "2030-01-01",
        "closes_on": "2030-02-01",
        "csrf_token": token,
    }
    response = client.post("/admin/windows/new", data=data | form)
    assert response.status_code == 400
    assert (
        message
        in BeautifulSoup(response.data, "html.parser").select_one(".nhsuk-error-summary").text
    )
    assert db.session.scalar(select(SurveyWindow).where(SurveyWindow.code == "W2030")) is None


def test_a_new_window_is_created_and_shown(client_for, world):
    client = client_for("admin")
    token = _token(client, "/admin/windows/new")
    data = {
        "code": "W2030",
        "name": "",
        "opens_on": "2030-01-01",
        "closes_on": "2030-02-01",
        "retest_fraction": "0.2",
        "csrf_token": token,
    }
    response = client.post("/admin/windows/new", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/windows/W2030"
    page = BeautifulSoup(client.get("/admin/windows/W2030").data, "html.parser")
    assert page.h1.text == "NETS W2030"
    assert (
        "20% of respondents are invited to answer a short form again 7 to 21 days later"
        in page.text
    )
