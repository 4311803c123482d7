"""Report sections on the sample, the answers, reliability, items and criterion validity.

Each function takes a :class:`~nets_app.services.validation_common.ReportInput`
and :class:`~nets_app.services.validation_common.Settings` and returns the
section's numbers; raising :class:`~nets_app.services.validation_common.Unavailable`
(or a ``ValueError`` from the psychometrics library) makes the section say what is
missing instead. Reverse-keyed items are recoded (``6 - x``) before every
statistic except the answer distributions, which show answers as given.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

import psychometrics as pm
from nets_app.services.validation_bootstrap import omega_interval
from nets_app.services.validation_common import (
    OK,
    Figure,
    ReportInput,
    Section,
    Settings,
    Unavailable,
    figure_svg,
    need,
)

#: Thresholds naming items that need attention (conventions, see the section notes).
ITEM_REST_MIN = 0.30
FLOOR_CEILING_MAX = 15.0
OVERALL = "all themes"


def sample(inp: ReportInput, settings: Settings) -> Section:
    """Respondents by learner group, missing answers and "not applicable" per item."""
    resp = inp.responses
    n = len(resp)
    if n == 0:
        raise Unavailable(f"No responses in window {inp.window}" + _group_clause(inp) + ".")
    counts = resp["group"].value_counts()
    groups = [
        {
            "group": code,
            "name": name,
            "n": int(counts.get(code, 0)),
            "pct": 100.0 * counts.get(code, 0) / n,
        }
        for code, name in inp.groups
        if inp.group is None or code == inp.group
    ]
    items = [*inp.scoring_items, *inp.criteria.values()]
    values = resp[items].astype(float)
    na = inp.not_applicable.reindex(columns=items, fill_value=False).to_numpy(dtype=bool)
    answered = ~values.isna().to_numpy()
    missing = ~answered & ~na
    rows = []
    for j, item in enumerate(items):
        rows.append(
            {
                "item": item,
                "text": inp.label(item),
                "answered": int(answered[:, j].sum()),
                "pct_not_applicable": 100.0 * na[:, j].mean(),
                "pct_missing": 100.0 * missing[:, j].mean(),
            }
        )
    scoring = values[inp.scoring_items].notna().all(axis=1)
    pairs = inp.retest["retest_code"].nunique() if len(inp.retest) else 0
    data = {
        "n_responses": n,
        "groups": groups,
        "complete_responses": int(scoring.sum()),
        "pct_complete": 100.0 * scoring.mean(),
        "items": rows,
        "retest_pairs": int(pairs),
        "unpaired_retests": inp.unpaired_retests,
    }
    notes = (
        "A response is complete when every theme question has a 1-5 answer; confirmatory "
        "factor analysis and invariance use complete responses only (listwise), the other "
        "analyses use every answer (pairwise).",
    )
    return Section("sample", "Sample", OK, data=data, notes=notes)


def _group_clause(inp: ReportInput) -> str:
    return f" from learner group {inp.group}" if inp.group else ""


def distributions(inp: ReportInput, settings: Settings) -> Section:
    """Stacked bars of the answers to every item, one figure per theme."""
    resp = inp.responses
    need(len(resp), 1, "Responses", "nothing to show")
    from psychometrics.figures import item_distribution

    figures: list[Figure] = []
    rows = []
    na = inp.not_applicable
    for theme, items in [*inp.scales.items(), ("criteria", list(inp.criteria.values()))]:
        title = inp.label(theme) if theme != "criteria" else "Overall experience and recommendation"
        fig = item_distribution(
            resp,
            items,
            labels={i: _short(f"{i}: {inp.label(i)}") for i in items},
            min_n=settings.min_n_display,
            title=title,
        )
        figures.append(figure_svg(fig, f"Answers: {title}", f"dist-{theme}"))
        for item in items:
            col = resp[item]
            answered = int(col.notna().sum())
            shown = answered >= settings.min_n_display
            row: dict[str, Any] = {"item": item, "theme": theme, "answered": answered}
            for v in range(1, 6):
                row[f"pct_{v}"] = 100.0 * float((col == v).sum()) / answered if shown else None
            row["not_applicable"] = int(na[item].sum()) if item in na else 0
            row["reverse"] = item in inp.reverse
            rows.append(row)
    notes = (
        "Answers are shown as given: for reverse-keyed questions (marked R in the tables) "
        "agreeing describes something worse.",
        f"An item answered by fewer than {settings.min_n_display} learners is not drawn.",
    )
    return Section(
        "distributions",
        "Item distributions",
        OK,
        data={"items": rows},
        figures=tuple(figures),
        notes=notes,
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _scales_with_overall(inp: ReportInput) -> list[tuple[str, list[str]]]:
    return [*inp.scales.items(), (OVERALL, inp.scoring_items)]


def reliability(inp: ReportInput, settings: Settings) -> Section:
    """Cronbach's alpha (Feldt CI) and omega total (bootstrap CI) per theme and overall."""
    keyed = inp.keyed()
    answered_any = int(keyed.notna().any(axis=1).sum())
    need(
        answered_any,
        settings.min_n_reliability,
        "Respondents",
        "alpha and omega are too unstable below this",
    )
    rng = np.random.default_rng(settings.seed)
    rows = []
    for scale, items in _scales_with_overall(inp):
        rows.append(_reliability_row(inp, scale, keyed[items], settings, rng))
    data = {
        "scales": rows,
        "omega_method": (
            f"omega total from a {len(inp.scales)}-factor model for all themes and a one-factor "
            "model per theme (minres, as psych::omega); percentile bootstrap interval, "
            f"{settings.n_boot} resamples, seed {settings.seed}"
        ),
    }
    notes = (
        "Alpha's interval is Feldt's (1965); omega's is a percentile bootstrap. Omega "
        "hierarchical (the share of the total score due to one general factor) is given for "
        "all themes together.",
        "Values around .70 are conventionally called acceptable for group-level use and .80 "
        "good; these are conventions, not verdicts.",
    )
    return Section("reliability", "Reliability: alpha and omega", OK, data=data, notes=notes)


