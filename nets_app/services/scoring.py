"""Score a survey window: run the psychometrics scoring, benchmarking and flag rules,
and store placement scores and adverse-environment flags.

The rules themselves are pure functions in ``psychometrics`` (score_placements,
benchmark, trend, adverse_flags); this service only feeds them stored responses and
persists what they return, replacing any earlier results for the window.
Suppression happens inside ``score_placements``, so a suppressed row is stored
without numbers and nothing downstream can show them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from flask import current_app
from sqlalchemy import delete, insert, select

import psychometrics as pm
from nets_app.extensions import db
from nets_app.models import (
    AdverseFlag,
    LearnerGroup,
    Placement,
    PlacementScore,
    ScoringRun,
    SurveyWindow,
)
from nets_app.services.responses import concern_counts, load_responses
from nets_app.services.uow import unit_of_work
from psychometrics.flag_config import FlagConfig, SuppressionConfig
from psychometrics.scoring import ALL_GROUPS
from psychometrics.trends import poor_streaks, trend
from questionnaires import Instrument, load_instrument

# How many earlier windows feed the trend rules (three consecutive poor windows).
HISTORY = 2


class UnknownWindowError(LookupError):
    """No survey window has that code."""


def _instrument(window: SurveyWindow) -> Instrument:
    iv = window.instrument_version
    return load_instrument(f"{iv.name}@{iv.version}")


def scales_for(inst: Instrument) -> dict[str, list[str]]:
    """Themes, Quality Framework domains and "overall", each with its item ids."""
    return {**inst.theme_scales(), **inst.domain_scales()}


def suppression_config() -> SuppressionConfig:
    return SuppressionConfig(
        min_n=current_app.config["NETS_MIN_N"],
        min_n_free_text=current_app.config["NETS_MIN_N_FREE_TEXT"],
    )


def flag_config() -> FlagConfig:
    return FlagConfig(min_n=current_app.config["NETS_MIN_N"])


def window_codes() -> list[str]:
    """Every window's code, oldest first."""
    return list(db.session.scalars(select(SurveyWindow.code).order_by(SurveyWindow.opens_on)))


def _windows_up_to(window: SurveyWindow) -> list[SurveyWindow]:
    rows = db.session.scalars(
        select(SurveyWindow)
        .where(SurveyWindow.opens_on <= window.opens_on)
        .order_by(SurveyWindow.opens_on)
    ).all()
    return list(rows[-(HISTORY + 1) :])


def _with_concerns(responses: pd.DataFrame, windows: list[str]) -> pd.DataFrame:
    """Concern reports are not linked to responses (anonymity); for the "any concern
    in the window" rule mark as many responses of the placement x window as there
    were reports of each kind."""
    counts = concern_counts(windows)
    out = responses.copy()
    for kind in ("patient_safety", "bullying"):
        col = f"concern_{kind}"
        out[col] = False
        sub = counts[counts["kind"] == kind]
        if sub.empty:
            continue
        rank = out.groupby(["placement", "window"]).cumcount()
        need = out.merge(sub, on=["placement", "window"], how="left")["count"].fillna(0).to_numpy()
        out[col] = rank.to_numpy() < need
    return out


def compute_window(window_code: str) -> dict[str, Any]:
    """Score one window with the windows before it (for trends); nothing is stored.

    Returns a dict with ``scores`` (all groups and per learner group, benchmarked
    and with trends), ``flags`` and ``n_responses`` of the scored window.
    """
    window = db.session.scalar(select(SurveyWindow).filter_by(code=window_code))
    if window is None:
        known = db.session.scalars(select(SurveyWindow.code).order_by(SurveyWindow.opens_on)).all()
        raise UnknownWindowError(
            f"unknown survey window {window_code!r}; known: {', '.join(known) or 'none'}"
        )
    inst = _instrument(window)
    history = [w.code for w in _windows_up_to(window)]
    scales = scales_for(inst)
    items = sorted({i for v in scales.values() for i in v})
    responses = load_responses(history, items=items)
    placements = db.session.scalars(select(Placement.code).order_by(Placement.code)).all()
    supp = suppression_config()
    reverse = [i.id for i in inst.scoring_items if i.reverse]
    common = dict(
        reverse=reverse,
        min_n=supp.min_n,
        min_items=supp.min_items,
        placements=placements,
        windows=history,
    )
    # One call scores all groups together and each learner group, so the
    # complementary suppression sees both (no group recoverable by differencing).
    scored = pm.score_placements(responses, scales, group="group", **common)
    is_all = scored["group"] == ALL_GROUPS
    overall = scored[is_all].drop(columns="group").reset_index(drop=True)
    by_group = scored[~is_all]
    bench = pm.benchmark(overall, by=["window", "scale"], method="funnel")
    quart = pm.benchmark(overall, by=["window", "scale"], method="quartile")
    bench["quartile_category"] = quart["category"].to_numpy()
    bench = poor_streaks(bench, windows=history)
    trends = trend(overall, windows=history)
    keys = ["placement", "window", "scale"]
    bench = bench.merge(
        trends[[*keys, "change", "change_ci_low", "change_ci_high"]], on=keys, how="left"
    )
    flags = pm.adverse_flags(
        _with_concerns(responses, history),
        bench,
        adverse_items=[i.id for i in inst.scoring_items if i.adverse],
        concern_columns=("concern_patient_safety", "concern_bullying"),
        config=flag_config(),
        windows=history,
    )
    return {
        "window": window,
        "scores": bench[bench["window"] == window_code],
        "group_scores": by_group[by_group["window"] == window_code],
        "flags": flags[flags["window"] == window_code],
        "n_responses": int((responses["window"] == window_code).sum()),
        "settings": {
            "suppression": dataclasses.asdict(supp),
            "flags": {k: _jsonable(v) for k, v in dataclasses.asdict(flag_config()).items()},
            "history": history,
        },
    }


