"""Benchmark: the whole psychometric validation of a national survey window.

Generates 100,000 responses x 40 items and 50,000 test-retest pairs with
``pm.generate_pilot`` (fixed seed) and runs, side by side,

  ours   pm.cronbach_alpha, pm.item_analysis, pm.omega, pm.kmo, pm.bartlett,
         pm.parallel_analysis (100 iterations), pm.efa (6 factors, minres, oblimin),
         pm.cfa (6 factors), pm.icc on the retest pairs;
  peer   the same analyses composed from pingouin, factor-analyzer and semopy as a
         user would write them (see ``peer`` below).

It prints the median wall time of each side over repeated runs, the ratio, peak
memory (tracemalloc, in a separate untimed run), and how far apart every figure the
two share is. The side-by-side uses complete data (``na_rate`` and ``missing_rate``
0) so that both compute the same definitions; one more line times ours on the
generator's default, realistic missingness (pairwise deletion), which the peer
libraries cannot do.

Run:  .venv/bin/python bench/bench_validation.py [--repeats 5] [--peer-repeats 3]
      .venv/bin/python bench/bench_validation.py --quick      # 20,000 rows, 20 iterations
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

import psychometrics as pm

SEED = 20240601
FACTORS = 6


@dataclasses.dataclass
class Data:
    items: pd.DataFrame  # complete, reverse-keyed items recoded
    model: dict[str, list[str]]
    retest: pd.DataFrame  # long: retest_code, occasion, score
    items_missing: pd.DataFrame  # default missingness, for ours only
    n_iter: int


def make_data(n: int, n_iter: int) -> Data:
    complete_specs = [dataclasses.replace(s, na_rate=0.0) for s in pm.default_items()]
    pilot = pm.generate_pilot(
        complete_specs, n_responses=n, seed=SEED, retest_fraction=0.5, missing_rate=0.0
    )
    ids = [s.id for s in complete_specs]
    reverse = [s.id for s in complete_specs if s.reverse]
    items = pilot.responses[ids].copy()
    items[reverse] = 6 - items[reverse]
    retest = pilot.retest.copy()
    retest[reverse] = 6 - retest[reverse]
    retest["score"] = retest[ids].mean(axis=1)
    model: dict[str, list[str]] = {}
    for spec in complete_specs:
        model.setdefault(spec.factor, []).append(spec.id)
    messy = pm.generate_pilot(n_responses=n, seed=SEED)
    items_missing = messy.responses[ids].copy()
    items_missing[reverse] = 6 - items_missing[reverse]
    return Data(items, model, retest[["retest_code", "occasion", "score"]], items_missing, n_iter)


# --- ours -------------------------------------------------------------------------


def ours(d: Data, items: pd.DataFrame | None = None) -> dict[str, Any]:
    x = d.items if items is None else items
    return {
        "alpha": pm.cronbach_alpha(x),
        "items": pm.item_analysis(x),
        "omega": pm.omega(x),
        "kmo": pm.kmo(x),
        "bartlett": pm.bartlett(x),
        "parallel": pm.parallel_analysis(x, n_iter=d.n_iter, seed=SEED),
        "efa": pm.efa(x, FACTORS),
        "cfa": pm.cfa(x, d.model),
        "icc": pm.icc(d.retest, targets="retest_code", raters="occasion", ratings="score"),
    }


# --- peer: pingouin + factor-analyzer + semopy, as a user would write it ----------


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn/pandas deprecation chatter from the peers
        yield


def peer(d: Data) -> dict[str, Any]:
    import pingouin as pg
    import semopy
    from factor_analyzer import FactorAnalyzer
    from factor_analyzer.factor_analyzer import calculate_bartlett_sphericity, calculate_kmo

    x = d.items
    out: dict[str, Any] = {}
    with quiet():
        out["alpha"] = pg.cronbach_alpha(x)

        cov = x.cov()
        total, row, var = cov.to_numpy().sum(), cov.sum(axis=1), np.diag(cov)
        out["items"] = pd.DataFrame(
            {
                "n": x.count(),
                "mean": x.mean(),
                "sd": x.std(),
                "pct_missing": x.isna().mean() * 100,
                "floor_pct": (x == 1).sum() / x.count() * 100,
                "ceiling_pct": (x == 5).sum() / x.count() * 100,
                "item_rest_r": (row - var) / np.sqrt(var * (total - 2 * row + var)),
                "alpha_if_deleted": [pg.cronbach_alpha(x.drop(columns=c))[0] for c in x],
            }
        )

        one = FactorAnalyzer(n_factors=1, rotation=None, method="minres").fit(x)
        lam, uniq = one.loadings_[:, 0], one.get_uniquenesses()
        key = np.where(lam < 0, -1.0, 1.0)
        vt = (x.corr().to_numpy() * np.outer(key, key)).sum()
        out["omega"] = 1 - uniq.sum() / vt

        out["kmo"] = calculate_kmo(x)
        out["bartlett"] = calculate_bartlett_sphericity(x)

        observed = FactorAnalyzer(rotation=None).fit(x).get_eigenvalues()[0]
        rng = np.random.default_rng(SEED)
        random = []
        for _ in range(d.n_iter):
            sim = rng.standard_normal(x.shape)
            random.append(FactorAnalyzer(rotation=None).fit(sim).get_eigenvalues()[0])
        threshold = np.quantile(np.array(random), 0.95, axis=0)
        above = observed > threshold
        out["parallel"] = int(above.argmin()) if not above.all() else x.shape[1]

        efa = FactorAnalyzer(n_factors=FACTORS, rotation="oblimin", method="minres").fit(x)
        out["efa"] = efa.loadings_

        desc = "\n".join(f"{f} =~ " + " + ".join(v) for f, v in d.model.items())
        model = semopy.Model(desc)
        model.fit(x)
        out["cfa"] = semopy.calc_stats(model).loc["Value"]

        out["icc"] = pg.intraclass_corr(
            d.retest, targets="retest_code", raters="occasion", ratings="score"
        ).set_index("Type")
    return out


@contextlib.contextmanager
def converged_factor_analyzer() -> Iterator[None]:
    """factor-analyzer's fit with its L-BFGS-B and GPA rotation run to convergence."""
    import factor_analyzer.factor_analyzer as fam
    from scipy.optimize import minimize

    def tight(fun: Any, x0: Any, **kwargs: Any) -> Any:
        kwargs["options"] = {"maxiter": 100_000, "ftol": 1e-15, "gtol": 1e-11, "maxcor": 30}
        return minimize(fun, x0, **kwargs)

    original_min, original_rot = fam.minimize, fam.Rotator
    fam.minimize = tight
    fam.Rotator = partial(original_rot, tol=1e-8, max_iter=100_000)  # type: ignore[misc]
    try:
        yield
    finally:
        fam.minimize, fam.Rotator = original_min, original_rot


