"""Scenarios per alert, written as promtool unit tests (``generated/<model>/tests/<Alert>.yaml``).

For every simulation of every alert:
- **healthy**, per volume (0.2, 20 and 1,000 predictions/s on average): one compressed day of production traffic
  (``sim.production``: three pods, a 10x diurnal swing, a pod restart that resets its counters, every count drawn
  at the real volume from a seeded generator, so the bytes are reproducible) with every signal of the model at its
  healthy level at once — no alert fires (checked at every evaluation through ``ALERTS``);
- **step**: healthy until the onset t0, then the failing level — not firing at any evaluation before t0, firing
  with its exact labels and annotations by t0 + the severity's detection budget (``aigen test`` extends the
  failing phase of an alert that misses it, to measure its real time-to-fire). Exact traffic at the scenario
  volume: the lowest of 20/s, 1,000/s, ... at which the alert's guard fills its window three times over;
- **ramp** (drift, fairness, latency): a linear ramp from healthy to failing over 2 hours; t0 is when it crosses
  the threshold.
The telemetry detector's failing level is "no samples": its step scenario is the telemetry-stops scenario.

Test-group names carry the machine-readable facts ``aigen test`` needs to measure (see ``NAME``).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from aigen.detectors import DETECTORS, Context, Timing, sim
from aigen.detectors.base import Series, Simulation
from aigen.durations import format_duration
from aigen.plan import KILL_SWITCH, ModelPlan, PlannedAlert
from aigen.proof.templates import expand

STEP = 30
HEALTHY = "healthy"
VOLUMES = (0.2, 20.0, 1000.0)
"""Average predictions per second of the healthy runs: a quiet model, a typical one, a busy one."""
DAY = 2 * 3600
"""One diurnal cycle of the healthy runs: a day compressed 12x (docs/proof.md says why that stays valid)."""
HEALTHY_SECONDS = DAY
PREDICTIONS = "model_predictions_total"
RAMP_SECONDS = 2 * 3600
AR_PHI = 0.8
NAME = re.compile(r"^(?P<alert>[A-Za-z0-9_:]+) (?P<kind>healthy|step|ramp|night|one-pod)(?: \[(?P<sim>[^\]]*)\])?: "
                  r"onset=(?P<onset>\d+)s budget=(?P<budget>\d+)s end=(?P<end>\d+)s"
                  r"(?: volume=(?P<volume>[0-9.]+)/s(?: detectable_from=(?P<detectable>[0-9.]+)/s)?)?")


@dataclass(frozen=True)
class Scenario:
    alert: PlannedAlert
    simulation: Simulation
    kind: str  # healthy | step | ramp
    onset: int  # seconds; for healthy, the end (nothing may fire before it)
    end: int
    levels: list[float]
    volume: float = sim.VOLUME
    """Predictions per second: exact traffic for step and ramp, the average of production traffic otherwise."""

    @property
    def exact(self) -> bool:
        """Step and ramp run on exact traffic: their alert value is computable, so annotations are asserted."""
        return self.kind in ("step", "ramp")

    @property
    def name(self) -> str:
        label = f" [{self.simulation.name}]" if self.simulation.name else ""
        return (f"{self.alert.name} {self.kind}{label}: onset={self.onset}s budget={self.alert.budget}s "
                f"end={self.end}s volume={_fmt(self.volume)}/s detectable_from={_fmt(self.alert.alert.min_volume)}/s")


def scenario_volume(min_volume: float) -> float:
    """The volume of an alert's failure scenarios: the lowest of 20, 1,000, 2,000, 5,000, 10,000, ... /s at which
    its guard fills the window three times over (a failing group may serve fewer positives than a healthy one)."""
    need = 3 * min_volume
    for volume in (sim.VOLUME, 1000.0):
        if volume >= need:
            return volume
    scale = 10 ** math.floor(math.log10(need))
    return next(m * scale for m in (1, 2, 5, 10) if m * scale >= need)


def _rng(*parts: str) -> random.Random:
    seed = int.from_bytes(hashlib.sha256("\x00".join(parts).encode()).digest()[:8], "big")
    return random.Random(seed)


def _noisy(simulation: Simulation, steps: int, rng: random.Random) -> list[float]:
    """AR(1) noise around the healthy level: slow wander, like real traffic, with std dev ``noise``."""
    out, x = [], 0.0
    scale = simulation.noise * math.sqrt(1 - AR_PHI**2)
    for _ in range(steps):
        x = AR_PHI * x + rng.gauss(0.0, 1.0) * scale
        out.append(max(0.0, simulation.healthy + x))
    return out


def evaluation_interval(plan: ModelPlan, alert: PlannedAlert | None) -> int:
    """How often promtool evaluates the rules in an alert's failure scenarios: the group interval, or 1/60 of the
    detection budget when that is coarser (1m for a 1h budget). promtool evaluates every rule of the model at every
    step, so long budgets at 30 s would cost minutes; a 1/60 resolution measures time-to-fire to within 2% of the
    budget, never earlier than production would. The healthy run always uses the group interval."""
    interval = plan.config.evaluation_interval
    if alert is None:
        return interval
    coarse = alert.budget // 60 // interval * interval
    return max(interval, coarse)


def _warmup(plan: ModelPlan, alert: PlannedAlert) -> int:
    """Healthy time before an onset: the longest window full of healthy samples and the alert settled (its ``for:``
    and a few evaluations), at least 15 minutes."""
    longest = max(alert.alert.windows or (0,))
    seconds = max(900, longest + alert.alert.for_seconds + 4 * evaluation_interval(plan, alert))
    return -(-seconds // 300) * 300


def healthy(plan: ModelPlan, alert: PlannedAlert, simulation: Simulation, volume: float) -> Scenario:
    seed = (plan.model_id, alert.name, simulation.name, str(volume))
    return Scenario(alert, simulation, "healthy", HEALTHY_SECONDS, HEALTHY_SECONDS,
                    _noisy(simulation, HEALTHY_SECONDS // STEP + 1, _rng(*seed, "healthy")), volume)


def scenarios(plan: ModelPlan, alert: PlannedAlert, simulation: Simulation) -> list[Scenario]:
    """The failure scenarios of one simulation: a step, and a ramp where the simulation asks for one."""
    seed = (plan.model_id, alert.name, simulation.name)
    volume = scenario_volume(alert.alert.min_volume)
    out = []
    warm = _warmup(plan, alert)
    end = warm + alert.budget
    pre = _noisy(simulation, warm // STEP, _rng(*seed, "step"))
    out.append(Scenario(alert, simulation, "step", warm, end,
                        pre + [simulation.failing] * ((end - warm) // STEP + 1), volume))
    if simulation.ramp:
        threshold = simulation.threshold if simulation.threshold is not None else alert.alert.threshold
        if threshold is None:
            raise ValueError(f"{alert.alert.name}: a ramp scenario needs a threshold to find where the ramp crosses it")
        ramp_seconds = RAMP_SECONDS
        start = warm
        fraction = (threshold - simulation.healthy) / (simulation.failing - simulation.healthy)
        crossing = start + -(-int(ramp_seconds * fraction) // STEP) * STEP
        end = crossing + alert.budget
        pre = _noisy(simulation, start // STEP, _rng(*seed, "ramp"))
        ramp_steps = ramp_seconds // STEP
        ramp = [simulation.healthy + (simulation.failing - simulation.healthy) * i / ramp_steps
                for i in range(ramp_steps)]
        tail = [simulation.failing] * ((end - start - ramp_seconds) // STEP + 1)
        out.append(Scenario(alert, simulation, "ramp", crossing, end, pre + ramp + tail, volume))
    out.extend(_night(plan, alert, simulation))
    out.extend(_one_pod(plan, alert, simulation, volume))
    return out


NIGHT_MARGIN = 1.5
"""A night scenario runs at the lowest healthy volume whose trough still fills the alert's guard this many times."""
TROUGH = 2 / 11
"""The production traffic's trough as a share of its average (1 - 9/11)."""


