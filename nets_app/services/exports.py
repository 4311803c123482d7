"""Exports and the JSON API: tables with stable column names and a data dictionary.

Each dataset is a :class:`Table` (column names + rows) built from the same scoped,
suppression-respecting reads as the pages, so an export can show nothing a page
could not. Column names are part of the public interface: they never change
meaning; new columns are only ever appended. Every export is written to the audit
log with its filters and row count.

The JSON form is ``{"dataset", "columns", "records", "filters", "min_n"}``, so a
notebook can do ``pd.DataFrame(js["records"], columns=js["columns"])``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import true

from nets_app.models import Placement, Provider, SurveyWindow
from nets_app.services import audit, research, results
from nets_app.services.access import (
    NotFound,
    Principal,
    find_group,
    placement_scope,
    require,
    require_provider,
    require_region,
)
from nets_app.services.dashboard import default_window, scale_choices
from nets_app.services.response_rates import response_rates
from nets_app.services.uow import transactional

#: column -> (type, description). The order is the column order of the export.
DICTIONARIES: dict[str, dict[str, tuple[str, str]]] = {
    "scores": {
        "window": ("string", "Survey window code, e.g. 2025."),
        "region_code": ("string", "Region (local office) code."),
        "region_name": ("string", "Region name."),
        "provider_code": ("string", "Placement provider code."),
        "provider_name": ("string", "Placement provider name."),
        "placement_code": ("string", "Placement code."),
        "placement_name": ("string", "Placement name."),
        "specialty": ("string", "Specialty or department of the placement."),
        "learner_group": (
            "string",
            "Learner group code, or 'all' for all learner groups together.",
        ),
        "scale": ("string", "Theme id, 'domain N' (Quality Framework domain) or 'overall'."),
        "scale_label": ("string", "Person-readable name of the scale."),
        "status": (
            "string",
            "'ok' (shown), 'suppressed' (too few respondents, or hidden so that a small group "
            "cannot be worked out by subtraction) or 'no data'. Only 'ok' rows carry numbers.",
        ),
        "n": ("integer", "Respondents who answered enough of the scale's items to count."),
        "score": (
            "number",
            "Mean respondent score, item mean rescaled 1-5 -> 0-100, reverse items turned round.",
        ),
        "ci_low": ("number", "Lower end of the 95% confidence interval of the score."),
        "ci_high": ("number", "Upper end of the 95% confidence interval of the score."),
        "pct_positive": (
            "number",
            "Percent of answered items that were favourable (agree or strongly agree after reversal).",
        ),
        "shrunk_score": (
            "number",
            "Empirical-Bayes shrunken score, shown beside the raw score, never instead of it.",
        ),
        "benchmark_mean": ("number", "Mean score of the comparator group (all its respondents)."),
        "funnel_category": (
            "string",
            "Position against the funnel limits: below_99.8, below_95, within, above_95, above_99.8.",
        ),
        "quartile_category": ("string", "GMC-style colour: red, pink, white, light green, green."),
        "change": ("number", "Change in score from the previous window."),
        "change_ci_low": ("number", "Lower end of the 95% confidence interval of the change."),
        "change_ci_high": ("number", "Upper end of the 95% confidence interval of the change."),
    },
    "flags": {
        "window": ("string", "Survey window code."),
        "region_code": ("string", "Region code."),
        "provider_code": ("string", "Placement provider code."),
        "placement_code": ("string", "Placement code."),
        "placement_name": ("string", "Placement name."),
        "rule": ("string", "Id of the flag rule that fired."),
        "scale": ("string", "Scale the rule looked at, if any."),
        "measure": ("string", "What was measured."),
        "value": ("number", "The measured value."),
        "limit": ("number", "The limit it crossed."),
        "n": ("integer", "Respondents behind the value."),
        "raised_on": ("date", "Date the flag was raised (ISO 8601)."),
        "evidence": ("json", "Further evidence as a JSON object."),
    },
    "response_rates": {
        "window": ("string", "Survey window code."),
        "region_code": ("string", "Region code."),
        "provider_code": ("string", "Placement provider code."),
        "provider_name": ("string", "Placement provider name."),
        "invited": ("integer", "Survey invitations issued for the provider's placements."),
        "responded": ("integer", "Invitations used (learners who answered)."),
        "response_rate": ("number", "responded / invited x 100; empty without invitations."),
        "open_link_responses": (
            "integer",
            "Responses through open (poster) links, outside the rate.",
        ),
        "responses": ("integer", "All submitted responses (retests excluded)."),
    },
}
DATASETS = (*DICTIONARIES, "items")


@dataclass(frozen=True)
class Table:
    dataset: str
    columns: tuple[str, ...]
    rows: list[tuple]
    filters: dict[str, str] = field(default_factory=dict)
    min_n: int = 3

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def dictionary(
    principal: Principal, dataset: str, window_code: str | None = None
) -> list[tuple[str, str, str]]:
    """``[(column, type, description)]`` for a dataset (the item dataset names its items)."""
    if dataset not in DATASETS:
        raise NotFound("dataset", dataset, f"use one of {', '.join(DATASETS)}")
    if dataset == "items":
        require(principal, "research", "dataset:items")
        return research.dictionary(_window(window_code))
    require(principal, "results", f"dataset:{dataset}")
    return [(c, t, d) for c, (t, d) in DICTIONARIES[dataset].items()]


def _window(code: str | None) -> SurveyWindow:
    if code:
        from nets_app.services.access import find_window

        return find_window(code)
    return default_window()


def _org_where(principal: Principal, provider: str | None, region: str | None):
    where = true()
    if provider:
        where = where & (Placement.provider_id == require_provider(principal, provider).id)
    if region:
        where = where & (Provider.region_id == require_region(principal, region).id)
    return where


def _scores(principal: Principal, window: SurveyWindow, args: dict[str, str]) -> Table:
    group = args.get("group") or "all"
    if group == "all":
        group_key = results.ALL_GROUPS
    elif group == "any":
        group_key = results.ANY_GROUP
    else:
        group_key = find_group(group).code
    scale = args.get("scale") or None
    where = _org_where(principal, args.get("provider"), args.get("region"))
    rows = results.fetch_scores(
        principal, window.id, group=group_key, scales=[scale] if scale else None, where=where
    )
    labels = _scale_labels(window)
    if scale and scale not in labels:
        raise NotFound("scale", scale, "use a theme id, 'domain N' or 'overall'")
    out = [
        (
            s.window_code,
            s.region_code,
            s.region_name,
            s.provider_code,
            s.provider_name,
            s.placement_code,
            s.placement_name,
            s.specialty,
            s.group_code or "all",
            s.scale,
            labels.get(s.scale, s.scale),
            s.status,
            s.n,
            s.score,
            s.ci_low,
            s.ci_high,
            s.pct_positive,
            s.shrunk_score,
            s.benchmark_mean,
            s.funnel_category,
            s.quartile_category,
            s.change,
            s.change_ci_low,
            s.change_ci_high,
        )
        for s in rows
    ]
    return Table("scores", tuple(DICTIONARIES["scores"]), out)


def _scale_labels(window: SurveyWindow) -> dict[str, str]:
    return dict(scale_choices(window))


def _flags(principal: Principal, window: SurveyWindow, args: dict[str, str]) -> Table:
    where = _org_where(principal, args.get("provider"), args.get("region"))
    rows = [
        (
            window.code,
            f.region_code,
            f.provider_code,
            f.placement_code,
            f.placement_name,
            f.rule,
            f.scale,
            f.measure,
            f.value,
            f.limit,
            f.n,
            f.raised_on.isoformat(),
            json.dumps(f.evidence, sort_keys=True, default=str),
        )
        for f in results.fetch_flags(principal, window.id, where=where)
    ]
    return Table("flags", tuple(DICTIONARIES["flags"]), rows)


def _rates(principal: Principal, window: SurveyWindow, args: dict[str, str]) -> Table:
    where = _org_where(principal, args.get("provider"), args.get("region"))
    where = where & placement_scope(principal, Placement.id)
    rows = [
        (
            r.window_code,
            r.region_code,
            r.provider_code,
            r.provider_name,
            r.invited,
            r.responded,
            r.rate,
            r.open_link,
            r.responses,
        )
        for r in response_rates(where, by_provider=True)
        if r.window_code == window.code
    ]
    return Table("response_rates", tuple(DICTIONARIES["response_rates"]), rows)


BUILDERS = {"scores": _scores, "flags": _flags, "response_rates": _rates}
FILTERS = {
    "scores": ("window", "group", "scale", "provider", "region"),
    "flags": ("window", "provider", "region"),
    "response_rates": ("window", "provider", "region"),
    "items": ("window",),
}


@transactional
def export(principal: Principal, dataset: str, args: dict[str, str], *, fmt: str) -> Table:
    """Build a dataset for the principal and audit the export. Unknown filters -> NotFound."""
    if dataset not in DATASETS:
        raise NotFound("dataset", dataset, f"use one of {', '.join(DATASETS)}")
    unknown = sorted(set(args) - set(FILTERS[dataset]))
    if unknown:
        raise NotFound("filter", unknown[0], f"{dataset} takes {', '.join(FILTERS[dataset])}")
    if dataset == "items":
        require(principal, "research", "dataset:items")
        window = _window(args.get("window"))
        table = research.item_table(window, _min_n(window))
    else:
        require(principal, "results", f"dataset:{dataset}")
        window = _window(args.get("window"))
        table = BUILDERS[dataset](principal, window, args)
    filters = {k: v for k, v in args.items() if v} | {"window": window.code}
    table = Table(table.dataset, table.columns, table.rows, filters, _min_n(window))
    audit.record(
        "export", f"dataset:{dataset}", detail={"format": fmt, "rows": len(table.rows), **filters}
    )
    return table


def _min_n(window: SurveyWindow | None = None) -> int:
    if window is not None:
        run = results.latest_run(window.id)
        if run is not None:
            return run.min_n
    return int(current_app.config["NETS_MIN_N"])


def available_datasets(principal: Principal) -> list[str]:
    """The datasets this principal may download."""
    if principal.can("research"):
        return ["items"]
    if principal.can("results"):
        return list(DICTIONARIES)
    return []


TITLES = {
    "scores": (
        "Scores",
        "Every placement's theme, domain and overall scores with intervals and benchmarks.",
    ),
    "flags": (
        "Adverse-environment flags",
        "Each flag with its rule, measure, value, limit and evidence.",
    ),
    "response_rates": ("Response rates", "Invitations, responses and response rates per provider."),
}


@dataclass(frozen=True)
class Download:
    name: str
    title: str
    description: str
    columns: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class DownloadsPage:
    window: str
    datasets: tuple[Download, ...]


def downloads_page(principal: Principal) -> DownloadsPage:
    """What the downloads page lists: the principal's datasets and their dictionaries."""
    require(principal, "results", "downloads")
    datasets = tuple(
        Download(name, *TITLES[name], tuple((c, t, d) for c, (t, d) in DICTIONARIES[name].items()))
        for name in DICTIONARIES
    )
    return DownloadsPage(default_window().code, datasets)
