"""Resource exhaustion: tail latency of inference and memory working set against the container limit."""

from __future__ import annotations

from aigen.detectors import guards, sim
from aigen.detectors.performance import observations
from aigen.detectors.base import Alert, Context, Detector, Metric, Series, Simulation, num, pct, two_windows

LATENCY = Metric("model_inference_duration_seconds", "histogram", ("model_id", "le"),
                 "Wall time of one inference, in seconds.")
WORKING_SET = Metric("container_memory_working_set_bytes", "gauge", ("namespace", "pod", "container"),
                     "Memory working set of the model-server container.", source="cAdvisor (kubelet)")
LIMITS = Metric("kube_pod_container_resource_limits", "gauge", ("namespace", "pod", "container", "resource"),
                "Memory limit of the model-server container (resource=\"memory\").", source="kube-state-metrics")


P99_MARGIN = 0.005
"""Healthy latency puts at most 0.5% of inferences above latency_p99_seconds (half the p99's tail): the p99
guard's margin (guards.quantile)."""


def _latency(ctx: Context) -> list[Alert]:
    t = ctx.timing
    threshold = ctx.thresholds.latency_p99_seconds

    def p99(window: int) -> str:
        return (f"histogram_quantile(0.99, sum by (model_id, le) "
                f"(rate({LATENCY.name}_bucket{{{ctx.sel}}}[{t.w(window)}])))")

    return [two_windows(
        ctx, name="AIModelLatencyHigh", detector="latency_p99", signal=p99, comparison=">", threshold=threshold,
        unit="s", metrics=(LATENCY.name,),
        guard=lambda window: observations(ctx, LATENCY.name, window), guard_count=guards.quantile(0.99, ctx.sigmas, P99_MARGIN),
        summary="Model inference p99 latency is above its limit.",
        description=(f"Model {{{{ $labels.model_id }}}} p99 inference latency is {{{{ $value | printf \"%.3f\" }}}}s "
                     f"over {t.w(t.short)} and {t.w(t.long)}, above {num(threshold)}s."),
    )]


def _memory(ctx: Context) -> list[Alert]:
    t = ctx.timing
    threshold = ctx.thresholds.memory_utilisation
    serving = ctx.spec.serving
    sel = f'namespace="{serving.namespace}", container="{serving.container or serving.deployment}"'
    signal = (f"max by (namespace) (\n  max by (namespace, pod, container) ({WORKING_SET.name}{{{sel}}})\n"
              f"  / on (namespace, pod, container)\n"
              f"  max by (namespace, pod, container) ({LIMITS.name}{{{sel}, resource=\"memory\"}})\n)")
    return [Alert(
        name="AIModelMemoryHigh", detector="memory_utilisation", incident_type=ctx.incident_type,
        severity=ctx.severity, expr=f"{signal} > {num(threshold)}", for_seconds=max(t.for_, t.short),
        summary="Model server memory is close to its limit: the next large input may be OOM-killed.",
        description=(f"Model {ctx.model_id} ({serving.namespace}/{serving.deployment}) uses "
                     f"{{{{ $value | humanizePercentage }}}} of its memory limit, above {pct(threshold)}."),
        threshold=threshold, signal=signal, signal_unit="percentunit", comparison=">",
        metrics=(WORKING_SET.name, LIMITS.name), windows=(),
    )]


def _simulate_latency(ctx: Context, alert: Alert) -> list[Simulation]:
    threshold = ctx.thresholds.latency_p99_seconds
    failing = round(threshold * 2, 6)
    buckets = [round(threshold * f, 6) for f in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.5, 2, 3, 5)]

    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: sim.Traffic) -> list[Series]:
        return sim.histogram(LATENCY.name, {"model_id": ctx.model_id}, levels, quantile=0.99, lower=0.0,
                             upper_factor=1.5, buckets=buckets, traffic=traffic)

    return [Simulation(healthy=threshold / 2.5, failing=failing, noise=0.0, emit=emit, ramp=True)]


MEMORY_LIMIT = 4 * 1024**3


def _simulate_memory(ctx: Context, alert: Alert) -> list[Simulation]:
    threshold = ctx.thresholds.memory_utilisation
    serving = ctx.spec.serving
    where = {"namespace": serving.namespace, "pod": f"{serving.deployment}-5d8f7c9b6-x2k4q",
             "container": serving.container or serving.deployment}

    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: sim.Traffic) -> list[Series]:
        return [sim.gauge(sim.labels(WORKING_SET.name, **where), [level * MEMORY_LIMIT for level in levels]),
                sim.gauge(sim.labels(LIMITS.name, **where, resource="memory", unit="byte"),
                          [float(MEMORY_LIMIT)] * len(levels))]

    return [Simulation(healthy=round(threshold - 0.2, 4), failing=round(min(0.99, threshold + 0.05), 4), noise=0.02,
                       emit=emit, exp_labels={"namespace": serving.namespace})]

LATENCY_P99 = Detector(
    id="latency_p99", title="Inference latency p99",
    doc="Alerts when the 99th percentile of inference latency exceeds thresholds.latency_p99_seconds over a short and "
        "a long window.",
    metrics=(LATENCY,), build=_latency, simulate=_simulate_latency,
)
MEMORY_UTILISATION = Detector(
    id="memory_utilisation", title="Memory near limit",
    doc="Alerts when the model server's working set exceeds thresholds.memory_utilisation of its memory limit "
        "(cAdvisor and kube-state-metrics series; no model_id label there, so the alert adds it).",
    metrics=(WORKING_SET, LIMITS), build=_memory, simulate=_simulate_memory,
)
