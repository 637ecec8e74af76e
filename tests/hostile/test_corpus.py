"""Every string field of a spec x every hostile value: refused with ``path:line:col`` and exit 1, or rendered with the
literal intact and every consumer accepting the output (issue 14, docs/security.md).

Consumers: ``json.loads`` (dashboards, schemas), ``yaml.safe_load`` (everything YAML), ``promtool check rules`` (one
call over every accepted case's rules.yaml) and ``amtool check-config`` (one call over every alertmanager.yaml).
"Literal intact" is judged against a render of the untouched spec: every file the value changed must hold the value,
in annotations and rule labels as the Go-template literal that Prometheus expands back to it (test_escape.py proves
that expansion with promtool).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from aigen.escape import go_template_literal
from tests.hostile.cases import BASE, CORPUS, SPEC_FILE, dump, new_project, run, spec_with, string_fields

FIELDS = string_fields()
LOCATED = re.compile(rf"^{re.escape(SPEC_FILE)}:[1-9][0-9]*:[1-9][0-9]*: \S", re.MULTILINE)
TEMPLATED = {"annotations", "labels"}  # rule keys whose values Prometheus expands as Go templates
RULE_FILES = ("rules.yaml", "prometheusrule.yaml")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(step) for step in path)


def rendered(project: Path) -> dict[str, str]:
    """Every generated file but the writer's manifest (hashes) and Markdown (no parser promises), by relative path."""
    root = project / "generated"
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix in (".json", ".yaml") and p.name != ".aigen-manifest.json"}


def parse(name: str, text: str) -> Any:
    return json.loads(text) if name.endswith(".json") else yaml.load(text, Loader=_LOADER)


def leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every string in a parsed document (mapping keys included) with the keys leading to it."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(key, path)
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for item in node:
            yield from leaves(item, path)
    elif isinstance(node, str):
        yield path, node


def holds_literal(name: str, document: Any, value: str) -> bool:
    templated_file = name.rsplit("/", 1)[-1] in RULE_FILES
    for path, text in leaves(document):
        expected = go_template_literal(value) if templated_file and TEMPLATED & set(map(str, path)) else value
        if expected in text:
            return True
    return False


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    project = new_project(tmp_path_factory.mktemp("baseline"))
    (project / SPEC_FILE).write_text(dump(BASE), encoding="utf-8")
    assert run(project, "render").code == 0
    return rendered(project)


def test_the_fields_are_discovered_from_the_model():
    """A new string field is attacked without editing a list; these must always be among them."""
    assert {("model", "owner"), ("model", "description"), ("model", "positive_outcome"), ("serving", "container"),
            ("features", 0, "unit"), ("groups", 0, "values", 0), ("groups", 0, "reference")} <= set(FIELDS)
    assert len(FIELDS) >= 28 and len(CORPUS) >= 50


@pytest.mark.parametrize("field", FIELDS, ids=dotted)
def test_each_hostile_value_is_refused_where_it_is_or_rendered_literally(field, baseline, tmp_path):
    accepted: dict[str, Path] = {}
    for name, value in CORPUS.items():
        project = new_project(tmp_path / name)
        (project / SPEC_FILE).write_text(dump(spec_with(field, value)), encoding="utf-8")
        checked = run(project, "validate")
        assert checked.code in (0, 1), (name, checked)
        if checked.code == 1:
            assert LOCATED.match(checked.stderr), (name, checked.stderr[:500])
            continue
        result = run(project, "render")
        assert result.code == 0, f"validate accepted {name!r} but render refused it:\n{result.stderr[:500]}"
        for file, text in rendered(project).items():
            document = parse(file, text)  # raises on output a consumer would refuse
            if text != baseline.get(file) and value.strip():  # blanks are "in" every file
                assert holds_literal(file, document, value), f"{name!r} is not literally in {file}"
        accepted[name] = project
    if accepted:
        tools_accept(list(accepted.values()))


def tools_accept(projects: list[Path]) -> None:
    """promtool and amtool, once each over every accepted case (a process per case would cost minutes)."""
    rules = [str(p / "generated" / "hostile" / "rules.yaml") for p in projects]
    configs = [str(p / "generated" / "alertmanager" / "alertmanager.yaml") for p in projects]
    for command in (["promtool", "check", "rules", *rules], ["amtool", "check-config", *configs]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (
            f"{command[0]} refused rendered output:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def test_config_urls_reach_annotations_as_go_template_literals(tmp_path):
    """aigen.toml is in the pull request too: its base URLs land in every alert's runbook_url and dashboard_url."""
    project = new_project(tmp_path)
    hostile = "https://x.example/{{ .Value }}/{{ range $i := until 9 }}{{ end }}"
    (project / "aigen.toml").write_text(f"runbook_base_url = '{hostile}'\ndashboard_base_url = '{hostile}'\n", "utf-8")
    (project / SPEC_FILE).write_text(dump(BASE), encoding="utf-8")
    assert run(project, "render").code == 0
    rules = yaml.safe_load((project / "generated" / "hostile" / "rules.yaml").read_text(encoding="utf-8"))
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    for rule in alerts:
        for key in ("runbook_url", "dashboard_url"):
            assert rule["annotations"][key].startswith(go_template_literal(hostile)), (rule["alert"], key)
    assert any(r["annotations"]["runbook_url"].endswith("/{{ $labels.incident_type }}.yaml") for r in alerts)
    tools_accept([project])
    # the generated promtool tests expect the URL literally: promtool's expansion of the escape must give it back
    assert run(project, "test").code == 0
