"""Result types of synthetic pilots: the data and the truth that generated it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from psychometrics._synth_items import ItemSpec


@dataclass(frozen=True)
class PilotTruth:
    """The parameters a synthetic pilot was generated from.

    Attributes
    ----------
    factors : tuple of str
        Factor (theme) names in item order of first appearance.
    loadings : DataFrame
        Items x factors, the generating standardized loadings within a placement
        and window; negative for reverse-keyed items (agreeing means worse).
    factor_correlations : DataFrame
        Factors x factors, :math:`\\Phi`.
    thresholds : DataFrame
        Items x ``t1..t4``, cut points on the latent response scale.
    placement_effects : DataFrame
        One row per placement x window: ``placement``, ``window`` and one column
        per factor with the latent mean shift :math:`\\mu_{pw}`, in SD units of the
        learner-level latent.
    adverse_placements, declining_placements : frozenset of str
        Planted adverse learning environments (every window) and placements with
        a planted fall in the last window.
    retest_stability : float
        Correlation of the learner-level latent between test and retest.
    straightliners : frozenset of str
        ``response_id`` of straight-liners.
    noninvariant_group : str or None
        Learner group whose item parameters differ, if one was planted.
    noninvariant_items : tuple of str
        Items whose parameters differ for that group.
    n_factors : int
        Number of factors.
    noninvariant_changes : DataFrame
        ``item``, ``loading`` (reference groups), ``group_loading`` and
        ``intercept_shift`` (added to the group's latent response).
    adverse_factors : tuple of str
        Factors shifted down at adverse placements.
    adverse_shift, decline_shift, adverse_item_shift : float
        Sizes of the planted effects (see the module notes).
    placement_sd, window_sd : float
        Between-placement and between-window SDs of the latent means.
    group_shares : Series
        Probability that a learner is in each group.
    criterion_weights : DataFrame
        ``overall`` and ``recommend`` x factors: weights of the factor latents in
        each criterion's latent response (residual SD ``sqrt(1 - r^2)``).
    criterion_thresholds : DataFrame
        ``overall`` and ``recommend`` x ``t1..t4``.
    concern_rates : DataFrame
        ``patient_safety`` and ``bullying`` x ``base``, ``adverse``: probability of
        ticking the concern at ordinary and adverse placements.
    retest_links : DataFrame
        ``retest_code`` and the ``response_id`` of its first occasion.
    """

    factors: tuple[str, ...]
    loadings: pd.DataFrame
    factor_correlations: pd.DataFrame
    thresholds: pd.DataFrame
    placement_effects: pd.DataFrame
    adverse_placements: frozenset[str]
    declining_placements: frozenset[str]
    retest_stability: float
    straightliners: frozenset[str]
    noninvariant_group: str | None
    noninvariant_items: tuple[str, ...]
    n_factors: int
    noninvariant_changes: pd.DataFrame
    adverse_factors: tuple[str, ...]
    adverse_shift: float
    decline_shift: float
    adverse_item_shift: float
    placement_sd: float
    window_sd: float
    group_shares: pd.Series
    criterion_weights: pd.DataFrame
    criterion_thresholds: pd.DataFrame
    concern_rates: pd.DataFrame
    retest_links: pd.DataFrame


@dataclass(frozen=True)
class SyntheticPilot:
    """A synthetic pilot: organisation tables, responses, retest pairs and the truth.

    Attributes
    ----------
    items : tuple of ItemSpec
    regions : DataFrame
        ``region`` (code R1..), ``region_name``.
    providers : DataFrame
        ``provider`` (PR001..), ``provider_name``, ``region``.
    placements : DataFrame
        ``placement`` (PL0001..), ``placement_name``, ``provider``, ``region``,
        ``specialty``.
    windows : tuple of str
        Survey windows, oldest first.
    responses : DataFrame
        One row per response: ``response_id``, ``placement``, ``provider``,
        ``region``, ``window``, ``group``, one float column per item (1.0-5.0, NaN
        for missing or "Not applicable"; reverse items as answered), ``overall``
        and ``recommend`` (1.0-5.0 or NaN), ``concern_patient_safety`` and
        ``concern_bullying`` (bool).
    retest : DataFrame
        Long format, two rows per pair: ``retest_code``, ``occasion`` (1, 2),
        ``interval_days``, ``placement``, ``window``, ``group`` and the items.
        Occasion 1 repeats the learner's answers in ``responses``.
    truth : PilotTruth
    """

    items: tuple[ItemSpec, ...]
    regions: pd.DataFrame
    providers: pd.DataFrame
    placements: pd.DataFrame
    windows: tuple[str, ...]
    responses: pd.DataFrame
    retest: pd.DataFrame
    truth: PilotTruth

    @property
    def item_ids(self) -> list[str]:
        """Item column names in order."""
        return [item.id for item in self.items]
