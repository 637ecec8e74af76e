"""Every alert has a promtool test that expects it to fire: a `tests/*.yaml` beside its rule file says so.

An alert nobody has seen fire is a hope, not a control. aigen generates the tests (`generated/<model>/tests/`, run
by `aigen test`); a hand-written setup keeps its own `tests/` folder next to its rule files. A test counts when an
`alert_rule_test` for the alert expects alerts (`exp_alerts` not empty), or a `promql_expr_test` over
`ALERTS{alertname="..."}` expects samples. Asserting silence alone proves nothing about firing. Rule files outside
`generated/` with no `tests/` folder beside them are not checked: create the folder to opt in.

Passing:
    # rules.yaml, with tests/latency.yaml beside it: an alert_rule_test of AIModelLatencyHigh with exp_alerts
    groups:
      - name: aigen.fraud-detection.alerts
        rules:
          - alert: AIModelLatencyHigh

Failing:
    # rules.yaml, whose tests/ only assert that AIModelLatencyHigh stays silent (exp_alerts: [])
    groups:
      - name: aigen.fraud-detection.alerts
        rules:
          - alert: AIModelLatencyHigh
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "alert-tested"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    if not ctx.alerts:
        return
    from aigen.lint.coverage import tested_alerts  # here: a lint of specs alone reads no promtool tests

    generated = ctx.config.generated.resolve()
    folders: dict[str, Path] = {}  # a rules file holds many alerts: its folder is resolved once
    for alert in ctx.alerts:
        if alert.path not in folders:
            path = Path(alert.path)
            folders[alert.path] = (path if path.is_absolute() else ctx.config.root / path).parent.resolve()
        folder = folders[alert.path]
        tested = tested_alerts(ctx, folder)
        if tested is None and generated not in folder.parents:
            continue  # a hand-written setup without tests/: not opted in
        if alert.name not in (tested or ()):
            yield Problem(alert.path, *alert.at("alert"),
                          f"alert {alert.name} has no promtool test that expects it to fire (in {folder.name}/tests/; "
                          f"`aigen render` generates them, `aigen test` runs them)")
