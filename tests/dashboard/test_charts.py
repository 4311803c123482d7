"""Server-side SVG charts: accessible markup, unique ids per chart, cached by content."""

from __future__ import annotations

import re

from nets_app import charts
from nets_app.services import cache


def _ids(svg: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', svg))


def test_chart_is_an_accessible_svg_with_a_text_alternative(app):
    c = charts.trend_chart(
        "Overall score by window", [("2024", 60.0, 50.0, 70.0), ("2025", None, None, None)]
    )
    assert c.svg.startswith("<svg")
    assert 'role="img"' in c.svg
    assert (
        'aria-label="Overall score by window. Score by survey window, oldest first: 2024: 60; 2025: not shown."'
        in c.svg
    )
    assert "<metadata>" not in c.svg and "<?xml" not in c.svg
    assert c.rows == (("2024", "60", "50", "70"), ("2025", "–", "–", "–"))


def test_two_charts_on_one_page_share_no_element_id(app):
    a = charts.ranked_chart("A", [("Ward 1", 70.0, 60.0, 80.0, "red")], 65.0)
    b = charts.ranked_chart("B", [("Ward 2", 50.0, 40.0, 60.0, "green")], 65.0)
    assert _ids(a.svg) and not _ids(a.svg) & _ids(b.svg)
    # every internal reference points at an id of the same chart
    for svg in (a.svg, b.svg):
        refs = set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'href="#([^"]+)"', svg))
        assert refs <= _ids(svg)


def test_charts_are_drawn_once_and_then_served_from_the_cache(app, monkeypatch):
    calls = []
    real = charts._to_svg
    monkeypatch.setattr(charts, "_to_svg", lambda *a: calls.append(1) or real(*a))
    args = ("Dist", [("Item", [10.0, 20.0, 30.0, 20.0, 20.0])], ["1", "2", "3", "4", "5"])
    first = charts.distribution_chart(*args)
    second = charts.distribution_chart(*args)
    assert first is second and len(calls) == 1
    charts.distribution_chart(
        "Dist", [("Item", [20.0, 20.0, 20.0, 20.0, 20.0])], ["1", "2", "3", "4", "5"]
    )
    assert len(calls) == 2
    cache.clear()
    charts.distribution_chart(*args)
    assert len(calls) == 3


def test_funnel_limits_drawn_through_stored_limits_when_no_dispersion_is_stored(app):
    c = charts.funnel_chart(
        "Funnel",
        [("A", 10, 60.0, True), ("B", 40, 70.0, False)],
        65.0,
        [(10, 40.0, 50.0, 80.0, 90.0), (40, 50.0, 57.0, 73.0, 80.0)],
    )
    assert "dashed lines 95% limits" in c.summary
    assert c.rows == (("A", 10, "60"),)
    bare = charts.funnel_chart("Funnel", [("A", 10, 60.0, True)], 65.0)
    assert "limits not available" in bare.summary