def _jsonable(v: Any) -> Any:
    if isinstance(v, (tuple, list, set, frozenset)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


def _num(v: Any) -> float | None:
    if v is None or v is pd.NA:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def _int(v: Any) -> int | None:
    f = _num(v)
    return None if f is None else int(f)


def score_window(window_code: str, *, today: dt.date | None = None) -> ScoringRun:
    """Score a window and store the results in one transaction (replacing earlier ones)."""
    result = compute_window(window_code)
    window: SurveyWindow = result["window"]
    today = today or dt.date.today()
    placement_ids = dict(db.session.execute(select(Placement.code, Placement.id)).all())
    group_ids = dict(db.session.execute(select(LearnerGroup.code, LearnerGroup.id)).all())
    with unit_of_work():
        db.session.execute(delete(AdverseFlag).where(AdverseFlag.window_id == window.id))
        db.session.execute(delete(PlacementScore).where(PlacementScore.window_id == window.id))
        db.session.execute(delete(ScoringRun).where(ScoringRun.window_id == window.id))
        run = ScoringRun(
            window_id=window.id,
            computed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            n_responses=result["n_responses"],
            settings=result["settings"],
        )
        db.session.add(run)
        db.session.flush()
        rows = [
            _score_row(r, run, window, placement_ids, None)
            for r in result["scores"].to_dict("records")
        ]
        rows += [
            _score_row(r, run, window, placement_ids, group_ids[r["group"]])
            for r in result["group_scores"].to_dict("records")
        ]
        if rows:
            db.session.execute(insert(PlacementScore), rows)
        flags = [
            _flag_row(f, run, window, placement_ids, today)
            for f in result["flags"].to_dict("records")
        ]
        if flags:
            db.session.execute(insert(AdverseFlag), flags)
    return run


def _score_row(r: dict, run, window, placement_ids, group_id) -> dict[str, Any]:
    ok = r["status"] == "ok"
    extra = {}
    for key in ("lower_998", "lower_95", "upper_95", "upper_998", "z", "comparator"):
        if key in r and ok:
            extra[key] = _num(r[key]) if key != "comparator" else r[key]
    if ok and not pd.isna(r.get("poor_run")):
        # consecutive poor windows ending with this one (psychometrics.trends.poor_streaks)
        extra["poor_streak"] = int(r["poor_run"])
    return {
        "run_id": run.id,
        "window_id": window.id,
        "placement_id": placement_ids[r["placement"]],
        "learner_group_id": group_id,
        "scale": r["scale"],
        "status": r["status"],
        # A suppressed row keeps no numbers at all (its n would leak too).
        "n": _int(r["n"]) if ok else None,
        "score": _num(r["score"]) if ok else None,
        "ci_low": _num(r["ci_low"]) if ok else None,
        "ci_high": _num(r["ci_high"]) if ok else None,
        "pct_positive": _num(r["pct_positive"]) if ok else None,
        "shrunk_score": _num(r.get("score_shrunk")) if ok else None,
        "benchmark_mean": _num(r.get("benchmark_mean")) if ok else None,
        "funnel_category": r.get("category") if ok else None,
        "quartile_category": r.get("quartile_category") if ok else None,
        "change": _num(r.get("change")) if ok else None,
        "change_ci_low": _num(r.get("change_ci_low")) if ok else None,
        "change_ci_high": _num(r.get("change_ci_high")) if ok else None,
        "extra": extra,
    }


def _flag_row(f: dict, run, window, placement_ids, today) -> dict[str, Any]:
    return {
        "run_id": run.id,
        "window_id": window.id,
        "placement_id": placement_ids[f["placement"]],
        "rule": f["rule"],
        "scale": f["scale"] if isinstance(f.get("scale"), str) else None,
        "measure": f["measure"],
        "value": _num(f["value"]),
        "limit": _num(f["limit"]),
        "n": _int(f["n"]),
        "raised_on": today,
        "evidence": {
            "text": f.get("evidence"),
            "ci_low": _num(f.get("ci_low")),
            "ci_high": _num(f.get("ci_high")),
            "window": f["window"],
        },
    }
