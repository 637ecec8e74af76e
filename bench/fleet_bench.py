"""Fleet benchmark: every command a team runs, on N = 10, 100 (, 1,000) synthetic models, against floors.

For each size, a project from bench/fleet.py is written to a temporary folder and each command is run as a user
runs it (a fresh process), measuring wall time, CPU (user + system, the process and its waited-for children, from
wait4's rusage) and peak RSS (the largest process). Each command has a floor measured in the same run on the same
data, and the table shows the ratio to it:

- ``python -c pass``: the interpreter alone (validate, lint of one spec);
- the PyYAML C dumper (``yaml.dump(..., Dumper=yaml.CSafeDumper)``; JSON files with ``json.dumps``) writing the
  same objects aigen rendered, plus interpreter start (render);
- ``promtool check rules`` on the same rule files (lint of the project);
- ``promtool test rules`` on the same test files, one process (aigen test).

The Prometheus evaluation cost of each fleet's rules (bench/prom_eval.py) closes the table. ``aigen test`` of the
whole fleet only runs up to --test-all-max models (at 100 models it takes tens of minutes on 2 cores).

    python bench/fleet_bench.py [--sizes 10,100] [--json out.json]      # or: make bench FLEET=10,100
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fleet  # noqa: E402
import prom_eval  # noqa: E402

AIGEN = [sys.executable, "-m", "aigen"]


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    rc: int


def measure(argv: list[str], cwd: Path, timeout: float) -> Sample:
    """Run ``argv`` to its end (or kill it at ``timeout``: rc -9); wall, CPU and peak RSS from wait4."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=out, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Sample(time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                  proc.returncode)


_DUMP_FLOOR = """
import json, sys, time, yaml
paths = sys.argv[1:]
docs = [(p, json.load(open(p)) if p.endswith(".json") else yaml.load(open(p), Loader=yaml.CSafeLoader)) for p in paths]
wall, cpu = time.perf_counter(), time.process_time()
for p, d in docs:
    json.dumps(d, indent=2) if p.endswith(".json") else yaml.dump(d, Dumper=yaml.CSafeDumper, sort_keys=False,
                                                                   allow_unicode=True, width=4096)
print(json.dumps([time.perf_counter() - wall, time.process_time() - cpu]))
"""


CHUNK = 2000
"""Files per floor process: a 1,000-model fleet's 26,400 paths overflow one command line (and its objects, memory)."""


def dump_floor(files: list[Path], startup: Sample) -> Sample:
    """Interpreter start plus the C dumper writing the objects of ``files`` (loaded before the clock starts), in
    chunks of CHUNK files whose dumping times add up."""
    wall = cpu = 0.0
    for start in range(0, len(files), CHUNK):
        done = subprocess.run([sys.executable, "-c", _DUMP_FLOOR, *map(str, files[start:start + CHUNK])],
                              capture_output=True, text=True, check=True)
        chunk_wall, chunk_cpu = json.loads(done.stdout)
        wall, cpu = wall + chunk_wall, cpu + chunk_cpu
    return Sample(startup.wall + wall, startup.cpu + cpu, startup.rss_mb, 0)


def outputs(project: Path, model: str | None = None) -> list[Path]:
    root = project / "generated" / (model or "")
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".json") and p.name[0] != ".")


def _git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args], cwd=project,
                   check=True, capture_output=True)


