"""Thin views: parse the request, call one service function, render or redirect."""

from __future__ import annotations

import datetime as dt

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from nets_app.domain.isf_config import CATEGORIES, EVIDENCE_KINDS, REASON_CODES, EvidenceKind
from nets_app.domain.risk import DEFAULT_RISK_CONFIG
from nets_app.domain.risk_config import IMPACT, INTERVENTIONS, LIKELIHOOD, MATRIX, RAG_NAMES
from nets_app.extensions import db
from nets_app.models import Region
from nets_app.risk import bp
from nets_app.risk.errors import PageError
from nets_app.services import access, risk
from nets_app.services import risk_reports as reports

MANUAL_KINDS = [(k.value, EVIDENCE_KINDS[k]) for k in EvidenceKind if k is not EvidenceKind.FLAG]


@bp.before_request
def _needs_concerns_permission():
    access.require(current_user, "concerns", f"path:{request.path}")


@bp.context_processor
def _tables():
    """The handbook's and the guide's tables, shown beside every rating and category."""
    return {
        "MATRIX": MATRIX,
        "LIKELIHOOD": LIKELIHOOD,
        "IMPACT": IMPACT,
        "RAG_NAMES": RAG_NAMES,
        "INTERVENTIONS": INTERVENTIONS,
        "RISK_CONFIG": DEFAULT_RISK_CONFIG,
        "CATEGORIES": CATEGORIES,
        "REASON_CODES": REASON_CODES,
        "MANUAL_KINDS": MANUAL_KINDS,
        "EVIDENCE_KINDS": {k.value: v for k, v in EVIDENCE_KINDS.items()},
    }


def _scope() -> tuple[int | None, str]:
    """The user's scope: their region, or (national users) all regions or a chosen one."""
    code = request.args.get("region", "").strip()
    if current_user.role == "regional":
        region = db.session.get(Region, current_user.region_id)
        if code and code != region.code:
            access.require_region(current_user, code)  # 403, audited
        return region.id, region.name
    if code:
        region = access.require_region(current_user, code)
        return region.id, region.name
    return None, "England (all regions)"


def _actor():
    return current_user._get_current_object()


def _int_or_raw(name: str) -> object:
    """An int if the field holds one, else what was sent (the domain names what is wrong)."""
    raw = request.form.get(name, "").strip()
    return int(raw) if raw.lstrip("-").isdigit() else (raw or None)


