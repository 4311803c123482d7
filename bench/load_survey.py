"""Load benchmark: concurrent learners complete the survey against gunicorn + PostgreSQL.

Everything runs on this machine over loopback, bounded by counts and ``--budget``:

1. a fresh PostgreSQL database (on ``TEST_POSTGRES_URL``'s server) is migrated and
   given a small demo pilot (its newest window open today) and invitations;
2. the production app (``NETS_CONFIG=production`` settings: secure ``__Host-``
   cookie, security headers, rate limits in Redis) is served by ``gunicorn.conf.py``;
3. **journeys**: ``--learners`` simulated learners, ``--concurrency`` at a time, each
   open their invitation link and go through every page (start, eight question
   pages, comments, concerns, check your answers), submit, and read the
   confirmation, one HTTP request per step as a browser makes them, with
   ``--think-ms`` between a page arriving and its form being sent. Reported:
   completed submissions per second and p50/p95/p99 latency of every request;
4. **submit burst**: ``--burst`` learners whose drafts are complete (a real draft,
   copied) all press "Submit" with ``--concurrency`` in flight; reported: submits
   per second and their latency;
5. **ceiling** (``bench/ceiling.py``): the same client threads against a minimal
   Flask app under the same gunicorn config doing one submit-equivalent insert
   transaction, on the same database. The burst's rate over the ceiling's is the
   share of the bare stack that the NETS app keeps (target at least 50 %);
6. **stored == acknowledged**: every submission a learner saw confirmed is stored
   once, with all its answers; nothing unconfirmed is stored; no draft is left of
   a confirmed learner.

    .venv/bin/python bench/load_survey.py --learners 600 --concurrency 50 --burst 1500

Exits 1 if any response is lost or duplicated or a learner meets an error; the
targets (p99 < 100 ms at 50 concurrent learners, at least 50 % of the ceiling) are
printed as met or missed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import ceiling, stack  # noqa: E402

TARGET_P99_MS = 100.0
TARGET_SHARE = 0.5


def run_journeys(port: int, tokens: list[str], concurrency: int, think: float, budget: float):
    """Run the learners; returns them, the wall time and this (client) process's CPU time."""
    deadline = time.monotonic() + budget
    t0, cpu0 = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        learners = list(
            pool.map(lambda t: stack.Learner(port, t, deadline, think=think).run(), tokens)
        )
    return learners, time.perf_counter() - t0, time.process_time() - cpu0


def prepare_burst(port: int, url: str, tokens: list[str], concurrency: int, budget: float):
    """Copy one real, complete draft to every burst invitation; open each on its check page."""
    deadline = time.monotonic() + budget
    first = stack.Learner(port, tokens[0], deadline, submit=False).run()
    if first.error:
        raise RuntimeError(f"could not complete a draft: {first.error}")
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        draft = conn.execute(text("SELECT data FROM survey_draft LIMIT 1")).scalar_one()
    engine.dispose()
    ceiling.add_drafts(url, draft)

    def open_check(token: str):
        client = stack.Client(port)
        client.get(f"/s/{token}")
        page = client.get("/survey/check")
        if page.status != 200:
            raise RuntimeError(f"check page -> {page.status}")
        return client, stack.CSRF_RE.search(page.body).group(1)

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(open_check, tokens)), draft


def run_burst(prepared, concurrency: int):
    def submit(item):
        client, csrf = item
        reply = client.post("/survey/check", {"csrf_token": csrf})
        client.close()
        return reply

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        replies = list(pool.map(submit, prepared))
    return replies, time.perf_counter() - t0


