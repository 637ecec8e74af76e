"""What lint reads, as plain objects that keep where each piece came from: the document and the key path inside it.

Files are parsed by libyaml into plain data; a position is asked of the document (``Document.locate``), which parses
the text with ruamel only then — so only a file with a problem pays for positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from aigen.durations import parse_duration
from aigen.yamlio import Document

DEFAULT_INTERVAL = 60
"""A group without ``interval`` runs at Prometheus' global evaluation_interval, which defaults to 1m."""


@dataclass(frozen=True)
class RuleGroup:
    name: str
    interval: int
    path: str
    node: Any  # the group's mapping
    doc: Document
    loc: tuple[Any, ...]  # where the group's mapping is in its document

    def at(self, *loc: Any) -> tuple[int, int]:
        """(line, col) of a key path inside the group."""
        return self.doc.locate((*self.loc, *loc))


@dataclass(frozen=True)
class Rule:
    """One alerting or recording rule, with its group and the file (and document) it came from."""

    path: str
    node: Any  # the rule's mapping
    group: RuleGroup
    loc: tuple[Any, ...]  # where the rule's mapping is in its document

    @property
    def file_key(self) -> tuple[str, int]:
        """(path, document index): rules of one file document."""
        return self.group.doc.path, self.group.doc.index

    @property
    def is_alert(self) -> bool:
        return "alert" in self.node

    @property
    def name(self) -> str:
        return str(self.node.get("alert") or self.node.get("record") or "")

    @property
    def expr(self) -> str:
        value = self.node.get("expr")
        return str(value) if value is not None else ""

    @cached_property
    def labels(self) -> dict[str, str]:
        """Read by most rules for every alert: computed once."""
        return _str_map(self.node.get("labels"))

    @cached_property
    def annotations(self) -> dict[str, str]:
        return _str_map(self.node.get("annotations"))

    @property
    def for_seconds(self) -> int:
        try:
            return parse_duration(str(self.node.get("for") or "0s"))
        except ValueError:
            return 0

    def at(self, *loc: Any, key: bool = False) -> tuple[int, int]:
        """(line, col) of a key path inside the rule (falls back to the rule's start); ``key``: of the key itself."""
        return self.group.doc.locate((*self.loc, *loc), want_key=key)


@dataclass(frozen=True)
class Runbook:
    path: str
    node: Any  # the ``runbook`` mapping
    doc: Document
    linted: bool = True  # False for runbooks found through a runbook_url but not named on the command line

    @property
    def incident_type(self) -> str:
        return str(self.node.get("incident_type") or "")

    @property
    def model_id(self) -> str | None:
        value = self.node.get("model_id")
        return str(value) if value else None

    def at(self, *loc: Any, key: bool = False) -> tuple[int, int]:
        return self.doc.locate(("runbook", *loc), want_key=key)


@dataclass
class Inputs:
    """Files sorted by what they hold; ``other`` are YAML files lint has no rules for (skipped quietly)."""

    specs: list[Any] = field(default_factory=list)  # pathlib.Path
    taxonomies: list[Any] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    groups: list[RuleGroup] = field(default_factory=list)
    runbooks: list[Runbook] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # display path -> text, for inline suppressions
    manifests: list[Any] = field(default_factory=list)  # PrometheusRule documents (aigen.yamlio.Document)
    runbook_paths: dict[str, Runbook] = field(default_factory=dict)
    """Display path -> its runbook: every alert's runbook_url is looked up here, so a lookup must not scan."""

    def add_runbook(self, runbook: Runbook) -> None:
        self.runbooks.append(runbook)
        self.runbook_paths.setdefault(runbook.path, runbook)


def _str_map(node: Any) -> dict[str, str]:
    if not isinstance(node, dict):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in node.items()}


def group_interval(node: Any) -> int:
    try:
        return parse_duration(str(node.get("interval"))) if node.get("interval") else DEFAULT_INTERVAL
    except ValueError:
        return DEFAULT_INTERVAL
