"""Domain errors: every refusal names the rule it enforces.

A :class:`DomainError` carries a ``rule`` id (a short dotted string such as
``"isf.initial_not_4"``) and a message that says what was wrong and what would
be right. The message always starts with the rule id, so a log line, a flash
message or a 4xx body shows which rule refused the change. The service layer
turns these into a clear message or a 4xx in one error-registration function;
nothing is changed when one is raised, because the domain functions build new
values and never mutate their inputs.

``DomainError`` subclasses :class:`ValueError`, so callers that follow the house
rule "bad input -> ValueError" keep working.

Examples
--------
>>> err = TransitionError("isf.initial_not_4", "an initial category is never 4")
>>> err.rule
'isf.initial_not_4'
>>> str(err)
'[isf.initial_not_4] an initial category is never 4'
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "ActionError",
    "ConfigError",
    "DomainError",
    "EvidenceError",
    "RatingError",
    "TransitionError",
]


class DomainError(ValueError):
    """A domain rule refused the input.

    Parameters
    ----------
    rule : str
        The id of the rule that refused the input (e.g. ``"risk.likelihood_range"``).
    message : str
        What was wrong and what would be right.
    """

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        self.detail = message
        super().__init__(f"[{rule}] {message}")


class RatingError(DomainError):
    """A risk rating or an override was refused (range, type, missing reason)."""


class EvidenceError(DomainError):
    """Flag evidence given to :func:`nets_app.domain.risk.suggest_rating` is unusable."""


class ConfigError(DomainError):
    """A configurable table (level mapping, threshold, suggestion rules) is invalid."""


class TransitionError(DomainError):
    """An ISF category change was refused (forbidden move or missing who/when/why/evidence)."""


class ActionError(DomainError):
    """An action or action plan is not SMART enough (description, owner, due date)."""
