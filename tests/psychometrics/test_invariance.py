"""pm.invariance against lavaan's published multi-group output for Holzinger & Swineford.

Source (GRP): the lavaan tutorial "Multiple groups" as built with lavaan 0.5-16
(tutorial.src/groups.tex of github.com/yrosseel/lavaan.org.old, rendered at
lavaan.ugent.be/tutorial/groups.html), for the three-factor model with
``group = "school"``:

* ``summary(cfa(HS.model, data = HolzingerSwineford1939, group = "school"))`` —
  the configural model with its per-group chi-squares and estimates;
* the same with ``group.equal = "loadings"`` — the metric model;
* ``semTools::measurementInvariance(HS.model, data = ..., group = "school")`` — chi2,
  df, CFI, RMSEA and BIC of the configural, weak (metric) and strong (scalar) models,
  and the chi-square differences and CFI changes between them.

lavaan prints three decimals: numbers are matched within half a unit of the third (5e-4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from semopy.examples import holzinger39

import psychometrics as pm

HS_MODEL = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}
PRINTED = 5e-4


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return holzinger39.get_data()


@pytest.fixture(scope="module")
def res(hs: pd.DataFrame) -> pm.InvarianceResult:
    return pm.invariance(hs, HS_MODEL, group="school")


STEP_FIT = [
    # step, column, published (GRP, measurementInvariance output unless noted)
    ("configural", "chi2", 115.851),
    ("configural", "dof", 48),
    ("configural", "cfi", 0.923),
    ("configural", "rmsea", 0.097),
    ("configural", "bic", 7706.822),
    ("metric", "chi2", 124.044),
    ("metric", "dof", 54),
    ("metric", "cfi", 0.921),
    ("metric", "rmsea", 0.093),
    ("metric", "bic", 7680.771),
    ("metric", "delta_chi2", 8.192),
    ("metric", "delta_dof", 6),
    ("metric", "delta_pvalue", 0.224),
    ("metric", "delta_cfi", -0.002),  # printed as delta.cfi 0.002 (a drop)
    ("scalar", "chi2", 164.103),
    ("scalar", "dof", 60),
    ("scalar", "cfi", 0.882),
    ("scalar", "rmsea", 0.107),
    ("scalar", "bic", 7686.588),
    ("scalar", "delta_chi2", 40.059),
    ("scalar", "delta_dof", 6),
    ("scalar", "delta_pvalue", 0.000),
    ("scalar", "delta_cfi", -0.038),  # printed as delta.cfi 0.038 (a drop)
]


@pytest.mark.parametrize(
    ("step", "column", "published"), STEP_FIT, ids=[f"{s}-{c}" for s, c, _ in STEP_FIT]
)
def test_step_fit_matches_lavaan(
    res: pm.InvarianceResult, step: str, column: str, published: float
) -> None:
    value = res.table.set_index("step").loc[step, column]
    assert value == pytest.approx(published, abs=PRINTED)


CHI2_GROUPS = [
    ("configural", "Pasteur", 64.309),  # GRP: configural summary, chi-square for each group
    ("configural", "Grant-White", 51.542),
    ("metric", "Pasteur", 68.825),  # GRP: group.equal = "loadings" summary
    ("metric", "Grant-White", 55.219),
]


@pytest.mark.parametrize(
    ("step", "group", "published"), CHI2_GROUPS, ids=[f"{s}-{g}" for s, g, _ in CHI2_GROUPS]
)
def test_group_chi_squares_match_lavaan(
    res: pm.InvarianceResult, step: str, group: str, published: float
) -> None:
    assert res.chi2_groups.loc[step, group] == pytest.approx(published, abs=PRINTED)


ESTIMATES = [
    # step, group, op, lhs, rhs, estimate, se  (GRP summaries)
    ("configural", "Pasteur", "=~", "visual", "x2", 0.394, 0.122),
    ("configural", "Pasteur", "=~", "visual", "x3", 0.570, 0.140),
    ("configural", "Pasteur", "=~", "textual", "x5", 1.183, 0.102),
    ("configural", "Pasteur", "=~", "textual", "x6", 0.875, 0.077),
    ("configural", "Pasteur", "=~", "speed", "x8", 1.125, 0.277),
    ("configural", "Pasteur", "=~", "speed", "x9", 0.922, 0.225),
    ("configural", "Pasteur", "~~", "visual", "textual", 0.479, 0.106),
    ("configural", "Pasteur", "~1", "x1", "", 4.941, 0.095),
    ("configural", "Pasteur", "~~", "visual", "visual", 1.097, 0.276),
    ("configural", "Grant-White", "=~", "visual", "x2", 0.736, 0.155),
    ("configural", "Grant-White", "=~", "visual", "x3", 0.925, 0.166),
    ("configural", "Grant-White", "=~", "textual", "x5", 0.990, 0.087),
    ("configural", "Grant-White", "=~", "textual", "x6", 0.963, 0.085),
    ("configural", "Grant-White", "=~", "speed", "x8", 1.226, 0.187),
    ("configural", "Grant-White", "=~", "speed", "x9", 1.058, 0.165),
    ("configural", "Grant-White", "~~", "x1", "x1", 0.715, 0.126),
    ("metric", "Pasteur", "=~", "visual", "x2", 0.599, 0.100),
    ("metric", "Pasteur", "=~", "visual", "x3", 0.784, 0.108),
    ("metric", "Pasteur", "=~", "textual", "x5", 1.083, 0.067),
    ("metric", "Pasteur", "=~", "textual", "x6", 0.912, 0.058),
    ("metric", "Pasteur", "=~", "speed", "x8", 1.201, 0.155),
    ("metric", "Pasteur", "=~", "speed", "x9", 1.038, 0.136),
    ("metric", "Grant-White", "=~", "visual", "x2", 0.599, 0.100),
    ("metric", "Grant-White", "~~", "visual", "textual", 0.437, 0.099),
    ("metric", "Grant-White", "~~", "speed", "speed", 0.475, 0.109),
    ("metric", "Grant-White", "~1", "x5", "", 4.712, 0.100),
]


@pytest.mark.parametrize(
    ("step", "group", "op", "lhs", "rhs", "estimate", "se"),
    ESTIMATES,
    ids=[f"{r[0]}-{r[1]}-{r[3]}{r[2]}{r[4]}" for r in ESTIMATES],
)
@pytest.mark.parametrize("column", ["estimate", "se"])
def test_group_estimates_match_lavaan(
    res: pm.InvarianceResult,
    step: str,
    group: str,
    op: str,
    lhs: str,
    rhs: str,
    estimate: float,
    se: float,
    column: str,
) -> None:
    p = res.parameters
    row = p[(p.step == step) & (p.group == group) & (p.op == op) & (p.lhs == lhs) & (p.rhs == rhs)]
    assert len(row) == 1
    published = {"estimate": estimate, "se": se}[column]
    assert row[column].iloc[0] == pytest.approx(published, abs=PRINTED)


def test_verdict_follows_chen(res: pm.InvarianceResult) -> None:
    # metric: dCFI -0.002 > -0.010 (holds); scalar: dCFI -0.038 with dSRMR >= .010 (fails)
    assert list(res.table["invariant"]) == [None, True, False]
    assert res.level == "metric"
    assert "Metric invariance is supported" in res.verdict
    assert "Scalar invariance is not supported" in res.verdict
    assert "mean theme scores should not be compared" in res.verdict
    assert res.too_small == {} and res.unusable == {} and res.excluded_rows == 0
    assert res.warning is None and res.table["converged"].all()


def test_equal_loadings_and_intercepts_are_equal_across_groups(res: pm.InvarianceResult) -> None:
    p = res.parameters[res.parameters.step == "scalar"]
    is_factor = p.lhs.isin(list(HS_MODEL))
    shared = p[(p.op == "=~") | ((p.op == "~1") & ~is_factor)]
    wide = shared.pivot_table(index=["op", "lhs", "rhs"], columns="group", values="estimate")
    assert len(wide) == 9 + 9
    assert wide["Pasteur"].to_numpy() == pytest.approx(wide["Grant-White"].to_numpy(), abs=1e-12)
    means = p[(p.op == "~1") & is_factor].set_index("group")
    assert (means.loc["Pasteur", "estimate"] == 0).all() and not means.loc["Pasteur", "free"].any()
    assert means.loc["Grant-White", "free"].all()


def test_small_group_is_reported_not_dropped(hs: pd.DataFrame, res: pm.InvarianceResult) -> None:
    tiny = hs.head(12).assign(school="Tiny")
    result = pm.invariance(pd.concat([hs, tiny], ignore_index=True), HS_MODEL, group="school")
    assert result.too_small == {"Tiny": 12}
    assert (
        result.min_group_n == 30
    )  # 6 loadings + 9 residuals + 6 factor (co)variances + 9 intercepts
    assert result.groups.set_index("group").loc["Tiny", "status"] == "too small"
    assert "Tiny (n=12)" in result.verdict
    assert result.table["chi2"].to_numpy() == pytest.approx(res.table["chi2"].to_numpy(), rel=1e-10)
    assert result.excluded_rows == 12


def test_group_with_a_constant_item_is_reported_as_unusable(hs: pd.DataFrame) -> None:
    odd = hs.head(40).assign(school="Odd", x4=2.0)
    result = pm.invariance(pd.concat([hs, odd], ignore_index=True), HS_MODEL, group="school")
    assert list(result.unusable) == ["Odd"]
    assert "['x4'] have zero variance in group 'Odd'" in result.unusable["Odd"]
    assert "Not compared, unusable: Odd" in result.verdict


def test_rows_without_group_or_answers_are_counted(
    hs: pd.DataFrame, res: pm.InvarianceResult
) -> None:
    extra = hs.head(3).assign(school=np.nan)
    holes = hs.copy()
    holes.loc[holes.index[0], "x2"] = np.nan
    result = pm.invariance(pd.concat([holes, extra], ignore_index=True), HS_MODEL, group="school")
    assert result.excluded_rows == 4
    assert result.groups["n"].sum() == len(hs) - 1


def test_groups_keep_order_of_appearance_or_category_order(hs: pd.DataFrame) -> None:
    ordered = hs.assign(school=pd.Categorical(hs["school"], categories=["Grant-White", "Pasteur"]))
    result = pm.invariance(ordered, HS_MODEL, group="school")
    assert list(result.groups["group"]) == ["Grant-White", "Pasteur"]
    # the reference group changes, the fit does not
    assert result.table.loc[2, "chi2"] == pytest.approx(
        164.103, abs=PRINTED
    )  # GRP: strong invariance


def _two_groups(seed: int, shift: float, n: int = 1500) -> pd.DataFrame:
    """Two groups from one 2-factor model; ``shift`` moves one item's intercept in group B."""
    rng = np.random.default_rng(seed)
    lam = np.array(
        [[0.8, 0], [0.7, 0], [0.6, 0], [0.75, 0], [0, 0.8], [0, 0.65], [0, 0.7], [0, 0.6]]
    )
    frames = []
    for label, mean in (("A", 0.0), ("B", 0.3)):
        scores = rng.multivariate_normal([mean, mean], [[1, 0.4], [0.4, 1]], size=n)
        x = scores @ lam.T + rng.standard_normal((n, 8)) * 0.6 + 3.0
        if label == "B":
            x[:, 1] += shift
        frames.append(pd.DataFrame(x, columns=[f"q{i}" for i in range(8)]).assign(grp=label))
    return pd.concat(frames, ignore_index=True)


