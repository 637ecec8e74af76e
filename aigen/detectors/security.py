"""Adversarial inputs and harmful (policy-violating) outputs."""

from __future__ import annotations

import random

from aigen.detectors import sim
from aigen.detectors.base import Alert, Context, Detector, Metric, Series, Simulation, num, pct, two_windows
from aigen.detectors.pipeline import PREDICTIONS, ratio, share_simulation

ANOMALY = Metric("model_input_anomaly_score_high_total", "counter", ("model_id",),
                 "Inputs whose anomaly score (out-of-distribution, unusual encoding, near-boundary probing) is high.")
POLICY = Metric("model_output_policy_violation_total", "counter", ("model_id",),
                "Outputs blocked or flagged by the content/policy filter (toxicity, PII, prohibited content).")


def _adversarial(ctx: Context) -> list[Alert]:
    t = ctx.timing
    threshold = ctx.thresholds.adversarial_input_rate

    def spike(window: int) -> str:
        return f"sum by (model_id) (rate({ANOMALY.name}{{{ctx.sel}}}[{t.w(window)}]))"

    return [two_windows(
        ctx, name="AIModelAdversarialInputSpike", detector="adversarial_inputs", signal=spike, comparison=">",
        threshold=threshold, unit="reqps", metrics=(ANOMALY.name,),
        summary="Model is receiving a spike of anomalous inputs: a possible adversarial attack.",
        description=(f"Model {{{{ $labels.model_id }}}} receives {{{{ $value | printf \"%.1f\" }}}} high-anomaly inputs "
                     f"per second over {t.w(t.short)}, above {num(threshold)}/s."),
    )]


def _policy(ctx: Context) -> list[Alert]:
    t = ctx.timing
    threshold = ctx.thresholds.policy_violation_rate
    return [two_windows(
        ctx, name="AIModelOutputPolicyViolation", detector="policy_violations",
        signal=lambda window: ratio(ctx, POLICY.name, window), comparison=">", threshold=threshold,
        unit="percentunit", metrics=(POLICY.name, PREDICTIONS.name),
        summary="Model outputs violate content policy above the allowed share.",
        description=(f"Model {{{{ $labels.model_id }}}}: {{{{ $value | humanizePercentage }}}} of outputs over "
                     f"{t.w(t.short)} violated policy (toxic, unsafe, PII or prohibited); allowed {pct(threshold)}."),
    )]


def _simulate_adversarial(ctx: Context, alert: Alert) -> list[Simulation]:
    threshold = ctx.thresholds.adversarial_input_rate

    def emit(ctx: Context, alert: Alert, levels: list[float], step: int, rng: random.Random) -> list[Series]:
        return [sim.rate_counter(sim.labels(ANOMALY.name, model_id=ctx.model_id), levels, step)]

    return [Simulation(healthy=threshold / 5, failing=threshold * 3, noise=threshold / 20, emit=emit)]


def _simulate_policy(ctx: Context, alert: Alert) -> list[Simulation]:
    return [share_simulation(ctx, POLICY.name, ctx.thresholds.policy_violation_rate)]

ADVERSARIAL_INPUTS = Detector(
    id="adversarial_inputs", title="Adversarial input spike",
    doc="Alerts when high-anomaly-score inputs per second exceed thresholds.adversarial_input_rate over a short and a "
        "long window.",
    metrics=(ANOMALY,), build=_adversarial, simulate=_simulate_adversarial,
)
POLICY_VIOLATIONS = Detector(
    id="policy_violations", title="Output policy violations",
    doc="Alerts when policy-violating outputs exceed thresholds.policy_violation_rate as a share of predictions.",
    metrics=(POLICY, PREDICTIONS), build=_policy, simulate=_simulate_policy,
)
