"""The fleet benchmark's parts, on a 3-model fleet, so the benchmark cannot rot between runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))

import fleet
import fleet_bench
import prom_eval


@pytest.fixture(scope="module")
def small_fleet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("fleet")
    return root, fleet.generate(root, 12)


def test_generated_fleet_is_valid_and_varied(small_fleet, aigen) -> None:
    root, ids = small_fleet
    result = aigen("validate", cwd=root)
    assert result.returncode == 0, result.stderr  # profiles match their specs, or validate says where not
    assert "12 spec(s) valid" in result.stdout
    specs = [yaml.safe_load((root / "specs" / "models" / f"{m}.yaml").read_text()) for m in ids]
    assert {len(s["features"]) for s in specs} == set(fleet.FEATURE_COUNTS)
    assert {len(s["groups"]) for s in specs} == {0, 1, 2, 3, 4}
    assert {s["model"]["id"].rsplit("-", 1)[0] for s in specs} == set(fleet.EXAMPLES)


def test_generation_is_deterministic(small_fleet, tmp_path) -> None:
    root, ids = small_fleet
    assert fleet.generate(tmp_path, 12) == ids
    for model_id in ids:
        for part in (f"models/{model_id}.yaml", f"profiles/{model_id}.json"):
            assert (tmp_path / "specs" / part).read_bytes() == (root / "specs" / part).read_bytes()


def test_measure_reports_cpu_and_memory_of_children(tmp_path) -> None:
    burn = ("import subprocess, sys; "
            "subprocess.run([sys.executable, '-c', 'x = bytearray(200 << 20); sum(range(10**7))'])")
    sample = fleet_bench.measure([sys.executable, "-c", burn], tmp_path, timeout=60)
    assert sample.rc == 0
    assert sample.cpu > 0.1  # the grandchild's work is counted
    assert sample.rss_mb > 200
    killed = fleet_bench.measure([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path, timeout=0.5)
    assert killed.rc == -9 and killed.wall < 10


def test_table_and_growth_law() -> None:
    def result(n: int, cpu: float) -> dict:
        sample = {"wall": cpu, "cpu": cpu, "rss_mb": 50.0, "rc": 0}
        return {"n": n, "output_mb": 1.0, "prometheus": {},
                "rows": [{"command": "render (cold)", "sample": sample, "floor": "f", "floor_sample": sample}]}

    results = [result(10, 1.0), result(100, 10.0), result(1000, 100.0)]
    assert "| 100 | render (cold) | 10.00 s / 10.00 s / 50 MB | f |" in fleet_bench.table(results)
    assert fleet_bench.growth(results) == "growth: render (cold): CPU ∝ N^1.00"


def test_prometheus_series_and_summary() -> None:
    names = prom_eval.series(REPO / "generated")
    assert any(n.startswith('model_predictions_total{model_id="loan-approval"') for n in names)
    assert all(", " not in n for n in names)  # exposition form
    metrics = {
        "prometheus_rule_group_last_duration_seconds": [({"rule_group": "a"}, 0.002), ({"rule_group": "b"}, 0.004)],
        "prometheus_rule_group_interval_seconds": [({"rule_group": "a"}, 30.0), ({"rule_group": "b"}, 60.0)],
        "prometheus_rule_group_iterations_total": [({"rule_group": "a"}, 3.0), ({"rule_group": "b"}, 0.0)],
        "prometheus_tsdb_head_series": [({}, 1234.0)],
    }
    summary = prom_eval.summarize(metrics, models=2)
    assert summary["groups"] == 2 and summary["groups_evaluated"] == 1
    assert summary["eval_ms_per_model_per_30s"] == pytest.approx(1.0)
    assert summary["head_series"] == 1234


def test_prometheus_replays_promtool_notation() -> None:
    assert prom_eval.expand("1 2+3x2 _ _x2 4x1 5-1x2 stale") == [1.0, 2.0, 5.0, 8.0, None, None, None, 4.0, 4.0,
                                                                 5.0, 4.0, 3.0, None]
    values = prom_eval.series(REPO / "generated")
    counter = next(v for n, v in values.items() if n.startswith("model_feature_bin_total{"))
    # a healthy scenario's counter, replayed whole (it grows; the scenario may restart a pod, resetting it)
    assert len(counter) > 100 and max(v for v in counter if v is not None) > (counter[0] or 0)


def test_prometheus_rule_families_and_costs() -> None:
    assert prom_eval.family("recording", "aigen:model_positive_rate_by_age_group:ratio_rate24m") == \
        "aigen:model_positive_rate_by_*:ratio_rate*"
    assert prom_eval.family("recording", "aigen:model_feature_bin:increase2m") == "aigen:model_feature_bin:increase*"
    assert prom_eval.family("alerting", "AIModelInputDriftPSI") == "AIModelInputDriftPSI"
    times = prom_eval.RuleTimes()
    times.seen = {("g", 0): {"group": "g", "interval": 30.0, "kind": "recording", "name": "aigen:x:increase2m"},
                  ("h", 0): {"group": "h", "interval": 120.0, "kind": "recording", "name": "aigen:x:increase6m"}}
    times.samples = {("g", 0): {"t1": 0.9, "t2": 0.002, "t3": 0.004}, ("h", 0): {"t1": 0.008}}
    rules = {r["name"]: r for r in times.rules()}
    assert rules["aigen:x:increase2m"]["seconds"] == pytest.approx(0.003)  # the first, cold evaluation left out
    assert rules["aigen:x:increase6m"]["per_30s"] == pytest.approx(0.002)  # every 2 minutes: a quarter per 30 s
    [row] = prom_eval.by_family(list(rules.values()), models=1)
    assert row["rules"] == 2 and row["ms_per_model_per_30s"] == pytest.approx(5.0) and row["share"] == 1


def test_fleet_wide_experiment_merges_only_what_models_share(tmp_path) -> None:
    import prom_shared

    counts = prom_shared.merge(REPO, tmp_path)
    fleet_rules = yaml.safe_load((tmp_path / "generated" / "fleet" / "rules.yaml").read_text())["groups"][0]["rules"]
    assert counts["shared"] == len(fleet_rules) > 0
    assert counts["rules_after"] == counts["rules_before"] - sum(
        len(r["expr"].split('model_id=~"')[1].split('"')[0].split("|")) - 1 for r in fleet_rules
        if 'model_id=~"' in r["expr"])
    # the 2-minute share every example has is merged; a guard count differs per model and is not
    assert any(r["record"] == "aigen:model_feature_bin:share_rate2m" for r in fleet_rules)
    assert not any(r["record"].startswith("aigen:model_positive_rate_by_") and ":ratio_rate" in r["record"]
                   for r in fleet_rules)
