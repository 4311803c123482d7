"""Charts rendered on the server as SVG (matplotlib), each with a text alternative.

Every function takes plain, already-suppressed data (numbers only from rows with
status "ok") and returns a :class:`Chart`: the SVG markup (``role="img"`` with an
``aria-label``), a one-paragraph summary for screen readers and a data table that
the page shows under "Chart data as a table". Rendering is cached by content (the
inputs are the key), so a chart is drawn once per window and scoring run; see
:mod:`nets_app.services.cache`.

matplotlib is used through ``Figure`` objects only (no pyplot state), so rendering
is safe in threaded servers; it is imported on first use to keep start-up fast.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from nets_app.services import cache

#: NHS identity colours. Benchmark colours follow the GMC's outlier convention.
BLUE = "#005eb8"
DARK = "#212b32"
GREY = "#768692"
CATEGORY_COLOURS = {
    "red": "#d5281b",
    "pink": "#ae2573",
    "white": "#425563",
    "light green": "#78be20",
    "green": "#007f3b",
    "below_99.8": "#d5281b",
    "below_95": "#ae2573",
    "within": "#425563",
    "above_95": "#78be20",
    "above_99.8": "#007f3b",
}
LIKERT_COLOURS = ("#8a1538", "#d5281b", "#aeb7bd", "#41b6e6", "#005eb8")
_RC = {
    "svg.hashsalt": "nets-dashboard",
    "svg.fonttype": "none",
    "font.size": 9,
    "font.family": "sans-serif",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass(frozen=True)
class Chart:
    """An SVG chart and its text alternative."""

    svg: str
    title: str
    summary: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = field(default=())


def _figure(width_in: float, height_in: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), layout="constrained")


def _to_svg(fig, key: str, title: str, summary: str) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    prefix = f"c{key[:8]}-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)
    label = html.escape(f"{title}. {summary}", quote=True)
    svg = re.sub(
        r'<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"',
        lambda m: (
            f'<svg{m.group(1)} class="nets-chart__svg" role="img" aria-label="{label}" '
            f'focusable="false" style="max-width:{float(m.group(2)) * 4 / 3:.0f}px"'
        ),
        svg,
        count=1,
    )
    return svg


def _cached(kind: str, data: object, build) -> Chart:
    key = cache.make_key("chart", kind, data)
    return cache.cached(key, lambda: build(key))


def _short(label: str, width: int = 48) -> str:
    """A tick label cut to ``width`` characters, keeping a trailing "(R)" marker."""
    marker = " (R)" if label.endswith(" (R)") else ""
    text = label[: -len(marker)] if marker else label
    if len(text) + len(marker) > width:
        text = text[: width - len(marker) - 1].rstrip() + "…"
    return text + marker


def _fmt(value: float | None) -> str:
    return (
        "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}"
    )


def ranked_chart(
    title: str,
    placements: Sequence[tuple[str, float, float, float, str | None]],
    benchmark: float | None = None,
) -> Chart:
    """Placements ranked by score with 95 % intervals (a caterpillar plot).

    ``placements`` holds ``(label, score, ci_low, ci_high, category)`` for shown
    scores only, in the order to draw (top first).
    """
    data = (title, tuple(placements), benchmark)

    def build(key: str) -> Chart:
        rows = list(placements)
        fig = _figure(6.5, max(1.6, 0.24 * len(rows) + 0.9))
        ax = fig.add_subplot()
        ys = list(range(len(rows)))[::-1]
        for y, (_, score, lo, hi, cat) in zip(ys, rows, strict=True):
            colour = CATEGORY_COLOURS.get(cat or "", BLUE)
            ax.plot([lo, hi], [y, y], color=colour, linewidth=1.6)
            ax.plot([score], [y], "o", color=colour, markersize=5)
        if benchmark is not None:
            ax.axvline(benchmark, color=DARK, linestyle="--", linewidth=1)
        ax.set_yticks(ys, [_short(r[0], 40) for r in rows])
        ax.set_xlim(0, 100)
        ax.set_xlabel("Score (0-100) with 95% confidence interval")
        if not rows:
            ax.text(50, 0, "No placement has a shown score", ha="center")
        best = rows[0] if rows else None
        summary = (
            f"{len(rows)} placements ranked by score"
            + (f"; benchmark mean {_fmt(benchmark)}" if benchmark is not None else "")
            + (f"; highest {best[0]} at {_fmt(best[1])}" if best else "")
            + (f"; lowest {rows[-1][0]} at {_fmt(rows[-1][1])}" if rows else "")
            + ". Overlapping intervals mean the ranks cannot be told apart."
        )
        return Chart(
            _to_svg(fig, key, title, summary),
            title,
            summary,
            ("Placement", "Score", "95% CI low", "95% CI high", "Benchmark colour"),
            tuple((r[0], _fmt(r[1]), _fmt(r[2]), _fmt(r[3]), r[4] or "") for r in rows),
        )

    return _cached("ranked", data, build)


def trend_chart(
    title: str, points: Sequence[tuple[str, float | None, float | None, float | None]]
) -> Chart:
    """Score by window, oldest first: ``(window, score, ci_low, ci_high)``; None = not shown."""
    data = (title, tuple(points))

    def build(key: str) -> Chart:
        fig = _figure(6.0, 2.4)
        ax = fig.add_subplot()
        xs = list(range(len(points)))
        shown = [(x, p) for x, p in zip(xs, points, strict=True) if p[1] is not None]
        if shown:
            ax.errorbar(
                [x for x, _ in shown],
                [p[1] for _, p in shown],
                yerr=[
                    [p[1] - p[2] for _, p in shown],
                    [p[3] - p[1] for _, p in shown],
                ],
                color=BLUE,
                marker="o",
                capsize=3,
            )
        for x, p in zip(xs, points, strict=True):
            if p[1] is None:
                ax.text(x, 50, "not shown", ha="center", color=GREY, rotation=90)
        ax.set_xticks(xs, [p[0] for p in points])
        ax.set_ylim(0, 100)
        ax.set_ylabel("Score (0-100)")
        parts = [
            f"{p[0]}: {_fmt(p[1])}" if p[1] is not None else f"{p[0]}: not shown" for p in points
        ]
        summary = "Score by survey window, oldest first: " + "; ".join(parts) + "."
        return Chart(
            _to_svg(fig, key, title, summary),
            title,
            summary,
            ("Window", "Score", "95% CI low", "95% CI high"),
            tuple((p[0], _fmt(p[1]), _fmt(p[2]), _fmt(p[3])) for p in points),
        )

    return _cached("trend", data, build)


def funnel_chart(
    title: str,
    points: Sequence[tuple[str, int, float, bool]],
    target: float | None,
    limits: Sequence[tuple[int, float, float, float, float]] = (),
    within_sd: float | None = None,
    tau2: float | None = None,
) -> Chart:
    """A funnel plot: score against respondents, with 95 % and 99.8 % limits.

    ``points`` holds ``(label, n, score, highlighted)``. The limits are drawn as
    curves ``target ± z·sqrt(within_sd²/n + tau2)`` (Spiegelhalter 2005, additive
    overdispersion) when ``within_sd`` is known; otherwise through the stored
    limits of the placements shown, ``limits`` = ``(n, lower_998, lower_95,
    upper_95, upper_998)``, which lie on those same curves.
    """
    data = (title, tuple(points), target, tuple(limits), within_sd, tau2)

    def build(key: str) -> Chart:
        import numpy as np

        fig = _figure(6.0, 3.2)
        ax = fig.add_subplot()
        n_max = max([p[1] for p in points] + [10])
        curves = None
        if target is not None and within_sd is not None:
            n = np.linspace(2, n_max * 1.1, 200)
            se = np.sqrt(within_sd**2 / n + (tau2 or 0.0))
            curves = (
                n,
                target - 3.090232 * se,
                target - 1.959964 * se,
                target + 1.959964 * se,
                target + 3.090232 * se,
            )
        elif limits:
            ordered = sorted(set(limits))
            curves = tuple(np.array([row[k] for row in ordered], dtype=float) for k in range(5))
        if curves is not None:
            for k, style in ((1, ":"), (2, "--"), (3, "--"), (4, ":")):
                ax.plot(curves[0], curves[k], color=GREY, linestyle=style, linewidth=1)
        if target is not None:
            ax.axhline(target, color=DARK, linewidth=1)
        others = [p for p in points if not p[3]]
        mine = [p for p in points if p[3]]
        if others:
            ax.plot([p[1] for p in others], [p[2] for p in others], "o", color=GREY, markersize=3)
        if mine:
            ax.plot([p[1] for p in mine], [p[2] for p in mine], "D", color=BLUE, markersize=7)
        ax.set_xlabel("Respondents (n)")
        ax.set_ylabel("Score (0-100)")
        ax.set_ylim(0, 100)
        lines = (
            "dashed lines 95% limits, dotted 99.8% limits"
            if curves is not None
            else "limits not available"
        )
        where = "; ".join(f"{p[0]}: score {_fmt(p[2])} with {p[1]} respondents" for p in mine)
        summary = (
            f"Funnel plot of {len(points)} placements against the benchmark mean {_fmt(target)} "
            f"({lines}). {where}."
        )
        return Chart(
            _to_svg(fig, key, title, summary),
            title,
            summary,
            ("Placement", "Respondents", "Score"),
            tuple((p[0], p[1], _fmt(p[2])) for p in mine),
        )

    return _cached("funnel", data, build)


def distribution_chart(
    title: str, items: Sequence[tuple[str, Sequence[float] | None]], options: Sequence[str]
) -> Chart:
    """Stacked bars: the share of answers in each Likert option for each item.

    ``items`` holds ``(label, percentages per option)``, or ``(label, None)`` for an
    item answered by too few learners to show.
    """
    data = (title, tuple((label, tuple(p) if p else None) for label, p in items), tuple(options))

    def build(key: str) -> Chart:
        fig = _figure(7.0, max(1.8, 0.3 * len(items) + 1.2))
        ax = fig.add_subplot()
        ys = list(range(len(items)))[::-1]
        for y, (_, pct) in zip(ys, items, strict=True):
            if pct is None:
                ax.text(1, y, "too few answers to show", va="center", color=GREY)
                continue
            left = 0.0
            for k, share in enumerate(pct):
                ax.barh(y, share, left=left, color=LIKERT_COLOURS[k], height=0.7)
                left += share
        ax.set_yticks(ys, [_short(label) for label, _ in items])
        ax.set_xlim(0, 100)
        ax.set_xlabel("Share of answers (%)")
        from matplotlib.patches import Patch

        handles = [Patch(color=c, label=o) for c, o in zip(LIKERT_COLOURS, options, strict=False)]
        fig.legend(handles=handles, loc="outside upper center", ncols=3, frameon=False, fontsize=8)
        summary = (
            f"Share of answers in each option for {len(items)} items (agreeing is to the right)."
        )
        return Chart(
            _to_svg(fig, key, title, summary),
            title,
            summary,
            ("Item", *options),
            tuple(
                (label, *(f"{v:.0f}%" for v in pct))
                if pct
                else (label, *("not shown" for _ in options))
                for label, pct in items
            ),
        )

    return _cached("distribution", data, build)


def lines_chart(
    title: str, windows: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> Chart:
    """Several series over windows (e.g. the national mean placement score per theme)."""
    data = (title, tuple(windows), tuple((s, tuple(v)) for s, v in series))

    def build(key: str) -> Chart:
        fig = _figure(6.5, 3.0)
        ax = fig.add_subplot()
        xs = list(range(len(windows)))
        markers = "osD^vP*X"
        for k, (name, values) in enumerate(series):
            pts = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
            if pts:
                ax.plot(
                    [x for x, _ in pts],
                    [v for _, v in pts],
                    marker=markers[k % len(markers)],
                    label=name,
                )
        ax.set_xticks(xs, list(windows))
        ax.set_ylim(0, 100)
        ax.set_ylabel("Mean placement score")
        if series:
            fig.legend(loc="outside right upper", frameon=False)
        parts = []
        for name, values in series:
            shown = [
                f"{w} {_fmt(v)}" for w, v in zip(windows, values, strict=True) if v is not None
            ]
            parts.append(f"{name}: {', '.join(shown) or 'not shown'}")
        summary = "; ".join(parts) + "."
        return Chart(
            _to_svg(fig, key, title, summary),
            title,
            summary,
            ("Series", *windows),
            tuple((name, *(_fmt(v) for v in values)) for name, values in series),
        )

    return _cached("lines", data, build)
