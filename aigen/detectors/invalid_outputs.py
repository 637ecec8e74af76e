"""invalid_outputs: invalid outputs (null, NaN, out of range) as a share of predictions."""

from __future__ import annotations

from aigen.detectors.base import Alert, Context, Detector, Metric, Simulation, pct
from aigen.detectors.counts import PREDICTIONS, share_alert, share_simulation

INVALID = Metric("model_output_invalid_total", "counter", ("model_id",),
                 "Predictions that were null, NaN, out of range or failed output-schema validation.")


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


def _simulate_invalid(ctx: Context, alert: Alert) -> list[Simulation]:
    return [share_simulation(ctx, INVALID.name, ctx.thresholds.invalid_output_rate)]


DETECTOR = Detector(
    id="invalid_outputs", title="Invalid outputs",
    doc="Alerts when invalid outputs exceed thresholds.invalid_output_rate as a share of predictions over a short and "
        "a long window. A healthy base rate below the threshold never pages (the design's `rate(x) > 0` did).",
    metrics=(INVALID, PREDICTIONS), build=_invalid, simulate=_simulate_invalid,
)
