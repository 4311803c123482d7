"""The validation report of a survey window, from the database to HTML and JSON.

:func:`report_input` reads one window (optionally one learner group) into a
:class:`~nets_app.services.validation_common.ReportInput`; :func:`build_report`
computes it (:mod:`nets_app.services.validation_report`); :func:`write_report`
saves the printable HTML and the JSON with every number. The researchers' page
calls :func:`index_page` and :func:`report_page`, which check the role, audit
the view and cache the computed report until the window's responses change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from flask import current_app, render_template
from sqlalchemy import func, select

from nets_app.extensions import db
from nets_app.models import Answer, LearnerGroup, Response, SurveyWindow
from nets_app.services import audit, cache, results
from nets_app.services.access import AccessDenied, NotFound, Principal
from nets_app.services.responses import load_responses
from nets_app.services.retest import load_retest_pairs
from nets_app.services.survey import instrument_for
from nets_app.services.uow import transactional
from nets_app.services.validation_common import ReportInput, Settings
from nets_app.services.validation_report import SECTION_KEYS, Report, compute_report
from questionnaires import load_framework

#: Roles that may see validation reports (de-identified, aggregate psychometrics only).
ROLES = frozenset({"researcher", "national"})


def find_window(code: str) -> SurveyWindow:
    """The window with ``code``, or :class:`NotFound` naming it and the known windows."""
    window = db.session.scalar(select(SurveyWindow).where(SurveyWindow.code == code))
    if window is None:
        known = db.session.scalars(select(SurveyWindow.code).order_by(SurveyWindow.opens_on))
        listed = ", ".join(known) or "none yet"
        raise NotFound("survey window", code, f"choose one of the known windows: {listed}")
    return window


def learner_groups() -> tuple[tuple[str, str], ...]:
    """Every learner group (code, name), in the Quality Framework's order."""
    order = {code: n for n, code in enumerate(load_framework().learner_groups)}
    rows = db.session.execute(select(LearnerGroup.code, LearnerGroup.name)).all()
    rows = sorted(rows, key=lambda g: (order.get(g[0], len(order)), g[1]))
    return tuple((code, name) for code, name in rows)


def find_group(code: str | None) -> tuple[str, str] | None:
    """The learner group (code, name); None for all groups; :class:`NotFound` if unknown."""
    if code is None or code in ("", "all"):
        return None
    groups = learner_groups()
    for g in groups:
        if g[0] == code:
            return g
    raise NotFound(
        "learner group",
        code,
        "choose one of the learner groups: " + ", ".join(c for c, _ in groups),
    )


def _not_applicable(window: SurveyWindow, items: list[str], ids: pd.Series) -> pd.DataFrame:
    rows = db.session.execute(
        select(Answer.response_id, Answer.item_id)
        .join(Response, Answer.response_id == Response.id)
        .where(
            Response.window_id == window.id,
            Response.is_retest.is_(False),
            Answer.not_applicable.is_(True),
        )
    ).all()
    found = pd.DataFrame(rows, columns=["response_id", "item_id"])
    row = pd.Index(ids).get_indexer(found["response_id"])
    col = pd.Index(items).get_indexer(found["item_id"])
    keep = (row >= 0) & (col >= 0)
    flags = np.zeros((len(ids), len(items)), dtype=bool)
    flags[row[keep], col[keep]] = True
    return pd.DataFrame(flags, columns=items)


