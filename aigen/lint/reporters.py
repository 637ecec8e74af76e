"""Output formats, apart from the rules: text, json, github (workflow annotations) and sarif (SARIF 2.1.0)."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

from aigen import __version__
from aigen.errors import Problem

Reporter = Callable[[list[Problem], list[ModuleType]], str]
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _where(p: Problem) -> str:
    return f"{p.path}:{p.line}:{p.col}" if p.line else p.path


def text(problems: list[Problem], rules: list[ModuleType]) -> str:
    """``path:line:col: level rule-id message``, one per line (line and col omitted for a whole file)."""
    return "".join(f"{_where(p)}: {p.level} {p.rule} {p.message}\n" for p in problems)


def as_json(problems: list[Problem], rules: list[ModuleType]) -> str:
    data = [{"path": p.path, "line": p.line, "col": p.col, "level": p.level, "rule": p.rule, "message": p.message}
            for p in problems]
    return json.dumps(data, indent=2) + "\n"


def github(problems: list[Problem], rules: list[ModuleType]) -> str:
    """GitHub Actions workflow commands: each problem becomes an annotation on the pull request's diff."""
    kind = {"error": "error", "warning": "warning", "info": "notice"}
    out = []
    for p in problems:
        where = f"file={_escape_prop(p.path)}" + (f",line={p.line},col={p.col}" if p.line else "")
        out.append(f"::{kind.get(p.level, 'error')} {where},title={_escape_prop(p.rule)}::{_escape_data(p.message)}\n")
    return "".join(out)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def sarif(problems: list[Problem], rules: list[ModuleType]) -> str:
    """SARIF 2.1.0, as GitHub code scanning reads it: one run, the rule catalogue, one result per problem."""
    from aigen.lint.rules import summary

    index = {rule.ID: i for i, rule in enumerate(rules)}
    level = {"error": "error", "warning": "warning", "info": "note"}
    driver = {
        "name": "aigen-lint",
        "version": __version__,
        "rules": [{"id": r.ID, "name": r.ID, "shortDescription": {"text": summary(r)},
                   "fullDescription": {"text": (r.__doc__ or "").strip()},
                   "defaultConfiguration": {"level": level[r.LEVEL]}} for r in rules],
    }
    results = []
    for p in problems:
        location: dict = {"physicalLocation": {"artifactLocation": {"uri": p.path}}}
        if p.line:
            location["physicalLocation"]["region"] = {"startLine": p.line, "startColumn": max(p.col, 1)}
        result: dict[str, Any] = {"ruleId": p.rule, "level": level.get(p.level, "error"),
                                  "message": {"text": p.message}, "locations": [location]}
        if p.rule in index:
            result["ruleIndex"] = index[p.rule]
        results.append(result)
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}
    return json.dumps(doc, indent=2) + "\n"


REPORTERS: dict[str, Reporter] = {"text": text, "json": as_json, "github": github, "sarif": sarif}