def _night(plan: ModelPlan, alert: PlannedAlert, simulation: Simulation) -> list[Scenario]:
    """The failure starting at the diurnal trough, on sampled production traffic: at the lowest of VOLUMES at which
    the alert can judge at night. None when no volume can (the table then says below which volume it is blind)."""
    volume = next((v for v in VOLUMES if v * TROUGH >= NIGHT_MARGIN * alert.alert.min_volume), None)
    if volume is None or alert.name == KILL_SWITCH:
        return []
    onset = DAY // 2
    warm = _warmup(plan, alert)
    if warm > onset:
        return []
    end = onset + alert.budget
    pre = _noisy(simulation, onset // STEP, _rng(plan.model_id, alert.name, simulation.name, "night"))
    return [Scenario(alert, simulation, "night", onset, end,
                     pre + [simulation.failing] * ((end - onset) // STEP + 1), volume)]


def diluted(simulation: Simulation, pods: int) -> float:
    """The level the model's aggregate sees when one of ``pods`` pods fails: a share (or rate) averages over pods."""
    return simulation.healthy + (simulation.failing - simulation.healthy) / pods


ONE_POD_MARGIN = 0.2
"""How far past the threshold (as a share of the healthy-to-threshold distance) a diluted level must land to be
called detectable: a level barely past it is a coin toss on sampled traffic."""


def one_pod_detectable(simulation: Simulation, threshold: float) -> bool:
    """Whether one failing pod of three moves the aggregate clearly past the level at which the alert's condition
    holds."""
    past = (diluted(simulation, len(sim.PODS)) - threshold) * math.copysign(1, simulation.failing - threshold)
    return past >= ONE_POD_MARGIN * abs(threshold - simulation.healthy)


def _one_pod(plan: ModelPlan, alert: PlannedAlert, simulation: Simulation, volume: float) -> list[Scenario]:
    """The failure on one pod of three, at the step's volume on sampled production traffic. Only where the
    aggregate crosses the threshold (else one pod's failure is, by design, diluted below it: the telemetry of one
    pod stopping is not the model's telemetry missing) and where the signal is exported per pod."""
    threshold = simulation.threshold if simulation.threshold is not None else alert.alert.threshold
    if alert.name == KILL_SWITCH or threshold is None or not one_pod_detectable(simulation, threshold):
        return []
    warm = _warmup(plan, alert)
    end = warm + alert.budget
    pre = _noisy(simulation, warm // STEP, _rng(plan.model_id, alert.name, simulation.name, "one-pod"))
    scenario = Scenario(alert, simulation, "one-pod", warm, end,
                        pre + [simulation.failing] * ((end - warm) // STEP + 1), volume)
    probe = replace(scenario, levels=scenario.levels[:2])  # two steps tell whether the series carry the pod
    return [scenario] if all('pod="model-server-' in s.selector for s in _emit(plan, probe)) else []


def simulations(plan: ModelPlan, alert: PlannedAlert) -> list[Simulation]:
    if alert.name == KILL_SWITCH:
        return _kill_switch_simulations(plan, alert)
    detector = DETECTORS.get(alert.alert.detector)
    if detector is None or detector.simulate is None:
        return []
    severity = alert.labels["severity"]
    ctx = Context(plan.spec, plan.taxonomy, plan.config, alert.alert.incident_type, severity,
                  Timing.for_budget(alert.budget, plan.config.evaluation_interval), plan.profile)
    return detector.simulate(ctx, alert.alert)


def _kill_switch_simulations(plan: ModelPlan, alert: PlannedAlert) -> list[Simulation]:
    """A top-severity alert of the model starts firing at the onset (its ALERTS series is the input)."""
    top = alert.labels["severity"]
    trigger = next((a for a in plan.alerts if a.labels["severity"] == top and a.name != KILL_SWITCH), None)
    if trigger is None:
        return []

    def emit(ctx: Any, _alert: Any, levels: list[float], traffic: sim.Traffic) -> list[Series]:
        selector = sim.labels("ALERTS", alertname=trigger.name, alertstate="firing", model_id=plan.model_id,
                              severity=top, incident_type=trigger.labels["incident_type"])
        reporting = [Series(sim.labels("model_predictions_total", model_id=plan.model_id, pod=pod),
                            traffic.counter(i, counts))  # telemetry keeps flowing
                     for i, (pod, counts) in enumerate(zip(traffic.pods, traffic.counts, strict=True))]
        return [Series(selector, tuple(1.0 if level >= 0.5 else None for level in levels)), *reporting]

    return [Simulation(healthy=0.0, failing=1.0, noise=0.0, emit=emit, threshold=0.5, firing_value=1.0,
                       exp_labels={"incident_type": trigger.labels["incident_type"]},
                       name=f"{trigger.name} firing")]


def expected_alert(plan: ModelPlan, alert: PlannedAlert, simulation: Simulation) -> dict[str, Any]:
    labels = {**alert.labels, **simulation.exp_labels}
    value = simulation.firing_value if simulation.firing_value is not None else simulation.failing
    annotations = {k: expand(v, labels, value) for k, v in alert.annotations.items()}
    return {"exp_labels": dict(sorted(labels.items())), "exp_annotations": dict(sorted(annotations.items()))}


def firing_selector(alert: PlannedAlert, simulation: Simulation, model_id: str) -> str:
    pairs = {"alertname": alert.name, "alertstate": "firing", "model_id": model_id, **simulation.exp_labels}
    return sim.labels("ALERTS", **pairs)


def _emit(plan: ModelPlan, scenario: Scenario, traffic: sim.Traffic | None = None) -> list[Series]:
    """The scenario's input series, over ``traffic`` (default: the scenario's own, see ``_traffic``)."""
    alert = scenario.alert
    ctx = Context(plan.spec, plan.taxonomy, plan.config, alert.alert.incident_type, alert.labels["severity"],
                  Timing.for_budget(alert.budget, plan.config.evaluation_interval), plan.profile)
    emit = functools.partial(scenario.simulation.emit, ctx, alert.alert)
    if traffic is not None:
        return emit(scenario.levels, traffic)
    steps = len(scenario.levels)
    if scenario.exact:
        return emit(scenario.levels, sim.exact(scenario.volume, steps, STEP))
    rng = sim.generator(plan.model_id, alert.name, scenario.simulation.name, scenario.kind, "traffic")
    traffic = sim.production(scenario.volume, steps, STEP, rng, DAY, reset=scenario.kind == "night")
    if scenario.kind == "night":
        return emit(scenario.levels, traffic)
    # one pod: the first pod fails, the two others stay at the healthy level
    healthy = [scenario.simulation.healthy] * steps
    return [*emit(scenario.levels, replace(traffic, counts=traffic.counts[:1])),
            *emit(healthy, replace(traffic, counts=traffic.counts[1:], first=1))]


def _input(series: list[Series]) -> list[dict[str, str]]:
    """Input series, each selector once: simulations of one model share series (the predictions counter)."""
    seen: dict[str, Series] = {}
    for item in series:
        seen.setdefault(item.selector, item)
    return [{"series": s.selector, "values": compress(s.values)} for s in seen.values() if sim.has_samples(s.values)]


def _one_prediction_counter(series: list[Series]) -> list[Series]:
    """A server counts each prediction once: when the fairness simulations export predictions by outcome and group,
    the bare per-pod counter other simulations use as a denominator would count the same predictions twice."""
    if not any(s.selector.startswith(f"{PREDICTIONS}{{") and "outcome=" in s.selector for s in series):
        return series
    return [s for s in series if not (s.selector.startswith(f"{PREDICTIONS}{{") and "outcome=" not in s.selector)]


def healthy_group(plan: ModelPlan, scenarios: list[Scenario], volume: float) -> dict[str, Any]:
    """All signals of the model healthy at once for a compressed day of production traffic at ``volume``: no alert
    of the model may fire at any evaluation. Every simulation draws from the same traffic (one model server)."""
    traffic = sim.production(volume, HEALTHY_SECONDS // STEP + 1, STEP,
                             sim.generator(plan.model_id, "traffic", str(volume)), DAY, whole_model=True)
    series = _one_prediction_counter([item for scenario in scenarios for item in _emit(plan, scenario, traffic)])
    end = format_duration(HEALTHY_SECONDS)
    names = sorted({scenario.alert.name for scenario in scenarios})
    return {
        "name": (f"{HEALTHY} healthy [{_fmt(volume)}/s]: onset={HEALTHY_SECONDS}s budget=0s end={HEALTHY_SECONDS}s "
                 f"volume={_fmt(volume)}/s"),
        "interval": format_duration(STEP),
        "input_series": _input(series),
        "alert_rule_test": [{"eval_time": end, "alertname": name, "exp_alerts": []} for name in names],
        "promql_expr_test": [{
            "expr": f'count_over_time(ALERTS{{alertstate="firing", model_id="{plan.model_id}"}}[{end}])',
            "eval_time": end, "exp_samples": [],
        }],
    }


def test_group(plan: ModelPlan, scenario: Scenario) -> dict[str, Any]:
    alert, simulation = scenario.alert, scenario.simulation
    selector = firing_selector(alert, simulation, plan.model_id)
    group: dict[str, Any] = {
        "name": scenario.name,
        "interval": format_duration(STEP),
        "input_series": _input(_emit(plan, scenario)),
    }
    onset, end = format_duration(scenario.onset), format_duration(scenario.end)
    group["alert_rule_test"] = [{"eval_time": onset, "alertname": alert.name, "exp_alerts": []}]
    # "never firing up to t0", at every evaluation, not only at the sampled eval_times above
    group["promql_expr_test"] = [{"expr": f"count_over_time({selector}[{onset}])", "eval_time": onset,
                                  "exp_samples": []}]
    if not scenario.exact or scenario.kind == "ramp":
        # sampled traffic, or still ramping at t0 + budget: the value is not computable, so the assertion is
        # "firing" (with the simulation's labels)
        group["promql_expr_test"].append({"expr": f"count({selector})", "eval_time": end,
                                          "exp_samples": [{"labels": "{}", "value": 1}]})
    else:
        group["alert_rule_test"].append({"eval_time": end, "alertname": alert.name,
                                         "exp_alerts": [expected_alert(plan, alert, simulation)]})
    return group


def test_documents(plan: ModelPlan) -> dict[str, dict[str, Any]]:
    """File stem -> promtool test document: ``healthy-<volume>`` per healthy volume for the model (separate files,
    so promtool runs them in parallel), one per alert with a simulation."""
    out: dict[str, dict[str, Any]] = {}
    pairs = [(alert, simulation) for alert in plan.alerts for simulation in simulations(plan, alert)]
    for volume in VOLUMES if pairs else ():
        healthy_scenarios = [healthy(plan, alert, simulation, volume) for alert, simulation in pairs]
        _document(plan, out, f"{HEALTHY}-{_fmt(volume)}")["tests"].append(
            healthy_group(plan, healthy_scenarios, volume))
    for alert, simulation in pairs:
        groups = [test_group(plan, scenario) for scenario in scenarios(plan, alert, simulation)]
        _document(plan, out, alert.name, alert)["tests"].extend(groups)
    return out


def _document(plan: ModelPlan, out: dict[str, dict[str, Any]], stem: str,
              alert: PlannedAlert | None = None) -> dict[str, Any]:
    return out.setdefault(stem, {
        "rule_files": ["../rules.yaml"],
        "evaluation_interval": format_duration(evaluation_interval(plan, alert)),
        "group_eval_order": [g.name for g in plan.groups],
        "tests": [],
    })


_fmt = sim.number


TOLERANCE = 5e-7
"""Absolute: values are written with 6 decimals, so a run may differ from them by half a unit of the last digit and
no more. A relative tolerance would merge distinct large counter values and could fake a counter reset."""


def compress(values: Sequence[float | None] | sim.Values) -> str:
    """promtool's expanding notation: runs of a constant step become ``a+bxn`` (n more values), n gaps ``_xn``.

    Most simulated series are sampled counters with few runs, so the walk is vectorised: a cheap necessary
    condition (``_run_candidates``) marks where a run of four values could start, and only those positions and the
    gaps go through the exact, sequential rule (``_run``); every other value is written as it is, and values are
    formatted only where they are written alone."""
    import numpy as np

    array = sim.array(values)
    n = len(array)
    gaps = np.isnan(array)
    candidates = _run_candidates(array)
    if not candidates.any() and not gaps.any():
        return " ".join(_texts(array))
    stops = np.flatnonzero(gaps | candidates).tolist()
    ends = _run_ends(array, gaps)
    floats = array.tolist()
    out: list[str | int] = []  # tokens, and counts of values written alone
    alone: list[int] = []
    i = 0
    while i < n:
        k = bisect.bisect_left(stops, i)
        stop = stops[k] if k < len(stops) else n
        if stop > i:  # no run starts in [i, stop): one value each
            alone.extend(range(i, stop))
            out.append(stop - i)
            i = stop
            if i >= n:
                break
        if gaps[i]:
            j = i
            while j + 1 < n and gaps[j + 1]:
                j += 1
            out.append("_" if j == i else f"_x{j - i + 1}")  # unlike `axn`, `_xn` is n samples, not n+1
            i = j + 1
            continue
        token, i = _run(floats, i, None if ends is None else ends[i])
        if token is None:
            alone.append(i - 1)
            out.append(1)
        else:
            out.append(token)
    texts = _texts(array[np.array(alone, dtype=np.int64)])
    words: list[str] = []
    at = 0
    for item in out:
        if isinstance(item, str):
            words.append(item)
        else:
            words.extend(texts[at:at + item])
            at += item
    return " ".join(words)


def _run(values: list[float], i: int, end: int | None = None) -> tuple[str | None, int]:
    """At ``i``, the token promtool reads (a run ``a+bxn`` when at least four values lie on a line with a constant
    step, within TOLERANCE of where the run predicts; None when the value stands alone) and where the next token
    starts. ``end``, when known (``_run_ends``), is where the run ends, so it is not walked value by value."""
    n, first = len(values), values[i]
    j, step = i, 0.0
    following = values[i + 1] if i + 1 < n else math.nan
    if not math.isnan(following):
        step = round(following - first, 6)
        if end is not None:
            j = end
        else:
            while j + 1 < n and abs(values[j + 1] - (first + step * (j + 1 - i))) <= TOLERANCE:
                j += 1  # NaN (a gap) compares false: it ends the run
    if j - i < 3:
        return None, i + 1
    base = _fmt(first)
    if step == 0:
        return f"{base}x{j - i}", j + 1
    return f"{base}{'+' if step > 0 else '-'}{_fmt(abs(step))}x{j - i}", j + 1


WHOLE = 2.0**52
"""Below this, whole floats and their differences are exact, and so is ``first + step * k``."""


def _run_ends(array: sim.Values, gaps: sim.Mask) -> list[int] | None:
    """Where the run starting at each index ends, for a series of whole numbers (every sampled counter): there a
    value lies on the line (within TOLERANCE < 1) exactly when it continues the same difference, so the end is the
    first break in equal consecutive differences. None for any other series (``_run`` walks it)."""
    import numpy as np

    present = array[~gaps]
    if len(array) < 3 or not (np.all(present == np.floor(present)) and np.all(np.abs(present) < WHOLE)):
        return None
    diff = np.diff(array)
    with np.errstate(invalid="ignore"):
        same = diff[1:] == diff[:-1]  # NaN (a gap) is never the same
    breaks = np.append(np.flatnonzero(~same), len(same))
    first_break = np.minimum(np.searchsorted(breaks, np.arange(len(array))), len(breaks) - 1)
    return (breaks[first_break] + 1).tolist()


def _run_candidates(array: sim.Values) -> sim.Mask:
    """Where a run of four or more could start: the next three values lie near the line through the first two.

    A necessary condition of ``_run``'s: its step is the first difference rounded to 6 decimals (off by at most
    5e-7), so a value within TOLERANCE of its line is within 2e-6 (plus float error) of the unrounded line;
    LOOSE leaves room for both, relative to the values' size."""
    import numpy as np

    candidates = np.zeros(len(array), dtype=bool)
    if len(array) >= 4:
        a0, a1, a2, a3 = array[:-3], array[1:-2], array[2:-1], array[3:]
        step = a1 - a0
        loose = LOOSE + 1e-9 * np.abs(a0)
        with np.errstate(invalid="ignore"):
            candidates[:-3] = (np.abs(a2 - a0 - 2 * step) <= loose) & (np.abs(a3 - a0 - 3 * step) <= loose)
    return candidates


LOOSE = 1e-5
"""_run_candidates' tolerance: five times the most a run's value can be off the unrounded line."""


def _texts(array: sim.Values) -> list[str]:
    """Each value (none a gap) as ``_fmt`` writes it. Whole numbers (counts, the usual case) go the fast way: for
    them ``repr(round(v, 6))`` is the integer's digits and '.0' (below 1e16; -0.0 keeps its sign there)."""
    import numpy as np

    whole = (array == np.floor(array)) & (np.abs(array) < 1e15) & ~((array == 0) & np.signbit(array))
    if whole.all():
        return [str(v) for v in array.astype(np.int64).tolist()]
    text = np.full(len(array), "", dtype=object)
    text[whole] = [str(v) for v in array[whole].astype(np.int64).tolist()]
    text[~whole] = [_fmt(v) for v in array[~whole].tolist()]
    return text.tolist()
