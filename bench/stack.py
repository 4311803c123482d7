"""A real serving stack on loopback, for the load benchmark and the fault tests.

- :func:`postgres_database`: a fresh database on a running PostgreSQL server, dropped after;
- :class:`PrivatePostgres`: a throw-away PostgreSQL cluster (``initdb`` in a temporary
  directory, its own port) that a fault test may stop and restart without touching
  the shared server;
- :func:`seed`: run the migrations, load a small demo pilot (an open window) and
  create invitations; returns their tokens;
- :func:`gunicorn`: serve an app with the repository's ``gunicorn.conf.py`` on
  127.0.0.1 and a free port, and always stop it (SIGTERM, then SIGKILL);
- :class:`Client` / :class:`Learner`: a cookie-keeping HTTP client and a simulated
  learner who completes the survey page by page, as a browser would.

Everything listens on 127.0.0.1 only and every loop is bounded by a count and a deadline.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
PG_BIN = Path(os.environ.get("NETS_PG_BIN", "/usr/lib/postgresql/15/bin"))
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s")


# -- PostgreSQL ----------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_database(admin_url: str = ADMIN_URL, prefix: str = "nets_stack") -> Iterator[str]:
    """A new, empty database on the server of ``admin_url``; dropped (forcibly) afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class PrivatePostgres:
    """A private PostgreSQL cluster in a temporary directory, on 127.0.0.1 and a free port.

    PostgreSQL refuses to run as root, so as root every command runs as the
    ``postgres`` user (``runuser``). Use as a context manager: the server is stopped
    (immediately) and its directory removed however the block ends.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="nets-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [*self._as, *args], check=True, capture_output=True, text=True, timeout=timeout
        )

    def __enter__(self) -> PrivatePostgres:
        if self._as:
            shutil.chown(self.dir, "postgres", "postgres")
        try:
            self._run(
                str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C",
            )  # fmt: skip
            with open(self.data / "postgresql.conf", "a") as conf:
                conf.write(
                    f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                    f"unix_socket_directories = '{self.dir}'\nfsync = off\n"
                    "synchronous_commit = off\nfull_page_writes = off\n"
                    "shared_buffers = 32MB\nmax_connections = 60\n"
                )
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def start(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def __exit__(self, *exc) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError):
                self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


# -- data ----------------------------------------------------------------------------------


def default_workers() -> int:
    """gunicorn.conf.py's default: 2 x cores + 1."""
    return 2 * (os.cpu_count() or 1) + 1


def _app(url: str):
    from nets_app import create_app

    return create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})


def seed(url: str, n_invitations: int, *, demo_responses: int = 300) -> list[str]:
    """Migrate ``url``, load a small demo pilot (its newest window open today), add invitations.

    Returns the invitations' tokens (see :func:`add_invitations`).
    """
    from flask_migrate import upgrade

    from nets_app.extensions import db
    from nets_app.services import demo

    app = _app(url)
    with app.app_context():
        upgrade()
        if demo_responses:
            demo.load_demo(n_responses=demo_responses, n_windows=2)
        else:
            _minimal_structure()
        db.session.remove()
        db.engine.dispose()
    return add_invitations(url, n_invitations)


def _minimal_structure(n_placements: int = 3) -> None:
    """One region, provider and window open today, a few placements, every learner group."""
    import datetime as dt

    from nets_app.extensions import db
    from nets_app.models import LearnerGroup, Placement, Provider, Region, SurveyWindow
    from nets_app.services.instruments import register_instrument
    from questionnaires import load_framework

    today = dt.date.today()
    region = Region(code="RLOAD", name="Load region")
    provider = Provider(code="PLOAD", name="Load NHS Trust", region=region)
    db.session.add_all([region, provider])
    for code, group in load_framework().learner_groups.items():
        db.session.add(LearnerGroup(code=code, name=getattr(group, "name", code)))
    for k in range(n_placements):
        db.session.add(
            Placement(code=f"XLOAD{k}", name=f"Ward {k}", specialty="general", provider=provider)
        )
    version = register_instrument()
    db.session.add(
        SurveyWindow(
            code="WLOAD", name="Load window", opens_on=today - dt.timedelta(days=7),
            closes_on=today + dt.timedelta(days=21), instrument_version_id=version.id,
        )
    )  # fmt: skip
    db.session.commit()


#: ``retest_code`` on the ceiling's own invitations and responses, so that the survey's
#: stored == acknowledged check can leave them out.
CEILING_MARK = "ceiling"


