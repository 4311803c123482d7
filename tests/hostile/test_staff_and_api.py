"""Hostile requests against the JSON API, staff sign-in, the concern queue and the entry
links: a 4xx with a clear message (JSON on the API), never a 500, nothing stored.

On the API the only row a request may add is the audit entry of an export it was
allowed to make; a refused request adds none.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from nets_app.extensions import db, limiter
from nets_app.models import AuditEvent, ConcernReport
from nets_app.services.concern_queue import STATUSES
from tests.clients import new_client
from tests.dashboard.conftest import _fresh_caches, make_world, sign_in  # noqa: F401
from tests.hostile.strategies import HOSTILE, hostile_names, hostile_text

DATASETS = ("scores", "flags", "concerns", "items", "nope")


def audit_count(action: str) -> int:
    db.session.expire_all()
    q = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    return db.session.scalar(q)


@pytest.fixture
def world(app):
    return make_world()


def signed_in(app, world, role: str):
    client = new_client(app)
    sign_in(client, world.staff[role])
    return client


@HOSTILE
@given(
    dataset=st.one_of(st.sampled_from(DATASETS), hostile_text.filter(bool)),  # never "//"
    suffix=st.sampled_from(("", ".csv", "/dictionary", "/dictionary.csv")),
    query=st.dictionaries(
        st.one_of(
            st.sampled_from(("window", "scale", "group", "region", "provider")), hostile_names
        ),
        hostile_text,
        max_size=3,
    ),
)
@example(dataset="scores", suffix="", query={"window": "W2026\x00"})
@example(dataset="scores", suffix=".csv", query={"window": "' OR 1=1 --"})
@example(dataset="../../etc/passwd", suffix="", query={})
def test_the_api_answers_hostile_requests_with_json_4xx_never_500(
    app, world, dataset, suffix, query
):
    client = signed_in(app, world, "national")
    exports = audit_count("export")
    r = client.get(f"/api/v1/{quote(dataset, safe='')}{suffix}", query_string=query)
    assert r.status_code in (200, 400, 403, 404), r.status_code
    if r.status_code == 200:
        assert audit_count("export") - exports in (0, 1)  # a dictionary is not an export
    else:
        assert r.is_json and isinstance(r.get_json()["error"], str) and r.get_json()["error"]
        assert audit_count("export") == exports


@HOSTILE
@given(email=hostile_text, password=hostile_text)
@example(email="nat@nhs.net\x00", password="x")
@example(email="' OR 1=1 --", password="' OR 1=1 --")
def test_sign_in_refuses_hostile_credentials_clearly(app, world, email, password):
    limiter.reset()
    client = new_client(app)
    page = BeautifulSoup(client.get("/staff/login").data, "html.parser")
    csrf = page.find("input", {"name": "csrf_token"})["value"]
    logins = audit_count("login")
    r = client.post("/staff/login", data={"email": email, "password": password, "csrf_token": csrf})
    assert r.status_code in (400, 413), r.status_code
    body = BeautifulSoup(r.data, "html.parser")
    summary = body.select_one(".nhsuk-error-summary__title")
    assert (summary and summary.get_text(strip=True) == "There is a problem") or body.h1
    assert audit_count("login") == logins


@HOSTILE
@given(status=hostile_text.filter(lambda s: s not in STATUSES), outcome=hostile_text)
@example(status="closed'; --", outcome="<script>alert(1)</script>")
def test_the_concern_queue_refuses_hostile_updates(app, world, status, outcome):
    client = signed_in(app, world, "regional")
    concern_id = world.concerns["A"].id
    page = BeautifulSoup(client.get(f"/dashboard/concerns/{concern_id}").data, "html.parser")
    csrf = page.find("input", {"name": "csrf_token"})["value"]
    before = db.session.execute(
        select(ConcernReport.status, ConcernReport.outcome).where(ConcernReport.id == concern_id)
    ).one()
    updates = audit_count("update")
    r = client.post(
        f"/dashboard/concerns/{concern_id}",
        data={"status": status, "outcome": outcome, "csrf_token": csrf},
    )
    assert r.status_code == 400, r.status_code
    db.session.expire_all()
    after = db.session.execute(
        select(ConcernReport.status, ConcernReport.outcome).where(ConcernReport.id == concern_id)
    ).one()
    assert after == before
    assert audit_count("update") == updates


@HOSTILE
@given(prefix=st.sampled_from(("/s/", "/p/", "/dashboard/placements/")), value=hostile_text)
@example(prefix="/s/", value="A" * 40 + "\x00")
@example(prefix="/p/", value="' OR 1=1 --")
def test_entry_links_and_codes_refuse_hostile_values_clearly(app, world, prefix, value):
    limiter.reset()
    client = signed_in(app, world, "national")
    r = client.get(prefix + quote(value, safe=""))
    assert 400 <= r.status_code < 500, r.status_code
    assert BeautifulSoup(r.data, "html.parser").h1.get_text(strip=True)
