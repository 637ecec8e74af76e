"""An incident record pre-filled from an Alertmanager webhook payload (version "4").

The design asks to "auto-populate what can be computed (prediction counts, model version, timeline from alerts)"
so responders are not typing during an incident; root cause and corrective actions stay for humans. Payload fields
(https://prometheus.io/docs/alerting/latest/configuration/#webhook_config): version, groupKey, truncatedAlerts,
status, receiver, groupLabels, commonLabels, commonAnnotations, externalURL and alerts[] with status, labels,
annotations, startsAt, endsAt (the zero time 0001-01-01T00:00:00Z while firing), generatorURL, fingerprint.

Label and annotation values are untrusted: any series' labels can reach a payload. They are copied into records
only as JSON strings (by the serializer), clipped to ``MAX_TEXT`` characters, and never used in a file name; a
runbook link is taken from an annotation only when it is a plain http(s) URL.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aigen.errors import InputError, Problem
from aigen.incidents import regulatory
from aigen.incidents.schema import RECORD_ID_FORMAT, Policy
from aigen.plan import ModelPlan
from aigen.taxonomy import Taxonomy

_ZERO_YEAR = 1  # Alertmanager's "not set" time is 0001-01-01T00:00:00Z
MAX_TEXT = 1000  # characters of one untrusted value kept in a record
_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]{1,2000}")


@dataclass(frozen=True)
class FiredAlert:
    index: int
    name: str
    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    fingerprint: str
    generator_url: str = ""


@dataclass(frozen=True)
class Payload:
    status: str
    group_key: str
    receiver: str
    external_url: str
    alerts: list[FiredAlert] = field(default_factory=list)


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """An untrusted value bounded in size, kept literally up to the limit and marked where it was cut."""
    return text if len(text) <= limit else f"{text[:limit]}…[{len(text) - limit} more characters]"


def safe_url(text: str) -> str | None:
    """``text`` when it is a plain http(s) URL (no whitespace or control characters, bounded), else None."""
    return text if _URL.fullmatch(text) else None


def utc_text(at: datetime) -> str:
    """RFC 3339 in UTC to the second: what records hold, whatever precision Alertmanager sent."""
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def _strings(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        return None
    return {str(k): v for k, v in value.items()}


def parse_payload(data: Any, shown: str) -> Payload:
    """The payload's alerts, or an InputError naming every field that is wrong (by JSON pointer)."""
    problems: list[Problem] = []

    def bad(pointer: str, message: str) -> None:
        problems.append(Problem(shown, 0, 0, f"{pointer}: {message}"))

    if not isinstance(data, dict):
        raise InputError([Problem(shown, 0, 0, "expected an Alertmanager webhook payload (a JSON object)")])
    if data.get("version") != "4":
        bad("/version",
            f"{json.dumps(data.get('version'))}: aigen reads Alertmanager webhook payloads of version \"4\"")
    raw_alerts = data.get("alerts")
    if not isinstance(raw_alerts, list) or not raw_alerts:
        bad("/alerts", "expected a non-empty list of alerts")
        raw_alerts = []
    alerts = [a for i, item in enumerate(raw_alerts) if (a := _alert(i, item, bad)) is not None]
    if problems:
        raise InputError(problems)
    return Payload(str(data.get("status", "")), str(data.get("groupKey", "")), str(data.get("receiver", "")),
                   str(data.get("externalURL", "")), alerts)


