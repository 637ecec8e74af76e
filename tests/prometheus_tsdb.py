"""A real Prometheus over a backfilled TSDB, for tests that ask it about the past (promtool writes the blocks)."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def backfill(folder: Path, lines: list[str]) -> Path:
    """An OpenMetrics text (``lines``, without the # EOF) written as TSDB blocks under ``folder``."""
    (folder / "data.om").write_text("\n".join([*lines, "# EOF"]) + "\n", encoding="utf-8")
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(folder / "data.om"),
                    str(folder / "tsdb")], check=True, capture_output=True, timeout=60)
    return folder / "tsdb"


@contextmanager
def prometheus_on(folder: Path, tsdb: Path) -> Iterator[str]:
    """Prometheus serving ``tsdb`` on a free loopback port, stopped on exit; yields its URL once ready."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (folder / "prometheus.yml").write_text("global: {scrape_interval: 1m}\n", encoding="utf-8")
    proc = subprocess.Popen(["prometheus", f"--config.file={folder / 'prometheus.yml'}",
                             f"--storage.tsdb.path={tsdb}", "--storage.tsdb.retention.time=10y",
                             f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if urllib.request.urlopen(f"{url}/-/ready", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
