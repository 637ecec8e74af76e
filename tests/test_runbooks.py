"""Runbooks: the design's four phases, every placeholder filled from the spec, rollbacks to the known-good version."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from tests.conftest import REPO

RUNBOOKS = sorted((REPO / "generated").glob("*/runbooks/*.yaml"))
SEED_PLACEHOLDERS = re.compile(r"\b(MODEL_ID|MODEL_PREVIOUS_VERSION|MODEL_CURRENT_VERSION|INC-XXXX|OPERATOR_EMAIL|"
                               r"INCIDENT_ID)\b")
OPERATOR_INPUTS = {"OPERATOR_EMAIL", "INCIDENT_ID"}


def spec_of(path):
    model = path.parent.parent.name
    return yaml.safe_load((REPO / "specs" / "models" / f"{model}.yaml").read_text())


def test_there_is_a_runbook_per_type_and_model():
    taxonomy = yaml.safe_load((REPO / "specs" / "taxonomy.yaml").read_text())
    assert len(RUNBOOKS) == 3 * len(taxonomy["incident_types"])


@pytest.mark.parametrize("path", RUNBOOKS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_runbook_shape_and_filled_placeholders(path):
    spec = spec_of(path)
    book = yaml.safe_load(path.read_text())["runbook"]
    assert book["incident_type"] == path.stem and book["model_id"] == spec["model"]["id"]
    for phase in ("triage", "containment", "investigation"):
        steps = book[phase]["steps"]
        assert steps, phase
        for step in steps:
            assert step["action"] and step["command"].strip() and step["expected"], (phase, step)
    assert book["resolution"]["options"]
    for step in book["containment"]["steps"]:
        assert step.get("rollback", "").strip(), step["action"]
    text = path.read_text()
    for match in SEED_PLACEHOLDERS.finditer(text):
        assert match.group(1) in OPERATOR_INPUTS, match.group(0)
        # operator inputs are shell variables, declared in the runbook's inputs
        assert f"${{{match.group(1)}}}" in text or f'"{match.group(1)}"' in text
    assert {i["name"] for i in book["inputs"]} == OPERATOR_INPUTS
    assert spec["serving"]["namespace"] in text and spec["serving"]["deployment"] in text


@pytest.mark.parametrize("path", RUNBOOKS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_rollback_goes_to_the_known_good_version(path):
    spec = spec_of(path)
    versions = spec["model"]["versions"]
    book = yaml.safe_load(path.read_text())["runbook"]
    env = spec["serving"].get("version_env", "MODEL_VERSION")
    set_env = [s for s in book["containment"]["steps"] if f"{env}=" in s["command"]]
    if not set_env:
        return  # e.g. resource exhaustion scales out first, and still carries the rollback step below
    command = set_env[0]["command"]
    assert f"{env}={versions['known_good']}" in command
    assert f"{env}={versions['current']}" in set_env[0]["rollback"]


def test_loan_approval_rolls_back_to_known_good_not_previous():
    """loan-approval's previous (2.2.1) and known-good (2.2.0) differ: the design's failure mode."""
    text = (REPO / "generated" / "loan-approval" / "runbooks" / "model_performance_degradation.yaml").read_text()
    assert "MODEL_VERSION=2.2.0" in text
    assert "MODEL_VERSION=2.2.1" not in text


def test_human_in_the_loop_step_follows_the_spec(rendered_project, aigen):
    project = rendered_project  # rendered already: only the edited model renders again
    spec = project / "specs" / "models" / "fraud-detection.yaml"
    spec.write_text(spec.read_text().replace("human_in_the_loop: true", "human_in_the_loop: false"))
    assert aigen("render", cwd=project).returncode == 0
    off = (project / "generated" / "fraud-detection" / "runbooks" / "model_drift.yaml").read_text()
    on = (project / "generated" / "loan-approval" / "runbooks" / "model_drift.yaml").read_text()
    assert "OVERSIGHT_MODE=human_in_the_loop" not in off
    assert "OVERSIGHT_MODE=human_in_the_loop" in on


def test_fairness_runbook_compares_every_group_with_its_reference():
    book = yaml.safe_load((REPO / "generated" / "loan-approval" / "runbooks" /
                           "bias_and_fairness_violation.yaml").read_text())["runbook"]
    actions = [s["action"] for s in book["triage"]["steps"]]
    assert any("age_group" in a and "30-44" in a for a in actions)
    assert any("sex" in a and "male" in a for a in actions)


def test_urls_with_shell_metacharacters_stay_one_literal_word(tmp_path):
    """The URL pattern admits $ ( ) ; & ! * — each is shell syntax. Every runbook command still passes the URL as
    one single-quoted word: shlex (POSIX rules) reads the word back unchanged, nothing expands or splits."""
    from tests.hostile.cases import SPEC_FILE, dump, new_project, run, spec_with

    url = "http://h:9090/$(reboot);a=$HOME&b=!x*(y)"
    project = new_project(tmp_path)
    spec = spec_with(("serving", "prometheus_url"), url)
    spec["serving"]["oversight_gateway"] = "http://g:8080/$(id)"
    (project / SPEC_FILE).write_text(dump(spec), encoding="utf-8")
    assert run(project, "render").code == 0
    words = []
    for path in sorted((project / "generated" / "hostile" / "runbooks").glob("*.yaml")):
        book = yaml.safe_load(path.read_text(encoding="utf-8"))["runbook"]
        for phase in ("triage", "containment", "investigation"):
            for step in book[phase]["steps"]:
                for line in (step["command"] + step.get("rollback", "")).splitlines():
                    if not line.lstrip().startswith("#"):
                        words += [w for w in shell_words(line) if w.startswith("http://")]
    assert f"{url}/api/v1/query" in words and f"{url}/api/v1/query_range" in words
    assert "http://g:8080/$(id)/kill-switch" in words and "http://g:8080/$(id)/kill-switch/hostile" in words
    assert all(w.startswith((url + "/", "http://g:8080/$(id)/")) for w in words), words


def shell_words(line: str) -> list[str]:
    """Words of a command line with ; & | ( ) as the operators they are (plain shlex.split would keep them in)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)