def _alert(i: int, item: Any, bad: Any) -> FiredAlert | None:
    where = f"/alerts/{i}"
    if not isinstance(item, dict):
        bad(where, "expected an alert (an object)")
        return None
    labels, annotations = _strings(item.get("labels")), _strings(item.get("annotations", {}))
    starts, ends = _time(item.get("startsAt")), _time(item.get("endsAt"))
    ok = True
    if labels is None or not labels.get("alertname"):
        bad(f"{where}/labels", "expected an object of string labels with an alertname")
        ok = False
    if annotations is None:
        bad(f"{where}/annotations", "expected an object of string annotations")
        ok = False
    if starts is None:
        bad(f"{where}/startsAt", f"{json.dumps(item.get('startsAt'))} is not an RFC 3339 time with a zone")
        ok = False
    if not ok or labels is None or annotations is None or starts is None:
        return None
    # never before startsAt: a poster can send any pair, and a record's times must stay in order
    ended = max(ends, starts) if ends is not None and ends.year > _ZERO_YEAR and item.get("status") == "resolved" \
        else None
    return FiredAlert(i, labels["alertname"], str(item.get("status", "firing")), labels, annotations, starts, ended,
                      str(item.get("fingerprint", "")), str(item.get("generatorURL", "")))


def primary_alert(payload: Payload, taxonomy: Taxonomy) -> FiredAlert:
    """The alert that names the incident: the most severe, then the first to fire."""
    rank = taxonomy.severity_rank
    return min(payload.alerts, key=lambda a: (rank.get(a.labels.get("severity", ""), len(rank)), a.starts_at, a.index))


def next_incident_id(year: int, folders: list[Path]) -> str:
    """One past the highest AI-INC-<year>-NNNN found in the names or text of the records in ``folders``."""
    pattern = re.compile(rf"AI-INC-{year}-([0-9]{{4}})")
    highest = 0
    for folder in folders:
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            if not path.is_file() or path.suffix.lower() not in (".json", ".yaml", ".yml"):
                continue
            try:
                text = path.name + path.read_text(encoding="utf-8", errors="replace")[:1_000_000]
            except OSError:
                continue
            highest = max([highest, *(int(n) for n in pattern.findall(text))])
    if highest >= 9999:
        raise InputError([Problem(str(folders[0]) if folders else ".", 0, 0,
                                  f"incident numbers for {year} are exhausted (AI-INC-{year}-9999)")])
    return RECORD_ID_FORMAT.format(year=year, number=highest + 1)


@dataclass(frozen=True)
class Inputs:
    """What a record is built from, besides the payload."""

    plan: ModelPlan
    incident_id: str
    affected_predictions: int | None = None


def resolve_plan(payload: Payload, plans: list[ModelPlan], taxonomy: Taxonomy, shown: str) -> ModelPlan:
    """The spec the primary alert belongs to; its labels must name a known model, type and severity."""
    alert = primary_alert(payload, taxonomy)
    where = f"/alerts/{alert.index}/labels"
    by_id = {p.model_id: p for p in plans}
    checks = (("model_id", list(by_id)), ("incident_type", list(taxonomy.incident_types)),
              ("severity", list(taxonomy.severity_levels)))
    problems = [Problem(shown, 0, 0, f"{where}/{label}: {_shown(alert.labels.get(label))} is not one of "
                                     f"{', '.join(known)} (a model of this project, a taxonomy type or level)")
                for label, known in checks if alert.labels.get(label) not in known]
    if problems:
        raise InputError(problems)
    return by_id[alert.labels["model_id"]]


def _shown(value: str | None) -> str:
    """A label value quoted for a message, bounded: messages land in logs and terminals."""
    return json.dumps(value if value is None else clip(value, 200))


def window(payload: Payload, now: datetime) -> tuple[datetime, datetime]:
    """The incident window: first startsAt to the last endsAt once every alert resolved, else to now."""
    start = min(a.starts_at for a in payload.alerts)
    ends = [a.ends_at for a in payload.alerts]
    if ends and all(e is not None for e in ends):
        return start, max(e for e in ends if e is not None)
    return start, now


