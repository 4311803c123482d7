"""A refused change becomes the page it came from, with the NHS error summary and the
message beside the field (HTTP 422), the rule named; the service has already rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from nets_app.domain.errors import DomainError
from nets_app.extensions import db
from nets_app.risk import bp

#: The form field each rule is about (ids on the page are ``<form>-<field>``).
FIELD_BY_RULE = {
    "risk.likelihood_range": "likelihood",
    "risk.impact_range": "impact",
    "risk.override_reason": "reason",
    "concern.reason": "reason",
    "concern.actor": "reason",
    "concern.title": "title",
    "concern.standard_unknown": "standards",
    "concern.placement_provider": "placement",
    "concern.evidence_required": "evidence_kind",
    "concern.evidence_kind": "evidence_kind",
    "concern.evidence_unknown": "evidence_ids",
    "concern.window_without_flag": "evidence_window",
    "concern.status": "reason",
    "concern.close_category": "reason",
    "isf.evidence_item": "evidence_ref",
    "isf.category_range": "to_category",
    "isf.initial_not_4": "to_category",
    "isf.no_change": "to_category",
    "isf.cat4_from_3": "to_category",
    "isf.escalation_to_3": "reason_code",
    "isf.reason_code_fit": "reason_code",
    "isf.cat4_national_approval": "approver",
    "isf.change_who": "reason",
    "isf.change_when": "reason",
    "isf.change_order": "reason",
    "isf.change_why": "reason",
    "isf.change_evidence": "evidence_kind",
    "isf.deescalation_evidence": "evidence_kind",
    "action.description": "description",
    "action.owner": "owner",
    "action.due": "due_on",
    "action.done_on": "done_on",
}


@dataclass(frozen=True)
class PageError:
    """A refusal as the page shows it."""

    rule: str
    message: str
    form: str
    field: str

    @property
    def field_id(self) -> str:
        return f"{self.form}-{self.field}"


def page_error(err: DomainError, form: str) -> PageError:
    return PageError(err.rule, err.detail, form, FIELD_BY_RULE.get(err.rule, "reason"))


#: The form each POST endpoint's refusal is shown beside (ids ``<form>-<field>``).
FORMS = {
    "risk.confirm": "decide",
    "risk.dismiss": "decide",
    "risk.close": "close",
    "risk.rate": "rate",
    "risk.category": "category",
    "risk.evidence": "evidence",
    "risk.add_action": "action",
    "risk.action_done": "done",
}


@bp.errorhandler(DomainError)
def refused(err: DomainError):
    db.session.rollback()
    from nets_app.risk import views

    form = FORMS.get(request.endpoint or "", "")
    if request.endpoint == "risk.new_concern":
        return views.render_new(page_error(err, "new")), 422
    concern_id = (request.view_args or {}).get("concern_id")
    if concern_id is None:
        return views.render_refusal(page_error(err, form or "page")), 422
    if form == "done":
        form = f"done-{request.view_args['action_id']}"
    return views.render_concern(concern_id, page_error(err, form)), 422
