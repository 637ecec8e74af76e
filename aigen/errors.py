"""Problems located in user files, and the exit codes every command shares.

Exit codes (documented in the README; only the CLI turns problems into them):
  0  success / valid
  1  invalid input, or findings at or above --fail-on
  2  usage or I/O error (missing file, unreadable directory, bad option)
  3  internal error: a bug in aigen, reported in one line
"""

from __future__ import annotations

from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, located at a 1-based line and column of a file (0 when the file as a whole is meant)."""

    path: str
    line: int = 0
    col: int = 0
    message: str = ""
    level: str = "error"
    rule: str = ""

    def __str__(self) -> str:
        where = self.path if self.line == 0 else f"{self.path}:{self.line}:{self.col}"
        return f"{where}: {self.message}"


@dataclass
class InputError(Exception):
    """Raised when user input cannot be used; carries every problem found, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class UsageError(Exception):
    """A usage or I/O error (exit 2): a missing path, an unreadable file, a bad option value."""
