"""adversarial_inputs: inputs with a high anomaly score as a share of requests, with an optional absolute floor."""

from __future__ import annotations

from dataclasses import replace

from aigen.detectors.base import Alert, Context, Detector, Metric, Simulation, num, pct
from aigen.detectors.counts import PREDICTIONS, share_alert, share_simulation

ANOMALY = Metric("model_input_anomaly_score_high_total", "counter", ("model_id",),
                 "Inputs whose anomaly score (out-of-distribution, unusual encoding, near-boundary probing) is high.")


def _adversarial(ctx: Context) -> list[Alert]:
    """A share of requests, not a rate: 1% anomalous inputs is healthy at 1,000/s as at 1/s. The optional absolute
    floor (adversarial_input_rate, per second) keeps a handful of odd inputs on a quiet model from paging."""
    t = ctx.timing
    threshold = ctx.thresholds.adversarial_input_share
    floor = ctx.thresholds.adversarial_input_rate
    alert = share_alert(
        ctx, name="AIModelAdversarialInputSpike", detector="adversarial_inputs", numerator=ANOMALY.name,
        threshold=threshold, metrics=(ANOMALY.name, PREDICTIONS.name),
        summary="Model is receiving a spike of anomalous inputs: a possible adversarial attack.",
        description=(f"Model {{{{ $labels.model_id }}}}: {{{{ $value | humanizePercentage }}}} of requests over "
                     f"{t.w(t.short)} had a high anomaly score, above {pct(threshold)}"
                     + (f" (and at least {num(floor)}/s)." if floor else ".")),
    )
    if floor is None:
        return [alert]
    rate = f"sum by (model_id) (rate({ANOMALY.name}{{{ctx.sel}}}[{t.w(t.short)}]))"
    return [replace(alert, expr=f"{alert.expr}\nand on (model_id)\n{rate} > {num(floor)}")]


def _simulate_adversarial(ctx: Context, alert: Alert) -> list[Simulation]:
    return [share_simulation(ctx, ANOMALY.name, ctx.thresholds.adversarial_input_share)]


DETECTOR = Detector(
    id="adversarial_inputs", title="Adversarial input spike",
    doc="Alerts when high-anomaly-score inputs exceed thresholds.adversarial_input_share of requests over a short and "
        "a long window (and, when set, thresholds.adversarial_input_rate per second), once the window holds enough "
        "requests to judge.",
    metrics=(ANOMALY,), build=_adversarial, simulate=_simulate_adversarial,
)
