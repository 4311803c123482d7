"""KMO and Bartlett's test against published output.

Sources (each number below names one):

JASP-T  jasp-stats/jaspFactor unit test "Exploratory Factor Analysis -- Verification
        project" (reference tables pasted from JASP, which calls psych::KMO and
        psych::cortest.bartlett) for Field's SAQ, all 23 items: overall MSA, per-item
        MSA and Bartlett's chi-square to 15 significant digits.
FIELD   Field (2018), Discovering Statistics Using IBM SPSS Statistics, ch. 18, SPSS
        FACTOR /PRINT KMO on the SAQ: KMO = .93, Bartlett's chi2(253) = 19334.49.
PSYCH   psych's KMO help page example, ``KMO(Thurstone)``: overall MSA and per-item
        MSA to 2 dp (printed output quoted in a KMO tutorial file alongside the
        help-page URL cran.r-project.org/web/packages/psych/refman/psych.html#KMO).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import psychometrics as pm
from tests.psychometrics.reference_data import THURSTONE, THURSTONE_NAMES, saq, with_correlation


def _tol(decimals: int) -> float:
    return 0.5 * 10.0**-decimals + 1e-12


@pytest.fixture(scope="module")
def saq_kmo() -> pm.KMOResult:
    return pm.kmo(saq())


def test_saq_overall_kmo_matches_jasp(saq_kmo):
    assert saq_kmo.overall == pytest.approx(0.930224499116479, abs=1e-12)  # JASP-T


def test_saq_overall_kmo_matches_field(saq_kmo):
    assert saq_kmo.overall == pytest.approx(0.93, abs=_tol(2))  # FIELD


@pytest.mark.parametrize(
    ("item", "published"),
    [  # JASP-T per-item MSA
        ("q01", 0.929761029851962),
        ("q02", 0.87477543869641),
        ("q03", 0.951037837608159),
        ("q04", 0.955340346281847),
        ("q05", 0.960089249619342),
        ("q06", 0.891331391519047),
        ("q07", 0.941679983971416),
        ("q08", 0.871305450734792),
        ("q09", 0.833729474658888),
        ("q10", 0.948685759035385),
        ("q11", 0.905933843822659),
        ("q12", 0.954832379044363),
        ("q13", 0.948226989113007),
        ("q14", 0.967172177880905),
        ("q15", 0.940440196823871),
        ("q16", 0.933643944530183),
        ("q17", 0.930620540762248),
        ("q18", 0.947950840512207),
        ("q19", 0.940702074165196),
        ("q20", 0.889051428926174),
        ("q21", 0.929336944448063),
        ("q22", 0.878450847770398),
        ("q23", 0.76639940895877),
    ],
)
def test_saq_item_msa_matches_jasp(saq_kmo, item, published):
    assert saq_kmo.per_item[item] == pytest.approx(published, abs=1e-12)


@pytest.mark.parametrize(
    ("field", "published", "tol"),
    [
        ("chi2", 19334.4919887839, 1e-7),  # JASP-T (15 significant digits)
        ("chi2", 19334.49, _tol(2)),  # FIELD
        ("dof", 253, 0),  # JASP-T, FIELD
        ("pvalue", 0.0, 0),  # JASP-T prints 0 (below double precision)
    ],
)
def test_saq_bartlett(field, published, tol):
    assert getattr(pm.bartlett(saq()), field) == pytest.approx(published, abs=tol)


@pytest.fixture(scope="module")
def thurstone_kmo() -> pm.KMOResult:
    return pm.kmo(with_correlation(THURSTONE, 213, THURSTONE_NAMES), scale=None)


def test_thurstone_overall_kmo(thurstone_kmo):
    assert thurstone_kmo.overall == pytest.approx(0.88, abs=_tol(2))  # PSYCH


@pytest.mark.parametrize(
    ("item", "published"),
    list(zip(THURSTONE_NAMES, [0.86, 0.86, 0.90, 0.86, 0.88, 0.92, 0.85, 0.93, 0.87], strict=True)),
)  # PSYCH per-item MSA
def test_thurstone_item_msa(thurstone_kmo, item, published):
    assert thurstone_kmo.per_item[item] == pytest.approx(published, abs=_tol(2))


def test_bartlett_uses_respondents_with_an_answer():
    data = saq().iloc[:200].astype(float)
    with_blank = pd.concat([data, pd.DataFrame(np.nan, index=[999], columns=data.columns)])
    assert pm.bartlett(with_blank).n == 200
    assert pm.bartlett(with_blank).chi2 == pytest.approx(pm.bartlett(data).chi2, rel=1e-13)


def test_kmo_result_is_indexed_by_item(saq_kmo):
    assert list(saq_kmo.per_item.index) == [f"q{i:02d}" for i in range(1, 24)]
