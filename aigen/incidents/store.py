"""The records folder as `incident serve` keeps it: one JSON record per incident, written atomically.

The folder is the state: which incident an alert belongs to is read from the records themselves (parsed files are
cached by modification time and size), so a restart needs nothing else, and a record a human edited is re-read
before it is changed. Record file names are the incident ids aigen assigns, never anything from a payload.
Only JSON records are updated: rewriting a YAML record would drop its comments.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from aigen.errors import InputError, UsageError
from aigen.incidents import lifecycle
from aigen.incidents import prometheus as prom
from aigen.incidents.durable import atomic_write
from aigen.incidents.from_alerts import (
    FiredAlert,
    Inputs,
    Payload,
    build_record,
    clip,
    next_incident_id,
    resolve_plan,
    utc_text,
)
from aigen.incidents.records import LoadedRecord, RecordChecker
from aigen.plan import ModelPlan

Log = Callable[..., None]  # log(level, event, **fields)
MISSING_FEATURE_ALERT = "AIModelFeatureMissing"


class RecordBug(Exception):
    """A record aigen changed would no longer validate: a bug in aigen; the payload stays in the journal."""


@dataclass(frozen=True)
class Prometheus:
    """Onset, version and impact lookups; a failed lookup is logged and leaves the field for a human."""

    url: str
    step_seconds: int  # the rules' evaluation interval: onset is found to one evaluation
    lookback: timedelta = timedelta(hours=1)

    def opened(self, record: dict[str, Any], alert: FiredAlert, log: Log) -> str | None:
        """Fill the onset estimate; return the version serving at onset (None when unknown)."""
        estimates = record.setdefault("estimates", {})
        expr = prom.expr_of(alert.generator_url)
        at = alert.starts_at
        if expr is not None:
            found = self._ask(log, prom.onset, self.url, expr, alert.starts_at, self.lookback, self.step_seconds)
            if found is not None:
                at = found
                estimates["onset_at"] = utc_text(found)
                estimates["onset_method"] = (f"first evaluation (step {self.step_seconds}s, look-back "
                                             f"{int(self.lookback.total_seconds())}s before startsAt) of the unbroken "
                                             f"run in which the alert's expression held: {clip(expr)}")
                lifecycle.insert(record, {"time": utc_text(found), "event": f"onset (estimated from "
                                          f"{record['detected_by']}'s expression)", "kind": "onset",
                                          "source": "prometheus"})
        versions = self._ask(log, prom.serving_versions, self.url, record["model_id"], at) or []
        if len(versions) > 1:
            log("warning", "version.several", model_id=record["model_id"], versions=versions)
        return versions[0] if versions else None

    def resolved(self, record: dict[str, Any], alert: FiredAlert, log: Log) -> None:
        """Count what the incident touched, from onset (else detection) to resolution."""
        estimates = record.setdefault("estimates", {})
        start = lifecycle.parse_time(estimates.get("onset_at") or record["detected_at"])
        end = lifecycle.parse_time(record["resolved_at"])
        if start is None or end is None:
            return
        since = "onset" if "onset_at" in estimates else "detection"
        count = self._ask(log, prom.affected_predictions, self.url, record["model_id"], start, end)
        if count is not None:
            record.setdefault("impact", {})["affected_predictions"] = count
            estimates["affected_predictions_method"] = (
                f"{prom.predictions_query(record['model_id'], round((end - start).total_seconds()))} at resolved_at "
                f"(from {since})")
        feature = alert.labels.get("feature")
        if alert.name == MISSING_FEATURE_ALERT and feature:
            failing = self._ask(log, prom.missing_feature_predictions, self.url, record["model_id"], feature,
                                start, end)
            if failing is not None:
                record.setdefault("impact", {})["failing_predictions"] = failing
                estimates["failing_predictions_method"] = clip(
                    f"{prom.missing_query(record['model_id'], feature, round((end - start).total_seconds()))} at "
                    f"resolved_at (from {since})")

    @staticmethod
    def _ask(log: Log, lookup: Callable[..., Any], *args: Any) -> Any:
        try:
            return lookup(*args)
        except UsageError as exc:
            log("warning", "prometheus.failed", error=str(exc))
            return None


@dataclass
class RecordStore:
    folder: Path
    plans: list[ModelPlan]
    checker: RecordChecker
    log: Log
    prometheus: Prometheus | None = None
    _cache: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = dataclasses.field(default_factory=dict)

    def apply(self, payload: Payload) -> list[str]:
        """Take every alert of a payload into its incident's record; the names of the records written."""
        written: list[str] = []
        for alert in sorted(payload.alerts, key=lambda a: (a.starts_at, a.index)):
            plan = self._plan(payload, alert)
            if plan is not None and (name := self._take(payload, alert, plan)) is not None:
                written.append(name)
        return list(dict.fromkeys(written))

    def _plan(self, payload: Payload, alert: FiredAlert) -> ModelPlan | None:
        """The alert's model, or None (logged) when its labels name no model, type or severity of this project."""
        try:
            return resolve_plan(dataclasses.replace(payload, alerts=[alert]), self.plans, self.checker.taxonomy,
                                "payload")
        except InputError as exc:
            self.log("warning", "alert.skipped", fingerprint=clip(alert.fingerprint, 64),
                     alertname=clip(alert.name, 200),
                     reasons=[p.message for p in exc.problems])
            return None

    def _take(self, payload: Payload, alert: FiredAlert, plan: ModelPlan) -> str | None:
        """Open or update the alert's record; the record's file name, or None when nothing changed."""
        path, data = self._find(alert)
        if path is None:
            path, data = self._open(payload, alert, plan)
            before = []
        else:
            before = self.checker.check(LoadedRecord(path.name, data))
            was_resolved = "resolved_at" in data
            if not lifecycle.take(data, alert, self.checker.taxonomy):
                return None
            if self.prometheus is not None and not was_resolved and "resolved_at" in data:
                self.prometheus.resolved(data, alert, self.log)
        self._write(path, data, before)
        return path.name

    def _find(self, alert: FiredAlert) -> tuple[Path | None, dict[str, Any]]:
        """The record holding this occurrence, else the active record of its model and incident type."""
        records = self._records()
        for path, data in records:
            if lifecycle.seen(data, alert) is not None:
                return path, copy.deepcopy(data)
        active = [(str(data.get("detected_at", "")), path.name, path, data) for path, data in records
                  if lifecycle.is_active(data) and lifecycle.incident_key(data) == lifecycle.alert_key(alert)]
        if active:
            *_, path, data = max(active)
            return path, copy.deepcopy(data)  # the cache keeps what is on disk until the write succeeds
        return None, {}

    def _open(self, payload: Payload, alert: FiredAlert, plan: ModelPlan) -> tuple[Path, dict[str, Any]]:
        incident_id = next_incident_id(alert.starts_at.year, [self.folder])
        record = build_record(dataclasses.replace(payload, alerts=[alert]), Inputs(plan, incident_id))
        version = self.prometheus.opened(record, alert, self.log) if self.prometheus else None
        if version is not None:
            record["model_version"] = clip(version)
        record.setdefault("estimates", {})["model_version_method"] = _version_method(version, alert)
        if version is not None and version not in self.checker.versions.get(plan.model_id, [version]):
            self.log("warning", "version.unknown", model_id=plan.model_id, model_version=version,
                     note="recorded as seen; the spec does not list it")
        lifecycle.settle(record)
        if self.prometheus is not None and "resolved_at" in record:
            self.prometheus.resolved(record, alert, self.log)
        return self.folder / f"{incident_id}.json", record

    def _records(self) -> list[tuple[Path, dict[str, Any]]]:
        """Every JSON record of the folder (unreadable or non-record files skipped), parsed once per change."""
        out = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                stat = path.stat()
                key = (stat.st_mtime_ns, stat.st_size)
                cached = self._cache.get(path)
                if cached is None or cached[0] != key:
                    cached = (key, json.loads(path.read_text(encoding="utf-8")))
                    self._cache[path] = cached
            except (OSError, ValueError):
                continue
            if isinstance(cached[1], dict) and "incident_id" in cached[1]:
                out.append((path, cached[1]))
        return out

    def _write(self, path: Path, data: dict[str, Any], before: list[Any]) -> None:
        """Write a record that validates as well as it did before; otherwise refuse (the journal keeps the payload)."""
        new = sorted(set(self.checker.check(LoadedRecord(path.name, data))) - set(before))
        if new:
            raise RecordBug("; ".join(str(p) for p in new))
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        atomic_write(path, text.encode("utf-8"))
        self._cache.pop(path, None)


def _version_method(version: str | None, alert: FiredAlert) -> str:
    if version is not None:
        return "model_info{model_id} at onset, from Prometheus"
    if alert.labels.get("model_version"):
        return "the alert's model_version label"
    return "the spec's current version (no Prometheus answer): check what was serving"
