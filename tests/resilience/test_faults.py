"""Faults under load against the real stack: gunicorn (gunicorn.conf.py) + PostgreSQL, on loopback.

A dozen simulated learners (bench/stack.py's ``Learner``: every page, one request per
step, as a browser makes them) complete the survey, four at a time, while a fault
is injected once the load is under way. A learner who meets a dropped connection or
a 503 "try again" page tries again, as a person would. Afterwards every learner must
have seen the confirmation, nobody may have met a 500, and the database must hold
exactly one complete response per confirmed learner and no draft.

The PostgreSQL restart uses a private cluster (initdb in a temporary directory, its
own port), never the shared server the rest of the suite runs on.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import stack

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(300)]

LEARNERS = 12
CONCURRENCY = 4
WORKERS = 2
FAULT_AFTER_REQUESTS = 60  # about a fifth of the load


def run_with_fault(port: int, tokens: list[str], fault) -> tuple[list[stack.Learner], int]:
    """Run the learners; inject ``fault`` once the load is under way.

    Returns the learners and how many had been confirmed when the fault struck.
    """
    deadline = time.monotonic() + 150
    learners = [stack.Learner(port, t, deadline, retry_wait=0.25) for t in tokens]
    struck: list[int] = []

    def trigger() -> None:
        stack.wait_until(
            lambda: sum(len(lr.samples) for lr in learners) >= FAULT_AFTER_REQUESTS, 120, "load"
        )
        struck.append(sum(lr.acknowledged for lr in learners))
        fault()

    thread = threading.Thread(target=trigger, name="fault", daemon=True)
    thread.start()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(lambda lr: lr.run(), learners))
    thread.join(timeout=60)
    assert struck, "the fault was never injected"
    return learners, struck[0]


def assert_all_stored_once(url: str, learners: list[stack.Learner]) -> None:
    assert [lr.error for lr in learners if lr.error] == []
    assert all(lr.acknowledged for lr in learners)
    assert 500 not in {s for lr in learners for s in lr.statuses}
    stored = stack.count_stored(url)
    assert stored["responses"] == len(learners)  # none lost, none duplicated
    assert stored["invitations_used"] == len(learners)
    assert stored["answers_min"] == stored["answers_max"] > 0  # no half-written response
    assert stored["drafts"] == 0


def test_kill_9_a_worker_mid_load_loses_nothing():
    with stack.postgres_database(prefix="nets_fault") as url:
        tokens = stack.seed(url, LEARNERS, demo_responses=0)
        with stack.gunicorn(stack.production_app_spec(url), workers=WORKERS) as server:
            victims: list[int] = []

            def kill_a_worker() -> None:
                victims.append(server.worker_pids()[0])
                os.kill(victims[0], signal.SIGKILL)

            learners, confirmed_before = run_with_fault(server.port, tokens, kill_a_worker)
            # gunicorn replaced the killed worker.
            stack.wait_until(lambda: len(server.worker_pids()) == WORKERS, 30, "replacement")
            assert victims[0] not in server.worker_pids()
        assert confirmed_before < LEARNERS  # the kill came mid-load
        # With four learners on two workers a worker is always busy: the kill dropped a
        # request in flight, which its learner sent again.
        assert sum(lr.retries for lr in learners) >= 1
        assert_all_stored_once(url, learners)


def test_restarting_postgresql_mid_load_loses_nothing():
    with stack.PrivatePostgres() as pg:
        tokens = stack.seed(pg.url, LEARNERS, demo_responses=0)
        with stack.gunicorn(stack.production_app_spec(pg.url), workers=WORKERS) as server:

            def restart() -> None:
                # Ends every connection, as a restart or failover does, sometimes between
                # a request's last query and the ROLLBACK that closes its session
                # (nets_app.resilience.close_session; it was a 500 before).
                pg.stop("fast")
                time.sleep(1.5)  # learners keep trying meanwhile
                pg.start()

            learners, confirmed_before = run_with_fault(server.port, tokens, restart)
        assert confirmed_before < LEARNERS
        # The outage was felt: requests during it got the 503 "try again" page, not a 500.
        assert 503 in {s for lr in learners for s in lr.statuses}
        assert_all_stored_once(pg.url, learners)
