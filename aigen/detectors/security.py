"""Adversarial inputs and harmful (policy-violating) outputs."""

from __future__ import annotations

from dataclasses import replace

from aigen.detectors import sim
from aigen.detectors.base import Alert, Context, Detector, Metric, Series, Simulation, num, pct, two_windows
from aigen.detectors.pipeline import PREDICTIONS, share_alert, share_simulation

ANOMALY = Metric("model_input_anomaly_score_high_total", "counter", ("model_id",),
                 "Inputs whose anomaly score (out-of-distribution, unusual encoding, near-boundary probing) is high.")
POLICY = Metric("model_output_policy_violation_total", "counter", ("model_id",),
                "Outputs blocked or flagged by the content/policy filter (toxicity, PII, prohibited content).")


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


def _policy(ctx: Context) -> list[Alert]:
    t = ctx.timing
    threshold = ctx.thresholds.policy_violation_rate
    return [share_alert(
        ctx, name="AIModelOutputPolicyViolation", detector="policy_violations", numerator=POLICY.name,
        threshold=threshold, metrics=(POLICY.name, PREDICTIONS.name),
        summary="Model outputs violate content policy above the allowed share.",
        description=(f"Model {{{{ $labels.model_id }}}}: {{{{ $value | humanizePercentage }}}} of outputs over "
                     f"{t.w(t.short)} violated policy (toxic, unsafe, PII or prohibited); allowed {pct(threshold)}."),
    )]


def _simulate_adversarial(ctx: Context, alert: Alert) -> list[Simulation]:
    return [share_simulation(ctx, ANOMALY.name, ctx.thresholds.adversarial_input_share)]


def _simulate_policy(ctx: Context, alert: Alert) -> list[Simulation]:
    return [share_simulation(ctx, POLICY.name, ctx.thresholds.policy_violation_rate)]

ADVERSARIAL_INPUTS = Detector(
    id="adversarial_inputs", title="Adversarial input spike",
    doc="Alerts when high-anomaly-score inputs exceed thresholds.adversarial_input_share of requests over a short and "
        "a long window (and, when set, thresholds.adversarial_input_rate per second), once the window holds enough "
        "requests to judge.",
    metrics=(ANOMALY,), build=_adversarial, simulate=_simulate_adversarial,
)
POLICY_VIOLATIONS = Detector(
    id="policy_violations", title="Output policy violations",
    doc="Alerts when policy-violating outputs exceed thresholds.policy_violation_rate as a share of predictions, "
        "once the window holds enough predictions to judge.",
    metrics=(POLICY, PREDICTIONS), build=_policy, simulate=_simulate_policy,
)
