"""Hostile label and annotation values in webhook payloads (issue 14): kept literally or refused, never executed.

Cases are data: tests/data/incidents/hostile-labels.yaml lists the values and the payload fields they go into.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from aigen.commands.common import project_and_plans
from aigen.config import load_config
from aigen.incidents.durable import Journal
from aigen.incidents.records import LoadedRecord, RecordChecker
from aigen.incidents.serve import Receiver
from aigen.incidents.store import RecordStore
from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "incidents"
CORPUS = yaml.safe_load((DATA / "hostile-labels.yaml").read_text(encoding="utf-8"))
VALUES: list[str] = [*CORPUS["values"], *(r["text"] * r["times"] for r in CORPUS["repeat"])]
MAX_RECORD_BYTES = 64 * 1024


@pytest.fixture(scope="module")
def project_parts() -> tuple[list, RecordChecker]:
    project, plans = project_and_plans(config=load_config(REPO))
    return plans, RecordChecker(project.taxonomy, [p.spec for p in plans])


def receiver_in(folder: Path, parts: tuple[list, RecordChecker], events: list[dict[str, Any]]) -> Receiver:
    plans, checker = parts
    folder.mkdir(parents=True)

    def log(level: str, event: str, **fields: Any) -> None:
        events.append({"level": level, "event": event, **fields})

    return Receiver(RecordStore(folder, plans, checker, log), Journal(folder), log=log)


def hostile_payload(field: str, value: str) -> dict[str, Any]:
    """The fraud payload's first alert alone, with ``value`` put in ``field``."""
    payload = json.loads((DATA / "fraud-alert.json").read_text(encoding="utf-8"))
    alert = payload["alerts"][0]
    payload["alerts"] = [alert]
    where = {"alertname": (alert["labels"], "alertname"), "extra_label": (alert["labels"], "team"),
             "model_version": (alert["labels"], "model_version"), "summary": (alert["annotations"], "summary"),
             "runbook_url": (alert["annotations"], "runbook_url"), "fingerprint": (alert, "fingerprint"),
             "generator_url": (alert, "generatorURL"), "group_key": (payload, "groupKey"),
             "receiver": (payload, "receiver"), "external_url": (payload, "externalURL")}
    alert["annotations"].pop("description")  # so the summary is what the timeline shows
    if field == "label_name":
        alert["labels"][value] = "x"
    elif field in CORPUS["selectors"]:
        alert["labels"][field] = value
    else:
        target, key = where[field]
        target[key] = value
    return payload


def pointer(data: Any, path: str) -> Any:
    for step in path.strip("/").split("/"):
        data = data[int(step)] if isinstance(data, list) else data[step]
    return data


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("field", sorted(CORPUS["fields"]))
def test_hostile_values_are_kept_literally_or_refused(field: str, tmp_path: Path, project_parts) -> None:
    kept_at, limit = CORPUS["fields"][field]["kept_at"], CORPUS["fields"][field].get("limit", 0)
    for i, value in enumerate(VALUES):
        events: list[dict[str, Any]] = []
        receiver = receiver_in(tmp_path / str(i), project_parts, events)
        status, answer = receiver.accept(json.dumps(hostile_payload(field, value)).encode())
        case = f"{field}={value[:60]!r}"
        if field == "alertname" and not value:
            assert (status, files_in(receiver.store.folder)) == (400, [".aigen-serve"]), case
            continue
        assert (status, answer) == (200, {"written": ["AI-INC-2026-0001.json"]}), case
        assert files_in(receiver.store.folder) == [".aigen-serve", "AI-INC-2026-0001.json"], case
        path = receiver.store.folder / "AI-INC-2026-0001.json"
        assert path.stat().st_size < MAX_RECORD_BYTES, case
        record = json.loads(path.read_text(encoding="utf-8"))
        assert project_parts[1].check(LoadedRecord(case, record)) == [], case
        assert record["runbook_url"].startswith("https://") and "\n" not in record["runbook_url"], case
        if kept_at and value.strip():
            assert value.strip()[:limit] in pointer(record, kept_at), case
        assert not any(e["level"] == "error" for e in events), (case, events)


@pytest.mark.parametrize("selector", CORPUS["selectors"])
def test_hostile_model_type_or_severity_writes_nothing(selector: str, tmp_path: Path, project_parts) -> None:
    for i, value in enumerate(VALUES):
        events: list[dict[str, Any]] = []
        receiver = receiver_in(tmp_path / str(i), project_parts, events)
        status, answer = receiver.accept(json.dumps(hostile_payload(selector, value)).encode())
        assert (status, answer) == (200, {"written": []}), value[:60]
        assert files_in(receiver.store.folder) == [".aigen-serve"]
        (skipped,) = [e for e in events if e["event"] == "alert.skipped"]
        assert len(json.dumps(skipped)) < 8 * 1024  # the log line is bounded too


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b'"x"', b"\xff\xfe", b'{"version": "4", "alerts": [1]}',
                                  b'{"version": "4", "alerts": [{"labels": {"alertname": 1}}]}',
                                  b'{"version": "4", "alerts": [{"labels": {"alertname": "A"}, "startsAt": "now"}]}',
                                  b"[" * 100_000 + b"]" * 100_000])
def test_malformed_bodies_get_400_and_write_nothing(body: bytes, tmp_path: Path, project_parts) -> None:
    receiver = receiver_in(tmp_path / "r", project_parts, [])
    status, answer = receiver.accept(body)
    assert status == 400 and answer["error"], answer
    assert files_in(receiver.store.folder) == [".aigen-serve"] and receiver.journal.pending() == []
