"""The production configuration in-process: the __Host- session cookie, HSTS, sign-out that
holds on the server, and the audit trail of a staff session (both databases)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import AuditEvent
from tests.dashboard import factories as f
from tests.dashboard.conftest import make_world
from tests.factories import create_window

HOST = "nets.example.nhs.uk"
COOKIE = "__Host-session"


def _csrf(client, path: str = "/staff/login") -> str:
    page = client.get(path)
    return BeautifulSoup(page.data, "html.parser").find("input", {"name": "csrf_token"})["value"]


def sign_in(client, email: str, password: str = f.PASSWORD):
    data = {"email": email, "password": password, "csrf_token": _csrf(client)}
    return client.post("/staff/login", data=data)


def test_the_session_cookie_is_host_prefixed_secure_httponly_and_lax(app, prod_client):
    user = f.create_staff("national")
    db.session.commit()
    r = sign_in(prod_client(), user.email)
    assert r.status_code == 302
    cookies = [c for c in r.headers.getlist("Set-Cookie") if c.startswith(f"{COOKIE}=")]
    assert len(cookies) == 1
    attributes = {a.strip().split("=")[0].lower() for a in cookies[0].split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes
    assert "domain" not in attributes  # __Host- cookies must not name a domain
    assert "Path=/" in cookies[0] and "SameSite=Lax" in cookies[0]
    assert r.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app, prod_client):
    create_window()
    user = f.create_staff("national")
    db.session.commit()
    browser, thief = prod_client(), prod_client()
    assert sign_in(browser, user.email).status_code == 302
    stolen = browser.get_cookie(COOKIE, domain=HOST).value
    thief.set_cookie(COOKIE, stolen, domain=HOST)
    assert thief.get("/dashboard/national").status_code == 200
    out = browser.post("/staff/logout", data={"csrf_token": _csrf(browser, "/dashboard/downloads")})
    assert out.status_code == 302
    # The cookie is still validly signed, but the server no longer accepts its session.
    denied = thief.get("/dashboard/national")
    assert denied.status_code == 302 and denied.headers["Location"].startswith("/staff/login")


def test_a_staff_session_is_audited_from_failed_sign_in_to_sign_out(app, prod_client):
    world = make_world()
    reviewer = world.staff["site_reviewer"]  # Alder Trust only
    client = prod_client()
    assert sign_in(client, reviewer.email, "not the password").status_code == 400
    assert sign_in(client, reviewer.email).status_code == 302
    assert client.get("/dashboard/placements/XYARROW").status_code == 403  # Rowan Trust's
    assert client.get("/api/v1/scores.csv").status_code == 200
    client.post("/staff/logout", data={"csrf_token": _csrf(client, "/dashboard/downloads")})

    db.session.expire_all()
    security = ("login_failed", "login", "forbidden", "export", "logout")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(security)).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.outcome) for e in events] == [
        ("login_failed", "denied"),
        ("login", "ok"),
        ("forbidden", "denied"),
        ("export", "ok"),
        ("logout", "ok"),
    ]
    assert {e.staff_id for e in events[1:]} == {reviewer.id}
    assert "XYARROW" in events[2].target
