"""Staff sign-in: Argon2 hashes, rate limit on failures, sign-out ends the session on the server."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import AuditEvent, StaffUser
from nets_app.services import staff
from nets_app.services.access import load_principal
from tests.clients import new_client
from tests.dashboard import factories as f
from tests.factories import create_provider, create_region, create_window


def _token(client) -> str:
    page = client.get("/staff/login")
    return BeautifulSoup(page.data, "html.parser").find("input", {"name": "csrf_token"})["value"]


def _sign_in(client, email: str, password: str = f.PASSWORD, **kw):
    return client.post(
        "/staff/login" + kw.get("query", ""),
        data={"email": email, "password": password, "csrf_token": _token(client)},
    )


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def national(app):
    create_window()
    user = f.create_staff("national", email="nat@nhs.net")
    db.session.commit()
    return user


def test_password_is_stored_as_argon2id(app):
    user = staff.create_staff_user("a@nhs.net", "A", "national", "a long enough password")
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "boss"}, "unknown role 'boss'"),
        ({"password": "short"}, "at least 12 characters"),
        ({"role": "site_reviewer"}, "needs at least one provider"),
        ({"role": "regional"}, "needs a region"),
        ({"email": "not-an-email"}, "is not an e-mail address"),
    ],
)
def test_create_staff_user_refuses_bad_input(app, kwargs, message):
    args = {
        "email": "b@nhs.net",
        "name": "B",
        "role": "national",
        "password": "long enough pass",
    } | kwargs
    with pytest.raises(ValueError, match=message):
        staff.create_staff_user(**args)


def test_create_staff_user_refuses_a_second_account_for_one_email(app):
    staff.create_staff_user("c@nhs.net", "C", "national", "long enough pass")
    with pytest.raises(ValueError, match="already exists"):
        staff.create_staff_user("C@NHS.net", "C2", "national", "long enough pass")


def test_sign_in_and_land_on_the_dashboard(client, national):
    response = _sign_in(client, "NAT@nhs.net ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"
    assert client.get("/dashboard/national").status_code == 200
    (event,) = _events("login")
    assert event.staff_id == national.id


def test_sign_in_follows_a_local_next_only(client, national):
    response = _sign_in(client, "nat@nhs.net", query="?next=/dashboard/national")
    assert response.headers["Location"] == "/dashboard/national"
    client.post("/staff/logout", data={"csrf_token": _token_from(client)})
    response = _sign_in(client, "nat@nhs.net", query="?next=https://evil.example/x")
    assert response.headers["Location"] == "/dashboard/"


def _token_from(client) -> str:
    page = client.get("/dashboard/downloads")
    return BeautifulSoup(page.data, "html.parser").find("input", {"name": "csrf_token"})["value"]


@pytest.mark.parametrize(
    ("email", "password", "reason"),
    [
        ("nat@nhs.net", "wrong password!!", "wrong password"),
        ("nobody@nhs.net", f.PASSWORD, "unknown account"),
    ],
)
def test_wrong_credentials_say_so_without_telling_which(client, national, email, password, reason):
    response = _sign_in(client, email, password)
    assert response.status_code == 400
    soup = BeautifulSoup(response.data, "html.parser")
    assert (
        "Enter a correct email address and password."
        in soup.select_one(".nhsuk-error-summary").text
    )
    assert soup.title.text.startswith("Error:")
    assert client.get("/dashboard/national").status_code == 302
    (event,) = _events("login_failed")
    assert event.detail["reason"] == reason


def test_disabled_account_cannot_sign_in_and_its_session_stops_working(client, national):
    assert _sign_in(client, "nat@nhs.net").status_code == 302
    national.active = False
    db.session.commit()
    assert client.get("/dashboard/national").status_code == 302
    assert _sign_in(client, "nat@nhs.net").status_code == 400


def test_sign_out_ends_the_session_on_the_server(app, national):
    browser = new_client(app)
    stolen = new_client(app)
    assert _sign_in(browser, "nat@nhs.net").status_code == 302
    # Copy the session cookie, as someone who captured it would.
    cookie = browser.get_cookie("session")
    stolen.set_cookie("session", cookie.value)
    assert stolen.get("/dashboard/national").status_code == 200
    response = browser.post("/staff/logout", data={"csrf_token": _token_from(browser)})
    assert response.status_code == 302
    assert browser.get("/dashboard/national").status_code == 302
    # The old cookie no longer loads a user: the server bumped the session version.
    assert stolen.get("/dashboard/national").status_code == 302
    assert [e.staff_id for e in _events("logout")] == [national.id]


def test_a_password_change_ends_existing_sessions(app, client, national):
    _sign_in(client, "nat@nhs.net")
    staff.set_password(db.session.get(StaffUser, national.id), "a brand new password")
    db.session.commit()
    assert client.get("/dashboard/national").status_code == 302


@pytest.mark.parametrize("session_id", ["", "abc", "1", "1:x", "999:1", ":1"])
def test_malformed_or_unknown_session_ids_load_nobody(app, national, session_id):
    assert load_principal(session_id) is None


def test_repeated_failures_are_rate_limited_per_address_and_email(app, client, national):
    app.config["NETS_LOGIN_LIMIT"] = "3 per 15 minutes"
    try:
        statuses = [
            _sign_in(client, "nat@nhs.net", "wrong password!!").status_code for _ in range(4)
        ]
        assert statuses == [400, 400, 400, 429]
        # Even the right password waits now: the limit stops guessing, not only wrong guesses.
        refused = _sign_in(client, "nat@nhs.net")
        assert refused.status_code == 429
        assert BeautifulSoup(refused.data, "html.parser").h1.text == "Too many sign-in attempts"
        # Another account from the same address is counted separately.
        other = f.create_staff("national", email="other@nhs.net")
        db.session.commit()
        assert _sign_in(client, other.email).status_code == 302
    finally:
        del app.config["NETS_LOGIN_LIMIT"]


def test_successful_sign_ins_do_not_use_up_the_limit(app, national):
    app.config["NETS_LOGIN_LIMIT"] = "2 per 15 minutes"
    try:
        for _ in range(4):
            c = new_client(app)
            assert _sign_in(c, "nat@nhs.net").status_code == 302
    finally:
        del app.config["NETS_LOGIN_LIMIT"]


def test_demo_logins_give_one_working_account_per_role(app, client):
    region = create_region()
    create_provider(region=region)
    db.session.commit()
    logins = staff.demo_logins()
    assert [role for role, _, _ in logins] == [
        "site_reviewer",
        "regional",
        "national",
        "researcher",
        "admin",
    ]
    for role, email, password in logins:
        c = new_client(app)
        assert _sign_in(c, email, password).status_code == 302, role
    # Run again (a second `make run`): new passwords, the old ones stop working.
    again = staff.demo_logins()
    assert {e for _, e, _ in again} == {e for _, e, _ in logins}
    assert _sign_in(new_client(app), logins[0][1], logins[0][2]).status_code == 400


def test_demo_logins_are_refused_in_production(app):
    app.config["ENV_NAME"] = "production"
    try:
        with pytest.raises(ValueError, match="development only"):
            staff.demo_logins()
    finally:
        app.config["ENV_NAME"] = "testing"