TWO_FACTOR = {"f1": ["q0", "q1", "q2", "q3"], "f2": ["q4", "q5", "q6", "q7"]}


def test_planted_intercept_difference_is_detected() -> None:
    result = pm.invariance(_two_groups(11, shift=0.8), TWO_FACTOR, group="grp")
    assert result.level == "metric"
    assert result.table.set_index("step").loc["scalar", "delta_cfi"] <= -0.01


def test_invariant_groups_reach_scalar() -> None:
    result = pm.invariance(_two_groups(11, shift=0.0), TWO_FACTOR, group="grp")
    assert result.level == "scalar"
    assert "Scalar invariance is supported" in result.verdict


BAD_INPUT = [
    ("missing group column", lambda hs: pm.invariance(hs, HS_MODEL, group="profession"),
     r"group must name a column of data, got 'profession'"),
    ("unknown item", lambda hs: pm.invariance(hs, {"visual": ["x1", "x2", "x10"]}, group="school"),
     r"item\(s\) \['x10'\] that are not columns of data"),
    ("group is an item", lambda hs: pm.invariance(hs.assign(g=hs["x1"]), {"v": ["g", "x2", "x3"]}, group="g"),
     r"the group column 'g' is also an item"),
    ("every group too small", lambda hs: pm.invariance(hs, HS_MODEL, group="school", min_group_n=200),
     r"at least two groups with at least 200 complete responses; usable: \[\], too small: "
     r"\{'Pasteur': 156, 'Grant-White': 145\}"),
    ("one group only", lambda hs: pm.invariance(hs.assign(one="all"), HS_MODEL, group="one"),
     r"at least two groups"),
    ("bad min_group_n", lambda hs: pm.invariance(hs, HS_MODEL, group="school", min_group_n=1),
     r"min_group_n must be an integer >= 2"),
    ("non-numeric item", lambda hs: pm.invariance(hs.assign(x1=hs["x1"].astype(str)), HS_MODEL, group="school"),
     r"non-numeric: \['x1 \(object\)'\]"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "call", "message"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_raises_a_clear_value_error(
    hs: pd.DataFrame, case: str, call, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call(hs)
