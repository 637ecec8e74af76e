"""`aigen incident new|serve|validate|review|actions`: AI incident records, from alerts, checked, reviewed.

Exit codes: 0 ok; 1 invalid record or payload, or (actions) overdue corrective actions; 2 usage or I/O error
(missing file, unreachable Prometheus, an output file that already exists, a busy address); 3 internal error.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from aigen.commands.common import echo_problems, project_and_plans
from aigen.config import Config, load_config
from aigen.errors import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, InputError, Problem, UsageError
from aigen.incidents import actions as actions_mod
from aigen.incidents import lifecycle
from aigen.incidents.from_alerts import (
    Inputs,
    build_record,
    next_incident_id,
    parse_payload,
    primary_alert,
    resolve_plan,
    window,
)
from aigen.incidents.records import RECORD_SUFFIXES, LoadedRecord, RecordChecker, load_record
from aigen.incidents.review import build_review
from aigen.incidents.schema import INCIDENT_ID
from aigen.plan import ModelPlan
from aigen.yamlio import MAX_BYTES, decode, read_text
from aigen.yamlout import dump

DEFAULT_RECORDS = "incidents"


@dataclass
class Workspace:
    """The project an incident command works in: its specs' plans and a checker built from them."""

    config: Config
    plans: list[ModelPlan]
    checker: RecordChecker

    def plan_for(self, model_id: Any) -> ModelPlan | None:
        return next((p for p in self.plans if p.model_id == model_id), None)


def workspace() -> Workspace:
    config = load_config(Path.cwd())
    project, plans = project_and_plans(config=config)
    if project.problems:
        raise InputError(project.problems)
    return Workspace(config, plans, RecordChecker(project.taxonomy, [p.spec for p in plans]))


def _write(text: str, output: Path | None, what: str) -> None:
    """stdout, or a new file: records and reviews are edited by people afterwards, so never overwrite one."""
    if output is None:
        click.echo(text, nl=False)
        return
    if output.exists():
        raise UsageError(f"{output}: already exists; aigen does not overwrite an {what} (choose another -o)")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{output}: cannot write: {exc.strerror}") from None


def _serialise(data: dict[str, Any], output: Path | None, head: str = "") -> str:
    if output is not None and output.suffix.lower() in (".yaml", ".yml"):
        return head + dump(data)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- new

