"""The ceiling of this stack: a minimal Flask endpoint doing one submit-equivalent transaction.

``create(url)`` is a bare Flask app (no sessions, CSRF, templates, ORM or rate
limits) with one endpoint, ``POST /submit/<invitation_id>``, that does in one
transaction what a survey submit must: claim the invitation
(``UPDATE ... WHERE used = false``), read the learner's draft, insert the response,
its answers and comments from the draft, and delete the draft. It is served by the
same ``gunicorn.conf.py`` on the same PostgreSQL, and driven by the same client
threads as ``bench/load_survey.py``'s submit burst, so the ratio of the two is what
the NETS application costs over the bare stack.

    .venv/bin/python bench/ceiling.py --submits 1500 --concurrency 50

(``bench/load_survey.py`` runs it too, in rounds alternating with the survey's submit
burst so that both meet the same background load, and prints the ratio.)
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import stack  # noqa: E402

#: A complete draft's shape, for the standalone run (``bench/load_survey.py`` copies a real
#: one): a nursing learner's 38 answers (36 core items, 2 profession) and two comments.
DRAFT = {
    "group": "nursing",
    "answers": {f"item_{k}": 4 for k in range(38)},
    "comments": {"good": "Supportive team.", "improve": "More study time."},
}


def create(url: str):
    """The minimal app (gunicorn: ``bench.ceiling:create('postgresql+psycopg://...')``)."""
    from flask import Flask
    from sqlalchemy import create_engine, text

    app = Flask("ceiling")
    engine_holder: dict = {}
    lock = threading.Lock()

    def engine():
        # Made on first use in each worker, so no connection crosses gunicorn's fork.
        with lock:
            if "e" not in engine_holder:
                engine_holder["e"] = create_engine(url, pool_pre_ping=True)
        return engine_holder["e"]

    @app.get("/")
    def ready():
        return "ok"

    @app.post("/submit/<int:invitation_id>")
    def submit(invitation_id: int):
        with engine().begin() as conn:
            inv = conn.execute(
                text(
                    "UPDATE invitation SET used = true WHERE id = :id AND NOT used "
                    "RETURNING window_id, placement_id"
                ),
                {"id": invitation_id},
            ).first()
            if inv is None:
                return "already used", 409
            window = conn.execute(
                text("SELECT instrument_version_id FROM survey_window WHERE id = :w"),
                {"w": inv.window_id},
            ).scalar_one()
            # The answers come from the learner's draft, as in the survey's submit.
            data = conn.execute(
                text("SELECT data FROM survey_draft WHERE invitation_id = :id"),
                {"id": invitation_id},
            ).scalar_one()
            response_id = conn.execute(
                text(
                    "INSERT INTO response (window_id, placement_id, learner_group_id, "
                    "instrument_version_id, submitted_on, is_retest, retest_code) VALUES (:w, "
                    ":p, (SELECT id FROM learner_group WHERE code = :g), :v, current_date, "
                    "false, 'ceiling') RETURNING id"
                ),
                {"w": inv.window_id, "p": inv.placement_id, "g": data["group"], "v": window},
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO answer (response_id, item_id, value, not_applicable) "
                    "VALUES (:r, :i, :v, :na)"
                ),
                [
                    {"r": response_id, "i": item, "v": None if v == "na" else int(v),
                     "na": v == "na"}
                    for item, v in data["answers"].items()
                ],
            )  # fmt: skip
            comments = [(p, t) for p, t in data.get("comments", {}).items() if t]
            if comments:
                conn.execute(
                    text(
                        "INSERT INTO free_text_comment (response_id, prompt_id, text) "
                        "VALUES (:r, :p, :t)"
                    ),
                    [{"r": response_id, "p": p, "t": t} for p, t in comments],
                )
            conn.execute(
                text("DELETE FROM survey_draft WHERE invitation_id = :id"), {"id": invitation_id}
            )
        return "", 204

    return app


def add_drafts(url: str, data: dict) -> list[int]:
    """Give every unused survey invitation a draft holding ``data``; return their ids."""
    import datetime as dt

    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            rows = conn.execute(
                text(
                    "SELECT i.id, i.window_id, i.placement_id FROM invitation i LEFT JOIN "
                    "survey_draft d ON d.invitation_id = i.id "
                    "WHERE NOT i.used AND i.kind = 'survey' AND d.id IS NULL ORDER BY i.id"
                )
            ).all()
            from nets_app.models import SurveyDraft

            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            if rows:
                conn.execute(
                    SurveyDraft.__table__.insert(),
                    [
                        {
                            "invitation_id": r.id,
                            "window_id": r.window_id,
                            "placement_id": r.placement_id,
                            "data": data,
                            "updated_at": now,
                        }
                        for r in rows
                    ],
                )
    finally:
        engine.dispose()
    return [r.id for r in rows]


def drive(port: int, paths: list[str], concurrency: int, deadline: float) -> dict:
    """POST each path once from ``concurrency`` client threads; return the rate and latencies."""
    clients = threading.local()
    lat: list[float] = []
    failures: list[int] = []

    def one(path: str) -> None:
        if time.monotonic() > deadline:
            return
        if not hasattr(clients, "c"):
            clients.c = stack.Client(port)
        reply = clients.c.post(path, {})
        if reply.status in (204, 303):
            lat.append(reply.ms)
        else:
            failures.append(reply.status)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, paths))
    wall = time.perf_counter() - t0
    p = stack.percentiles(lat)
    return {"n": len(lat), "failed": len(failures), "wall_s": wall, "per_s": len(lat) / wall,
            "p50": p[50], "p95": p[95], "p99": p[99], "latencies": lat}  # fmt: skip


def prepare(url: str, n: int, draft: dict) -> list[str]:
    """Add ``n`` invitations with ``draft`` to ``url``; return the paths that submit them."""
    stack.add_invitations(url, n, mark=stack.CEILING_MARK)
    return [f"/submit/{i}" for i in add_drafts(url, draft)[:n]]


def serve(url: str, *, workers: int, threads: int):
    """The minimal app under gunicorn.conf.py (a context manager yielding the server)."""
    return stack.gunicorn(f"bench.ceiling:create({url!r})", workers=workers, threads=threads)


def measure(
    url: str, n: int, concurrency: int, *, workers: int, threads: int, budget: float, draft: dict
) -> dict:
    """Add ``n`` invitations with ``draft`` to ``url`` and drive the minimal app over them."""
    paths = prepare(url, n, draft)
    with serve(url, workers=workers, threads=threads) as srv:
        warm, paths = paths[: max(concurrency, 20)], paths[max(concurrency, 20) :]
        drive(srv.port, warm, concurrency, time.monotonic() + budget)
        return drive(srv.port, paths, concurrency, time.monotonic() + budget)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--submits", type=int, default=1500)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py's")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--budget", type=float, default=120.0, help="seconds, at most")
    args = ap.parse_args(argv)
    workers = args.workers or stack.default_workers()
    with stack.postgres_database(prefix="nets_ceiling") as url:
        stack.seed(url, 0, demo_responses=300)
        result = measure(
            url, args.submits + max(args.concurrency, 20), args.concurrency,
            workers=workers, threads=args.threads, budget=args.budget, draft=DRAFT,
        )  # fmt: skip
    print(
        f"ceiling: {result['n']} submit-equivalent transactions in {result['wall_s']:.1f} s = "
        f"{result['per_s']:.0f}/s; latency p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} "
        f"ms, p99 {result['p99']:.1f} ms ({args.concurrency} clients, {workers} workers)"
    )
    return 0 if result["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
