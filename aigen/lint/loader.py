"""Read what lint is pointed at and sort it: model specs, taxonomies, PrometheusRule manifests (multi-document YAML
too), plain Prometheus rule files and runbooks. Anything else is skipped, so a pre-commit hook can pass every YAML
file of a commit. Specs are recognised from their text, without parsing, to keep the one-spec path fast.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aigen.config import Config
from aigen.errors import InputError, Problem, UsageError
from aigen.lint.model import Inputs, Rule, RuleGroup, Runbook, group_interval
from aigen.yamlio import Document, fast_mapping, parse_documents, read_text

YAML_SUFFIXES = (".yaml", ".yml")
_SPEC = re.compile(r"^kind:\s*[\"']?ModelSpec[\"']?\s*$", re.MULTILINE)
_TAXONOMY = re.compile(r"^(kind:\s*[\"']?Taxonomy[\"']?\s*|incident_types:\s*)$", re.MULTILINE)
_PROMTOOL_TEST = re.compile(r"^rule_files:", re.MULTILINE)
"""A promtool test file: read by the alert-tested rule and the coverage matrix (lint.coverage.tested_alerts), which
parse it once themselves; the loader does not parse it a second time."""


HEAD = 64 * 1024
"""How much of a file is read to recognise a promtool test: ``rule_files:`` opens one (aigen's, after the header)."""


def _promtool_test(path: Path) -> bool:
    """Whether a file larger than HEAD holds ``rule_files:`` in its first HEAD bytes. Generated tests of a wide
    model run to megabytes, past the size limit that guards reading a user's YAML (yamlio.MAX_BYTES); lint never
    parses them here, so they are recognised without reading them whole. A smaller file is not opened twice: it is
    read whole anyway, and ``_PROMTOOL_TEST`` tells then. An unreadable file is left to read_text to report."""
    try:
        if path.stat().st_size <= HEAD:
            return False
        with path.open("rb") as handle:
            head = handle.read(HEAD)
    except OSError:
        return False
    return _PROMTOOL_TEST.search(head.decode("utf-8", errors="replace")) is not None


def expand(paths: list[Path]) -> list[Path]:
    """Files named, and the YAML files under folders named (hidden folders skipped), in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.suffix in YAML_SUFFIXES and p.is_file()
                         and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    return list(dict.fromkeys(found))


def load(paths: list[Path], config: Config, problems: list[Problem]) -> Inputs:
    """Sort the files into Inputs; unreadable or invalid YAML becomes a Problem, not an exception."""
    inputs = Inputs()
    folders: dict[Path, str] = {}
    for path in expand(paths):
        if path.parent not in folders:  # one resolve per folder, not per file: a fleet has thousands of files
            folders[path.parent] = config.display(path.parent)
        shown = str(Path(folders[path.parent]) / path.name)
        if _promtool_test(path):  # before reading: these are the largest files, and coverage reads them itself
            continue
        try:
            text = read_text(path, shown)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if _PROMTOOL_TEST.search(text):
            continue
        if _SPEC.search(text):
            inputs.specs.append(path)
            continue
        if _TAXONOMY.search(text) and "groups:" not in text:
            inputs.taxonomies.append(path)
            continue
        inputs.texts[shown] = text
        try:
            docs = documents(text, shown)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        for doc in docs:
            add_document(inputs, doc)
    return inputs


def documents(text: str, shown: str) -> list[Document]:
    """The file's documents: one mapping by libyaml (positions on demand), anything else by ruamel, which locates
    a syntax error. Generated rules, tests and runbooks are one mapping each: lint of a fleet parses each file once,
    in C, and only a file with a problem is parsed again for positions."""
    doc = fast_mapping(text, shown)
    return [doc] if doc is not None else parse_documents(text, shown)


def add_document(inputs: Inputs, doc: Document, linted: bool = True) -> None:
    data = doc.data
    if not isinstance(data, dict):
        return
    if data.get("kind") == "PrometheusRule":
        if linted:
            inputs.manifests.append(doc)
        if isinstance(data.get("spec"), dict):
            _add_groups(inputs, doc, data["spec"].get("groups"), ("spec", "groups"))
    elif "groups" in data and "kind" not in data:
        _add_groups(inputs, doc, data.get("groups"), ("groups",))
    elif isinstance(data.get("runbook"), dict):
        inputs.add_runbook(Runbook(doc.path, data["runbook"], doc, linted))


def _add_groups(inputs: Inputs, doc: Document, groups: Any, at: tuple[str, ...]) -> None:
    if not isinstance(groups, list):
        return
    for g, group_node in enumerate(groups):
        if not isinstance(group_node, dict):
            continue
        group = RuleGroup(str(group_node.get("name") or ""), group_interval(group_node), doc.path, group_node, doc,
                          (*at, g))
        inputs.groups.append(group)
        for r, rule_node in enumerate(group_node.get("rules") or []):
            if isinstance(rule_node, dict) and ("alert" in rule_node or "record" in rule_node):
                inputs.rules.append(Rule(doc.path, rule_node, group, (*at, g, "rules", r)))


def load_referenced_runbook(path: Path, config: Config, inputs: Inputs) -> Runbook | None:
    """A runbook a runbook_url points at on disk; added to ``inputs`` but not linted itself."""
    shown = config.display(path)
    if shown in inputs.runbook_paths:
        return inputs.runbook_paths[shown]
    try:
        docs = documents(read_text(path, shown), shown)
    except (InputError, UsageError):
        return None
    before = len(inputs.runbooks)
    for doc in docs:
        add_document(inputs, doc, linted=False)
    return inputs.runbooks[before] if len(inputs.runbooks) > before else None
