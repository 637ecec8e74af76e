"""PrometheusRule manifests validate against the CRD's schema (monitoring.coreos.com/v1) — and against kubeconform,
run by subprocess, when a `kubeconform` binary is on PATH.

A manifest the operator rejects is worse than no manifest: it is silently never loaded, and (prometheus#13226) one
bad group can keep a whole PrometheusRule out. aigen ships the schema kubeconform uses, so the check works offline.

Passing:
    apiVersion: monitoring.coreos.com/v1
    kind: PrometheusRule
    metadata: {name: aigen-fraud-detection, namespace: monitoring}
    spec:
      groups:
        - name: aigen.fraud-detection.alerts
          interval: 30s
          rules: []

Failing:
    apiVersion: monitoring.coreos.com/v1
    kind: PrometheusRule
    metadata: {name: aigen-fraud-detection, namespace: monitoring}
    spec:
      groups:
        - name: aigen.fraud-detection.alerts
          interval: 30 seconds    # not a Prometheus duration
          rules: []
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "manifest-schema"
LEVEL = "error"

SCHEMAS = Path(__file__).resolve().parent.parent.parent / "data" / "schemas"
KUBECONFORM_LOCATION = str(SCHEMAS) + "/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"


@lru_cache(maxsize=1)
def validator() -> Any:
    """The CRD schema as a validator. It holds a Go regex, ``^(?i)(abort|warn)?$``, whose inline flag Python accepts
    only at the very start: moved there, it means the same."""
    import jsonschema

    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (v.replace("^(?i)", "(?i)^") if k == "pattern" and isinstance(v, str) else fix(v))
                    for k, v in node.items()}
        return [fix(v) for v in node] if isinstance(node, list) else node

    schema = json.loads((SCHEMAS / "monitoring.coreos.com" / "prometheusrule_v1.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(fix(schema))


def check(ctx: LintContext) -> Iterator[Problem]:
    if not ctx.inputs.manifests:
        return
    from aigen.yamlio import to_plain

    for doc in ctx.inputs.manifests:
        for error in sorted(validator().iter_errors(to_plain(doc.data)), key=lambda e: list(e.absolute_path)):
            where = ".".join(str(p) for p in error.absolute_path) or "(document)"
            line, col = doc.locate(tuple(error.absolute_path))
            yield Problem(doc.path, line, col, f"{where}: {error.message}")
    yield from kubeconform(ctx, sorted({doc.path for doc in ctx.inputs.manifests}))


def kubeconform(ctx, paths: list[str]) -> Iterator[Problem]:
    import shutil
    import subprocess  # here, not at the top: the pre-commit path (one spec, no manifest) never runs it

    binary = shutil.which("kubeconform")
    if binary is None:
        return
    files = [str(Path(p) if Path(p).is_absolute() else ctx.config.root / p) for p in paths]
    try:
        proc = subprocess.run([binary, "-strict", "-output", "json", "-schema-location", KUBECONFORM_LOCATION,
                               *files], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        yield Problem(paths[0], 0, 0, f"kubeconform could not run: {exc}")
        return
    try:
        resources = json.loads(proc.stdout or "{}").get("resources") or []
    except (ValueError, AttributeError):
        resources = []
        if proc.returncode:
            yield Problem(paths[0], 0, 0, f"kubeconform failed: {' '.join((proc.stdout + proc.stderr).split())[:300]}")
    by_file = dict(zip(files, paths, strict=True))
    for item in resources:
        status = str(item.get("status", "")).upper()
        if "INVALID" in status or "ERROR" in status:
            shown = by_file.get(str(item.get("filename")), str(item.get("filename")))
            yield Problem(shown, 0, 0, f"kubeconform: {item.get('kind', '?')} {status.lower()}: {item.get('msg', '')}")