def add_invitations(url: str, n_invitations: int, *, mark: str | None = None) -> list[str]:
    """Add invitations to the open window, spread over its placements; return their tokens.

    Only the tokens' hashes are stored, as in production. ``mark`` goes in
    ``retest_code`` (see :data:`CEILING_MARK`).
    """
    from sqlalchemy import insert, select

    from nets_app.extensions import db
    from nets_app.models import Invitation, Placement, SurveyWindow
    from nets_app.services.tokens import new_token, token_hash

    app = _app(url)
    with app.app_context():
        window = db.session.scalar(select(SurveyWindow).order_by(SurveyWindow.opens_on.desc()))
        placements = list(db.session.scalars(select(Placement.id).order_by(Placement.id)))
        tokens = [new_token() for _ in range(n_invitations)]
        rows = [
            {
                "token_hash": token_hash(t),
                "window_id": window.id,
                "placement_id": placements[i % len(placements)],
                "kind": "survey",
                "used": False,
                "retest_code": mark,
            }
            for i, t in enumerate(tokens)
        ]
        if rows:
            db.session.execute(insert(Invitation), rows)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return tokens


def production_app_spec(database_url: str, **overrides) -> str:
    """A gunicorn app string that builds the production app for ``database_url``.

    The survey links' per-address limits are raised, since every simulated learner
    comes from 127.0.0.1; rate limits use Redis when ``RATELIMIT_STORAGE_URI`` says so.
    """
    config = {
        "ENV_NAME": "production",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "NETS_SURVEY_TOKEN_LIMIT": "1000000 per minute",
        "NETS_SURVEY_OPEN_LINK_LIMIT": "1000000 per minute",
        **overrides,
    }
    return f"nets_app:create_app({config!r})"


# -- gunicorn ------------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen
    log: Path

    def worker_pids(self) -> list[int]:
        """The master's live worker processes (children in /proc)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                pids.append(int(stat.parent.name))
        return sorted(pids)


@contextlib.contextmanager
def gunicorn(
    app_spec: str,
    *,
    workers: int = 2,
    threads: int = 1,
    ready_path: str = "/",
    env: dict[str, str] | None = None,
    log_dir: Path | None = None,
    timeout: float = 60,
) -> Iterator[Server]:
    """Serve ``app_spec`` with ``gunicorn.conf.py`` on 127.0.0.1; stop it however the block ends."""
    port = free_port()
    own_dir = log_dir is None  # a temporary directory, removed at the end
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="nets-gunicorn-"))
    log = log_dir / f"gunicorn-{port}.log"
    run_env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_LOG_LEVEL": "warning",
        **(env or {}),
    }
    cmd = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), app_spec]
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, cwd=ROOT, env=run_env, stdout=out, stderr=out)
    server = Server(f"http://127.0.0.1:{port}", port, process, log)
    try:

        def ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{log.read_text()[-3000:]}")
            try:
                with Client(port) as client:
                    client.get(ready_path)
            except OSError:
                return False
            return len(server.worker_pids()) >= workers

        wait_until(ready, timeout, "gunicorn")
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if own_dir:
            shutil.rmtree(log_dir, ignore_errors=True)


# -- HTTP clients --------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    location: str
    body: str
    ms: float
    headers: http.client.HTTPMessage | None = None


class Client:
    """HTTP/1.1 to 127.0.0.1:``port`` with a cookie jar (one per simulated browser)."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def request(self, method: str, path: str, form: dict | None = None) -> Reply:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self._conn is None:
            self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        t0 = time.perf_counter()
        try:
            self._conn.request(method, path, body=body, headers=headers)
            resp = self._conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        ms = (time.perf_counter() - t0) * 1000
        for cookie in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in cookie and "1970" not in cookie:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        if resp.will_close:
            self.close()
        return Reply(
            resp.status, resp.headers.get("Location", ""), data.decode("utf-8", "replace"), ms,
            resp.headers,
        )  # fmt: skip

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Reply:
        return self.request("POST", path, form)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RADIO_RE = re.compile(r'<input[^>]*\bname="([^"]+)"[^>]*type="radio"')
CONFIRMED = "Your answers have been sent"
NO_CONCERNS = {
    "patient_safety": "no",
    "patient_safety_details": "",
    "bullying": "no",
    "bullying_details": "",
}


class Retry(Exception):
    """The step failed in a way a learner would meet by trying again (503, dropped line)."""


