"""An instrument version is stored once and is immutable once learners have answered it."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt

import pytest
from sqlalchemy import func, select

from nets_app.extensions import db
from nets_app.models import InstrumentVersion, Response
from nets_app.services.instruments import InstrumentChangedError, register_instrument
from questionnaires import load_instrument
from tests.factories import create_group, create_placement, create_window


def edited(inst):
    raw = copy.deepcopy(inst.raw)
    raw["items"][0]["text"] = "A reworded induction question."
    return dataclasses.replace(inst, raw=raw, sha256="0" * 64)


def test_registering_twice_keeps_one_row(app):
    first = register_instrument()
    again = register_instrument()
    assert first.id == again.id
    assert db.session.scalar(select(func.count(InstrumentVersion.id))) == 1


def test_an_unanswered_version_may_still_be_corrected(app):
    inst = load_instrument()
    register_instrument(inst)
    row = register_instrument(edited(inst))
    assert row.sha256 == "0" * 64


def test_an_answered_version_cannot_change_and_nothing_is_written(app):
    inst = load_instrument()
    window = create_window()
    db.session.add(
        Response(
            window_id=window.id,
            placement_id=create_placement().id,
            learner_group_id=create_group().id,
            instrument_version_id=window.instrument_version_id,
            submitted_on=dt.date.today(),
        )
    )
    db.session.commit()
    with pytest.raises(
        InstrumentChangedError, match="nets-core@1 already has 1 responses.*publish version 2"
    ):
        register_instrument(edited(inst))
    db.session.rollback()
    stored = db.session.scalar(select(InstrumentVersion))
    assert stored.sha256 == inst.sha256 and stored.definition == inst.raw