def _reliability_row(
    inp: ReportInput, scale: str, items: pd.DataFrame, settings: Settings, rng
) -> dict[str, Any]:
    row: dict[str, Any] = {"scale": scale, "title": inp.label(scale), "k": items.shape[1]}
    try:
        a = pm.cronbach_alpha(items, ci=settings.ci)
        row.update(
            n=a.n,
            alpha=a.alpha,
            alpha_ci_low=a.ci_low,
            alpha_ci_high=a.ci_high,
            standardized_alpha=a.standardized_alpha,
        )
    except ValueError as exc:
        row.update(n=int(items.notna().any(axis=1).sum()), alpha=None, note=str(exc))
        return row
    if items.shape[1] < 3:
        row.update(omega_total=None, note="omega needs at least 3 items")
        return row
    m = len(inp.scales) if scale == OVERALL else 1
    try:
        om = pm.omega(items, n_factors=m)
    except ValueError as exc:
        row.update(omega_total=None, note=f"omega: {exc}")
        return row
    interval = omega_interval(
        items.to_numpy(dtype=float), m, n_boot=settings.n_boot, ci=settings.ci, rng=rng
    )
    row.update(
        omega_total=om.omega_total,
        omega_ci_low=interval.ci_low,
        omega_ci_high=interval.ci_high,
        omega_boot_used=interval.n_used,
        omega_hierarchical=om.omega_hierarchical if m > 1 else None,
        omega_warnings=list(om.warnings),
    )
    return row


def item_analysis(inp: ReportInput, settings: Settings) -> Section:
    """Item statistics within each theme, naming the items that need attention."""
    keyed = inp.keyed()
    need(
        int(keyed.notna().any(axis=1).sum()),
        settings.min_n_reliability,
        "Respondents",
        "item-rest correlations are too unstable below this",
    )
    rows, attention = [], []
    for theme, items in inp.scales.items():
        if len(items) < 2:
            continue
        table = pm.item_analysis(keyed[items])
        alpha = pm.cronbach_alpha(keyed[items]).alpha
        for item, stat in table.iterrows():
            reasons = _attention(stat, alpha)
            rec = {"item": item, "theme": theme, "text": inp.label(str(item))}
            rec.update({k: stat[k] for k in table.columns})
            rec["n"] = int(stat["n"])
            rec.update(theme_alpha=alpha, reverse=item in inp.reverse, attention=reasons)
            rows.append(rec)
            if reasons:
                attention.append({"item": item, "text": inp.label(str(item)), "reasons": reasons})
    data = {
        "items": rows,
        "attention": attention,
        "thresholds": {
            "item_rest_r_below": ITEM_REST_MIN,
            "floor_or_ceiling_pct_above": FLOOR_CEILING_MAX,
            "alpha_if_deleted": "above the theme's alpha",
        },
    }
    notes = (
        "Statistics are within the item's own theme, after reverse-keyed items are recoded, "
        "so floor is the least favourable answer and ceiling the most favourable.",
        f"Named for attention: item-rest correlation below {ITEM_REST_MIN:.2f}, alpha rising "
        f"when the item is deleted, or more than {FLOOR_CEILING_MAX:g} % of answers at the "
        "floor or ceiling (conventional screens, not verdicts: a ceiling is expected where "
        "most placements are good).",
    )
    return Section("items", "Item analysis", OK, data=data, notes=notes)


