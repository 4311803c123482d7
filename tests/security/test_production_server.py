"""The production set-up served for real: gunicorn.conf.py, two workers, PostgreSQL, Redis.

- the headers and the ``__Host-`` cookie as a browser receives them over HTTP;
- failed sign-ins counted in Redis, so that the limit holds however the attempts
  are spread over the workers (in memory, each worker would count alone);
- with Redis down, signing in still works (each worker falls back to memory);
- the access log holds no survey token and no client address;
- gunicorn refuses to start in production without ``DATABASE_URL`` and ``REDIS_URL``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from bench import stack

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(300)]

REDIS_URL = os.environ.get("NETS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "correct-horse-battery-staple"


@dataclass
class Served:
    server: stack.Server
    url: str
    tokens: list[str]
    email: str
    access_log: Path
    prefix: str


def _redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        raise RuntimeError(
            f"Redis is not reachable at {REDIS_URL} ({exc}); the production tests need it: "
            "start it (e.g. `redis-server --daemonize yes --bind 127.0.0.1`) or point "
            "NETS_TEST_REDIS_URL at one"
        ) from exc
    return client


def _add_staff(url: str) -> str:
    from nets_app.extensions import db
    from nets_app.services.staff import create_staff_user

    app = stack._app(url)
    with app.app_context():
        user = create_staff_user("nat@nhs.net", "Nat Ional", "national", PASSWORD)
        db.session.commit()
        email = user.email
        db.session.remove()
        db.engine.dispose()
    return email


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    client = _redis()
    prefix = f"nets-test-{uuid.uuid4().hex[:10]}"
    log = tmp_path_factory.mktemp("gunicorn") / "access.log"
    try:
        with stack.postgres_database(prefix="nets_security") as url:
            tokens = stack.seed(url, 4, demo_responses=0)
            email = _add_staff(url)
            spec = stack.production_app_spec(
                url, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix
            )
            with stack.gunicorn(spec, workers=2, env={"GUNICORN_ACCESS_LOG": str(log)}) as server:
                yield Served(server, url, tokens, email, log, prefix)
    finally:
        keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def _sign_in(port: int, email: str, password: str) -> int:
    with stack.Client(port) as client:
        page = client.get("/staff/login")
        csrf = stack.CSRF_RE.search(page.body).group(1)
        form = {"email": email, "password": password, "csrf_token": csrf}
        return client.post("/staff/login", form).status


def test_headers_and_the_host_cookie_as_a_browser_receives_them(served):
    with stack.Client(served.server.port) as client:
        reply = client.get(f"/s/{served.tokens[0]}")
    assert reply.status == 303
    (cookie,) = reply.headers.get_all("Set-Cookie")
    assert cookie.startswith("__Host-session=")
    attributes = [a.strip() for a in cookie.split(";")[1:]]
    assert {"Secure", "HttpOnly", "Path=/", "SameSite=Lax"} <= set(attributes)
    assert not any(a.lower().startswith("domain") for a in attributes)
    h = reply.headers
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert re.search(r"script-src 'self' 'nonce-[\w-]+'", h["Content-Security-Policy"])
    assert h["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "no-referrer"  # the token is in this address


def test_failed_sign_ins_are_counted_in_redis_for_all_workers(served):
    # Each attempt is a new connection (sync workers close after each response), so
    # the six attempts are spread over both workers as the kernel hands them out.
    statuses = [_sign_in(served.server.port, served.email, "wrong password") for _ in range(6)]
    assert statuses == [400] * 5 + [429]  # the default: 5 failures per 15 minutes
    assert list(_redis().scan_iter(match=f"*{served.prefix}*"))  # the counters are in Redis
    assert _sign_in(served.server.port, served.email, PASSWORD) == 429  # even the right one


def test_sign_in_still_works_when_redis_is_down(served):
    dead = f"redis://127.0.0.1:{stack.free_port()}/0"  # nothing listens there
    spec = stack.production_app_spec(served.url, RATELIMIT_STORAGE_URI=dead)
    with stack.gunicorn(spec, workers=1) as server:
        assert _sign_in(server.port, served.email, "wrong password") == 400
        assert _sign_in(server.port, served.email, PASSWORD) == 302


def test_the_access_log_holds_no_token_and_no_address(served):
    token = served.tokens[1]
    with stack.Client(served.server.port) as client:
        assert client.get(f"/s/{token}").status == 303
    stack.wait_until(lambda: "/s/" in served.access_log.read_text(), 10, "access log line")
    log = served.access_log.read_text()
    assert "GET /s/[redacted]" in log
    assert token not in log
    assert "127.0.0.1" not in log


def test_gunicorn_refuses_production_without_database_and_redis():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "NETS_CONFIG": "production",
        "SECRET_KEY": "x" * 64,
        "GUNICORN_BIND": f"127.0.0.1:{stack.free_port()}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(stack.GUNICORN_CONF)],
        cwd=stack.ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "NETS_CONFIG=production needs DATABASE_URL and REDIS_URL" in result.stderr
