"""One record per incident: which record an alert belongs to, and how a record takes in a later delivery.

An incident is a model and an incident type: the first alert of that pair opens a record, and every later alert of
the pair joins its timeline while the record is active (some alert of it still firing, no ``resolved_at``, not
resolved by a human). An alert *occurrence* is its fingerprint and ``startsAt``: Alertmanager re-sends the same
occurrence on every group flush and repeat, after restarts, and possibly out of order, so taking one in twice changes
nothing. Once every occurrence of a record has ended, ``resolved_at`` and ``duration_minutes`` are set; the status
stays open, for a human to record the root cause and the corrective actions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aigen.incidents.from_alerts import (
    FiredAlert,
    alert_events,
    assessment,
    fingerprint,
    occurrence_entry,
    resolved_event,
    utc_text,
)
from aigen.incidents.schema import Policy
from aigen.taxonomy import Taxonomy


def parse_time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def incident_key(data: dict[str, Any]) -> tuple[str, str]:
    return str(data.get("model_id", "")), str(data.get("incident_type", ""))


def alert_key(alert: FiredAlert) -> tuple[str, str]:
    return alert.labels.get("model_id", ""), alert.labels.get("incident_type", "")


def is_active(data: dict[str, Any]) -> bool:
    """Still taking alerts in: nothing marked it over, neither all its alerts' ends nor a human."""
    return "resolved_at" not in data and data.get("status") != "resolved"


def occurrences(data: dict[str, Any]) -> list[dict[str, Any]]:
    source = data.get("alertmanager")
    found = source.get("alerts") if isinstance(source, dict) else None
    return [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []


def seen(data: dict[str, Any], alert: FiredAlert) -> dict[str, Any] | None:
    """The record's entry for this very occurrence (same fingerprint, same start), if it has one."""
    fp, starts = fingerprint(alert), utc_text(alert.starts_at)
    return next((a for a in occurrences(data) if a.get("fingerprint") == fp and a.get("starts_at") == starts), None)


def take(data: dict[str, Any], alert: FiredAlert, taxonomy: Taxonomy) -> bool:
    """Take one alert delivery into a record (in place); False when the record already knew all of it."""
    entry = seen(data, alert)
    if entry is None:
        _join(data, alert, taxonomy)
    elif alert.ends_at is not None and "ends_at" not in entry:
        entry["ends_at"] = utc_text(alert.ends_at)
        insert(data, resolved_event(alert, alert.ends_at))
    else:
        return False
    settle(data)
    return True


def _join(data: dict[str, Any], alert: FiredAlert, taxonomy: Taxonomy) -> None:
    source = data.setdefault("alertmanager", {})
    source.setdefault("alerts", []).append(occurrence_entry(alert))
    source["fingerprints"] = sorted({*source.get("fingerprints", []), fingerprint(alert)})
    for _, event in alert_events(alert):
        insert(data, event)
    _escalate(data, alert, taxonomy)


def _escalate(data: dict[str, Any], alert: FiredAlert, taxonomy: Taxonomy) -> None:
    """An earlier start moves detection earlier; a more severe alert raises the incident's severity and deadlines."""
    detected = parse_time(data.get("detected_at"))
    if detected is None or alert.starts_at < detected:
        detected = alert.starts_at
        data["detected_at"] = utc_text(detected)
    rank = taxonomy.severity_rank
    severity = alert.labels.get("severity", "")
    if rank.get(severity, len(rank)) < rank.get(str(data.get("severity")), len(rank)):
        data["severity"] = severity
    level = taxonomy.severity_levels.get(str(data.get("severity")))
    if level is not None:
        data["response_due_at"] = utc_text(detected + timedelta(seconds=level.response_seconds))
    if data.get("severity") in Policy.of(taxonomy).regulatory_levels and "regulatory_assessment" not in data:
        data["regulatory_assessment"] = assessment(detected)


def insert(data: dict[str, Any], event: dict[str, str]) -> None:
    """Keep the timeline in time order: the new entry goes after every entry at or before its time."""
    timeline = data.setdefault("timeline", [])
    at = parse_time(event["time"])
    index = next((i for i, e in enumerate(timeline)
                  if isinstance(e, dict) and at is not None and (t := parse_time(e.get("time"))) and t > at),
                 len(timeline))
    timeline.insert(index, event)


def settle(data: dict[str, Any]) -> None:
    """Once every occurrence has ended: when the incident ended, and how long it lasted from detection."""
    ends = [parse_time(a.get("ends_at")) for a in occurrences(data)]
    detected = parse_time(data.get("detected_at"))
    if not ends or None in ends or detected is None or "resolved_at" in data:
        return
    resolved = max(e for e in ends if e is not None)
    data["resolved_at"] = utc_text(resolved)
    data["duration_minutes"] = round((resolved - detected).total_seconds() / 60)
