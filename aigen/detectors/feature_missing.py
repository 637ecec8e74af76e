"""Null surge: a feature's share of missing values rises above its training share — a renamed or dropped upstream
column (incident AI-INC-2026-0042: merchant_category_code arrived as nulls). Incident type data_pipeline_corruption.

It reads the same per-bin share records as input drift, over its own (shorter, critical-budget) window."""

from __future__ import annotations

from aigen.detectors import guards
from aigen.detectors.base import Alert, Context, Detector, Record, Simulation, num, pct
from aigen.detectors.drift import (
    BASELINE,
    FEATURE_BINS,
    baseline_records,
    guard_rule,
    guarded,
    proved_feature,
    share_record,
    shift_emitter,
    window_records,
)
from aigen.escape import promql_string
from aigen.profile import MISSING, FeatureProfile


def _missing(ctx: Context) -> list[Alert | Record]:
    assert ctx.profile is not None
    t = ctx.timing
    w = t.w(t.long)
    limit = ctx.thresholds.missing_rate_max
    bin_ = f"bin={promql_string(MISSING)}"
    share = f"{share_record(w)}{{{ctx.sel}, {bin_}}}"
    baseline = f"{BASELINE}{{{ctx.sel}, {bin_}}}"
    counts = [(f.name, guards.null_share(_baseline_missing(f), limit, ctx.sigmas)) for f in ctx.profile.features]
    return [
        *baseline_records(ctx), *window_records(ctx, w), guard_rule(ctx, "missing", counts),
        Alert(
            name="AIModelFeatureMissing", detector="feature_missing", incident_type=ctx.incident_type,
            severity=ctx.severity,
            expr=f"{share}\n> on (model_id, feature)\n({baseline} + {num(limit)})\n{guarded(ctx, w, 'missing')}",
            for_seconds=t.for_,
            summary=("An input feature arrives null far more often than in training: "
                     "a broken or renamed upstream column."),
            description=(f"Model {{{{ $labels.model_id }}}} feature {{{{ $labels.feature }}}}: "
                         f"{{{{ $value | humanizePercentage }}}} of requests over the last {w} had it null or "
                         f"unreadable, more than {pct(limit)} above its training share. Check the pipeline's "
                         f"output schema for a renamed or dropped column."),
            threshold=limit, signal=share, signal_unit="percentunit", comparison=">",
            metrics=(FEATURE_BINS.name,), windows=(t.long,),
            min_volume=guards.min_volume(max(n for _, n in counts), t.long),
        ),
    ]


def _baseline_missing(feature: FeatureProfile) -> float:
    return next((b.share for b in feature.bins if b.bin == MISSING), 0.0)


def _simulate(ctx: Context, alert: Alert) -> list[Simulation]:
    """Level = the feature's null share; healthy is its training share, failing 50 points above it."""
    feature = proved_feature(ctx)
    if ctx.profile is None or feature is None:
        return []
    out = []
    for f in (feature,):
        base = _baseline_missing(f)
        moved = (lambda level, base=base: (level - base) / (1 - base)) if base < 1 else (lambda level: 0.0)
        out.append(Simulation(
            healthy=base, failing=min(1.0, base + 0.5), noise=0.0,
            emit=shift_emitter(ctx.profile, f.name, MISSING, moved), exp_labels={"feature": f.name}, ramp=True,
            threshold=base + ctx.thresholds.missing_rate_max, name=f.name))
    return out


DETECTOR = Detector(
    id="feature_missing", title="Feature null surge",
    doc="Alerts when a feature's share of null or unreadable values (bin __missing__ of model_feature_bin_total) "
        "exceeds its training share by more than thresholds.missing_rate_max: a renamed upstream column.",
    metrics=(FEATURE_BINS,), build=_missing,
    applies=lambda spec: None if spec.features else "the spec declares no features",
    simulate=_simulate, needs_profile=True,
)
