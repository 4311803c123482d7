"""Time the synthetic pilot generator: 100,000 responses x 40 items (median of 5).

Run from the repository root::

    .venv/bin/python bench/bench_synthetic.py

Prints one line per size with the median and the range of five timed runs after
one warm-up run (imports and first-call costs are not timed).
"""

from __future__ import annotations

import statistics
import sys
import time

import psychometrics as pm

SIZES = (5_000, 100_000)
REPEATS = 5


def main() -> int:
    pm.generate_pilot(n_responses=1_000, seed=0)  # warm-up
    for n in SIZES:
        times = []
        for seed in range(REPEATS):
            start = time.perf_counter()
            pilot = pm.generate_pilot(n_responses=n, seed=seed)
            times.append(time.perf_counter() - start)
        shape = pilot.responses.shape
        print(
            f"generate_pilot n_responses={n:>7,} items={len(pilot.items)} "
            f"placements={len(pilot.placements):,} retest_pairs={len(pilot.retest) // 2:,} "
            f"responses={shape[0]:,}x{shape[1]}: median {statistics.median(times):.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}, {REPEATS} runs)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
