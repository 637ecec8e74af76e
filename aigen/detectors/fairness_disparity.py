"""fairness_disparity: a protected group's positive-outcome rate outside the band around the reference group's
(disparate impact), or below four-fifths of the highest group's (29 CFR 1607.4(D)). Records and simulations in
fairness.py."""

from __future__ import annotations

from aigen.detectors.base import Alert, Context, Detector, Record, num, pct
from aigen.detectors.counts import PREDICTIONS
from aigen.detectors.fairness import (
    band_positives,
    fairness_alert,
    has_groups,
    highest_ratio_record,
    rate_records,
    reference_ratio_record,
    simulations,
)
from aigen.escape import promql_string


def _disparity(ctx: Context) -> list[Alert | Record]:
    t = ctx.timing
    w = t.w(t.long)
    low = ctx.thresholds.fairness_min_ratio
    high = round(1 / low, 6)
    pos = ctx.spec.model.positive_outcome
    out: list[Alert | Record] = []
    for group in ctx.spec.groups:
        a, ref = group.attribute, group.reference
        out.extend(rate_records(ctx, a, ref, w))
        ratio = f"{reference_ratio_record(a, w)}{{{ctx.sel}, {a}!={promql_string(ref)}}}"
        highest = f"{highest_ratio_record(a, w)}{{{ctx.sel}}}"
        out.append(fairness_alert(
            ctx, a, "AIModelFairnessDisparity", f"{ratio} < {num(low)}\nor\n{ratio} > {num(high)}",
            f"A protected group's {pos} rate, relative to the reference group's, is outside the allowed band.",
            (f"Model {{{{ $labels.model_id }}}}: the {pos} rate of {a}={{{{ $labels.{a} }}}} is "
             f"{{{{ $value | printf \"%.2f\" }}}}x that of {a}={ref} over the last {w}, outside "
             f"[{num(low)}, {num(round(high, 4))}] (disparate impact)."),
            ratio, low, "band", band_positives(ctx, a)))
        out.append(fairness_alert(
            ctx, a, "AIModelFairnessFourFifths", f"{highest} < {num(low)}",
            f"A protected group's {pos} rate is below {pct(low)} of the highest group's (four-fifths rule).",
            (f"Model {{{{ $labels.model_id }}}}: the {pos} rate of {a}={{{{ $labels.{a} }}}} is "
             f"{{{{ $value | humanizePercentage }}}} of the highest {a} group's over the last {w}, below {pct(low)} "
             f"(adverse impact under the four-fifths rule)."),
            highest, low, "<", band_positives(ctx, a), "percentunit"))
    return out


DETECTOR = Detector(
    id="fairness_disparity", title="Fairness disparity (band and four-fifths rule)",
    doc="Alerts when a protected group's positive-outcome rate over the reference group's leaves "
        "[fairness_min_ratio, 1/fairness_min_ratio], or is below fairness_min_ratio of the highest group's rate; "
        "a group is judged once its window counted enough positives (guard_sigmas).",
    metrics=(PREDICTIONS,), build=_disparity, applies=has_groups, simulate=simulations,
)
