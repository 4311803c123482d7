"""ICC against published tables.

Sources (each number below names one):

SF79   Shrout & Fleiss (1979), Psychological Bulletin 86, Table 4: the six ICCs of
       their Table 2 data (6 targets x 4 judges), two decimals.
PSYCH  psych::ICC on the same data, as printed in D. Wollschlaeger's "Inter-rater-
       reliability and Intra-class-correlation" R example (``ICC(ratings)``):
       ICC to 2 dp, F to 1 dp, p to 5 dp, lower bound to 3 dp, upper bound to 2 dp.
       The 3-dp ICCs (.166 .290 .715 .443 .620 .909) are the psych/DescTools values
       quoted in the `intraclass` R package's test fixture helper-shrout-fleiss.R.
MW96   McGraw & Wong (1996) Table 6 data (10 targets x 2 raters) with the R output
       (DescTools::ICC, 3 dp; F 2 dp; p 5 dp) quoted as "Verification from R" in the
       header of f_ICC.m (github.com/robertpetermatthew/f_ICC).
PG     pingouin's ``intraclass_corr`` docstring example on its ``icc`` wine data set
       (8 wines x 4 judges): ICC and F to 3 dp, CI95 to 2 dp.

Tolerances are half a unit in the last published decimal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import psychometrics as pm
from tests.psychometrics.reference_data import shrout_fleiss

FORMS = ["ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)"]
MW96_DATA = pd.DataFrame(
    [[103, 119], [82, 65], [116, 106], [102, 102], [99, 105], [98, 100], [104, 107],
     [62, 85], [97, 101], [107, 110]],
    columns=["rater1", "rater2"],
)  # fmt: skip


def _tol(decimals: int) -> float:
    return 0.5 * 10.0**-decimals + 1e-12


@pytest.fixture(scope="module")
def sf() -> pd.DataFrame:
    return pm.icc(shrout_fleiss())


@pytest.mark.parametrize(
    ("form", "published"),
    [  # SF79 Table 4
        ("ICC(1,1)", 0.17),
        ("ICC(A,1)", 0.29),
        ("ICC(C,1)", 0.71),
        ("ICC(1,k)", 0.44),
        ("ICC(A,k)", 0.62),
        ("ICC(C,k)", 0.91),
    ],
)
def test_shrout_fleiss_table4(sf, form, published):
    assert sf.loc[form, "icc"] == pytest.approx(published, abs=_tol(2))


@pytest.mark.parametrize(
    ("form", "published"),
    [  # PSYCH, three decimals (psych::ICC and DescTools::ICC agree)
        ("ICC(1,1)", 0.166),
        ("ICC(A,1)", 0.290),
        ("ICC(C,1)", 0.715),
        ("ICC(1,k)", 0.443),
        ("ICC(A,k)", 0.620),
        ("ICC(C,k)", 0.909),
    ],
)
def test_shrout_fleiss_icc_three_decimals(sf, form, published):
    assert sf.loc[form, "icc"] == pytest.approx(published, abs=_tol(3))


@pytest.mark.parametrize(
    ("form", "f", "df1", "df2", "p"),
    [  # PSYCH: F 1 dp, p 5 dp
        ("ICC(1,1)", 1.8, 5, 18, 0.16477),
        ("ICC(A,1)", 11.0, 5, 15, 0.00013),
        ("ICC(C,1)", 11.0, 5, 15, 0.00013),
        ("ICC(1,k)", 1.8, 5, 18, 0.16477),
        ("ICC(A,k)", 11.0, 5, 15, 0.00013),
        ("ICC(C,k)", 11.0, 5, 15, 0.00013),
    ],
)
def test_shrout_fleiss_f_tests(sf, form, f, df1, df2, p):
    row = sf.loc[form]
    assert row["f"] == pytest.approx(f, abs=_tol(1))
    assert (row["df1"], row["df2"]) == (df1, df2)
    assert row["pvalue"] == pytest.approx(p, abs=_tol(5))


@pytest.mark.parametrize(
    ("form", "low", "high"),
    [  # PSYCH: lower bound 3 dp, upper bound 2 dp
        ("ICC(1,1)", -0.133, 0.72),
        ("ICC(A,1)", 0.019, 0.76),
        ("ICC(C,1)", 0.342, 0.95),
        ("ICC(1,k)", -0.884, 0.91),
        ("ICC(A,k)", 0.071, 0.93),
        ("ICC(C,k)", 0.676, 0.99),
    ],
)
def test_shrout_fleiss_confidence_intervals(sf, form, low, high):
    assert sf.loc[form, "ci_low"] == pytest.approx(low, abs=_tol(3))
    assert sf.loc[form, "ci_high"] == pytest.approx(high, abs=_tol(2))


@pytest.mark.parametrize(
    ("form", "value", "f", "df1", "df2", "p", "low", "high"),
    [  # MW96: R output, ICC/CI 3 dp, F 2 dp, p 5 dp
        ("ICC(1,1)", 0.722, 6.18, 9, 10, 0.00437, 0.241, 0.922),
        ("ICC(A,1)", 0.720, 6.00, 9, 9, 0.00677, 0.228, 0.922),
        ("ICC(C,1)", 0.714, 6.00, 9, 9, 0.00677, 0.197, 0.920),
        ("ICC(1,k)", 0.838, 6.18, 9, 10, 0.00437, 0.389, 0.959),
        ("ICC(A,k)", 0.837, 6.00, 9, 9, 0.00677, 0.371, 0.959),
        ("ICC(C,k)", 0.833, 6.00, 9, 9, 0.00677, 0.329, 0.959),
    ],
)
def test_mcgraw_wong_table6(form, value, f, df1, df2, p, low, high):
    row = pm.icc(MW96_DATA).loc[form]
    assert row["icc"] == pytest.approx(value, abs=_tol(3))
    assert row["f"] == pytest.approx(f, abs=_tol(2))
    assert (row["df1"], row["df2"]) == (df1, df2)
    assert row["pvalue"] == pytest.approx(p, abs=_tol(5))
    assert row["ci_low"] == pytest.approx(low, abs=_tol(3))
    assert row["ci_high"] == pytest.approx(high, abs=_tol(3))


@pytest.mark.parametrize(
    ("form", "value", "f", "df1", "df2", "low", "high"),
    [  # PG: ICC, F 3 dp; CI95 2 dp
        ("ICC(1,1)", 0.728, 11.680, 7, 24, 0.43, 0.93),
        ("ICC(A,1)", 0.728, 11.787, 7, 21, 0.43, 0.93),
        ("ICC(C,1)", 0.729, 11.787, 7, 21, 0.43, 0.93),
        ("ICC(1,k)", 0.914, 11.680, 7, 24, 0.75, 0.98),
        ("ICC(A,k)", 0.914, 11.787, 7, 21, 0.75, 0.98),
        ("ICC(C,k)", 0.915, 11.787, 7, 21, 0.75, 0.98),
    ],
)
def test_pingouin_wine_example_long_format(form, value, f, df1, df2, low, high):
    wine = pg.read_dataset("icc")
    row = pm.icc(wine, targets="Wine", raters="Judge", ratings="Scores").loc[form]
    assert row["icc"] == pytest.approx(value, abs=_tol(3))
    assert row["f"] == pytest.approx(f, abs=_tol(3))
    assert (row["df1"], row["df2"]) == (df1, df2)
    assert row["ci_low"] == pytest.approx(low, abs=_tol(2))
    assert row["ci_high"] == pytest.approx(high, abs=_tol(2))


def test_table_shape_and_names(sf):
    assert list(sf.index) == FORMS
    assert list(sf.columns) == ["icc", "f", "df1", "df2", "pvalue", "ci_low", "ci_high"]


def test_long_and_wide_agree_whatever_the_row_order():
    wide = shrout_fleiss()
    long = wide.reset_index().melt(id_vars="target", var_name="judge", value_name="score")
    shuffled = long.sample(frac=1.0, random_state=3)
    a = pm.icc(wide)
    b = pm.icc(shuffled, targets="target", raters="judge", ratings="score")
    pd.testing.assert_frame_equal(a, b, rtol=1e-12, atol=1e-12)


def test_retest_pairs_with_string_codes():
    rng = np.random.default_rng(11)
    true = rng.normal(3, 0.8, 500)
    codes = [f"R{i:05d}" for i in range(500)]
    long = pd.DataFrame(
        {
            "retest_code": codes * 2,
            "occasion": [1] * 500 + [2] * 500,
            "score": np.concatenate(
                [true + rng.normal(0, 0.4, 500), true + rng.normal(0, 0.4, 500)]
            ),
        }
    )
    ours = pm.icc(long, targets="retest_code", raters="occasion", ratings="score")
    theirs = pg.intraclass_corr(long, targets="retest_code", raters="occasion", ratings="score")
    np.testing.assert_allclose(ours["icc"].to_numpy(), theirs["ICC"].to_numpy(), atol=1e-12)


def test_omit_drops_incomplete_targets():
    wide = shrout_fleiss().astype(float)
    wide.loc[7] = [5.0, np.nan, 4.0, 6.0]
    pd.testing.assert_frame_equal(pm.icc(wide, nan_policy="omit"), pm.icc(shrout_fleiss()))


@pytest.mark.parametrize(
    ("data", "kwargs", "match"),
    [
        (shrout_fleiss().assign(judge2=["a", "b", "c", "d", "e", "f"]), {}, "non-numeric"),
        (shrout_fleiss()[["judge1"]], {}, "at least 2 raters"),
        (shrout_fleiss().iloc[:1], {}, "at least 2 complete targets"),
        (shrout_fleiss().astype(float).assign(judge3=np.nan), {}, "lack a rating"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]}), {}, "do not vary within"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 1.0, 3.0]}), {"ci": 1.5}, "ci must be"),
        (shrout_fleiss(), {"nan_policy": "drop"}, "nan_policy must be one of"),
        (shrout_fleiss(), {"targets": "target"}, "give all of targets"),
    ],
)
def test_bad_input_names_the_problem(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        pm.icc(data, **kwargs)


def test_bad_long_input_names_the_problem():
    long = shrout_fleiss().reset_index().melt(id_vars="target", var_name="judge")
    with pytest.raises(ValueError, match="'rating' not in data"):
        pm.icc(long, targets="target", raters="judge", ratings="rating")
    doubled = pd.concat([long, long.iloc[:1]])
    with pytest.raises(ValueError, match="exactly one rating per rater"):
        pm.icc(doubled, targets="target", raters="judge", ratings="value")
    with pytest.raises(ValueError, match="must be numeric"):
        pm.icc(long.assign(value=long["value"].astype(str)), targets="target", raters="judge",
            ratings="value")  # fmt: skip
