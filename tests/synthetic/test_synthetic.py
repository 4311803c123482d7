"""The synthetic pilot generator: reproducible, well-formed, and its planted truth is visible.

The generator has no published values to test against; its oracle is the model it
states. Tests check the frames' contract, that stated rates come out at their
settings within sampling error (bounds derived from the binomial SE, noted beside
each), and that every planted effect shows in simple summaries of the data.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import psychometrics as pm
from psychometrics.synthetic import DEFAULT_GROUPS

META = ["response_id", "placement", "provider", "region", "window", "group"]
EXTRA = ["overall", "recommend", "concern_patient_safety", "concern_bullying"]


@pytest.fixture(scope="module")
def pilot() -> pm.SyntheticPilot:
    return pm.generate_pilot(n_responses=20_000, seed=11)


@pytest.fixture(scope="module")
def big() -> pm.SyntheticPilot:
    # Larger pilot for rates and planted effects: 60k responses, 400 placements
    # (about 50 per placement-window), 10 % adverse, 10 % declining.
    return pm.generate_pilot(
        n_responses=60_000,
        n_placements=400,
        adverse_fraction=0.1,
        decline_fraction=0.1,
        missing_rate=0.05,
        straightliner_rate=0.02,
        seed=5,
    )


def item_ids(p: pm.SyntheticPilot) -> list[str]:
    return [item.id for item in p.items]


# ---------------------------------------------------------------- determinism


def test_same_seed_gives_identical_frames() -> None:
    a = pm.generate_pilot(n_responses=3000, noninvariant_group="nursing", seed=3)
    b = pm.generate_pilot(n_responses=3000, noninvariant_group="nursing", seed=3)
    for name in ("regions", "providers", "placements", "responses", "retest"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    for name in ("loadings", "thresholds", "placement_effects", "retest_links"):
        pd.testing.assert_frame_equal(getattr(a.truth, name), getattr(b.truth, name))
    assert a.truth.adverse_placements == b.truth.adverse_placements
    assert a.truth.straightliners == b.truth.straightliners


def test_different_seed_gives_different_data() -> None:
    a = pm.generate_pilot(n_responses=3000, seed=3).responses
    b = pm.generate_pilot(n_responses=3000, seed=4).responses
    assert not a.equals(b)


def test_changing_missing_rate_keeps_the_latent_draws() -> None:
    # Separate random streams: only missingness differs, so every answer present
    # in both pilots is the same answer.
    a = pm.generate_pilot(n_responses=3000, missing_rate=0.0, seed=8)
    b = pm.generate_pilot(n_responses=3000, missing_rate=0.3, seed=8)
    ids = item_ids(a)
    both = b.responses[ids].notna().to_numpy()
    np.testing.assert_array_equal(
        a.responses[ids].to_numpy()[both], b.responses[ids].to_numpy()[both]
    )


# ---------------------------------------------------------------- shapes and columns


def test_response_columns_and_types(pilot: pm.SyntheticPilot) -> None:
    r = pilot.responses
    ids = item_ids(pilot)
    assert list(r.columns) == META + ids + EXTRA
    assert len(r) == 20_000
    assert r["response_id"].is_unique
    assert all(r[c].dtype == np.float64 for c in ids + ["overall", "recommend"])
    assert r["concern_patient_safety"].dtype == bool
    assert r["concern_bullying"].dtype == bool
    assert set(r["window"]) == {"2024", "2025", "2026"}
    assert set(r["group"]) == set(DEFAULT_GROUPS)


def test_default_items_contract() -> None:
    items = pm.default_items()
    assert len(items) == 40
    per_factor = pd.Series([i.factor for i in items]).value_counts()
    assert set(per_factor.index) == {
        "induction",
        "supervision",
        "learning",
        "culture",
        "facilities",
        "safety",
    }
    assert per_factor.between(6, 8).all()
    adverse = [i for i in items if i.adverse]
    assert 5 <= len(adverse) <= 6
    assert all(i.reverse for i in adverse)
    assert any(i.reverse and not i.adverse for i in items)


def test_organisation_tables_nest(pilot: pm.SyntheticPilot) -> None:
    regions, providers, placements = pilot.regions, pilot.providers, pilot.placements
    assert list(regions.columns) == ["region", "region_name"]
    assert list(regions["region"]) == [f"R{k}" for k in range(1, 8)]
    assert "London" in set(regions["region_name"])
    assert list(providers.columns) == ["provider", "provider_name", "region"]
    assert all(re.fullmatch(r"PR\d{3}", c) for c in providers["provider"])
    assert providers["provider_name"].str.contains("NHS").all()
    assert list(placements.columns) == [
        "placement",
        "placement_name",
        "provider",
        "region",
        "specialty",
    ]
    assert all(re.fullmatch(r"PL\d{4}", c) for c in placements["placement"])
    assert placements["placement_name"].is_unique
    assert set(placements["provider"]) <= set(providers["provider"])
    joined = placements.merge(providers, on="provider", suffixes=("", "_pr"))
    assert (joined["region"] == joined["region_pr"]).all()
    r = pilot.responses.merge(placements, on="placement", suffixes=("", "_pl"))
    assert (r["provider"] == r["provider_pl"]).all()
    assert (r["region"] == r["region_pl"]).all()


def test_placement_sizes_are_unequal_with_small_ones(pilot: pm.SyntheticPilot) -> None:
    n = pilot.responses.groupby(["placement", "window"]).size()
    assert (n <= 4).any()
    assert n.max() >= 5 * n.median()


def test_groups_unequal_nursing_and_medical_largest(pilot: pm.SyntheticPilot) -> None:
    share = pilot.responses["group"].value_counts(normalize=True)
    assert set(share.index[:2]) == {"nursing", "medical"}


def test_windows_roughly_equal(pilot: pm.SyntheticPilot) -> None:
    share = pilot.responses["window"].value_counts(normalize=True)
    # binomial SE at n = 20,000 and p = 1/3 is 0.0033; allow 4 SE
    assert np.allclose(share, 1 / 3, atol=0.014)


def test_truth_tables_are_complete(pilot: pm.SyntheticPilot) -> None:
    t = pilot.truth
    ids = item_ids(pilot)
    assert t.n_factors == 6 == len(t.factors)
    assert list(t.loadings.index) == ids and list(t.loadings.columns) == list(t.factors)
    assert ((t.loadings != 0).sum(axis=1) == 1).all()
    reverse = [i.id for i in pilot.items if i.reverse]
    assert (t.loadings.loc[reverse].sum(axis=1) < 0).all()
    assert np.allclose(np.diag(t.factor_correlations), 1.0)
    assert list(t.thresholds.index) == ids
    assert (np.diff(t.thresholds.to_numpy(), axis=1) > 0).all()
    assert len(t.placement_effects) == len(pilot.placements) * len(pilot.windows)
    assert list(t.placement_effects.columns) == ["placement", "window", *t.factors]
    assert t.adverse_placements.isdisjoint(t.declining_placements)
    assert t.adverse_placements <= set(pilot.placements["placement"])


# ---------------------------------------------------------------- values and rates


def test_answers_are_likert_or_missing(pilot: pm.SyntheticPilot) -> None:
    values = pilot.responses[item_ids(pilot) + ["overall", "recommend"]].to_numpy()
    present = values[~np.isnan(values)]
    assert set(np.unique(present)) == {1.0, 2.0, 3.0, 4.0, 5.0}


def test_distribution_is_left_skewed_for_positive_items(pilot: pm.SyntheticPilot) -> None:
    positive = [i.id for i in pilot.items if not i.reverse]
    adverse = [i.id for i in pilot.items if i.adverse]
    agree = (pilot.responses[positive] >= 4).mean()
    assert agree.between(0.6, 0.9).all()
    endorse = (pilot.responses[adverse] >= 4).mean()
    assert endorse.between(0.04, 0.25).all()


def test_missing_rates_match_settings(big: pm.SyntheticPilot) -> None:
    r = big.responses
    keep = ~r["response_id"].isin(big.truth.straightliners)
    observed = r.loc[keep, item_ids(big)].isna().mean()
    expected = pd.Series({i.id: 1 - (1 - 0.05) * (1 - i.na_rate) for i in big.items})
    # binomial SE at n ~ 58,800 is at most 0.0013; allow 4 SE
    np.testing.assert_allclose(observed, expected, atol=0.0052)
    np.testing.assert_allclose(
        r.loc[keep, ["overall", "recommend"]].isna().mean(), 0.05, atol=0.004
    )


def test_straightliners_rate_and_behaviour(big: pm.SyntheticPilot) -> None:
    r = big.responses.set_index("response_id")
    ids = item_ids(big)
    liners = r.loc[sorted(big.truth.straightliners), ids]
    # binomial SE of a 2 % rate at n = 60,000 is 0.00057; allow 4 SE
    assert abs(len(liners) / len(r) - 0.02) < 0.0023
    assert (liners.nunique(axis=1) == 1).all() and liners.notna().all().all()
    others = r.drop(index=liners.index)[ids]
    assert (others.nunique(axis=1) > 1).mean() > 0.99


def test_concern_rates_are_low_and_higher_at_adverse_placements(big: pm.SyntheticPilot) -> None:
    r = big.responses
    adverse = r["placement"].isin(big.truth.adverse_placements)
    for concern, name in (
        ("concern_patient_safety", "patient_safety"),
        ("concern_bullying", "bullying"),
    ):
        base, high = big.truth.concern_rates.loc[name, ["base", "adverse"]]
        assert abs(r.loc[~adverse, concern].mean() - base) < 4 * np.sqrt(base / (~adverse).sum())
        assert abs(r.loc[adverse, concern].mean() - high) < 4 * np.sqrt(high / adverse.sum())


def test_retest_shape_and_sampling(pilot: pm.SyntheticPilot) -> None:
    rt, r = pilot.retest, pilot.responses
    ids = item_ids(pilot)
    cols = ["retest_code", "occasion", "interval_days", "placement", "window", "group"]
    assert list(rt.columns) == cols + ids
    occasions = rt.groupby("retest_code")["occasion"].agg(lambda o: tuple(sorted(o)))
    assert (occasions == (1, 2)).all()
    assert rt["retest_code"].str.fullmatch(r"[0-9a-f]{12}").all()
    assert rt.groupby("retest_code")["interval_days"].nunique().eq(1).all()
    assert rt["interval_days"].between(7, 21).all()
    assert set(rt["interval_days"]) == set(range(7, 22))
    first = rt[rt["occasion"] == 1]
    per_window = first["window"].value_counts().sort_index()
    expected = np.rint(0.1 * r["window"].value_counts().sort_index())
    pd.testing.assert_series_equal(per_window, expected.astype(per_window.dtype), check_names=False)
    # occasion 1 repeats the linked response; occasion 2 stays at the same placement
    links = pilot.truth.retest_links.merge(r, on="response_id")
    one = first.set_index("retest_code").loc[links["retest_code"]]
    np.testing.assert_array_equal(one[ids].to_numpy(), links[ids].to_numpy())
    assert (one["placement"].to_numpy() == links["placement"].to_numpy()).all()
    second = rt[rt["occasion"] == 2].set_index("retest_code").loc[links["retest_code"]]
    assert (
        second[["placement", "window", "group"]].to_numpy()
        == one[["placement", "window", "group"]].to_numpy()
    ).all()


# ---------------------------------------------------------------- planted truth


def keyed(p: pm.SyntheticPilot) -> pd.DataFrame:
    """Answers with reverse items turned round (higher = better everywhere)."""
    ids = item_ids(p)
    out = p.responses[ids].copy()
    rev = [i.id for i in p.items if i.reverse]
    out[rev] = 6 - out[rev]
    return out


def test_adverse_placements_score_lower_on_culture_and_safety(big: pm.SyntheticPilot) -> None:
    r, k = big.responses, keyed(big)
    adverse = r["placement"].isin(big.truth.adverse_placements)
    for factor in ("culture", "safety"):
        cols = [i.id for i in big.items if i.factor == factor]
        gap = k.loc[~adverse, cols].mean(axis=1).mean() - k.loc[adverse, cols].mean(axis=1).mean()
        assert gap > 0.4, factor
    # the unshifted themes differ far less
    cols = [i.id for i in big.items if i.factor == "facilities"]
    gap = k.loc[~adverse, cols].mean(axis=1).mean() - k.loc[adverse, cols].mean(axis=1).mean()
    assert abs(gap) < 0.15


def test_adverse_items_endorsed_far_more_at_adverse_placements(big: pm.SyntheticPilot) -> None:
    r = big.responses
    adverse = r["placement"].isin(big.truth.adverse_placements)
    cols = [i.id for i in big.items if i.adverse]
    ratio = (r.loc[adverse, cols] >= 4).mean() / (r.loc[~adverse, cols] >= 4).mean()
    assert (ratio > 2).all()


def test_declining_placements_fall_in_last_window(big: pm.SyntheticPilot) -> None:
    r, k = big.responses, keyed(big)
    score = k.mean(axis=1).groupby([r["placement"], r["window"]]).mean().unstack()
    change = score["2026"] - score["2025"]
    declining = change.index.isin(big.truth.declining_placements)
    assert change[declining].mean() < -0.35
    assert abs(change[~declining].mean()) < 0.05
    earlier = score["2025"] - score["2024"]
    assert abs(earlier[declining].mean()) < 0.1


def test_within_factor_correlations_exceed_between(big: pm.SyntheticPilot) -> None:
    corr = keyed(big).corr().to_numpy()
    factor = np.array([i.factor for i in big.items])
    same = factor[:, None] == factor[None, :]
    off = ~np.eye(len(factor), dtype=bool)
    within = corr[same & off].mean()
    between = corr[~same].mean()
    assert within > between + 0.1


def test_placement_effects_match_the_data(big: pm.SyntheticPilot) -> None:
    r, k = big.responses, keyed(big)
    cols = [i.id for i in big.items if i.factor == "culture"]
    observed = k[cols].mean(axis=1).groupby([r["placement"], r["window"]]).mean()
    n = r.groupby(["placement", "window"]).size()
    truth = big.truth.placement_effects.set_index(["placement", "window"])["culture"]
    both = pd.concat([observed.rename("obs"), truth, n.rename("n")], axis=1).dropna()
    both = both[both["n"] >= 20]
    assert np.corrcoef(both["obs"], both["culture"])[0, 1] > 0.8


def test_noninvariant_group_differs_on_its_items() -> None:
    p = pm.generate_pilot(n_responses=30_000, noninvariant_group="medical", seed=2)
    changes = p.truth.noninvariant_changes
    assert p.truth.noninvariant_items == tuple(changes["item"])
    assert len(changes) == 3
    assert len({next(i.factor for i in p.items if i.id == c) for c in changes["item"]}) == 3
    r = p.responses
    med = r["group"] == "medical"
    # intercept shifts show as mean differences beyond the other items'
    first, second, third = changes["item"]
    other = [i.id for i in p.items if not i.reverse and i.id not in set(changes["item"])]
    baseline = r.loc[med, other].mean().mean() - r.loc[~med, other].mean().mean()
    assert r.loc[med, first].mean() - r.loc[~med, first].mean() - baseline > 0.5
    assert r.loc[med, second].mean() - r.loc[~med, second].mean() - baseline < -0.5
    # the weaker loading shows as a weaker correlation with the item's own theme
    factor = next(i.factor for i in p.items if i.id == third)
    mates = [i.id for i in p.items if i.factor == factor and not i.reverse and i.id != third]

    def theme_corr(rows: pd.Series) -> float:
        part = r.loc[rows]
        return float(part[third].corr(part[mates].mean(axis=1)))

    assert theme_corr(med) < theme_corr(~med) - 0.2


def test_no_noninvariance_unless_asked(pilot: pm.SyntheticPilot) -> None:
    assert pilot.truth.noninvariant_group is None
    assert pilot.truth.noninvariant_items == ()


def complete_items() -> list[pm.ItemSpec]:
    return [replace(item, na_rate=0.0) for item in pm.default_items()]


def observed_retest(p: pm.SyntheticPilot, cols: list[str]) -> tuple[float, int]:
    """Pearson r of keyed sum scores over retest pairs complete on ``cols``."""
    rt = p.retest.sort_values(["retest_code", "occasion"])
    scores = rt[cols].copy()
    rev = [i.id for i in p.items if i.reverse and i.id in cols]
    scores[rev] = 6 - scores[rev]
    one = scores[rt["occasion"].to_numpy() == 1].to_numpy()
    two = scores[rt["occasion"].to_numpy() == 2].to_numpy()
    ok = ~(np.isnan(one).any(axis=1) | np.isnan(two).any(axis=1))
    return float(np.corrcoef(one[ok].sum(axis=1), two[ok].sum(axis=1))[0, 1]), int(ok.sum())


RETEST_PILOTS = {
    # complete answers, no straight-liners: the ordinal factor model alone
    "complete": {"missing_rate": 0.0, "straightliner_rate": 0.0, "complete": True},
    # defaults plus more straight-liners and a noninvariant group: the mixture terms
    "messy": {"straightliner_rate": 0.03, "noninvariant_group": "nursing"},
}


@pytest.mark.parametrize("pilot_kind", sorted(RETEST_PILOTS))
@pytest.mark.parametrize("score", ["total", "culture", "cul_1", "saf_4"])
def test_retest_correlation_matches_the_model(pilot_kind: str, score: str) -> None:
    kwargs = dict(RETEST_PILOTS[pilot_kind])
    items = complete_items() if kwargs.pop("complete", False) else None
    p = pm.generate_pilot(items, n_responses=40_000, retest_fraction=0.5, seed=21, **kwargs)
    cols = {
        "total": p.item_ids,
        "culture": [i.id for i in p.items if i.factor == "culture"],
    }.get(score, [score])
    observed, n = observed_retest(p, cols)
    expected = p.expected_retest_correlation(cols, n_draws=50_000, seed=1)
    # sampling SE of r is (1 - r^2) / sqrt(n); Monte Carlo SD of the expectation
    # at 50,000 draws is at most 0.002 (measured over seeds); allow 4 combined SE
    se = np.hypot((1 - expected**2) / np.sqrt(n), 0.002)
    assert abs(observed - expected) < 4 * se, (observed, expected, n)


def test_retest_correlation_is_below_latent_stability_for_one_item() -> None:
    p = pm.generate_pilot(n_responses=2000, seed=2)
    assert p.expected_retest_correlation(["cul_1"], n_draws=5000) < p.truth.retest_stability


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"columns": ["nope"]}, "columns \\['nope'\\] are not items of this pilot"),
        ({"columns": []}, "columns must name at least one item"),
        ({"columns": "cul_1"}, "not one string"),
        ({"columns": ["cul_1", "cul_1"]}, "columns must be distinct"),
        ({"n_draws": 10}, "n_draws must be an integer >= 1000"),
    ],
)
def test_expected_retest_correlation_bad_input(kwargs: dict, message: str) -> None:
    p = pm.generate_pilot(n_responses=500, seed=2)
    with pytest.raises(ValueError, match=message):
        p.expected_retest_correlation(**kwargs)


def test_expected_retest_correlation_needs_pairs() -> None:
    p = pm.generate_pilot(n_responses=500, retest_fraction=0, seed=2)
    assert p.retest.empty
    with pytest.raises(ValueError, match="retest_fraction > 0"):
        p.expected_retest_correlation()


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_responses": 0}, "n_responses must be an integer >= 1"),
        ({"n_responses": 2.5}, "n_responses must be an integer >= 1"),
        ({"adverse_fraction": -0.1}, "adverse_fraction must be a number in \\[0, 1\\]"),
        ({"decline_fraction": 1.5}, "decline_fraction must be a number in \\[0, 1\\]"),
        ({"retest_fraction": float("nan")}, "retest_fraction must be a number in \\[0, 1\\]"),
        ({"missing_rate": 2}, "missing_rate must be a number in \\[0, 1\\]"),
        ({"straightliner_rate": -1}, "straightliner_rate must be a number in \\[0, 1\\]"),
        ({"adverse_fraction": 0.6, "decline_fraction": 0.6}, "at most 1"),
        ({"noninvariant_group": "astronaut"}, "noninvariant_group must be one of groups"),
        ({"windows": ()}, "windows must not be empty"),
        ({"windows": "2024"}, "windows must be a sequence of strings"),
        ({"windows": ("2024", "2024")}, "windows must be distinct"),
        ({"groups": []}, "groups must not be empty"),
        ({"windows": ("2024",)}, "a planted decline needs at least two windows"),
        ({"retest_stability": 1.2}, "retest_stability must be a correlation"),
        ({"factor_correlation": 1.0}, "factor_correlation must lie in"),
        ({"factor_correlation": -0.3}, "factor_correlation must lie in"),
        ({"placement_sd": -0.1}, "placement_sd must be a finite number >= 0"),
        ({"n_regions": 8}, "n_regions must be an integer from 1 to 7"),
        ({"n_placements": 0}, "n_placements must be an integer >= 1"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"adverse_factors": ("morale",)}, "adverse_factors \\['morale'\\] are not item factors"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pm.generate_pilot(n_responses=kwargs.pop("n_responses", 100), **kwargs)


def test_duplicate_item_ids_rejected() -> None:
    items = [pm.ItemSpec("a_1", "a"), pm.ItemSpec("a_1", "a")]
    with pytest.raises(ValueError, match="item ids must be unique, got duplicates \\['a_1'\\]"):
        pm.generate_pilot(items, n_responses=10, adverse_fraction=0)


def test_item_id_clashing_with_a_column_rejected() -> None:
    with pytest.raises(ValueError, match="clash with generated columns"):
        pm.generate_pilot([pm.ItemSpec("overall", "a")], n_responses=10, adverse_fraction=0)


def test_empty_items_rejected() -> None:
    with pytest.raises(ValueError, match="items must hold at least one ItemSpec"):
        pm.generate_pilot([], n_responses=10)


@pytest.mark.parametrize("loading", [1.0, -1.0, 1.5, float("nan")])
def test_loading_outside_open_unit_interval_rejected(loading: float) -> None:
    with pytest.raises(ValueError, match="loading of item 'x' must be strictly between -1 and 1"):
        pm.ItemSpec("x", "f", loading=loading)


def test_adverse_item_must_be_reverse() -> None:
    with pytest.raises(ValueError, match="set reverse=True"):
        pm.ItemSpec("x", "f", adverse=True)


def test_custom_items_without_culture_need_adverse_factors() -> None:
    items = [pm.ItemSpec(f"a_{j}", "a") for j in range(3)]
    with pytest.raises(ValueError, match="pass adverse_factors or adverse_fraction=0"):
        pm.generate_pilot(items, n_responses=50)
    p = pm.generate_pilot(items, n_responses=50, adverse_factors=("a",), seed=1)
    assert p.truth.adverse_factors == ("a",)


def test_small_and_single_window_pilots_work() -> None:
    p = pm.generate_pilot(n_responses=1, windows=("2025",), decline_fraction=0, seed=0)
    assert len(p.responses) == 1
    assert len(p.placements) == 1
