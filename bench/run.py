"""Run every benchmark in bench/ (each reports ratios against a baseline measured in the same run)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    worst = 0
    for script in sorted(HERE.glob("*_bench.py")) + sorted(HERE.glob("lint_startup.py")):
        print(f"== {script.name}", flush=True)
        worst = max(worst, subprocess.run([sys.executable, str(script)]).returncode)
    return worst


if __name__ == "__main__":
    sys.exit(main())
