"""Suppression, including complementary suppression against differencing.

The attack test plays the attacker: for every placement x window x scale it
takes every combination of the reported rows (each added, subtracted or left
out) and asks which group cells that combination adds up, for counts and for
score x n totals alike (both are sums over the same cells). A combination that
adds up exactly one hidden group, or a set of hidden groups holding fewer than
``min_n`` respondents, recovers it from any data with those reported rows. This
structural check is stronger than comparing numbers on one data set, where a
shown group can match a hidden one by coincidence. It also checks that the
sizes of hidden groups are not pinned down by the bounds (each >= 1).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import psychometrics as pm
from psychometrics.scoring import ALL_GROUPS, scales_from_items


def grouped(sizes, min_n=3, seed=0):
    """Score one placement whose learner groups have the given sizes (0 = absent)."""
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"g{i}" for i in range(len(sizes))], sizes)
    r = pd.DataFrame({"placement": "A", "window": "w", "group": groups})
    r["a"] = rng.integers(1, 6, len(r)).astype(float)
    return pm.score_placements(r, {"s": ["a"]}, group="group", min_n=min_n)


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ([4, 5, 6], set()),
        ([2, 5, 6], {"g0", "g1"}),  # g0 alone would be total - g1 - g2
        ([2, 3, 3], {"g0", "g1"}),  # ties: the first smallest shown group
        ([1, 1, 10], {"g0", "g1", "g2"}),  # g0 + g1 = 2 < 3 would be exposed
        ([1, 1, 1, 9], {"g0", "g1", "g2", "g3"}),  # 3 hidden holding 3: each known to be 1
        ([2, 2, 8], set()),  # two hidden holding 4: only their union is known
        ([1, 1], {"g0", "g1"}),  # total 2 is itself suppressed
        ([1, 1, 1], {"g0", "g1", "g2"}),  # total 3 shown would pin each group at 1
    ],
)
def test_complementary_suppression_hand_cases(sizes, hidden):
    out = grouped(sizes)
    groups = out[out["group"] != ALL_GROUPS]
    got = set(groups.loc[groups["status"] == "suppressed", "group"])
    primary = {f"g{i}" for i, s in enumerate(sizes) if 0 < s < 3}
    assert got == hidden | primary


def attack(out, keys, group_col, min_n):
    """Try every combination of reported rows of every unit; return what leaked.

    ``out`` carries the true count ``_n`` and score x n total ``_t`` of every row.
    """
    leaks = []
    combos_cache = {}
    for _, unit in out.groupby(keys, sort=False):
        total = unit[unit[group_col] == ALL_GROUPS].iloc[0]
        cells = unit[unit[group_col] != ALL_GROUPS].reset_index(drop=True)
        hidden = (cells["status"] == "suppressed").to_numpy()
        if not hidden.any():
            continue
        if total["status"] != "ok":
            assert hidden[cells["status"] != "no data"].all()
            continue
        # true values of the group cells (what the attacker wants)
        n_true = cells["_n"].to_numpy(float)
        t_true = cells["_t"].to_numpy(float)
        # reported rows: the total and every group row with its numbers shown
        # (a "no data" row is a reported count of 0)
        shown = ~hidden
        f_rows = [np.ones(len(cells))] + [np.eye(len(cells))[i] for i in np.flatnonzero(shown)]
        f = np.array(f_rows)
        n_rep = f @ n_true
        t_rep = f @ t_true
        r = len(f_rows)
        if r not in combos_cache:
            combos_cache[r] = np.array(list(itertools.product((-1, 0, 1), repeat=r)), dtype=float)
        c = combos_cache[r]
        functional = c @ f  # which group cells each combination adds up
        # the implied count and total of each combination, as the attacker sees them
        counts, totals = c @ n_rep, c @ t_rep
        # 1. a combination that adds up hidden groups only recovers them (in every data set)
        is_indicator = np.isin(functional, (0.0, 1.0)).all(axis=1) & (functional.sum(axis=1) > 0)
        on_hidden = (functional[:, shown] == 0).all(axis=1)
        for row in np.flatnonzero(is_indicator & on_hidden):
            members = functional[row] == 1
            assert counts[row] == pytest.approx(n_true[members].sum())
            assert totals[row] == pytest.approx(t_true[members].sum())
            if members.sum() == 1 or n_true[members].sum() < min_n:
                leaks.append(("recovered", tuple(cells.loc[members, group_col])))
        # 2. sizes: hidden groups hold >= 1 each and sum to total - shown; none pinned
        k = int(hidden.sum())
        held = n_true[hidden].sum()
        if k < 2 or held < min_n or held <= k:
            leaks.append(("sizes", tuple(cells.loc[hidden, group_col])))
    return leaks


def with_truth(responses, scales, keys, group_col, min_n):
    """Scores plus the true (unsuppressed) n and score x n of every row."""
    out = pm.score_placements(responses, scales, group=group_col, min_n=min_n)
    truth = pm.score_placements(responses, scales, group=group_col, min_n=1)
    # min_n=1 shows every group with n >= 1 (complementary suppression never
    # triggers), so it holds the true values the attacker is after
    assert (truth["status"] != "suppressed").all()
    out["_n"] = truth["n"].fillna(0).astype(float).to_numpy()
    out["_t"] = (truth["score"].fillna(0) * truth["n"].fillna(0).astype(float)).to_numpy()
    return out


def test_no_hidden_group_recoverable_on_a_synthetic_pilot():
    groups = ("medical", "nursing", "midwifery", "pharmacy", "dental")
    pilot = pm.generate_pilot(n_responses=3000, seed=3, groups=groups, retest_fraction=0)
    scales = scales_from_items(pilot.items, overall=None)
    out = with_truth(pilot.responses, scales, ["placement", "window", "scale"], "group", 3)
    assert (out["status"] == "suppressed").sum() > 500  # plenty to attack
    complementary = out[(out["status"] == "suppressed") & (out["_n"] >= 3)]
    assert len(complementary) > 50  # complementary suppression really happened
    assert attack(out, ["placement", "window", "scale"], "group", 3) == []


def test_attack_finds_leaks_without_complementary_suppression():
    # The attacker is real: with primary suppression only, it recovers groups.
    out = with_truth(
        pd.DataFrame(
            {
                "placement": "A",
                "window": "w",
                "group": ["x"] * 2 + ["y"] * 5,
                "a": [1.0, 2, 5, 5, 4, 4, 5],
            }
        ),
        {"s": ["a"]},
        ["placement", "window", "scale"],
        "group",
        3,
    )
    out.loc[out["group"] == "y", "status"] = "ok"  # undo the complementary suppression
    leaks = attack(out, ["placement", "window", "scale"], "group", 3)
    assert ("recovered", ("x",)) in leaks


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 7), min_size=1, max_size=6),
    min_n=st.integers(2, 5),
    seed=st.integers(0, 1000),
)
def test_no_hidden_group_recoverable_property(sizes, min_n, seed):
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"g{i}" for i in range(len(sizes))], sizes)
    if len(groups) == 0:
        return
    r = pd.DataFrame({"placement": "A", "window": "w", "group": groups})
    r["a"] = rng.integers(1, 6, len(r)).astype(float)
    r["b"] = np.where(rng.random(len(r)) < 0.3, np.nan, rng.integers(1, 6, len(r)))
    out = with_truth(r, {"s": ["a", "b"]}, ["placement", "window", "scale"], "group", min_n)
    assert attack(out, ["placement", "window", "scale"], "group", min_n) == []


def test_total_hidden_when_every_group_present_has_one_respondent():
    # total 3 is reportable, but beside three hidden groups it would tell that
    # each group had exactly one respondent (empty groups show "no data")
    out = grouped([1, 1, 1])
    assert out.loc[out["group"] == ALL_GROUPS, "status"].item() == "suppressed"
