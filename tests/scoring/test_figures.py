"""Figures: what they draw, what they refuse to draw, and that they render with Agg."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import psychometrics as pm
from psychometrics.figures import funnel_plot, item_distribution, trend_chart
from tests.scoring.helpers import score_table


def renders(fig):
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)
    return buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def benchmarked():
    t = score_table(
        [70, 72, 68, 71, 69, 70, 73, 67, 70, 71, 69, 50.0],
        [5, 8, 12, 20, 30, 45, 60, 9, 15, 25, 40, 22],
    )
    hidden = pd.DataFrame(
        {
            "placement": ["S"],
            "window": "2024",
            "scale": "overall",
            "n": pd.array([pd.NA], dtype="Int64"),
            "status": ["suppressed"],
        }
    )
    return pm.benchmark(pd.concat([t, hidden], ignore_index=True))


def test_funnel_plot_draws_shown_placements_and_limits():
    b = benchmarked()
    fig = funnel_plot(b, highlight=["P11"])
    assert isinstance(fig, Figure) and renders(fig)
    ax = fig.axes[0]
    points = ax.collections[0].get_offsets()
    assert len(points) == 12  # the suppressed row is not drawn
    assert sorted(points[:, 1].tolist()) == sorted(b["score"].dropna().tolist())
    assert len(ax.lines) == 5  # mean + two limits x (lower, upper)
    texts = [t.get_text() for t in ax.texts]
    assert "P11" in texts and any("1 placement(s) not shown" in t for t in texts)


def test_funnel_plot_limit_curves_match_the_table():
    b = benchmarked()
    ax = funnel_plot(b).axes[0]
    lower_998 = ax.lines[3]  # drawn: mean, 95 lo, 95 hi, 99.8 lo, 99.8 hi
    x, y = lower_998.get_data()
    row = b.loc[3]  # n = 20
    assert np.interp(20, x, y) == pytest.approx(row["lower_998"], abs=0.05)


def test_funnel_plot_refuses_ambiguous_or_wrong_tables():
    b = benchmarked()
    two = pd.concat([b, b.assign(scale="culture")], ignore_index=True)
    with pytest.raises(ValueError, match="several scales"):
        funnel_plot(two)
    assert renders(funnel_plot(two, scale="culture"))
    with pytest.raises(ValueError, match="not in the table"):
        funnel_plot(b, scale="safety")
    with pytest.raises(ValueError, match="method='funnel'"):
        funnel_plot(pm.benchmark(b.iloc[:12, :10], method="quartile"))


def test_funnel_plot_without_enough_placements_has_no_limits():
    small = pm.benchmark(score_table([70.0, 60.0, 65.0], [10, 12, 14]))
    ax = funnel_plot(small).axes[0]
    assert len(ax.lines) == 0
    assert any("insufficient comparator" in t.get_text() for t in ax.texts)


def test_trend_chart_marks_windows_without_a_score():
    scores = pd.concat(
        [
            score_table([70.0], [12], window="2024"),
            score_table([np.nan], [pd.NA], window="2025").assign(status="suppressed"),
            score_table([64.0], [15], window="2026"),
        ],
        ignore_index=True,
    )
    fig = trend_chart(scores, "P00")
    assert renders(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["suppressed"]
    y = ax.lines[0].get_ydata()
    assert y[0] == 70.0 and np.isnan(y[1]) and y[2] == 64.0
    with pytest.raises(ValueError, match="no rows"):
        trend_chart(scores, "P99")
    with pytest.raises(ValueError, match="several rows"):
        trend_chart(pd.concat([scores, scores]), "P00")


def test_item_distribution_suppresses_thin_items():
    r = pd.DataFrame(
        {"placement": "A", "window": "2024", "q1": [5, 4, 4, 2], "q2": [1, 2, np.nan, np.nan]}
    )
    fig = item_distribution(r, ["q1", "q2"], placement="A", labels={"q1": "I had an induction"})
    assert renders(fig)
    ax = fig.axes[0]
    widths = [p.get_width() for p in ax.patches]
    assert len(widths) == 5  # only q1 is drawn: one segment per answer
    assert widths == pytest.approx([0.0, 0.25, 0.0, 0.5, 0.25])
    assert sorted(t.get_text() for t in ax.texts) == ["n = 4", "suppressed"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["I had an induction", "q2"]


def test_item_distribution_bad_input():
    r = pd.DataFrame({"placement": "A", "q1": [5.0, 9.0, 4.0]})
    with pytest.raises(ValueError, match="whole numbers 1-5"):
        item_distribution(r, ["q1"])
    with pytest.raises(ValueError, match="not in responses"):
        item_distribution(r, ["q9"])
    with pytest.raises(ValueError, match="min_n"):
        item_distribution(r, ["q1"], min_n=0)
