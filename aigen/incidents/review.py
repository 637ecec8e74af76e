"""The post-incident review (the design's template), drafted from a record.

What the record lets aigen measure is filled in under ``measured`` — detection delay against the severity's
detection budget, time to acknowledge and to containment against its response time, the alert that fired, the
prediction count, the Article 73 decision. Every ``answer`` is left empty: those are the questions only the people
in the review can answer. The review is mandatory for the severities that page (high and critical).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aigen.durations import format_duration
from aigen.incidents.schema import Policy
from aigen.plan import ModelPlan
from aigen.taxonomy import Taxonomy

_CONTAINMENT = re.compile(r"roll(?:ed|ing)?[ -]?back|kill[ -]?switch|fallback|human[- ]in[- ]the[- ]loop|"
                          r"contain|disabled|stopped serving", re.IGNORECASE)

QUESTIONS: dict[str, list[str]] = {
    "impact_assessment": [
        "How many predictions were affected during the incident window?",
        "Were any predictions used to make decisions that harmed users?",
        "Is there regulatory reporting required (EU AI Act Article 73 — Article 62 in the 2021 draft — sector "
        "regulators)?",
        "Do affected users need to be notified?",
    ],
    "ai_specific_root_cause": [
        "Was the root cause in the model, the data, the serving infrastructure, or the interaction between them?",
        "Did the model behave as designed given the inputs it received, or did the model itself malfunction?",
        "Was the failure mode documented in the model card? If not, should it be?",
        "Could this failure mode have been caught by the bias/fairness testing pipeline?",
    ],
    "detection_effectiveness": [
        "How long was the model producing incorrect outputs before detection?",
        "What monitoring signal triggered the alert? Was it the right signal?",
        "Were there earlier signals that were missed? What additional monitoring would have caught this sooner?",
        "Is the current detection threshold appropriate, or does it need tuning?",
    ],
    "response_effectiveness": [
        "Did the runbook cover this incident type?",
        "Was the rollback/containment procedure effective?",
        "Was the right team paged? Did they have the context and access needed?",
        "What was the time from detection to containment? Can it be shortened?",
    ],
    "prevention": [
        "What changes to the data pipeline, model, or serving infrastructure would prevent recurrence?",
        "Should the model card be updated with this failure mode?",
        "Should the bias/safety testing pipeline be updated to cover this case?",
        "Are similar models at risk of the same failure?",
    ],
}


def _at(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _minutes(start: datetime | None, end: datetime | None) -> int | None:
    return None if start is None or end is None else round((end - start).total_seconds() / 60)


@dataclass(frozen=True)
class Moment:
    at: datetime
    event: str


def _entries(record: dict[str, Any]) -> list[tuple[Moment, str]]:
    out = []
    for entry in record.get("timeline") or []:
        at = _at(entry.get("time"))
        if at is not None:
            out.append((Moment(at, str(entry.get("event", ""))), str(entry.get("kind", ""))))
    return out


def onset(record: dict[str, Any], detected: datetime) -> Moment | None:
    """When things started going wrong: an entry of kind onset, else the first entry before detection."""
    entries = _entries(record)
    marked = [m for m, kind in entries if kind == "onset"]
    before = [m for m, _ in entries if m.at < detected]
    return next(iter(marked or before), None)


def containment(record: dict[str, Any], detected: datetime) -> Moment | None:
    """The first containment at or after detection: kind containment, else wording (rolled back, kill switch...)."""
    entries = [(m, kind) for m, kind in _entries(record) if m.at >= detected]
    marked = [m for m, kind in entries if kind == "containment"]
    worded = [m for m, kind in entries if kind in ("", "mitigation") and _CONTAINMENT.search(m.event)]
    return next(iter(marked or worded), None)


def _fmt(moment: Moment | None) -> str:
    return "" if moment is None else f"{moment.at.isoformat().replace('+00:00', 'Z')} ({moment.event})"


def measurements(record: dict[str, Any], taxonomy: Taxonomy) -> dict[str, Any]:
    """Delays measured from the record, each next to the budget the taxonomy sets for its severity."""
    detected = _at(record.get("detected_at"))
    level = taxonomy.severity_levels.get(str(record.get("severity")))
    if detected is None or level is None:
        return {}
    start, contained = onset(record, detected), containment(record, detected)
    delay = _minutes(start.at if start else None, detected)
    to_ack = _minutes(detected, _at(record.get("acknowledged_at")))
    to_contain = _minutes(detected, contained.at if contained else None)
    budget, response = level.detection_budget // 60, level.response_seconds // 60
    facts: dict[str, Any] = {
        "onset": _fmt(start) or "unknown: no timeline entry before detection (add one with kind: onset)",
        "detection_delay_minutes": delay,
        "detection_budget": format_duration(level.detection_budget),
        "detected_within_budget": None if delay is None else delay <= budget,
        "time_to_acknowledge_minutes": to_ack,
        "response_time": level.response_time,
        "acknowledged_within_response_time": None if to_ack is None else to_ack <= response,
        "containment": _fmt(contained) or "unknown: no containment entry after detection (add one with kind: "
                                          "containment)",
        "time_to_containment_minutes": to_contain,
        "duration_minutes": record.get("duration_minutes"),
    }
    return facts


def _measured(record: dict[str, Any], facts: dict[str, Any], plan: ModelPlan | None) -> dict[tuple[str, int], str]:
    """Pre-filled observations keyed by (section, question index)."""
    impact = record.get("impact") or {}
    reg = record.get("regulatory_assessment")
    out: dict[tuple[str, int], str] = {}
    if "affected_predictions" in impact:
        out[("impact_assessment", 0)] = f"{impact['affected_predictions']} predictions (impact.affected_predictions)"
    out[("impact_assessment", 2)] = (
        f"Article 73: serious incident {reg.get('serious_incident')}, decision {reg.get('decision')}, report due "
        f"{reg.get('reporting_deadline')} (Art. {reg.get('deadline_rule')})" if isinstance(reg, dict)
        else "no Article 73 assessment on record (required for critical incidents; "
             f"this one is {record.get('severity')})")
    cause = record.get("root_cause")
    if isinstance(cause, dict):
        out[("ai_specific_root_cause", 0)] = (
            f"recorded root cause: {cause.get('category')} — {cause.get('description')}")
    if facts:
        within = {True: "within", False: "outside", None: "not measurable against"}
        out[("detection_effectiveness", 0)] = (
            f"{facts['detection_delay_minutes']} minutes from onset {facts['onset']} to detection "
            f"({within[facts['detected_within_budget']]} the {facts['detection_budget']} detection budget)"
            if facts["detection_delay_minutes"] is not None else facts["onset"])
        out[("response_effectiveness", 3)] = (
            f"{facts['time_to_containment_minutes']} minutes: containment {facts['containment']}"
            if facts["time_to_containment_minutes"] is not None else facts["containment"])
    out[("detection_effectiveness", 1)] = f"{record.get('detected_by')} fired at {record.get('detected_at')}"
    if record.get("runbook_url"):
        out[("response_effectiveness", 0)] = f"runbook: {record['runbook_url']}"
    if plan is not None:
        out[("response_effectiveness", 2)] = (f"paged receiver {plan.spec.model.oncall} (owner "
                                              f"{plan.spec.model.owner}); acknowledged after "
                                              f"{facts.get('time_to_acknowledge_minutes')} minutes")
    return out


def build_review(record: dict[str, Any], taxonomy: Taxonomy, plan: ModelPlan | None, source: str) -> dict[str, Any]:
    """The review document: the design's template, facts measured, human answers open."""
    facts = measurements(record, taxonomy)
    measured = _measured(record, facts, plan)
    sections = {
        name: {"questions": [{"question": q, **({"measured": measured[(name, i)]} if (name, i) in measured else {}),
                              "answer": ""} for i, q in enumerate(questions)]}
        for name, questions in QUESTIONS.items()
    }
    mandatory = record.get("severity") in Policy.of(taxonomy).review_levels
    return {"review": {
        "incident_id": record.get("incident_id"),
        "record": source,
        "mandatory": mandatory,
        "review_date": "",
        "participants": [],
        "incident": {k: record.get(k) for k in ("incident_type", "severity", "status", "model_id", "model_version",
                                                 "detected_by", "detected_at", "resolved_at") if k in record},
        "measured": facts,
        "corrective_actions": record.get("corrective_actions") or [],
        "sections": sections,
    }}
