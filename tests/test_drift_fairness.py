"""Drift and fairness rules, proved with promtool: recorded PSI, KL and ratios match a numpy reference to 1e-6
(relative) on seeded random histograms and on hypothesis-generated profiles; the design's scenarios fire within
budget on the example models; healthy traffic stays silent.
"""

from __future__ import annotations

import functools
import math
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aigen.commands.common import project_and_plans
from aigen.config import load_config
from aigen.detectors import DETECTORS, Timing, sim
from aigen.detectors.base import Series
from aigen.detectors.drift import (
    EPSILON,
    FEATURE_BINS,
    drift_target,
    emit_shift,
    kl_record,
    psi_record,
)
from aigen.detectors.fairness import (
    highest_ratio_record,
    positive_rate_record,
    prediction_series,
    reference_ratio_record,
)
from aigen.escape import promql_string
from aigen.plan import ModelPlan, build
from aigen.profile import MISSING, OTHER, BinShare, FeatureProfile, GroupProfile, GroupRate, Profile, Source
from aigen.render.rules import groups as rule_groups
from aigen.spec import ModelSpec
from aigen.taxonomy import Taxonomy
from aigen.yamlout import dump
from tests.conftest import REPO

STEP = 30
MINE = "AIModelFeatureMissing|AIModelInputDrift.*|AIModelFairness.*"
SIM_BASE = 0
REQUESTS = 20.0
"""Requests per second of the drift scenarios: above every example feature guard (aigen/detectors/guards.py)."""
PREDICTIONS = 5000.0
"""Predictions per second of the fairness scenarios: every example group's positives guard fills 3x over."""


def exact(steps: int, volume: float = REQUESTS) -> sim.Traffic:
    return sim.exact(volume, steps, STEP)


# --- a small promtool harness -------------------------------------------------------------------------------------

def _value(v: float | None) -> str:
    return "_" if v is None or v != v else format(v, ".17g")  # None or NaN: a missed scrape