@dataclass
class Learner:
    """A learner who completes the survey from their invitation link, page by page.

    Each step is one request (redirects are followed as separate requests, as a
    browser does). A 503 or a dropped connection is retried after ``retry_wait``
    seconds, as a learner who sees "try again" would, until ``deadline``
    (``time.monotonic()``); any other unexpected status ends the journey.
    ``think`` seconds (on average; uniformly 0.5-1.5 times it) pass before the first
    request and before each form is sent. ``acknowledged`` is True once the submit
    was answered with the confirmation.
    """

    port: int
    token: str
    deadline: float
    think: float = 0.0
    retry_wait: float = 0.2
    group: str = "nursing"
    submit: bool = True
    samples: list[tuple[str, float]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    retries: int = 0
    acknowledged: bool = False
    error: str = ""

    def __post_init__(self) -> None:
        self.client = Client(self.port)
        self._rng = random.Random(self.token)

    def _call(self, label: str, method: str, path: str, form=None, ok=(200, 302, 303)) -> Reply:
        while True:
            if time.monotonic() > self.deadline:
                raise TimeoutError(f"deadline passed at {label} {path}")
            try:
                reply = self.client.request(method, path, form)
            except (OSError, http.client.HTTPException):
                reply = None
            if reply is not None:
                self.statuses.append(reply.status)
                if reply.status in ok:
                    self.samples.append((label, reply.ms))
                    return reply
                if reply.status != 503:
                    raise RuntimeError(f"{method} {path} -> {reply.status}")
            self.retries += 1
            time.sleep(self.retry_wait)

    def _pause(self) -> None:
        # Spread evenly around the mean, so that learners who started together do not
        # stay in step and send their pages all at the same instant.
        if self.think:
            time.sleep(self.think * self._rng.uniform(0.5, 1.5))

    def run(self) -> Learner:
        try:
            self._journey()
        except Exception as exc:  # recorded and reported by the caller
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.client.close()
        return self

    def _journey(self) -> None:
        self._pause()  # learners arrive spread out, not all at once
        path = self._call("entry", "GET", f"/s/{self.token}").location
        path = self._call("entry", "GET", path).location
        page = self._call("page", "GET", path)
        csrf = {"csrf_token": CSRF_RE.search(page.body).group(1)}
        self._pause()
        path = self._call("save", "POST", path, {**csrf, "group": self.group}).location
        while path.startswith("/survey/questions/"):
            page = self._call("page", "GET", path)
            names = dict.fromkeys(RADIO_RE.findall(page.body))
            self._pause()
            path = self._call("save", "POST", path, {**csrf, **dict.fromkeys(names, "4")}).location
        for form in ({"good": "Supportive team.", "improve": "More study time."}, NO_CONCERNS):
            self._call("page", "GET", path)
            self._pause()
            path = self._call("save", "POST", path, {**csrf, **form}).location
        self._call("page", "GET", path)
        if not self.submit:
            return
        self._pause()
        done = self._call("submit", "POST", "/survey/check", csrf, ok=(303,))
        if not done.location.endswith("/survey/done"):
            raise RuntimeError(f"submit redirected to {done.location}")
        confirmation = self._call("page", "GET", done.location, ok=(200,))
        self.acknowledged = CONFIRMED in confirmation.body


def percentiles(values: list[float], qs=(50, 95, 99)) -> dict[int, float]:
    import numpy as np

    if not values:
        return {q: float("nan") for q in qs}
    return {q: float(np.percentile(values, q)) for q in qs}


def count_stored(url: str, window_min_response_id: int = 0) -> dict[str, int]:
    """Responses (and their answers) stored above an id, and invitations used.

    The ceiling's rows (marked :data:`CEILING_MARK`) are left out.
    """
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            responses = conn.execute(
                text(
                    "SELECT count(*) FROM response WHERE id > :id "
                    "AND retest_code IS DISTINCT FROM 'ceiling'"
                ),
                {"id": window_min_response_id},
            ).scalar_one()
            per_response = (
                conn.execute(
                    text(
                        "SELECT count(*) FROM answer JOIN response r ON r.id = answer.response_id "
                        "WHERE r.id > :id AND r.retest_code IS DISTINCT FROM 'ceiling' "
                        "GROUP BY r.id"
                    ),
                    {"id": window_min_response_id},
                )
                .scalars()
                .all()
            )
            used = conn.execute(
                text(
                    "SELECT count(*) FROM invitation WHERE used AND kind = 'survey' "
                    "AND retest_code IS DISTINCT FROM 'ceiling'"
                )
            ).scalar_one()
            drafts = conn.execute(text("SELECT count(*) FROM survey_draft")).scalar_one()
    finally:
        engine.dispose()
    return {
        "responses": int(responses),
        "answers_min": min(per_response, default=0),
        "answers_max": max(per_response, default=0),
        "invitations_used": int(used),
        "drafts": int(drafts),
    }


def max_response_id(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM response")).scalar_one())
    finally:
        engine.dispose()
