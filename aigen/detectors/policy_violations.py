"""policy_violations: harmful (policy-violating) outputs as a share of predictions."""

from __future__ import annotations

from aigen.detectors.base import Alert, Context, Detector, Metric, Simulation, pct
from aigen.detectors.counts import PREDICTIONS, share_alert, share_simulation

POLICY = Metric("model_output_policy_violation_total", "counter", ("model_id",),
                "Outputs blocked or flagged by the content/policy filter (toxicity, PII, prohibited content).")


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


def _simulate_policy(ctx: Context, alert: Alert) -> list[Simulation]:
    return [share_simulation(ctx, POLICY.name, ctx.thresholds.policy_violation_rate)]


DETECTOR = Detector(
    id="policy_violations", title="Output policy violations",
    doc="Alerts when policy-violating outputs exceed thresholds.policy_violation_rate as a share of predictions, "
        "once the window holds enough predictions to judge.",
    metrics=(POLICY, PREDICTIONS), build=_policy, simulate=_simulate_policy,
)
