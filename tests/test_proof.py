"""Proven detection: generated promtool scenarios, and `aigen test` measuring time-to-fire with promtool."""

from __future__ import annotations

import itertools
import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from aigen.proof.runner import _parse_probes, extended
from aigen.proof.scenarios import NAME, compress
from aigen.proof.templates import expand
from tests.conftest import REPO

MODEL = "fraud-detection"


@pytest.fixture
def project(rendered_project: Path) -> Path:
    """Every test here starts from a rendered project; its own `aigen render` then only re-renders what it changed."""
    return rendered_project


def expand_values(text: str) -> list[float | None]:
    """promtool's expanding notation, written independently of aigen's compressor, to check it."""
    out: list[float | None] = []
    for token in text.split():
        if token.startswith("_"):
            count = int(token[2:]) if token.startswith("_x") else 1
            out.extend([None] * count)
            continue
        match = re.fullmatch(r"(-?\d+(?:\.\d+)?(?:e-?\d+)?)(?:([+-])(\d+(?:\.\d+)?(?:e-?\d+)?))?x(\d+)", token)
        if match:
            base, sign, step, n = match.groups()
            delta = float(step or 0) * (-1 if sign == "-" else 1)
            out.extend(float(base) + delta * i for i in range(int(n) + 1))
        else:
            out.append(float(token))
    return out


@pytest.mark.parametrize("values", [
    (1.0, 2.0, 3.0, 4.0, 5.0, 6.0),
    (0.5, 0.5, 0.5, 0.5, 0.5),
    (None, None, None, 1.0, 1.0, 1.0, 1.0, 1.0),
    (10.0, 8.0, 6.0, 4.0, 2.0),
    (0.91, 0.93, 0.92, 0.9, 0.94),
    (1.5, None, 2.5, 3.5),
    (0.1, 0.2, 0.30000000000000004, 0.4, 0.5),
])
def test_compressed_values_expand_back(values):
    text = compress(values)
    got = expand_values(text)
    assert len(got) == len(values), text
    for want, have in zip(values, got, strict=True):
        assert (want is None and have is None) or abs(want - have) < 1e-6, text


def test_compression_never_merges_distinct_large_counter_values():
    values = (1_000_000.0, 1_000_000.5, 1_000_001.0, 1_000_001.5, 1_000_002.0, 1_000_002.3)
    got = expand_values(compress(values))
    assert all(abs(a - b) < 1e-6 for a, b in zip(values, got, strict=True)), compress(values)


def test_compression_uses_runs_for_linear_counters():
    assert compress(tuple(float(600 * i) for i in range(100))) == "0+600x99"
    assert compress((None,) * 10) == "_x10"  # promtool: `_xn` is n missing samples


def reference_compress(values: tuple[float | None, ...]) -> str:
    """The sequential rule, value by value, as aigen wrote it before the vectorised walk: the specification that
    ``compress`` must reproduce byte for byte."""
    def fmt(value: float) -> str:
        text = repr(round(value, 6))
        return text[:-2] if text.endswith(".0") else text

    def on_line(value: float | None, expected: float) -> bool:
        return value is not None and abs(value - expected) <= 5e-7

    out: list[str] = []
    i, n = 0, len(values)
    while i < n:
        first = values[i]
        if first is None:
            j = i
            while j + 1 < n and values[j + 1] is None:
                j += 1
            out.append("_" if j == i else f"_x{j - i + 1}")
            i = j + 1
            continue
        j, step = i, 0.0
        following = values[i + 1] if i + 1 < n else None
        if following is not None:
            step = round(following - first, 6)
            while j + 1 < n and on_line(values[j + 1], first + step * (j + 1 - i)):
                j += 1
        if j - i >= 3:
            base = fmt(first)
            sign = "+" if step > 0 else "-"
            out.append(f"{base}x{j - i}" if step == 0 else f"{base}{sign}{fmt(abs(step))}x{j - i}")
            i = j + 1
        else:
            out.append(fmt(first))
            i += 1
    return " ".join(out)


