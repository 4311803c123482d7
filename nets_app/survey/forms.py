"""Survey forms: a project base form and a factory that builds each page from the instrument.

Error messages follow the NHS.UK / GOV.UK pattern: say what to do, name the
question. The service re-checks every value, so these are the learner's first,
friendly line of defence, not the only one.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import Field, TextAreaField
from wtforms.validators import Length, StopValidation, ValidationError

from nets_app.services.survey import Page
from nets_app.services.survey_flow import NA, NO, YES, Step
from questionnaires import Instrument

UNKNOWN_FIELDS = (
    "This page sent an answer to a question that is not in the survey, so nothing on this "
    "page was saved. Check the answers below and continue."
)


def _normalise(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


class SurveyForm(FlaskForm):
    """The project's base form.

    Rejects any posted field the page did not ask for (a tampered or stale page),
    and lists errors in page order for the error summary.
    """

    class Meta:
        # CSRFProtect checks every POST before the view runs; expired tokens get the
        # foundation's "Your page expired" page rather than a field error.
        csrf = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        posted = set(request.form.keys()) if self.is_submitted() else set()
        self.unknown_fields = sorted(posted - set(self._fields) - {"csrf_token"})

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.unknown_fields:
            self.form_errors.append(UNKNOWN_FIELDS)
            ok = False
        return ok

    def error_list(self) -> list[tuple[str | None, str]]:
        """(href, message) for the error summary: form-level first, then fields in order."""
        out: list[tuple[str | None, str]] = [(None, m) for m in self.form_errors]
        for field in self:
            out += [(f"#{field.id}", m) for m in field.errors]
        return out

    def answers(self) -> dict[str, Any]:
        """The page's values for the survey service (strings; the service parses them)."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class ChoiceField(Field):
    """A required radio group that only takes the options it shows.

    ``choices`` are (value, label) pairs, rendered by the survey's radios macro. A
    missing answer, a value not offered (out of range, "na" where not allowed) or
    the same field sent twice each stop validation with one clear message.
    """

    def __init__(
        self,
        label: str = "",
        *,
        choices: list[tuple[str, str]],
        required: str,
        invalid: str,
        **kw: Any,
    ) -> None:
        super().__init__(label, **kw)
        self.choices = choices
        self.required_message, self.invalid_message = required, invalid

    def pre_validate(self, form: Any) -> None:
        raw = self.raw_data or []
        if not raw or raw == [""]:
            raise StopValidation(self.required_message)
        if len(raw) > 1 or raw[0] not in {v for v, _ in self.choices}:
            self.data = None
            raise StopValidation(self.invalid_message)


def _likert(item, inst: Instrument) -> Field:
    choices = [(str(v), label) for v, label in inst.scale]
    if item.allow_na:
        choices.append((NA, inst.not_applicable_label))
    return ChoiceField(
        item.text,
        choices=choices,
        required=f"Select an answer for “{item.text}”",
        invalid=f"Select one of the answers shown for “{item.text}”",
    )


def _text(label: str, limit: int, what: str) -> Field:
    message = f"{what} must be {limit:,} characters or fewer"
    return TextAreaField(
        label, filters=[_normalise], validators=[Length(max=limit, message=message)]
    )


def _details_rule(concern):
    """validate_<id>_details: details only with Yes, and Yes needs details."""

    def rule(form: SurveyForm, field: Field) -> None:
        answer = form[concern.id].data
        if answer == YES and not field.data:
            raise ValidationError(f"Describe what happened, or answer No to “{concern.question}”")
        if answer == NO and field.data:
            raise ValidationError(
                f"You answered No to “{concern.question}” but wrote details. "
                "Select Yes to send them, or delete them"
            )

    return rule


_CLASSES: dict[tuple[str, Step, tuple[tuple[str, str], ...]], type] = {}


def form_class(step: Step, inst: Instrument, group_codes: tuple[tuple[str, str], ...]) -> type:
    """The form class for one survey page, built from the instrument's data (and cached).

    ``group_codes`` are the (code, name) choices of the start page when the learner
    picks their group; empty when the invitation fixes it.
    """
    key = (inst.sha256, step, group_codes)
    if key not in _CLASSES:
        _CLASSES[key] = _make_form_class(step, inst, group_codes)
    return _CLASSES[key]


def _make_form_class(
    step: Step, inst: Instrument, group_codes: tuple[tuple[str, str], ...]
) -> type:
    attrs: dict[str, Any] = {}
    if step.kind == "start" and group_codes:
        attrs["group"] = ChoiceField(
            "Which learner group are you in?",
            choices=list(group_codes),
            required="Select your learner group",
            invalid="Select one of the learner groups shown",
        )
    elif step.kind == "questions":
        for item in step.items:
            attrs[item.id] = _likert(item, inst)
    elif step.kind == "comments":
        for p in inst.free_text:
            attrs[p.id] = _text(p.prompt, p.max_length, f"Your answer to “{p.prompt}”")
    elif step.kind == "concerns":
        for c in inst.concerns:
            attrs[c.id] = ChoiceField(
                c.question,
                choices=[(YES, "Yes"), (NO, "No")],
                required=f"Select yes or no for “{c.question}”",
                invalid=f"Select Yes or No for “{c.question}”",
            )
            attrs[f"{c.id}_details"] = _text(
                c.details_prompt, c.max_length, f"Your description for “{c.question}”"
            )
            attrs[f"validate_{c.id}_details"] = _details_rule(c)
    name = "".join(part.title() for part in step.key.replace("/", "_").split("_")) + "Form"
    return type(name, (SurveyForm,), attrs)


def build_form(page: Page) -> SurveyForm:
    """The page's form: filled from the request on POST, from the saved draft on GET."""
    groups = () if page.fixed_group else tuple((g.code, g.name) for g in page.groups)
    cls = form_class(page.step, page.inst, groups)
    if request.method == "POST":
        return cls()
    return cls(formdata=None, data=page.values)
