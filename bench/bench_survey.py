"""Server time per learner-survey page and per submit, in process, on the demo data.

Run from the repository root::

    .venv/bin/python bench/bench_survey.py

A fresh SQLite database (or ``--db``) is migrated and given the demo pilot
(``load_demo``, 3,000 responses by default). Then, ``--repeats`` times, ``--learners``
learners each open a fresh invitation link and go through the whole survey through
the Flask test client (CSRF on, as in production): the token exchange, every page
shown (GET) and saved (POST), "Check your answers", the submit and the
confirmation. Every request is timed with ``time.perf_counter`` around the
test-client call, so a time is the server's work plus the in-process WSGI call,
without a network or a browser.

Prints, per kind of request, the p50 and p95 over all learners of each repeat, and
the median of those over the repeats. The target is p95 < 50 ms per page on SQLite.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from nets_app import create_app  # noqa: E402
from nets_app.services import demo  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
RADIO = re.compile(r'name="([a-z]+_\d+)" type="radio"')
STEPS = ("token exchange", "page GET", "page POST", "check GET", "submit POST", "done GET")


def learner(client, token: str, times: dict[str, list[float]]) -> None:
    """One learner's whole survey; each request's time is added to ``times``."""

    def timed(kind: str, method: str, path: str, **kw):
        start = time.perf_counter()
        r = client.open(path, method=method, **kw)
        times[kind].append(time.perf_counter() - start)
        return r

    timed("token exchange", "GET", f"/s/{token}")
    path = client.get("/survey/").headers["Location"]
    csrf = None
    while path != "/survey/check":
        html = timed("page GET", "GET", path).get_data(as_text=True)
        csrf = csrf or TOKEN.search(html).group(1)
        if path == "/survey/start":
            data = {"group": "nursing"}
        elif path == "/survey/comments":
            data = {"good": "Supportive team who made time to teach.", "improve": ""}
        elif path == "/survey/concerns":
            data = {"patient_safety": "no", "patient_safety_details": ""}
            data |= {"bullying": "no", "bullying_details": ""}
        else:
            data = dict.fromkeys(dict.fromkeys(RADIO.findall(html)), "4")
        r = timed("page POST", "POST", path, data={"csrf_token": csrf, **data})
        if r.status_code != 303:
            raise RuntimeError(f"{path} answered {r.status_code}, expected a redirect")
        path = r.headers["Location"]
    timed("check GET", "GET", "/survey/check")
    r = timed("submit POST", "POST", "/survey/check", data={"csrf_token": csrf})
    if r.headers.get("Location") != "/survey/done":
        raise RuntimeError(f"submit answered {r.status_code}")
    timed("done GET", "GET", "/survey/done")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=3000, help="demo pilot size")
    parser.add_argument("--learners", type=int, default=40, help="learners per repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--db", type=Path, help="SQLite file (default: a temporary one)")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    db_path = args.db or Path(tmp.name) / "bench-survey.sqlite3"
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            # thousands of token exchanges from one address: lift the per-IP limit
            "NETS_SURVEY_TOKEN_LIMIT": "1000000 per minute",
        }
    )
    with app.app_context():
        upgrade()
        if not demo.has_data():
            demo.load_demo(n_responses=args.responses)
        tokens = [demo.create_invitation() for _ in range(args.learners * (args.repeats + 1))]
    with app.app_context():  # warm-up: imports, instrument cache, templates
        learner(app.test_client(), tokens.pop(), defaultdict(list))

    per_repeat: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for _ in range(args.repeats):
        times: dict[str, list[float]] = defaultdict(list)
        for _ in range(args.learners):
            learner(app.test_client(), tokens.pop(), times)
        for kind, values in times.items():
            ms = np.asarray(values) * 1000
            per_repeat[kind].append((float(np.percentile(ms, 50)), float(np.percentile(ms, 95))))
    n = {k: len(v) for k, v in times.items()}
    print(
        f"demo pilot {args.responses:,} responses, SQLite; {args.learners} learners x "
        f"{args.repeats} repeats; milliseconds, median over repeats of each repeat's percentile"
    )
    print(f"{'request':<16} {'per repeat':>10} {'p50':>8} {'p95':>8}  (p95 of each repeat)")
    for kind in STEPS:
        p50 = statistics.median(p for p, _ in per_repeat[kind])
        p95s = [q for _, q in per_repeat[kind]]
        print(
            f"{kind:<16} {n[kind]:>10} {p50:>8.2f} {statistics.median(p95s):>8.2f}  "
            f"({', '.join(f'{q:.1f}' for q in p95s)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