def run_promtool(tmp_path: Path, plans: list[ModelPlan], series: list[Series], tests: list[dict]) -> None:
    """One promtool unit-test file over the plans' rules; fails the test with promtool's own report."""
    rule_files = []
    for plan in plans:
        path = tmp_path / f"{plan.model_id}.rules.yaml"
        path.write_text(dump({"groups": rule_groups(plan)}), encoding="utf-8")
        rule_files.append(path.name)
    doc = {"rule_files": rule_files, "evaluation_interval": f"{STEP}s", "tests": [{
        "interval": f"{STEP}s",
        "input_series": [{"series": s.selector, "values": " ".join(_value(v) for v in s.values)} for s in series],
        "promql_expr_test": tests,
    }]}
    (tmp_path / "test.yaml").write_text(dump(doc), encoding="utf-8")
    proc = subprocess.run(["promtool", "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True,
                          check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def near(expr: str, expected: float, labels: str, at: int, floor: float = 1e-12) -> dict:
    """A promql_expr_test asserting |expr - expected| <= 1e-6 x |expected| (promtool itself compares exactly);
    ``floor`` is the absolute tolerance for values near 0."""
    tolerance = max(abs(expected) * 1e-6, floor)
    return {"expr": f"abs({expr} - {expected!r}) <= bool {tolerance!r}", "eval_time": f"{at}s",
            "exp_samples": [{"labels": labels, "value": 1}]}


def firing(model_id: str, at: int, expected: list[tuple[str, str, str]], names: str = MINE) -> dict:
    """Exactly these (alertname, label, value) of this model's alerts matching ``names`` are firing at ``at``."""
    by = sorted({label for _, label, _ in expected}) or ["feature"]
    labels = ", ".join(["alertname", *by])
    samples = []
    for name, label, value in sorted(expected):
        parts = [f"alertname={promql_string(name)}"] + [f"{b}={promql_string(value)}" for b in by if b == label]
        samples.append({"labels": "{" + ", ".join(parts) + "}", "value": 1})
    return {"expr": f'count by ({labels}) (ALERTS{{model_id="{model_id}", alertstate="firing", alertname=~"{names}"}})',
            "eval_time": f"{at}s", "exp_samples": samples}


# --- the example models -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def examples() -> dict[str, ModelPlan]:
    project, plans = project_and_plans(config=load_config(REPO))
    assert not project.problems
    return {p.model_id: p for p in plans}


def healthy_traffic(plan: ModelPlan, steps: int, rng: random.Random, skip: str = "") -> list[Series]:
    """Every feature at its baseline shares, every group at its baseline rate, with small seeded noise."""
    out: list[Series] = []
    for feature in plan.profile.features:
        if feature.name != skip:
            levels = [abs(rng.gauss(0, 0.002)) for _ in range(steps)]
            out += [s for s in emit_shift(plan.profile, feature.name, drift_target(feature), levels, exact(steps))
                    if f"feature={promql_string(feature.name)}" in s.selector]
    group = plan.profile.groups[0]
    ratios = group.reference_ratios()
    other = next(g.value for g in group.groups if g.value != group.reference)
    if not skip.startswith("group:"):
        levels = [ratios[other] * (1 + rng.gauss(0, 0.002)) for _ in range(steps)]
        out += prediction_series(plan.spec, plan.profile, group.attribute, other, levels, exact(steps, PREDICTIONS))
    return out


def budget(plan: ModelPlan, alertname: str) -> int:
    return max(a.budget for a in plan.alerts if a.name == alertname)


def test_healthy_traffic_stays_silent(tmp_path: Path, examples: dict[str, ModelPlan]) -> None:
    rng = random.Random(5)
    steps = 3600 // STEP
    series = [s for plan in examples.values() for s in healthy_traffic(plan, steps, rng)]
    tests = [firing(mid, at, []) for mid in examples for at in range(600, steps * STEP, 300)]
    run_promtool(tmp_path, list(examples.values()), series, tests)


def test_fraud_null_merchant_category_fires_corruption_and_drift_within_budget(
        tmp_path: Path, examples: dict[str, ModelPlan]) -> None:
    """Incident AI-INC-2026-0042: merchant_category_code renamed upstream, the model receives nulls."""
    plan = examples["fraud-detection"]
    onset, steps = 1800, 3600 // STEP
    feature = "merchant_category_code"
    levels = [0.0] * (onset // STEP) + [1.0] * (steps - onset // STEP)
    series = healthy_traffic(plan, steps, random.Random(1), skip=feature)
    series += [s for s in emit_shift(plan.profile, feature, MISSING, levels, exact(steps))
               if promql_string(feature) in s.selector]
    corruption, drift = budget(plan, "AIModelFeatureMissing"), budget(plan, "AIModelInputDriftPSI")
    assert (corruption, drift) == (300, 900)  # critical; model_drift raised to high in the spec
    missing = ("AIModelFeatureMissing", "feature", feature)
    both = [missing, ("AIModelInputDriftKL", "feature", feature), ("AIModelInputDriftPSI", "feature", feature)]
    run_promtool(tmp_path, [plan], series, [
        firing(plan.model_id, onset - STEP, []),
        firing(plan.model_id, onset + corruption, [missing], names="AIModelFeatureMissing"),
        firing(plan.model_id, onset + drift, both),
    ])


def test_loan_approval_60_plus_down_15_percent_fires_fairness(tmp_path: Path, examples: dict[str, ModelPlan]) -> None:
    plan = examples["loan-approval"]
    baseline = plan.profile.group("age_group").reference_ratios()["60+"]
    onset, steps = 1800, 3000 // STEP
    levels = [baseline] * (onset // STEP) + [baseline * 0.85] * (steps - onset // STEP)
    series = healthy_traffic(plan, steps, random.Random(2), skip="group:")
    series += prediction_series(plan.spec, plan.profile, "age_group", "60+", levels, exact(steps, PREDICTIONS))
    at = onset + budget(plan, "AIModelFairnessShift")
    # 0.41/0.44 x 0.85 = 0.79: below the four-fifths line too, so all three fairness alerts name the 60+ group.
    expected = [(name, "age_group", "60+") for name in
                ("AIModelFairnessShift", "AIModelFairnessDisparity", "AIModelFairnessFourFifths")]
    run_promtool(tmp_path, [plan], series, [firing(plan.model_id, onset - STEP, []),
                                            firing(plan.model_id, at, expected)])


def test_loan_approval_shift_inside_the_band_still_fires(tmp_path: Path, examples: dict[str, ModelPlan]) -> None:
    """A 12% drop of 45-59's ratio stays inside [0.8, 1.25] — only the baseline-shift alert can catch it."""
    plan = examples["loan-approval"]
    baseline = plan.profile.group("age_group").reference_ratios()["45-59"]
    onset, steps = 1800, 3000 // STEP
    levels = [baseline] * (onset // STEP) + [baseline * 0.88] * (steps - onset // STEP)
    assert 0.8 < baseline * 0.88 < 1.25
    series = healthy_traffic(plan, steps, random.Random(3), skip="group:")
    series += prediction_series(plan.spec, plan.profile, "age_group", "45-59", levels, exact(steps, PREDICTIONS))
    run_promtool(tmp_path, [plan], series, [
        firing(plan.model_id, onset + budget(plan, "AIModelFairnessShift"),
               [("AIModelFairnessShift", "age_group", "45-59")])])


def test_content_moderation_non_english_flagged_3x_fires_fairness(tmp_path: Path,
                                                                  examples: dict[str, ModelPlan]) -> None:
    plan = examples["content-moderation"]
    baseline = plan.profile.group("language_group").reference_ratios()["non_english"]
    onset, steps = 1800, 3000 // STEP
    levels = [baseline] * (onset // STEP) + [3.0] * (steps - onset // STEP)
    series = healthy_traffic(plan, steps, random.Random(4), skip="group:")
    series += prediction_series(plan.spec, plan.profile, "language_group", "non_english", levels,
                                exact(steps, PREDICTIONS))
    at = onset + budget(plan, "AIModelFairnessDisparity")
    expected = [("AIModelFairnessDisparity", "language_group", "non_english"),
                ("AIModelFairnessShift", "language_group", "non_english"),
                ("AIModelFairnessFourFifths", "language_group", "english")]  # english is now 1/3 of the highest
    run_promtool(tmp_path, [plan], series, [firing(plan.model_id, onset - STEP, []),
                                            firing(plan.model_id, at, expected)])


def test_tiny_groups_do_not_page(tmp_path: Path, examples: dict[str, ModelPlan]) -> None:
    """Below its positives guard a group is not judged: a 3x disparity at 20 predictions/s (far too few positives
    in a 2-minute window to tell 3x from noise) stays silent."""
    plan = examples["content-moderation"]
    steps = 1800 // STEP
    series = healthy_traffic(plan, steps, random.Random(6), skip="group:")
    series += prediction_series(plan.spec, plan.profile, "language_group", "non_english", [3.0] * steps,
                                exact(steps, 20.0))
    run_promtool(tmp_path, [plan], series, [firing(plan.model_id, at, []) for at in (600, 1200, 1700)])


# --- numeric proof: recorded values vs numpy ------------------------------------------------------------------

def psi_kl(baseline: np.ndarray, counts: np.ndarray) -> tuple[float, float]:
    """The reference: shares floored at EPSILON (not renormalised), PSI and KL(current || baseline), natural log."""
    current = np.maximum(counts / counts.sum(), EPSILON)
    base = np.maximum(baseline, EPSILON)
    return float(np.sum((current - base) * np.log(current / base))), float(np.sum(current * np.log(current / base)))


@dataclass
class Case:
    """A random model: a profile, per-step increments per bin and per group/outcome, and what numpy expects."""

    plan: ModelPlan
    series: list[Series]
    tests: list[dict]


def _spec(model_id: str, features: list[FeatureProfile], group: GroupProfile) -> ModelSpec:
    return ModelSpec.model_validate({
        "apiVersion": "aigen/v1", "kind": "ModelSpec",
        "model": {"id": model_id, "owner": "t", "oncall": "t", "positive_outcome": "yes",
                  "versions": {"current": "2", "known_good": "1"}},
        "serving": {"namespace": "n", "deployment": "d"},
        "features": [{"name": f.name, "type": f.type} for f in features],
        "groups": [{"attribute": group.attribute, "values": [g.value for g in group.groups],
                    "reference": group.reference}],
        # wide thresholds and 1 sigma: a guard of a single positive, so every random group is judged
        "thresholds": {"guard_sigmas": 1, "fairness_min_ratio": 0.01, "fairness_baseline_shift": 0.9},
    })


def shares_of(weights: list[float]) -> list[float]:
    """Rounded shares that sum to 1 within the profile's tolerance (zeros stay zero: empty bins are the point)."""
    total = sum(weights)
    return [round(w / total, 6) for w in weights]


def make_case(model_id: str, bins_per_feature: list[list[float]], counts: list[list[int]],
              rates: list[float], volumes: list[int]) -> Case:
    features = []
    for i, weights in enumerate(bins_per_feature):
        labels = [f"v{j}" for j in range(len(weights) - 2)] + [OTHER, MISSING]
        bins = [BinShare(bin=b, share=s) for b, s in zip(labels, shares_of(weights), strict=True)]
        features.append(FeatureProfile(name=f"f{i}", type="categorical", bins=bins))
    group = GroupProfile(attribute="grp", reference="g0", groups=[
        GroupRate(value=f"g{i}", rows=100, positive_rate=round(r, 6)) for i, r in enumerate(rates)])
    profile = Profile(apiVersion="aigen/v1", kind="TrainingProfile", model_id=model_id,
                      source=Source(file="x.csv", sha256="0" * 64, rows=100), positive_outcome="yes",
                      outcomes=["no", "yes"], features=features, groups=[group])
    plan = _plan(_spec(model_id, features, group), profile)
    return Case(plan, *_expectations(plan, features, counts, group, rates, volumes))


@functools.cache
def _taxonomy() -> Taxonomy:
    return project_and_plans(config=load_config(REPO))[0].taxonomy


def _plan(spec: ModelSpec, profile: Profile) -> ModelPlan:
    return build(spec, _taxonomy(), load_config(REPO), "random", profile)


EVAL = 900


def _expectations(plan: ModelPlan, features: list[FeatureProfile], counts: list[list[int]], group: GroupProfile,
                  rates: list[float], volumes: list[int]) -> tuple[list[Series], list[dict]]:
    """Constant per-step increments (so the share is exactly count / total), some bins never exported at all."""
    mid, steps = plan.model_id, EVAL // STEP + 1
    series, tests = [], []
    w = _window(plan, "AIModelInputDriftPSI")
    for feature, per_bin in zip(features, counts, strict=True):
        for b, c in zip(feature.bins, per_bin, strict=True):
            if c >= 0:  # -1: the server never exported this bin
                selector = (f'{FEATURE_BINS.name}{{model_id="{mid}", feature="{feature.name}", '
                            f'bin={promql_string(b.bin)}}}')
                series.append(Series(selector, tuple(float(SIM_BASE + c * k) for k in range(steps))))
        psi, kl = psi_kl(np.array([b.share for b in feature.bins]), np.array([max(c, 0) for c in per_bin], float))
        labels = f'{{model_id="{mid}", feature="{feature.name}"}}'
        tests += [near(f'{psi_record(w)}{{model_id="{mid}", feature="{feature.name}"}}', psi, labels, EVAL),
                  near(f'{kl_record(w)}{{model_id="{mid}", feature="{feature.name}"}}', kl, labels, EVAL)]
    w = _window(plan, "AIModelFairnessDisparity")
    live = [round(volumes[i] * r) / volumes[i] for i, r in enumerate(rates)]
    for i, (rate, volume) in enumerate(zip(rates, volumes, strict=True)):
        hits = round(volume * rate)
        for outcome, c in (("yes", hits), ("no", volume - hits)):
            series.append(Series(f'model_predictions_total{{model_id="{mid}", outcome="{outcome}", grp="g{i}"}}',
                                 tuple(float(SIM_BASE + c * k) for k in range(steps))))
        labels = f'{{model_id="{mid}", grp="g{i}"}}'
        sel = f'{{model_id="{mid}", grp="g{i}"}}'
        tests += [near(positive_rate_record("grp", w) + sel, live[i], labels, EVAL),
                  near(reference_ratio_record("grp", w) + sel, live[i] / live[0], labels, EVAL),
                  near(highest_ratio_record("grp", w) + sel, live[i] / max(live), labels, EVAL)]
        if i:  # the shift alert's value: |ratio to reference / baseline ratio - 1|, against the rounded profile
            baseline = group.reference_ratios()[f"g{i}"]
            only = f'label_replace(vector(1), "grp", "g{i}", "", "")'
            tests.append(near(f"(({_signal(plan, 'AIModelFairnessShift')}) and on (grp) {only})",
                              abs(live[i] / live[0] / baseline - 1), labels, EVAL, floor=1e-9))
    return series, tests


def _signal(plan: ModelPlan, alertname: str) -> str:
    return next(a.alert.signal for a in plan.alerts if a.name == alertname)


def _window(plan: ModelPlan, alertname: str) -> str:
    alert = next(a for a in plan.alerts if a.name == alertname)
    return Timing.for_budget(alert.budget, STEP).w(alert.alert.windows[0])


def random_case(rng: np.random.Generator, index: int) -> Case:
    features, counts = [], []
    for _ in range(int(rng.integers(1, 4))):
        n = int(rng.integers(3, 14))
        weights = list(rng.dirichlet(np.ones(n)))
        for j in rng.choice(n, size=int(rng.integers(0, 3)), replace=False):
            weights[j] = 0.0  # empty baseline bins: smoothing at work
        counts.append([int(c) if rng.random() > 0.1 else -1 for c in rng.integers(0, 50, size=n)])
        if all(c <= 0 for c in counts[-1]):
            counts[-1][0] = 7
        features.append(weights)
    groups = int(rng.integers(2, 5))
    rates = [float(r) for r in rng.uniform(0.05, 0.95, size=groups)]
    volumes = [int(v) for v in rng.integers(20, 400, size=groups)]
    return make_case(f"random-{index}", features, counts, rates, volumes)


def test_recorded_psi_kl_and_ratios_match_numpy(tmp_path: Path) -> None:
    rng = np.random.default_rng(20260426)
    cases = [random_case(rng, i) for i in range(12)]
    run_promtool(tmp_path, [c.plan for c in cases], [s for c in cases for s in c.series],
                 [t for c in cases for t in c.tests])


def test_smoothing_floors_empty_bins_like_evidently() -> None:
    """A bin empty in training and at 30% live: its baseline counts as 0.0001, not 0 (PSI stays finite)."""
    psi, kl = psi_kl(np.array([0.5, 0.5, 0.0]), np.array([35.0, 35.0, 30.0]))
    assert math.isfinite(psi) and psi == pytest.approx(2 * (0.35 - 0.5) * math.log(0.7) + (0.3 - 1e-4) * math.log(3000))
    assert kl == pytest.approx(2 * 0.35 * math.log(0.7) + 0.3 * math.log(3000))


weights_st = st.lists(st.one_of(st.just(0.0), st.floats(0.01, 1.0)), min_size=3, max_size=12).filter(
    lambda w: sum(w) > 0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_many_profiles_through_promtool(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    features = data.draw(st.lists(weights_st, min_size=1, max_size=3))
    counts = [data.draw(st.lists(st.integers(-1, 60), min_size=len(w), max_size=len(w)).filter(
        lambda c: any(x > 0 for x in c))) for w in features]
    groups = data.draw(st.integers(2, 4))
    rates = data.draw(st.lists(st.floats(0.05, 0.95), min_size=groups, max_size=groups))
    volumes = data.draw(st.lists(st.integers(40, 500), min_size=groups, max_size=groups))
    case = make_case("prop", features, counts, rates, volumes)
    run_promtool(tmp_path_factory.mktemp("prop"), [case.plan], case.series, case.tests)


def test_detectors_are_registered_and_bound() -> None:
    config = load_config(REPO)
    taxonomy = project_and_plans(config=config)[0].taxonomy
    bound = {d: t for t, it in taxonomy.incident_types.items() for d in it.detectors}
    assert bound["feature_missing"] == "data_pipeline_corruption"
    assert bound["input_drift"] == "model_drift"
    assert bound["fairness_disparity"] == bound["fairness_shift"] == "bias_and_fairness_violation"
    assert all(DETECTORS[d].simulate for d in ("feature_missing", "input_drift", "fairness_disparity",
                                               "fairness_shift"))
