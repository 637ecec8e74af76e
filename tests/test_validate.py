"""`aigen validate`: every problem located at the offending key, documented exit codes, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigen.durations import format_duration, parse_duration, parse_response_time
from tests.conftest import REPO

GOOD = (REPO / "specs" / "models" / "fraud-detection.yaml").read_text(encoding="utf-8")

FIVE_MISTAKES = """\
apiVersion: aigen/v1
kind: ModelSpec
model:
  id: fraud-detection
  owner: fraud-model-team
  oncall: ml-platform-oncall
  versions: {current: "4.1.2", known_good: "4.1.2"}
serving:
  namespace: ai-production
  deploymnet: model-server
baseline:
  accuracy: 1.7
groups:
  - attribute: age_group
    values: ["18-29", "30-44"]
    reference: "30-45"
severity_overrides: {model_drfit: high}
"""


def write(tmp: Path, name: str, text: str | bytes) -> Path:
    path = tmp / "specs" / "models" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def assert_no_traceback(result) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_five_mistakes_all_reported_in_one_run_with_line_and_column(project, aigen):
    write(project, "fraud-detection.yaml", FIVE_MISTAKES)
    result = aigen("validate", cwd=project)
    assert result.returncode == 1, result.stderr
    path = "specs/models/fraud-detection.yaml"
    lines = [line for line in result.stderr.splitlines() if line.startswith(path)]
    expected = {
        f"{path}:7:44": "known_good must differ from current",
        f"{path}:8:1": "serving.deployment: missing required key 'deployment'",
        f"{path}:10:3": "unknown key 'deploymnet'; did you mean 'deployment'?",
        f"{path}:12:13": "baseline.accuracy: Input should be less than or equal to 1",
        f"{path}:16:16": "reference group '30-45' is not among the values; did you mean '30-44'?",
        f"{path}:17:22": "'model_drfit' is not an incident type of the taxonomy; did you mean 'model_drift'?",
    }
    found = {line.split(": ", 1)[0]: line for line in lines}
    for where, message in expected.items():
        assert where in found and message in found[where], (where, lines)
    assert len(lines) == len(expected)  # five mistakes; the misspelt key also leaves `deployment` missing
    assert "6 problem(s) in 1 file(s)" in result.stderr
    assert_no_traceback(result)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "file is empty"),
        ("- a\n- b\n", "1:1: expected a ModelSpec (a YAML mapping) at the top level, got a list"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"model: \xff\xfe\n", "1:8: not UTF-8 text"),
        ("apiVersion: aigen/v1\nmodel:\n\tid: x\n", "3:1: invalid YAML"),
        ("a: [1, 2\n", "invalid YAML"),
        ("a: 1\na: 2\n", "2:1: invalid YAML"),
        ("--- {a: 1}\n--- {b: 2}\n", "one ModelSpec per file"),
        ("just a string\n", "got a string"),
    ],
    ids=["empty", "list", "binary", "latin1", "tabs", "unclosed", "duplicate-key", "two-docs", "scalar"],
)
def test_bad_files_get_a_clear_located_error(project, aigen, content, expected):
    write(project, "broken.yaml", content)
    result = aigen("validate", "specs/models/broken.yaml", cwd=project)
    assert result.returncode == 1
    assert expected in result.stderr
    assert result.stderr.startswith("specs/models/broken.yaml")
    assert_no_traceback(result)


def test_tab_error_explains_yaml_forbids_tabs(project, aigen):
    write(project, "tabs.yaml", "model:\n\tid: x\n")
    result = aigen("validate", "specs/models/tabs.yaml", cwd=project)
    assert "tabs for indentation" in result.stderr


def test_ten_megabyte_file_is_refused_without_reading_it(project, aigen):
    write(project, "huge.yaml", "a: " + "x" * (10 * 1024 * 1024) + "\n")
    result = aigen("validate", "specs/models/huge.yaml", cwd=project)
    assert result.returncode == 1
    assert "file is 10.5 MB" in result.stderr
    assert_no_traceback(result)


def test_every_bad_file_in_one_run(project, aigen):
    write(project, "a.yaml", "")
    write(project, "b.yaml", "- x\n")
    result = aigen("validate", cwd=project)
    assert result.returncode == 1
    assert "specs/models/a.yaml" in result.stderr and "specs/models/b.yaml" in result.stderr
    assert "2 problem(s) in 2 file(s)" in result.stderr


def test_valid_examples_exit_zero(project, aigen):
    result = aigen("validate", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "3 spec(s) valid" in result.stdout


def test_missing_path_is_a_usage_error(project, aigen):
    result = aigen("validate", "specs/models/nope.yaml", cwd=project)
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_unknown_option_is_a_usage_error(project, aigen):
    assert aigen("validate", "--bogus", cwd=project).returncode == 2


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s + "  - {name: amount, type: numeric}\n".replace("  -", "  -") if False else
         s.replace("  - {name: card_present", "  - {name: amount, type: numeric}\n  - {name: card_present"),
         "feature 'amount' is declared twice"),
        (lambda s: s.replace('previous: "4.1.1", ', "").replace("rollback_to: known_good", "rollback_to: previous"),
         "model.versions.previous is not set"),
        (lambda s: s.replace("id: fraud-detection", "id: fraud-scoring"), "differs from the file name"),
        (lambda s: s.replace("id: fraud-detection", "id: Fraud_Detection"),
         "model.id: must match ^[a-z][a-z0-9-]{0,62}$ (lowercase letters, digits and -"),
        (lambda s: s.replace("severity_overrides: {model_drift: high}", "severity_overrides: {model_drift: urgent}"),
         "'urgent' is not a severity level"),
        (lambda s: s.replace('current: "4.1.2"', "current: 4.1"), "quote it"),
        (lambda s: s.replace("attribute: age_group", "attribute: outcome"), "reserved by the metric contract"),
        (lambda s: s + "disabled_detectors: [latency_p9]\n", "did you mean 'latency_p99'"),
    ],
    ids=["dup-feature", "no-previous", "file-name", "id-pattern", "bad-level", "unquoted-version", "reserved-label",
         "unknown-detector"],
)
def test_cross_field_checks(project, aigen, edit, message):
    write(project, "fraud-detection.yaml", edit(GOOD))
    result = aigen("validate", cwd=project)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert result.stderr.startswith("specs/models/fraud-detection.yaml:")


def test_duplicate_model_ids_across_files(project, aigen):
    copy = GOOD.replace("# Card", "# copy of fraud-detection\n# Card")
    (project / "specs" / "models" / "other").mkdir()
    write(project, "other/fraud-detection.yaml", copy)
    result = aigen("validate", cwd=project)
    assert result.returncode == 1
    assert "model id 'fraud-detection' is already used by specs/models/fraud-detection.yaml" in result.stderr


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace('default_severity: "medium"\n    detectors: [input_drift]',
                             'default_severity: "urgent"\n    detectors: [input_drift]'),
         "'urgent' is not a severity level"),
        (lambda s: s.replace("detectors: [input_drift]", "detectors: [input_drfit]"), "unknown detector 'input_drfit'"),
        (lambda s: s.replace("detectors: [input_drift]", "detectors: [input_drift, latency_p99]"), "already bound"),
        (lambda s: s.replace("detection_budget: 5m", "detection_budget: 300"), "with a unit"),
        (lambda s: s.replace('response_time: "4 hours"', 'response_time: "soonish"'), "not a response time"),
        (lambda s: s.replace("    detection: \"infrastructure_monitoring\"", "    detecton: x"),
         "did you mean 'detection'"),
    ],
    ids=["bad-default-severity", "unknown-detector", "double-binding", "unitless-budget", "response-time", "typo"],
)
def test_taxonomy_is_validated_like_a_spec(project, aigen, edit, message):
    path = project / "specs" / "taxonomy.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = aigen("validate", cwd=project)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert result.stderr.startswith("specs/taxonomy.yaml:")


def test_custom_incident_type_needs_no_code(project, aigen):
    path = project / "specs" / "taxonomy.yaml"
    text = path.read_text(encoding="utf-8").replace("detectors: [latency_p99, memory_utilisation]",
                                                    "detectors: [memory_utilisation]")
    text = text.replace("severity_levels:", """  serving_slowness:
    description: "Inference is slow enough to time out callers"
    default_severity: high
    detectors: [latency_p99]