def build_record(payload: Payload, inputs: Inputs) -> dict[str, Any]:
    """The pre-filled record, keys in the design's order; humans add root cause and corrective actions."""
    plan, taxonomy = inputs.plan, inputs.plan.taxonomy
    alert = primary_alert(payload, taxonomy)
    severity, incident_type = alert.labels["severity"], alert.labels["incident_type"]
    detected = min(a.starts_at for a in payload.alerts)
    level = taxonomy.severity_levels[severity]
    record: dict[str, Any] = {
        "incident_id": inputs.incident_id,
        "incident_type": incident_type,
        "severity": severity,
        "status": "open",
        "model_id": plan.model_id,
        "model_version": clip(alert.labels.get("model_version") or plan.spec.model.versions.current),
        "detected_at": utc_text(detected),
        "detected_by": clip(alert.name),
        "response_due_at": utc_text(detected + timedelta(seconds=level.response_seconds)),
        "runbook_url": safe_url(alert.annotations.get("runbook_url", "")) or plan.runbook_url(incident_type),
    }
    if inputs.affected_predictions is not None:
        record["impact"] = {"affected_predictions": inputs.affected_predictions}
    record["timeline"] = timeline(payload)
    if severity in Policy.of(taxonomy).regulatory_levels:
        record["regulatory_assessment"] = assessment(detected)
    source = {"group_key": clip(payload.group_key), "receiver": clip(payload.receiver),
              "external_url": clip(payload.external_url),
              "fingerprints": sorted({fingerprint(a) for a in payload.alerts}),
              "alerts": [occurrence_entry(a) for a in sorted(payload.alerts, key=lambda a: (a.starts_at, a.index))]}
    record["alertmanager"] = {k: v for k, v in source.items() if v}
    return record


def timeline(payload: Payload) -> list[dict[str, str]]:
    """One entry per alert firing (and per alert resolving), in time order."""
    entries = [(at, a.name, entry) for a in payload.alerts for at, entry in alert_events(a)]
    return [entry for _, _, entry in sorted(entries, key=lambda e: (e[0], e[1]))]


def alert_events(alert: FiredAlert) -> list[tuple[datetime, dict[str, str]]]:
    """The timeline entries of one alert: it fired, and (once it ended) it resolved."""
    summary = (alert.annotations.get("description") or alert.annotations.get("summary") or "").strip()
    event = clip(f"{alert.name} fired" + (f": {summary}" if summary else ""))
    out = [(alert.starts_at, {"time": utc_text(alert.starts_at), "event": event, "kind": "alert",
                              "source": "alertmanager", **_fingerprint(alert)})]
    if alert.ends_at is not None:
        out.append((alert.ends_at, resolved_event(alert, alert.ends_at)))
    return out


def resolved_event(alert: FiredAlert, at: datetime) -> dict[str, str]:
    return {"time": utc_text(at), "event": clip(f"{alert.name} resolved"), "kind": "note", "source": "alertmanager",
            **_fingerprint(alert)}


def _fingerprint(alert: FiredAlert) -> dict[str, str]:
    return {"fingerprint": fingerprint(alert)}


def fingerprint(alert: FiredAlert) -> str:
    """Alertmanager's fingerprint, or one made from the labels when a poster left it out."""
    if alert.fingerprint:
        return clip(alert.fingerprint, 64)
    return hashlib.sha256(json.dumps(alert.labels, sort_keys=True).encode()).hexdigest()[:16]


def occurrence_entry(alert: FiredAlert) -> dict[str, str]:
    """What a record keeps of one alert occurrence, so a re-sent or late delivery of it is recognised."""
    entry = {"fingerprint": fingerprint(alert), "alertname": clip(alert.name), "starts_at": utc_text(alert.starts_at)}
    if alert.ends_at is not None:
        entry["ends_at"] = utc_text(alert.ends_at)
    return entry


def assessment(aware: datetime) -> dict[str, Any]:
    """A pending Article 73 assessment: the general 15-day deadline until the facts say a shorter one applies."""
    rule = regulatory.GENERAL
    return {
        "framework": regulatory.FRAMEWORK,
        "serious_incident": None,
        "criteria": [],
        "widespread_infringement": False,
        "decision": "pending",
        "aware_at": utc_text(aware),
        "reporting_deadline": utc_text(regulatory.reporting_deadline(aware, rule)),
        "deadline_rule": rule.rule,
    }
