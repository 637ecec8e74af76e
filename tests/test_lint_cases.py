"""Data-driven rule cases: tests/lint_cases/<rule-id>/{positive,negative}/<case>, collected automatically.

A positive case must not report its rule; a negative case must, on exactly the lines marked ``# expect``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aigen.config import load_config
from aigen.errors import Problem
from aigen.lint.build import build_context
from aigen.lint.rules import all_rules, by_id
from aigen.lint.runner import run
from aigen.lint.settings import Settings

CASES = Path(__file__).parent / "lint_cases"
# need a rendered project: tests/test_lint.py, test_lint_project_rules.py
PROJECT_ONLY = {"generated-in-step", "dashboard"}


def _cases(kind: str) -> list:
    out = []
    for rule_dir in sorted(p for p in CASES.iterdir() if p.is_dir()):
        for case in sorted((rule_dir / kind).iterdir()) if (rule_dir / kind).is_dir() else []:
            out.append(pytest.param(rule_dir.name, case, id=f"{rule_dir.name}/{kind}/{case.name}"))
    return out


def lint_case(rule_id: str, case: Path, tmp_path: Path) -> list[Problem]:
    target = tmp_path / case.name
    (shutil.copytree if case.is_dir() else shutil.copy)(case, target)
    taxonomy = CASES / rule_id / "taxonomy.yaml"
    if taxonomy.is_file():
        shutil.copy(taxonomy, tmp_path / "taxonomy.yaml")
    config = load_config(tmp_path)
    ctx = build_context(config, [target], Settings(), tmp_path / "taxonomy.yaml" if taxonomy.is_file() else None)
    return [p for p in run(ctx, all_rules()) if p.rule == rule_id]


def expected_lines(case: Path) -> set[tuple[str, int]]:
    files = sorted(case.rglob("*.yaml")) if case.is_dir() else [case]
    out = set()
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.rstrip().endswith("# expect"):
                out.add((path.name, number))
    return out


@pytest.mark.parametrize(("rule_id", "case"), _cases("positive"))
def test_positive_case_passes(rule_id: str, case: Path, tmp_path: Path) -> None:
    assert lint_case(rule_id, case, tmp_path) == []


@pytest.mark.parametrize(("rule_id", "case"), _cases("negative"))
def test_negative_case_fails_on_marked_lines(rule_id: str, case: Path, tmp_path: Path) -> None:
    problems = lint_case(rule_id, case, tmp_path)
    assert problems, f"{rule_id} reported nothing for {case.name}"
    expected = expected_lines(case)
    if expected:
        assert {(Path(p.path).name, p.line) for p in problems} == expected, [str(p) for p in problems]


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    for rule in all_rules():
        if rule.ID in PROJECT_ONLY:
            continue
        for kind in ("positive", "negative"):
            folder = CASES / rule.ID / kind
            assert folder.is_dir() and any(folder.iterdir()), f"{rule.ID} has no {kind} case"


def test_case_folders_name_real_rules() -> None:
    assert {p.name for p in CASES.iterdir() if p.is_dir()} <= set(by_id())
