"""A `not_applicable` waiver in a model's spec is for an incident type that gets no alert for that model.

A waiver says the type cannot happen to the model, so the coverage rule asks no alert for it. When an alert for
that type names the model anyway — one the spec now generates (protected groups were added since the waiver was
written) or one among the linted rule files — the waiver no longer says what is true: delete it, or the alert.
Alerts that name no model (they count for every model) do not make a waiver stale.

Passing:
    # specs/models/chat.yaml declares not_applicable: {bias_and_fairness_violation: "no personal data"},
    # and no alert for bias_and_fairness_violation names model chat

Failing:
    # the same spec, and a rule file with an alert for the waived type
    groups:
      - name: ai
        rules:
          - alert: AIModelFairnessViolation
            expr: aigen:fairness_ratio{model_id="chat"} < 0.8
            labels: {severity: high, incident_type: bias_and_fairness_violation, model_id: chat}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext
    from aigen.yamlio import Document

ID = "stale-waiver"
LEVEL = "warning"


def check(ctx: LintContext) -> Iterator[Problem]:
    if ctx.taxonomy is None:
        return
    alerted: dict[str, dict[str, str]] = {}  # model -> incident type -> what alerts on it
    for _loaded, plan in ctx.plans if any(s.spec.not_applicable for s in _specs(ctx)) else []:
        detectors: dict[str, dict[str, str]] = {}  # incident type -> detector -> its first alert
        for alert in plan.alerts:
            itype = alert.labels.get("incident_type")
            if itype:
                detectors.setdefault(itype, {}).setdefault(alert.alert.detector, alert.name)
        for itype, found in detectors.items():
            alerted.setdefault(plan.model_id, {})[itype] = (
                f"the spec generates alert {min(found.values())}: delete the waiver (not_applicable), or stop "
                f"generating the type's alerts (disabled_detectors: [{', '.join(sorted(found))}])")
    if ctx.alerts:  # not otherwise: linting one spec (pre-commit) imports no rule-file machinery
        from aigen.lint import coverage

        for (model, itype), names in coverage.alert_names(ctx).items():
            if model is not None:
                alerted.setdefault(model, {}).setdefault(
                    itype, f"alert {min(names)} names the model: delete the waiver (not_applicable) or the alert")
    for model in sorted(alerted):
        spec = ctx.spec_for(model)
        waived = spec.not_applicable if spec is not None else {}
        for itype in sorted(set(waived) & set(alerted[model])):
            path, line, col = _waiver_at(ctx, model, itype)
            yield Problem(path, line, col, f"model {model} declares incident type '{itype}' not applicable, but "
                                           f"{alerted[model][itype]}")


def _specs(ctx: LintContext) -> list:
    return ctx.project.specs if ctx.project is not None else []


def _waiver_at(ctx: LintContext, model: str, itype: str) -> tuple[str, int, int]:
    """The waiver's key in the model's spec: a linted spec, else ``<specs>/<model>.yaml``."""
    doc: Document | None = next((s.doc for s in _specs(ctx) if s.spec.model.id == model), None)
    if doc is None:
        from aigen.errors import InputError, UsageError
        from aigen.yamlio import load_mapping

        path = ctx.config.specs / f"{model}.yaml"
        try:
            doc = load_mapping(path, ctx.config.display(path), "ModelSpec")
        except (InputError, UsageError):
            return ctx.config.display(path), 0, 0
    line, col = doc.locate(("not_applicable", itype), want_key=True)
    return doc.path, line, col
