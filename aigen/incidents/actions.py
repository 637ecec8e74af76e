"""Corrective actions across every record, overdue first.

The design's failure mode "post-incident review skipped or superficial" shows as the same root cause coming back
while the actions promised last time are still open; its recovery is "track corrective action completion". So this
lists what is late, and names root causes that repeat with the earlier incidents' open actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from aigen.incidents.records import LoadedRecord
from aigen.incidents.schema import DONE_ACTION_STATUSES


@dataclass(frozen=True)
class ActionRow:
    incident_id: str
    record: str
    index: int
    action: str
    owner: str
    due: date
    status: str
    days_late: int  # > 0 when overdue

    @property
    def done(self) -> bool:
        return self.status in DONE_ACTION_STATUSES

    @property
    def overdue(self) -> bool:
        return not self.done and self.days_late > 0

    def sort_key(self) -> tuple[int, int, str, str, int]:
        group = 0 if self.overdue else 1 if not self.done else 2
        when = -self.days_late if self.overdue else self.due.toordinal()
        return group, when, self.incident_id, self.record, self.index


def _due(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def rows(records: list[LoadedRecord], today: date) -> list[ActionRow]:
    """Every well-formed corrective action; overdue (most late first), then open by due date, then done."""
    out = []
    for rec in records:
        for i, item in enumerate(rec.data.get("corrective_actions") or []):
            due = _due(item.get("due_date")) if isinstance(item, dict) else None
            if due is None:
                continue
            out.append(ActionRow(str(rec.data.get("incident_id", "?")), rec.display, i, str(item.get("action", "")),
                                 str(item.get("owner", "")), due, str(item.get("status", "")),
                                 (today - due).days))
    return sorted(out, key=ActionRow.sort_key)


@dataclass(frozen=True)
class Repeat:
    category: str
    model_id: str
    incidents: list[str]
    open_actions: int


def repeats(records: list[LoadedRecord], table: list[ActionRow]) -> list[Repeat]:
    """Root causes recorded more than once for the same model: the sign a review's actions did not land."""
    seen: dict[tuple[str, str], list[str]] = {}
    for rec in records:
        cause = rec.data.get("root_cause")
        if isinstance(cause, dict) and isinstance(cause.get("category"), str):
            key = (cause["category"], str(rec.data.get("model_id", "")))
            seen.setdefault(key, []).append(str(rec.data.get("incident_id", rec.display)))
    out = []
    for (category, model_id), ids in sorted(seen.items()):
        if len(ids) > 1:
            ids = sorted(ids)
            still_open = sum(1 for r in table if r.incident_id in ids[:-1] and not r.done)
            out.append(Repeat(category, model_id, ids, still_open))
    return out


def as_text(table: list[ActionRow], found: list[Repeat], show_done: bool) -> list[str]:
    lines = []
    for row in table:
        if row.done and not show_done:
            continue
        state = "OVERDUE" if row.overdue else "done" if row.done else "open"
        late = f", {row.days_late} day(s) late" if row.overdue else ""
        lines.append(f"{state:8} {row.due.isoformat()}  {row.owner:22} {row.incident_id}  {row.action} "
                     f"[{row.status}{late}]")
    for rep in found:
        lines.append(f"REPEAT   root cause {rep.category} on {rep.model_id or '?'} in {', '.join(rep.incidents)}; "
                     f"{rep.open_actions} corrective action(s) of the earlier incident(s) still open")
    return lines


def as_json(table: list[ActionRow], found: list[Repeat]) -> dict[str, Any]:
    return {
        "actions": [{"incident_id": r.incident_id, "record": r.record, "index": r.index, "action": r.action,
                     "owner": r.owner, "due_date": r.due.isoformat(), "status": r.status, "overdue": r.overdue,
                     "days_late": max(r.days_late, 0) if not r.done else 0} for r in table],
        "repeated_root_causes": [{"category": x.category, "model_id": x.model_id, "incidents": x.incidents,
                                  "open_actions": x.open_actions} for x in found],
    }