def burst_and_ceiling(port, prepared, ceiling_port, ceiling_paths, concurrency, rounds, budget):
    """Alternate rounds of the survey's submit burst and of the ceiling's transactions.

    The machine is shared: alternating puts both under the same background load.
    Returns (survey replies, survey wall s, ceiling latencies, ceiling wall s, ceiling
    failures, per-round ratios).
    """
    replies, wall, c_lat, c_wall, c_failed, ratios = [], 0.0, [], 0.0, 0, []
    step = -(-len(prepared) // rounds)
    c_step = -(-len(ceiling_paths) // rounds) if ceiling_port else 0
    for k in range(rounds):
        got, w = run_burst(prepared[k * step : (k + 1) * step], concurrency)
        replies += got
        wall += w
        if ceiling_port:
            deadline = time.monotonic() + budget
            result = ceiling.drive(
                ceiling_port, ceiling_paths[k * c_step : (k + 1) * c_step], concurrency, deadline
            )
            c_lat += result["latencies"]
            c_wall += result["wall_s"]
            c_failed += result["failed"]
            ratios.append((sum(r.status == 303 for r in got) / w) / result["per_s"])
    return replies, wall, c_lat, c_wall, c_failed, ratios


def _line(name: str, n: int, wall: float, lat: list[float], unit: str) -> str:
    p = stack.percentiles(lat)
    return (
        f"{name}: {n} {unit} in {wall:.1f} s = {n / wall:.1f}/s; latency p50 {p[50]:.1f} ms, "
        f"p95 {p[95]:.1f} ms, p99 {p[99]:.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--learners", type=int, default=600, help="complete journeys")
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--think-ms", type=float, default=0.0, help="pause before each form post")
    ap.add_argument("--burst", type=int, default=1500, help="submits in the burst (0: skip)")
    ap.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py's")
    ap.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="'none': memory")
    ap.add_argument("--no-ceiling", action="store_true")
    ap.add_argument("--rounds", type=int, default=5, help="alternating burst/ceiling rounds")
    ap.add_argument("--budget", type=float, default=600.0, help="seconds per phase, at most")
    args = ap.parse_args(argv)
    workers = args.workers or stack.default_workers()
    prefix = f"nets-bench-{uuid.uuid4().hex[:8]}"
    overrides = {"RATELIMIT_KEY_PREFIX": prefix}
    if args.redis != "none":
        overrides["RATELIMIT_STORAGE_URI"] = args.redis
    warm = 2 * workers
    print(
        f"gunicorn {workers} workers x {args.threads} threads; {args.concurrency} concurrent "
        f"learners; think {args.think_ms:.0f} ms; rate limits in {args.redis}"
    )
    failed = False
    with stack.postgres_database(prefix="nets_load") as url:
        tokens = stack.seed(url, warm + args.learners + args.burst)
        base = stack.max_response_id(url)
        before = stack.count_stored(url, base)
        spec = stack.production_app_spec(url, **overrides)
        with stack.gunicorn(spec, workers=workers, threads=args.threads) as srv:
            run_journeys(srv.port, tokens[:warm], min(warm, args.concurrency), 0.0, args.budget)
            learners, wall, client_cpu = run_journeys(
                srv.port, tokens[warm : warm + args.learners], args.concurrency,
                args.think_ms / 1000, args.budget,
            )  # fmt: skip
            acked = warm + sum(lr.acknowledged for lr in learners)
            errors = [lr.error for lr in learners if lr.error]
            lat = [ms for lr in learners for _, ms in lr.samples]
            submit_lat = [ms for lr in learners for label, ms in lr.samples if label == "submit"]
            n_done = sum(lr.acknowledged for lr in learners)
            requests = len(lat)
            print(_line("journeys", n_done, wall, lat, "completed submissions"))
            print(f"  {requests} requests ({requests / wall:.0f}/s); submit requests: "
                  + _line("submit", len(submit_lat), wall, submit_lat, "").split("; ", 1)[1])  # fmt: skip
            print(f"  the simulated browsers used {client_cpu:.1f} s of CPU of the "
                  f"{os.cpu_count()} x {wall:.1f} s of CPU time this machine had")  # fmt: skip
            if errors:
                failed = True
                print(f"  {len(errors)} learners met an error, e.g. {errors[0]}")
            p99 = stack.percentiles(lat)[99]
            if args.think_ms:
                verdict = "met" if p99 < TARGET_P99_MS else "MISSED"
                print(f"  target p99 < {TARGET_P99_MS:.0f} ms at {args.concurrency} learners: "
                      f"{verdict}")  # fmt: skip
            elif requests:
                print(
                    f"  no think time: all {args.concurrency} learners always have a request in "
                    f"flight, so latency is mostly queueing ({args.concurrency} / "
                    f"{requests / wall:.0f} per s = {1000 * args.concurrency * wall / requests:.0f} "
                    "ms, Little's law); the latency target is for paced learners (--think-ms)"
                )  # fmt: skip

            if args.burst:
                btokens = tokens[warm + args.learners :]
                prepared, draft = prepare_burst(
                    srv.port, url, btokens, args.concurrency, args.budget
                )
                c_paths = [] if args.no_ceiling else ceiling.prepare(url, args.burst + 50, draft)
                with contextlib.ExitStack() as stack_:
                    c_port = None
                    if c_paths:
                        c_srv = stack_.enter_context(
                            ceiling.serve(url, workers=workers, threads=args.threads)
                        )
                        c_port = c_srv.port
                        warm_paths, c_paths = c_paths[:50], c_paths[50:]
                        ceiling.drive(c_port, warm_paths, args.concurrency, time.monotonic() + 60)
                    replies, bwall, c_lat, c_wall, c_failed, ratios = burst_and_ceiling(
                        srv.port, prepared, c_port, c_paths, args.concurrency, args.rounds,
                        args.budget,
                    )  # fmt: skip
                ok = [r for r in replies if r.status == 303 and r.location.endswith("/survey/done")]
                acked += len(ok)
                print(_line("submit burst", len(ok), bwall, [r.ms for r in ok], "submits"))
                if len(ok) != len(replies):
                    failed = True
                    bad = sorted({r.status for r in replies} - {303})
                    print(f"  {len(replies) - len(ok)} submits failed (statuses {bad})")
                if c_port:
                    print(_line("ceiling", len(c_lat), c_wall, c_lat, "transactions"))
                    failed |= c_failed > 0
                    share = (len(ok) / bwall) / (len(c_lat) / c_wall)
                    verdict = "met" if share >= TARGET_SHARE else "MISSED"
                    print(
                        f"  submit burst / ceiling = {share:.1%} over {args.rounds} alternating "
                        f"rounds (each round: {min(ratios):.0%}-{max(ratios):.0%}); "
                        f"target >= 50 %: {verdict}"
                    )
        after = stack.count_stored(url, base)
        stored = after["responses"]
        used = after["invitations_used"] - before["invitations_used"]
        same = stored == acked == used and after["answers_min"] == after["answers_max"]
        failed |= not same
        print(
            f"stored == acknowledged: {stored} stored, {acked} acknowledged, {used} invitations "
            f"used, {after['answers_min']}-{after['answers_max']} answers per response: "
            + ("none lost, none duplicated" if same else "MISMATCH")
        )
    if args.redis != "none":
        _clear_redis(args.redis, prefix)
    return 1 if failed else 0


def _clear_redis(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


if __name__ == "__main__":
    sys.exit(main())
