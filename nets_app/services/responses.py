"""Read stored responses as the wide DataFrame the psychometrics library takes.

One row per response: ``response_id``, ``placement``, ``provider``, ``region``,
``specialty``, ``window``, ``group`` (codes), then one column per item (1-5 as
float; NaN for "not applicable" or unanswered). Retest responses are excluded
unless asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import (
    Answer,
    ConcernReport,
    LearnerGroup,
    Placement,
    Provider,
    Region,
    Response,
    SurveyWindow,
)

KEYS = ["response_id", "placement", "provider", "region", "specialty", "window", "group"]


def load_responses(
    window_codes: Sequence[str], *, retest: bool = False, items: Sequence[str] | None = None
) -> pd.DataFrame:
    """Wide responses of the given windows (and only non-retest responses by default)."""
    meta_q = (
        select(
            Response.id.label("response_id"),
            Placement.code.label("placement"),
            Provider.code.label("provider"),
            Region.code.label("region"),
            Placement.specialty.label("specialty"),
            SurveyWindow.code.label("window"),
            LearnerGroup.code.label("group"),
            Response.retest_code.label("retest_code"),
            Response.submitted_on.label("submitted_on"),
        )
        .join(Placement, Response.placement_id == Placement.id)
        .join(Provider, Placement.provider_id == Provider.id)
        .join(Region, Provider.region_id == Region.id)
        .join(SurveyWindow, Response.window_id == SurveyWindow.id)
        .join(LearnerGroup, Response.learner_group_id == LearnerGroup.id)
        .where(SurveyWindow.code.in_(list(window_codes)), Response.is_retest.is_(retest))
        .order_by(Response.id)
    )
    meta = pd.DataFrame(
        db.session.execute(meta_q).all(), columns=[*KEYS, "retest_code", "submitted_on"]
    )
    ans_q = (
        select(Answer.response_id, Answer.item_id, Answer.value)
        .join(Response, Answer.response_id == Response.id)
        .join(SurveyWindow, Response.window_id == SurveyWindow.id)
        .where(SurveyWindow.code.in_(list(window_codes)), Response.is_retest.is_(retest))
    )
    if items is not None:
        ans_q = ans_q.where(Answer.item_id.in_(list(items)))
    answers = pd.DataFrame(
        db.session.execute(ans_q).all(), columns=["response_id", "item_id", "value"]
    )
    if answers.empty:
        wide = pd.DataFrame(index=meta["response_id"])
    else:
        answers["value"] = answers["value"].astype(float)
        wide = answers.pivot(index="response_id", columns="item_id", values="value")
    if items is not None:
        wide = wide.reindex(columns=list(items))
    out = meta.join(wide, on="response_id")
    item_cols = [c for c in out.columns if c not in [*KEYS, "retest_code", "submitted_on"]]
    out[item_cols] = out[item_cols].astype(float)
    return out


def concern_counts(window_codes: Sequence[str]) -> pd.DataFrame:
    """Concern reports per placement × window × kind (for the patient-safety flag rule)."""
    q = (
        select(Placement.code, SurveyWindow.code, ConcernReport.kind)
        .join(Placement, ConcernReport.placement_id == Placement.id)
        .join(SurveyWindow, ConcernReport.window_id == SurveyWindow.id)
        .where(SurveyWindow.code.in_(list(window_codes)))
    )
    df = pd.DataFrame(db.session.execute(q).all(), columns=["placement", "window", "kind"])
    if df.empty:
        return pd.DataFrame(columns=["placement", "window", "kind", "count"]).astype(
            {"count": np.int64}
        )
    return df.value_counts().rename("count").reset_index()
