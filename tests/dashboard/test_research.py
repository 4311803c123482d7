"""De-identification of the researchers' item data: every exposed class holds at least min_n rows."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nets_app.services.research import POOLED, deidentify, pseudonym

KEYS = ["region", "learner_group", "placement_pseudonym"]

rows = st.lists(
    st.tuples(
        st.sampled_from("AB"),
        st.sampled_from(["n", "m", "d"]),
        st.sampled_from(["p1", "p2", "p3", "p4"]),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(rows, st.integers(1, 6))
def test_every_class_reaches_min_n_and_kept_detail_is_true(data, min_n):
    frame = pd.DataFrame(data, columns=KEYS)
    out = deidentify(frame, min_n)
    sizes = out.groupby(KEYS).size()
    assert (sizes >= min_n).all()
    for idx, row in out.iterrows():
        for key in KEYS:
            # a key is either the true value or pooled, never another row's value
            assert row[key] in (frame.loc[idx, key], POOLED)
        # pooling goes from the most specific key up: a pooled region implies pooled group and placement
        if row["region"] == POOLED:
            assert row["learner_group"] == POOLED
        if row["learner_group"] == POOLED:
            assert row["placement_pseudonym"] == POOLED


@settings(max_examples=100, deadline=None)
@given(rows, st.integers(1, 6))
def test_rows_are_dropped_only_when_even_full_pooling_is_too_small(data, min_n):
    frame = pd.DataFrame(data, columns=KEYS)
    out = deidentify(frame, min_n)
    dropped = len(frame) - len(out)
    assert dropped < min_n


def test_a_large_enough_placement_keeps_its_detail():
    frame = pd.DataFrame([("A", "n", "p1")] * 3 + [("A", "n", "p2")] * 2, columns=KEYS)
    out = deidentify(frame, 3)
    assert out.groupby(KEYS).size().to_dict() == {("A", "n", "p1"): 3}


def test_min_n_must_be_positive():
    with pytest.raises(ValueError, match="min_n must be at least 1"):
        deidentify(pd.DataFrame(columns=KEYS), 0)


def test_pseudonyms_are_stable_in_a_window_and_unlinkable_across_windows():
    assert pseudonym("k", "2025", "PL1") == pseudonym("k", "2025", "PL1")
    assert pseudonym("k", "2025", "PL1") != pseudonym("k", "2026", "PL1")
    assert pseudonym("k", "2025", "PL1") != pseudonym("other key", "2025", "PL1")
    assert "PL1" not in pseudonym("k", "2025", "PL1")
