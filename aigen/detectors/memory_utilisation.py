"""memory_utilisation: the model server's memory working set near its container limit."""

from __future__ import annotations

from aigen.detectors import sim
from aigen.detectors.base import Alert, Context, Detector, Metric, Series, Simulation, num, pct

WORKING_SET = Metric("container_memory_working_set_bytes", "gauge", ("namespace", "pod", "container"),
                     "Memory working set of the model-server container.", source="cAdvisor (kubelet)")


LIMITS = Metric("kube_pod_container_resource_limits", "gauge", ("namespace", "pod", "container", "resource"),
                "Memory limit of the model-server container (resource=\"memory\").", source="kube-state-metrics")


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


DETECTOR = Detector(
    id="memory_utilisation", title="Memory near limit",
    doc="Alerts when the model server's working set exceeds thresholds.memory_utilisation of its memory limit "
        "(cAdvisor and kube-state-metrics series; no model_id label there, so the alert adds it).",
    metrics=(WORKING_SET, LIMITS), build=_memory, simulate=_simulate_memory,
)
