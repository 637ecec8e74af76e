"""Prometheus rules: a PrometheusRule manifest (prometheus-operator) and the same groups as a plain rule file."""

from __future__ import annotations

from typing import Any

from aigen.detectors import Record
from aigen.durations import format_duration
from aigen.plan import ModelPlan, PlannedAlert
from aigen.render import Artifact, RenderEnv
from aigen.yamlout import dump, header


def groups(plan: ModelPlan) -> list[dict[str, Any]]:
    out = []
    for group in plan.groups:
        rules: list[dict[str, Any]] = []
        for rule in group.rules:
            if isinstance(rule, Record):
                entry: dict[str, Any] = {"record": rule.record, "expr": rule.expr}
                if rule.labels:
                    entry["labels"] = dict(rule.labels)
            else:
                entry = _alert(rule)
            rules.append(entry)
        out.append({"name": group.name, "interval": format_duration(group.interval), "rules": rules})
    return out


def _alert(rule: PlannedAlert) -> dict[str, Any]:
    return {
        "alert": rule.name,
        "expr": rule.alert.expr,
        "for": format_duration(rule.alert.for_seconds),
        "labels": dict(rule.labels),
        "annotations": dict(rule.annotations),
    }


def manifest(plan: ModelPlan) -> dict[str, Any]:
    labels = {
        "app.kubernetes.io/name": "aigen",
        "app.kubernetes.io/managed-by": "aigen",
        "aigen.dev/model-id": plan.model_id,
        **plan.config.rule_labels,
    }
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": f"aigen-{plan.model_id}", "namespace": plan.config.rules_namespace, "labels": labels},
        "spec": {"groups": groups(plan)},
    }


def render(plan: ModelPlan, env: RenderEnv) -> list[Artifact]:
    head = header(plan.spec_path)
    return [
        Artifact(f"{plan.model_id}/prometheusrule.yaml", head + dump(manifest(plan))),
        Artifact(f"{plan.model_id}/rules.yaml", head + dump({"groups": groups(plan)})),
    ]
