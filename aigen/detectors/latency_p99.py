"""latency_p99: tail latency of inference above its limit."""

from __future__ import annotations

from aigen.detectors import guards, sim
from aigen.detectors.base import Alert, Context, Detector, Metric, Series, Simulation, num, two_windows
from aigen.detectors.counts import observations

LATENCY = Metric("model_inference_duration_seconds", "histogram", ("model_id", "le"),
                 "Wall time of one inference, in seconds.")


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
        guard=lambda window: observations(ctx, LATENCY.name, window),
        guard_count=guards.quantile(0.99, ctx.sigmas, P99_MARGIN),
        summary="Model inference p99 latency is above its limit.",
        description=(f"Model {{{{ $labels.model_id }}}} p99 inference latency is {{{{ $value | printf \"%.3f\" }}}}s "
                     f"over {t.w(t.short)} and {t.w(t.long)}, above {num(threshold)}s."),
    )]


def _simulate_latency(ctx: Context, alert: Alert) -> list[Simulation]:
    threshold = ctx.thresholds.latency_p99_seconds
    failing = round(threshold * 2, 6)
    buckets = [round(threshold * f, 6) for f in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.5, 2, 3, 5)]

    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: sim.Traffic) -> list[Series]:
        return sim.histogram(LATENCY.name, {"model_id": ctx.model_id}, levels, quantile=0.99, lower=0.0,
                             upper_factor=1.5, buckets=buckets, traffic=traffic)

    return [Simulation(healthy=threshold / 2.5, failing=failing, noise=0.0, emit=emit, ramp=True)]


DETECTOR = Detector(
    id="latency_p99", title="Inference latency p99",
    doc="Alerts when the 99th percentile of inference latency exceeds thresholds.latency_p99_seconds over a short and "
        "a long window.",
    metrics=(LATENCY,), build=_latency, simulate=_simulate_latency,
)
