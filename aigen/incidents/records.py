"""Reading and checking incident records (JSON or YAML) against the project's record schema.

Problems are located: ``path:line:col`` for YAML records (ruamel keeps positions), a JSON pointer for JSON records
(the format has no comments, so records are usually written by tools and read by pointer). What JSON Schema cannot
express — times that parse, an order of events, a duration that matches its timestamps, an Article 73 deadline that
the facts allow — is checked here after the schema.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from aigen.errors import InputError, Problem
from aigen.incidents import regulatory
from aigen.incidents.schema import DATE, DATE_TIME, INCIDENT_ID, Policy, build_schema, known_versions
from aigen.spec import ModelSpec
from aigen.taxonomy import Taxonomy
from aigen.yamlio import Document, load_mapping, read_text, to_plain, type_name

RECORD_SUFFIXES = (".json", ".yaml", ".yml")
_PATTERN_HINTS = {
    INCIDENT_ID: "must look like AI-INC-YYYY-NNNN (AI-INC-2026-0042)",
    DATE_TIME: "must be an RFC 3339 time with a zone, such as 2026-04-22T08:15:00Z",
    DATE: "must be a date such as 2026-04-29",
    r"^https?://": "must be an http(s) URL",
}


@dataclass(frozen=True)
class LoadedRecord:
    """One record file: its plain data, and its YAML document when positions are known."""

    display: str
    data: dict[str, Any]
    doc: Document | None = None

    def where(self, loc: tuple[Any, ...], key: bool = False) -> tuple[int, int, str]:
        """(line, col, label): a YAML position and dotted path, or a JSON pointer for JSON records."""
        if self.doc is None:
            pointer = "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in loc)
            return 0, 0, pointer or "/"
        line, col = self.doc.locate(loc, want_key=key)
        return line, col, _dotted(loc) or "(top level)"

    def problem(self, loc: tuple[Any, ...], message: str, key: bool = False) -> Problem:
        line, col, label = self.where(loc, key)
        return Problem(self.display, line, col, f"{label}: {message}", rule="incident-record")


def _plain(node: Any) -> Any:
    """YAML timestamps and dates back to the text a JSON record would hold, so both formats validate alike."""
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, datetime):
        text = datetime(*node.timetuple()[:6], node.microsecond, tzinfo=node.tzinfo).isoformat()
        return text.replace("+00:00", "Z") if node.utcoffset() == timedelta(0) else text
    if isinstance(node, date):
        return node.isoformat()
    return node


def load_record(path: Path, display: str | None = None) -> LoadedRecord:
    """Parse a record file; raises InputError (located) for bad content, UsageError when it cannot be read."""
    shown = display or str(path)
    if path.suffix.lower() == ".json":
        text = read_text(path, shown)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError([Problem(shown, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")]) from None
        except RecursionError:
            raise InputError([Problem(shown, 0, 0, "invalid record: JSON nested too deeply")]) from None
        if not isinstance(data, dict):
            raise InputError([Problem(shown, 0, 0, f"expected an incident record (a JSON object), got "
                                                   f"{type_name(data)}")])
        return LoadedRecord(shown, data)
    doc = load_mapping(path, shown, "incident record")
    return LoadedRecord(shown, _plain(to_plain(doc.data)), doc)


class RecordChecker:
    """Checks records against one project's schema (built once) and the rules a schema cannot state."""

    def __init__(self, taxonomy: Taxonomy, specs: list[ModelSpec]) -> None:
        self.taxonomy = taxonomy
        self.policy = Policy.of(taxonomy)
        self.schema = build_schema(taxonomy, specs)
        self.validator = Draft202012Validator(self.schema)
        self.versions = known_versions(specs)

    def check(self, record: LoadedRecord) -> list[Problem]:
        problems = [p for err in self.validator.iter_errors(record.data) for p in self._schema_problems(record, err)]
        problems.extend(_semantic(record))
        return sorted(set(problems))

    def version_notes(self, record: LoadedRecord) -> list[Problem]:
        """Warnings for a model_version the spec does not list now: informative, since history outlives specs."""
        model, version = record.data.get("model_id"), record.data.get("model_version")
        known = self.versions.get(model) if isinstance(model, str) else None
        if not known or not isinstance(version, str) or version in known:
            return []
        found = record.problem(("model_version",), f"warning: {json.dumps(version)} is not a version the spec of "
                                                   f"{model} lists now ({', '.join(known)}); expected for an incident "
                                                   f"older than the spec, else check what was serving")
        return [dataclasses.replace(found, level="warning")]

    def _schema_problems(self, record: LoadedRecord, err: ValidationError) -> list[Problem]:
        loc = tuple(err.absolute_path)
        reason = _reason(self.schema, err)
        if err.validator == "required":
            message = f"missing; {reason[0].lower()}{reason[1:]}" if reason else "missing (required)"
            return [record.problem((*loc, _quoted(err.message)), message)]
        if err.validator == "additionalProperties":
            return [record.problem((*loc, key), message, key=True) for key, message in _unknown_keys(err)]
        message = _message(err)
        return [record.problem(loc, f"{message} ({reason})" if reason else message)]


def _dotted(loc: tuple[Any, ...]) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in loc).lstrip(".")


def _quoted(text: str) -> str:
    return text.split("'")[1] if text.count("'") >= 2 else text


