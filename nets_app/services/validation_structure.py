"""Report sections on factor structure: adequacy, dimensionality, EFA, CFA, invariance.

Same contract as :mod:`nets_app.services.validation_sections`: a function per
section, taking the report input and settings, raising
:class:`~nets_app.services.validation_common.Unavailable` when the data cannot
support the analysis.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import psychometrics as pm
from nets_app.services.validation_common import (
    OK,
    ReportInput,
    Section,
    Settings,
    Unavailable,
    clean,
    figure_svg,
    need,
    unavailable,
)

#: Hu & Bentler's (1999) conventional cut-offs for good fit: (index, direction, value).
CONVENTIONS = (
    ("cfi", ">=", 0.95),
    ("tli", ">=", 0.95),
    ("rmsea", "<=", 0.06),
    ("srmr", "<=", 0.08),
)
#: Kaiser's (1974) labels for the KMO, lowest bound first.
KMO_LABELS = (
    (0.9, "marvellous"),
    (0.8, "meritorious"),
    (0.7, "middling"),
    (0.6, "mediocre"),
    (0.5, "miserable"),
    (0.0, "unacceptable"),
)


def _keyed_for_factors(inp: ReportInput, settings: Settings, *, complete: bool) -> pd.DataFrame:
    keyed = inp.keyed()
    k = keyed.shape[1]
    if complete:
        rows = keyed.dropna()
        need(
            len(rows),
            settings.factor_min_n(k),
            "Complete responses (every theme question answered 1-5)",
            f"{settings.min_per_item_factor} per item for {k} items, and at least "
            f"{settings.min_n_factor}",
        )
        return rows
    n = int(keyed.notna().any(axis=1).sum())
    need(
        n,
        settings.factor_min_n(k),
        "Respondents",
        f"{settings.min_per_item_factor} per item for {k} items, and at least "
        f"{settings.min_n_factor}",
    )
    return keyed


def kmo_label(value: float) -> str:
    return next(label for bound, label in KMO_LABELS if value >= bound)


def adequacy(inp: ReportInput, settings: Settings) -> Section:
    """Kaiser-Meyer-Olkin measure of sampling adequacy and Bartlett's test of sphericity."""
    keyed = _keyed_for_factors(inp, settings, complete=False)
    k = pm.kmo(keyed)
    b = pm.bartlett(keyed)
    per_item = [
        {"item": item, "msa": float(v), "label": kmo_label(float(v))}
        for item, v in k.per_item.items()
    ]
    data = {
        "kmo": k.overall,
        "kmo_label": kmo_label(k.overall),
        "per_item": per_item,
        "bartlett": {"chi2": b.chi2, "dof": b.dof, "pvalue": b.pvalue, "n": b.n},
    }
    notes = (
        "KMO labels are Kaiser's (1974): .90 marvellous, .80 meritorious, .70 middling, "
        ".60 mediocre, .50 miserable, below .50 unacceptable for factor analysis.",
        "Bartlett's test asks whether the items are correlated at all; with hundreds of "
        "respondents it is almost always significant.",
    )
    return Section("adequacy", "Sampling adequacy: KMO and Bartlett", OK, data=data, notes=notes)


def dimensionality(inp: ReportInput, settings: Settings) -> Section:
    """Parallel analysis with a scree plot: how many factors stand out from noise."""
    from psychometrics.report_figures import scree_plot

    keyed = _keyed_for_factors(inp, settings, complete=False)
    pa = pm.parallel_analysis(keyed, n_iter=settings.pa_iter, seed=settings.seed)
    table = pa.table.reset_index()
    data = {
        "n_factors": pa.n_factors,
        "n_themes": len(inp.scales),
        "n_iter": pa.n_iter,
        "quantile": pa.quantile,
        "n": pa.n,
        "seed": settings.seed,
        "eigenvalues": clean(table),
    }
    same = pa.n_factors == len(inp.scales)
    notes = (
        f"Parallel analysis (Horn 1965) retains {pa.n_factors} factor(s); the instrument has "
        f"{len(inp.scales)} themes"
        + (", as the data suggest." if same else ", so the data do not separate them as designed.")
        + f" Eigenvalues of the correlation matrix are compared with the {pa.quantile:.0%} "
        f"quantile of {pa.n_iter} random data sets of the same size (seed {settings.seed}).",
    )
    fig = figure_svg(scree_plot(pa), "Scree plot with the parallel-analysis line", "scree")
    return Section(
        "dimensionality",
        "Dimensionality: parallel analysis",
        OK,
        data=data,
        figures=(fig,),
        notes=notes,
    )


