r"""Synthetic NETS pilots with known truth, for demos, tests and benchmarks.

:func:`generate_pilot` builds regions, providers and placements, then simulates
learners' answers to five-point Likert items from a stated factor model and
returns the data together with the truth that produced it, so an analysis can
be checked by whether it recovers that truth.

The model
---------
Indices: learner (response) :math:`i`, placement :math:`p`, window :math:`w`,
factor (theme) :math:`f = 1..K`, item :math:`j` loading on factor :math:`f(j)`.

Factor correlations. :math:`\Phi` has ones on the diagonal and
``factor_correlation`` :math:`\rho` elsewhere.

Placement effects (``truth.placement_effects``).

.. math::

    \mu_{pw} = u_p + d_{pw} - a\,A_p\,\mathbf{1}_{\mathcal{F}_A}
               - b\,D_p\,[w = W], \qquad
    u_p \sim N(0, \sigma_P^2 \Phi), \quad d_{pw} \sim N(0, \sigma_W^2 \Phi)

with :math:`\sigma_P` = ``placement_sd``, :math:`\sigma_W` = ``window_sd`` (a
small drift between windows), :math:`A_p` = 1 for planted adverse placements
(``adverse_fraction`` of placements; shift :math:`a` = ``adverse_shift`` on the
factors :math:`\mathcal{F}_A` = ``adverse_factors``, in every window) and
:math:`D_p` = 1 for planted declining placements (``decline_fraction``, disjoint
from the adverse ones; shift :math:`b` = ``decline_shift`` on every factor in
the last window :math:`W` only).

Sizes. Each response picks its window uniformly and its placement with
probability proportional to a Gamma(0.8) popularity, so placement sizes are very
unequal (at the defaults about a quarter of placement-windows have 1-4
responses and the largest near 100-150), as suppression rules will meet in practice;
some placements have no response at all in a window.

Learner latent.
:math:`\eta_i = \mu_{p(i)w(i)} + \delta_i,\ \delta_i \sim N(0, \Phi)`: the unit
of all shifts is the learner-level standard deviation within a placement.

Item latent response and answer.

.. math::

    y^*_{ij} = s_j \lambda_j \eta_{i f(j)} + \sqrt{1 - \lambda_j^2}\,\varepsilon_{ij}
               + c\,A_{p(i)}\,[j \text{ adverse}], \qquad
    x_{ij} = 1 + \#\{k : y^*_{ij} > \tau_{jk}\}

with :math:`\varepsilon_{ij} \sim N(0, 1)`, :math:`s_j = -1` for reverse-keyed
items (agreeing means worse; answers are stored as given) and :math:`c` =
``adverse_item_shift``, a direct rise in adverse-item endorsement at adverse
placements. The thresholds :math:`\tau_{jk} = \Phi^{-1}(\pi_k)\sqrt{1 +
\lambda_j^2(\sigma_P^2 + \sigma_W^2)} + \text{difficulty}_j` put the marginal
answer distribution at the targets :math:`\pi` (cumulative 3 %, 9 %, 22 %, 62 %
for positive items: 78 % agree; about 10 % agree for adverse items).

Learner groups. Groups have unequal shares (nursing and medical largest). For
``noninvariant_group`` only, up to three non-reverse items from distinct factors
change (``truth.noninvariant_changes``): the first two get an intercept shift of
+1.5 and -1.5 on :math:`y^*`, the third a shift of +1.5 and its loading
multiplied by 0.4. The shifts are large on purpose: with one noninvariant group
among several and 40 items, smaller ones barely move global fit indices. On
five-point answers an intercept shift also pushes answers into an end category,
which lowers the item's observed variance and covariances, so a linear CFA sees
metric as well as scalar non-invariance (with medical vs nursing at n = 10,000:
dCFI -0.034 metric, -0.090 scalar).

Criterion items. For ``overall`` and ``recommend``,
:math:`c^*_i = r\,\bar\eta_i / \mathrm{sd}(\bar\eta \mid p, w) + \sqrt{1 - r^2}\,e_i`
(:math:`r` = 0.80 and 0.75, :math:`\bar\eta_i` the mean of the learner's factor
latents), cut at thresholds giving 88 % and 84 % positive answers.

Retest. In each window a simple random ``retest_fraction`` of responses get a
second occasion at the same placement, ``interval_days`` uniform on 7-21, with
:math:`\delta^{(2)}_i = \varrho\,\delta_i + \sqrt{1-\varrho^2}\,\delta'_i` where
:math:`\varrho` = ``retest_stability`` is the correlation of the learner-level
latent between occasions (the placement part :math:`\mu_{pw}` is shared), and
fresh item noise and missingness.

Missing answers, straight-liners and concerns. Each answer is NaN with probability
:math:`1 - (1 - m)(1 - \text{na}_j)` (``missing_rate`` :math:`m`, item
``na_rate``); ``overall`` and ``recommend`` with probability :math:`m`. A fraction
``straightliner_rate`` of learners give one value to every item and to both
criterion items (and again on a retest). The concern flags are Bernoulli: patient
safety 1 % and bullying 2 % of learners, 15 % and 25 % at adverse placements.

What the truth implies for observed statistics. Observed scores' test-retest
correlations are lower than ``retest_stability`` (item noise, categories);
:meth:`SyntheticPilot.expected_retest_correlation` gives the value the model
implies for any sum score. Straight-liners answer reverse-keyed items the same
way as the rest, which adds a spurious dimension: at 5,000 responses and the
default 1 %, parallel analysis finds 7 factors and the CFA of the true six-factor
structure has CFI 0.92 (without them: 6 factors, CFI 0.99). Drop
``truth.straightliners`` (or rows with no variation across items), or set
``straightliner_rate=0``, before checking structure.

Every random component draws from its own stream spawned from ``seed``, so the
same seed gives identical frames, and changing, say, ``missing_rate`` leaves the
latent draws unchanged.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from psychometrics._synth_build import build_pilot
from psychometrics._synth_items import ItemSpec, default_items
from psychometrics._synth_types import PilotTruth, SyntheticPilot

__all__ = ["ItemSpec", "PilotTruth", "SyntheticPilot", "default_items", "generate_pilot"]

DEFAULT_GROUPS: tuple[str, ...] = (
    "medical",
    "dental",
    "nursing",
    "midwifery",
    "allied_health",
    "pharmacy",
    "healthcare_science",
    "paramedicine",
    "apprentice",
)
_RESERVED = frozenset(
    {
        "response_id",
        "placement",
        "provider",
        "region",
        "window",
        "group",
        "overall",
        "recommend",
        "concern_patient_safety",
        "concern_bullying",
        "retest_code",
        "occasion",
        "interval_days",
    }
)


def _fraction(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


def _count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _real(name: str, value: float, minimum: float = -math.inf) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value < minimum
    ):
        bound = "a finite number" if minimum == -math.inf else f"a finite number >= {minimum}"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return float(value)


def _names(name: str, values: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ValueError(f"{name} must be a sequence of strings, not one string ({values!r})")
    out = tuple(values)
    if not out:
        raise ValueError(f"{name} must not be empty")
    bad = [v for v in out if not isinstance(v, str) or not v]
    if bad:
        raise ValueError(f"{name} must be non-empty strings, got {bad!r}")
    if len(set(out)) < len(out):
        dupes = sorted({v for v in out if out.count(v) > 1})
        raise ValueError(f"{name} must be distinct, got duplicates {dupes!r}")
    return out


def _check_items(items: Sequence[ItemSpec] | None) -> tuple[ItemSpec, ...]:
    specs = default_items() if items is None else tuple(items)
    if not specs:
        raise ValueError("items must hold at least one ItemSpec, got none")
    bad = [s for s in specs if not isinstance(s, ItemSpec)]
    if bad:
        raise ValueError(f"items must be ItemSpec objects, got {bad[0]!r}")
    ids = [s.id for s in specs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"item ids must be unique, got duplicates {dupes!r}")
    clash = sorted(set(ids) & _RESERVED)
    if clash:
        raise ValueError(f"item ids {clash!r} clash with generated columns {sorted(_RESERVED)!r}")
    return specs


def generate_pilot(
    items: Sequence[ItemSpec] | None = None,
    *,
    n_responses: int = 5000,
    n_placements: int | None = None,
    n_providers: int | None = None,
    n_regions: int = 7,
    windows: Sequence[str] = ("2024", "2025", "2026"),
    groups: Sequence[str] = DEFAULT_GROUPS,
    adverse_fraction: float = 0.05,
    decline_fraction: float = 0.05,
    retest_fraction: float = 0.1,
    retest_stability: float = 0.85,
    missing_rate: float = 0.02,
    straightliner_rate: float = 0.01,
    noninvariant_group: str | None = None,
    factor_correlation: float = 0.5,
    placement_sd: float = 0.35,
    seed: int = 0,
    window_sd: float = 0.1,
    adverse_factors: Sequence[str] | None = None,
    adverse_shift: float = 1.0,
    decline_shift: float = 0.8,
    adverse_item_shift: float = 0.75,
) -> SyntheticPilot:
    """Simulate a NETS pilot from a stated factor model and return it with its truth.

    Parameters
    ----------
    items : sequence of ItemSpec, optional
        The factor items; :func:`default_items` (40 items, 6 themes) if omitted.
    n_responses : int
        Number of responses (learners), at least 1.
    n_placements, n_providers : int, optional
        Defaults: one placement per 15 responses per window, one provider per
        8 placements (at least 1 each).
    n_regions : int
        1-7; the NHS England regions in order (North East and Yorkshire first).
    windows : sequence of str
        Survey windows, oldest first; responses are spread evenly over them.
    groups : sequence of str
        Learner groups; known NETS groups get realistic shares (nursing and
        medical largest), others the median share.
    adverse_fraction, decline_fraction : float
        Shares of placements planted as adverse environments and as declining in
        the last window (rounded to whole placements; disjoint, so sum <= 1).
        A decline needs at least two windows.
    retest_fraction : float
        Share of responses in each window given a retest occasion.
    retest_stability : float
        Correlation of the learner-level latent between test and retest, in [-1, 1].
    missing_rate, straightliner_rate : float
        Probability that an answer is missing, and that a learner straight-lines.
    noninvariant_group : str, optional
        A member of ``groups`` whose item parameters differ on a few items.
    factor_correlation : float
        Correlation between every pair of factors; :math:`\\Phi` must be positive
        definite, i.e. between -1/(K-1) and 1.
    placement_sd, window_sd : float
        SD of placement effects and of their drift between windows (>= 0).
    seed : int
        Non-negative seed; the same seed gives identical frames.
    adverse_factors : sequence of str, optional
        Factors lowered at adverse placements; default ``("culture", "safety")``
        where present, else the factors of the adverse items.
    adverse_shift, decline_shift, adverse_item_shift : float
        Planted effect sizes: latent fall at adverse placements, latent fall at
        declining placements in the last window, rise of adverse items' latent
        response at adverse placements.

    Returns
    -------
    SyntheticPilot
        Organisation tables, ``responses``, ``retest`` and ``truth``.

    Raises
    ------
    ValueError
        On any argument outside the ranges above, duplicate item ids, an unknown
        ``noninvariant_group`` or adverse factor, or empty windows or groups.

    Notes
    -----
    The generating model, in formulas, is in the module docstring of
    :mod:`psychometrics.synthetic`. 100,000 responses x 40 items take well under
    a second (``bench/bench_synthetic.py``).

    References
    ----------
    .. [1] Muthén, B. (1984). A general structural equation model with
       dichotomous, ordered categorical, and continuous latent variable
       indicators. Psychometrika, 49(1), 115-132. (Ordinal items as thresholded
       latent responses.)

    Examples
    --------
    >>> import psychometrics as pm
    >>> pilot = pm.generate_pilot(n_responses=2000, seed=1)
    >>> pilot.responses.shape
    (2000, 50)
    >>> sorted(pilot.truth.adverse_placements)[:2]
    ['PL0007', 'PL0039']
    >>> adverse = pilot.responses["placement"].isin(pilot.truth.adverse_placements)
    >>> bullied = pilot.responses["cul_5"] >= 4
    >>> print(f"{bullied[adverse].mean():.2f} vs {bullied[~adverse].mean():.2f}")
    0.42 vs 0.10
    """
    specs = _check_items(items)
    n = _count("n_responses", n_responses)
    window_names = _names("windows", windows)
    group_names = _names("groups", groups)
    if (
        isinstance(n_regions, bool)
        or not isinstance(n_regions, numbers.Integral)
        or not 1 <= n_regions <= 7
    ):
        raise ValueError(
            f"n_regions must be an integer from 1 to 7 (NHS England regions), got {n_regions!r}"
        )
    fractions = {
        name: _fraction(name, value)
        for name, value in (
            ("adverse_fraction", adverse_fraction),
            ("decline_fraction", decline_fraction),
            ("retest_fraction", retest_fraction),
            ("missing_rate", missing_rate),
            ("straightliner_rate", straightliner_rate),
        )
    }
    if fractions["adverse_fraction"] + fractions["decline_fraction"] > 1:
        raise ValueError(
            "adverse_fraction + decline_fraction must be at most 1 (the planted sets are "
            f"disjoint), got {adverse_fraction!r} + {decline_fraction!r}"
        )
    if fractions["decline_fraction"] > 0 and len(window_names) < 2:
        raise ValueError(
            "a planted decline needs at least two windows; pass decline_fraction=0 "
            f"or more windows (got {window_names!r})"
        )
    stability = _real("retest_stability", retest_stability)
    if not -1 <= stability <= 1:
        raise ValueError(
            f"retest_stability must be a correlation in [-1, 1], got {retest_stability!r}"
        )
    if noninvariant_group is not None and noninvariant_group not in group_names:
        raise ValueError(
            f"noninvariant_group must be one of groups {group_names!r} or None, "
            f"got {noninvariant_group!r}"
        )
    factors = tuple(dict.fromkeys(s.factor for s in specs))
    k = len(factors)
    rho = _real("factor_correlation", factor_correlation)
    lower = -1.0 / (k - 1) if k > 1 else -math.inf
    if not lower < rho < 1:
        raise ValueError(
            f"factor_correlation must lie in ({lower:.4g}, 1) so that the {k} x {k} factor "
            f"correlation matrix is positive definite, got {factor_correlation!r}"
        )
    if adverse_factors is None:
        chosen = tuple(f for f in ("culture", "safety") if f in factors) or tuple(
            dict.fromkeys(s.factor for s in specs if s.adverse)
        )
        if not chosen and fractions["adverse_fraction"] > 0:
            raise ValueError(
                "no factor to lower at adverse placements: the items have no 'culture' or "
                "'safety' factor and no adverse item; pass adverse_factors or adverse_fraction=0"
            )
    else:
        chosen = _names("adverse_factors", adverse_factors)
        unknown = [f for f in chosen if f not in factors]
        if unknown:
            raise ValueError(f"adverse_factors {unknown!r} are not item factors {factors!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return build_pilot(
        specs,
        factors=factors,
        n=n,
        n_placements=None if n_placements is None else _count("n_placements", n_placements),
        n_providers=None if n_providers is None else _count("n_providers", n_providers),
        n_regions=int(n_regions),
        windows=window_names,
        groups=group_names,
        fractions=fractions,
        retest_stability=stability,
        noninvariant_group=noninvariant_group,
        factor_correlation=rho,
        placement_sd=_real("placement_sd", placement_sd, 0.0),
        window_sd=_real("window_sd", window_sd, 0.0),
        adverse_factors=chosen,
        adverse_shift=_real("adverse_shift", adverse_shift),
        decline_shift=_real("decline_shift", decline_shift),
        adverse_item_shift=_real("adverse_item_shift", adverse_item_shift),
        seed=int(seed),
    )
