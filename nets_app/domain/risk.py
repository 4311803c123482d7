"""Risk rating of a concern: the HEE corporate risk matrix, table-driven.

A concern is rated by likelihood (1-5) and impact (1-5); the score is their product
(1-25); the RAG rating is read from the handbook's 5 x 5 matrix cell (not from the score:
the matrix is not symmetric, e.g. likelihood 5 x impact 1 is G but 1 x 5 is A); the
level of risk (High / Medium / Low) comes from a configurable mapping of the RAG rating;
the level gives the handbook's proportionate interventions; a score at or above the
register threshold (default 12) puts the concern on the regional and national registers.

All functions are pure: they take plain values and return frozen dataclasses, or raise
a :class:`~nets_app.domain.errors.DomainError` naming the rule.

References
----------
Health Education England. HEE Quality Framework Handbook 2017-18, section 3
"Assessment", "Risk assessment". Health Education England. A guide to the HEE Intensive
Support Framework, "Risk categorisation of concerns". Tables and citations are in
:mod:`nets_app.domain.risk_config`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from nets_app.domain._checks import is_int, is_text
from nets_app.domain.errors import EvidenceError, RatingError
from nets_app.domain.risk_config import (
    DEFAULT_RISK_CONFIG,
    IMPACT,
    INTERVENTIONS,
    LIKELIHOOD,
    MATRIX,
    RAG_NAMES,
    FlagRule,
    RiskConfig,
)

__all__ = [
    "DEFAULT_RISK_CONFIG",
    "Flag",
    "Rating",
    "RiskConfig",
    "check_scale",
    "override",
    "rag",
    "rate",
    "suggest_rating",
]


def check_scale(name: str, value: object) -> int:
    """Return ``value`` as an int if it is a whole number 1-5, else raise.

    Parameters
    ----------
    name : {"likelihood", "impact"}
        Which scale; names the rule (``risk.likelihood_range`` / ``risk.impact_range``).
    value : object
        The proposed level. Python or NumPy integers are accepted; bools, floats
        (even 3.0), strings and None are not.

    Returns
    -------
    int

    Raises
    ------
    RatingError
        Rule ``risk.<name>_range`` naming the valid range.

    Examples
    --------
    >>> check_scale("impact", 4)
    4
    >>> check_scale("likelihood", 6)
    Traceback (most recent call last):
    ...
    nets_app.domain.errors.RatingError: [risk.likelihood_range] likelihood must be a whole \
number from 1 (Rare) to 5 (Almost certain), got 6
    """
    table = {"likelihood": LIKELIHOOD, "impact": IMPACT}.get(name)
    if table is None:
        raise ValueError(f"name must be 'likelihood' or 'impact', got {name!r}")
    if not is_int(value) or not 1 <= int(value) <= 5:  # type: ignore[call-overload]
        raise RatingError(
            f"risk.{name}_range",
            f"{name} must be a whole number from 1 ({table[1][0]}) to 5 ({table[5][0]}), "
            f"got {value!r}",
        )
    return int(value)  # type: ignore[call-overload]


def rag(likelihood: int, impact: int) -> str:
    """RAG rating of a matrix cell, read from the handbook's table.

    Parameters
    ----------
    likelihood, impact : int
        1-5 each.

    Returns
    -------
    str
        One of ``"G"``, ``"G/A"``, ``"A"``, ``"A/R"``, ``"R"``.

    Examples
    --------
    >>> rag(5, 1), rag(1, 5), rag(4, 3)
    ('G', 'A', 'A/R')
    """
    return MATRIX[check_scale("likelihood", likelihood)][check_scale("impact", impact)]


@dataclass(frozen=True)
class Rating:
    """A risk rating and everything that follows from it.

    Attributes
    ----------
    likelihood, impact : int
        1-5 each.
    score : int
        ``likelihood * impact``, 1-25.
    rag : str
        The matrix cell's rating.
    level : str
        ``"High"``, ``"Medium"`` or ``"Low"`` under the configured mapping.
    interventions : tuple of str
        The handbook's proportionate interventions for the level.
    on_register : bool
        ``score >= register_threshold``: reported to the regional and national registers.
    register_threshold : int
        The threshold in force when rated.
    basis : {"assessed", "suggested", "overridden"}
        Set by hand (:func:`rate`), suggested from flags (:func:`suggest_rating`) or
        changed by :func:`override`.
    rationale : str
        Why it was rated so (for a suggestion, the rules applied step by step).
    override_reason : str or None
        The reason given for an override.
    previous : tuple of (int, int) or None
        ``(likelihood, impact)`` before the override.
    """

    likelihood: int
    impact: int
    score: int
    rag: str
    level: str
    interventions: tuple[str, ...]
    on_register: bool
    register_threshold: int
    basis: str = "assessed"
    rationale: str = ""
    override_reason: str | None = None
    previous: tuple[int, int] | None = None

    @property
    def likelihood_name(self) -> str:
        """The handbook's name for the likelihood (e.g. ``"Likely"``)."""
        return LIKELIHOOD[self.likelihood][0]

    @property
    def impact_name(self) -> str:
        """The handbook's name for the impact (e.g. ``"Moderate"``)."""
        return IMPACT[self.impact][0]

    @property
    def rag_name(self) -> str:
        """The RAG rating spelt out (e.g. ``"Amber/Red"``)."""
        return RAG_NAMES[self.rag]


