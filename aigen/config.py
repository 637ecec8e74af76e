"""Project configuration: ``[tool.aigen]`` in pyproject.toml, or ``aigen.toml``, found by walking up from a path.

Every key is optional:

    [tool.aigen]
    specs = "specs/models"              # where ModelSpec files live
    taxonomy = "specs/taxonomy.yaml"    # falls back to the taxonomy shipped with aigen
    generated = "generated"             # output folder of `aigen render`
    runbook_base_url = "https://runbooks.example.com/aigen"   # runbook_url = {base}/{model}/runbooks/{type}.yaml
    dashboard_base_url = "https://grafana.example.com"
    rules_namespace = "monitoring"      # namespace of the PrometheusRule manifests
    rule_labels = { release = "prometheus" }   # extra metadata labels, for the operator's ruleSelector
    evaluation_interval = "30s"         # group interval of the generated rules

    [tool.aigen.lint]                   # used by `aigen lint`
    disable = ["rule-id"]
    levels = { rule-id = "warning" }

    [tool.aigen.alertmanager]           # webhook URLs of the generated alertmanager.yaml
    records_url = "http://127.0.0.1:9099/"           # where `aigen incident serve` listens
    records_credentials_file = "/etc/alertmanager/aigen-token"   # bearer token Alertmanager sends (optional)
    webhooks = { ml-platform-oncall = "https://..." }             # receiver name -> webhook URL
    retention = "120h"                  # Alertmanager's --data.retention: no repeat_interval may exceed it
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aigen.durations import parse_duration
from aigen.errors import UsageError

_KEYS = {"specs", "taxonomy", "generated", "runbook_base_url", "dashboard_base_url", "rules_namespace", "rule_labels",
         "evaluation_interval", "lint", "docs", "alertmanager"}
_ALERTMANAGER_KEYS = {"records_url", "records_credentials_file", "webhooks", "retention"}


@dataclass(frozen=True)
class AlertmanagerConfig:
    """Where the generated Alertmanager configuration sends notifications, so it runs without hand edits."""

    records_url: str = "http://127.0.0.1:9099/"
    records_credentials_file: str | None = None
    webhooks: dict[str, str] = field(default_factory=dict)
    retention_seconds: int = 120 * 3600  # Alertmanager's default --data.retention


def _alertmanager(raw: Any, source: Path | None) -> AlertmanagerConfig:
    """The [tool.aigen.alertmanager] table, checked key by key (URLs must be http(s): they end up in YAML)."""
    where = f"{source}: alertmanager"
    if not isinstance(raw, dict):
        raise UsageError(f"{where}: expected a table")
    unknown = sorted(set(raw) - _ALERTMANAGER_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown setting(s): {', '.join(unknown)} "
                         f"(known: {', '.join(sorted(_ALERTMANAGER_KEYS))})")
    webhooks = raw.get("webhooks", {})
    if not isinstance(webhooks, dict):
        raise UsageError(f"{where}.webhooks: expected a table of receiver name = URL")
    for key, url in [("records_url", raw.get("records_url", AlertmanagerConfig.records_url)),
                     *((f"webhooks.{k}", v) for k, v in webhooks.items())]:
        if not isinstance(url, str) or not re.fullmatch(r"https?://[^\s]+", url):
            raise UsageError(f"{where}.{key}: {url!r} is not an http(s) URL")
    try:
        retention = parse_duration(str(raw.get("retention", "120h")))
    except ValueError as exc:
        raise UsageError(f"{where}.retention: {exc}") from None
    credentials = raw.get("records_credentials_file")
    return AlertmanagerConfig(raw.get("records_url", AlertmanagerConfig.records_url),
                              None if credentials is None else str(credentials),
                              {str(k): v for k, v in sorted(webhooks.items())}, retention)


@dataclass(frozen=True)
class Config:
    root: Path
    specs: Path
    taxonomy: Path | None
    generated: Path
    docs: Path
    runbook_base_url: str = "https://runbooks.example.com/aigen"
    dashboard_base_url: str = "https://grafana.example.com"
    rules_namespace: str = "monitoring"
    rule_labels: dict[str, str] = field(default_factory=dict)
    evaluation_interval: int = 30
    lint: dict[str, Any] = field(default_factory=dict)
    alertmanager: AlertmanagerConfig = field(default_factory=AlertmanagerConfig)
    source: Path | None = None

    def display(self, path: Path) -> str:
        """A path as users see it in messages: relative to the project root when inside it."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` with aigen.toml, a pyproject.toml with [tool.aigen], or specs/."""
    return _find_root(start)[0]


def _find_root(start: Path) -> tuple[Path, dict[str, Any] | None]:
    """The root, and the data of its pyproject.toml when it was read to find the root: load_config parses it once."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "aigen.toml").is_file():
            return folder, None
        data = _pyproject(folder / "pyproject.toml")
        if data is not None and "aigen" in data.get("tool", {}):
            return folder, data
        if (folder / "specs").is_dir():
            return folder, data
    return start, None


def _pyproject(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
        return None


def load_config(start: Path | None = None) -> Config:
    root, pyproject = _find_root(start or Path.cwd())
    raw: dict[str, Any] = {}
    source = None
    for candidate, pick in ((root / "aigen.toml", lambda d: d),
                            (root / "pyproject.toml", lambda d: d.get("tool", {}).get("aigen"))):
        if candidate.name == "pyproject.toml" and pyproject is not None:
            data = pyproject  # read while finding the root
        elif candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise UsageError(f"{candidate}: invalid TOML: {exc}") from None
        else:
            continue
        section = pick(data)
        if section is not None:
            raw, source = section, candidate
            break
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise UsageError(f"{source}: unknown aigen setting(s): {', '.join(unknown)} "
                         f"(known: {', '.join(sorted(_KEYS))})")
    taxonomy = root / raw["taxonomy"] if "taxonomy" in raw else root / "specs" / "taxonomy.yaml"
    try:
        interval = parse_duration(str(raw.get("evaluation_interval", "30s")))
    except ValueError as exc:
        raise UsageError(f"{source}: evaluation_interval: {exc}") from None
    return Config(
        root=root,
        specs=root / raw.get("specs", "specs/models"),
        taxonomy=taxonomy if taxonomy.is_file() or "taxonomy" in raw else None,
        generated=root / raw.get("generated", "generated"),
        docs=root / raw.get("docs", "docs"),
        runbook_base_url=str(raw.get("runbook_base_url", Config.runbook_base_url)).rstrip("/"),
        dashboard_base_url=str(raw.get("dashboard_base_url", Config.dashboard_base_url)).rstrip("/"),
        rules_namespace=str(raw.get("rules_namespace", "monitoring")),
        rule_labels={str(k): str(v) for k, v in dict(raw.get("rule_labels", {})).items()},
        evaluation_interval=interval,
        lint=dict(raw.get("lint", {})),
        alertmanager=_alertmanager(raw.get("alertmanager", {}), source),
        source=source,
    )
