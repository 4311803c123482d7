"""De-identified item-level data of one window, for reproducing the validation report.

``flask nets export-items --window W --out items.csv`` writes two files:

``items.csv``
    One row per response: ``row``, ``learner_group``, ``occasion`` (1 for the
    survey, 2 for a retest answer), ``pair`` (a number shared by the two answers
    of a retest pair, empty otherwise), ``interval_days`` (days between them, on
    occasion-2 rows) and every theme and criterion item as answered (1-5; empty
    for "not applicable" or unanswered; reverse-keyed items not recoded).
``items.json``
    The structure needed to analyse it: themes and their items, reverse-keyed
    items, the criterion items, the retest items and interval, and the report's
    analysis settings.

No response id, date, placement, provider, region, programme or free text is
written. Rows are in a keyed-hash order (not submission order), pair numbers are
fresh (not the stored retest codes), and a learner group with fewer than
``NETS_MIN_N`` responses in the window is written as ``"(pooled)"``. The report's
statistics do not depend on row order or on groups that small, so the notebook
reproduces them from these files.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd
from flask import current_app

from nets_app.services.validation import report_input
from nets_app.services.validation_common import ReportInput, Settings

POOLED = "(pooled)"
META_COLUMNS = ("row", "learner_group", "occasion", "pair", "interval_days")


def _order(secret: str, kind: str, values) -> list[str]:
    return [
        hmac.new(secret.encode(), f"{kind}\x1f{v}".encode(), hashlib.sha256).hexdigest()
        for v in values
    ]


def export_frame(inp: ReportInput, secret: str, min_n: int) -> pd.DataFrame:
    """The de-identified table of a report input (see the module docstring)."""
    items = [*inp.scoring_items, *inp.criteria.values()]
    counts = inp.responses["group"].value_counts()
    small = set(counts[counts < min_n].index)

    def group_of(values: pd.Series) -> pd.Series:
        return values.astype(str).where(~values.isin(small), POOLED)

    number: dict[str, int] = {}
    pairs = inp.retest
    if len(pairs):
        codes = pd.Series(pairs["retest_code"].unique())
        codes = codes.iloc[pd.Series(_order(secret, "pair", codes)).argsort().to_numpy()]
        number = {code: k for k, code in enumerate(codes, start=1)}
    first = inp.responses[["group", "retest_code", *items]].copy()
    first["_order"] = _order(secret, "row", range(len(first)))
    first = first.sort_values("_order").reset_index(drop=True)
    out = pd.DataFrame(
        {
            "learner_group": group_of(first["group"]),
            "occasion": 1,
            "pair": pd.array(first["retest_code"].map(number), dtype="Int64"),
            "interval_days": pd.array([pd.NA] * len(first), dtype="Int64"),
        }
    )
    out = pd.concat([out, first[items]], axis=1)
    if len(pairs):
        second = pairs[pairs["occasion"] == 2]
        retest_items = [c for c in items if c in second.columns]
        part = pd.DataFrame(
            {
                "learner_group": group_of(second["group"]).to_numpy(),
                "occasion": 2,
                "pair": pd.array(second["retest_code"].map(number), dtype="Int64"),
                "interval_days": pd.array(second["interval_days"], dtype="Int64"),
            }
        )
        part = pd.concat([part, second[retest_items].reset_index(drop=True)], axis=1)
        part = part.sort_values("pair")
        out = pd.concat([out, part.reindex(columns=out.columns)], ignore_index=True)
    for c in items:
        out[c] = pd.array(out[c], dtype="Int64")
    out.insert(0, "row", range(1, len(out) + 1))
    return out


def structure(inp: ReportInput, min_n: int, settings: Settings) -> dict:
    """What the notebook needs to analyse the exported table the way the report does."""
    return {
        "window": inp.window,
        "instrument": inp.instrument,
        "group": inp.group,
        "scales": inp.scales,
        "reverse": sorted(inp.reverse),
        "criteria": inp.criteria,
        "retest_items": list(inp.retest_items),
        "retest_offered": list(inp.retest_offered),
        "min_n": min_n,
        "pooled_label": POOLED,
        "settings": asdict(settings),
        "columns": {
            "row": "row number (keyed-hash order, not submission order)",
            "learner_group": f"learner group code, or {POOLED!r} below {min_n} responses",
            "occasion": "1 = survey answer, 2 = retest answer",
            "pair": "retest pair number (both occasions), empty if not in a pair",
            "interval_days": "days between the two answers of a pair (occasion 2 rows)",
            "items": "1-5 as answered; empty = not applicable or unanswered; "
            "reverse-keyed items (see 'reverse') not recoded",
        },
    }


def export_items(
    window_code: str, out: Path, group_code: str | None = None, settings: Settings | None = None
) -> tuple[Path, Path]:
    """Write ``out`` (CSV) and ``out`` with suffix ``.json``; return both paths."""
    inp = report_input(window_code, group_code)
    min_n = int(current_app.config["NETS_MIN_N"])
    table = export_frame(inp, current_app.config["SECRET_KEY"], min_n)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    meta = out.with_suffix(".json")
    meta.write_text(
        json.dumps(structure(inp, min_n, settings or Settings()), indent=2), encoding="utf-8"
    )
    return out, meta