def rate(
    likelihood: int,
    impact: int,
    *,
    rationale: str = "",
    config: RiskConfig = DEFAULT_RISK_CONFIG,
) -> Rating:
    """Rate a concern from its likelihood and impact.

    Parameters
    ----------
    likelihood : int
        1 Rare, 2 Unlikely, 3 Possible, 4 Likely, 5 Almost certain.
    impact : int
        1 Negligible, 2 Minor, 3 Moderate, 4 Major, 5 Significant.
    rationale : str, optional
        Why it was rated so.
    config : RiskConfig, optional
        Level mapping and register threshold.

    Returns
    -------
    Rating
        With ``basis="assessed"``.

    Raises
    ------
    RatingError
        Rule ``risk.likelihood_range`` or ``risk.impact_range``.

    Notes
    -----
    ``score = likelihood * impact``; ``rag = MATRIX[likelihood][impact]``;
    ``level = config.level_by_rag[rag]``; ``on_register = score >= threshold``.

    Examples
    --------
    >>> r = rate(4, 3)
    >>> r.score, r.rag, r.level, r.on_register
    (12, 'A/R', 'High', True)
    >>> r.interventions
    ('Triggered visit', 'Programme review')
    >>> rate(2.5, 3)
    Traceback (most recent call last):
    ...
    nets_app.domain.errors.RatingError: [risk.likelihood_range] likelihood must be a whole \
number from 1 (Rare) to 5 (Almost certain), got 2.5
    """
    lik = check_scale("likelihood", likelihood)
    imp = check_scale("impact", impact)
    cell = MATRIX[lik][imp]
    level = config.level_by_rag[cell]
    score = lik * imp
    return Rating(
        likelihood=lik,
        impact=imp,
        score=score,
        rag=cell,
        level=level,
        interventions=INTERVENTIONS[level],
        on_register=score >= config.register_threshold,
        register_threshold=config.register_threshold,
        rationale=rationale,
    )


def override(
    rating: Rating,
    likelihood: int,
    impact: int,
    reason: str,
    *,
    config: RiskConfig = DEFAULT_RISK_CONFIG,
) -> Rating:
    """Override a rating (suggested or not) with a stated reason.

    Parameters
    ----------
    rating : Rating
        The rating being overridden.
    likelihood, impact : int
        The new levels, 1-5 each.
    reason : str
        Why; must not be empty or blank.
    config : RiskConfig, optional

    Returns
    -------
    Rating
        With ``basis="overridden"``, ``override_reason=reason`` and ``previous`` set to
        the old ``(likelihood, impact)``; the old rationale is kept.

    Raises
    ------
    RatingError
        Rule ``risk.override_reason`` if the reason is missing or blank;
        ``risk.likelihood_range`` / ``risk.impact_range`` for bad levels.

    Examples
    --------
    >>> r = override(rate(2, 3), 4, 3, "Visit confirmed the survey findings")
    >>> r.score, r.basis, r.previous
    (12, 'overridden', (2, 3))
    >>> override(rate(2, 3), 4, 3, "  ")
    Traceback (most recent call last):
    ...
    nets_app.domain.errors.RatingError: [risk.override_reason] an override needs a \
reason: say why the rating differs from the one given
    """
    if not is_text(reason):
        raise RatingError(
            "risk.override_reason",
            "an override needs a reason: say why the rating differs from the one given",
        )
    new = rate(likelihood, impact, rationale=rating.rationale, config=config)
    return replace(
        new,
        basis="overridden",
        override_reason=reason.strip(),
        previous=(rating.likelihood, rating.impact),
    )


