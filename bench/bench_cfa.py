"""Benchmark: pm.cfa against semopy on a 6-factor, 40-item CFA at n = 100,000.

Data come from a known factor model (fixed seed) with six small cross-loadings that the
fitted simple-structure model leaves out (so it misfits a little, like real data), cut
into 5-point Likert answers as the survey collects them. Both programs start from the raw DataFrame; the script prints the
median wall time of each over several runs, their ratio, and how far apart their
chi-squares and fit indices are (semopy's chi-square is N * F_ML with the divide-by-N
covariance, as lavaan's and ours).

It also times pm.invariance over six random "professions" (no semopy counterpart).

Run:  .venv/bin/python bench/bench_cfa.py [--repeats 5] [--n 100000]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
import pandas as pd

import psychometrics as pm

SIZES = (7, 7, 7, 7, 6, 6)  # items per factor: 40 in all


def make_data(n: int, seed: int = 20240601) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Likert (1-5) answers from a correlated 6-factor model with a few cross-loadings."""
    rng = np.random.default_rng(seed)
    m, p = len(SIZES), sum(SIZES)
    lam = np.zeros((p, m))
    model: dict[str, list[str]] = {}
    start = 0
    for a, k in enumerate(SIZES):
        lam[start : start + k, a] = rng.uniform(0.5, 0.85, size=k)
        model[f"theme{a + 1}"] = [f"q{i + 1:02d}" for i in range(start, start + k)]
        start += k
    # Six unmodelled cross-loadings make the simple-structure CFA misfit a little, as real
    # survey data do, so the optimiser has work to do.
    for item in (4, 11, 18, 25, 32, 37):
        lam[item, (np.flatnonzero(lam[item])[0] + 1) % m] = 0.3
    phi = np.full((m, m), 0.4) + 0.6 * np.eye(m)
    factors = rng.multivariate_normal(np.zeros(m), phi, size=n)
    latent = factors @ lam.T + rng.standard_normal((n, p)) * np.sqrt(1.0 - (lam**2).sum(axis=1))
    cuts = np.array([-1.5, -0.5, 0.4, 1.3])
    answers = 1 + (latent[:, :, None] > cuts).sum(axis=2)
    columns = [f"q{i + 1:02d}" for i in range(p)]
    return pd.DataFrame(answers, columns=columns), model


def semopy_syntax(model: dict[str, list[str]]) -> str:
    return "\n".join(f"{f} =~ " + " + ".join(items) for f, items in model.items())


def time_it(func, repeats: int) -> tuple[float, object]:
    """Median wall time of ``repeats`` calls after one untimed warm-up call."""
    func()
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    TIMES[func] = times
    return statistics.median(times), out


TIMES: dict[object, list[float]] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    data, model = make_data(args.n)
    print(f"data: {data.shape[0]} respondents x {data.shape[1]} items, {len(model)} factors")

    fit_ours = lambda: pm.cfa(data, model)  # noqa: E731
    ours_time, ours = time_it(fit_ours, args.repeats)

    import semopy  # optional dev dependency, only for the comparison

    def run_semopy(fit_options: dict | None = None, with_stats: bool = True):
        mod = semopy.Model(semopy_syntax(model))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mod.fit(data, **({"options": fit_options} if fit_options else {}))
            return semopy.calc_stats(mod) if with_stats else mod

    semopy_repeats = max(1, min(args.repeats, 3))
    fit_time, _ = time_it(lambda: run_semopy(with_stats=False), semopy_repeats)
    full_time, sem = time_it(run_semopy, semopy_repeats)
    tight = run_semopy({"ftol": 1e-13, "maxiter": 10000})

    print(
        f"pm.cfa (fit + all fit measures + SEs)  median {ours_time * 1000:8.1f} ms  "
        f"(min {min(TIMES[fit_ours]) * 1000:.1f} ms; {ours.iterations} iterations, "
        f"converged={ours.converged})"
    )
    print(f"semopy fit only (default SLSQP)         median {fit_time * 1000:8.1f} ms")
    print(f"semopy fit + calc_stats (as a user)     median {full_time * 1000:8.1f} ms")
    print(
        f"ratio semopy fit+stats / pm.cfa: {full_time / ours_time:.1f}x;  "
        f"semopy fit only / pm.cfa: {fit_time / ours_time:.1f}x"
    )
    for label, other in (("semopy default tol", sem), ("semopy ftol=1e-13", tight)):
        chi2 = float(other["chi2"].iloc[0])
        print(
            f"chi2 vs {label}: pm.cfa {ours.chi2:.9f}  semopy {chi2:.9f}  "
            f"|diff| {abs(ours.chi2 - chi2):.2e} (relative {abs(ours.chi2 - chi2) / ours.chi2:.1e})"
        )
        for name, key in (("cfi", "CFI"), ("tli", "TLI")):
            theirs = float(other[key].iloc[0])
            print(
                f"  {name}: pm.cfa {getattr(ours, name):.10f}  semopy {theirs:.10f}  "
                f"|diff| {abs(getattr(ours, name) - theirs):.2e}"
            )
    print(f"dof: pm.cfa {ours.dof}  semopy {int(sem['DoF'].iloc[0])}")

    professions = np.array(["nursing", "medicine", "midwifery", "AHP", "pharmacy", "dental"])
    grouped = data.assign(profession=np.random.default_rng(1).choice(professions, len(data)))
    inv_time, inv = time_it(lambda: pm.invariance(grouped, model, "profession"), args.repeats)
    print(
        f"pm.invariance, {len(professions)} groups (configural, metric, scalar)  median "
        f"{inv_time * 1000:8.1f} ms  (level reached: {inv.level})"
    )


if __name__ == "__main__":
    main()
