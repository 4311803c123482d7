"""What an ISF category sets in motion: who to tell, registers, the provider's category.

Pure functions over the tables in :mod:`nets_app.domain.isf_config` (sourced from *A
guide to the HEE Intensive Support Framework*, sections "Reporting" and "Monitoring").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from nets_app.domain._checks import is_int
from nets_app.domain.errors import TransitionError
from nets_app.domain.isf import category_info, check_category
from nets_app.domain.isf_config import CATEGORIES, STAKEHOLDERS
from nets_app.domain.risk_config import DEFAULT_REGISTER_THRESHOLD

__all__ = [
    "Notification",
    "ProviderCategory",
    "RegisterStatus",
    "provider_category",
    "register_status",
    "who_to_inform",
]


@dataclass(frozen=True)
class Notification:
    """One role to inform about a concern at a category.

    Attributes
    ----------
    code, name, scope : str
        The stakeholder (see :data:`~nets_app.domain.isf_config.STAKEHOLDERS`).
    required : bool
        False where the guide says "as appropriate" (categories 0-1).
    since_category : int
        The category at which the guide first names this role.
    """

    code: str
    name: str
    scope: str
    required: bool
    since_category: int


def who_to_inform(category: int) -> tuple[Notification, ...]:
    """Everyone the guide says must be told about a concern at ``category``.

    The lists are cumulative: category 2 adds to the local list, 3 adds to 2's, 4 adds
    to 3's ("the same stakeholders will again be involved as at category 2 but ...";
    "shared with all of the above stakeholders, but also ...", guide lines 83-87).

    Examples
    --------
    >>> [n.code for n in who_to_inform(2)][-4:]
    ['regional_head_of_quality', 'postgraduate_dean', 'regulator', \
'provider_director_medical_education']
    >>> len(who_to_inform(0)), len(who_to_inform(3)), len(who_to_inform(4))
    (9, 19, 24)
    >>> who_to_inform(1)[0].required, who_to_inform(2)[0].required
    (False, True)
    """
    top = category_info(category)
    return tuple(
        Notification(
            code=code,
            name=STAKEHOLDERS[code].name,
            scope=STAKEHOLDERS[code].scope,
            required=top.stakeholders_required,
            since_category=n,
        )
        for n in range(top.number + 1)
        for code in CATEGORIES[n].adds_stakeholders
    )


# --- provider level --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderCategory:
    """A provider's category and the open concerns that set it."""

    category: int
    concern_ids: tuple[str, ...]


def provider_category(open_concerns: Mapping[str, int]) -> ProviderCategory:
    """A provider's ISF category: that of its most severe open concern.

    Parameters
    ----------
    open_concerns : mapping of str to int
        Concern id to category, for the provider's open concerns only.

    Returns
    -------
    ProviderCategory
        The highest category, and the ids of the concerns at it (sorted); category 0
        with no ids if there are no open concerns.

    Notes
    -----
    The guide categorises concerns, not providers; a provider is shown at the category
    of its most severe open concern, so nothing at a higher category is hidden by
    averaging. Platform rule, not the guide's.

    Examples
    --------
    >>> provider_category({"C1": 1, "C2": 3, "C3": 3})
    ProviderCategory(category=3, concern_ids=('C2', 'C3'))
    >>> provider_category({})
    ProviderCategory(category=0, concern_ids=())
    """
    checked = {cid: check_category(cat) for cid, cat in open_concerns.items()}
    if not checked:
        return ProviderCategory(0, ())
    top = max(checked.values())
    return ProviderCategory(top, tuple(sorted(c for c, v in checked.items() if v == top)))


# --- registers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterStatus:
    """Whether a concern belongs on the regional and national risk registers, and why.

    ``review`` is a note when the category and the risk score disagree with what the
    guide expects of each other (``None`` when they agree).
    """

    on_register: bool
    basis: str
    review: str | None


def register_status(
    category: int, score: int | None, threshold: int = DEFAULT_REGISTER_THRESHOLD
) -> RegisterStatus:
    """Decide register entry from the risk score and the ISF category.

    Parameters
    ----------
    category : int
        The concern's ISF category.
    score : int or None
        Its risk score (``Rating.score``), or ``None`` if not yet rated.
    threshold : int
        The register threshold in force (``Rating.register_threshold``, default 12).

    Returns
    -------
    RegisterStatus

    Notes
    -----
    On the registers if ``score >= threshold`` ("those rated 12 or above are also
    reported ... via the regional and national risk registers", guide line 49) or if the
    category is 3 or 4 ("all concerns at category 3 will also be reported via the
    regional and national risk registers", line 85; category 4 "with all of the above",
    line 87). ``review`` notes a category 3-4 concern scored below the threshold (the
    guide expects "a risk rating in excess of 12") and a category 0-1 concern at or
    above it ("It is not expected that any category 1 concerns would appear on the
    regional or national risk registers", line 81).

    Examples
    --------
    >>> register_status(2, 12)
    RegisterStatus(on_register=True, basis='risk score 12 >= 12', review=None)
    >>> register_status(2, 9).on_register
    False
    >>> register_status(3, 9).review
    'category 3 concerns are expected to have a risk rating of 12 or more; review the rating'
    """
    cat = check_category(category)
    if not is_int(threshold) or not 1 <= threshold <= 25:
        raise TransitionError(
            "isf.register_score", f"the threshold is a whole number 1-25, got {threshold!r}"
        )
    if score is not None and (not is_int(score) or not 1 <= score <= 25):
        raise TransitionError(
            "isf.register_score", f"a risk score is a whole number 1-25 or None, got {score!r}"
        )
    by_score = score is not None and score >= threshold
    reasons = []
    if by_score:
        reasons.append(f"risk score {score} >= {threshold}")
    if cat >= 3:
        reasons.append(f"category {cat} concerns are always reported")
    review = None
    if cat >= 3 and not by_score:
        review = (
            f"category {cat} concerns are expected to have a risk rating of {threshold} or "
            "more; review the rating"
        )
    elif cat <= 1 and by_score:
        review = (
            f"category {cat} concerns are not expected on the registers but this one scores "
            f"{score}; review the category or the rating"
        )
    basis = "; ".join(reasons) if reasons else (
        "not rated" if score is None else f"risk score {score} < {threshold}"
    )  # fmt: skip
    return RegisterStatus(on_register=bool(reasons), basis=basis, review=review)
