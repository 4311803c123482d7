"""The generating model of synthetic pilots: vectorised NumPy, no loop over learners.

See :mod:`psychometrics.synthetic` for the model in formulas. Everything here
takes already-checked arguments; the public function checks them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from psychometrics._synth_items import ItemSpec

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Target cumulative proportions of answers 1 | 2 | 3 | 4 (5 is the rest) for an
# item of average difficulty, on the marginal latent response distribution.
# Positive items: 3 % strongly disagree ... 38 % strongly agree (78 % positive),
# the left skew of workplace-experience surveys, where most learners agree.
POSITIVE_CUMULATIVE = (0.03, 0.09, 0.22, 0.62)
# Reverse-keyed, not adverse ("My induction left important gaps"): 10 % agree strongly.
REVERSE_CUMULATIVE = (0.20, 0.50, 0.72, 0.90)
# Adverse indicators ("I experienced bullying"): about 10 % agree or strongly agree.
ADVERSE_CUMULATIVE = (0.50, 0.80, 0.90, 0.96)
# Criterion items: overall experience 88 % positive, would recommend 84 %.
CRITERION_CUMULATIVE = {"overall": (0.02, 0.05, 0.12, 0.50), "recommend": (0.03, 0.07, 0.16, 0.55)}
# Latent correlation of each criterion with the learner's standardized mean factor score.
CRITERION_VALIDITY = {"overall": 0.80, "recommend": 0.75}
# Probability of ticking each concern question, ordinary vs adverse placement.
CONCERN_RATES = {"patient_safety": (0.01, 0.15), "bullying": (0.02, 0.25)}
# Straight-liners' one answer: mostly all "strongly agree".
STRAIGHT_VALUES = (1.0, 2.0, 3.0, 4.0, 5.0)
STRAIGHT_PROBS = (0.08, 0.02, 0.10, 0.25, 0.55)
# Noninvariant group: (intercept shift on y*, loading multiplier) for up to three items;
# large enough that scalar invariance clearly fails by Chen's (2007) cut-offs.
NONINVARIANT_CHANGES = ((1.5, 1.0), (-1.5, 1.0), (1.5, 0.4))


@dataclass(frozen=True)
class Design:
    """Item parameters laid out as arrays, one entry per item column."""

    factor_index: IntArray  # column -> factor position
    loading: FloatArray  # signed generating loading (-lambda for reverse items)
    unique_sd: FloatArray  # sqrt(1 - lambda^2)
    thresholds: FloatArray  # items x 4
    adverse_cols: IntArray
    adverse_item_shift: float
    ninv_group: int  # -1 when no group is noninvariant
    ninv_cols: IntArray
    ninv_loading: FloatArray  # the group's signed loading on those items
    ninv_intercept: FloatArray  # added to the group's latent response


def factor_matrix(k: int, r: float) -> FloatArray:
    """Equicorrelation matrix: ones on the diagonal, ``r`` elsewhere."""
    phi = np.full((k, k), float(r))
    np.fill_diagonal(phi, 1.0)
    return phi


def thresholds(items: Sequence[ItemSpec], between_var: float) -> FloatArray:
    """Cut points so each item's marginal answer distribution hits its target."""
    out = np.empty((len(items), 4))
    for j, item in enumerate(items):
        target = (
            ADVERSE_CUMULATIVE
            if item.adverse
            else REVERSE_CUMULATIVE
            if item.reverse
            else POSITIVE_CUMULATIVE
        )
        scale = np.sqrt(1.0 + item.loading**2 * between_var)
        out[j] = ndtri(np.asarray(target)) * scale + item.difficulty
    return out


def noninvariant_items(items: Sequence[ItemSpec], factors: Sequence[str]) -> list[int]:
    """Up to three non-reverse items, first from distinct factors, in factor order."""
    seen: dict[str, int] = {}
    ranked: list[tuple[int, int, int]] = []
    for j, item in enumerate(items):
        if item.reverse:
            continue
        rank = seen.get(item.factor, 0)
        seen[item.factor] = rank + 1
        ranked.append((rank, factors.index(item.factor), j))
    return [j for _, _, j in sorted(ranked)[: len(NONINVARIANT_CHANGES)]]


def latent_responses(
    design: Design,
    eta: FloatArray,
    noise: FloatArray,
    group: IntArray,
    adverse_response: BoolArray,
) -> FloatArray:
    """y* = lambda * eta_f + sqrt(1 - lambda^2) * eps (+ planted item effects)."""
    ystar = eta[:, design.factor_index] * design.loading + noise * design.unique_sd
    if design.adverse_cols.size and design.adverse_item_shift:
        ystar[:, design.adverse_cols] += design.adverse_item_shift * adverse_response[:, None]
    if design.ninv_group >= 0 and design.ninv_cols.size:
        rows = np.flatnonzero(group == design.ninv_group)
        cols = design.ninv_cols
        f = design.factor_index[cols]
        ystar[np.ix_(rows, cols)] = (
            eta[rows][:, f] * design.ninv_loading
            + noise[np.ix_(rows, cols)] * np.sqrt(1.0 - design.ninv_loading**2)
            + design.ninv_intercept
        )
    return ystar


def discretise(ystar: FloatArray, cuts: FloatArray) -> FloatArray:
    """Ordinal 1-5: one plus the number of cut points below the latent response."""
    out = np.ones(ystar.shape)
    for a in range(cuts.shape[-1]):
        out += ystar > cuts[..., a]
    return out


def finish(
    answers: FloatArray,
    straight: BoolArray,
    straight_value: FloatArray,
    missing_prob: FloatArray,
    rng: np.random.Generator,
) -> None:
    """In place: straight-liners answer one value throughout; others go missing at random."""
    missing = rng.random(answers.shape) < missing_prob
    missing[straight] = False
    answers[missing] = np.nan
    answers[straight] = straight_value[straight, None]


def hex_codes(n: int, rng: np.random.Generator) -> npt.NDArray[np.object_]:
    """``n`` distinct random 12-hex-digit codes."""
    values = rng.integers(0, 2**48, size=n, dtype=np.int64)
    while np.unique(values).size < n:  # astronomically rare; redraw the repeats
        _, first = np.unique(values, return_index=True)
        repeat = np.setdiff1d(np.arange(n), first)
        values[repeat] = rng.integers(0, 2**48, size=repeat.size, dtype=np.int64)
    return np.array([f"{v:012x}" for v in values.tolist()], dtype=object)


def sample_within_windows(
    window: IntArray, n_windows: int, fraction: float, rng: np.random.Generator
) -> IntArray:
    """Indices of a simple random sample of ``round(fraction * n_w)`` rows per window."""
    order = np.lexsort((rng.random(window.size), window))
    counts = np.bincount(window, minlength=n_windows)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    take = np.repeat(np.rint(fraction * counts).astype(np.int64), counts)
    chosen = order[(np.arange(window.size) - starts) < take]
    return np.sort(chosen)
