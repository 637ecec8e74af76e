"""Benchmark: `aigen test` over the three example models (goal: under 30 s wall on a 2-core machine).

Baseline, measured in the same run: plain `promtool test rules` over the same generated test files, one process
after another — what a team would run without aigen. `aigen test` does more (probes measuring time-to-fire, a
`promtool check rules`, parallel processes), so the ratio shows what the measurement costs, or saves through
parallelism. Rounds are interleaved so a burst of load on a shared machine hits both alike; medians are reported.

    .venv/bin/python bench/proof_bench.py [--rounds 3] [--json]

Exit 0 when the median of `aigen test` is within the goal, 1 when it is not. Not a test: evidence, not a gate.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 30.0


def timed(argv: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=ROOT, capture_output=True)
    return time.perf_counter() - start, result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "generated").glob("*/tests/*.yaml"))
    baseline, aigen = [], []
    codes = set()
    for _ in range(args.rounds):
        start = time.perf_counter()
        for path in tests:
            subprocess.run(["promtool", "test", "rules", path], cwd=ROOT, capture_output=True)
        baseline.append(time.perf_counter() - start)
        seconds, code = timed([sys.executable, "-m", "aigen", "test"])
        aigen.append(seconds)
        codes.add(code)
    base, ours = statistics.median(baseline), statistics.median(aigen)
    report = {
        "cpus": os.cpu_count(),
        "test_files": len(tests),
        "baseline_promtool_sequential_s": round(base, 2),
        "aigen_test_s": round(ours, 2),
        "ratio_to_baseline": round(ours / base, 2),
        "goal_s": GOAL,
        "within_goal": ours <= GOAL,
        "aigen_test_exit_codes": sorted(codes),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{len(tests)} test files, {os.cpu_count()} CPUs, median of {args.rounds} rounds")
        print(f"  baseline: promtool test rules, one file after another  {base:6.2f} s")
        print(f"  aigen test (check + tests + time-to-fire probes)       {ours:6.2f} s  "
              f"({ours / base:.2f}x baseline; goal {GOAL:.0f} s: {'met' if ours <= GOAL else 'MISSED'})")
    return 0 if ours <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