def efa(inp: ReportInput, settings: Settings) -> Section:
    """Exploratory factor analysis with one factor per theme (minres, oblimin)."""
    from psychometrics.report_figures import loadings_heatmap

    keyed = _keyed_for_factors(inp, settings, complete=False)
    m = len(inp.scales)
    if m > keyed.shape[1] // 2:
        raise Unavailable(
            f"The instrument has {m} themes for {keyed.shape[1]} items: too few items per "
            "theme for an exploratory factor analysis"
        )
    res = pm.efa(keyed, m, method="minres", rotation="oblimin")
    theme_of = {i: t for t, items in inp.scales.items() for i in items}
    loadings = res.loadings
    primary = loadings.abs().idxmax(axis=1)
    modal = {t: primary[items].mode().iloc[0] for t, items in inp.scales.items()}
    outside = [i for i in loadings.index if primary[i] != modal[theme_of[i]]]
    rows = []
    for item, row in loadings.iterrows():
        rec: dict[str, Any] = {"item": item, "theme": theme_of[str(item)]}
        rec.update({str(f): float(v) for f, v in row.items()})
        rec.update(communality=float(res.communalities[item]), primary=primary[item])
        rows.append(rec)
    data = {
        "n_factors": m,
        "method": "minres",
        "rotation": "oblimin",
        "n": res.n,
        "loadings": rows,
        "factors": [str(c) for c in loadings.columns],
        "factor_correlations": clean(res.factor_correlations.reset_index(names="factor")),
        "variance_explained": clean(res.variance_explained.reset_index(names="factor")),
        "theme_factor": modal,
        "items_outside_theme_factor": outside,
        "rmsea": res.rmsea,
        "tli": res.tli,
        "converged": res.converged,
        "warnings": list(res.warnings),
    }
    labels = {i: f"{i} ({theme_of[i]})" for i in loadings.index}
    fig = loadings_heatmap(loadings, labels=labels)
    notes = (
        f"{m} factors, one per theme, extracted by minres and rotated by oblimin; each "
        "theme's factor is the one most of its items load on most strongly.",
        (
            "Items loading most strongly outside their theme's factor: " + ", ".join(outside) + "."
            if outside
            else "Every item loads most strongly on its own theme's factor."
        ),
    )
    return Section(
        "efa",
        "Exploratory factor analysis",
        OK,
        data=data,
        figures=(figure_svg(fig, "EFA pattern loadings (bold: |loading| ≥ .30)", "efa"),),
        notes=notes,
    )


def conventions(fit: dict[str, float]) -> list[dict[str, Any]]:
    """Each fit index beside its conventional cut-off, and whether it is within it."""
    rows = []
    for index, direction, cut in CONVENTIONS:
        value = fit[index]
        within = value >= cut if direction == ">=" else value <= cut
        rows.append(
            {
                "index": index,
                "value": value,
                "convention": f"{direction} {cut:.2f}",
                "within": within,
            }
        )
    return rows


def cfa(inp: ReportInput, settings: Settings) -> Section:
    """Confirmatory factor analysis of the instrument's own theme structure."""
    complete = _keyed_for_factors(inp, settings, complete=True)
    model = {t: list(items) for t, items in inp.scales.items()}
    fit = pm.cfa(complete, model)
    indices = {"cfi": fit.cfi, "tli": fit.tli, "rmsea": fit.rmsea, "srmr": fit.srmr}
    data = {
        "model": model,
        "n": fit.n_obs,
        "chi2": fit.chi2,
        "dof": fit.dof,
        "pvalue": fit.pvalue,
        **indices,
        "rmsea_ci_low": fit.rmsea_ci[0],
        "rmsea_ci_high": fit.rmsea_ci[1],
        "conventions": conventions(indices),
        "loadings": clean(fit.loadings),
        "factor_correlations": clean(
            fit.factor_covariances[
                fit.factor_covariances["factor1"] != fit.factor_covariances["factor2"]
            ]
        ),
        "converged": fit.converged,
        "warning": fit.warning,
    }
    notes = (
        "Maximum likelihood on complete responses, each theme a factor, factors correlated, "
        "first item of each theme as marker (lavaan's defaults).",
        "Cut-offs are Hu & Bentler's (1999) conventions for good fit (CFI and TLI ≥ .95, "
        "RMSEA ≤ .06, SRMR ≤ .08): conventions, not verdicts. They were derived for "
        "continuous data; five-point answers and large samples make the chi-square test "
        "reject almost any model.",
    )
    return Section("cfa", "Confirmatory factor analysis of the themes", OK, data=data, notes=notes)


def _free_per_group(model: dict[str, list[str]]) -> int:
    """Free parameters of one group in the configural model (pm.invariance's default minimum)."""
    p = sum(len(items) for items in model.values())
    m = len(model)
    return sum(len(items) - 1 for items in model.values()) + p + m * (m + 1) // 2 + p


