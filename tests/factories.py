"""Small factories with defaults: ``create_placement(**overrides)`` and friends."""

from __future__ import annotations

import datetime as dt
import itertools

from nets_app.extensions import db
from nets_app.models import LearnerGroup, Placement, Provider, Region, SurveyWindow
from nets_app.services.instruments import register_instrument

_seq = itertools.count(1)


def create_region(**kw) -> Region:
    n = next(_seq)
    row = Region(**{"code": f"R{n}", "name": f"Region {n}", **kw})
    db.session.add(row)
    db.session.flush()
    return row


def create_provider(**kw) -> Provider:
    n = next(_seq)
    if "region_id" not in kw:
        kw["region_id"] = kw.pop("region", None).id if "region" in kw else create_region().id
    row = Provider(**{"code": f"PR{n}", "name": f"Provider {n} NHS Trust", **kw})
    db.session.add(row)
    db.session.flush()
    return row


def create_placement(**kw) -> Placement:
    n = next(_seq)
    if "provider_id" not in kw:
        kw["provider_id"] = kw.pop("provider").id if "provider" in kw else create_provider().id
    row = Placement(
        **{"code": f"PL{n}", "name": f"Ward {n}", "specialty": "general medicine", **kw}
    )
    db.session.add(row)
    db.session.flush()
    return row


def create_group(code: str = "nursing", **kw) -> LearnerGroup:
    row = db.session.query(LearnerGroup).filter_by(code=code).one_or_none()
    if row is None:
        row = LearnerGroup(code=code, name=kw.get("name", code.title()))
        db.session.add(row)
        db.session.flush()
    return row


def create_window(**kw) -> SurveyWindow:
    n = next(_seq)
    today = dt.date.today()
    defaults = {
        "code": f"W{n}",
        "name": f"Window {n}",
        "opens_on": today - dt.timedelta(days=7),
        "closes_on": today + dt.timedelta(days=21),
    }
    if "instrument_version_id" not in kw:
        kw["instrument_version_id"] = register_instrument().id
    row = SurveyWindow(**{**defaults, **kw})
    db.session.add(row)
    db.session.flush()
    return row
