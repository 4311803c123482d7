"""Report section on test-retest reliability: ICCs per item, per theme and for the total.

The pairs come from the survey's built-in retest (:mod:`nets_app.services.retest`):
two responses sharing a random retest code, the second answering the short retest
form ``instrument.retest_items`` some days after the first.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

import psychometrics as pm
from nets_app.services.validation_common import (
    OK,
    ReportInput,
    Section,
    Settings,
    Unavailable,
    figure_svg,
    need,
)

#: The ICC form reported: two-way random effects, absolute agreement, single measurement.
FORM = "ICC(A,1)"
TOTAL = "total"


def retest_scores(
    inp: ReportInput, min_share: float = 0.5
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Per pair and occasion: each retest item (keyed) and each theme / total score.

    A pair's score is the mean of its keyed answers to the score's retest items that
    were answered on *both* occasions, so the two occasions always average the same
    questions; it is given when at least ``min_share`` of the items are (half, as
    for theme scores elsewhere in the report; 1 keeps complete pairs only). Returns the long frame (``retest_code``, ``occasion``,
    items, ``score:<name>``) and the items behind each score.
    """
    items = [i for i in inp.scoring_items if i in inp.retest_items]
    frame = inp.retest.reset_index(drop=True)
    keyed = inp.keyed(frame, items)
    scores: dict[str, list[str]] = {}
    for theme, theme_items in inp.scales.items():
        used = [i for i in theme_items if i in items]
        if len(used) >= 2:
            scores[theme] = used
    if len(items) >= 2:
        scores[TOTAL] = items
    out = pd.concat([frame[["retest_code", "occasion"]], keyed], axis=1)
    answered = keyed.notna()
    # an answer counts only if the same question was answered on the other occasion too
    both = answered.groupby(frame["retest_code"]).transform("sum") == 2
    for name, used in scores.items():
        kept = keyed[used].where(both[used])
        enough = kept.notna().sum(axis=1) >= math.ceil(min_share * len(used))
        out[f"score:{name}"] = kept.mean(axis=1).where(enough)
    return out, scores


def _icc_row(frame: pd.DataFrame, column: str, settings: Settings) -> dict[str, Any]:
    long = frame[["retest_code", "occasion", column]].dropna()
    complete = long.groupby("retest_code")["occasion"].transform("size") == 2
    long = long[complete]
    n = long["retest_code"].nunique()
    if n < settings.min_pairs:
        return {"n_pairs": n, "icc": None, "note": f"fewer than {settings.min_pairs} pairs"}
    table = pm.icc(long, targets="retest_code", raters="occasion", ratings=column, ci=settings.ci)
    a, c = table.loc[FORM], table.loc["ICC(C,1)"]
    return {
        "n_pairs": n,
        "icc": float(a["icc"]),
        "ci_low": float(a["ci_low"]),
        "ci_high": float(a["ci_high"]),
        "pvalue": float(a["pvalue"]),
        "icc_consistency": float(c["icc"]),
        "pearson_r": float(np.corrcoef(*_occasions(long, column))[0, 1]),
    }


def _occasions(long: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    wide = long.pivot(index="retest_code", columns="occasion", values=column)
    return wide[1].to_numpy(dtype=float), wide[2].to_numpy(dtype=float)


def interval_summary(days: pd.Series, offered: tuple[int, int]) -> dict[str, Any]:
    lo, hi = offered
    q = days.quantile([0.0, 0.25, 0.5, 0.75, 1.0]).to_numpy(dtype=float)
    return {
        "n": int(days.size),
        "min": q[0],
        "q1": q[1],
        "median": q[2],
        "q3": q[3],
        "max": q[4],
        "mean": float(days.mean()),
        "offered_min": lo,
        "offered_max": hi,
        "outside_offered": int(((days < lo) | (days > hi)).sum()),
        "pairs_by_days": {str(int(d)): int(c) for d, c in days.value_counts().sort_index().items()},
    }


def retest(inp: ReportInput, settings: Settings) -> Section:
    """ICC(A,1) with confidence intervals, and the distribution of retest intervals."""
    from psychometrics.report_figures import estimate_plot, interval_histogram

    frame = inp.retest
    n_pairs = frame["retest_code"].nunique() if len(frame) else 0
    if n_pairs == 0:
        raise Unavailable(
            f"No retest pairs in window {inp.window}"
            + (f" for learner group {inp.group}" if inp.group else "")
            + ": no learner offered the retest form has answered it yet"
            + (
                f" ({inp.unpaired_retests} retest answer(s) without a first response)"
                if inp.unpaired_retests
                else ""
            )
        )
    need(n_pairs, settings.min_pairs, "Retest pairs", "Koo & Li (2016) advise at least 30")
    wide, scores = retest_scores(inp, settings.min_share_answered)
    if not scores:
        raise Unavailable("The instrument's retest form has fewer than two theme items")
    rows = []
    for name, used in scores.items():
        rec = {
            "kind": "total" if name == TOTAL else "theme",
            "name": name,
            "title": inp.label(name),
        }
        rec.update(k=len(used), **_icc_row(wide, f"score:{name}", settings))
        rows.append(rec)
    for item in [i for i in inp.scoring_items if i in inp.retest_items]:
        rec = {"kind": "item", "name": item, "title": inp.label(item), "k": 1}
        rec.update(_icc_row(wide, item, settings))
        rows.append(rec)
    days = frame.drop_duplicates("retest_code")["interval_days"].astype(float)
    intervals = interval_summary(days, inp.retest_offered)
    table = pd.DataFrame(rows)
    table.index = [r.title if r.kind != "item" else r.name for r in table.itertuples()]
    figures = (
        figure_svg(
            interval_histogram(days.astype(int), offered=inp.retest_offered),
            "Days between the first answer and the retest",
            "retest-days",
        ),
        figure_svg(
            estimate_plot(
                table.rename(columns={"icc": "estimate"}),
                reference=[0.5, 0.75, 0.9],
                xlabel=f"{FORM} (test-retest)",
            ),
            f"Test-retest {FORM} with {settings.ci:.0%} confidence intervals",
            "retest-icc",
        ),
    )
    notes = (
        f"{FORM}: two-way random effects, absolute agreement, single measurement (McGraw & "
        "Wong 1996; Shrout & Fleiss's ICC(2,1)), with its F-based confidence interval. A theme "
        "or total score averages the questions a learner answered on both occasions, when "
        f"that is at least {settings.min_share_answered:.0%} of them.",
        "Koo & Li (2016) call values below .50 poor, .50-.75 moderate, .75-.90 good and above "
        ".90 excellent (conventions for the interval's bounds as much as the estimate).",
    )
    return Section(
        "retest",
        "Test-retest reliability",
        OK,
        data={"n_pairs": n_pairs, "form": FORM, "iccs": rows, "intervals": intervals},
        figures=figures,
        notes=notes,
    )