def invariance(inp: ReportInput, settings: Settings) -> Section:
    """Configural, metric and scalar invariance across learner groups, in plain language."""
    title = "Invariance across learner groups"
    if inp.group is not None:
        raise Unavailable(
            f"The report is restricted to learner group {inp.group!r}; invariance compares "
            "learner groups, so run the report for all groups"
        )
    model = {t: list(items) for t, items in inp.scales.items()}
    keyed = inp.keyed()
    data = pd.concat([keyed, inp.responses["group"].rename("group")], axis=1)
    min_n = _free_per_group(model)
    complete = data.dropna()["group"].value_counts()
    sizes = [
        {
            "group": code,
            "name": name,
            "n_complete": int(complete.get(code, 0)),
            "status": "compared" if complete.get(code, 0) >= min_n else "too small",
        }
        for code, name in inp.groups
    ]
    large = [s["group"] for s in sizes if s["status"] == "compared"]
    if len(large) < 2:
        small = ", ".join(f"{s['group']} (n={s['n_complete']})" for s in sizes if s["n_complete"])
        return unavailable(
            "invariance",
            title,
            f"Invariance needs at least two learner groups with {min_n} or more complete "
            f"responses (the free parameters of one group's model); "
            f"{len(large)} group(s) reach that here. Group sizes: {small or 'none'}. "
            "Whether theme scores can be compared across these professions cannot be "
            "tested on this window.",
            {"groups": sizes, "min_group_n": min_n},
        )
    res = pm.invariance(data, model, "group", min_group_n=min_n)
    leave_one_out = _leave_one_out(data, model, res, min_n)
    implicated = [r["group"] for r in leave_one_out if r["implicated"]]
    out = {
        "groups": sizes,
        "min_group_n": res.min_group_n,
        "steps": clean(res.table),
        "level": res.level,
        "verdict": res.verdict,
        "summary": plain_summary(res, implicated, inp),
        "leave_one_out": leave_one_out,
        "implicated": implicated,
        "too_small": res.too_small,
        "unusable": res.unusable,
        "excluded_rows": res.excluded_rows,
        "warning": res.warning,
    }
    notes = (
        "Multi-group confirmatory factor analysis of the theme structure on complete "
        "responses: configural (same pattern), metric (equal loadings), scalar (equal "
        "loadings and intercepts). Each step is judged by the change in CFI and RMSEA/SRMR "
        "against Chen's (2007) conventions.",
        "When a step fails with three or more groups, each group is left out in turn: a "
        "group whose removal lets the others reach the next level is named as the source.",
    )
    return Section("invariance", title, OK, data=out, notes=notes)


_LEVELS = ("configural", "metric", "scalar")


def _leave_one_out(
    data: pd.DataFrame, model: dict[str, list[str]], res, min_n: int
) -> list[dict[str, Any]]:
    compared = [
        g for g, s in zip(res.groups["group"], res.groups["status"], strict=True) if s == "compared"
    ]
    if res.level == "scalar" or len(compared) < 3:
        return []
    rows = []
    for g in compared:
        rest = data[data["group"].isin([c for c in compared if c != g])]
        other = pm.invariance(rest, model, "group", min_group_n=min_n)
        rows.append(
            {
                "group": g,
                "level_without": other.level,
                "implicated": _LEVELS.index(other.level) > _LEVELS.index(res.level),
            }
        )
    return rows


def plain_summary(res, implicated: list[str], inp: ReportInput) -> str:
    """One or two sentences on whether theme scores can be compared across professions."""
    compared = [
        inp.label(g)
        for g, s in zip(res.groups["group"], res.groups["status"], strict=True)
        if s == "compared"
    ]
    who = ", ".join(compared)
    if res.level == "scalar":
        text = (
            f"Theme scores can be compared across {who}: the questions work the same way in "
            "each group (scalar invariance), so differences in mean theme scores reflect "
            "differences in learners' experience rather than in how the questions are read."
        )
    elif res.level == "metric":
        text = (
            f"Mean theme scores should not be compared across {who}: the questions relate to "
            "the themes in the same way (metric invariance) but some answer levels differ by "
            "group, so a gap in means may reflect how the questions are read. Correlations "
            "between theme scores can be compared."
        )
    else:
        text = (
            f"Theme scores should not be compared across {who}: the questions relate to the "
            "themes differently in different groups (metric invariance fails)."
        )
    if implicated:
        text += (
            " The difference comes from "
            + ", ".join(inp.label(g) for g in implicated)
            + (
                ": without it the other groups' scores are comparable."
                if len(implicated) == 1
                else ": without any one of them the other groups' scores are comparable."
            )
        )
    elif res.level != "scalar" and len(compared) == 2:
        text += " With two groups, the difference cannot be attributed to either of them."
    if res.too_small:
        text += (
            " Too few complete responses to test: "
            + ", ".join(f"{inp.label(g)} (n={n})" for g, n in res.too_small.items())
            + "; their scores' comparability is unknown."
        )
    return text
