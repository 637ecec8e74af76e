"""generated/alertmanager/alertmanager.yaml: severity routing for every model's alerts, complete and checkable.

What routes where comes from the taxonomy's severity actions, not from code: a level with ``page_on_call`` pages the
model's ``oncall`` receiver, one with ``create_ticket`` goes to the owning team's ticket receiver, one with
``escalate_to_management`` also notifies management. Repeat intervals are the levels' response times ("next business
day" counts as 1d). Alerts are grouped by model and incident type, so one incident is one notification. Every alert
is also copied (``continue: true``) to ``aigen-incident-records``, the webhook served by ``aigen incident serve``.

Webhook URLs come from ``[tool.aigen.alertmanager]``: the records receiver points at ``records_url`` (with
``send_resolved``, so records learn when an incident ends), and any receiver named in ``webhooks`` gets its URL;
the others stay named placeholders for a team's pagerduty/email configs. No ``repeat_interval`` exceeds the
configured retention: Alertmanager forgets a notification after it, and would re-send early. Checked with
``amtool check-config`` in the tests.
"""

from __future__ import annotations

from typing import Any

from aigen.config import AlertmanagerConfig
from aigen.durations import format_duration
from aigen.plan import KILL_SWITCH, ModelPlan
from aigen.render import Artifact, RenderEnv
from aigen.taxonomy import Taxonomy
from aigen.yamlout import dump, header

RECORDS_RECEIVER = "aigen-incident-records"
MANAGEMENT_RECEIVER = "aigen-management-escalation"
DEFAULT_ONCALL = "aigen-default-oncall"
DEFAULT_TICKETS = "aigen-default-tickets"
GROUP_BY = ["model_id", "incident_type"]
# `incident serve` ignores a re-sent alert it already recorded, so a daily re-send costs nothing and heals a lost one
RECORDS_REPEAT_SECONDS = 24 * 3600


def tickets_receiver(owner: str) -> str:
    return f"{owner}-tickets"


def _repeat(seconds: int, retention: int) -> str:
    return format_duration(min(seconds, retention))


def _severity_routes(taxonomy: Taxonomy, oncall: str, tickets: str, retention: int) -> list[dict[str, Any]]:
    """One route per severity level (most severe first), plus a management copy where the level escalates."""
    routes: list[dict[str, Any]] = []
    for name, level in taxonomy.severity_levels.items():
        match = f'severity="{name}"'
        repeat = _repeat(level.response_seconds, retention)
        if "escalate_to_management" in level.actions:
            routes.append({"receiver": MANAGEMENT_RECEIVER, "matchers": [match], "repeat_interval": repeat,
                           "continue": True})
        receiver = oncall if "page_on_call" in level.actions else tickets
        routes.append({"receiver": receiver, "matchers": [match], "repeat_interval": repeat})
    return routes


def _receiver_names(plans: list[ModelPlan], taxonomy: Taxonomy) -> list[str]:
    names = {RECORDS_RECEIVER, DEFAULT_ONCALL, DEFAULT_TICKETS}
    if any("escalate_to_management" in lvl.actions for lvl in taxonomy.severity_levels.values()):
        names.add(MANAGEMENT_RECEIVER)
    for plan in plans:
        names.update(_used(taxonomy, plan.spec.model.oncall, tickets_receiver(plan.spec.model.owner)))
    return sorted(names)


def _used(taxonomy: Taxonomy, oncall: str, tickets: str) -> set[str]:
    return {r["receiver"] for r in _severity_routes(taxonomy, oncall, tickets, 0)}


def _receiver(name: str, settings: AlertmanagerConfig) -> dict[str, Any]:
    """A receiver with its webhook when the settings name one; records also get resolutions and the bearer token."""
    if name == RECORDS_RECEIVER:
        hook: dict[str, Any] = {"url": settings.records_url, "send_resolved": True, "max_alerts": 0}
        if settings.records_credentials_file:
            hook["http_config"] = {"authorization": {"credentials_file": settings.records_credentials_file}}
        return {"name": name, "webhook_configs": [hook]}
    if name in settings.webhooks:
        return {"name": name, "webhook_configs": [{"url": settings.webhooks[name], "send_resolved": True}]}
    return {"name": name}


def _inhibit_rules(taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """A model's top-severity alert mutes its lower ones; its kill switch mutes everything else of that model.

    Sources require a model_id: Alertmanager treats a label missing on both sides as equal, so without it a
    critical alert with no model_id would mute every lower alert without one (other teams' alerts included).
    """
    top, *lower = list(taxonomy.severity_levels)
    rules = []
    if lower:
        rules.append({"source_matchers": [f'severity="{top}"', 'model_id=~".+"'],
                      "target_matchers": [f'severity=~"{"|".join(lower)}"'], "equal": ["model_id"]})
    rules.append({"source_matchers": [f'alertname="{KILL_SWITCH}"', 'model_id=~".+"'],
                  "target_matchers": [f'alertname!="{KILL_SWITCH}"'], "equal": ["model_id"]})
    return rules


def config(plans: list[ModelPlan]) -> dict[str, Any]:
    taxonomy, settings = plans[0].taxonomy, plans[0].config.alertmanager
    retention = settings.retention_seconds
    lowest = list(taxonomy.severity_levels.values())[-1]
    model_routes = [{"matchers": [f'model_id="{plan.model_id}"'],
                     "routes": _severity_routes(taxonomy, plan.spec.model.oncall,
                                                tickets_receiver(plan.spec.model.owner), retention)}
                    for plan in sorted(plans, key=lambda p: p.model_id)]
    route = {
        "receiver": DEFAULT_TICKETS,
        "group_by": GROUP_BY,
        "group_wait": "30s",
        "group_interval": "5m",
        "repeat_interval": _repeat(lowest.response_seconds, retention),
        "routes": [
            {"receiver": RECORDS_RECEIVER, "matchers": ['incident_type=~".+"'],
             "repeat_interval": _repeat(RECORDS_REPEAT_SECONDS, retention), "continue": True},
            *model_routes,
            {"matchers": ['severity=~".+"'],
             "routes": _severity_routes(taxonomy, DEFAULT_ONCALL, DEFAULT_TICKETS, retention)},
        ],
    }
    return {"route": route, "inhibit_rules": _inhibit_rules(taxonomy),
            "receivers": [_receiver(name, settings) for name in _receiver_names(plans, taxonomy)]}


def render(plans: list[ModelPlan], env: RenderEnv) -> list[Artifact]:
    if not plans:
        return []
    sources = ", ".join(sorted(p.spec_path for p in plans))
    note = ("# Webhook URLs come from [tool.aigen.alertmanager]; aigen-incident-records posts to\n"
            "# `aigen incident serve`.\n"
            "# Receivers without a URL there are named placeholders: give them pagerduty_configs / email_configs,\n"
            "# or merge `route` and `inhibit_rules` into your own configuration.\n")
    return [Artifact("alertmanager/alertmanager.yaml", header(f"{sources} and the taxonomy") + note
                     + dump(config(plans)))]