def bench_size(n: int, timeout: float, test_all_max: int, prom_wait: float) -> dict:
    """Every row of the table for an N-model fleet."""
    rows: list[tuple[str, Sample, str, Sample]] = []
    with tempfile.TemporaryDirectory(prefix=f"aigen-fleet-{n}-") as tmp:
        project = Path(tmp)
        ids = fleet.generate(project, n)
        (project / "aigen.toml").write_text("", encoding="utf-8")
        (project / ".gitignore").write_text("generated/\n", encoding="utf-8")
        _git(project, "init", "-q")
        _git(project, "add", "-A")
        _git(project, "commit", "-q", "-m", "fleet")
        run = lambda *args: measure([*AIGEN, *args], project, timeout)  # noqa: E731
        startup = measure([sys.executable, "-c", "pass"], project, timeout)
        rows.append(("validate", run("validate"), "python -c pass", startup))
        cold = run("render")
        everything = outputs(project)
        rows.append(("render (cold)", cold, "C dumper, all files", dump_floor(everything, startup)))
        rows.append(("render --check", run("render", "--check"), "C dumper, all files",
                     dump_floor(everything, startup)))
        changed = project / "specs" / "models" / f"{ids[0]}.yaml"
        changed.write_text(changed.read_text().replace("description: ", "description: (changed) ", 1))
        rows.append(("render, one spec changed", run("render"), "C dumper, that model's files",
                     dump_floor(outputs(project, ids[0]), startup)))
        rows.append(("lint one spec", run("lint", str(changed)), "python -c pass", startup))
        rules = [str(p) for p in sorted((project / "generated").glob("*/rules.yaml"))]
        check_floor = measure(["promtool", "check", "rules", *rules], project, timeout)
        rows.append(("lint (project)", run("lint"), "promtool check rules", check_floor))
        one_tests = [str(p) for p in sorted((project / "generated" / ids[0] / "tests").glob("*.yaml"))]
        rows.append(("test --changed (one model)", run("test", "--changed"), "promtool test rules, that model",
                     measure(["promtool", "test", "rules", *one_tests], project, timeout)))
        if n <= test_all_max:
            all_tests = [str(p) for p in sorted((project / "generated").glob("*/tests/*.yaml"))]
            rows.append(("test (all)", run("test"), "promtool test rules, all",
                         measure(["promtool", "test", "rules", *all_tests], project, timeout)))
        size_mb = sum(p.stat().st_size for p in (project / "generated").rglob("*") if p.is_file()) / 2**20
        prom = prom_eval.evaluate(project, prom_wait) if prom_wait > 0 else {}
    return {"n": n, "output_mb": size_mb,
            "rows": [{"command": c, "sample": asdict(s), "floor": f, "floor_sample": asdict(fs)}
                     for c, s, f, fs in rows],
            "prometheus": prom}


def _cell(s: dict) -> str:
    if s["rc"] == -9:
        return "timeout"
    failed = "" if s["rc"] in (0, 1) else f" (rc {s['rc']})"
    return f"{s['wall']:.2f} s / {s['cpu']:.2f} s / {s['rss_mb']:.0f} MB{failed}"


def table(results: list[dict]) -> str:
    lines = ["| N | command | wall / CPU / peak RSS | floor | floor wall / CPU | ratio (wall, CPU) |",
             "|---|---|---|---|---|---|"]
    for res in results:
        for row in res["rows"]:
            s, f = row["sample"], row["floor_sample"]
            ratio = f"{s['wall'] / f['wall']:.1f}×, {s['cpu'] / max(f['cpu'], 1e-3):.1f}×" if f["wall"] else "-"
            lines.append(f"| {res['n']} | {row['command']} | {_cell(s)} | {row['floor']} | "
                         f"{f['wall']:.2f} s / {f['cpu']:.2f} s | {ratio} |")
    lines += ["", "| N | output | rule groups (evaluated) | eval per model per 30 s | Prometheus CPU per model per "
                  "30 s | slowest group | head series | Prometheus RSS |", "|---|---|---|---|---|---|---|---|"]
    for res in results:
        p = res["prometheus"]
        if p:
            lines.append(f"| {res['n']} | {res['output_mb']:.0f} MB | "
                         f"{p['groups']:.0f} ({p['groups_evaluated']:.0f}) | "
                         f"{p['eval_ms_per_model_per_30s']:.1f} ms | {p['cpu_ms_per_model_per_30s']:.1f} ms | "
                         f"{p['max_group_ms']:.0f} ms | {p['head_series']:.0f} | {p['prometheus_rss_mb']:.0f} MB |")
    return "\n".join(lines)


def growth(results: list[dict]) -> str:
    """Least-squares fit of log(CPU) against log(N) per command: CPU ∝ N^b."""
    if len(results) < 2:
        return "growth: needs two sizes or more"
    out = []
    for i, row in enumerate(results[0]["rows"]):
        points = [(math.log(r["n"]), math.log(max(r["rows"][i]["sample"]["cpu"], 1e-3)))
                  for r in results if i < len(r["rows"]) and r["rows"][i]["command"] == row["command"]]
        if len(points) < 2:
            continue
        mx, my = sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points)
        b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
        out.append(f"{row['command']}: CPU ∝ N^{b:.2f}")
    return "growth: " + "; ".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=os.environ.get("FLEET") or "10,100", help="comma-separated N (env FLEET)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a command is killed")
    parser.add_argument("--test-all-max", type=int, default=10, help="largest N for which `aigen test` runs whole")
    parser.add_argument("--prom-wait", type=float, default=150, help="seconds for Prometheus to evaluate (0: skip)")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args()
    if shutil.which("promtool") is None:
        sys.exit("fleet_bench: promtool not found (make tools)")
    results = []
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        print(f"fleet of {n} model(s)...", file=sys.stderr, flush=True)
        results.append(bench_size(n, args.timeout, args.test_all_max, args.prom_wait))
    print(table(results))
    print(growth(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
