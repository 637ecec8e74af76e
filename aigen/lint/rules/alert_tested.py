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

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ID = "alert-tested"
LEVEL = "error"

_ALERTS = re.compile(r'ALERTS\{[^}]*alertname\s*=\s*"([^"]+)"')


@lru_cache(maxsize=64)
def tested_alerts(folder: Path) -> frozenset[str] | None:
    """Alert names the promtool tests in ``folder/tests`` expect to fire; None when there is no such folder."""
    tests = folder / "tests"
    if not tests.is_dir():
        return None
    names: set[str] = set()
    for path in sorted(tests.glob("*.y*ml")):
        try:
            doc = yaml.load(path.read_text(encoding="utf-8", errors="replace"), Loader=_Loader)
        except (OSError, yaml.YAMLError):
            continue
        for group in (doc or {}).get("tests") or [] if isinstance(doc, dict) else []:
            names.update(_firing(group) if isinstance(group, dict) else ())
    return frozenset(names)


def _firing(group: dict) -> set[str]:
    out = {str(t.get("alertname")) for t in group.get("alert_rule_test") or []
           if isinstance(t, dict) and t.get("exp_alerts")}
    for test in group.get("promql_expr_test") or []:
        if isinstance(test, dict) and test.get("exp_samples"):
            out.update(_ALERTS.findall(str(test.get("expr", ""))))
    return out


def check(ctx: LintContext) -> Iterator[Problem]:
    generated = ctx.config.generated.resolve()
    for alert in ctx.alerts:
        path = Path(alert.path)
        folder = (path if path.is_absolute() else ctx.config.root / path).parent.resolve()
        tested = tested_alerts(folder)
        if tested is None and generated not in folder.parents:
            continue  # a hand-written setup without tests/: not opted in
        if alert.name not in (tested or ()):
            yield Problem(alert.path, *alert.at("alert"),
                          f"alert {alert.name} has no promtool test that expects it to fire (in {folder.name}/tests/; "
                          f"`aigen render` generates them, `aigen test` runs them)")
