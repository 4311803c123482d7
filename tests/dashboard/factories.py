"""Factories for dashboard tests: staff, scoring runs, stored scores, flags, concerns, responses.

Scores and flags are inserted as the scoring service stores them (a suppressed row
has a status and no numbers), so the pages can be tested without running the
psychometrics; :func:`create_response` writes real answers for tests that run the
scoring service end to end.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools

from nets_app.extensions import db
from nets_app.models import (
    AdverseFlag,
    Answer,
    ConcernReport,
    PlacementScore,
    Response,
    ScoringRun,
    StaffUser,
)
from nets_app.services.instruments import register_instrument
from nets_app.services.staff import hash_password
from tests.factories import create_group

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


@functools.lru_cache(maxsize=1)
def password_hash() -> str:
    """One Argon2 hash for every test account (hashing is deliberately slow)."""
    return hash_password(PASSWORD)


def create_staff(role: str, *, region=None, providers=(), active: bool = True, **kw) -> StaffUser:
    n = next(_seq)
    user = StaffUser(
        email=kw.pop("email", f"{role}{n}@trust.nhs.uk"),
        name=kw.pop("name", f"{role.replace('_', ' ').title()} {n}"),
        password_hash=password_hash(),
        role=role,
        region_id=region.id if region is not None else None,
        active=active,
        session_version=1,
        **kw,
    )
    user.providers = list(providers)
    db.session.add(user)
    db.session.flush()
    return user


def create_run(window, *, min_n: int = 3, n_responses: int = 100) -> ScoringRun:
    run = ScoringRun(
        window_id=window.id,
        computed_at=dt.datetime(2026, 1, 5, 9, 30) + dt.timedelta(minutes=next(_seq)),
        n_responses=n_responses,
        settings={"suppression": {"min_n": min_n}},
    )
    db.session.add(run)
    db.session.flush()
    return run


def create_score(run, placement, scale: str = "overall", *, group=None, status: str = "ok", **kw):
    """A stored score; ``status`` other than ``ok`` stores no numbers, as the scoring service does."""
    numbers = {
        "n": 12,
        "score": 70.0,
        "ci_low": 62.0,
        "ci_high": 78.0,
        "pct_positive": 75.0,
        "shrunk_score": 71.0,
        "benchmark_mean": 72.0,
        "funnel_category": "within",
        "quartile_category": "white",
        "extra": {"lower_998": 50.0, "lower_95": 58.0, "upper_95": 86.0, "upper_998": 94.0},
    }
    numbers.update(kw)
    if status != "ok":
        numbers = {"extra": {}}
    row = PlacementScore(
        run_id=run.id,
        window_id=run.window_id,
        placement_id=placement.id,
        learner_group_id=group.id if group is not None else None,
        scale=scale,
        status=status,
        **numbers,
    )
    db.session.add(row)
    db.session.flush()
    return row


def create_flag(run, placement, rule: str = "funnel_low", **kw) -> AdverseFlag:
    values = {
        "scale": "overall",
        "measure": "overall score",
        "value": 41.0,
        "limit": 50.0,
        "n": 12,
        "raised_on": dt.date(2026, 1, 5),
        "evidence": {"comparator": "window", "limit_kind": "lower 99.8%"},
    }
    values.update(kw)
    row = AdverseFlag(
        run_id=run.id, window_id=run.window_id, placement_id=placement.id, rule=rule, **values
    )
    db.session.add(row)
    db.session.flush()
    return row


def create_concern(
    window, placement, *, kind: str = "patient_safety", group=None, **kw
) -> ConcernReport:
    today = dt.date.today()
    values = {
        "details": "Synthetic concern text.",
        "reported_on": today - dt.timedelta(days=2),
        "respond_by": today + dt.timedelta(days=5),
        "status": "new",
    }
    values.update(kw)
    row = ConcernReport(
        window_id=window.id,
        placement_id=placement.id,
        learner_group_id=(group or create_group("nursing")).id,
        kind=kind,
        **values,
    )
    db.session.add(row)
    db.session.flush()
    return row


def create_response(window, placement, group, answers: dict[str, int | None]) -> Response:
    """A submitted response with its answers (None = not applicable)."""
    version = register_instrument()
    row = Response(
        window_id=window.id,
        placement_id=placement.id,
        learner_group_id=group.id,
        instrument_version_id=version.id,
        submitted_on=window.opens_on,
        is_retest=False,
    )
    row.answers = [
        Answer(item_id=item, value=value, not_applicable=value is None)
        for item, value in answers.items()
    ]
    db.session.add(row)
    db.session.flush()
    return row
