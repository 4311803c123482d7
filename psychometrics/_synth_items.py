"""Item specifications for synthetic pilots and the default 40-item, six-theme set."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ItemSpec:
    """One Likert item of a synthetic pilot and how it is generated.

    Attributes
    ----------
    id : str
        Column name in the generated responses, e.g. ``"ind_1"``.
    factor : str
        The latent theme the item loads on, e.g. ``"induction"``.
    loading : float
        Standardized loading on its factor, strictly between -1 and 1: the
        correlation of the item's latent response with the learner-level factor
        within a placement and window. Give it positive; ``reverse`` turns it round.
    reverse : bool
        Agreeing means worse quality ("I was bullied or undermined"); the
        generating loading is then ``-loading`` and answers are stored as given.
    adverse : bool
        An adverse-environment indicator item; requires ``reverse=True``.
    na_rate : float
        Probability in [0, 1) that a learner answers "Not applicable / don't know"
        (stored as NaN).
    difficulty : float
        Shift of all four thresholds on the latent response scale; positive
        values mean fewer learners agree (harder to endorse), negative more.
    """

    id: str
    factor: str
    loading: float = 0.7
    reverse: bool = False
    adverse: bool = False
    na_rate: float = 0.0
    difficulty: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"ItemSpec.id must be a non-empty string, got {self.id!r}")
        if not isinstance(self.factor, str) or not self.factor:
            raise ValueError(
                f"ItemSpec.factor of item {self.id!r} must be a non-empty string, got {self.factor!r}"
            )
        if not -1.0 < float(self.loading) < 1.0:
            raise ValueError(
                f"ItemSpec.loading of item {self.id!r} must be strictly between -1 and 1 "
                f"(a standardized loading), got {self.loading!r}"
            )
        if not 0.0 <= float(self.na_rate) < 1.0:
            raise ValueError(
                f"ItemSpec.na_rate of item {self.id!r} must be in [0, 1), got {self.na_rate!r}"
            )
        if self.adverse and not self.reverse:
            raise ValueError(
                f"item {self.id!r} is adverse but not reverse: an adverse-environment item is one "
                "where agreeing reports adversity, so set reverse=True"
            )


# id, factor, loading, reverse, adverse, na_rate, difficulty. The first 34 ids
# follow questionnaires/nets_core_v1.json (same theme and keying); ind_6, sup_7,
# lrn_7, fac_5, fac_6 and saf_7 are extra items that bring the set to 40.
_DEFAULT_ITEMS: tuple[tuple[str, str, float, bool, bool, float, float], ...] = (
    ("ind_1", "induction", 0.78, False, False, 0.00, 0.00),
    ("ind_2", "induction", 0.72, False, False, 0.00, -0.10),
    ("ind_3", "induction", 0.55, False, False, 0.04, 0.15),
    ("ind_4", "induction", 0.75, False, False, 0.00, -0.05),
    ("ind_5", "induction", 0.62, False, False, 0.00, 0.10),
    ("ind_6", "induction", 0.60, True, False, 0.00, 0.00),
    ("sup_1", "supervision", 0.58, False, False, 0.00, -0.30),
    ("sup_2", "supervision", 0.78, False, False, 0.00, 0.05),
    ("sup_3", "supervision", 0.74, False, False, 0.00, 0.00),
    ("sup_4", "supervision", 0.60, True, True, 0.00, -0.10),
    ("sup_5", "supervision", 0.68, False, False, 0.00, 0.10),
    ("sup_6", "supervision", 0.72, False, False, 0.00, 0.15),
    ("sup_7", "supervision", 0.62, True, False, 0.00, 0.05),
    ("lrn_1", "learning", 0.80, False, False, 0.00, 0.00),
    ("lrn_2", "learning", 0.70, False, False, 0.05, -0.05),
    ("lrn_3", "learning", 0.62, False, False, 0.00, 0.35),
    ("lrn_4", "learning", 0.58, False, False, 0.00, 0.10),
    ("lrn_5", "learning", 0.55, False, False, 0.08, 0.25),
    ("lrn_6", "learning", 0.68, False, False, 0.00, 0.15),
    ("lrn_7", "learning", 0.74, False, False, 0.00, 0.00),
    ("cul_1", "culture", 0.82, False, False, 0.00, 0.00),
    ("cul_2", "culture", 0.78, False, False, 0.00, -0.20),
    ("cul_3", "culture", 0.74, False, False, 0.00, 0.05),
    ("cul_4", "culture", 0.70, False, False, 0.00, 0.00),
    ("cul_5", "culture", 0.62, True, True, 0.00, 0.00),
    ("cul_6", "culture", 0.55, True, True, 0.00, 0.10),
    ("cul_7", "culture", 0.48, True, True, 0.00, 0.30),
    ("fac_1", "facilities", 0.70, False, False, 0.00, 0.20),
    ("fac_2", "facilities", 0.72, False, False, 0.00, 0.10),
    ("fac_3", "facilities", 0.58, False, False, 0.06, 0.00),
    ("fac_4", "facilities", 0.62, False, False, 0.04, 0.15),
    ("fac_5", "facilities", 0.66, False, False, 0.00, 0.05),
    ("fac_6", "facilities", 0.60, False, False, 0.00, -0.10),
    ("saf_1", "safety", 0.74, False, False, 0.00, -0.15),
    ("saf_2", "safety", 0.60, False, False, 0.00, -0.25),
    ("saf_3", "safety", 0.50, False, False, 0.00, 0.30),
    ("saf_4", "safety", 0.64, True, True, 0.00, -0.05),
    ("saf_5", "safety", 0.56, True, True, 0.00, 0.05),
    ("saf_6", "safety", 0.68, False, False, 0.07, 0.10),
    ("saf_7", "safety", 0.76, False, False, 0.00, 0.00),
)


def default_items() -> tuple[ItemSpec, ...]:
    """The default 40 items on six themes used by :func:`generate_pilot`.

    Returns
    -------
    tuple of ItemSpec
        Six to seven items on each of ``induction``, ``supervision``,
        ``learning`` (learning opportunities), ``culture`` (teamwork and culture),
        ``facilities`` and ``safety`` (raising concerns and safety). Eight are
        reverse-keyed, six of which are adverse-environment indicators:
        working beyond competence without supervision (``sup_4``), bullying or
        undermining (``cul_5``), discrimination (``cul_6``), unwanted sexual
        behaviour (``cul_7``), not safe to raise concerns (``saf_4``) and unsafe
        care witnessed (``saf_5``). The overall-experience and would-recommend
        criterion items are generated separately (columns ``overall`` and
        ``recommend``), not as factor items.

    Notes
    -----
    Ids, themes and keying of the first 34 items follow the NETS core
    instrument in ``questionnaires/``; loadings (0.48-0.82), "Not applicable"
    rates and difficulties are this generator's choices, not published values.

    Examples
    --------
    >>> items = default_items()
    >>> len(items), len({item.factor for item in items})
    (40, 6)
    >>> [item.id for item in items if item.adverse]
    ['sup_4', 'cul_5', 'cul_6', 'cul_7', 'saf_4', 'saf_5']
    """
    return tuple(
        ItemSpec(i, f, loading=lam, reverse=rev, adverse=adv, na_rate=na, difficulty=d)
        for i, f, lam, rev, adv, na, d in _DEFAULT_ITEMS
    )
