"""Data-pipeline detectors: invalid outputs as a share of predictions, and telemetry that stops."""

from __future__ import annotations

from aigen.detectors import guards, sim
from aigen.detectors.base import Alert, Context, Detector, Metric, Series, Simulation, pct, two_windows

PREDICTIONS = Metric("model_predictions_total", "counter", ("model_id", "outcome", "<protected attributes>"),
                     "Predictions served, by outcome (positive|negative, or the model's classes) and by one label per "
                     "protected attribute of the spec's groups.")
INVALID = Metric("model_output_invalid_total", "counter", ("model_id",),
                 "Predictions that were null, NaN, out of range or failed output-schema validation.")


def ratio(ctx: Context, numerator: str, window: int) -> str:
    """Share of predictions counted by ``numerator`` over ``window``: a ratio of counters, never 'any event'."""
    w = ctx.timing.w(window)
    return (f"sum by (model_id) (rate({numerator}{{{ctx.sel}}}[{w}]))\n"
            f"/\nsum by (model_id) (rate(model_predictions_total{{{ctx.sel}}}[{w}]))")


def predictions(ctx: Context, window: int) -> str:
    """Predictions served over ``window``: the count a share's guard is judged on (increase() survives resets)."""
    return f"sum by (model_id) (increase({PREDICTIONS.name}{{{ctx.sel}}}[{ctx.timing.w(window)}]))"


def share_alert(ctx: Context, *, numerator: str, threshold: float, **kw) -> Alert:
    """A share of predictions past ``threshold``, judged only once the long window holds enough predictions that a
    healthy base rate (at most half the threshold) stays ``guard_sigmas`` deviations below it (guards.share)."""
    return two_windows(ctx, signal=lambda window: ratio(ctx, numerator, window), comparison=">", threshold=threshold,
                       unit="percentunit", guard=lambda window: predictions(ctx, window),
                       guard_count=guards.share(threshold, ctx.sigmas), **kw)


def _invalid(ctx: Context) -> list[Alert]:
    t = ctx.timing
    threshold = ctx.thresholds.invalid_output_rate
    return [share_alert(
        ctx, name="AIModelInvalidOutputs", detector="invalid_outputs", numerator=INVALID.name, threshold=threshold,
        metrics=(INVALID.name, PREDICTIONS.name),
        summary="Model is producing invalid outputs above the allowed share of predictions.",
        description=(f"Model {{{{ $labels.model_id }}}}: {{{{ $value | humanizePercentage }}}} of predictions over the "
                     f"last {t.w(t.short)} were invalid (null, NaN or out of range); allowed {pct(threshold)}. "
                     f"Check the input pipeline first: invalid outputs usually follow corrupted inputs."),
    )]


def _absent(ctx: Context) -> list[Alert]:
    t = ctx.timing
    window = t.long
    return [Alert(
        name="AIModelTelemetryMissing", detector="telemetry_absent", incident_type=ctx.incident_type,
        severity=ctx.severity, expr=f"absent_over_time(model_predictions_total{{{ctx.sel}}}[{t.w(window)}])",
        for_seconds=t.for_,
        summary="Model stopped reporting predictions: it is not known to be healthy.",
        description=(f"No model_predictions_total series for model {{{{ $labels.model_id }}}} in the last "
                     f"{t.w(window)}. The server, its exporter or the scrape is down, or the model serves no "
                     f"traffic; every other alert of this model is blind until it reports again."),
        threshold=None, signal=f"sum by (model_id) (rate(model_predictions_total{{{ctx.sel}}}[{t.w(t.short)}]))",
        signal_unit="reqps", comparison="absent", metrics=(PREDICTIONS.name,), windows=(window,),
    )]


def share_simulation(ctx: Context, numerator: str, threshold: float) -> Simulation:
    """A share of predictions: healthy at a fifth of the threshold (a real base rate, not zero), failing at 4x."""
    healthy = threshold / 5
    failing = min(1.0, threshold * 4) if threshold > 0 else 0.01

    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: sim.Traffic) -> list[Series]:
        return sim.ratio_counters(sim.labels(numerator, model_id=ctx.model_id),
                                  sim.labels(PREDICTIONS.name, model_id=ctx.model_id), levels, traffic)

    return Simulation(healthy=healthy, failing=failing, noise=0.0, emit=emit)


def _simulate_invalid(ctx: Context, alert: Alert) -> list[Simulation]:
    return [share_simulation(ctx, INVALID.name, ctx.thresholds.invalid_output_rate)]


def _simulate_absent(ctx: Context, alert: Alert) -> list[Simulation]:
    """Level 1: the server reports; level 0: its series vanish (no samples at all)."""

    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: sim.Traffic) -> list[Series]:
        return [Series(sim.labels(PREDICTIONS.name, model_id=ctx.model_id, pod=pod),
                       traffic.counter(i, [n if level >= 0.5 else None for n, level in zip(counts, levels)]))
                for i, (pod, counts) in enumerate(zip(traffic.pods, traffic.counts))]

    return [Simulation(healthy=1.0, failing=0.0, noise=0.0, emit=emit, threshold=0.5, firing_value=1.0,
                       name="telemetry stops")]

INVALID_OUTPUTS = Detector(
    id="invalid_outputs", title="Invalid outputs",
    doc="Alerts when invalid outputs exceed thresholds.invalid_output_rate as a share of predictions over a short and "
        "a long window. A healthy base rate below the threshold never pages (the design's `rate(x) > 0` did).",
    metrics=(INVALID, PREDICTIONS), build=_invalid, simulate=_simulate_invalid,
)
TELEMETRY_ABSENT = Detector(
    id="telemetry_absent", title="Telemetry missing",
    doc="Alerts when the model's prediction counter has no samples for the long window: silence is not health.",
    metrics=(PREDICTIONS,), build=_absent, simulate=_simulate_absent,
)