def _date(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        return None


def _to_concern(concern_id: int, message: str, anchor: str):
    flash(message, "success")
    return redirect(url_for("risk.concern", concern_id=concern_id, _anchor=anchor))


# --- lists -------------------------------------------------------------------------------


@bp.get("/")
def concerns():
    scope, scope_name = _scope()
    which = request.args.get("status", "").strip()
    rows = reports.concern_rows(scope, which)
    return render_template(
        "risk/concerns.html",
        rows=rows,
        which=which,
        filters=reports.LIST_FILTERS,
        scope_name=scope_name,
        overdue=reports.overdue_actions(scope),
        page_title="Quality concerns",
    )


@bp.get("/register.csv")
def register_csv():
    scope, scope_name = _scope()
    text = reports.export_csv("register", reports.register(scope), f"register:{scope_name}")
    return _csv(text, "risk-register.csv")


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/summaries")
def summaries():
    scope, scope_name = _scope()
    period, on = _period_args()
    report = reports.summary(period, scope, on)
    return render_template(
        "risk/summaries.html",
        report=report,
        periods=reports.PERIODS,
        scope_name=scope_name,
        page_title=report.title,
    )


@bp.get("/summaries.csv")
def summaries_csv():
    scope, scope_name = _scope()
    period, on = _period_args()
    report = reports.summary(period, scope, on)
    text = reports.export_csv(period, report.rows, f"summary:{period}:{scope_name}")
    return _csv(text, f"risk-{period}-{report.start.isoformat()}.csv")


def _period_args() -> tuple[str, dt.date | None]:
    period = request.args.get("period", "monthly")
    if period not in reports.PERIODS:
        raise access.NotFound("summary period", period, f"choose one of {sorted(reports.PERIODS)}")
    raw = request.args.get("on", "").strip()
    try:
        return period, dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise access.NotFound("report date", raw, "give a date as YYYY-MM-DD") from None


# --- one concern -----------------------------------------------------------------------------


def render_concern(concern_id: int, error: PageError | None = None) -> str:
    scope, _ = _scope()
    view = reports.concern_page(concern_id, scope)
    return render_template(
        "risk/concern.html",
        v=view,
        c=view.concern,
        error=error,
        form=request.form if error else {},
        page_title=f"Concern {view.concern.id}",
    )


def render_refusal(error: PageError) -> str:
    return render_template("risk/refused.html", error=error, page_title="Not changed")


@bp.get("/concerns/<int:concern_id>")
def concern(concern_id: int):
    return render_concern(concern_id)


@bp.post("/concerns/<int:concern_id>/confirm")
def confirm(concern_id: int):
    scope, _ = _scope()
    risk.confirm_concern(concern_id, _actor(), request.form.get("reason", ""), scope=scope)
    return _to_concern(concern_id, "Concern confirmed: it is now open.", "rating")


@bp.post("/concerns/<int:concern_id>/dismiss")
def dismiss(concern_id: int):
    scope, _ = _scope()
    risk.dismiss_concern(concern_id, _actor(), request.form.get("reason", ""), scope=scope)
    return _to_concern(concern_id, "Concern dismissed.", "history")


@bp.post("/concerns/<int:concern_id>/close")
def close(concern_id: int):
    scope, _ = _scope()
    risk.close_concern(concern_id, _actor(), request.form.get("reason", ""), scope=scope)
    return _to_concern(concern_id, "Concern closed.", "history")


@bp.post("/concerns/<int:concern_id>/rating")
def rate(concern_id: int):
    scope, _ = _scope()
    c = risk.rate_concern(
        concern_id,
        _actor(),
        _int_or_raw("likelihood"),
        _int_or_raw("impact"),
        request.form.get("reason", ""),
        scope=scope,
    )
    return _to_concern(concern_id, f"Rated {c.likelihood} x {c.impact} = {c.score}.", "rating")


def _new_evidence() -> list[dict[str, str]]:
    """The evidence item typed into a form, if any field of it was filled in."""
    item = {k: request.form.get(f"evidence_{k}", "").strip() for k in ("kind", "ref", "summary")}
    item["window"] = request.form.get("evidence_window", "").strip()
    return [item] if item["ref"] or item["summary"] or item["window"] else []


@bp.post("/concerns/<int:concern_id>/category")
def category(concern_id: int):
    scope, _ = _scope()
    approver = request.form.get("approver", "").strip()
    approved_on = _date("approved_on")
    c = risk.change_category(
        concern_id,
        _actor(),
        _int_or_raw("to_category"),
        request.form.get("reason", ""),
        _new_evidence(),
        evidence_ids=[int(i) for i in request.form.getlist("evidence_ids") if i.isdigit()],
        reason_code=request.form.get("reason_code") or None,
        national_approval=(approver, approved_on) if approver or approved_on else None,
        scope=scope,
    )
    return _to_concern(concern_id, f"ISF category is now {c.isf_category}.", "category")


@bp.post("/concerns/<int:concern_id>/evidence")
def evidence(concern_id: int):
    scope, _ = _scope()
    item = _new_evidence() or [{"kind": request.form.get("evidence_kind", ""), "ref": ""}]
    risk.add_evidence(concern_id, _actor(), item[0], scope=scope)
    return _to_concern(concern_id, "Evidence added.", "evidence")


@bp.post("/concerns/<int:concern_id>/actions")
def add_action(concern_id: int):
    scope, _ = _scope()
    risk.add_action(
        concern_id,
        _actor(),
        description=request.form.get("description", ""),
        owner=request.form.get("owner", ""),
        due_on=_date("due_on"),
        measure=request.form.get("measure", ""),
        scope=scope,
    )
    return _to_concern(concern_id, "Action added to the plan.", "actions")


@bp.post("/concerns/<int:concern_id>/actions/<int:action_id>/done")
def action_done(concern_id: int, action_id: int):
    scope, _ = _scope()
    risk.complete_action(
        action_id,
        _actor(),
        _date("done_on"),
        request.form.get("note", ""),
        concern_id=concern_id,
        scope=scope,
    )
    return _to_concern(concern_id, "Action marked as done.", "actions")


# --- a concern from other evidence ---------------------------------------------------------------


def render_new(error: PageError | None = None) -> str:
    scope, scope_name = _scope()
    return render_template(
        "risk/new.html",
        options=reports.new_concern_options(scope),
        error=error,
        form=request.form if error else {},
        scope_name=scope_name,
        page_title="Record a concern from other evidence",
    )


@bp.route("/concerns/new", methods=["GET", "POST"])
def new_concern():
    if request.method == "GET":
        return render_new()
    scope, _ = _scope()
    standards = request.form.get("standards", "").replace(",", " ").split()
    c = risk.create_manual_concern(
        provider_code=request.form.get("provider", ""),
        placement_code=request.form.get("placement") or None,
        title=request.form.get("title", ""),
        standards=standards,
        evidence=_new_evidence(),
        actor=_actor(),
        reason=request.form.get("reason", ""),
        scope=scope,
    )
    return _to_concern(c.id, "Concern recorded. Rate it and set its ISF category.", "rating")