def report_input(window_code: str, group_code: str | None = None) -> ReportInput:
    """Read one window (and optionally one learner group) for the report."""
    window = find_window(window_code)
    group = find_group(group_code)
    inst = instrument_for(window)
    scales = {t: items for t, items in inst.theme_scales().items() if t != "overall"}
    criteria = {
        role: inst.item_by_role(role).id for role in ("overall_experience", "would_recommend")
    }
    scoring = [i for items in scales.values() for i in items]
    items = [*scoring, *criteria.values()]
    wide = load_responses([window.code], items=items)
    if group is not None:
        wide = wide[wide["group"] == group[0]]
    wide = wide.reset_index(drop=True)
    retest_items = [i for i in inst.retest_items if i in scoring]
    pairs, unpaired = load_retest_pairs(window.code, retest_items, group[0] if group else None)
    groups = learner_groups()
    labels = {it.id: it.text for it in inst.all_items}
    labels.update({t.id: t.title for t in inst.themes})
    labels.update(dict(groups))
    labels["all themes"] = "All themes"
    return ReportInput(
        window=window.code,
        window_name=window.name,
        group=group[0] if group else None,
        instrument=inst.key,
        responses=wide[["group", "retest_code", *items]],
        not_applicable=_not_applicable(window, items, wide["response_id"]),
        scales=scales,
        reverse=frozenset(it.id for it in inst.scoring_items if it.reverse),
        criteria=criteria,
        labels=labels,
        groups=groups,
        retest=pairs,
        retest_items=tuple(retest_items),
        retest_offered=(window.retest_min_days, window.retest_max_days),
        unpaired_retests=unpaired,
    )


def build_report(
    window_code: str,
    group_code: str | None = None,
    *,
    settings: Settings | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Compute the validation report of a window (unknown window or group: :class:`NotFound`)."""
    inp = report_input(window_code, group_code)
    group = find_group(group_code)
    return compute_report(inp, settings, progress=progress, group_name=group[1] if group else None)


def render_html(report: Report, *, standalone: bool = True) -> str:
    """The report as HTML: a self-contained printable file, or the page body for the site."""
    template = "validation/report_file.html" if standalone else "validation/report.html"
    return render_template(template, report=report, keys=SECTION_KEYS)


def report_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, allow_nan=False, ensure_ascii=False)


def file_stem(report: Report) -> str:
    return f"validation-{report.window}" + (f"-{report.group}" if report.group else "")


def write_report(report: Report, out_dir: Path) -> tuple[Path, Path]:
    """Write ``validation-<window>[-<group>].html`` and ``.json`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = file_stem(report)
    html_path, json_path = out_dir / f"{stem}.html", out_dir / f"{stem}.json"
    html_path.write_text(render_html(report), encoding="utf-8")
    json_path.write_text(report_json(report), encoding="utf-8")
    return html_path, json_path


# -- the researchers' page ------------------------------------------------------------------


def require_role(principal: Principal, target: str) -> None:
    if principal.role not in ROLES:
        raise AccessDenied(target, f"role {principal.role!r} may not see validation reports")


@dataclass(frozen=True)
class IndexPage:
    windows: tuple[results.WindowInfo, ...]
    groups: tuple[tuple[str, str], ...]
    counts: dict[str, int]


@transactional
def index_page(principal: Principal) -> IndexPage:
    """The windows a validation report can be produced for, with their response counts."""
    require_role(principal, "validation")
    audit.record("view", "validation", detail={"page": "index"})
    counts = dict(
        db.session.execute(
            select(SurveyWindow.code, func.count(Response.id))
            .join(Response, Response.window_id == SurveyWindow.id)
            .where(Response.is_retest.is_(False))
            .group_by(SurveyWindow.code)
        ).all()
    )
    return IndexPage(tuple(results.windows()), learner_groups(), counts)


def _data_version(window: SurveyWindow) -> tuple[int, int]:
    """Changes whenever a response of the window is added or removed (the cache key)."""
    count, last = db.session.execute(
        select(func.count(Response.id), func.max(Response.id)).where(
            Response.window_id == window.id
        )
    ).one()
    return int(count), int(last or 0)


@transactional
def report_page(principal: Principal, window_code: str, group_code: str | None) -> Report:
    """The report for the page: role checked, view audited, computed once per data version."""
    require_role(principal, f"validation:{window_code}")
    window = find_window(window_code)
    find_group(group_code)
    audit.record("view", f"validation:{window.code}", detail={"group": group_code or "all"})
    settings = page_settings()
    key = cache.make_key(
        "validation", window.code, group_code or "all", _data_version(window), settings
    )
    return cache.cached(key, lambda: build_report(window.code, group_code, settings=settings))


def page_settings() -> Settings:
    """The page's analysis settings; ``NETS_VALIDATION_BOOT`` sets omega's resamples (200)."""
    return Settings(n_boot=int(current_app.config.get("NETS_VALIDATION_BOOT", 200)))
