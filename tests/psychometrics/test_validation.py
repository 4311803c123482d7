"""Bad input raises ValueError naming the problem, for every public function.

Alpha and item analysis do not need the inverse of the correlation matrix, so a
singular matrix (duplicated items) is legitimate input for them; every function
that inverts it (KMO, Bartlett, EFA, omega, parallel analysis) refuses it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import psychometrics as pm
from tests.psychometrics.reference_data import saq

CALLS = {
    "cronbach_alpha": lambda d: pm.cronbach_alpha(d),
    "item_analysis": lambda d: pm.item_analysis(d),
    "omega": lambda d: pm.omega(d),
    "kmo": lambda d: pm.kmo(d),
    "bartlett": lambda d: pm.bartlett(d),
    "parallel_analysis": lambda d: pm.parallel_analysis(d, n_iter=5, seed=1),
    "efa": lambda d: pm.efa(d, 1),
}
INVERTING = ["omega", "kmo", "bartlett", "parallel_analysis", "efa"]


def _good() -> pd.DataFrame:
    return saq().iloc[:300, :6]


def _non_numeric() -> pd.DataFrame:
    d = _good()
    d["q02"] = d["q02"].map({1: "SD", 2: "D", 3: "N", 4: "A", 5: "SA"})
    return d


def _outside_scale() -> pd.DataFrame:
    d = _good().astype(float)
    d.iloc[5, 2] = 7.0
    return d


def _constant() -> pd.DataFrame:
    return _good().assign(q04=3)


def _singular() -> pd.DataFrame:
    return _good().assign(q06=_good()["q01"])


def _too_few_respondents() -> pd.DataFrame:
    return _good().iloc[:2]


BAD = [
    (_non_numeric, r"non-numeric column\(s\): 'q02'"),
    (_outside_scale, r"outside the scale 1-5, in 'q03' \(e.g. 7 in 'q03'\)"),
    (lambda: _good()[["q01"]], r"at least \d items"),
    (_too_few_respondents, r"at least 3 respondents"),
    (_constant, r"constant item\(s\) 'q04'"),
    (lambda: _good().assign(q05=np.nan), r"nobody answered: 'q05'"),
    (lambda: _good().astype(float).assign(q05=np.inf), r"infinite values in 'q05'"),
    (lambda: [[1, 2], [3, 4]], r"must be a wide pandas DataFrame"),
]


@pytest.mark.parametrize("function", list(CALLS))
@pytest.mark.parametrize(("make", "match"), BAD)
def test_bad_items_raise_a_named_error(function, make, match):
    with pytest.raises(ValueError, match=match):
        CALLS[function](make())


@pytest.mark.parametrize("function", INVERTING)
def test_singular_correlation_matrix_is_refused(function):
    with pytest.raises(ValueError, match=r"singular .*'q01'.*'q06'|singular .*'q06'.*'q01'"):
        CALLS[function](_singular())


@pytest.mark.parametrize("function", INVERTING)
def test_fewer_respondents_than_items_is_refused(function):
    with pytest.raises(ValueError, match="more respondents than items: 5 respondents for 6"):
        CALLS[function](_good().iloc[:5])


@pytest.mark.parametrize("function", ["cronbach_alpha", "item_analysis"])
def test_duplicated_items_are_fine_for_alpha(function):
    CALLS[function](_singular())


def test_pairs_never_answered_together_are_refused():
    d = _good().astype(float)
    d.loc[d.index[:150], "q01"] = np.nan
    d.loc[d.index[152:], "q02"] = np.nan
    with pytest.raises(ValueError, match="'q01' and 'q02' are answered together by 2"):
        pm.kmo(d)


def test_scale_can_be_changed_or_switched_off():
    d = _outside_scale()
    assert pm.cronbach_alpha(d, scale=(1, 7)).k == 6
    assert pm.cronbach_alpha(d, scale=None).k == 6
    with pytest.raises(ValueError, match=r"scale must be a \(lowest, highest\) pair"):
        pm.cronbach_alpha(d, scale=5)
    with pytest.raises(ValueError, match="lowest < highest"):
        pm.cronbach_alpha(d, scale=(5, 1))


def test_nullable_integer_columns_are_numeric():
    d = _good().astype("Int64")
    d.iloc[0, 0] = pd.NA
    assert pm.cronbach_alpha(d).n == 300


def test_repeated_column_names_are_refused():
    d = _good()
    d.columns = ["a", "b", "c", "a", "e", "f"]
    with pytest.raises(ValueError, match="repeated column names 'a'"):
        pm.cronbach_alpha(d)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda d: pm.cronbach_alpha(d, ci=95), "ci must be strictly between 0 and 1"),
        (lambda d: pm.cronbach_alpha(d, nan_policy="drop"), "nan_policy must be one of"),
        (lambda d: pm.efa(d, 2, method="pca"), "method must be one of"),
        (lambda d: pm.efa(d, 2, rotation="quartimax"), "rotation must be one of"),
        (lambda d: pm.efa(d, 6), "n_factors=6 is too many for 6 items"),
        (lambda d: pm.efa(d, 0), "n_factors must be at least 1"),
        (lambda d: pm.efa(d, 1.5), "n_factors must be a positive integer"),
        (lambda d: pm.omega(d, 2, method="pc"), "method must be one of"),
        (lambda d: pm.omega(d.iloc[:, :2]), "at least 3 items"),
    ],
)
def test_bad_arguments_raise_a_named_error(call, match):
    with pytest.raises(ValueError, match=match):
        call(_good())


def test_alpha_refuses_items_that_cancel_out():
    d = _good().astype(float)
    d["q01r"] = 6 - d["q01"]
    d = d[["q01", "q01r"]]
    with pytest.raises(ValueError, match="recode reverse-keyed items"):
        pm.cronbach_alpha(d)


def test_listwise_deletion_that_leaves_too_few_rows_is_refused():
    d = _good().astype(float)
    d.iloc[2:, 0] = np.nan
    with pytest.raises(ValueError, match="leaves 2 complete respondent"):
        pm.cronbach_alpha(d, nan_policy="listwise")