# --- comparison -------------------------------------------------------------------


def _aligned(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    order = [int(np.argmax(np.abs(a[:, j] @ b))) for j in range(a.shape[1])]
    flip = np.array([np.sign(a[:, j] @ b[:, order[j]]) for j in range(a.shape[1])])
    return b[:, order] * flip


def differences(o: dict[str, Any], p: dict[str, Any]) -> list[tuple[str, float, str]]:
    """(figure, largest absolute difference, note) for every figure both compute."""
    rows = [("alpha", abs(o["alpha"].alpha - p["alpha"][0]), "")]
    ci = max(abs(round(o["alpha"].ci_low, 3) - p["alpha"][1][0]),
             abs(round(o["alpha"].ci_high, 3) - p["alpha"][1][1]))  # fmt: skip
    rows.append(("alpha Feldt CI (pingouin rounds to 3 dp)", ci, "after rounding ours"))
    for col in o["items"].columns:
        diff = np.max(np.abs(o["items"][col].to_numpy(float) - p["items"][col].to_numpy(float)))
        rows.append((f"item analysis: {col} (40 items)", float(diff), ""))
    rows.append(("omega total", abs(o["omega"].omega_total - p["omega"]), ""))
    rows.append(("KMO overall", abs(o["kmo"].overall - p["kmo"][1]), ""))
    rows.append(("KMO per item", float(np.max(np.abs(o["kmo"].per_item - p["kmo"][0]))), ""))
    rel = abs(o["bartlett"].chi2 - p["bartlett"][0]) / abs(p["bartlett"][0])
    rows.append(("Bartlett chi2 (relative)", rel, f"chi2 = {o['bartlett'].chi2:.6f}"))
    lam = o["efa"].loadings.to_numpy()
    efa_diff = float(np.max(np.abs(lam - _aligned(lam, p["efa"]))))
    rows.append(("EFA 6-factor oblimin loadings (order, sign)", efa_diff, ""))
    stats = p["cfa"]
    cfa = o["cfa"]
    rows.append(("CFA chi2 (relative)", abs(cfa.chi2 - stats["chi2"]) / stats["chi2"], f"chi2 = {cfa.chi2:.6f}"))  # fmt: skip
    for ours_name, theirs in (("cfi", "CFI"), ("tli", "TLI"), ("rmsea", "RMSEA")):
        rows.append((f"CFA {ours_name.upper()}", abs(getattr(cfa, ours_name) - stats[theirs]), ""))
    icc_o, icc_p = o["icc"], p["icc"].loc[o["icc"].index]
    rows.append(("ICC, six forms", float(np.max(np.abs(icc_o["icc"] - icc_p["ICC"]))), ""))
    rows.append(("ICC F (relative)", float(np.max(np.abs(icc_o["f"] / icc_p["F"] - 1))), ""))
    same = o["parallel"].n_factors == p["parallel"]
    rows.append(("parallel analysis: factors retained", 0.0 if same else 1.0,
                 f"ours {o['parallel'].n_factors}, peer {p['parallel']}"))  # fmt: skip
    return rows


# --- timing -----------------------------------------------------------------------


def median_time(func: Callable[[], Any], repeats: int) -> tuple[float, list[float], Any]:
    func()  # warm-up: imports, caches
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def peak_memory(func: Callable[[], Any]) -> float:
    tracemalloc.start()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def per_analysis(d: Data, repeats: int) -> list[tuple[str, float]]:
    calls = {
        "cronbach_alpha": lambda: pm.cronbach_alpha(d.items),
        "item_analysis": lambda: pm.item_analysis(d.items),
        "omega": lambda: pm.omega(d.items),
        "kmo": lambda: pm.kmo(d.items),
        "bartlett": lambda: pm.bartlett(d.items),
        f"parallel_analysis ({d.n_iter} iter)": lambda: pm.parallel_analysis(
            d.items, n_iter=d.n_iter, seed=SEED
        ),
        "efa (6 factors)": lambda: pm.efa(d.items, FACTORS),
        "cfa (6 factors)": lambda: pm.cfa(d.items, d.model),
        "icc (retest pairs)": lambda: pm.icc(
            d.retest, targets="retest_code", raters="occasion", ratings="score"
        ),
    }
    return [(name, median_time(f, repeats)[0]) for name, f in calls.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--n-iter", type=int, default=100, help="parallel-analysis iterations")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of ours")
    parser.add_argument("--peer-repeats", type=int, default=3, help="timed runs of the peer")
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 20 iterations, 2/1 runs")
    args = parser.parse_args()
    if args.quick:
        args.n, args.n_iter, args.repeats, args.peer_repeats = 20_000, 20, 2, 1

    d = make_data(args.n, args.n_iter)
    print(f"data: {d.items.shape[0]:,} respondents x {d.items.shape[1]} items (complete), "
          f"{d.retest['retest_code'].nunique():,} retest pairs; parallel analysis "
          f"{d.n_iter} iterations; load average {os.getloadavg()[0]:.1f}")  # fmt: skip

    t_ours, runs_ours, res_ours = median_time(lambda: ours(d), args.repeats)
    t_peer, runs_peer, res_peer = median_time(lambda: peer(d), args.peer_repeats)
    t_missing, _, _ = median_time(lambda: ours(d, d.items_missing), args.repeats)

    print(f"\nours  median {t_ours:7.3f} s  runs {[round(t, 3) for t in runs_ours]}")
    print(f"peer  median {t_peer:7.3f} s  runs {[round(t, 3) for t in runs_peer]}")
    print(f"ratio peer / ours: {t_peer / t_ours:.1f}x")
    miss = d.items_missing.isna().mean().mean() * 100
    print(f"ours on default missingness ({miss:.1f} % cells missing, pairwise): {t_missing:.3f} s")

    print("\nours per analysis (median):")
    for name, t in per_analysis(d, args.repeats):
        print(f"  {name:28s} {t * 1000:8.1f} ms")

    print("\nagreement (largest absolute difference unless marked relative):")
    for name, diff, note in differences(res_ours, res_peer):
        print(f"  {name:48s} {diff:9.2e}  {note}")
    with converged_factor_analyzer(), quiet():
        from factor_analyzer import FactorAnalyzer

        efa = FactorAnalyzer(n_factors=FACTORS, rotation="oblimin", method="minres").fit(d.items)
        one = FactorAnalyzer(n_factors=1, rotation=None, method="minres").fit(d.items)
    lam = res_ours["efa"].loadings.to_numpy()
    print(f"  {'EFA loadings, factor-analyzer run to convergence':48s} "
          f"{np.max(np.abs(lam - _aligned(lam, efa.loadings_))):9.2e}")  # fmt: skip
    key = np.where(one.loadings_[:, 0] < 0, -1.0, 1.0)
    vt = (d.items.corr().to_numpy() * np.outer(key, key)).sum()
    tight_omega = 1 - one.get_uniquenesses().sum() / vt
    print(f"  {'omega total, factor-analyzer run to convergence':48s} "
          f"{abs(res_ours['omega'].omega_total - tight_omega):9.2e}")  # fmt: skip
    import semopy

    with quiet():
        sem = semopy.Model("\n".join(f"{f} =~ " + " + ".join(v) for f, v in d.model.items()))
        sem.fit(d.items, options={"ftol": 1e-13, "maxiter": 10_000})
        sem_stats = semopy.calc_stats(sem).loc["Value"]
    cfa = res_ours["cfa"]
    print(f"  {'CFA chi2 (relative), semopy ftol=1e-13':48s} "
          f"{abs(cfa.chi2 - sem_stats['chi2']) / sem_stats['chi2']:9.2e}")  # fmt: skip
    for name, theirs in (("cfi", "CFI"), ("tli", "TLI"), ("rmsea", "RMSEA")):
        print(f"  {'CFA ' + name.upper() + ', semopy ftol=1e-13':48s} "
              f"{abs(getattr(cfa, name) - sem_stats[theirs]):9.2e}")  # fmt: skip

    print(f"\npeak memory (tracemalloc): ours {peak_memory(lambda: ours(d)):.0f} MiB, "
          f"peer {peak_memory(lambda: peer(d)):.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
