"""Retest pairs for the demo pilot: the synthetic generator's second occasions, stored as retests.

:func:`nets_app.services.demo.load_demo` stores ``pilot.responses`` with consecutive
ids; :func:`store_demo_retests` then gives the first responses of the pilot's
retest pairs their retest code and stores each second occasion as a retest
response (retest items only) ``interval_days`` after the first, as the survey's
built-in retest would have. Pairs whose second answer would fall after ``today``
are left out (those learners have not answered again yet).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import Answer, Response
from questionnaires import Instrument


def store_demo_retests(pilot, first_response_id: int, inst: Instrument, today: dt.date) -> int:
    """Store the pilot's retest pairs; returns how many were stored.

    Parameters
    ----------
    pilot : psychometrics.SyntheticPilot
        The pilot just stored, ``pilot.responses`` row ``i`` as response id
        ``first_response_id + i``.
    first_response_id : int
    inst : Instrument
        Its ``retest_items`` are the items stored for the second occasion.
    today : date

    Notes
    -----
    Call inside the demo's unit of work after the id sequences have been moved
    past the explicitly numbered rows (new rows here take their ids from them).
    """
    position = {rid: i for i, rid in enumerate(pilot.responses["response_id"])}
    links = pilot.truth.retest_links.set_index("retest_code")["response_id"]
    second = pilot.retest[pilot.retest["occasion"] == 2]
    wanted = {code: first_response_id + position[links[code]] for code in second["retest_code"]}
    firsts = {
        r.id: r
        for r in db.session.scalars(select(Response).where(Response.id.in_(list(wanted.values()))))
    }
    allow_na = {it.id: it.allow_na for it in inst.all_items}
    items = [i for i in inst.retest_items if i in second.columns]
    stored = 0
    for row in second.itertuples(index=False):
        first = firsts.get(wanted[row.retest_code])
        if first is None:
            continue
        on = first.submitted_on + dt.timedelta(days=int(row.interval_days))
        if on > today:
            continue
        first.retest_code = row.retest_code
        answers = []
        for item in items:
            value = float(getattr(row, item))
            if np.isnan(value) and not allow_na[item]:
                continue
            na = bool(np.isnan(value))
            answers.append(
                Answer(item_id=item, value=None if na else int(value), not_applicable=na)
            )
        db.session.add(
            Response(
                window_id=first.window_id,
                placement_id=first.placement_id,
                learner_group_id=first.learner_group_id,
                instrument_version_id=first.instrument_version_id,
                submitted_on=on,
                is_retest=True,
                retest_code=row.retest_code,
                answers=answers,
            )
        )
        stored += 1
    db.session.flush()
    return stored