def load_payload(path: Path, shown: str) -> Any:
    """The payload as JSON; ``-`` reads stdin, so a webhook adapter can pipe Alertmanager's POST body in."""
    text = decode(sys.stdin.buffer.read(MAX_BYTES + 1), "(stdin)") if str(path) == "-" \
        else read_text(path, shown)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(shown, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise InputError([Problem(shown, 0, 0, "invalid payload: JSON nested too deeply")]) from None


def active_record_for(key: tuple[str, str], folders: list[Path]) -> Path | None:
    """An active record of the same incident (model and incident type), if any (unreadable files are skipped)."""
    for path in (p for f in folders if f.is_dir() for p in sorted(f.iterdir()) if p.suffix.lower() in RECORD_SUFFIXES):
        try:
            data = load_record(path).data
        except (InputError, UsageError):
            continue
        if lifecycle.incident_key(data) == key and lifecycle.is_active(data):
            return path
    return None


def run_new(alert: Path, output: Path | None = None, prometheus: str | None = None, incident_id: str | None = None,
            records: Path | None = None, now: datetime | None = None) -> int:
    ws = workspace()
    shown = "(stdin)" if str(alert) == "-" else ws.config.display(alert)
    payload = parse_payload(load_payload(alert, shown), shown)
    plan = resolve_plan(payload, ws.plans, ws.checker.taxonomy, shown)
    start, end = window(payload, now or datetime.now(UTC))
    if incident_id is not None and not re.match(INCIDENT_ID, incident_id):
        raise UsageError(f"--id {incident_id}: must look like AI-INC-YYYY-NNNN")
    folders = [f for f in (records, output.parent if output else None, ws.config.root / DEFAULT_RECORDS) if f]
    existing = active_record_for((plan.model_id, primary_alert(payload, ws.checker.taxonomy).labels["incident_type"]),
                                 folders)
    if existing is not None:
        # One incident (model and incident type), one record: `incident serve` adds later alerts to its timeline.
        click.echo(f"aigen: {ws.config.display(existing)} already records this incident and is not resolved; "
                   f"nothing written", err=True)
        return EXIT_OK
    counted = None
    if prometheus:
        from aigen.incidents.prometheus import affected_predictions

        counted = affected_predictions(prometheus, plan.model_id, start, end)
        if counted is None:
            click.echo(f"aigen: {prometheus} has no model_predictions_total for {plan.model_id}; "
                       f"impact.affected_predictions left for a human", err=True)
    record = build_record(payload, Inputs(plan, incident_id or next_incident_id(start.year, folders), counted))
    lifecycle.settle(record)
    problems = ws.checker.check(LoadedRecord("(new record)", record))
    if problems:  # a record aigen built must validate; anything else is a bug in aigen
        echo_problems(problems)
        return EXIT_INTERNAL
    _write(_serialise(record, output), output, "incident record")
    if output is not None:
        click.echo(f"wrote {ws.config.display(output)} ({record['incident_id']}, {record['severity']} "
                   f"{record['incident_type']} on {record['model_id']})", err=True)
    return EXIT_OK


@click.group("incident")
def command() -> None:
    """AI incident records: pre-fill from an alert, validate, draft the review, track corrective actions."""


@command.command("new")
@click.option("--alert", "alert", required=True, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="An Alertmanager webhook payload (JSON, version 4); - reads stdin.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the record here (.json, or .yaml/.yml) instead of stdout; never overwrites.")
@click.option("--prometheus", metavar="URL", help="Fill impact.affected_predictions from this Prometheus.")
@click.option("--id", "incident_id", metavar="AI-INC-YYYY-NNNN", help="Use this id instead of the next free one.")
@click.option("--records", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of existing records to number after (default: the output's folder and incidents/).")
def new_command(alert: Path, output: Path | None, prometheus: str | None, incident_id: str | None,
                records: Path | None) -> int:
    """Write a record pre-filled from an Alertmanager payload: id, type, severity, model, timeline, deadlines."""
    return run_new(alert, output, prometheus, incident_id, records)


# ---------------------------------------------------------------- serve

TOKEN_ENV = "AIGEN_INCIDENT_TOKEN"


def _listen(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise UsageError(f"--listen {text}: expected HOST:PORT, such as 127.0.0.1:9099 (port 0 picks a free one)")
    return host.strip("[]"), int(port)


def _token(token_file: Path | None) -> str | None:
    """The bearer token, from a file or the environment: never from the command line, where `ps` shows it."""
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"{token_file}: cannot read the token: {exc.strerror}") from None
    else:
        token = os.environ.get(TOKEN_ENV, "").strip()
    if token_file is not None and not token:
        raise UsageError(f"{token_file}: the token file is empty")
    return token or None


def run_serve(listen: str, records: Path | None, prometheus: str | None, token_file: Path | None) -> int:
    from aigen.incidents.durable import Journal
    from aigen.incidents.serve import Receiver, log, run
    from aigen.incidents.store import Prometheus, RecordStore

    host, port = _listen(listen)
    token = _token(token_file)
    ws = workspace()
    folder = records or ws.config.root / DEFAULT_RECORDS
    try:
        folder.mkdir(parents=True, exist_ok=True)
        journal = Journal(folder)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot use as the records folder: {exc.strerror}") from None
    lookups = Prometheus(prometheus, ws.config.evaluation_interval) if prometheus else None
    store = RecordStore(folder, ws.plans, ws.checker, log, lookups)
    try:
        run(Receiver(store, journal, token), folder, host, port)
    except OSError as exc:
        raise UsageError(f"--listen {listen}: cannot listen: {exc.strerror}") from None
    return EXIT_OK


@command.command("serve")
@click.option("--listen", default="127.0.0.1:9099", show_default=True, metavar="HOST:PORT",
              help="Address to receive Alertmanager webhooks on (port 0: a free port, logged at start).")
@click.option("--records", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the records (default: incidents/ of the project).")
@click.option("--prometheus", metavar="URL", help="Estimate onset, read the serving version and count the impact here.")
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path),
              help=f"Require this bearer token (else ${TOKEN_ENV}, when set).")
def serve_command(listen: str, records: Path | None, prometheus: str | None, token_file: Path | None) -> int:
    """Receive Alertmanager webhooks and keep one record per incident: opened, joined, resolved, never lost."""
    return run_serve(listen, records, prometheus, token_file)


# ---------------------------------------------------------------- validate

def record_files(paths: list[Path]) -> list[Path]:
    """The record files named: files as given, folders searched (not recursively) for .json/.yaml/.yml."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.iterdir()) if p.is_file() and p.suffix.lower() in RECORD_SUFFIXES)
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    return found


def _is_review(record: LoadedRecord) -> bool:
    return set(record.data) == {"review"}


def load_and_check(ws: Workspace, paths: list[Path], strict: bool = False) -> tuple[list[LoadedRecord], list[Problem]]:
    """Every record that parses (reviews in the same folder are skipped), and every problem found in any;
    ``strict`` adds the informative warnings (a model_version the spec no longer lists)."""
    loaded: list[LoadedRecord] = []
    problems: list[Problem] = []
    for path in record_files(paths):
        try:
            record = load_record(path, ws.config.display(path))
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if _is_review(record):
            continue
        if "alerts" in record.data and "incident_id" not in record.data:
            problems.append(Problem(record.display, 0, 0, "an Alertmanager payload, not an incident record: turn it "
                                                          "into one with `aigen incident new --alert`"))
            continue
        loaded.append(record)
        problems.extend(ws.checker.check(record))
        if strict:
            problems.extend(ws.checker.version_notes(record))
    return loaded, problems


def run_validate(paths: list[Path], quiet: bool = False, strict: bool = False) -> int:
    ws = workspace()
    loaded, problems = load_and_check(ws, paths or [ws.config.root / DEFAULT_RECORDS], strict)
    errors = [p for p in problems if p.level == "error"]
    if problems:
        echo_problems(problems, summary=True)
    if errors:
        return EXIT_INVALID
    if not quiet:
        click.echo(f"{len(loaded)} incident record(s) valid")
    return EXIT_OK


@command.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="Print nothing when valid.")
@click.option("--strict", is_flag=True, help="Also warn (exit 0) about a model_version the spec no longer lists.")
def validate_command(paths: tuple[Path, ...], quiet: bool, strict: bool) -> int:
    """Check records (files or folders; default incidents/) against the project's record schema."""
    return run_validate(list(paths), quiet, strict)


# ---------------------------------------------------------------- review

def run_review(path: Path, output: Path | None = None) -> int:
    ws = workspace()
    record = load_record(path, ws.config.display(path))
    # The review is what the record's missing post_incident_review will point at: that problem is expected here.
    blocking = [p for p in ws.checker.check(record) if "post_incident_review" not in p.message]
    if blocking:
        echo_problems(blocking)
        return EXIT_INVALID
    review = build_review(record.data, ws.checker.taxonomy, ws.plan_for(record.data.get("model_id")), record.display)
    head = (f"# Post-incident review drafted by aigen from {record.display}.\n"
            f"# Fill in review_date, participants and every answer; then set the record's post_incident_review "
            f"to this file.\n")
    _write(head + dump(review) if output is None or output.suffix.lower() != ".json" else _serialise(review, output),
           output, "existing review")
    if not review["review"]["mandatory"]:
        click.echo(f"aigen: a review is optional for {record.data.get('severity')} incidents (mandatory for "
                   f"{' and '.join(ws.checker.policy.review_levels)})", err=True)
    return EXIT_OK


@command.command("review")
@click.argument("record", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the review here instead of stdout; never overwrites.")
def review_command(record: Path, output: Path | None) -> int:
    """Draft the post-incident review of a record: measured delays filled in, the human questions left open."""
    return run_review(record, output)


# ---------------------------------------------------------------- actions

def run_actions(folder: Path, today: date | None = None, show_done: bool = False, as_json: bool = False) -> int:
    ws = workspace()
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such directory")
    loaded, problems = load_and_check(ws, [folder])
    echo_problems(problems)
    table = actions_mod.rows(loaded, today or date.today())
    found = actions_mod.repeats(loaded, table)
    if as_json:
        click.echo(json.dumps(actions_mod.as_json(table, found), indent=2))
    else:
        for line in actions_mod.as_text(table, found, show_done):
            click.echo(line)
        overdue = sum(1 for r in table if r.overdue)
        still = sum(1 for r in table if not r.done)
        click.echo(f"{len(loaded)} record(s), {len(table)} corrective action(s): {still} not done, {overdue} overdue",
                   err=True)
    return EXIT_INVALID if problems or any(r.overdue for r in table) else EXIT_OK


@command.command("actions")
@click.argument("folder", type=click.Path(path_type=Path), default=DEFAULT_RECORDS)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Judge due dates as of this day (default: today).")
@click.option("--all", "show_done", is_flag=True, help="Also list completed and cancelled actions.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (every action, done or not).")
def actions_command(folder: Path, today: datetime | None, show_done: bool, as_json: bool) -> int:
    """Corrective actions across the records in FOLDER, overdue first; exit 1 when any is overdue."""
    return run_actions(folder, today.date() if today else None, show_done, as_json)
