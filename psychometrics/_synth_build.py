"""Assemble a synthetic pilot from checked arguments (see :mod:`psychometrics.synthetic`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtri

from psychometrics import _synth_model as model
from psychometrics._synth_items import ItemSpec
from psychometrics._synth_names import code, organisation_tables
from psychometrics._synth_types import PilotTruth, SyntheticPilot

# Share of NETS learners in each group (nursing and medical largest); groups not
# listed get the median share. Illustrative, not published figures.
GROUP_SHARES: dict[str, float] = {
    "medical": 0.28,
    "dental": 0.03,
    "nursing": 0.32,
    "midwifery": 0.07,
    "allied_health": 0.12,
    "pharmacy": 0.05,
    "healthcare_science": 0.04,
    "paramedicine": 0.04,
    "apprentice": 0.05,
}
# Gamma shape of placement popularity: small shapes give many small placements
# (1-4 responses in a window) beside a few large ones.
PLACEMENT_SIZE_SHAPE = 0.8
THRESHOLD_COLUMNS = ["t1", "t2", "t3", "t4"]
STREAMS = (
    "organisation",
    "placements",
    "allocation",
    "latent",
    "noise",
    "straight",
    "missing",
    "criterion",
    "concern",
    "retest",
)


def _design(
    specs: Sequence[ItemSpec],
    factors: Sequence[str],
    tau: model.FloatArray,
    adverse_item_shift: float,
    ninv_group: int,
) -> tuple[model.Design, pd.DataFrame]:
    sign = np.array([-1.0 if s.reverse else 1.0 for s in specs])
    lam = np.array([float(s.loading) for s in specs]) * sign
    cols = model.noninvariant_items(specs, factors) if ninv_group >= 0 else []
    changes = model.NONINVARIANT_CHANGES[: len(cols)]
    ninv_loading = np.array([lam[j] * mult for j, (_, mult) in zip(cols, changes, strict=True)])
    ninv_intercept = np.array([shift for shift, _ in changes], dtype=float)
    design = model.Design(
        factor_index=np.array([factors.index(s.factor) for s in specs], dtype=np.int64),
        loading=lam,
        unique_sd=np.sqrt(1.0 - lam**2),
        thresholds=tau,
        adverse_cols=np.array([j for j, s in enumerate(specs) if s.adverse], dtype=np.int64),
        adverse_item_shift=adverse_item_shift,
        ninv_group=ninv_group,
        ninv_cols=np.array(cols, dtype=np.int64),
        ninv_loading=ninv_loading.reshape(-1),
        ninv_intercept=ninv_intercept,
    )
    table = pd.DataFrame(
        {
            "item": [specs[j].id for j in cols],
            "loading": lam[cols] if cols else np.array([], dtype=float),
            "group_loading": design.ninv_loading,
            "intercept_shift": ninv_intercept,
        }
    )
    return design, table


def build_pilot(
    specs: tuple[ItemSpec, ...],
    *,
    factors: tuple[str, ...],
    n: int,
    n_placements: int | None,
    n_providers: int | None,
    n_regions: int,
    windows: tuple[str, ...],
    groups: tuple[str, ...],
    fractions: Mapping[str, float],
    retest_stability: float,
    noninvariant_group: str | None,
    factor_correlation: float,
    placement_sd: float,
    window_sd: float,
    adverse_factors: tuple[str, ...],
    adverse_shift: float,
    decline_shift: float,
    adverse_item_shift: float,
    seed: int,
) -> SyntheticPilot:
    """Generate every frame of a pilot; arguments are already checked."""
    rngs = dict(
        zip(
            STREAMS,
            (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(STREAMS))),
            strict=True,
        )
    )
    k, n_windows = len(factors), len(windows)
    ids = [s.id for s in specs]
    n_pl = n_placements or max(1, round(n / (15 * n_windows)))
    n_pr = n_providers or max(1, round(n_pl / 8))
    regions, providers, placements = organisation_tables(
        n_regions, n_pr, n_pl, rngs["organisation"]
    )
    phi = model.factor_matrix(k, factor_correlation)
    chol = np.linalg.cholesky(phi)

    # Placement x window latent means, with the planted adverse and declining placements.
    rng = rngs["placements"]
    mu = placement_sd * rng.standard_normal((n_pl, 1, k)) @ chol.T
    mu = mu + window_sd * rng.standard_normal((n_pl, n_windows, k)) @ chol.T
    order = rng.permutation(n_pl)
    n_adv = round(fractions["adverse_fraction"] * n_pl)
    n_dec = round(fractions["decline_fraction"] * n_pl)
    is_adverse = np.zeros(n_pl, dtype=bool)
    is_adverse[order[:n_adv]] = True
    is_declining = np.zeros(n_pl, dtype=bool)
    is_declining[order[n_adv : n_adv + n_dec]] = True
    adverse_f = np.isin(np.array(factors), np.array(adverse_factors))
    mu -= adverse_shift * is_adverse[:, None, None] * adverse_f[None, None, :]
    mu[:, -1, :] -= decline_shift * is_declining[:, None]

    # Who answers where: unequal placement sizes, even windows, unequal groups.
    rng = rngs["allocation"]
    popularity = rng.gamma(PLACEMENT_SIZE_SHAPE, 1.0, size=n_pl)
    share = np.array([GROUP_SHARES.get(g, np.nan) for g in groups])
    share[np.isnan(share)] = np.median(list(GROUP_SHARES.values()))
    share /= share.sum()
    placement = rng.choice(n_pl, size=n, p=popularity / popularity.sum())
    window = rng.integers(0, n_windows, size=n)
    group = rng.choice(len(groups), size=n, p=share)
    tidy = np.lexsort((placement, window))
    placement, window, group = placement[tidy], window[tidy], group[tidy]

    between_var = placement_sd**2 + window_sd**2
    tau = model.thresholds(specs, between_var)
    ninv = groups.index(noninvariant_group) if noninvariant_group is not None else -1
    design, ninv_table = _design(specs, factors, tau, adverse_item_shift, ninv)

    delta = rngs["latent"].standard_normal((n, k)) @ chol.T
    eta = mu[placement, window] + delta
    adverse_resp = is_adverse[placement]
    ystar = model.latent_responses(
        design, eta, rngs["noise"].standard_normal((n, len(specs))), group, adverse_resp
    )
    answers = model.discretise(ystar, tau)
    rng = rngs["straight"]
    straight = rng.random(n) < fractions["straightliner_rate"]
    straight_value = rng.choice(np.array(model.STRAIGHT_VALUES), size=n, p=model.STRAIGHT_PROBS)
    na = np.array([s.na_rate for s in specs])
    missing_prob = 1.0 - (1.0 - fractions["missing_rate"]) * (1.0 - na)
    model.finish(answers, straight, straight_value, missing_prob, rngs["missing"])

    # Criterion items from the learner's standardized mean factor latent.
    rng = rngs["criterion"]
    sd_mean = np.sqrt(phi.sum()) / k
    standard = eta.mean(axis=1) / sd_mean
    crit_names = list(model.CRITERION_CUMULATIVE)
    validity = np.array([model.CRITERION_VALIDITY[c] for c in crit_names])
    crit_tau = np.array(
        [
            ndtri(np.asarray(model.CRITERION_CUMULATIVE[c])) * np.sqrt(1 + r**2 * between_var)
            for c, r in zip(crit_names, validity, strict=True)
        ]
    )
    cstar = standard[:, None] * validity + rng.standard_normal((n, 2)) * np.sqrt(1 - validity**2)
    criteria = model.discretise(cstar, crit_tau)
    model.finish(criteria, straight, straight_value, np.full(2, fractions["missing_rate"]), rng)

    rng = rngs["concern"]
    concern = {}
    for name, (base, adverse) in model.CONCERN_RATES.items():
        concern[name] = rng.random(n) < np.where(adverse_resp, adverse, base)

    response_id = code("RSP", np.arange(1, n + 1), 7)
    pl_codes = placements["placement"].to_numpy()
    meta = {
        "response_id": response_id,
        "placement": pl_codes[placement],
        "provider": placements["provider"].to_numpy()[placement],
        "region": placements["region"].to_numpy()[placement],
        "window": np.array(windows, dtype=object)[window],
        "group": np.array(groups, dtype=object)[group],
    }
    responses = pd.concat(
        [
            pd.DataFrame(meta),
            pd.DataFrame(answers, columns=ids),
            pd.DataFrame(
                {
                    "overall": criteria[:, 0],
                    "recommend": criteria[:, 1],
                    "concern_patient_safety": concern["patient_safety"],
                    "concern_bullying": concern["bullying"],
                }
            ),
        ],
        axis=1,
    )

    # Retest: same placement, window and group; correlated learner latent, fresh noise.
    rng = rngs["retest"]
    chosen = model.sample_within_windows(window, n_windows, fractions["retest_fraction"], rng)
    m = chosen.size
    delta2 = retest_stability * delta[chosen] + np.sqrt(1.0 - retest_stability**2) * (
        rng.standard_normal((m, k)) @ chol.T
    )
    eta2 = mu[placement[chosen], window[chosen]] + delta2
    ystar2 = model.latent_responses(
        design, eta2, rng.standard_normal((m, len(specs))), group[chosen], adverse_resp[chosen]
    )
    answers2 = model.discretise(ystar2, tau)
    model.finish(answers2, straight[chosen], straight_value[chosen], missing_prob, rng)
    retest_code = model.hex_codes(m, rng)
    interval = rng.integers(7, 22, size=m)
    pair_items = np.empty((2 * m, len(specs)))
    pair_items[0::2], pair_items[1::2] = answers[chosen], answers2
    twice = np.repeat(chosen, 2)
    retest = pd.concat(
        [
            pd.DataFrame(
                {
                    "retest_code": np.repeat(retest_code, 2),
                    "occasion": np.tile(np.array([1, 2], dtype=np.int64), m),
                    "interval_days": np.repeat(interval.astype(np.int64), 2),
                    "placement": meta["placement"][twice],
                    "window": meta["window"][twice],
                    "group": meta["group"][twice],
                }
            ),
            pd.DataFrame(pair_items, columns=ids),
        ],
        axis=1,
    )

    effects = pd.DataFrame(mu.reshape(n_pl * n_windows, k), columns=list(factors))
    effects.insert(0, "window", np.tile(np.array(windows, dtype=object), n_pl))
    effects.insert(0, "placement", np.repeat(pl_codes, n_windows))
    lam_matrix = np.zeros((len(specs), k))
    lam_matrix[np.arange(len(specs)), design.factor_index] = design.loading
    loadings = pd.DataFrame(lam_matrix, index=pd.Index(ids, name="item"), columns=list(factors))
    crit_weights = pd.DataFrame(
        np.outer(validity / (k * sd_mean), np.ones(k)), index=crit_names, columns=list(factors)
    )
    truth = PilotTruth(
        factors=factors,
        loadings=loadings,
        factor_correlations=pd.DataFrame(phi, index=list(factors), columns=list(factors)),
        thresholds=pd.DataFrame(tau, index=pd.Index(ids, name="item"), columns=THRESHOLD_COLUMNS),
        placement_effects=effects,
        adverse_placements=frozenset(pl_codes[is_adverse].tolist()),
        declining_placements=frozenset(pl_codes[is_declining].tolist()),
        retest_stability=retest_stability,
        straightliners=frozenset(response_id[straight].tolist()),
        noninvariant_group=noninvariant_group,
        noninvariant_items=tuple(ninv_table["item"]),
        n_factors=k,
        noninvariant_changes=ninv_table,
        adverse_factors=adverse_factors,
        adverse_shift=adverse_shift,
        decline_shift=decline_shift,
        adverse_item_shift=adverse_item_shift,
        placement_sd=placement_sd,
        window_sd=window_sd,
        group_shares=pd.Series(share, index=list(groups), name="share"),
        criterion_weights=crit_weights,
        criterion_thresholds=pd.DataFrame(crit_tau, index=crit_names, columns=THRESHOLD_COLUMNS),
        concern_rates=pd.DataFrame(
            list(model.CONCERN_RATES.values()),
            index=list(model.CONCERN_RATES),
            columns=["base", "adverse"],
        ),
        retest_links=pd.DataFrame({"retest_code": retest_code, "response_id": response_id[chosen]}),
        missing_rate=fractions["missing_rate"],
        straightliner_rate=fractions["straightliner_rate"],
    )
    return SyntheticPilot(
        items=specs,
        regions=regions,
        providers=providers,
        placements=placements,
        windows=windows,
        responses=responses,
        retest=retest,
        truth=truth,
    )
