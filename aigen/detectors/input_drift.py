"""input_drift: PSI and KL divergence per feature, from the bin counters and the training profile's shares.
The records and simulations it shares with feature_missing are in drift.py."""

from __future__ import annotations

from aigen.detectors import guards
from aigen.detectors.base import Alert, Context, Detector, Record, Simulation, num
from aigen.detectors.drift import (
    DRIFT_FAILING,
    FEATURE_BINS,
    baseline_records,
    divergence,
    divergence_records,
    drift_target,
    guard_rule,
    guarded,
    kl_record,
    level_at,
    proved_feature,
    psi_record,
    shift_emitter,
    shifted_shares,
    smoothed_share_record,
    window_records,
)
from aigen.profile import FeatureProfile


def _drift(ctx: Context) -> list[Alert | Record]:
    assert ctx.profile is not None
    t = ctx.timing
    w = t.w(t.long)
    out: list[Alert | Record] = [*baseline_records(ctx), *window_records(ctx, w), smoothed_share_record(ctx, w),
                                  *divergence_records(ctx, w)]
    for name, record, threshold, what, kl in (
        ("AIModelInputDriftPSI", psi_record(w), ctx.thresholds.drift_psi, "PSI", False),
        ("AIModelInputDriftKL", kl_record(w), ctx.thresholds.drift_kl_divergence, "KL(current || training)", True),
    ):
        counts = [(f.name, guards.divergence([b.share for b in f.bins], threshold, ctx.sigmas, kl))
                  for f in ctx.profile.features]
        guard = "kl" if kl else "psi"
        out.append(guard_rule(ctx, guard, counts))
        signal = f"{record}{{{ctx.sel}}}"
        out.append(Alert(
            name=name, detector="input_drift", incident_type=ctx.incident_type, severity=ctx.severity,
            expr=f"{signal} > {num(threshold)}\n{guarded(ctx, w, guard)}", for_seconds=t.for_,
            summary=f"A model input feature's distribution diverges from the training profile ({what.split('(')[0]}).",
            description=(f"Model {{{{ $labels.model_id }}}} feature {{{{ $labels.feature }}}}: {what} "
                         f"{{{{ $value | printf \"%.3f\" }}}} over the last {w} against the training profile, above "
                         f"{num(threshold)}."),
            threshold=threshold, signal=signal, signal_unit="none", comparison=">",
            metrics=(FEATURE_BINS.name,), windows=(t.long,),
            min_volume=guards.min_volume(max(n for _, n in counts), t.long),
        ))
    return out


def _simulate(ctx: Context, alert: Alert) -> list[Simulation]:
    feature = proved_feature(ctx)
    if ctx.profile is None or feature is None or alert.threshold is None:
        return []
    which = 0 if alert.name.endswith("PSI") else 1
    out = []
    for f in (feature,):
        target = drift_target(f)

        def signal(level: float, f: FeatureProfile = f, target: str = target) -> float:
            return divergence(f, shifted_shares(f, target, level))[which]

        out.append(Simulation(
            healthy=0.0, failing=DRIFT_FAILING, noise=0.0, emit=shift_emitter(ctx.profile, f.name, target),
            exp_labels={"feature": f.name}, ramp=True, threshold=level_at(signal, alert.threshold, 0.0, DRIFT_FAILING),
            firing_value=signal(DRIFT_FAILING), name=f.name))
    return out


DETECTOR = Detector(
    id="input_drift", title="Input drift (PSI and KL per feature)",
    doc="Alerts when a feature's PSI exceeds thresholds.drift_psi or its KL(current || training) exceeds "
        "thresholds.drift_kl_divergence, both computed by recording rules from model_feature_bin_total and the "
        "training profile's baseline shares (empty bins floored at 0.0001).",
    metrics=(FEATURE_BINS,), build=_drift,
    applies=lambda spec: None if spec.features else "the spec declares no features",
    simulate=_simulate, needs_profile=True,
)
