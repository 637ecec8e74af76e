"""Output-quality detectors: live accuracy against the validated baseline, and the confidence distribution."""

from __future__ import annotations

from aigen.detectors import guards, sim
from aigen.detectors.base import Alert, Context, Detector, Metric, Series, Simulation, num, pct, two_windows

LIVE_ACCURACY = Metric("model_live_accuracy", "gauge", ("model_id",),
                       "Accuracy of recent predictions against (delayed) ground truth, 0..1.")
CONFIDENCE = Metric("model_output_confidence", "histogram", ("model_id", "le"),
                    "Confidence (top-class probability) of each prediction, 0..1; buckets should include 0.5-0.9.")


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


MEDIAN_MARGIN = 0.1
"""Healthy confidence puts at most 40% of predictions below confidence_median_min (the threshold sits 10 points of
probability below the healthy median): the median guard's margin (guards.quantile)."""


def observations(ctx: Context, histogram: str, window: int) -> str:
    """Observations a histogram counted over ``window`` (its +Inf bucket): what a quantile's guard is judged on."""
    return f'sum by (model_id) (increase({histogram}_bucket{{{ctx.sel}, le="+Inf"}}[{ctx.timing.w(window)}]))'


def _confidence(ctx: Context) -> list[Alert]:
    t = ctx.timing
    threshold = ctx.thresholds.confidence_median_min

    def median(window: int) -> str:
        return (f"histogram_quantile(0.5, sum by (model_id, le) "
                f"(rate(model_output_confidence_bucket{{{ctx.sel}}}[{t.w(window)}])))")

    return [two_windows(
        ctx, name="AIModelConfidenceLow", detector="confidence_drop", signal=median, comparison="<",
        threshold=threshold, unit="percentunit", metrics=(CONFIDENCE.name,),
        guard=lambda window: observations(ctx, CONFIDENCE.name, window), guard_count=guards.quantile(0.5, ctx.sigmas, MEDIAN_MARGIN),
        summary="Model median confidence dropped: a proxy for degraded output quality before ground truth arrives.",
        description=(f"Model {{{{ $labels.model_id }}}} median output confidence is {{{{ $value | printf \"%.3f\" }}}} "
                     f"over {t.w(t.short)} and {t.w(t.long)}, below {num(threshold)}."),
    )]


def _simulate_accuracy(ctx: Context, alert: Alert) -> list[Simulation]:
    baseline = ctx.spec.baseline.accuracy or 0.9
    failing = max(0.01, baseline * (1 - 1.5 * ctx.thresholds.accuracy_drop))

    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: sim.Traffic) -> list[Series]:
        return [sim.gauge(sim.labels(LIVE_ACCURACY.name, model_id=ctx.model_id), levels)]

    # accuracy over ~1,000 labelled predictions: binomial standard error sqrt(p(1-p)/n) is about 0.01
    return [Simulation(healthy=baseline, failing=round(failing, 4), noise=0.01, emit=emit)]


def _simulate_confidence(ctx: Context, alert: Alert) -> list[Simulation]:
    threshold = ctx.thresholds.confidence_median_min
    healthy = round(min(0.95, threshold + 0.2), 4)
    failing = round(max(0.05, threshold - 0.15), 4)
    buckets = [round(0.1 * i, 1) for i in range(1, 11)] + [failing, threshold]

    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: sim.Traffic) -> list[Series]:
        return sim.histogram(CONFIDENCE.name, {"model_id": ctx.model_id}, levels, quantile=0.5, lower=0.0,
                             upper_factor=1.0, upper=1.0, buckets=buckets, traffic=traffic)

    return [Simulation(healthy=healthy, failing=failing, noise=0.0, emit=emit)]


ACCURACY_DROP = Detector(
    id="accuracy_drop", title="Live accuracy below baseline",
    doc="Alerts when live accuracy, averaged over a short and a long window, is below baseline.accuracy x "
        "(1 - thresholds.accuracy_drop). Needs baseline.accuracy.",
    metrics=(LIVE_ACCURACY,), build=_accuracy, simulate=_simulate_accuracy,
    applies=lambda spec: None if spec.baseline.accuracy is not None else "baseline.accuracy is not set",
)
CONFIDENCE_DROP = Detector(
    id="confidence_drop", title="Median confidence low",
    doc="Alerts when the median of the output-confidence histogram, over a short and a long window, is below "
        "thresholds.confidence_median_min: the real-time proxy the design asks for while labels are delayed.",
    metrics=(CONFIDENCE,), build=_confidence, simulate=_simulate_confidence,
)