def _unknown_keys(err: ValidationError) -> list[tuple[str, str]]:
    """(key, message) for every key the schema does not allow here, with a did-you-mean when one is close."""
    allowed = sorted(err.schema.get("properties", {}))
    extras = sorted(set(err.instance) - set(allowed)) if isinstance(err.instance, dict) else []
    out = []
    for name in extras:
        hint = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
        out.append((name, f"unknown key '{name}'; did you mean '{hint[0]}'?" if hint
                    else f"unknown key '{name}' (allowed here: {', '.join(allowed)})"))
    return out


def _message(err: ValidationError) -> str:
    """A message for one schema error about a value, in aigen's words."""
    kind = err.validator
    if kind == "enum":
        options = [str(v) for v in err.validator_value]
        hint = difflib.get_close_matches(str(err.instance), options, n=1, cutoff=0.6)
        extra = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"{json.dumps(err.instance)} is not one of {', '.join(options)}{extra}"
    if kind == "const":
        return f"must be {json.dumps(err.validator_value)}"
    if kind == "pattern":
        return f"{json.dumps(err.instance)} {_PATTERN_HINTS.get(err.validator_value, 'has the wrong form')}"
    if kind == "type":
        wanted = err.validator_value if isinstance(err.validator_value, str) else " or ".join(err.validator_value)
        return f"expected {'an' if wanted[0] in 'aeiou' else 'a'} {wanted}, got {type_name(err.instance)}"
    if kind == "minItems":
        return f"needs at least {err.validator_value} item(s)"
    if kind == "minLength":
        return "must not be empty"
    return err.message


def _reason(schema: dict[str, Any], err: ValidationError) -> str:
    """The description of the conditional rule (if/then) whose ``then`` produced this error, if any."""
    node: Any = schema
    reason = ""
    for step in err.absolute_schema_path:
        if step == "then" and isinstance(node, dict) and "if" in node:
            reason = node.get("description", "")
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    return reason


def _semantic(record: LoadedRecord) -> list[Problem]:
    """Checks beyond the schema; each reads only fields that have the right type, so none repeats a schema error."""
    out: list[Problem] = []
    times = dict(_times(record, out))
    out.extend(_order(record, times))
    out.extend(_duration(record, times))
    out.extend(_deadline(record, times))
    return out


def _time_fields(data: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    for key in ("detected_at", "acknowledged_at", "response_due_at", "resolved_at"):
        yield (key,), data.get(key)
    for i, entry in enumerate(data.get("timeline") or []):
        if isinstance(entry, dict):
            yield ("timeline", i, "time"), entry.get("time")
    reg = data.get("regulatory_assessment")
    if isinstance(reg, dict):
        for key in ("aware_at", "reporting_deadline", "reported_at"):
            yield ("regulatory_assessment", key), reg.get(key)


def _times(record: LoadedRecord, out: list[Problem]) -> Iterator[tuple[tuple[Any, ...], datetime]]:
    for loc, value in _time_fields(record.data):
        if not isinstance(value, str) or not re.match(DATE_TIME, value):
            continue
        try:
            yield loc, datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            out.append(record.problem(loc, f"{json.dumps(value)} is not a real time: {exc}"))


def _order(record: LoadedRecord, times: dict[tuple[Any, ...], datetime]) -> Iterator[Problem]:
    detected = times.get(("detected_at",))
    for key in ("acknowledged_at", "resolved_at"):
        at = times.get((key,))
        if detected and at and at < detected:
            yield record.problem((key,), f"is before detected_at ({record.data['detected_at']})")
    previous = None
    for i in range(len(record.data.get("timeline") or [])):
        at = times.get(("timeline", i, "time"))
        if at and previous and at < previous:
            yield record.problem(("timeline", i, "time"), "is earlier than the entry before it; keep the timeline in "
                                                          "order, it is what the review measures delays from")
        previous = at or previous


def _duration(record: LoadedRecord, times: dict[tuple[Any, ...], datetime]) -> Iterator[Problem]:
    detected, resolved = times.get(("detected_at",)), times.get(("resolved_at",))
    minutes = record.data.get("duration_minutes")
    if detected and resolved and isinstance(minutes, int) and not isinstance(minutes, bool):
        measured = round((resolved - detected).total_seconds() / 60)
        if measured != minutes:
            yield record.problem(("duration_minutes",), f"is {minutes} but resolved_at - detected_at is {measured} "
                                                        f"minutes")


def _deadline(record: LoadedRecord, times: dict[tuple[Any, ...], datetime]) -> Iterator[Problem]:
    """The Article 73 deadline must not be later than the facts allow, and must name the rule that governs."""
    reg = record.data.get("regulatory_assessment")
    deadline = times.get(("regulatory_assessment", "reporting_deadline"))
    aware = times.get(("regulatory_assessment", "aware_at")) or times.get(("detected_at",))
    if not isinstance(reg, dict) or deadline is None or aware is None:
        return
    criteria = [c for c in reg.get("criteria") or [] if isinstance(c, str)]
    rule = regulatory.deadline_for(criteria, reg.get("widespread_infringement") is True)
    latest = regulatory.reporting_deadline(aware, rule)
    if deadline > latest:
        yield record.problem(("regulatory_assessment", "reporting_deadline"),
                             f"is later than Art. {rule.rule} allows: {rule.why}, so by "
                             f"{latest.isoformat().replace('+00:00', 'Z')}")
    elif reg.get("deadline_rule") in regulatory.RULES and reg["deadline_rule"] != rule.rule:
        yield record.problem(("regulatory_assessment", "deadline_rule"),
                             f"is {reg['deadline_rule']} but the recorded facts make Art. {rule.rule} govern "
                             f"({rule.why})")
