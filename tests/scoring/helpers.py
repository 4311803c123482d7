"""Small builders shared by the scoring tests (plain functions with defaults)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import psychometrics as pm
from psychometrics.scoring import scales_from_items


def pilot_tables(pilot, *, by_group: bool = False):
    """Scales, reverse and adverse items of a synthetic pilot, and its scores."""
    scales = scales_from_items(pilot.items)
    reverse = [item.id for item in pilot.items if item.reverse]
    adverse = [item.id for item in pilot.items if item.adverse]
    scores = pm.score_placements(
        pilot.responses,
        scales,
        reverse=reverse,
        windows=pilot.windows,
        group="group" if by_group else None,
    )
    return scales, reverse, adverse, scores


def score_table(scores, n, sd=15.0, *, placements=None, window="2024", scale="overall"):
    """A score table as score_placements would return it, from score and n lists."""
    k = len(scores)
    placements = placements or [f"P{i:02d}" for i in range(k)]
    score = np.asarray(scores, dtype=float)
    return pd.DataFrame(
        {
            "placement": placements,
            "window": window,
            "scale": scale,
            "n": pd.array(n, dtype="Int64"),
            "score": score,
            "ci_low": score - 5.0,
            "ci_high": score + 5.0,
            "sd": sd,
            "pct_positive": 50.0,
            "status": "ok",
        }
    )
