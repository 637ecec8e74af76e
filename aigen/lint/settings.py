"""Lint settings from ``[tool.aigen.lint]`` (pyproject.toml) or ``[lint]`` (aigen.toml), via ``Config.lint``.

    [tool.aigen.lint]
    disable = ["promql-counter"]                 # rule ids not to run
    levels = { severity-default = "error" }     # error | warning | info
    target_labels = ["job", "instance", "namespace", "pod"]   # labels scraping adds to every series
    placeholders = ["MODEL_ID", "SERVICE_NAME"]  # extra names a runbook must not leave unfilled
    operator_inputs = ["INCIDENT_ID", "OPERATOR_EMAIL"]       # names a responder fills in at run time
    series_budget = 2000                         # series one model may cost (the cardinality rule)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aigen.errors import UsageError

LEVELS = ("error", "warning", "info")
TARGET_LABELS = ("job", "instance", "namespace", "pod", "container", "service", "endpoint", "node")
PLACEHOLDERS = ("MODEL_ID", "MODEL_NAME", "MODEL_CURRENT_VERSION", "MODEL_PREVIOUS_VERSION", "MODEL_KNOWN_GOOD_VERSION",
                "MODEL_NAMESPACE", "OPERATOR_ID", "OPERATOR_EMAIL", "INCIDENT_ID")
OPERATOR_INPUTS = ("INCIDENT_ID", "OPERATOR_EMAIL")
"""The same operator inputs the shipped runbook templates leave as shell variables (aigen.render.runbooks)."""
_KEYS = {"disable", "levels", "target_labels", "placeholders", "operator_inputs", "series_budget"}


@dataclass(frozen=True)
class Settings:
    disable: frozenset[str] = frozenset()
    levels: tuple[tuple[str, str], ...] = ()
    target_labels: frozenset[str] = frozenset(TARGET_LABELS)
    placeholders: frozenset[str] = frozenset(PLACEHOLDERS)
    operator_inputs: frozenset[str] = frozenset(OPERATOR_INPUTS)
    series_budget: int | None = None
    """None: aigen.cardinality.DEFAULT_SERIES_BUDGET (not imported here: the pre-commit path stays light)."""

    def level(self, rule_id: str, default: str) -> str:
        return dict(self.levels).get(rule_id, default)


def settings_from(raw: dict[str, Any], source: object, known_rules: set[str]) -> Settings:
    """Validate the table; a mistake is a usage error (exit 2) that names the file and the key."""
    where = f"{source or 'configuration'}: [lint]"
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})")
    disable = _names(raw.get("disable", []), f"{where} disable")
    levels = raw.get("levels", {})
    if not isinstance(levels, dict):
        raise UsageError(f"{where} levels: expected a table such as {{ rule-id = \"warning\" }}")
    for rule_id, level in levels.items():
        if level not in LEVELS:
            raise UsageError(f"{where} levels.{rule_id}: '{level}' is not one of {', '.join(LEVELS)}")
    for rule_id in [*disable, *levels]:
        if rule_id not in known_rules:
            raise UsageError(f"{where}: unknown rule '{rule_id}' (see `aigen rules`)")
    extra = _names(raw.get("placeholders", []), f"{where} placeholders")
    budget = raw.get("series_budget")
    if budget is not None and (not isinstance(budget, int) or isinstance(budget, bool) or budget < 1):
        raise UsageError(f"{where} series_budget: expected a whole number of series, such as 2000")
    return Settings(
        disable=frozenset(disable),
        levels=tuple(sorted((str(k), str(v)) for k, v in levels.items())),
        target_labels=frozenset(_names(raw.get("target_labels", list(TARGET_LABELS)), f"{where} target_labels")),
        placeholders=frozenset(PLACEHOLDERS) | frozenset(extra),
        operator_inputs=frozenset(_names(raw.get("operator_inputs", list(OPERATOR_INPUTS)),
                                         f"{where} operator_inputs")),
        series_budget=budget,
    )


def _names(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: expected a list of strings")
    return list(value)
