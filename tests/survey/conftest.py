"""Survey test fixtures: rate-limit counters start empty for every test."""

from __future__ import annotations

import pytest

from nets_app.extensions import limiter


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    if "app" in request.fixturenames:
        request.getfixturevalue("app")
        limiter.reset()
    yield
