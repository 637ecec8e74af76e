"""Input drift: divergence of each feature's live distribution from the training distribution."""

from __future__ import annotations

from aigen.detectors.base import Alert, Context, Detector, Metric, num

KL = Metric("model_input_kl_divergence", "gauge", ("model_id", "feature"),
            "KL(current || training) of one input feature over the serving window.")


def _drift(ctx: Context) -> list[Alert]:
    t = ctx.timing
    threshold = ctx.thresholds.drift_kl_divergence

    def kl(window: int) -> str:
        return f"max by (model_id, feature) (avg_over_time({KL.name}{{{ctx.sel}}}[{t.w(window)}]))"

    return [Alert(
        name="AIModelInputDrift", detector="input_drift", incident_type=ctx.incident_type, severity=ctx.severity,
        expr=f"{kl(t.short)} > {num(threshold)}\nand\n{kl(t.long)} > {num(threshold)}", for_seconds=t.for_,
        summary="Model input distribution diverges from the training distribution.",
        description=(f"Model {{{{ $labels.model_id }}}} feature {{{{ $labels.feature }}}} has KL divergence "
                     f"{{{{ $value | printf \"%.3f\" }}}} from its training profile, above {num(threshold)}."),
        threshold=threshold, signal=kl(t.short), signal_unit="none", comparison=">",
        metrics=(KL.name,), windows=(t.short, t.long),
    )]


INPUT_DRIFT = Detector(
    id="input_drift", title="Input drift (KL divergence)",
    doc="Alerts when any feature's KL divergence from the training profile exceeds thresholds.drift_kl_divergence.",
    metrics=(KL,), build=_drift,
    applies=lambda spec: None if spec.features else "the spec declares no features",
)
