"""Register instrument files in the database; a version with responses is immutable."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from nets_app.extensions import db
from nets_app.models import InstrumentVersion, Response
from questionnaires import Instrument, load_instrument


class InstrumentChangedError(ValueError):
    """An instrument version that already has responses was edited."""


def register_instrument(inst: Instrument | None = None) -> InstrumentVersion:
    """Store ``inst`` (default: the newest nets-core) or return the stored copy.

    If the stored copy differs and the version has responses, raise: a version is
    immutable once learners have answered it; publish a new version instead.
    Caller owns the transaction.
    """
    inst = inst or load_instrument()
    row = db.session.scalar(
        select(InstrumentVersion).filter_by(name=inst.name, version=inst.version)
    )
    if row is None:
        row = InstrumentVersion(
            name=inst.name,
            version=inst.version,
            sha256=inst.sha256,
            definition=inst.raw,
            registered_on=dt.date.today(),
        )
        db.session.add(row)
        db.session.flush()
        return row
    if row.sha256 != inst.sha256:
        answered = db.session.scalar(
            select(func.count(Response.id)).where(Response.instrument_version_id == row.id)
        )
        if answered:
            raise InstrumentChangedError(
                f"{inst.key} already has {answered} responses and its file has changed; "
                f"an instrument version is immutable once answered — publish version "
                f"{inst.version + 1} instead"
            )
        row.sha256, row.definition = inst.sha256, inst.raw
    return row
