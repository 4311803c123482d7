"""Thresholds for suppression and adverse-environment flags, with the reason for each.

Every number that decides whether a result is shown or a placement is flagged
lives here, beside the rationale a user is shown (``describe()``). None of them
is a published NETS value (NETS has not published its suppression threshold or
its adverse-environment definition); they are this project's choices, stated and
configurable.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

__all__ = ["FlagConfig", "SuppressionConfig"]


def _rationale(text: str) -> dict[str, str]:
    return {"rationale": " ".join(text.split())}


def _describe(config: Any) -> pd.DataFrame:
    return pd.DataFrame(
        [(f.name, getattr(config, f.name), f.metadata["rationale"]) for f in fields(config)],
        columns=["setting", "value", "rationale"],
    )


def _check_fraction(name: str, value: Any, *, open_low: bool = True) -> None:
    ok_low = value > 0 if open_low else value >= 0
    if isinstance(value, bool) or not isinstance(value, int | float) or not (ok_low and value < 1):
        raise ValueError(f"{name} must be a number strictly between 0 and 1, got {value!r}")


def _check_count(name: str, value: Any, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")


@dataclass(frozen=True)
class SuppressionConfig:
    """When a survey result may be shown (passed to :func:`psychometrics.score_placements`).

    Examples
    --------
    >>> SuppressionConfig().describe()["setting"].tolist()
    ['min_n', 'min_n_free_text', 'min_items']
    """

    min_n: int = field(
        default=3,
        metadata=_rationale(
            """A score, percentage or count is shown only for three or more
            respondents, as the GMC National Training Survey does, so that no
            single learner's or pair's answers can be read off. Groups that
            could be worked out by subtracting shown groups from a shown total
            are hidden too."""
        ),
    )
    min_n_free_text: int = field(
        default=10,
        metadata=_rationale(
            """Free-text comments can identify their writer by content or
            style, so they are released for a placement only when at least ten
            learners responded; a larger pool makes attribution harder. A
            judgement, not a published standard."""
        ),
    )
    min_items: float = field(
        default=0.5,
        metadata=_rationale(
            """A learner counts toward a theme only if they answered at least
            half of its items (rounded up), so a theme score is not one stray
            answer; "not applicable" does not count as answered."""
        ),
    )

    def __post_init__(self) -> None:
        _check_count("min_n", self.min_n)
        _check_count("min_n_free_text", self.min_n_free_text)
        if self.min_n_free_text < self.min_n:
            raise ValueError(
                f"min_n_free_text ({self.min_n_free_text}) must be at least min_n ({self.min_n})"
            )
        if (
            isinstance(self.min_items, bool)
            or not isinstance(self.min_items, int | float)
            or not 0 < self.min_items <= 1
        ):
            raise ValueError(f"min_items must be a fraction in (0, 1], got {self.min_items!r}")

    def describe(self) -> pd.DataFrame:
        """Rows of (setting, value, rationale) to show users."""
        return _describe(self)


@dataclass(frozen=True)
class FlagConfig:
    """Thresholds of the adverse-environment flags (:func:`psychometrics.adverse_flags`).

    Examples
    --------
    >>> table = FlagConfig().describe()
    >>> table.loc[table.setting == "adverse_rate", "value"].item()
    0.6
    >>> FlagConfig(adverse_rate=0.3).adverse_rate
    0.3
    """

    min_n: int = field(
        default=3,
        metadata=_rationale(
            """No survey-based flag is raised on fewer than three respondents
            (the suppression threshold), so a flag cannot reveal a group too
            small to show. Patient-safety concerns are the exception: each is
            passed on whatever the numbers."""
        ),
    )
    adverse_rate: float = field(
        default=0.6,
        metadata=_rationale(
            """Adverse items flag a placement when we can be confident that
            more than 60 % of its learners agreed with at least one adverse
            item (bullying, discrimination, unwanted sexual behaviour, unsafe
            to raise concerns, unsafe care, working beyond competence): a clear
            majority, so adversity is the typical experience there, not an
            exception. With six adverse items even good placements have a
            sizeable share agreeing with one of them (about 40 % on this
            project's synthetic pilots, where 60 % keeps about four in five
            flags on planted adverse placements); recalibrate once real NETS
            base rates are known."""
        ),
    )
    adverse_confidence: float = field(
        default=0.95,
        metadata=_rationale(
            """"Confident" means the one-sided 95 % lower Clopper-Pearson bound
            of the share exceeds the rate, i.e. an exact binomial test at the
            5 % level; small placements therefore need a clearer majority."""
        ),
    )
    funnel_categories: tuple[str, ...] = field(
        default=("below_99.8",),
        metadata=_rationale(
            """A theme or domain is flagged when its score is below the lower
            99.8 % funnel limit of its comparator (overdispersion allowed for):
            about 1 placement in 1,000 falls there by chance alone, so it is a
            signal, whereas the 95 % limit is a prompt to look."""
        ),
    )
    funnel_scales: tuple[str, ...] = field(
        default=(),
        metadata=_rationale(
            """Scales checked against the funnel; empty means every scale in the
            benchmark table (themes, domains and overall)."""
        ),
    )
    fall_confidence: float = field(
        default=0.998,
        metadata=_rationale(
            """A fall from the previous window is significant when the two-sided
            99.8 % interval of the change lies wholly below zero. The funnel's
            99.8 % level is used because every placement is tested on every
            scale each window: at 95 % about one placement in ten showed a
            "significant" fall on some scale by chance on synthetic pilots with
            no planted decline, at 99.8 % under one in a hundred."""
        ),
    )
    fall_min_points: float = field(
        default=5.0,
        metadata=_rationale(
            """... and the fall is at least 5 points on the 0-100 scale, so a
            large placement is not flagged for a change too small to matter
            (roughly a quarter of a learner-level standard deviation)."""
        ),
    )
    fall_scales: tuple[str, ...] = field(
        default=(),
        metadata=_rationale("Scales checked for falls; empty means every scale."),
    )
    poor_categories: tuple[str, ...] = field(
        default=("below_95", "below_99.8", "red", "pink"),
        metadata=_rationale(
            """A window counts as poor when the score is below the lower 95 %
            funnel limit, or in the bottom quartile (red or pink) under the GMC
            rule."""
        ),
    )
    poor_run: int = field(
        default=3,
        metadata=_rationale(
            """Three consecutive poor windows mark a placement for review, as the
            GMC reviews areas with three consecutive years of poor results. A
            window without a shown result breaks the run."""
        ),
    )
    concern_min: int = field(
        default=1,
        metadata=_rationale(
            """Any patient-safety concern raised in the survey is passed to the
            quality team for the window (placement and window only, never who
            raised it), because a survey never replaces incident reporting."""
        ),
    )

    def __post_init__(self) -> None:
        _check_count("min_n", self.min_n)
        _check_count("poor_run", self.poor_run, 2)
        _check_count("concern_min", self.concern_min)
        _check_fraction("adverse_rate", self.adverse_rate, open_low=False)
        _check_fraction("adverse_confidence", self.adverse_confidence)
        _check_fraction("fall_confidence", self.fall_confidence)
        if (
            isinstance(self.fall_min_points, bool)
            or not isinstance(self.fall_min_points, int | float)
            or not 0 <= self.fall_min_points <= 100
        ):
            raise ValueError(
                f"fall_min_points must be between 0 and 100 points, got {self.fall_min_points!r}"
            )
        for name in ("funnel_categories", "funnel_scales", "fall_scales", "poor_categories"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, tuple):
                raise ValueError(f"{name} must be a tuple of strings, got {value!r}")
        if not self.funnel_categories or not self.poor_categories:
            raise ValueError("funnel_categories and poor_categories must not be empty")

    def describe(self) -> pd.DataFrame:
        """Rows of (setting, value, rationale) to show users."""
        return _describe(self)
