"""Synthetic pilots with known truth as report inputs, without a database."""

from __future__ import annotations

import pandas as pd

import psychometrics as pm
from nets_app.services.validation_common import ReportInput

CRITERIA = {"overall_experience": "overall", "would_recommend": "recommend"}


def pilot_input(pilot: pm.SyntheticPilot, *, drop_straightliners: bool = True) -> ReportInput:
    """The first window of ``pilot`` as a report input (straight-liners dropped by default)."""
    window = pilot.windows[0]
    resp = pilot.responses[pilot.responses["window"] == window]
    retest = pilot.retest[pilot.retest["window"] == window]
    if drop_straightliners:
        resp = resp[~resp["response_id"].isin(pilot.truth.straightliners)]
        firsts = pilot.truth.retest_links
        bad = firsts.loc[firsts["response_id"].isin(pilot.truth.straightliners), "retest_code"]
        retest = retest[~retest["retest_code"].isin(bad)]
    links = pilot.truth.retest_links
    code_of = dict(zip(links["response_id"], links["retest_code"], strict=True))
    scales: dict[str, list[str]] = {}
    for spec in pilot.items:
        scales.setdefault(spec.factor, []).append(spec.id)
    items = pilot.item_ids + list(CRITERIA.values())
    return ReportInput(
        window=window,
        window_name=f"Pilot {window}",
        group=None,
        instrument="synthetic",
        responses=resp.assign(retest_code=resp["response_id"].map(code_of)).reset_index(drop=True),
        not_applicable=pd.DataFrame(False, index=range(len(resp)), columns=items),
        scales=scales,
        reverse=frozenset(s.id for s in pilot.items if s.reverse),
        criteria=dict(CRITERIA),
        labels={},
        groups=tuple((g, g) for g in pilot.truth.group_shares.index),
        retest=retest.reset_index(drop=True),
        retest_items=tuple(pilot.item_ids),
        retest_offered=(7, 21),
    )
