"""De-identified item-level data for researchers: one row per response, no free text.

What a row holds: the window code, the region, the learner group, a placement
pseudonym and the answer (1-5, empty for "not applicable" or unanswered) to every
item. What it never holds: the response id, the submission date (nothing finer
than the window), the programme, the placement's name or code, free text, or
concern reports. Retest responses are left out.

Small groups: every combination of the exposed keys (window, region, learner
group, placement pseudonym) holds at least ``min_n`` rows. :func:`deidentify`
generalises keys, most specific first: a placement pseudonym whose class is too
small becomes "(pooled)"; pooled rows whose (region, group) class is too small
lose their group; then their region; rows that still sit in a class below
``min_n`` are dropped. The dataset is one fixed table per window (there are no
options to vary), so two downloads cannot be differenced to isolate a group.
Pseudonyms are an HMAC of the window and placement under the app's secret key,
so they cannot be linked across windows or reversed without the key.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import pandas as pd
from flask import current_app

from nets_app.models import SurveyWindow
from nets_app.services import audit, results
from nets_app.services.access import Principal, require
from nets_app.services.responses import load_responses
from nets_app.services.results import WindowInfo
from nets_app.services.survey import instrument_for
from nets_app.services.uow import transactional

POOLED = "(pooled)"
KEYS = ("window", "region", "learner_group", "placement_pseudonym")
META = {
    "row": ("integer", "Row number (rows are in a keyed-hash order, not submission order)."),
    "window": ("string", "Survey window code; no date finer than the window is given."),
    "region": ("string", "Region code, or '(pooled)' where the class would be too small."),
    "learner_group": (
        "string",
        "Learner group code, or '(pooled)' where the class would be too small.",
    ),
    "placement_pseudonym": (
        "string",
        "Stable within one window only; '(pooled)' where fewer than min_n rows would share it.",
    ),
}


def pseudonym(secret: str, window_code: str, placement_code: str) -> str:
    """A 12-character keyed hash of the placement within the window."""
    mac = hmac.new(secret.encode(), f"{window_code}\x1f{placement_code}".encode(), hashlib.sha256)
    return "P" + mac.hexdigest()[:11]


def deidentify(frame: pd.DataFrame, min_n: int, keys: tuple[str, ...] = KEYS[1:]) -> pd.DataFrame:
    """Generalise ``keys`` (most specific last) until every class has ``min_n`` rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per response with the key columns (strings).
    min_n : int
        Smallest class size allowed.
    keys : tuple of str
        Key columns from the least to the most specific, e.g.
        ``("region", "learner_group", "placement_pseudonym")``.

    Returns
    -------
    pandas.DataFrame
        The rows kept (same columns), keys generalised to ``"(pooled)"``. Every
        combination of ``keys`` in the result occurs at least ``min_n`` times.

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["A"] * 5 + ["B"], "learner_group": ["n"] * 6,
    ...                    "placement_pseudonym": ["p1", "p1", "p1", "p2", "p2", "p3"]})
    >>> out = deidentify(df, 3)
    >>> out.groupby(list(out.columns)).size().to_dict()
    {('(pooled)', '(pooled)', '(pooled)'): 3, ('A', 'n', 'p1'): 3}

    ``p2`` (2 rows) and ``p3`` (1 row) are pooled; their (region, group) classes
    are still too small, and so are their regions, so the three rows end up in
    one fully pooled class, which is large enough to keep.
    """
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, got {min_n}")
    out = frame.copy()
    for col in keys:
        out[col] = out[col].astype(str)
    candidates = pd.Series(True, index=out.index)
    for col in reversed(keys):
        # Classes over all keys among the rows still in play at this level: every row
        # for the most specific key, then only the rows pooled at the level below.
        sizes = out[candidates].groupby(list(keys))[keys[0]].transform("size")
        out.loc[sizes.index[sizes < min_n], col] = POOLED
        candidates = out[col] == POOLED
    sizes = out.groupby(list(keys))[keys[0]].transform("size")
    return out[sizes >= min_n]


def _item_columns(window: SurveyWindow) -> list[tuple[str, str]]:
    inst = instrument_for(window)
    return [
        (
            it.id,
            it.text
            + (" [reverse-keyed]" if it.reverse else "")
            + (f" [{it.group} only]" if it.group else ""),
        )
        for it in inst.all_items
    ]


def dictionary(window: SurveyWindow) -> list[tuple[str, str, str]]:
    items = [
        (
            item,
            "integer",
            f"1 strongly disagree ... 5 strongly agree; empty = not applicable or unanswered. {text}",
        )
        for item, text in _item_columns(window)
    ]
    return [(c, t, d) for c, (t, d) in META.items()] + items


def item_table(window: SurveyWindow, min_n: int):
    """The window's de-identified item table (a :class:`~nets_app.services.exports.Table`)."""
    from nets_app.services.exports import Table

    items = [item for item, _ in _item_columns(window)]
    wide = load_responses([window.code], items=items)
    secret = current_app.config["SECRET_KEY"]
    frame = pd.DataFrame(
        {
            "window": wide["window"].astype(str),
            "region": wide["region"].astype(str),
            "learner_group": wide["group"].astype(str),
            "placement_pseudonym": [pseudonym(secret, window.code, p) for p in wide["placement"]],
        }
    )
    frame = pd.concat([frame, wide[items].reset_index(drop=True)], axis=1)
    kept = deidentify(frame, min_n)
    order = [
        hmac.new(secret.encode(), f"row\x1f{rid}".encode(), hashlib.sha256).hexdigest()
        for rid in wide.loc[kept.index, "response_id"]
    ]
    kept = kept.assign(_order=order).sort_values(list(KEYS) + ["_order"]).drop(columns="_order")
    rows = []
    for k, rec in enumerate(kept.itertuples(index=False), start=1):
        values = [None if pd.isna(v) else int(v) for v in rec[len(KEYS) :]]
        rows.append((k, *rec[: len(KEYS)], *values))
    return Table("items", ("row", *KEYS, *items), rows, {}, min_n)


@dataclass(frozen=True)
class ResearchPage:
    windows: tuple[WindowInfo, ...]
    min_n: int


@transactional
def page(principal: Principal) -> ResearchPage:
    """The researcher's start page: the windows whose de-identified item data can be downloaded."""
    require(principal, "research", "research")
    audit.record("view", "research", detail={"page": "research"})
    return ResearchPage(tuple(results.windows()), int(current_app.config["NETS_MIN_N"]))