# --- suggestion from flags ---------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """One adverse-environment flag with its evidence (a row of ``pm.adverse_flags``).

    Attributes
    ----------
    rule : str
        Flag rule id, e.g. ``"funnel_low"``.
    measure : str
        What was measured (an item, theme or domain).
    value, limit : float
        The observed value and the limit it crossed.
    n : int
        Respondents behind the value.
    window : str or int
        The survey window.
    placement : str or None
        The placement, when known.
    """

    rule: str
    measure: str
    value: float
    limit: float
    n: int
    window: str | int
    placement: str | None = None

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> Flag:
        """Build a flag from a mapping, e.g. a row of ``flags.to_dict("records")``.

        Examples
        --------
        >>> Flag.from_mapping({"rule": "funnel_low", "measure": "domain_3", "value": 51.0,
        ...                    "limit": 58.2, "n": 14, "window": "2024"}).rule
        'funnel_low'
        """
        missing = [k for k in ("rule", "measure", "value", "limit", "n", "window") if k not in row]
        if missing:
            raise EvidenceError("risk.evidence_field", f"a flag needs the fields {missing}")
        return cls(
            rule=row["rule"],
            measure=row["measure"],
            value=row["value"],
            limit=row["limit"],
            n=row["n"],
            window=row["window"],
            placement=row.get("placement"),
        )


def _check_flag(flag: Flag, rules: Mapping[str, FlagRule]) -> FlagRule:
    if flag.rule not in rules:
        raise EvidenceError(
            "risk.evidence_rule",
            f"unknown flag rule {flag.rule!r}; known rules: {sorted(rules)}",
        )
    for name in ("value", "limit"):
        x = getattr(flag, name)
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
            raise EvidenceError(
                "risk.evidence_field",
                f"flag {flag.rule!r} on {flag.measure!r}: {name} must be a finite number, "
                f"got {x!r}",
            )
    if not is_int(flag.n) or flag.n < 0:
        raise EvidenceError(
            "risk.evidence_field", f"flag {flag.rule!r}: n must be an int >= 0, got {flag.n!r}"
        )
    spec = rules[flag.rule]
    past = flag.value >= flag.limit if spec.direction == "above" else flag.value <= flag.limit
    if not past:
        sign = ">=" if spec.direction == "above" else "<="
        raise EvidenceError(
            "risk.evidence_direction",
            f"flag {flag.rule!r} on {flag.measure!r} fires when value {sign} limit, but "
            f"value {flag.value!r} and limit {flag.limit!r} do not satisfy it",
        )
    return spec


def _is_far(flag: Flag, spec: FlagRule) -> bool:
    if spec.far is None or flag.limit == 0:
        return False
    return abs(flag.value - flag.limit) / abs(flag.limit) >= spec.far


def _plus_one(level: int, condition: bool, yes: str, no: str) -> tuple[int, str]:
    """Add 1 (at most 5) when ``condition`` holds; return the level and the step's text."""
    if not condition:
        return level, no
    level = min(5, level + 1)
    return level, f"{yes} -> +1 = {level}"


