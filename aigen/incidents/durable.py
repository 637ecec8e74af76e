"""Writing that survives a crash: atomic record replacement and a journal of accepted webhook payloads.

A record is replaced by writing a temporary file in the same folder, fsyncing it, renaming it over the old one and
fsyncing the folder (rename is atomic on POSIX; the folder fsync makes the rename itself durable). The journal holds
every payload `incident serve` accepted, fsynced before the 200 goes back to Alertmanager, and is only emptied once
the records it changes are written: a crash in between is repaired by replaying the journal at the next start.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import time
from pathlib import Path
from typing import IO

from aigen.errors import UsageError

STATE_DIR = ".aigen-serve"  # inside the records folder: hidden from `incident validate` (not a record suffix)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` so that a reader (or a crash) sees the old bytes or the new, never a mix."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    _fsync_dir(target.parent)


class Journal:
    """Raw payloads in arrival order, one file each; an entry is removed once its payload is fully applied."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / STATE_DIR / "journal"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._counter = itertools.count()

    def append(self, body: bytes) -> Path:
        """Durably store ``body``; its name sorts after every earlier entry (time, then a per-process counter)."""
        entry = self.folder / f"{time.time_ns():020d}-{os.getpid()}-{next(self._counter):06d}.json"
        atomic_write(entry, body)
        return entry

    def pending(self) -> list[Path]:
        """Entries not yet applied, oldest first (temporary files of an interrupted append are not entries)."""
        return sorted(p for p in self.folder.glob("*.json") if not p.name.startswith("."))

    @staticmethod
    def done(entry: Path) -> None:
        entry.unlink(missing_ok=True)


def exclusive_lock(folder: Path) -> IO[str]:
    """Hold the records folder for this process: two servers writing the same records would race each other."""
    path = folder / STATE_DIR / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - held open for the server's lifetime
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise UsageError(f"{folder}: another `aigen incident serve` already writes these records") from None
    return handle
