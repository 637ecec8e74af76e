"""fairness_shift: a protected group's rate ratio to the reference group moves from its training baseline (the
design's "approval rate for 60+ drops 15% after retraining"). Records and simulations in fairness.py."""

from __future__ import annotations

from aigen.detectors.base import Alert, Context, Detector, Record, num, pct
from aigen.detectors.counts import PREDICTIONS
from aigen.detectors.fairness import (
    baseline_ratio_record,
    fairness_alert,
    has_groups,
    rate_records,
    reference_ratio_record,
    shift_positives,
    simulations,
)
from aigen.escape import promql_string


def _shift(ctx: Context) -> list[Alert | Record]:
    t = ctx.timing
    w = t.w(t.long)
    limit = ctx.thresholds.fairness_baseline_shift
    pos = ctx.spec.model.positive_outcome
    out: list[Alert | Record] = []
    for group in ctx.spec.groups:
        a, ref = group.attribute, group.reference
        out.extend(rate_records(ctx, a, ref, w))
        move = (f"abs(\n  {reference_ratio_record(a, w)}{{{ctx.sel}, {a}!={promql_string(ref)}}}\n"
                f"  / on (model_id, {a})\n"
                f"  {baseline_ratio_record(a)}{{{ctx.sel}}}\n  - 1\n)")
        out.append(fairness_alert(
            ctx, a, "AIModelFairnessShift", f"{move} > {num(limit)}",
            f"A protected group's {pos} rate relative to the reference group moved away from its training baseline.",
            (f"Model {{{{ $labels.model_id }}}}: the {pos} rate ratio of {a}={{{{ $labels.{a} }}}} to {a}={ref} "
             f"moved {{{{ $value | humanizePercentage }}}} from its training baseline over the last {w} (allowed "
             f"{pct(limit)}). A retraining or an upstream change may have shifted outcomes for this group."),
            move, limit, ">", shift_positives(ctx), "percentunit"))
    return out


DETECTOR = Detector(
    id="fairness_shift", title="Fairness shift from the training baseline",
    doc="Alerts when a protected group's rate ratio to the reference group moves more than "
        "fairness_baseline_shift (relative) from its value in the training profile.",
    metrics=(PREDICTIONS,), build=_shift, applies=has_groups, simulate=simulations, needs_profile=True,
)
