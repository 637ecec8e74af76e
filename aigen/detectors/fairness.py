"""Fairness: each protected group's positive-outcome rate against the reference group's (disparate impact)."""

from __future__ import annotations

from aigen.detectors.base import Alert, Context, Detector, Record, num
from aigen.detectors.pipeline import PREDICTIONS


def positive_rate_record(attribute: str, window: str) -> str:
    return f"aigen:model_positive_rate_by_{attribute}:ratio_rate{window}"


def _fairness(ctx: Context) -> list[Alert | Record]:
    t = ctx.timing
    w = t.w(t.long)
    low = ctx.thresholds.fairness_min_ratio
    high = 1 / low
    positive = ctx.spec.model.positive_outcome
    out: list[Alert | Record] = []
    for group in ctx.spec.groups:
        a = group.attribute
        record = positive_rate_record(a, w)
        out.append(Record(record, (
            f"sum by (model_id, {a}) (rate(model_predictions_total{{{ctx.sel}, outcome=\"{positive}\"}}[{w}]))\n/\n"
            f"sum by (model_id, {a}) (rate(model_predictions_total{{{ctx.sel}}}[{w}]))")))
        ratio = (f"{record}{{{ctx.sel}, {a}!=\"{group.reference}\"}}\n"
                 f"/ on (model_id) group_left\n{record}{{{ctx.sel}, {a}=\"{group.reference}\"}}")
        volume = (f"sum by (model_id, {a}) (rate(model_predictions_total{{{ctx.sel}}}[{w}])) "
                  f"> {num(ctx.thresholds.fairness_min_volume)}")
        out.append(Alert(
            name="AIModelFairnessDisparity", detector="fairness_disparity", incident_type=ctx.incident_type,
            severity=ctx.severity,
            expr=(f"(\n  (\n{ratio}\n  ) < {num(low)}\n  or\n  (\n{ratio}\n  ) > {num(round(high, 6))}\n)\n"
                  f"and on (model_id, {a})\n({volume})"),
            for_seconds=t.for_,
            summary=f"Model outcome rates differ across {a} groups beyond the allowed band (disparate impact).",
            description=(f"Model {{{{ $labels.model_id }}}}: the {positive} rate of {a}={{{{ $labels.{a} }}}} is "
                         f"{{{{ $value | printf \"%.2f\" }}}}x that of {a}={group.reference}, outside "
                         f"[{num(low)}, {num(round(high, 4))}] (four-fifths rule)."),
            threshold=low, signal=ratio, signal_unit="none", comparison="band",
            extra_labels=(("protected_attribute", a),), metrics=(PREDICTIONS.name,), windows=(t.long,),
        ))
    return out


FAIRNESS_DISPARITY = Detector(
    id="fairness_disparity", title="Fairness disparity",
    doc="Alerts when a protected group's positive-outcome rate, relative to the reference group's, leaves "
        "[fairness_min_ratio, 1/fairness_min_ratio]; groups below fairness_min_volume predictions/s are not judged.",
    metrics=(PREDICTIONS,), build=_fairness,
    applies=lambda spec: None if spec.groups else "the spec declares no protected groups",
)
