"""Benchmark: the pre-commit path, `aigen lint <one spec>`, wall time with interpreter start included.

Budget: 0.3 s. Machines differ and other work shares them, so every command is timed in the same run as a baseline
(`python -c pass`, the interpreter alone) and reported as a ratio to it as well as in seconds. Runs are interleaved
(one of each command per round) so a burst of load hits them alike; the median of the rounds is reported, in wall
time and in the child's CPU time (user + system), which another process's load inflates less.

A second reference, the floor, imports what the path cannot do without and aigen does not control: click, PyYAML and
pydantic with one model built (pydantic loads most of itself, and importlib.metadata for its plugin loader, on the
first model). The pre-commit path minus the floor is what aigen's own modules and work cost.

    .venv/bin/python bench/lint_startup.py [--rounds 15] [--spec specs/models/loan-approval.yaml] [--json]

Exit 0 when the median of `aigen lint <spec>` is within the budget, 1 when it is not. Not a test: a timing on a
shared machine is evidence, not a pass/fail gate for `make test`.
"""

from __future__ import annotations

import argparse
import compileall
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 0.3
BASELINE = "baseline: python -c pass"
FLOOR = "floor: click, yaml, 1 pydantic model"
LINT = "aigen lint <spec> (pre-commit path)"
_FLOOR_CODE = ("import os\nos.environ.setdefault('PYDANTIC_DISABLE_PLUGINS', '__all__')  # as aigen's CLI does\n"
               "import click, yaml\nfrom pydantic import BaseModel\n\nclass M(BaseModel):\n    x: int\n")


def commands(spec: str) -> dict[str, list[str]]:
    py = sys.executable
    return {
        BASELINE: [py, "-c", "pass"],
        FLOOR: [py, "-c", _FLOOR_CODE],
        "aigen --version (CLI start)": [py, "-m", "aigen", "--version"],
        "aigen validate <spec>": [py, "-m", "aigen", "validate", "-q", spec],
        LINT: [py, "-m", "aigen", "lint", spec],
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def once(argv: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``argv``."""
    cpu = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=ROOT, capture_output=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {result.returncode}: {result.stderr.decode()[-500:]}")
    return elapsed, _children_cpu() - cpu


def measure(spec: str, rounds: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and CPU seconds of each command, one of each per round."""
    cmds = commands(spec)
    wall: dict[str, list[float]] = {name: [] for name in cmds}
    cpu: dict[str, list[float]] = {name: [] for name in cmds}
    for argv in cmds.values():  # warm the page cache and .pyc files
        once(argv)
    for _ in range(rounds):
        for name, argv in cmds.items():
            w, c = once(argv)
            wall[name].append(w)
            cpu[name].append(c)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--spec", default="specs/models/loan-approval.yaml")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    # An installed aigen is byte-compiled (pip compiles a wheel's modules at install time). Where the environment
    # sets PYTHONDONTWRITEBYTECODE (CI images often do), an editable checkout would recompile every module on every
    # run and time the compiler, not aigen: compile once, as an install would.
    compileall.compile_dir(str(ROOT / "aigen"), quiet=1)
    wall, cpu = measure(args.spec, args.rounds)
    base = statistics.median(wall[BASELINE])
    rows = [{"command": name, "median_s": round(statistics.median(t), 4), "min_s": round(min(t), 4),
             "ratio_to_baseline": round(statistics.median(t) / base, 1),
             "cpu_median_s": round(statistics.median(cpu[name]), 4)} for name, t in wall.items()]
    lint = statistics.median(wall[LINT])
    own = lint - statistics.median(wall[FLOOR])
    if args.json:
        print(json.dumps({"rounds": args.rounds, "budget_s": BUDGET, "aigen_own_s": round(own, 4), "results": rows},
                         indent=2))
    else:
        print(f"{'command':40} {'median':>8} {'min':>8} {'x baseline':>11} {'CPU median':>11}   ({args.rounds} rounds)")
        for row in rows:
            print(f"{row['command']:40} {row['median_s']:7.3f}s {row['min_s']:7.3f}s {row['ratio_to_baseline']:10.1f}x "
                  f"{row['cpu_median_s']:10.3f}s")
        verdict = "within" if lint <= BUDGET else "OVER"
        print(f"\npre-commit path: {lint:.3f} s median, {verdict} the {BUDGET} s budget; {own:.3f} s of it above the "
              f"floor (aigen's own modules and work)")
    return 0 if lint <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
