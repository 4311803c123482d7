"""Every staff endpoint × every role: who gets the page, who is refused, and that nothing leaks.

A refusal (403) must leave an audit entry; a page a role may see (200) must hold no
name or code of a placement or provider outside that role's scope, so changing an
id in the address never reaches another scope's record.
"""

from __future__ import annotations

import pytest
from flask import session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import AuditEvent
from tests.dashboard.conftest import ROLES

ALL = set(ROLES)
RESULTS = {"site_reviewer", "regional", "national"}
QUALITY = {"regional", "national"}
NATIONAL = {"national"}
NONE: set[str] = set()

# (path, roles that get 200). Other signed-in roles get 403.
GET_CASES = [
    ("/dashboard/national", NATIONAL),
    ("/dashboard/national?window=W2025", NATIONAL),
    ("/dashboard/regions/RNM", QUALITY),
    ("/dashboard/regions/RSD", NATIONAL),
    ("/dashboard/providers/PALD", RESULTS),
    ("/dashboard/providers/PBIR", QUALITY),
    ("/dashboard/providers/PROW", NATIONAL),
    ("/dashboard/providers/PALD?scale=induction&group=nursing", RESULTS),
    ("/dashboard/placements/XASTER", RESULTS),
    ("/dashboard/placements/XASTER?window=W2025&group=medical", RESULTS),
    ("/dashboard/placements/XCEDAR", QUALITY),
    ("/dashboard/placements/XYARROW", NATIONAL),
    ("/dashboard/concerns", QUALITY),
    ("/dashboard/concerns?status=all&kind=patient_safety&window=W2026", QUALITY),
    ("/dashboard/concerns/{A}", QUALITY),
    ("/dashboard/concerns/{B}", NATIONAL),
    ("/dashboard/register", QUALITY),
    ("/dashboard/register?region=RNM", QUALITY),
    ("/dashboard/register?region=RSD", NATIONAL),
    ("/dashboard/isf", QUALITY),
    ("/dashboard/isf?region=RSD", NATIONAL),
    ("/dashboard/downloads", RESULTS),
    ("/dashboard/research", {"researcher"}),
    ("/api/v1/", ALL),
    ("/api/v1/scores", RESULTS),
    ("/api/v1/scores.csv?group=any", RESULTS),
    ("/api/v1/scores?provider=PALD", RESULTS),
    ("/api/v1/scores?provider=PBIR", QUALITY),
    ("/api/v1/scores?provider=PROW", NATIONAL),
    ("/api/v1/scores?region=RNM", QUALITY),
    ("/api/v1/scores?region=RSD", NATIONAL),
    ("/api/v1/flags", RESULTS),
    ("/api/v1/flags.csv?provider=PROW", NATIONAL),
    ("/api/v1/response_rates", RESULTS),
    ("/api/v1/response_rates.csv?region=RSD", NATIONAL),
    ("/api/v1/scores/dictionary", RESULTS),
    ("/api/v1/flags/dictionary.csv", RESULTS),
    ("/api/v1/items", {"researcher"}),
    ("/api/v1/items.csv?window=W2025", {"researcher"}),
    ("/api/v1/items/dictionary.csv", {"researcher"}),
    ("/admin/", {"admin"}),
    ("/admin/windows/new", {"admin"}),
    ("/admin/windows/W2026", {"admin"}),
]
CASES = [(path, role, 200 if role in ok else 403) for path, ok in GET_CASES for role in ROLES]


def _path(template: str, world) -> str:
    return template.format(A=world.concerns["A"].id, B=world.concerns["B"].id)


def _refusals() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "forbidden")))


@pytest.mark.parametrize(("path", "role", "status"), CASES, ids=[f"{r}:{p}" for p, r, _ in CASES])
def test_get(client_for, world, path, role, status):
    response = client_for(role).get(_path(path, world), follow_redirects=False)
    assert response.status_code == status, response.data[:500]
    body = response.get_data(as_text=True)
    if status == 200:
        leaked = sorted(name for name in world.names_outside(role) if name in body)
        assert leaked == [], f"{role} sees {leaked} at {path}"
        assert response.headers["Cache-Control"] == "no-store"
    else:
        refused = _refusals()
        assert len(refused) == 1
        assert refused[0].staff_id == world.staff[role].id
        assert refused[0].outcome == "denied"


def _csrf(app, client) -> str:
    with app.test_request_context():
        token = generate_csrf()
        raw = session["csrf_token"]
    with client.session_transaction() as s:
        s["csrf_token"] = raw
    return token


# (path, form, roles allowed). Allowed roles get a redirect (303) or the CSV (200).
POST_CASES = [
    ("/dashboard/concerns/{A}", {"status": "investigating", "outcome": ""}, QUALITY, 303),
    ("/dashboard/concerns/{B}", {"status": "investigating", "outcome": ""}, NATIONAL, 303),
    (
        "/admin/windows/new",
        {"code": "W2030", "name": "", "opens_on": "2030-01-01", "closes_on": "2030-02-01"},
        {"admin"},
        303,
    ),
    (
        "/admin/windows/W2026/invitations",
        {"placement": "XASTER", "group": "", "count": "2"},
        {"admin"},
        200,
    ),
]
POSTS = [
    (p, form, role, ok_status if role in ok else 403)
    for p, form, ok, ok_status in POST_CASES
    for role in ROLES
]


@pytest.mark.parametrize(
    ("path", "form", "role", "status"), POSTS, ids=[f"{r}:POST {p}" for p, _, r, _ in POSTS]
)
def test_post(app, client_for, world, path, form, role, status):
    client = client_for(role)
    response = client.post(_path(path, world), data={**form, "csrf_token": _csrf(app, client)})
    assert response.status_code == status, response.data[:500]
    if status == 403:
        assert len(_refusals()) == 1
        db.session.refresh(world.concerns["A"])
        db.session.refresh(world.concerns["B"])
        assert {world.concerns["A"].status, world.concerns["B"].status} == {"new"}


@pytest.mark.parametrize("path", sorted({p for p, _ in GET_CASES}))
def test_signed_out_is_sent_to_sign_in(client, world, path):
    response = client.get(_path(path, world))
    if path.startswith("/api/"):
        assert response.status_code == 401
        assert response.json["error"] == "sign in first"
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login?next=")


@pytest.mark.parametrize("role", ROLES)
def test_home_lands_on_the_roles_dashboard(client_for, world, role):
    landing = {
        "site_reviewer": "/dashboard/providers/PALD",
        "regional": "/dashboard/regions/RNM",
        "national": "/dashboard/national",
        "researcher": "/dashboard/research",
        "admin": "/admin/",
    }[role]
    response = client_for(role).get("/dashboard/")
    assert response.status_code == 302
    assert response.headers["Location"] == landing
