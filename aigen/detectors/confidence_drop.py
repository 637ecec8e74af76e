"""confidence_drop: the median of the output-confidence histogram falls, the real-time proxy for output
quality while labels are delayed."""

from __future__ import annotations

from aigen.detectors import guards, sim
from aigen.detectors.base import Alert, Context, Detector, Metric, Series, Simulation, num, two_windows
from aigen.detectors.counts import observations

CONFIDENCE = Metric("model_output_confidence", "histogram", ("model_id", "le"),
                    "Confidence (top-class probability) of each prediction, 0..1; buckets should include 0.5-0.9.")


MEDIAN_MARGIN = 0.1
"""Healthy confidence puts at most 40% of predictions below confidence_median_min (the threshold sits 10 points of
probability below the healthy median): the median guard's margin (guards.quantile)."""


def _confidence(ctx: Context) -> list[Alert]:
    t = ctx.timing
    threshold = ctx.thresholds.confidence_median_min

    def median(window: int) -> str:
        return (f"histogram_quantile(0.5, sum by (model_id, le) "
                f"(rate(model_output_confidence_bucket{{{ctx.sel}}}[{t.w(window)}])))")

    return [two_windows(
        ctx, name="AIModelConfidenceLow", detector="confidence_drop", signal=median, comparison="<",
        threshold=threshold, unit="percentunit", metrics=(CONFIDENCE.name,),
        guard=lambda window: observations(ctx, CONFIDENCE.name, window),
        guard_count=guards.quantile(0.5, ctx.sigmas, MEDIAN_MARGIN),
        summary="Model median confidence dropped: a proxy for degraded output quality before ground truth arrives.",
        description=(f"Model {{{{ $labels.model_id }}}} median output confidence is {{{{ $value | printf \"%.3f\" }}}} "
                     f"over {t.w(t.short)} and {t.w(t.long)}, below {num(threshold)}."),
    )]


def _simulate_confidence(ctx: Context, alert: Alert) -> list[Simulation]:
    threshold = ctx.thresholds.confidence_median_min
    healthy = round(min(0.95, threshold + 0.2), 4)
    failing = round(max(0.05, threshold - 0.15), 4)
    buckets = [round(0.1 * i, 1) for i in range(1, 11)] + [failing, threshold]

    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: sim.Traffic) -> list[Series]:
        return sim.histogram(CONFIDENCE.name, {"model_id": ctx.model_id}, levels, quantile=0.5, lower=0.0,
                             upper_factor=1.0, upper=1.0, buckets=buckets, traffic=traffic)

    return [Simulation(healthy=healthy, failing=failing, noise=0.0, emit=emit)]


DETECTOR = Detector(
    id="confidence_drop", title="Median confidence low",
    doc="Alerts when the median of the output-confidence histogram, over a short and a long window, is below "
        "thresholds.confidence_median_min: the real-time proxy the design asks for while labels are delayed.",
    metrics=(CONFIDENCE,), build=_confidence, simulate=_simulate_confidence,
)
