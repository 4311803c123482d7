"""Risk rating: the handbook's matrix cell by cell, levels, registers, suggestions, overrides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nets_app.domain.errors import ConfigError, EvidenceError, RatingError
from nets_app.domain.risk import (
    DEFAULT_RISK_CONFIG,
    Flag,
    RiskConfig,
    override,
    rag,
    rate,
    suggest_rating,
)
from nets_app.domain.risk_config import LEVEL_MAPPING_RATIONALE, FlagRule

# HEE Quality Framework Handbook 2017-18, section 3 "Assessment", "Risk assessment",
# the HEE corporate risk matrix (seed text lines 336-342), one case per cell:
# (likelihood, impact, score, RAG).
MATRIX_CELLS = [
    # Likelihood 5: G A A/R R R
    (5, 1, 5, "G"), (5, 2, 10, "A"), (5, 3, 15, "A/R"), (5, 4, 20, "R"), (5, 5, 25, "R"),
    # Likelihood 4: G A A/R R R
    (4, 1, 4, "G"), (4, 2, 8, "A"), (4, 3, 12, "A/R"), (4, 4, 16, "R"), (4, 5, 20, "R"),
    # Likelihood 3: G G/A A A/R R
    (3, 1, 3, "G"), (3, 2, 6, "G/A"), (3, 3, 9, "A"), (3, 4, 12, "A/R"), (3, 5, 15, "R"),
    # Likelihood 2: G G/A A A A/R
    (2, 1, 2, "G"), (2, 2, 4, "G/A"), (2, 3, 6, "A"), (2, 4, 8, "A"), (2, 5, 10, "A/R"),
    # Likelihood 1: G G G/A G/A A
    (1, 1, 1, "G"), (1, 2, 2, "G"), (1, 3, 3, "G/A"), (1, 4, 4, "G/A"), (1, 5, 5, "A"),
]  # fmt: skip


@pytest.mark.parametrize(("likelihood", "impact", "score", "cell"), MATRIX_CELLS)
def test_matrix_cell(likelihood, impact, score, cell):
    r = rate(likelihood, impact)
    assert (r.score, r.rag) == (score, cell)
    assert rag(likelihood, impact) == cell


# Default level mapping (platform choice, LEVEL_MAPPING_RATIONALE) and the handbook's
# proportionate interventions per level ("Risk assessment", interventions table).
@pytest.mark.parametrize(
    ("cell", "level", "interventions"),
    [
        ("R", "High", ("Triggered visit", "Programme review")),
        ("A/R", "High", ("Triggered visit", "Programme review")),
        ("A", "Medium", ("Programme review", "Learner/educator meetings")),
        ("G/A", "Low", ("Desktop review", "Programme review", "Learner/educator meetings")),
        ("G", "Low", ("Desktop review", "Programme review", "Learner/educator meetings")),
    ],
)
def test_default_levels_and_interventions(cell, level, interventions):
    likelihood, impact = next((li, im) for li, im, _, c in MATRIX_CELLS if c == cell)
    r = rate(likelihood, impact)
    assert (r.level, r.interventions) == (level, interventions)


# ISF guide, "Risk categorisation of concerns": "those rated 12 or above are also
# reported ... via the regional and national risk registers".
@pytest.mark.parametrize(("likelihood", "impact", "score", "cell"), MATRIX_CELLS)
def test_register_threshold_default_12(likelihood, impact, score, cell):
    assert rate(likelihood, impact).on_register is (score >= 12)


def test_register_threshold_configurable():
    config = RiskConfig(register_threshold=15)
    assert rate(4, 3, config=config).on_register is False
    assert rate(5, 3, config=config).on_register is True
    assert rate(5, 3, config=config).register_threshold == 15


def test_descriptor_names():
    # Handbook "Score / Likelihood / Impact" table.
    r = rate(5, 5)
    assert (r.likelihood_name, r.impact_name, r.rag_name) == (
        "Almost certain",
        "Significant",
        "Red",
    )
    r = rate(1, 1)
    assert (r.likelihood_name, r.impact_name, r.rag_name) == ("Rare", "Negligible", "Green")


@pytest.mark.parametrize("bad", [0, 6, 2.5, "3", None, True, 3.0, -1])
@pytest.mark.parametrize("which", ["likelihood", "impact"])
def test_bad_likelihood_or_impact(bad, which):
    args = {"likelihood": 3, "impact": 3, which: bad}
    with pytest.raises(RatingError) as info:
        rate(args["likelihood"], args["impact"])
    assert info.value.rule == f"risk.{which}_range"
    assert f"risk.{which}_range" in str(info.value)
    assert "from 1" in str(info.value) and "to 5" in str(info.value)


def test_numpy_integers_are_accepted():
    assert rate(np.int64(4), np.int8(3)).score == 12


def test_custom_level_mapping():
    config = RiskConfig(
        level_by_rag={"G": "Low", "G/A": "Medium", "A": "Medium", "A/R": "Medium", "R": "High"}
    )
    assert rate(4, 3, config=config).level == "Medium"
    assert rate(3, 2, config=config).interventions == (
        "Programme review",
        "Learner/educator meetings",
    )


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"level_by_rag": {"G": "Low", "A": "Medium", "R": "High"}}, "exactly the ratings"),
        (
            {"level_by_rag": {"G": "Low", "G/A": "Low", "A": "Mid", "A/R": "High", "R": "High"}},
            "must be one of",
        ),
        (
            {"level_by_rag": {"G": "Low", "G/A": "High", "A": "Low", "A/R": "High", "R": "High"}},
            "order of severity",
        ),
        ({"register_threshold": 0}, "register_threshold"),
        ({"register_threshold": 26}, "register_threshold"),
        ({"register_threshold": 12.0}, "register_threshold"),
        ({"likelihood_by_rule_count": {1: 2, 3: 4}}, "keys must be 1..k"),
        ({"likelihood_by_rule_count": {1: 4, 2: 3}}, "non-decreasing"),
        ({"likelihood_by_rule_count": {1: 2, 2: 6}}, "ints 1-5"),
        ({"flag_rules": {}}, "flag_rules"),
        ({"recurrence_windows": 0}, "recurrence_windows"),
        ({"breadth_measures": "3"}, "breadth_measures"),
    ],
)
def test_invalid_config(kwargs, needle):
    with pytest.raises(ConfigError) as info:
        RiskConfig(**kwargs)
    assert info.value.rule == "risk.config"
    assert "risk.config" in str(info.value) and needle in str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"impact": 0, "direction": "above", "far": None, "label": "x"},
        {"impact": 3, "direction": "up", "far": None, "label": "x"},
        {"impact": 3, "direction": "above", "far": 0, "label": "x"},
        {"impact": 3, "direction": "above", "far": float("nan"), "label": "x"},
        {"impact": 3, "direction": "above", "far": None, "label": " "},
    ],
)
def test_invalid_flag_rule(kwargs):
    with pytest.raises(ConfigError) as info:
        FlagRule(**kwargs)
    assert "risk.config.flag_rule" in str(info.value)


def test_config_tables_are_read_only():
    with pytest.raises(TypeError):
        DEFAULT_RISK_CONFIG.level_by_rag["A"] = "High"  # type: ignore[index]
    assert DEFAULT_RISK_CONFIG.level_mapping_rationale == LEVEL_MAPPING_RATIONALE


# --- overrides -----------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", None, 42])
def test_override_without_reason(reason):
    with pytest.raises(RatingError) as info:
        override(rate(2, 3), 4, 3, reason)
    assert info.value.rule == "risk.override_reason"
    assert "risk.override_reason" in str(info.value)


def test_override_keeps_the_trail():
    suggested = suggest_rating([_flag("funnel_low", value=55.0, limit=58.0)])
    r = override(suggested, 4, 3, "  Triggered visit confirmed it  ")
    assert (r.likelihood, r.impact, r.score, r.rag) == (4, 3, 12, "A/R")
    assert r.basis == "overridden"
    assert r.previous == (suggested.likelihood, suggested.impact)
    assert r.override_reason == "Triggered visit confirmed it"
    assert r.rationale == suggested.rationale


def test_override_checks_the_new_levels():
    with pytest.raises(RatingError) as info:
        override(rate(2, 3), 6, 3, "reason")
    assert info.value.rule == "risk.likelihood_range"


# --- suggestions from flags ----------------------------------------------------------


def _flag(rule, *, measure="m1", value=1.0, limit=0.5, n=10, window="w1"):
    return {"rule": rule, "measure": measure, "value": value, "limit": limit, "n": n,
            "window": window}  # fmt: skip


@pytest.mark.parametrize(
    ("flags", "likelihood", "impact"),
    [
        # one rule -> likelihood 2; funnel_low impact 3
        ([_flag("funnel_low", value=55.0, limit=58.0)], 2, 3),
        # far past the limit (>= 10 % below) -> +1
        ([_flag("funnel_low", value=50.0, limit=58.0)], 3, 3),
        # patient safety weighs highest (5); limit 0 is never "far"
        ([_flag("patient_safety_concern", value=1, limit=0)], 2, 5),
        # twice the limit -> far
        ([_flag("patient_safety_concern", value=2, limit=1)], 3, 5),
        # adverse items (4) + funnel (3): two rules -> 3; impact 4
        ([_flag("adverse_items", value=0.15, limit=0.10),
          _flag("funnel_low", value=55.0, limit=58.0)], 3, 4),
        # three rules -> 4; impact 3 (the worked example 4 x 3 = 12)
        ([_flag("funnel_low", value=55.0, limit=58.0),
          _flag("significant_fall", value=-9.0, limit=-6.0),
          _flag("three_poor_windows", measure="overall", value=3, limit=3)], 4, 3),
        # four rules -> 5, three distinct measures -> impact 4 + 1 = 5
        ([_flag("funnel_low", measure="a", value=55.0, limit=58.0),
          _flag("significant_fall", measure="b", value=-9.0, limit=-6.0),
          _flag("three_poor_windows", measure="c", value=3, limit=3),
          _flag("adverse_items", measure="a", value=0.12, limit=0.10)], 5, 5),
        # same rule in two windows -> recurrence +1
        ([_flag("funnel_low", value=55.0, limit=58.0, window="2023"),
          _flag("funnel_low", value=56.0, limit=58.0, window="2024")], 3, 3),
        # far and recurrent: 2 + 1 + 1 = 4
        ([_flag("adverse_items", value=0.30, limit=0.10, window="2023"),
          _flag("adverse_items", value=0.12, limit=0.10, window="2024")], 4, 4),
        # cap at 5
        ([_flag("patient_safety_concern", value=3, limit=1, window="2023"),
          _flag("adverse_items", value=0.3, limit=0.1, window="2024"),
          _flag("funnel_low", measure="m2", value=40.0, limit=58.0),
          _flag("significant_fall", measure="m3", value=-20.0, limit=-6.0)], 5, 5),
    ],
)  # fmt: skip
def test_suggest_rating_rules(flags, likelihood, impact):
    r = suggest_rating(flags)
    assert (r.likelihood, r.impact) == (likelihood, impact)
    assert r.basis == "suggested"
    assert f"Likelihood {likelihood}" in r.rationale and f"Impact {impact}" in r.rationale


def test_suggest_rating_accepts_flag_objects_and_explains_itself():
    flags = [
        Flag("adverse_items", "bullying", 0.15, 0.10, 20, "2024", placement="P1"),
        Flag("funnel_low", "supervision", 55.0, 58.0, 20, "2024"),
    ]
    r = suggest_rating(flags)
    assert (r.likelihood, r.impact, r.score, r.rag, r.level) == (3, 4, 12, "A/R", "High")
    assert r.on_register
    assert "2 distinct rules fired -> 3" in r.rationale
    assert "highest-weighted rule adverse_items" in r.rationale
    assert "on the regional and national registers (score 12 >= 12)" in r.rationale


def test_suggest_rating_respects_config():
    config = RiskConfig(likelihood_by_rule_count={1: 3}, register_threshold=10)
    r = suggest_rating([_flag("patient_safety_concern", value=1, limit=0)], config=config)
    assert (r.likelihood, r.impact, r.on_register) == (3, 5, True)


@pytest.mark.parametrize(
    ("flags", "rule"),
    [
        ([], "risk.evidence_empty"),
        ([_flag("made_up_rule")], "risk.evidence_rule"),
        ([_flag("funnel_low", value=float("nan"), limit=58.0)], "risk.evidence_field"),
        ([_flag("funnel_low", value="55", limit=58.0)], "risk.evidence_field"),
        ([_flag("funnel_low", value=55.0, limit=58.0, n=-1)], "risk.evidence_field"),
        ([{"rule": "funnel_low", "value": 1.0}], "risk.evidence_field"),
        (["rule", "measure"], "risk.evidence_field"),  # iterating a DataFrame gives names
        # funnel_low fires below the limit; a value above it is not a flag
        ([_flag("funnel_low", value=60.0, limit=58.0)], "risk.evidence_direction"),
        ([_flag("adverse_items", value=0.05, limit=0.10)], "risk.evidence_direction"),
    ],
)
def test_suggest_rating_bad_evidence(flags, rule):
    with pytest.raises(EvidenceError) as info:
        suggest_rating(flags)
    assert info.value.rule == rule
    assert rule in str(info.value)


def test_suggest_rating_from_dataframe_records():
    # the shape pm.adverse_flags returns (issue 6): numpy dtypes must be accepted
    flags = pd.DataFrame(
        {
            "placement": ["P1", "P1"],
            "window": ["2024", "2024"],
            "rule": ["adverse_items", "funnel_low"],
            "measure": ["bullying", "supervision"],
            "value": [0.15, 55.0],
            "limit": [0.10, 58.0],
            "n": np.array([20, 20], dtype="int64"),
        }
    )
    r = suggest_rating(flags.to_dict("records"))
    assert (r.likelihood, r.impact, r.score) == (3, 4, 12)
