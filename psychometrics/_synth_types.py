"""Result types of synthetic pilots: the data and the truth that generated it."""

from __future__ import annotations

from collections.abc import Sequence
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
    missing_rate, straightliner_rate : float
        The settings that produced missing answers and straight-liners.
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
    missing_rate: float
    straightliner_rate: float


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

    def expected_retest_correlation(
        self, columns: Sequence[str] | None = None, *, n_draws: int = 100_000, seed: int = 0
    ) -> float:
        """Test-retest correlation of a sum score that the generating model implies.

        The planted ``truth.retest_stability`` is the latent learner-level
        stability; an observed score's retest correlation is lower (fresh item
        noise on each occasion, five categories) and higher where placements
        differ (the placement mean is shared by both occasions). This is the
        value a test-retest analysis of this pilot should recover.

        Parameters
        ----------
        columns : sequence of str, optional
            Items summed into the score, reverse-keyed items turned round
            (``6 - x``); all items if omitted. One item gives the item's value.
        n_draws : int
            Latent draws for the Monte Carlo integration (>= 1000). At the
            default the result's Monte Carlo SD is about 0.0005 for a 40-item
            total and 0.0015 for a single item; it takes about a second.
        seed : int
            Seed of the integration draws.

        Returns
        -------
        float
            Pearson correlation between occasion-1 and occasion-2 scores over
            retest pairs answered completely on ``columns``.

        Notes
        -----
        Given the latent :math:`\\eta`, answers are independent, with
        :math:`P(x_j > k \\mid \\eta) = \\Phi((\\lambda_j\\eta_{f(j)} + c_j - \\tau_{jk})
        / \\sqrt{1 - \\lambda_j^2})`, so the conditional mean :math:`g(\\eta)` and
        variance :math:`V(\\eta)` of the keyed score are exact. Then
        :math:`\\mathrm{Cov}(S_1, S_2) = \\mathrm{Cov}(g(\\eta_1), g(\\eta_2))` and
        :math:`\\mathrm{Var}(S) = E[V(\\eta)] + \\mathrm{Var}(g(\\eta))`, the
        expectations taken by Monte Carlo over the pilot's retest placements and
        the latent model. Straight-liners (the same value on both occasions)
        enter as a mixture, at their share among complete pairs; missing answers
        are missing completely at random, so complete pairs are otherwise a
        random sample.

        Examples
        --------
        >>> import psychometrics as pm
        >>> pilot = pm.generate_pilot(n_responses=5000, seed=4)
        >>> pilot.truth.retest_stability
        0.85
        >>> print(f"{pilot.expected_retest_correlation():.2f}")  # 40-item total
        0.85
        >>> print(f"{pilot.expected_retest_correlation(['cul_1']):.2f}")  # one item
        0.54
        """
        from psychometrics._synth_theory import expected_retest_correlation

        return expected_retest_correlation(self, columns, n_draws=n_draws, seed=seed)
