"""Time placement scoring, benchmarking and flags on 100,000 responses x 5,000 placements.

Data: ``pm.generate_pilot(n_responses=100_000, n_placements=5_000, seed=0)``:
40 items on six themes, three windows, nine learner groups. Scales: the six
themes and "overall" (7 scales). Each step is timed on its own input, median
of ``--repeats`` runs after one warm-up run (first-call costs not timed).

Run from the repository root::

    .venv/bin/python bench/bench_scoring.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import psychometrics as pm
from psychometrics.scoring import scales_from_items


def timed(fn: Callable[[], Any], repeats: int) -> tuple[Any, list[float]]:
    result = fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    pilot = pm.generate_pilot(n_responses=100_000, n_placements=5_000, seed=0)
    r = pilot.responses
    scales = scales_from_items(pilot.items)
    reverse = [item.id for item in pilot.items if item.reverse]
    adverse = [item.id for item in pilot.items if item.adverse]
    windows = pilot.windows
    every = list(pilot.placements["placement"])  # placements without responses get rows too

    def score() -> Any:
        return pm.score_placements(r, scales, reverse=reverse, windows=windows, placements=every)

    def score_groups() -> Any:
        return pm.score_placements(
            r, scales, reverse=reverse, windows=windows, placements=every, group="group"
        )

    scores, t_score = timed(score, args.repeats)
    grouped, t_group = timed(score_groups, args.repeats)
    bench, t_bench = timed(lambda: pm.benchmark(scores), args.repeats)
    _, t_quart = timed(lambda: pm.benchmark(scores, method="quartile"), args.repeats)
    _, t_bgroup = timed(lambda: pm.benchmark(grouped, by=["window", "group"]), args.repeats)
    flags, t_flags = timed(
        lambda: pm.adverse_flags(r, bench, adverse_items=adverse, windows=windows), args.repeats
    )

    def pipeline() -> Any:
        s = score()
        return pm.adverse_flags(r, pm.benchmark(s), adverse_items=adverse, windows=windows)

    _, t_all = timed(pipeline, args.repeats)
    print(
        f"{len(r):,} responses x {len(pilot.items)} items, {len(every):,} placements "
        f"({r['placement'].nunique():,} with responses), {len(windows)} windows, "
        f"{len(scales)} scales; median of {args.repeats} runs"
    )
    rows = [
        ("score_placements", t_score, len(scores)),
        ("score_placements(group='group')", t_group, len(grouped)),
        ("benchmark (funnel)", t_bench, len(bench)),
        ("benchmark (quartile)", t_quart, len(scores)),
        ("benchmark group rows, by=[window, group]", t_bgroup, len(grouped)),
        ("adverse_flags (all five rules)", t_flags, len(flags)),
        ("score + benchmark + flags", t_all, len(flags)),
    ]
    for name, times, n_rows in rows:
        print(
            f"| {name} | {n_rows:,} | {statistics.median(times):.3f} s | "
            f"{min(times):.3f} s | {max(times):.3f} s |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
