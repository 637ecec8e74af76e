"""generated/alertmanager/alertmanager.yaml: severity routing for every model's alerts, complete and checkable.

What routes where comes from the taxonomy's severity actions, not from code: a level with ``page_on_call`` pages the
model's ``oncall`` receiver, one with ``create_ticket`` goes to the owning team's ticket receiver, one with
``escalate_to_management`` also notifies management. Repeat intervals are the levels' response times ("next business
day" counts as 1d). Alerts are grouped by model and incident type, so one incident is one notification. Every alert
is also copied (``continue: true``) to ``aigen-incident-records``, the webhook that runs ``aigen incident new``.

Receivers are named placeholders: a team adds its pagerduty/webhook/email configs, or merges ``route`` and
``inhibit_rules`` into its own configuration. Checked with ``amtool check-config`` in the tests.
"""

from __future__ import annotations

from typing import Any

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
RECORDS_REPEAT = "168h"  # one record per incident: re-sending the group weekly is enough to notice a lost one


def tickets_receiver(owner: str) -> str:
    return f"{owner}-tickets"


def _severity_routes(taxonomy: Taxonomy, oncall: str, tickets: str) -> list[dict[str, Any]]:
    """One route per severity level (most severe first), plus a management copy where the level escalates."""
    routes: list[dict[str, Any]] = []
    for name, level in taxonomy.severity_levels.items():
        match = f'severity="{name}"'
        repeat = format_duration(level.response_seconds)
        if "escalate_to_management" in level.actions:
            routes.append({"receiver": MANAGEMENT_RECEIVER, "matchers": [match], "repeat_interval": repeat,
                           "continue": True})
        receiver = oncall if "page_on_call" in level.actions else tickets
        routes.append({"receiver": receiver, "matchers": [match], "repeat_interval": repeat})
    return routes


def _receivers(plans: list[ModelPlan], taxonomy: Taxonomy) -> list[str]:
    names = {RECORDS_RECEIVER, DEFAULT_ONCALL, DEFAULT_TICKETS}
    if any("escalate_to_management" in lvl.actions for lvl in taxonomy.severity_levels.values()):
        names.add(MANAGEMENT_RECEIVER)
    for plan in plans:
        names.update(_used(taxonomy, plan.spec.model.oncall, tickets_receiver(plan.spec.model.owner)))
    return sorted(names)


def _used(taxonomy: Taxonomy, oncall: str, tickets: str) -> set[str]:
    return {r["receiver"] for r in _severity_routes(taxonomy, oncall, tickets)}


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
    taxonomy = plans[0].taxonomy
    lowest = list(taxonomy.severity_levels.values())[-1]
    model_routes = [{"matchers": [f'model_id="{plan.model_id}"'],
                     "routes": _severity_routes(taxonomy, plan.spec.model.oncall,
                                                tickets_receiver(plan.spec.model.owner))}
                    for plan in sorted(plans, key=lambda p: p.model_id)]
    route = {
        "receiver": DEFAULT_TICKETS,
        "group_by": GROUP_BY,
        "group_wait": "30s",
        "group_interval": "5m",
        "repeat_interval": format_duration(lowest.response_seconds),
        "routes": [
            {"receiver": RECORDS_RECEIVER, "matchers": ['incident_type=~".+"'], "repeat_interval": RECORDS_REPEAT,
             "continue": True},
            *model_routes,
            {"matchers": ['severity=~".+"'], "routes": _severity_routes(taxonomy, DEFAULT_ONCALL, DEFAULT_TICKETS)},
        ],
    }
    return {"route": route, "inhibit_rules": _inhibit_rules(taxonomy),
            "receivers": [{"name": name} for name in _receivers(plans, taxonomy)]}


def render(plans: list[ModelPlan], env: RenderEnv) -> list[Artifact]:
    if not plans:
        return []
    sources = ", ".join(sorted(p.spec_path for p in plans))
    note = ("# Receivers are named placeholders: give each its pagerduty_configs / webhook_configs / email_configs,\n"
            "# or merge `route` and `inhibit_rules` into your own configuration. aigen-incident-records is meant\n"
            "# for a webhook that runs `aigen incident new --alert PAYLOAD.json`.\n")
    return [Artifact("alertmanager/alertmanager.yaml", header(f"{sources} and the taxonomy") + note
                     + dump(config(plans)))]
