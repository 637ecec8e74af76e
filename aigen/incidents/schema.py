"""The incident record's JSON Schema (2020-12), built from the taxonomy and the model specs.

Enums come from the project, not from code: incident types and severities from the taxonomy, model ids from the
specs. A model version is any string: a record keeps the version that was serving (read from the server), and
history must stay valid after the spec moves on; `incident validate --strict` compares it with the spec's versions.
Three conditional rules carry the design's policy:

- a resolved incident has ``resolved_at``, a ``root_cause`` and at least one corrective action ("humans fill in
  root cause and corrective actions post-resolution");
- a resolved incident of a severity that pages (high and critical in the shipped taxonomy) links its post-incident
  review ("make post-incident review mandatory for all high and critical AI incidents");
- an incident of the top severity carries an EU AI Act Article 73 assessment ("regulatory reporting obligations are
  assessed for every critical AI incident"); once resolved, its decision is no longer pending.

Each conditional subschema has a ``description``: the validator appends it to the error, so a missing field is
reported with the reason it is required.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aigen.incidents import regulatory
from aigen.spec import ModelSpec
from aigen.taxonomy import Taxonomy

SCHEMA_ID = "https://aigen.dev/schemas/incident-record.schema.json"
INCIDENT_ID = r"^AI-INC-[0-9]{4}-[0-9]{4}$"
RECORD_ID_FORMAT = "AI-INC-{year:04d}-{number:04d}"
DATE_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
STATUSES = ("open", "acknowledged", "contained", "resolved")
ACTION_STATUSES = ("open", "in_progress", "completed", "cancelled")
DONE_ACTION_STATUSES = ("completed", "cancelled")
# Root causes outside the model's own failure modes: the review question "was it the model, the data, the serving
# infrastructure, or the interaction between them?" needs somewhere to put the infrastructure answers.
INFRA_CAUSES = ("serving_infrastructure", "deployment_change", "configuration_error", "upstream_dependency")
LOCI = ("model", "data", "serving_infrastructure", "interaction")
TIMELINE_KINDS = ("onset", "alert", "acknowledged", "containment", "mitigation", "resolution", "note")


@dataclass(frozen=True)
class Policy:
    """Which severities need what, read from the taxonomy rather than named in code."""

    review_levels: tuple[str, ...]
    regulatory_levels: tuple[str, ...]

    @classmethod
    def of(cls, taxonomy: Taxonomy) -> Policy:
        paging = tuple(name for name, lvl in taxonomy.severity_levels.items() if "page_on_call" in lvl.actions)
        top = next(iter(taxonomy.severity_levels))
        return cls(review_levels=paging or (top,), regulatory_levels=(top,))


def _time(description: str) -> dict[str, Any]:
    return {"type": "string", "format": "date-time", "pattern": DATE_TIME, "description": description}


def _text(description: str = "", min_length: int = 1) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", "minLength": min_length}
    if description:
        out["description"] = description
    return out


def _object(properties: dict[str, Any], required: Iterable[str] = (), extra: bool = False,
            description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": extra}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def _impact() -> dict[str, Any]:
    return _object({
        "affected_predictions": {"type": "integer", "minimum": 0, "description": "Predictions served during the "
                                 "incident window (increase(model_predictions_total) from onset, else detection, to "
                                 "resolution)."},
        "false_positive_increase": _text(),
        "user_impact": _text(),
        "financial_impact_estimate": _text(),
        "failing_predictions": {"type": "integer", "minimum": 0, "description": "Predictions the detector knows "
                                "were affected (e.g. requests with the missing feature), from onset to resolution."},
        "affected_groups": {"type": "array", "items": _text(), "description": "Protected groups affected."},
        "users_notified": {"type": "boolean"},
    }, extra=True, description="What the incident did; further keys are allowed.")


def _root_cause(taxonomy: Taxonomy) -> dict[str, Any]:
    return _object({
        "category": {"enum": [*taxonomy.incident_types, *INFRA_CAUSES],
                     "description": "An incident type of the taxonomy, or an infrastructure cause."},
        "locus": {"enum": list(LOCI), "description": "Model, data, serving infrastructure, or their interaction."},
        "description": _text(),
        "contributing_factors": {"type": "array", "items": _text()},
        "documented_in_model_card": {"type": "boolean"},
    }, required=("category", "description"))


def _timeline() -> dict[str, Any]:
    entry = _object({
        "time": _time("When it happened (RFC 3339)."),
        "event": _text(),
        "kind": {"enum": list(TIMELINE_KINDS), "description": "Lets the review measure detection delay and time "
                 "to containment without guessing from the wording."},
        "source": _text("Where the entry came from (alertmanager, a person)."),
        "fingerprint": _text("Alertmanager fingerprint of the alert."),
    }, required=("time", "event"))
    return {"type": "array", "minItems": 1, "items": entry}


def _actions() -> dict[str, Any]:
    action = _object({
        "action": _text(),
        "owner": _text(),
        "due_date": {"type": "string", "format": "date", "pattern": DATE},
        "status": {"enum": list(ACTION_STATUSES)},
        "tracking": _text("Ticket or pull request."),
        "completed_at": {"type": "string", "format": "date", "pattern": DATE},
    }, required=("action", "owner", "due_date", "status"))
    return {"type": "array", "items": action}


def _regulatory() -> dict[str, Any]:
    criteria = {"type": "array", "uniqueItems": True, "items": {"enum": list(regulatory.CRITERIA)}}
    body = _object({
        "framework": {"const": regulatory.FRAMEWORK},
        "serious_incident": {"type": ["boolean", "null"], "description": "A serious incident under Art. 3(49)? "
                             "null while not yet assessed."},
        "criteria": {**criteria, "description": "Which points of Art. 3(49) apply."},
        "widespread_infringement": {"type": "boolean", "description": "Art. 3(61); shortens the deadline to 2 days."},
        "decision": {"enum": list(regulatory.DECISIONS)},
        "rationale": _text(),
        "aware_at": _time("When the provider became aware (defaults to detected_at); the deadline runs from it."),
        "reporting_deadline": _time("Latest time to report to the market surveillance authority."),
        "deadline_rule": {"enum": list(regulatory.RULES), "description": "73(2) 15 days, 73(3) 2 days, 73(4) 10 days."},
        "reported_at": _time("When the report was submitted."),
        "report_reference": _text(),
        "assessed_by": _text(),
    }, required=("framework", "serious_incident", "decision", "reporting_deadline", "deadline_rule"),
        description="EU AI Act Article 73 (Article 62 in the 2021 draft) serious-incident assessment.")
    body["allOf"] = [
        {"description": "A serious incident names the Art. 3(49) points that apply and is reported (or pending).",
         "if": {"properties": {"serious_incident": {"const": True}}, "required": ["serious_incident"]},
         "then": {"properties": {"criteria": {"minItems": 1}, "decision": {"enum": ["pending", "report"]}},
                  "required": ["criteria"]}},
        {"description": "An incident judged not serious is not reported, and the rationale is recorded.",
         "if": {"properties": {"serious_incident": {"const": False}}, "required": ["serious_incident"]},
         "then": {"properties": {"decision": {"const": "no_report"}}, "required": ["rationale"]}},
    ]
    return body


def known_versions(specs: list[ModelSpec]) -> dict[str, list[str]]:
    """Per model, the versions its spec names (current, previous, known-good): informative, not a gate."""
    out = {}
    for spec in specs:
        v = spec.model.versions
        out[spec.model.id] = list(dict.fromkeys(x for x in (v.current, v.previous, v.known_good) if x))
    return out


def _model_ids(specs: list[ModelSpec]) -> dict[str, Any]:
    ids = sorted({s.model.id for s in specs})
    return {"enum": ids} if ids else {"type": "string"}


def _source() -> dict[str, Any]:
    alert = _object({"fingerprint": _text(), "alertname": _text(), "starts_at": _time("Alertmanager startsAt."),
                     "ends_at": _time("Alertmanager endsAt, once the alert resolved.")},
                    required=("fingerprint", "starts_at"))
    return _object({"group_key": _text(), "external_url": _text(), "receiver": _text(),
                    "fingerprints": {"type": "array", "items": _text()},
                    "alerts": {"type": "array", "items": alert,
                               "description": "Every alert occurrence of this incident, as `incident serve` saw it."}},
                   description="Where the record came from.")


def _estimates() -> dict[str, Any]:
    return _object({
        "onset_at": _time("When the alert's own expression first held, before it fired (see onset_method)."),
        "onset_method": _text("How onset_at was found (the query, its window and step)."),
        "affected_predictions_method": _text("How impact.affected_predictions was counted."),
        "failing_predictions_method": _text("How impact.failing_predictions was counted."),
        "model_version_method": _text("Where model_version came from (the server's model_info, a label, the spec)."),
    }, description="What aigen computed rather than observed, and how: a reviewer can redo each estimate.")


def _policy_rules(policy: Policy) -> list[dict[str, Any]]:
    resolved = {"properties": {"status": {"const": "resolved"}}, "required": ["status"]}
    return [
        {"description": "A resolved incident records when it ended, its root cause and at least one corrective "
                        "action (humans fill these in post-resolution).",
         "if": resolved,
         "then": {"required": ["resolved_at", "root_cause", "corrective_actions"],
                  "properties": {"corrective_actions": {"minItems": 1}}}},
        {"description": f"A post-incident review is mandatory for resolved {' and '.join(policy.review_levels)} "
                        "incidents: link it in post_incident_review (`aigen incident review` drafts one).",
         "if": {"allOf": [resolved, {"properties": {"severity": {"enum": list(policy.review_levels)}},
                                     "required": ["severity"]}]},
         "then": {"required": ["post_incident_review"]}},
        {"description": f"Every {' or '.join(policy.regulatory_levels)} incident is assessed for EU AI Act Article 73 "
                        "serious-incident reporting (regulatory_assessment; `aigen incident new` pre-fills it).",
         "if": {"properties": {"severity": {"enum": list(policy.regulatory_levels)}}, "required": ["severity"]},
         "then": {"required": ["regulatory_assessment"]}},
        {"description": "A resolved incident's Article 73 decision is made: report or no_report, not pending.",
         "if": {"allOf": [resolved, {"required": ["regulatory_assessment"]}]},
         "then": {"properties": {"regulatory_assessment": {
             "properties": {"decision": {"enum": ["report", "no_report"]}}}}}},
    ]


def build_schema(taxonomy: Taxonomy, specs: list[ModelSpec]) -> dict[str, Any]:
    """The record schema for this project (deterministic: same taxonomy and specs, same bytes)."""
    policy = Policy.of(taxonomy)
    properties: dict[str, Any] = {
        "incident_id": {"type": "string", "pattern": INCIDENT_ID, "description": "AI-INC-YYYY-NNNN."},
        "incident_type": {"enum": list(taxonomy.incident_types)},
        "severity": {"enum": list(taxonomy.severity_levels)},
        "status": {"enum": list(STATUSES)},
        "model_id": _model_ids(specs),
        "model_version": _text("The version serving when the incident began."),
        "detected_at": _time("When the first alert fired (Alertmanager startsAt)."),
        "detected_by": _text("The alert (or person) that detected it."),
        "acknowledged_at": _time("When a responder acknowledged."),
        "response_due_at": _time("detected_at plus the severity's response time."),
        "resolved_at": _time("When the incident was resolved."),
        "duration_minutes": {"type": "integer", "minimum": 0, "description": "resolved_at - detected_at."},
        "runbook_url": {"type": "string", "pattern": r"^https?://"},
        "impact": _impact(),
        "root_cause": _root_cause(taxonomy),
        "timeline": _timeline(),
        "corrective_actions": _actions(),
        "post_incident_review": _text("Path or URL of the post-incident review."),
        "regulatory_assessment": _regulatory(),
        "alertmanager": _source(),
        "estimates": _estimates(),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "$comment": "Generated by aigen from the taxonomy and the model specs; do not edit, run `aigen render`.",
        "title": "aigen AI incident record",
        "description": "An AI incident record (the design document's record schema) for this project's models.",
        "type": "object",
        "required": ["incident_id", "incident_type", "severity", "status", "model_id", "model_version",
                     "detected_at", "detected_by", "timeline"],
        "properties": properties,
        "additionalProperties": False,
        "allOf": _policy_rules(policy),
    }