severity_levels:""", 1)
    path.write_text(text, encoding="utf-8")
    assert aigen("validate", cwd=project).returncode == 0
    assert aigen("render", cwd=project).returncode == 0
    rules = (project / "generated" / "fraud-detection" / "rules.yaml").read_text(encoding="utf-8")
    assert "incident_type: serving_slowness" in rules
    assert (project / "generated" / "fraud-detection" / "runbooks" / "serving_slowness.yaml").is_file()


def test_schema_command_prints_json_schema(project, aigen):
    import json

    result = aigen("schema", cwd=project)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["$schema"].endswith("2020-12/schema")
    assert "thresholds" in data["properties"]
    assert data["additionalProperties"] is False


def test_spec_schema_accepts_the_examples_and_rejects_unknown_keys():
    import json

    import jsonschema
    import yaml

    from aigen.schemas import json_schema

    validator = jsonschema.Draft202012Validator(json.loads(json.dumps(json_schema("spec"))))
    for path in sorted((REPO / "specs" / "models").glob("*.yaml")):
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text()))), path
    bad = yaml.safe_load(GOOD)
    bad["thresholds"]["acuracy_drop"] = 0.1
    assert list(validator.iter_errors(bad))


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("5m", 300), ("1h30m", 5400), ("1d", 86400), ("500ms", 0)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "5 minutes", "m5", "1.5h"])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(("seconds", "text"), [(30, "30s"), (300, "5m"), (5400, "1h30m"), (90061, "1d1h1m1s")])
def test_format_duration_round_trips(seconds, text):
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(("text", "seconds"),
                         [("15 minutes", 900), ("1 hour", 3600), ("4 hours", 14400), ("next business day", 86400),
                          ("Next  Business Day", 86400), ("30m", 1800)])
def test_response_times(text, seconds):
    assert parse_response_time(text) == seconds


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ("owner: fraud-model-team", 'owner: "{{ .Value }}"', "9:10", "model.owner: must match ^[a-z][a-z0-9-]{0,62}$"),
        ("oncall: ml-platform-oncall", 'oncall: "pager\\n  rollback: |"', "10:11", "model.oncall: must match"),
        ("positive_outcome: flagged", "positive_outcome: 'x\"} or vector(1) #'", "11:21",
         "model.positive_outcome: must match ^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$ (letters, digits"),
        ("deployment: model-server", "deployment: model-server\n  container: 'srv; curl x | sh'", "16:14",
         "serving.container: must match"),
        ('values: ["18-29", "30-44", "45-59", "60+"]', 'values: ["18-29", "30-44", "45-59", "60+\\"}"]', "27:41",
         "groups.0.values.3: must match"),
        ('reference: "30-44"', 'reference: "{{ 7*7 }}"', "28:16", "groups.0.reference: must match"),
    ],
    ids=["owner-go-template", "oncall-yaml-fragment", "outcome-promql", "container-shell", "group-value", "reference"],
)
def test_identifier_fields_refuse_what_their_pattern_does_not_allow(project, aigen, old, new, where, message):
    """Identifiers reach labels, matchers, receiver names and shell commands: anything outside the pattern is refused
    at its position, with the allowed form spelt out (docs/security.md)."""
    assert old in GOOD
    write(project, "fraud-detection.yaml", GOOD.replace(old, new))
    result = aigen("validate", cwd=project)
    assert result.returncode == 1
    assert f"specs/models/fraud-detection.yaml:{where}: {message}" in result.stderr, result.stderr
    assert_no_traceback(result)


def test_a_removed_key_says_what_replaced_it(project, aigen):
    path = project / "specs" / "models" / "loan-approval.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\nthresholds:\n" in text
    edited = text.replace("\nthresholds:\n", "\nthresholds:\n  fairness_min_volume: 0.05\n", 1)
    path.write_text(edited, encoding="utf-8")
    line = text[:text.index("\nthresholds:\n")].count("\n") + 3  # the key sits on the line after `thresholds:`
    result = aigen("validate", cwd=project)
    assert result.returncode == 1
    assert f"specs/models/loan-approval.yaml:{line}:3: thresholds.fairness_min_volume: 'fairness_min_volume' was " \
           "removed" in result.stderr, result.stderr
    assert "guard_sigmas" in result.stderr and "unknown key" not in result.stderr
