"""An automated kill switch waits for at least two consecutive evaluations (`for:` >= 2 x the group interval).

The design's trade-off: a false positive kill stops serving, so the alert that triggers it must hold for two
evaluations. A kill-switch alert is one labelled `action: kill_switch` (or named `...KillSwitch`).

Passing:
    - name: aigen.content-moderation.alerts
      interval: 30s
      rules:
        - alert: AIModelKillSwitch
          expr: count by (model_id, incident_type) (ALERTS{severity="critical", alertstate="firing"}) > 0
          for: 1m
          labels: {severity: critical, action: kill_switch}

Failing:
    - name: aigen.content-moderation.alerts
      interval: 30s
      rules:
        - alert: AIModelKillSwitch
          expr: count by (model_id, incident_type) (ALERTS{severity="critical", alertstate="firing"}) > 0
          for: 30s
          labels: {severity: critical, action: kill_switch}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.durations import format_duration
from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "kill-switch"
LEVEL = "error"


def is_kill_switch(alert) -> bool:
    return alert.labels.get("action") == "kill_switch" or alert.name.endswith("KillSwitch")


def check(ctx: LintContext) -> Iterator[Problem]:
    for alert in ctx.alerts:
        if not is_kill_switch(alert):
            continue
        need = 2 * alert.group.interval
        if alert.for_seconds < need:
            where = alert.at("for") if "for" in alert.node else alert.at("alert")
            yield Problem(alert.path, *where, f"automated kill switch {alert.name} fires after "
                                              f"{format_duration(alert.for_seconds)}; it needs for: >= "
                                              f"{format_duration(need)} (two evaluations at "
                                              f"{format_duration(alert.group.interval)})")
