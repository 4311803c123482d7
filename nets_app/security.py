"""Security headers, the proxy set-up and production cookie checks, for every response.

``init_security(app)`` (called by ``create_app`` before the blueprints) adds:

- a **nonce-based Content-Security-Policy**: scripts run only from this site or when
  they carry the request's nonce (``<script nonce="{{ csp_nonce() }}">`` in a
  template); no plugins, no ``<base>`` rewriting, forms post only here, and no
  framing (``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for old
  browsers);
- ``X-Content-Type-Options: nosniff``, a ``Referrer-Policy`` (the survey and staff
  blueprints set stricter ones first; this is the default for the rest),
  ``Cross-Origin-Opener-Policy`` and a ``Permissions-Policy`` that turns off the
  camera, microphone and location;
- ``Strict-Transport-Security`` when ``NETS_HSTS_SECONDS`` > 0 (production);
- ``ProxyFix`` when ``NETS_TRUSTED_PROXIES`` > 0, so that the per-address rate
  limits see the learner's address rather than the reverse proxy's (leave it at 0
  when nothing trusted sits in front: a client could otherwise forge
  ``X-Forwarded-For`` and slip past the limits);
- a check that a ``__Host-`` session cookie can work (Secure, ``Path=/``, no Domain:
  browsers silently drop a ``__Host-`` cookie that breaks these rules, and every
  sign-in would then fail without a message).

Why own code rather than Flask-Talisman: the policy is ten lines, the survey and
staff blueprints already set their own Referrer-Policy and Cache-Control (which a
blanket extension would overwrite), TLS is terminated by the reverse proxy (so
Talisman's HTTPS redirect would have to be turned off), and it avoids a dependency.

Why ``style-src`` allows inline styles: the dashboards embed server-rendered
matplotlib SVG charts, cached across requests, which carry ``style`` attributes and
``<style>`` elements; a per-request nonce cannot be written into a cached chart.
Scripts, the dangerous half, are nonce-only. All templates autoescape, so an
attacker has no way to inject the markup an inline style would need.
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, has_request_context, jsonify, render_template, request
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from nets_app.config import ConfigError

#: Content-Security-Policy directives; ``{nonce}`` is filled in per request.
CSP = (
    ("default-src", "'self'"),
    ("script-src", "'self' 'nonce-{nonce}'"),
    ("style-src", "'self' 'unsafe-inline'"),
    ("img-src", "'self' data:"),
    # The NHS.UK frontend's stylesheet loads the Frutiger web font from NHS England's
    # font host (it is licensed for NHS services, not for copying into the repository).
    # No referrer goes with it (the pages' policies keep referrers same-origin).
    ("font-src", "'self' https://assets.nhs.uk"),
    ("connect-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'none'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
DEFAULT_REFERRER_POLICY = "strict-origin-when-cross-origin"


def csp_nonce() -> str:
    """This request's CSP nonce (made on first use; one per request).

    Kept in the request's WSGI environ rather than ``g``, which belongs to the app
    context and can outlive a request. Outside a request (a report rendered by the
    CLI) there is no policy to satisfy, and a fresh value does no harm.
    """
    if not has_request_context():
        return secrets.token_urlsafe(18)
    return request.environ.setdefault("nets.csp_nonce", secrets.token_urlsafe(18))


def content_security_policy(nonce: str) -> str:
    return "; ".join(f"{name} {value.format(nonce=nonce)}" for name, value in CSP)


def check_cookie_config(config) -> None:
    """Refuse a session-cookie set-up that browsers would silently reject."""
    name = config.get("SESSION_COOKIE_NAME") or ""
    if name.startswith("__Host-"):
        problems = []
        if not config.get("SESSION_COOKIE_SECURE"):
            problems.append("SESSION_COOKIE_SECURE must be True")
        if config.get("SESSION_COOKIE_DOMAIN"):
            problems.append("SESSION_COOKIE_DOMAIN must be unset")
        if (config.get("SESSION_COOKIE_PATH") or config.get("APPLICATION_ROOT") or "/") != "/":
            problems.append("the cookie path (SESSION_COOKIE_PATH / APPLICATION_ROOT) must be /")
        if problems:
            raise ConfigError(
                f"the session cookie {name!r} uses the __Host- prefix, which browsers accept "
                f"only from a secure site for the whole host: {'; '.join(problems)}"
            )


class NulInRequest(BadRequest):
    """A NUL character in the path, query or form: PostgreSQL cannot store it in text."""

    description = (
        "Part of what you sent contains a NUL character, which cannot be stored, so "
        "nothing from it was saved. Remove it (retype the text rather than pasting it) "
        "and try again."
    )


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values.lists())


def reject_nul() -> None:
    """Refuse any request with a NUL character before a view or the database sees it.

    No form on this site can produce one, and PostgreSQL rejects it in a text column
    (``DataError``): a comment holding one would be saved in a draft and then fail at
    every submit. Checked once here for every endpoint.
    """
    if "\x00" in request.path or _has_nul(request.args):
        raise NulInRequest()
    if request.method in ("POST", "PUT", "PATCH") and _has_nul(request.form):
        raise NulInRequest()


def _nul_page(error: NulInRequest):
    if request.path.startswith("/api/"):
        return jsonify(error=error.description), 400
    if request.blueprint == "survey":
        from nets_app.services.survey_errors import SurveyError

        problem = SurveyError(
            error.description, "Go back to the survey: your earlier answers are kept."
        )
        problem.title = "We could not save what you sent"
        return render_template("survey/problem.html", error=problem), 400
    return render_template("errors/bad_request.html", message=error.description), 400


def _set_headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    for name, value in STATIC_HEADERS.items():
        headers.setdefault(name, value)
    headers.setdefault("Referrer-Policy", DEFAULT_REFERRER_POLICY)
    seconds = int(current_app.config.get("NETS_HSTS_SECONDS", 0) or 0)
    if seconds > 0:
        headers["Strict-Transport-Security"] = f"max-age={seconds}; includeSubDomains"
    return response


def init_security(app: Flask) -> None:
    """Add the security headers, the CSP nonce helper and (if configured) ProxyFix to ``app``."""
    check_cookie_config(app.config)
    hops = int(app.config.get("NETS_TRUSTED_PROXIES", 0) or 0)
    if hops < 0:
        raise ConfigError(f"NETS_TRUSTED_PROXIES must be 0 or more, got {hops}")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(reject_nul)
    app.register_error_handler(NulInRequest, _nul_page)
    app.after_request(_set_headers)
