"""The layers of docs/architecture.md, enforced on the import graph read from the source (AST).

Every import counts — at module level, under ``TYPE_CHECKING``, and inside functions — so a function-local import
cannot hide an edge that goes up the layers. A module may import its own layer and the layers below it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

# Lowest first. A module belongs to the layer of the longest prefix that names it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("aigen", "aigen.__init__", "aigen.errors", "aigen.durations", "aigen.yamlio", "aigen.yamlout",
              "aigen.schema_errors", "aigen.config", "aigen.spec", "aigen.taxonomy", "aigen.schemas",
              "aigen.dashboard_ids", "aigen.templating", "aigen.binning", "aigen.promql")),
    ("profile", ("aigen.profile", "aigen.sample", "aigen.profile_build", "aigen.instrument")),
    ("detectors", ("aigen.detectors",)),
    ("project", ("aigen.project", "aigen.plan", "aigen.contract", "aigen.cardinality")),
    ("artifacts", ("aigen.render", "aigen.dashboards", "aigen.incidents.schema",
                   "aigen.incidents.regulatory", "aigen.proof.scenarios", "aigen.proof.templates")),
    ("writer", ("aigen.writer",)),
    ("features", ("aigen.lint", "aigen.proof", "aigen.incidents")),
    ("commands", ("aigen.commands", "aigen.cli", "aigen.__main__")),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted((REPO / "aigen").rglob("*.py"))}


def layer_of(module: str) -> int:
    """Index in LAYERS of the longest prefix naming ``module`` (KeyError: a module no layer names)."""
    best: tuple[int, int] | None = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    if best is None:
        raise KeyError(f"{module} is in no layer: add it to LAYERS and docs/architecture.md")
    return best[1]


def imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(aigen module imported, line) for every import statement of the file, wherever it is."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from aigen.lint import loader` imports the module aigen.lint.loader, not only aigen.lint
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for target in targets:
            if target == "aigen" or target.startswith("aigen."):
                yield _known(target), node.lineno


def _known(name: str) -> str:
    """The module an imported name lives in: ``aigen.plan.ModelPlan`` -> ``aigen.plan``."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{path.relative_to(REPO)}:{line}: {module} ({LAYERS[layer_of(module)][0]}) imports {target} "
        f"({LAYERS[layer_of(target)][0]})"
        for module, path in MODULES.items()
        for target, line in imports(module, path)
        if layer_of(target) > layer_of(module)
    ]
    assert not upward, "imports that go up the layers:\n" + "\n".join(upward)


@pytest.mark.parametrize(("source", "expected"), [
    ("from aigen.commands.render import artifacts\n", "aigen.commands.render"),
    ("def f():\n    from aigen.writer import plan\n", "aigen.writer"),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from aigen.lint import loader\n", "aigen.lint.loader"),
    ("from . import writer\n", "aigen.writer"),
])
def test_the_scan_sees_every_kind_of_import(tmp_path: Path, source: str, expected: str) -> None:
    """An upward import in any of these forms would be caught: the scan reports it with its target."""
    fake = tmp_path / "taxonomy.py"  # read as if it were the core module aigen/taxonomy.py
    fake.write_text(source, encoding="utf-8")
    assert [target for target, _ in imports("aigen.taxonomy", fake)] == [expected]
    assert layer_of(expected) > layer_of("aigen.taxonomy")
