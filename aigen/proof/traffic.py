"""A small model server for soak tests: replays a training sample through ``aigen.instrument`` and serves /metrics.

    python -m aigen.proof.traffic --profile specs/profiles/fraud-detection.json \\
        --sample specs/profiles/samples/fraud-detection.csv --rps 20 --port-file /tmp/port \\
        --null-feature merchant_category_code --null-when /tmp/inject

Each second it draws ``--rps`` rows at random (seeded) from the sample and counts them as predictions — features,
outcome and protected groups exactly as a healthy server would see its training distribution. While the file
``--null-when`` exists, ``--null-feature`` arrives null (the renamed-upstream-column failure). It binds 127.0.0.1
on a free port (``--port 0``) and writes the port it got to ``--port-file``, so tests never need a fixed port.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

from prometheus_client import CollectorRegistry, start_http_server

from aigen.instrument import ModelInstrument
from aigen.profile import load_profile


def load_rows(sample: Path) -> list[dict[str, str]]:
    with sample.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def serve(instrument: ModelInstrument, rows: list[dict[str, str]], rps: float, rng: random.Random,
          null_feature: str | None, null_when: Path | None, seconds: float | None) -> None:
    """Count ``rps`` random sample rows per second (spread over each second in 10 slices) until ``seconds``."""
    attributes = instrument.attributes
    start = time.monotonic()
    sent = 0
    while seconds is None or time.monotonic() - start < seconds:
        due = int((time.monotonic() - start) * rps)
        broken = null_feature if null_when is not None and null_when.exists() else None
        for row in rng.choices(rows, k=max(0, due - sent)):
            features = {k: v for k, v in row.items() if k != broken and k != "outcome" and k not in attributes}
            instrument.observe(features, row["outcome"], {a: row.get(a) for a in attributes})
        sent = max(sent, due)
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", type=Path, required=True)
    parser.add_argument("--sample", type=Path, required=True, help="CSV with the profile's features, groups, outcome")
    parser.add_argument("--rps", type=float, default=20.0, help="predictions per second")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--port-file", type=Path, help="where to write the port bound")
    parser.add_argument("--null-feature", help="the feature that arrives null while --null-when exists")
    parser.add_argument("--null-when", type=Path)
    parser.add_argument("--seconds", type=float, help="stop after this long (default: run until killed)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    registry = CollectorRegistry()
    instrument = ModelInstrument(load_profile(args.profile), registry)
    server, _ = start_http_server(args.port, addr="127.0.0.1", registry=registry)
    if args.port_file:
        args.port_file.write_text(str(server.server_port), encoding="utf-8")
    serve(instrument, load_rows(args.sample), args.rps, random.Random(args.seed), args.null_feature, args.null_when,
          args.seconds)


if __name__ == "__main__":
    main()
