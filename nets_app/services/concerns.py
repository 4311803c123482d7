"""Concern reports raised in the survey: the deadline by which the quality team responds."""

from __future__ import annotations

import datetime as dt

# Days the responsible regional quality team has to investigate and report back.
# The GMC NTS passes patient-safety comments to regional teams during the survey
# with a response deadline; NETS's own deadlines are not public, so these are this
# project's defaults: patient safety faster than bullying/undermining.
RESPONSE_DAYS = {"patient_safety": 7, "bullying": 14}


def respond_by(kind: str, reported_on: dt.date) -> dt.date:
    if kind not in RESPONSE_DAYS:
        raise ValueError(f"unknown concern kind {kind!r}; expected one of {sorted(RESPONSE_DAYS)}")
    return reported_on + dt.timedelta(days=RESPONSE_DAYS[kind])
