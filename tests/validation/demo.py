"""A demo pilot in the test database, with its retest pairs stored as the survey would."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

import psychometrics as pm
from nets_app.extensions import db
from nets_app.models import Response
from nets_app.services import demo
from nets_app.services.retest_demo import store_demo_retests
from nets_app.services.uow import unit_of_work
from questionnaires import load_instrument


def load_demo_with_retests(n_responses: int, seed: int = 2026) -> int:
    """``demo.load_demo`` plus the pilot's retest pairs; returns the pairs stored.

    The pilot is regenerated with the arguments ``load_demo`` uses, and its rows are
    checked against the stored responses, so a change there fails here loudly.
    """
    today = dt.date.today()
    first_id = (db.session.scalar(select(func.max(Response.id))) or 0) + 1
    demo.load_demo(n_responses=n_responses, seed=seed, today=today)
    inst = load_instrument()
    windows = tuple(code for code, _, _ in demo.window_dates(today, 3))
    pilot = pm.generate_pilot(
        demo.item_specs(inst), n_responses=n_responses, windows=windows, seed=seed
    )
    retests = select(func.count(Response.id)).where(Response.is_retest.is_(True))
    if db.session.scalar(retests):  # load_demo stores them itself once the hook is in
        return db.session.scalar(retests)
    stored = db.session.scalar(select(func.count(Response.id)))
    if stored != len(pilot.responses):
        raise RuntimeError(
            f"the demo stored {stored} responses, the pilot has {len(pilot.responses)}"
        )
    with unit_of_work():
        return store_demo_retests(pilot, first_id, inst, today)
