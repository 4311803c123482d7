"""What each ISF category sets in motion: stakeholders, monitoring, support, registers.

Source: "A guide to the HEE Intensive Support Framework" (seed text
shared/seeds/hee-intensive-support-framework-guide.txt; line numbers below).
"""

from __future__ import annotations

import pytest

from nets_app.domain.errors import TransitionError
from nets_app.domain.isf import category_info
from nets_app.domain.isf_config import STAKEHOLDERS
from nets_app.domain.isf_reporting import (
    ProviderCategory,
    provider_category,
    register_status,
    who_to_inform,
)

# Reporting, lines 69-79: category 0 or 1, shared locally (as appropriate).
LOCAL = [
    "head_of_specialty_school", "training_programme_director", "programme_lead",
    "practice_placement_lead", "local_quality_lead", "education_training_lead", "educator",
    "affected_learners", "provider_education_quality_lead",
]  # fmt: skip
# Line 83: category 2 also the regional Head of Quality, the Postgraduate Dean, the
# regulator(s) and the provider's Director of Medical Education.
CAT2 = ["regional_head_of_quality", "postgraduate_dean", "regulator",
        "provider_director_medical_education"]  # fmt: skip
# Line 85: category 3 also the provider's Chief Executive and Medical Director, the
# regional Quality Surveillance Group, JSOG, the Executive Director of Education and
# Quality, and the National Medical Director.
CAT3 = ["provider_chief_executive", "provider_medical_director",
        "regional_quality_surveillance_group", "jsog", "executive_director_education_quality",
        "national_medical_director"]  # fmt: skip
# Line 87: category 4 also the Regional Director, HEE Executive (incl. the national
# Deputy Medical Director), the provider's Chair, local and regional service commissioners.
CAT4 = ["regional_director", "hee_executive", "national_deputy_medical_director",
        "provider_chair", "service_commissioners"]  # fmt: skip


@pytest.mark.parametrize(
    ("category", "codes", "required"),
    [
        (0, LOCAL, False),
        (1, LOCAL, False),
        (2, LOCAL + CAT2, True),
        (3, LOCAL + CAT2 + CAT3, True),
        (4, LOCAL + CAT2 + CAT3 + CAT4, True),
    ],
)
def test_who_to_inform_is_cumulative(category, codes, required):
    notes = who_to_inform(category)
    assert [n.code for n in notes] == codes
    assert {n.required for n in notes} == {required}
    assert all(n.name == STAKEHOLDERS[n.code].name for n in notes)


def test_every_stakeholder_is_named_at_some_category():
    assert {n.code for n in who_to_inform(4)} == set(STAKEHOLDERS)


def test_since_category_says_when_a_role_joins():
    since = {n.code: n.since_category for n in who_to_inform(4)}
    assert since["affected_learners"] == 0
    assert since["postgraduate_dean"] == 2
    assert since["jsog"] == 3
    assert since["provider_chair"] == 4


# Lines 51-55 (names), 109-113 (support), 81-87 (registers), 110 (action plans).
@pytest.mark.parametrize(
    ("category", "name", "support", "register", "plan"),
    [
        (0, "No concerns", "Good practice", "not_expected", False),
        (1, "Minor concerns", "Self-directed quality improvement", "not_expected", False),
        (2, "Significant concerns", "Enhanced support programme", "by_score", True),
        (3, "Major concerns", "Intensive support programme", "expected", True),
        (4, "Training suspended", "Training recovery support programme", "expected", True),
    ],
)
def test_category_table(category, name, support, register, plan):
    info = category_info(category)
    assert (info.number, info.name, info.support, info.register) == (
        category,
        name,
        support,
        register,
    )
    assert info.action_plan_required is plan
    assert info.definition and info.monitoring and info.support_detail and info.pace


def test_pace_two_and_above_faster_than_one():
    # Line 40: "Concerns with an ISF categorisation of 2 or above would be expected to
    # have been responded to in a more rapid manner than those in category 1".
    ranks = [category_info(c).pace_rank for c in range(5)]
    assert ranks[0] < ranks[1] < min(ranks[2:])


def test_monitoring_goes_national_at_3():
    # Lines 95-97.
    assert "JSOG" in category_info(3).monitoring
    assert "HEE Executive" in category_info(4).monitoring
    assert "JSOG" not in category_info(2).monitoring


@pytest.mark.parametrize(
    ("concerns", "expected"),
    [
        ({}, ProviderCategory(0, ())),
        ({"C1": 1}, ProviderCategory(1, ("C1",))),
        ({"C1": 1, "C2": 2, "C3": 0}, ProviderCategory(2, ("C2",))),
        ({"C9": 3, "C1": 3, "C2": 2}, ProviderCategory(3, ("C1", "C9"))),
        ({"C1": 4, "C2": 0}, ProviderCategory(4, ("C1",))),
    ],
)
def test_provider_category_is_most_severe_open_concern(concerns, expected):
    assert provider_category(concerns) == expected


def test_provider_category_bad_category():
    with pytest.raises(TransitionError) as info:
        provider_category({"C1": 5})
    assert info.value.rule == "isf.category_range"


# Registers: score >= threshold (line 49) or category 3-4 (lines 85-87); review notes where
# the guide's expectations disagree (line 81 for category 1, line 85 for category 3).
@pytest.mark.parametrize(
    ("category", "score", "on", "review"),
    [
        (0, None, False, None),
        (1, 4, False, None),
        (1, 12, True, "category 1 concerns are not expected"),
        (2, 11, False, None),
        (2, 12, True, None),
        (2, 25, True, None),
        (3, 15, True, None),
        (3, 9, True, "category 3 concerns are expected to have a risk rating of 12"),
        (3, None, True, "category 3 concerns are expected"),
        (4, 20, True, None),
    ],
)
def test_register_status(category, score, on, review):
    status = register_status(category, score)
    assert status.on_register is on
    if review is None:
        assert status.review is None
    else:
        assert review in status.review
    assert status.basis


def test_register_status_threshold_parameter():
    assert register_status(2, 12, threshold=15).on_register is False
    assert register_status(2, 15, threshold=15).on_register is True


@pytest.mark.parametrize("score", [0, 26, 12.0, "12"])
def test_register_status_bad_score(score):
    with pytest.raises(TransitionError) as info:
        register_status(2, score)
    assert info.value.rule == "isf.register_score"
