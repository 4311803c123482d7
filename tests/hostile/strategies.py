"""Hostile inputs for the property-based tests: injection strings, odd unicode, huge and
malformed values, as hypothesis strategies."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

INJECTION = (
    "' OR '1'='1",
    "'; DROP TABLE response; --",
    "1; SELECT pg_sleep(10) --",
    '" OR ""="',
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{ config.SECRET_KEY }}",
    "{% raw %}${7*7}",
    "../../../../etc/passwd",
    '=HYPERLINK("http://evil.example")',
    "\r\nSet-Cookie: session=stolen",
    "%00",
)
ODD_UNICODE = (
    "\x00",
    "before\x00after",
    "\u202etxt.exe",  # right-to-left override
    "\ufeffbom",
    "e\u0301\u0301\u0301",  # stacked combining marks
    "👩🏽‍⚕️🏥",
    "\U0010fffd",
    "\x1b[31mred",
    "\u2028line\u2029para",
)
WRONG_TYPES = ("", " ", "0", "6", "-1", "4.0", "1e3", "NaN", "true", "null", "[]", "{}", "9" * 400)
HUGE = ("A" * 70_000, "é" * 40_000, "<b>" * 30_000)

#: Any string a hostile client might send (no lone surrogates: they cannot be sent as UTF-8).
hostile_text = st.one_of(
    st.sampled_from(INJECTION + ODD_UNICODE + WRONG_TYPES),
    st.sampled_from(HUGE),
    st.text(max_size=300),
    st.builds(lambda a, b: a + b, st.sampled_from(INJECTION + ODD_UNICODE), st.text(max_size=40)),
)

#: Field names a tampered form might add.
hostile_names = st.one_of(
    st.sampled_from(("id", "response_id", "used", "__class__", "csrf_token[]", "group[]")),
    st.text(min_size=1, max_size=40),
)

#: Each test shares one database across its examples (that is the point: nothing a hostile
#: example sends may change it), and requests are too slow for a per-example deadline.
HOSTILE = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
