"""The report recovers what a synthetic pilot planted (no database: the report's own section code).

Each pilot is generated from a stated factor model (``psychometrics.synthetic``), so the
right answers are known: the number of factors, the theme structure, the test-retest
correlation each score should have (``SyntheticPilot.expected_retest_correlation``), and
which learner group, if any, answers some items differently. Straight-liners are set to 0
where structure is checked (they add a spurious factor, as the generator documents).
"""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pytest

import psychometrics as pm
from nets_app.services.validation_common import Settings
from nets_app.services.validation_report import compute_report
from psychometrics.synthetic import DEFAULT_GROUPS
from tests.validation.pilots import pilot_input

FAST = Settings(n_boot=20)


@cache
def structure_pilot() -> pm.SyntheticPilot:
    # 3,000 learners in one window, a quarter of them retested: 750 pairs.
    return pm.generate_pilot(
        n_responses=3000,
        windows=("W",),
        decline_fraction=0,
        straightliner_rate=0,
        retest_fraction=0.25,
        seed=11,
    )


@cache
def structure_report():
    # Retest scores from complete pairs only: the model-implied correlation is defined
    # over pairs answered completely on the score's items.
    pilot = structure_pilot()
    settings = dataclasses.replace(FAST, min_share_answered=1.0)
    return compute_report(
        pilot_input(pilot), settings, only=("dimensionality", "efa", "cfa", "retest", "criterion")
    )


def test_parallel_analysis_picks_the_planted_number_of_factors():
    section = structure_report().section("dimensionality")
    assert section.ok
    assert section.data["n_factors"] == structure_pilot().truth.n_factors == 6


def test_efa_puts_every_item_with_its_theme():
    section = structure_report().section("efa")
    assert section.ok
    assert section.data["items_outside_theme_factor"] == []
    # six themes, six different factors
    assert len(set(section.data["theme_factor"].values())) == 6


def test_cfa_of_the_true_structure_fits_by_every_convention():
    data = structure_report().section("cfa").data
    assert data["converged"] and data["warning"] is None
    assert [c["within"] for c in data["conventions"]] == [True, True, True, True]
    assert data["model"] == {
        f: [s.id for s in structure_pilot().items if s.factor == f]
        for f in structure_pilot().truth.factors
    }


@cache
def _expected_for(kind: str, name: str) -> float:
    pilot = structure_pilot()
    if kind == "item":
        columns = [name]
    elif kind == "total":
        columns = pilot.item_ids
    else:
        columns = [s.id for s in pilot.items if s.factor == name]
    return pilot.expected_retest_correlation(columns, n_draws=20_000)


def _expected(row) -> float:
    return _expected_for(row["kind"], row["name"])


def test_retest_iccs_of_theme_and_total_scores_cover_the_model_implied_correlation():
    iccs = structure_report().section("retest").data["iccs"]
    scores = [r for r in iccs if r["kind"] != "item"]
    assert [r["name"] for r in scores] == [*structure_pilot().truth.factors, "total"]
    for row in scores:
        assert row["ci_low"] <= _expected(row) <= row["ci_high"], row


def test_retest_iccs_of_items_are_unbiased_for_the_model_implied_correlation():
    # 40 item ICCs with 95 % intervals; they share the pilot's latent draws, so their
    # misses are correlated and a binomial count would overstate the evidence. Check
    # instead that most intervals cover and that there is no systematic bias (a k-rater
    # ICC form, or pairing the wrong answers, would be off by far more than 0.03).
    iccs = [r for r in structure_report().section("retest").data["iccs"] if r["kind"] == "item"]
    assert len(iccs) == 40
    diffs = np.array([r["icc"] - _expected(r) for r in iccs])
    covered = np.mean([r["ci_low"] <= _expected(r) <= r["ci_high"] for r in iccs])
    assert covered >= 0.8
    assert abs(diffs.mean()) < 0.03


def test_retest_interval_distribution_is_the_planted_7_to_21_days():
    data = structure_report().section("retest").data
    assert data["n_pairs"] == 750
    iv = data["intervals"]
    assert (iv["min"], iv["max"], iv["outside_offered"]) == (7, 21, 0)
    assert sum(iv["pairs_by_days"].values()) == 750
    assert set(iv["pairs_by_days"]) == {str(d) for d in range(7, 22)}


def test_criterion_correlations_are_positive_for_every_theme():
    rows = structure_report().section("criterion").data["correlations"]
    assert len(rows) == 2 * 7  # six themes and all themes, against two criteria
    assert all(r["ci_low"] > 0.2 for r in rows)


@cache
def invariance_section(noninvariant_group: str | None):
    # No missing answers, so that four groups have enough complete responses to compare
    # and the planted group can be named by leaving each group out in turn.
    items = [dataclasses.replace(s, na_rate=0.0) for s in pm.default_items()]
    pilot = pm.generate_pilot(
        items,
        n_responses=2500,
        windows=("W",),
        decline_fraction=0,
        straightliner_rate=0,
        missing_rate=0,
        noninvariant_group=noninvariant_group,
        seed=21,
    )
    assert pilot.truth.noninvariant_group == noninvariant_group
    return compute_report(pilot_input(pilot), FAST, only=("invariance",)).section("invariance")


def test_a_planted_noninvariant_group_is_detected_and_named():
    data = invariance_section("medical").data
    assert data["level"] != "scalar"
    assert data["implicated"] == ["medical"]
    assert "Mean theme scores should not be compared" in data["summary"]
    assert "The difference comes from medical" in data["summary"]


def test_without_a_planted_group_theme_scores_are_comparable():
    data = invariance_section(None).data
    assert data["level"] == "scalar"
    assert data["implicated"] == []
    assert data["summary"].startswith("Theme scores can be compared across")


@pytest.mark.parametrize("noninvariant_group", ["medical", None])
def test_small_groups_are_reported_as_too_small_never_dropped(noninvariant_group):
    data = invariance_section(noninvariant_group).data
    statuses = {g["group"]: g["status"] for g in data["groups"]}
    assert set(statuses) == set(DEFAULT_GROUPS)
    small = {g for g, s in statuses.items() if s == "too small"}
    assert small == {"dental", "pharmacy", "healthcare_science", "paramedicine", "apprentice"}
    for g in small:
        assert f"{g} (n=" in data["summary"]
