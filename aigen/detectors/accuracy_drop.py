"""accuracy_drop: live accuracy (against delayed ground truth) below the validated baseline."""

from __future__ import annotations

from aigen.detectors import sim
from aigen.detectors.base import Alert, Context, Detector, Metric, Series, Simulation, pct, two_windows

LIVE_ACCURACY = Metric("model_live_accuracy", "gauge", ("model_id",),
                       "Accuracy of recent predictions against (delayed) ground truth, 0..1.")


def _accuracy(ctx: Context) -> list[Alert]:
    baseline = ctx.spec.baseline.accuracy
    assert baseline is not None
    threshold = baseline * (1 - ctx.thresholds.accuracy_drop)
    t = ctx.timing
    return [two_windows(
        ctx, name="AIModelAccuracyDegraded", detector="accuracy_drop",
        signal=lambda window: f"avg_over_time({LIVE_ACCURACY.name}{{{ctx.sel}}}[{t.w(window)}])", comparison="<",
        threshold=threshold, unit="percentunit", metrics=(LIVE_ACCURACY.name,),
        summary="Model live accuracy is below its validated baseline.",
        description=(f"Model {{{{ $labels.model_id }}}} live accuracy is {{{{ $value | humanizePercentage }}}} over "
                     f"{t.w(t.short)} and {t.w(t.long)}, below {pct(threshold)} (baseline {pct(baseline)} less "
                     f"{pct(ctx.thresholds.accuracy_drop)})."),
    )]


def _simulate_accuracy(ctx: Context, alert: Alert) -> list[Simulation]:
    baseline = ctx.spec.baseline.accuracy or 0.9
    failing = max(0.01, baseline * (1 - 1.5 * ctx.thresholds.accuracy_drop))

    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: sim.Traffic) -> list[Series]:
        return [sim.gauge(sim.labels(LIVE_ACCURACY.name, model_id=ctx.model_id), levels)]

    # accuracy over ~1,000 labelled predictions: binomial standard error sqrt(p(1-p)/n) is about 0.01
    return [Simulation(healthy=baseline, failing=round(failing, 4), noise=0.01, emit=emit)]


DETECTOR = Detector(
    id="accuracy_drop", title="Live accuracy below baseline",
    doc="Alerts when live accuracy, averaged over a short and a long window, is below baseline.accuracy x "
        "(1 - thresholds.accuracy_drop). Needs baseline.accuracy.",
    metrics=(LIVE_ACCURACY,), build=_accuracy, simulate=_simulate_accuracy,
    applies=lambda spec: None if spec.baseline.accuracy is not None else "baseline.accuracy is not set",
)