def _attention(stat: pd.Series, alpha: float) -> list[str]:
    reasons = []
    if stat["item_rest_r"] < ITEM_REST_MIN:
        reasons.append(f"item-rest r {stat['item_rest_r']:.2f} < {ITEM_REST_MIN:.2f}")
    if not math.isnan(stat["alpha_if_deleted"]) and stat["alpha_if_deleted"] > alpha:
        reasons.append(f"alpha rises to {stat['alpha_if_deleted']:.3f} from {alpha:.3f} if deleted")
    if stat["floor_pct"] > FLOOR_CEILING_MAX:
        reasons.append(f"floor {stat['floor_pct']:.1f} %")
    if stat["ceiling_pct"] > FLOOR_CEILING_MAX:
        reasons.append(f"ceiling {stat['ceiling_pct']:.1f} %")
    return reasons


def theme_scores(
    inp: ReportInput, frame: pd.DataFrame | None = None, min_share: float = 0.5
) -> pd.DataFrame:
    """Each respondent's mean keyed answer per theme and over all themes.

    Given when at least ``min_share`` of the scale's items are answered (the half rule).
    """
    frame = inp.responses if frame is None else frame
    keyed = inp.keyed(frame)
    out = {}
    for scale, items in _scales_with_overall(inp):
        part = keyed[items]
        enough = part.notna().sum(axis=1) >= math.ceil(min_share * len(items))
        out[scale] = part.mean(axis=1).where(enough)
    return pd.DataFrame(out, index=frame.index)


def spearman_ci(x: pd.Series, y: pd.Series, ci: float) -> dict[str, Any]:
    """Spearman's rho over pairwise-complete rows with a Fisher-z interval.

    The interval uses Bonett & Wright's (2000) standard error for Spearman's rho,
    ``sqrt((1 + rho^2 / 2) / (n - 3))`` on the Fisher-z scale.

    References
    ----------
    Bonett, D. G., & Wright, T. A. (2000). Sample size requirements for estimating
    Pearson, Kendall and Spearman correlations. *Psychometrika*, 65(1), 23-28.
    """
    both = x.notna() & y.notna()
    n = int(both.sum())
    if n < 4:
        raise ValueError(f"Spearman's rho needs at least 4 pairs, got {n}")
    if x[both].nunique() < 2 or y[both].nunique() < 2:
        raise ValueError("Spearman's rho is undefined: one of the variables is constant")
    rho, pvalue = stats.spearmanr(x[both], y[both])
    rho = float(rho)
    if abs(rho) >= 1.0:
        low = high = rho
    else:
        se = math.sqrt((1.0 + rho * rho / 2.0) / (n - 3))
        zq = stats.norm.ppf(0.5 + ci / 2.0)
        low, high = math.tanh(math.atanh(rho) - zq * se), math.tanh(math.atanh(rho) + zq * se)
    return {"n": n, "rho": rho, "ci_low": low, "ci_high": high, "pvalue": float(pvalue)}


def criterion(inp: ReportInput, settings: Settings) -> Section:
    """Theme scores against the overall-experience and would-recommend items."""
    scores = theme_scores(inp, min_share=settings.min_share_answered)
    rows = []
    for role, item in inp.criteria.items():
        crit = inp.responses[item].astype(float)
        need(
            int(crit.notna().sum()),
            settings.min_n_criterion,
            f"Answers to the {role.replace('_', ' ')} question ({item})",
            "a correlation is too unstable below this",
        )
        for scale in scores.columns:
            rec = {"criterion": role, "item": item, "scale": scale, "title": inp.label(scale)}
            rec.update(spearman_ci(scores[scale], crit, settings.ci))
            rows.append(rec)
    table = pd.DataFrame(rows)
    table.index = [f"{r.title} · {r.criterion.replace('_', ' ')}" for r in table.itertuples()]
    plot = pm_estimate_plot(
        table.rename(columns={"rho": "estimate"}),
        xlabel="Spearman's rho with the criterion question",
    )
    notes = (
        "A theme score is the mean of the learner's keyed answers to the theme's questions, "
        f"given when at least {settings.min_share_answered:.0%} of them are answered.",
        "Spearman's rho with a Fisher-z interval (Bonett & Wright 2000). Positive, moderate "
        "to strong correlations support the scores' validity; the criterion questions share "
        "the survey's method, so some of the association is common-method variance.",
    )
    return Section(
        "criterion",
        "Criterion validity",
        OK,
        data={"correlations": rows},
        figures=(figure_svg(plot, "Theme scores against the criterion questions", "crit"),),
        notes=notes,
    )


def pm_estimate_plot(table: pd.DataFrame, **kw):
    from psychometrics.report_figures import estimate_plot

    return estimate_plot(table, **kw)
