"""Hostile-input fixtures: rate-limit counters start empty for every test (as in tests/survey)."""

from tests.survey.conftest import _fresh_rate_limits  # noqa: F401  (autouse)
