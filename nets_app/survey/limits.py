"""Per-IP rate limits for the survey's entry links (Flask-Limiter).

Counters live in ``RATELIMIT_STORAGE_URI`` (memory in development, Redis in
production) and expire with their window; they are never stored with a response.
Limits are read from the app config on each request so an installation can tune them:

- ``NETS_SURVEY_TOKEN_LIMIT``: invitation-link visits per IP (default 60 per minute);
- ``NETS_SURVEY_OPEN_LINK_LIMIT``: *new* anonymous drafts started from poster links per
  IP (default 20 per minute and 200 per hour: a hospital's learners may share one
  address, so the limit stops scripts, not a teaching session). Re-opening the
  poster in a browser that already holds a draft does not count.
"""

from __future__ import annotations

from flask import current_app, g


def token_limit() -> str:
    return current_app.config.get("NETS_SURVEY_TOKEN_LIMIT", "60 per minute")


def open_link_limit() -> str:
    return current_app.config.get("NETS_SURVEY_OPEN_LINK_LIMIT", "20 per minute;200 per hour")


def started_new_draft(response) -> bool:
    return bool(g.get("survey_new_draft"))
