"""Survey link tokens: how they look, how they are stored, and keeping them out of logs.

Only the SHA-256 of a token is stored (``Invitation.token_hash``); the token
itself lives in the learner's link and nowhere else. Access-log lines for
``/s/<token>`` are rewritten to ``/s/[redacted]`` by :class:`TokenRedactingFilter`,
installed on the loggers that write request lines (werkzeug in development,
gunicorn in production) and on the app's own logger.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets

# secrets.token_urlsafe(24) gives 32 characters; accept a little either side.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
TOKEN_PATH_RE = re.compile(r"/s/[^\s?#\"']+")
REDACTED = "/s/[redacted]"
REDACTED_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def new_token() -> str:
    """A random link token (32 URL-safe characters) that starts with a letter or digit.

    A leading "-" would be read as a formula by spreadsheets, so the CSV of tokens
    handed to a placement would have to mangle it; drawing again costs nothing.
    """
    while True:
        token = secrets.token_urlsafe(24)
        if token[0].isalnum():
            return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    return bool(TOKEN_RE.match(token))


def redact(text: str) -> str:
    """``text`` with every ``/s/<token>`` path replaced by ``/s/[redacted]``."""
    return TOKEN_PATH_RE.sub(REDACTED, text)


class TokenRedactingFilter(logging.Filter):
    """Rewrite a log record so that no survey token reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to logging's own handling
            return True
        if "/s/" in message:
            record.msg, record.args = redact(message), None
        return True


def install_log_redaction(*extra: logging.Logger) -> None:
    """Attach one :class:`TokenRedactingFilter` to each request-logging logger (idempotent)."""
    loggers = [logging.getLogger(name) for name in REDACTED_LOGGERS] + list(extra)
    for logger in loggers:
        if not any(isinstance(f, TokenRedactingFilter) for f in logger.filters):
            logger.addFilter(TokenRedactingFilter())