def _pieces() -> st.SearchStrategy[list[float | None]]:
    """Series made of the pieces simulations emit: sampled counts, linear runs (whole and fractional steps, with
    float noise under and over the tolerance), constant runs, gaps, large counters, negative and zero values."""
    count = st.integers(0, 10**9).map(float)
    number = st.one_of(count, st.floats(-1e6, 1e12, allow_nan=False), st.just(-0.0), st.just(1e15 + 2.0),
                       st.just(2.0**53))
    run = st.tuples(number, st.sampled_from([0.0, 1.0, 600.0, 0.1, 1 / 3, -2.5, 1e-6]), st.integers(1, 8),
                    st.sampled_from([0.0, 1e-9, 4e-7, 6e-7, 3e-6])).map(
        lambda t: [t[0] + t[1] * k + (t[3] if k == t[2] // 2 else 0.0) for k in range(t[2])])
    gap = st.integers(1, 4).map(lambda k: [None] * k)
    return st.lists(st.one_of(run, gap, number.map(lambda v: [v])), max_size=12).map(
        lambda parts: [v for part in parts for v in part])


@settings(max_examples=400, deadline=None)
@given(_pieces())
def test_vectorised_compress_writes_what_the_sequential_rule_writes(values):
    assert compress(tuple(values)) == reference_compress(tuple(values))


def test_vectorised_compress_on_simulated_series():
    """The real thing: every series of one model's proofs, compressed both ways."""
    from aigen.detectors import sim

    rng = sim.generator("compress")
    traffic = sim.production(20.0, 241, 30, rng, 7200)
    counters = [traffic.counter(pod, traffic.draw(counts, 0.03)) for pod, counts in enumerate(traffic.counts)]
    exact = sim.exact(20.0, 241, 30)
    counters += [exact.counter(0, exact.draw(exact.counts[0], 0.123456789))]
    assert any("x" in compress(c) for c in counters)  # the exact counter compresses into a run
    for values in counters:
        listed = tuple(None if v != v else v for v in values.tolist())
        assert compress(values) == reference_compress(listed)


def test_annotation_templates_follow_prometheus_formatting():
    labels = {"model_id": "m", "feature": "amount"}
    assert expand("{{ $labels.model_id }} at {{ $value | humanizePercentage }}", labels, 0.782) == "m at 78.2%"
    assert expand("{{ $value | printf \"%.3f\" }}", labels, 0.45) == "0.450"
    assert expand("{{ $value | humanizePercentage }}", labels, 0.02) == "2%"
    with pytest.raises(ValueError):
        expand("{{ $value | humanize }}", labels, 1.0)


def test_every_generated_alert_has_scenarios_and_the_model_healthy_runs_at_three_volumes():
    for model_dir in sorted((REPO / "generated").glob("*/tests")):
        rules = yaml.safe_load((model_dir.parent / "rules.yaml").read_text())
        alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
        files = {p.stem for p in model_dir.glob("*.yaml")}
        assert {"healthy-0.2", "healthy-20", "healthy-1000"} <= files
        assert alerts <= files, alerts - files
        for volume in ("0.2", "20", "1000"):
            group = yaml.safe_load((model_dir / f"healthy-{volume}.yaml").read_text())["tests"][0]
            facts = NAME.match(group["name"])
            assert facts.group("kind") == "healthy" and facts.group("volume") == volume
            assert "2h" in {t["eval_time"] for t in group["alert_rule_test"]}
            counters = [s for s in group["input_series"] if s["series"].startswith("model_predictions_total")]
            assert {re.search(r'pod="([^"]+)"', s["series"]).group(1) for s in counters} == {
                "model-server-0", "model-server-1", "model-server-2"}
            for series in group["input_series"]:
                assert len(expand_values(series["values"])) >= 2 * 120 + 1  # a compressed day at 30 s
            assert any(_resets(expand_values(s["values"])) for s in counters), "no pod restarted"


def _resets(values: list) -> bool:
    seen = [v for v in values if v is not None]
    return any(b < a for a, b in itertools.pairwise(seen))


def test_healthy_counts_are_drawn_at_the_volume_with_a_diurnal_swing():
    """Predictions per 30 s step follow the 10x day/night cycle and carry Poisson noise, not a fixed level."""
    doc = yaml.safe_load((REPO / "generated" / MODEL / "tests" / "healthy-1000.yaml").read_text())
    total = [0.0] * 241
    for series in doc["tests"][0]["input_series"]:
        if series["series"].startswith("model_predictions_total") and 'pod="model-server-1"' in series["series"]:
            values = expand_values(series["values"])
            for i in range(1, len(values)):
                total[i] += values[i] - values[i - 1]
    per_step = total[1:]
    peak, trough = max(per_step), min(per_step)
    assert 7 < peak / trough < 14  # 1000/s shared by 3 pods: ~606 at the peak, ~61 at the trough per 30 s
    assert abs(sum(per_step) / len(per_step) - 1000 / 3 * 30) < 300
    assert len(set(per_step)) > 200  # drawn, not a smooth curve


def test_failure_scenarios_assert_silence_before_and_exact_alert_by_the_budget():
    doc = yaml.safe_load((REPO / "generated" / MODEL / "tests" / "AIModelAccuracyDegraded.yaml").read_text())
    step = next(g for g in doc["tests"] if " step" in g["name"])
    facts = NAME.match(step["name"]).groupdict()
    onset, budget = int(facts["onset"]), int(facts["budget"])
    assert budget == 15 * 60  # high
    silent, firing = step["alert_rule_test"]
    assert silent["exp_alerts"] == [] and silent["eval_time"] == f"{onset // 60}m"
    expected = firing["exp_alerts"][0]
    assert expected["exp_labels"]["severity"] == "high"
    assert expected["exp_labels"]["model_id"] == MODEL
    # the failing level is baseline x (1 - 1.5 x drop): 0.92 x 0.85 = 0.782, shown as Prometheus would
    assert "live accuracy is 78.2% over" in expected["exp_annotations"]["description"]
    assert step["promql_expr_test"][0]["expr"].startswith('count_over_time(ALERTS{alertname="AIModelAccuracyDegraded"')


def test_a_threshold_change_in_the_spec_changes_its_tests(project, aigen):
    assert aigen("render", cwd=project, timeout=600).returncode == 0
    path = project / "generated" / MODEL / "tests" / "AIModelInvalidOutputs.yaml"
    before = path.read_text()
    spec = project / "specs" / "models" / f"{MODEL}.yaml"
    spec.write_text(spec.read_text().replace("invalid_output_rate: 0.005", "invalid_output_rate: 0.02"))
    assert aigen("render", cwd=project, timeout=600).returncode == 0
    assert path.read_text() != before


def test_probe_output_parser_reads_promtool_values():
    output = (
        '  FAILED:\n'
        '    expr: "min_over_time(timestamp(ALERTS{alertname=\\"X\\", alertstate=\\"firing\\", aigen_probe!=\\"0\\"})'
        '[15m:30s]) or vector(-1)", time: 15m,\n'
        '        exp: nil\n'
        '        got: {alertname="X", alertstate="firing", job="a"} 3.9E+02, '
        '{alertname="X", alertstate="firing", job="b"} 4.5E+02\n'
        '    expr: "sum by (alertname) (count_over_time(ALERTS{alertstate=\\"firing\\", aigen_probe!=\\"1\\"}[6h]))'
        ' or vector(0)", time: 6h,\n'
        '        exp: nil\n'
        '        got: {} 0E+00\n'
    )
    probes = _parse_probes(output)
    assert [v for _, v in probes[0]] == [390.0, 450.0]
    assert probes[0][1][0]["job"] == "b"
    assert probes[1] == [({}, 0.0)]


def test_extension_lengthens_the_final_phase_only():
    group = {"input_series": [{"series": "a", "values": "1 2 3 0+600x10"}, {"series": "b", "values": "_x3"}]}
    longer = extended(group, 300, 30)
    assert [s["values"] for s in longer["input_series"]] == ["1 2 3 0+600x20", "_x13"]
    assert expand_values("_x3 1") == [None, None, None, 1.0]
    assert extended({"input_series": [{"series": "a", "values": "1 2 3"}]}, 300, 30) is None


def run_json(aigen, cwd: Path, *paths: str):
    result = aigen("test", "--format", "json", *paths, cwd=cwd, timeout=900)
    return result, json.loads(result.stdout)


def test_aigen_test_passes_on_an_example_model_within_budget(aigen):
    result, data = run_json(aigen, REPO, f"generated/{MODEL}")
    assert result.returncode == 0, result.stderr
    assert data["rules_check"] is True
    alerts = data["alerts"]
    assert {a["alert"] for a in alerts} >= {"AIModelAccuracyDegraded", "AIModelInvalidOutputs",
                                             "AIModelTelemetryMissing"}
    for row in alerts:
        assert row["passed"], row
        assert row["healthy_firing_evaluations"] == 0
        assert row["scenarios"] >= 1 and row["never_fired"] == 0
        assert 0 < row["time_to_fire"] <= row["budget"], row


def weaken(project: Path, alert: str, new_for: str) -> None:
    path = project / "generated" / MODEL / "rules.yaml"
    text = path.read_text()
    start = text.index(f"- alert: {alert}")
    cut = text.index("for: ", start)
    end = text.index("\n", cut)
    path.write_text(text[:cut] + f"for: {new_for}" + text[end:])


def test_a_weakened_alert_fails_with_its_measured_breach(project, aigen):
    assert aigen("render", cwd=project, timeout=600).returncode == 0
    weaken(project, "AIModelInvalidOutputs", "30m")  # a critical alert: budget 5m
    files = [f"generated/{MODEL}/rules.yaml", f"generated/{MODEL}/tests/AIModelInvalidOutputs.yaml"]
    result, data = run_json(aigen, project, *files)
    assert result.returncode == 1
    row = next(a for a in data["alerts"] if a["alert"] == "AIModelInvalidOutputs")
    assert not row["passed"]
    assert 30 * 60 <= row["time_to_fire"] <= 32 * 60  # measured by promtool, past the budget
    table = aigen("test", *files, cwd=project)
    # the step fires at 30m; the ramp and night-onset scenarios end before a 30m `for:` can complete
    over = r"(30m(30s)? \(over budget\)|never \([12] of 3 scenarios\))"
    assert re.search(rf"AIModelInvalidOutputs .* critical\s+5m\s+{over} .* FAIL", table.stdout), table.stdout
    assert "0 passed, 1 failed" in table.stdout


def test_the_seeds_any_event_rule_fires_on_a_healthy_model(project, aigen):
    """The design's `rate(model_output_invalid_total[5m]) > 0`: a tiny healthy base rate pages all day."""
    assert aigen("render", cwd=project, timeout=600).returncode == 0
    path = project / "generated" / MODEL / "rules.yaml"
    rules = yaml.safe_load(path.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == "AIModelInvalidOutputs":
                rule["expr"] = ('sum by (model_id) '
                                '(rate(model_output_invalid_total{model_id="fraud-detection"}[5m])) > 0')
                rule["for"] = "5m"
    path.write_text(yaml.safe_dump(rules, sort_keys=False))
    result, data = run_json(aigen, project, f"generated/{MODEL}/rules.yaml",
                            f"generated/{MODEL}/tests/healthy-1000.yaml")
    assert result.returncode == 1
    row = next(a for a in data["alerts"] if a["alert"] == "AIModelInvalidOutputs")
    assert row["healthy_firing_evaluations"] > 200  # most of the 241 evaluations of the compressed day


def test_missing_promtool_is_exit_2_with_the_install_hint(aigen, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    result = aigen("test", f"{REPO}/generated/{MODEL}", cwd=tmp_path, env={"PATH": str(bin_dir)})
    assert result.returncode == 2
    assert "apt-get install prometheus" in result.stderr


def test_a_broken_test_file_fails_with_promtool_s_message(project, aigen):
    assert aigen("render", cwd=project, timeout=600).returncode == 0
    path = project / "generated" / MODEL / "tests" / "AIModelAccuracyDegraded.yaml"
    path.write_text(path.read_text().replace("input_series:", "input_seriez:", 1))
    result = aigen("test", f"generated/{MODEL}/tests/AIModelAccuracyDegraded.yaml", cwd=project)
    assert result.returncode == 1
    assert "promtool did not evaluate the tests" in result.stderr


def test_nonexistent_path_is_a_usage_error(aigen, project):
    assert aigen("test", "nope", cwd=project).returncode == 2


def test_the_documented_custom_scenario_runs_and_is_measured(project, aigen):
    """docs/proof.md shows how a team adds a scenario of its own: that example must work as printed."""
    assert aigen("render", cwd=project, timeout=600).returncode == 0
    text = (REPO / "docs" / "proof.md").read_text()
    block = re.search(r"```yaml\n(# generated/(\S+)\n.*?)```", text, re.S)
    target = project / "generated" / block.group(2)
    target.write_text(block.group(1))
    result, data = run_json(aigen, project, f"generated/{MODEL}/rules.yaml", str(target.relative_to(project)))
    assert result.returncode == 0, result.stderr
    row = next(a for a in data["alerts"] if a["alert"] == "AIModelInvalidOutputs")
    assert row["passed"] and 0 < row["time_to_fire"] <= 300
    assert aigen("render", "--check", cwd=project).returncode == 0  # the team's file is not aigen's: no drift
