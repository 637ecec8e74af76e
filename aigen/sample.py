"""Reading a training sample for ``aigen profile``: CSV (standard library) or Parquet (pyarrow, the ``parquet``
extra), column-wise, every value with its position so a bad value is reported at its line and column."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aigen.errors import InputError, Problem, UsageError
from aigen.yamlio import read_bytes


@dataclass(frozen=True)
class Cell:
    """One value of the sample and where it is (line/col of a CSV, or row number of a Parquet file)."""

    value: Any
    line: int
    col: int


@dataclass(frozen=True)
class Table:
    """A training sample, column-wise, with positions for located errors."""

    path: str
    columns: dict[str, list[Cell]]
    rows: int
    sha256: str
    header_line: int = 1


@dataclass
class ProblemLog:
    """Collects located problems, at most ``limit`` of them (a broken column should not print 100,000 lines)."""

    path: str
    limit: int = 20
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: int, col: int, message: str) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(Problem(self.path, line, col, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(sorted(self.problems))


def read_table(path: Path, shown: str) -> Table:
    """A CSV sample (header row first), or Parquet when pyarrow is installed (the ``parquet`` extra)."""
    raw = read_bytes(path, shown, expected="a CSV or Parquet file")
    digest = hashlib.sha256(raw).hexdigest()
    if path.suffix.lower() in (".parquet", ".pq"):
        return _parquet(path, shown, digest)
    return parse_csv(raw, shown, digest)


def parse_csv(raw: bytes, shown: str, digest: str) -> Table:
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError([Problem(shown, line, 1, "not UTF-8 text: save the sample as UTF-8 CSV")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError([Problem(shown, 0, 0, "the file is empty; expected a CSV with a header row")]) from None
    except csv.Error as exc:
        raise InputError([Problem(shown, 1, 1, f"invalid CSV: {exc}")]) from None
    _check_header(header, shown)
    columns: dict[str, list[Cell]] = {name: [] for name in header}
    log = ProblemLog(shown)
    rows = 0
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                log.add(reader.line_num, 1, f"row has {len(row)} fields, the header {len(header)}")
                continue
            rows += 1
            col = 1
            for name, value in zip(header, row, strict=True):
                columns[name].append(Cell(value, reader.line_num, col))
                col += len(value) + 1
    except csv.Error as exc:
        log.add(reader.line_num, 1, f"invalid CSV: {exc}")
    log.raise_if_any()
    return Table(shown, columns, rows, digest)


def _check_header(header: list[str], shown: str) -> None:
    seen: set[str] = set()
    for i, name in enumerate(header):
        if name in seen:
            col = sum(len(h) + 1 for h in header[:i]) + 1
            raise InputError([Problem(shown, 1, col, f"column '{name}' appears twice in the header")])
        seen.add(name)


def _parquet(path: Path, shown: str, digest: str) -> Table:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(f"{shown}: reading Parquet needs pyarrow: pip install 'aigen[parquet]' "
                         f"(or export the sample as CSV)") from None
    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise InputError([Problem(shown, 0, 0, f"invalid Parquet file: {exc}")]) from None
    columns = {name: [Cell(v, i + 1, 0) for i, v in enumerate(table.column(name).to_pylist())]
               for name in table.column_names}
    return Table(shown, columns, table.num_rows, digest, header_line=0)
