"""``flask nets staff add / disable / password``."""

from __future__ import annotations

from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import StaffUser
from nets_app.services.access import load_principal
from tests.factories import create_provider, create_region


def _run(app, *args, password="a long password 1"):
    return app.test_cli_runner().invoke(
        args=["nets", "staff", *args], input=f"{password}\n{password}\n"
    )


def _user(email):
    db.session.expire_all()
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email))


def test_add_a_site_reviewer_with_providers(app):
    region = create_region(code="RX")
    create_provider(code="PX1", region=region)
    create_provider(code="PX2", region=region)
    db.session.commit()
    result = _run(
        app,
        "add",
        "Rev@Trust.nhs.uk",
        "--name",
        "Rev",
        "--role",
        "site_reviewer",
        "--provider",
        "PX1",
        "--provider",
        "PX2",
    )
    assert result.exit_code == 0, result.output
    assert "Created site_reviewer account rev@trust.nhs.uk." in result.output
    assert sorted(p.code for p in _user("rev@trust.nhs.uk").providers) == ["PX1", "PX2"]


def test_add_refuses_unknown_codes_and_short_passwords(app):
    result = _run(app, "add", "r@nhs.net", "--name", "R", "--role", "regional", "--region", "NOPE")
    assert result.exit_code == 1 and "no region with code 'NOPE'" in result.output
    result = _run(app, "add", "n@nhs.net", "--name", "N", "--role", "national", password="short")
    assert result.exit_code == 1 and "at least 12 characters" in result.output
    assert _user("r@nhs.net") is None and _user("n@nhs.net") is None


def test_disable_and_password_end_sessions(app):
    assert _run(app, "add", "n@nhs.net", "--name", "N", "--role", "national").exit_code == 0
    user = _user("n@nhs.net")
    session_id = f"{user.id}:{user.session_version}"
    assert _run(app, "password", "n@nhs.net", password="another long password").exit_code == 0
    assert load_principal(session_id) is None
    user = _user("n@nhs.net")
    session_id = f"{user.id}:{user.session_version}"
    result = _run(app, "disable", "n@nhs.net")
    assert result.exit_code == 0 and "sessions have ended" in result.output
    assert load_principal(session_id) is None and not _user("n@nhs.net").active
    assert "no staff account for x@nhs.net" in _run(app, "disable", "x@nhs.net").output