def suggest_rating(
    evidence: Iterable[Flag | Mapping[str, Any]],
    *,
    config: RiskConfig = DEFAULT_RISK_CONFIG,
) -> Rating:
    """Suggest a likelihood and impact from adverse-environment flags, with the reasons.

    Parameters
    ----------
    evidence : iterable of Flag or mapping
        The flags behind the concern (mappings need ``rule``, ``measure``, ``value``,
        ``limit``, ``n``, ``window``; e.g. ``flags.to_dict("records")``).
    config : RiskConfig, optional
        The suggestion rules and thresholds.

    Returns
    -------
    Rating
        With ``basis="suggested"`` and the step-by-step rationale; can be changed with
        :func:`override`.

    Raises
    ------
    EvidenceError
        ``risk.evidence_empty`` (no flags), ``risk.evidence_rule`` (unknown rule id),
        ``risk.evidence_field`` (missing or non-finite field),
        ``risk.evidence_direction`` (value not past its limit in the rule's direction).

    Notes
    -----
    Likelihood: ``config.likelihood_by_rule_count[number of distinct rules]`` (counts
    above the table's last key use its last value); +1 if any flag is far past its limit
    (``|value - limit| / |limit| >= rule.far``); +1 if the flags come from at least
    ``config.recurrence_windows`` distinct windows; at most 5.

    Impact: the largest ``rule.impact`` among the rules that fired (patient-safety
    concerns weigh highest, 5); +1 if the flags touch at least
    ``config.breadth_measures`` distinct measures; at most 5.

    Examples
    --------
    >>> flags = [
    ...     {"rule": "funnel_low", "measure": "supervision", "value": 55.0,
    ...      "limit": 58.0, "n": 12, "window": "2024"},
    ...     {"rule": "significant_fall", "measure": "supervision", "value": -9.0,
    ...      "limit": -6.0, "n": 12, "window": "2024"},
    ...     {"rule": "three_poor_windows", "measure": "overall", "value": 3,
    ...      "limit": 3, "n": 12, "window": "2024"},
    ... ]
    >>> r = suggest_rating(flags)
    >>> r.likelihood, r.impact, r.score, r.rag, r.on_register
    (4, 3, 12, 'A/R', True)
    >>> print(r.rationale.splitlines()[1])
    Likelihood 4 (Likely): 3 distinct rules fired -> 4; no flag far past its limit; \
flags from 1 window(s), fewer than 2 adds nothing.
    """
    rules = config.flag_rules
    flags = []
    for item in evidence:
        if isinstance(item, Flag):
            flags.append(item)
        elif isinstance(item, Mapping):
            flags.append(Flag.from_mapping(item))
        else:
            raise EvidenceError(
                "risk.evidence_field",
                f"each flag must be a Flag or a mapping (for a DataFrame pass "
                f"flags.to_dict('records')), got {item!r}",
            )
    if not flags:
        raise EvidenceError(
            "risk.evidence_empty",
            "a suggested rating needs at least one flag; rate a concern without flags by hand",
        )
    specs = [_check_flag(f, rules) for f in flags]

    fired = sorted({f.rule for f in flags})
    table = config.likelihood_by_rule_count
    lik = table[min(len(fired), max(table))]
    steps = [f"{len(fired)} distinct rules fired -> {lik}"]
    far = sorted({f"{f.rule} on {f.measure}" for f, s in zip(flags, specs, strict=True)
                  if _is_far(f, s)})  # fmt: skip
    lik, text = _plus_one(lik, bool(far), f"far past its limit: {', '.join(far)}",
                          "no flag far past its limit")  # fmt: skip
    steps.append(text)
    windows = sorted({str(f.window) for f in flags})
    lik, text = _plus_one(
        lik,
        len(windows) >= config.recurrence_windows,
        f"flags from {len(windows)} windows ({', '.join(windows)})",
        f"flags from {len(windows)} window(s), fewer than {config.recurrence_windows} adds nothing",
    )
    steps.append(text)

    top = max(fired, key=lambda r: rules[r].impact)
    imp = rules[top].impact
    measures = sorted({f.measure for f in flags})
    imp, text = _plus_one(
        imp,
        len(measures) >= config.breadth_measures,
        f"{len(measures)} distinct measures",
        f"{len(measures)} distinct measure(s), fewer than {config.breadth_measures} adds nothing",
    )
    impact_steps = [f"highest-weighted rule {top} ({rules[top].label}) -> {rules[top].impact}",
                    text]  # fmt: skip

    rating = rate(lik, imp, config=config)
    register = (
        f"on the regional and national registers (score {rating.score} >= "
        f"{rating.register_threshold})"
        if rating.on_register
        else f"not on the registers (score {rating.score} < {rating.register_threshold})"
    )
    rationale = "\n".join(
        [
            f"Suggested from {len(flags)} flag(s), rules: {', '.join(fired)}.",
            f"Likelihood {lik} ({LIKELIHOOD[lik][0]}): {'; '.join(steps)}.",
            f"Impact {imp} ({IMPACT[imp][0]}): {'; '.join(impact_steps)}.",
            f"Score {rating.score}: RAG {rating.rag} ({rating.rag_name}), level "
            f"{rating.level}; {register}.",
        ]
    )
    return replace(rating, basis="suggested", rationale=rationale)
