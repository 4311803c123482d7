"""Tables for the risk rating, each entry beside its source.

Sources
-------
[HB] Health Education England. *HEE Quality Framework Handbook 2017-18*, section 3
     "Assessment", subsection "Risk assessment" (the HEE corporate risk matrix, the
     table of proportionate interventions and the likelihood / impact descriptors).
     Seed text: ``shared/seeds/hee-quality-framework-handbook-2017-18.txt`` lines
     334-356 (print layout: lines 711-825).
[ISF] Health Education England. *A guide to the HEE Intensive Support Framework*,
     section "Risk categorisation of concerns", paragraph 2: "All concerns are managed
     in accordance to regional procedures but those rated 12 or above are also
     reported to the HEE national team via the regional and national risk registers."
     Seed text: ``shared/seeds/hee-intensive-support-framework-guide.txt`` line 44.
[NETS] Project choices, not from any source; each states its rationale. They are
     defaults: pass another :class:`nets_app.domain.risk.RiskConfig` to change them.

The matrix, the descriptors and the interventions are the handbook's and are not
configurable. The High / Medium / Low mapping, the register threshold and the rules
that suggest a rating from flag evidence are configurable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from nets_app.domain._checks import is_int
from nets_app.domain.errors import ConfigError

__all__ = [
    "DEFAULT_FLAG_RULES",
    "DEFAULT_LEVEL_BY_RAG",
    "DEFAULT_LIKELIHOOD_BY_RULE_COUNT",
    "DEFAULT_BREADTH_MEASURES",
    "DEFAULT_RECURRENCE_WINDOWS",
    "DEFAULT_REGISTER_THRESHOLD",
    "DEFAULT_RISK_CONFIG",
    "FlagRule",
    "IMPACT",
    "INTERVENTIONS",
    "LEVELS",
    "LEVEL_MAPPING_RATIONALE",
    "LIKELIHOOD",
    "MATRIX",
    "RAG_ORDER",
    "RAG_NAMES",
    "RiskConfig",
]

# --- The HEE corporate risk matrix [HB, "Risk assessment", matrix] -------------------
# MATRIX[likelihood][impact] -> RAG. Keys are written out in full so each row reads as
# the handbook prints it (likelihood 5 at the top, impact 1..5 left to right).
MATRIX: MappingProxyType[int, MappingProxyType[int, str]] = MappingProxyType(
    {
        # [HB] "Likelihood 5  G  A  A/R  R  R"
        5: MappingProxyType({1: "G", 2: "A", 3: "A/R", 4: "R", 5: "R"}),
        # [HB] "4  G  A  A/R  R  R"
        4: MappingProxyType({1: "G", 2: "A", 3: "A/R", 4: "R", 5: "R"}),
        # [HB] "3  G  G/A  A  A/R  R"
        3: MappingProxyType({1: "G", 2: "G/A", 3: "A", 4: "A/R", 5: "R"}),
        # [HB] "2  G  G/A  A  A  A/R"
        2: MappingProxyType({1: "G", 2: "G/A", 3: "A", 4: "A", 5: "A/R"}),
        # [HB] "1  G  G  G/A  G/A  A"
        1: MappingProxyType({1: "G", 2: "G", 3: "G/A", 4: "G/A", 5: "A"}),
    }
)

# The five ratings from least to most severe, and how to say them.
RAG_ORDER: tuple[str, ...] = ("G", "G/A", "A", "A/R", "R")
RAG_NAMES: MappingProxyType[str, str] = MappingProxyType(
    {"G": "Green", "G/A": "Green/Amber", "A": "Amber", "A/R": "Amber/Red", "R": "Red"}
)

# --- Likelihood descriptors [HB, "Risk assessment", "Score / Likelihood / Impact"] ----
# level -> (name, descriptors)
LIKELIHOOD: MappingProxyType[int, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        1: ("Rare", ("Will probably never happen",
                     "Could only imagine it happening in rare circumstances")),
        2: ("Unlikely", ("Do not expect it to happen", "It is possible that it may occur")),
        3: ("Possible", ("Might occur", "Could happen occasionally")),
        4: ("Likely", ("Will probably happen in most circumstances",
                       "Not a continuing occurrence")),
        5: ("Almost certain", ("Expected to happen", "Likely to occur in most circumstances")),
    }
)  # fmt: skip

# --- Impact descriptors [HB, "Risk assessment", "Score / Likelihood / Impact"] --------
IMPACT: MappingProxyType[int, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        1: ("Negligible", ("Very low effect on service, project or business area",
                           "No impact on patients, learners, public or staff",
                           "No reputational impact (i.e. no press interest)",
                           "No financial loss")),
        2: ("Minor", ("Minimal disruption to service, project or business area",
                      "Limited impact on patients, learners, public or staff",
                      "Minimal reputational impact",
                      "Limited financial loss")),
        3: ("Moderate", ("Moderate impact on service, project or business area",
                         "Moderate level of impact on patients, learners, public or staff",
                         "Medium level of reputational impact",
                         "Medium financial loss")),
        4: ("Major", ("Major effect on service, project or business area",
                      "Major level of impact on patients, learners, public or staff",
                      "Major impact on reputation (i.e. major press interest)",
                      "Major financial loss")),
        5: ("Significant", ("Loss of service, project or business area",
                            "Detrimental effect on patients, learners, public or staff",
                            "National press coverage",
                            "Significant financial loss")),
    }
)  # fmt: skip

# --- Proportionate interventions by level of risk [HB, "Risk assessment", table
# "examples of proportionate interventions in line with the assessed level of risk"] --
LEVELS: tuple[str, ...] = ("Low", "Medium", "High")
INTERVENTIONS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "High": ("Triggered visit", "Programme review"),
        "Medium": ("Programme review", "Learner/educator meetings"),
        "Low": ("Desktop review", "Programme review", "Learner/educator meetings"),
    }
)

# --- High / Medium / Low from the RAG rating [NETS] -----------------------------------
# The handbook names the levels but does not say which colours they are.
DEFAULT_LEVEL_BY_RAG: MappingProxyType[str, str] = MappingProxyType(
    {"G": "Low", "G/A": "Low", "A": "Medium", "A/R": "High", "R": "High"}
)
LEVEL_MAPPING_RATIONALE = (
    "The handbook names High, Medium and Low levels of risk but does not say which "
    "matrix colours they are; this mapping is the platform's choice. Pure colours map "
    "to their obvious level (R High, A Medium, G Low). Each mixed band goes to the "
    "neighbour it shares with the cells that need the stronger response: A/R goes to "
    "High because its cells score 10-15 and hold both score-12 cells, which the ISF "
    "guide sends to the regional and national risk registers, so they warrant a "
    "triggered visit; G/A goes to Low because its cells score 3-6, all far below that "
    "threshold. This keeps the levels ordered by severity (no colour maps to a lower "
    "level than a less severe colour). Change it in the risk configuration; the "
    "mapping in force is shown beside every rating."
)

# --- Register threshold [ISF, "Risk categorisation of concerns", para 2] --------------
# "those rated 12 or above are also reported to the HEE national team via the regional
# and national risk registers"
DEFAULT_REGISTER_THRESHOLD = 12

# --- Suggesting a rating from adverse-environment flags [NETS] ------------------------


@dataclass(frozen=True)
class FlagRule:
    """How one adverse-environment flag rule weighs in a suggested rating.

    Attributes
    ----------
    impact : int
        The impact (1-5) the rule suggests on its own, read against the handbook's
        impact descriptors.
    direction : {"above", "below"}
        ``"above"`` if the flag fires when ``value >= limit``; ``"below"`` if it fires
        when ``value <= limit``.
    far : float or None
        Relative distance past the limit, ``|value - limit| / |limit|``, from which the
        flag counts as far past its limit; ``None`` for never. A zero limit has no
        relative distance, so such a flag is never far.
    label : str
        How the rule is named to users.
    """

    impact: int
    direction: str
    far: float | None
    label: str

    def __post_init__(self) -> None:
        if not is_int(self.impact) or not 1 <= self.impact <= 5:
            raise ConfigError(
                "risk.config.flag_rule", f"impact must be an int 1-5, got {self.impact!r}"
            )
        if self.direction not in ("above", "below"):
            raise ConfigError(
                "risk.config.flag_rule",
                f"direction must be 'above' or 'below', got {self.direction!r}",
            )
        if self.far is not None and (
            isinstance(self.far, bool)
            or not isinstance(self.far, int | float)
            or not math.isfinite(self.far)
            or self.far <= 0
        ):
            raise ConfigError(
                "risk.config.flag_rule",
                f"far must be None or a finite number > 0, got {self.far!r}",
            )
        if not isinstance(self.label, str) or not self.label.strip():
            raise ConfigError("risk.config.flag_rule", "label must be a non-empty string")


# One entry per flag rule of the scoring module (issue 6); see :class:`FlagRule`.
DEFAULT_FLAG_RULES: MappingProxyType[str, FlagRule] = MappingProxyType(
    {
        # A learner reported a patient-safety concern: the handbook's impact 5 reads
        # "Detrimental effect on patients, learners, public or staff". Weighs highest.
        # Far when the count is at least twice the limit.
        "patient_safety_concern": FlagRule(
            impact=5, direction="above", far=1.0, label="patient-safety concern reported"
        ),
        # A learner reported bullying, harassment or undermining in the survey's concern
        # question: harm to learners, the handbook's impact 4 "Major level of impact on
        # ... learners" (as adverse_items). Far when the count is twice the limit.
        "bullying_concern": FlagRule(
            impact=4, direction="above", far=1.0, label="bullying or undermining concern reported"
        ),
        # Adverse-indicator items (bullying, undermining, discrimination, unwanted
        # sexual behaviour) above the stated rate: impact 4, "Major level of impact on
        # ... learners". Far when the rate is at least twice the stated rate.
        "adverse_items": FlagRule(
            impact=4, direction="above", far=1.0,
            label="adverse-indicator items above the stated rate",
        ),
        # A domain score below the lower 99.8 % funnel limit: impact 3, "Moderate level of
        # impact on ... learners" (educational quality, not yet harm). Far when 10 % below
        # the limit (the limit is already about 3 standard errors from the mean).
        "funnel_low": FlagRule(
            impact=3, direction="below", far=0.10,
            label="domain score below the 99.8 % funnel limit",
        ),
        # A significant fall from the previous window (value = change, limit = the
        # smallest change that counts, both negative): impact 3. Far at twice the limit.
        "significant_fall": FlagRule(
            impact=3, direction="below", far=1.0,
            label="significant fall from the previous window",
        ),
        # Poor in three consecutive windows (value = consecutive poor windows, limit 3):
        # impact 3; its weight is persistence, which raises likelihood via the rule count.
        "three_poor_windows": FlagRule(
            impact=3, direction="above", far=None, label="poor in three consecutive windows"
        ),
    }
)  # fmt: skip

# Likelihood from the number of distinct flag rules that fired: corroboration by
# independent rules is what triangulation asks for, so each further rule raises the
# likelihood one step. One rule alone is "Unlikely ... it is possible that it may occur"
# (a single statistical flag can be chance: about 1 placement in 1,000 falls below the
# lower 99.8 % funnel limit by chance alone).
DEFAULT_LIKELIHOOD_BY_RULE_COUNT: MappingProxyType[int, int] = MappingProxyType(
    {1: 2, 2: 3, 3: 4, 4: 5}  # 4 or more distinct rules -> 5
)
# Then +1 likelihood (at most 5) if any flag is far past its limit (see FlagRule.far): a
# large effect is less likely to be chance.
# +1 likelihood (at most 5) if the flags come from this many distinct windows or more (recurrence:
# the handbook's likelihood 5 is "Expected to happen"; 4 is "Not a continuing occurrence").
DEFAULT_RECURRENCE_WINDOWS = 2
# +1 impact (at most 5) if the flags touch this many distinct measures or more (breadth: the ISF's
# category 2 is "a significant number of areas where the provider does not meet HEE
# standards").
DEFAULT_BREADTH_MEASURES = 3


# --- The configuration object ----------------------------------------------------------


def _positive_int(name: str, value: object) -> int:
    if not is_int(value) or int(value) < 1:  # type: ignore[call-overload]
        raise ConfigError("risk.config", f"{name} must be an int >= 1, got {value!r}")
    return int(value)  # type: ignore[call-overload]


@dataclass(frozen=True)
class RiskConfig:
    """The configurable part of the risk rules (the matrix itself is the handbook's).

    Parameters
    ----------
    level_by_rag : mapping of str to str
        RAG rating (``"G"``, ``"G/A"``, ``"A"``, ``"A/R"``, ``"R"``) to level of risk
        (``"Low"``, ``"Medium"``, ``"High"``). Must cover all five ratings and keep the
        levels in order of severity. Default: G, G/A Low; A Medium; A/R, R High (see
        ``level_mapping_rationale``).
    register_threshold : int
        Scores at or above this go on the regional and national registers (1-25,
        default 12, from the ISF guide).
    flag_rules : mapping of str to FlagRule
        How each adverse-environment flag rule weighs in :func:`suggest_rating`.
    likelihood_by_rule_count : mapping of int to int
        Suggested likelihood by the number of distinct flag rules that fired; keys
        1..k, values 1-5 non-decreasing; counts above k use the value at k.
    recurrence_windows : int
        Flags from at least this many distinct windows add 1 to the likelihood.
    breadth_measures : int
        Flags on at least this many distinct measures add 1 to the impact.
    level_mapping_rationale : str
        Why the level mapping is what it is; shown to users beside the levels.

    Raises
    ------
    ConfigError
        Rule ``risk.config`` (with what is wrong) for any invalid table.

    Examples
    --------
    >>> RiskConfig(register_threshold=15).register_threshold
    15
    >>> RiskConfig(level_by_rag={"G": "Low", "G/A": "High", "A": "Medium",
    ...                          "A/R": "High", "R": "High"})
    Traceback (most recent call last):
    ...
    nets_app.domain.errors.ConfigError: [risk.config] level_by_rag must keep levels in \
order of severity: 'G/A' maps to 'High' but the more severe 'A' maps to 'Medium'
    """

    level_by_rag: Mapping[str, str] = field(default_factory=lambda: DEFAULT_LEVEL_BY_RAG)
    register_threshold: int = DEFAULT_REGISTER_THRESHOLD
    flag_rules: Mapping[str, FlagRule] = field(default_factory=lambda: DEFAULT_FLAG_RULES)
    likelihood_by_rule_count: Mapping[int, int] = field(
        default_factory=lambda: DEFAULT_LIKELIHOOD_BY_RULE_COUNT
    )
    recurrence_windows: int = DEFAULT_RECURRENCE_WINDOWS
    breadth_measures: int = DEFAULT_BREADTH_MEASURES
    level_mapping_rationale: str = LEVEL_MAPPING_RATIONALE

    def __post_init__(self) -> None:
        levels = dict(self.level_by_rag)
        if set(levels) != set(RAG_ORDER):
            raise ConfigError(
                "risk.config",
                f"level_by_rag must map exactly the ratings {list(RAG_ORDER)}, "
                f"got {sorted(levels)}",
            )
        for rag_value, level in levels.items():
            if level not in LEVELS:
                raise ConfigError(
                    "risk.config",
                    f"level_by_rag[{rag_value!r}] must be one of {list(LEVELS)}, got {level!r}",
                )
        for lower, higher in zip(RAG_ORDER, RAG_ORDER[1:], strict=False):
            if LEVELS.index(levels[higher]) < LEVELS.index(levels[lower]):
                raise ConfigError(
                    "risk.config",
                    "level_by_rag must keep levels in order of severity: "
                    f"{lower!r} maps to {levels[lower]!r} but the more severe {higher!r} "
                    f"maps to {levels[higher]!r}",
                )
        threshold = self.register_threshold
        if not is_int(threshold) or not 1 <= int(threshold) <= 25:
            raise ConfigError(
                "risk.config",
                f"register_threshold must be an int from 1 to 25, got {threshold!r}",
            )
        rules = dict(self.flag_rules)
        if not rules or not all(
            isinstance(k, str) and isinstance(v, FlagRule) for k, v in rules.items()
        ):
            raise ConfigError(
                "risk.config", "flag_rules must map rule ids (str) to FlagRule, at least one"
            )
        counts = dict(self.likelihood_by_rule_count)
        if sorted(counts) != list(range(1, len(counts) + 1)):
            raise ConfigError(
                "risk.config",
                f"likelihood_by_rule_count keys must be 1..k, got {sorted(counts)}",
            )
        values = [counts[k] for k in sorted(counts)]
        if not all(is_int(v) and 1 <= v <= 5 for v in values) or values != sorted(values):
            raise ConfigError(
                "risk.config",
                f"likelihood_by_rule_count values must be ints 1-5, non-decreasing, got {values}",
            )
        object.__setattr__(self, "level_by_rag", MappingProxyType(levels))
        object.__setattr__(self, "register_threshold", int(threshold))
        object.__setattr__(self, "flag_rules", MappingProxyType(rules))
        object.__setattr__(self, "likelihood_by_rule_count", MappingProxyType(counts))
        object.__setattr__(
            self, "recurrence_windows", _positive_int("recurrence_windows", self.recurrence_windows)
        )
        object.__setattr__(
            self, "breadth_measures", _positive_int("breadth_measures", self.breadth_measures)
        )


DEFAULT_RISK_CONFIG = RiskConfig()
