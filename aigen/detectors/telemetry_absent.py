"""telemetry_absent: the prediction counter stops reporting; silence is not health."""

from __future__ import annotations

from aigen.detectors import sim
from aigen.detectors.base import Alert, Context, Detector, Series, Simulation
from aigen.detectors.counts import PREDICTIONS


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


def _simulate_absent(ctx: Context, alert: Alert) -> list[Simulation]:
    """Level 1: the server reports; level 0: its series vanish (no samples at all)."""

    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: sim.Traffic) -> list[Series]:
        import numpy as np

        reporting = sim.array(levels) >= 0.5  # the pod's counts while the model reports; missed scrapes after
        return [Series(sim.labels(PREDICTIONS.name, model_id=ctx.model_id, pod=pod),
                       traffic.counter(i, np.where(reporting, counts, np.nan)))
                for i, (pod, counts) in enumerate(zip(traffic.pods, traffic.counts, strict=True))]

    return [Simulation(healthy=1.0, failing=0.0, noise=0.0, emit=emit, threshold=0.5, firing_value=1.0,
                       name="telemetry stops")]


DETECTOR = Detector(
    id="telemetry_absent", title="Telemetry missing",
    doc="Alerts when the model's prediction counter has no samples for the long window: silence is not health.",
    metrics=(PREDICTIONS,), build=_absent, simulate=_simulate_absent,
)
