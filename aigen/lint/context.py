"""The lint context: everything a rule may read, built once per run.

Two ways in: the project (no paths: the specs, the taxonomy and every file under generated/) or the paths named
(spec files, PrometheusRule manifests, plain rule files, runbooks, or folders of them). ``--taxonomy`` names the
taxonomy of a repository without specs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigen.config import Config
from aigen.errors import InputError, Problem, UsageError
from aigen.lint import loader
from aigen.lint.model import Inputs, Rule, Runbook
from aigen.lint.settings import Settings
from aigen.yamlio import Document, load_mapping

if TYPE_CHECKING:
    from aigen import promql
    from aigen.plan import ModelPlan
    from aigen.project import LoadedSpec, Project
    from aigen.spec import ModelSpec
    from aigen.taxonomy import Taxonomy


@dataclass
class LintContext:
    config: Config
    settings: Settings
    inputs: Inputs
    project_mode: bool
    taxonomy: Taxonomy | None = None
    taxonomy_path: Path | None = None
    project: Project | None = None
    load_problems: list[Problem] = field(default_factory=list)  # unreadable or invalid YAML
    spec_problems: list[Problem] = field(default_factory=list)  # what `aigen validate` reports
    _labels: dict[int, promql.LabelSet] = field(default_factory=dict, repr=False)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)
    """Indexes and file contents rules build once per run (the coverage matrix's, for one)."""

    # --- rules -------------------------------------------------------------------------------------------------
    @property
    def alerts(self) -> list[Rule]:
        return [r for r in self.inputs.rules if r.is_alert]

    @cached_property
    def records(self) -> dict[str, list[Rule]]:
        out: dict[str, list[Rule]] = {}
        for rule in self.inputs.rules:
            if not rule.is_alert:
                out.setdefault(rule.name, []).append(rule)
        return out

    def ast(self, rule: Rule) -> Any | None:
        """The parsed expression, or None when it does not parse (the promql-syntax rule reports that)."""
        from aigen import promql  # here, not at the top: a lint of specs alone parses no PromQL

        try:
            return promql.parse(rule.expr)
        except (ValueError, TypeError):
            return None

    def model_of(self, rule: Rule) -> str | None:
        """model_id from the rule's labels, else from an equality matcher of its selectors; None: global."""
        if rule.labels.get("model_id"):
            return rule.labels["model_id"]
        ast = self.ast(rule)
        if ast is None:
            return None
        from aigen import promql

        ids = {promql.equal_matchers(s).get("model_id") for s in promql.selectors(ast)} - {None}
        return ids.pop() if len(ids) == 1 else None

    def records_for(self, name: str, reader: Rule) -> list[Rule]:
        """Recording rules named ``name`` that ``reader`` reads: those of its own file, else any."""
        return self._records_by_file.get((name, reader.file_key)) or self.records.get(name, [])

    @cached_property
    def _records_by_file(self) -> dict[tuple[str, tuple[str, int]], list[Rule]]:
        """Every model records the same names: looked up by (name, file), a reader's records cost no scan."""
        out: dict[tuple[str, tuple[str, int]], list[Rule]] = {}
        for name, rules in self.records.items():
            for rule in rules:
                out.setdefault((name, rule.file_key), []).append(rule)
        return out

    def result_labels(self, rule: Rule, seen: frozenset[str] = frozenset()) -> promql.LabelSet:
        from aigen import promql

        key = id(rule.node)
        if key not in self._labels:
            ast = self.ast(rule)
            if ast is None:
                return promql.LabelSet(frozenset(), False)
            self._labels[key] = promql.result_labels(
                ast, lambda sel: self._selector_labels(sel, rule, seen | {rule.name}))
        return self._labels[key]

    def _selector_labels(self, sel: Any, reader: Rule, seen: frozenset[str]) -> promql.LabelSet:
        """A series' labels: a recording rule's result, the metric contract's labels, or open (unknown metric)."""
        from aigen import promql

        own = promql.LabelSet(frozenset(promql.equal_matchers(sel)), True)
        name = promql.metric_name(sel)
        if name in self.records and name not in seen:
            out = promql.EMPTY
            for record in self.records_for(name, reader):
                out = out | self.result_labels(record, seen) | promql.LabelSet(frozenset(record.labels), True)
            return out | own
        contract = self.contract.get(name or "")
        if contract is None:
            return promql.LabelSet(own.names, False)
        return promql.LabelSet(contract | own.names | self.settings.target_labels, "<" not in "".join(contract))

    @cached_property
    def contract(self) -> dict[str, frozenset[str]]:
        """Series name -> labels, from the metric contract of the taxonomy's detectors (histograms split in parts);
        empty without a valid taxonomy (every series is then open)."""
        from aigen.contract import MetricContract

        return MetricContract.of(self.taxonomy).series_labels() if self.taxonomy is not None else {}

    # --- specs and runbooks ------------------------------------------------------------------------------------
    def spec_for(self, model_id: str | None) -> ModelSpec | None:
        """The model's spec: a linted one, else ``<specs>/<model_id>.yaml`` of the project when it validates."""
        if model_id is None:
            return None
        return self._specs.get(model_id)

    @cached_property
    def _specs(self) -> dict[str, ModelSpec]:
        found = {s.spec.model.id: s.spec for s in (self.project.specs if self.project else [])}
        wanted = {self.model_of(r) for r in self.inputs.rules} | {rb.model_id for rb in self.inputs.runbooks}
        missing = sorted(m for m in wanted - set(found) - {None} if m)
        paths = [self.config.specs / f"{m}.yaml" for m in missing if (self.config.specs / f"{m}.yaml").is_file()]
        if paths and self.taxonomy is not None:
            from aigen.project import load_project

            try:
                extra = load_project(self.config, paths, self.taxonomy_path)
            except (InputError, UsageError):
                return found
            found.update({s.spec.model.id: s.spec for s in extra.specs})
        return found

    @property
    def runbooks(self) -> list[Runbook]:
        return self.inputs.runbooks

    def runbook_file(self, url: str) -> Runbook | None:
        """The runbook a runbook_url names under the project's runbook_base_url (generated/ on disk), if any."""
        key = ("runbook-url", url)  # every alert of a type names the same runbook: found on disk once
        if key not in self.memo:
            self.memo[key] = self._runbook_at(url)
        return self.memo[key]

    def _runbook_at(self, url: str) -> Runbook | None:
        base = self.config.runbook_base_url + "/"
        if not url.startswith(base) or "{{" in url:
            return None
        path = self.config.generated / url[len(base):]
        if not path.is_file():
            return None
        return loader.load_referenced_runbook(path, self.config, self.inputs)

    @cached_property
    def plans(self) -> list[tuple[LoadedSpec, ModelPlan]]:
        """Each valid spec of the project with its plan, built once for every rule that needs one."""
        if self.project is None or self.taxonomy is None:
            return []
        from aigen.plan import build_project

        return list(zip(self.project.specs, build_project(self.project), strict=True))

    # --- taxonomy positions --------------------------------------------------------------------------------------
    @cached_property
    def taxonomy_doc(self) -> Document | None:
        if self.taxonomy_path is None:
            return None
        try:
            return load_mapping(self.taxonomy_path, self.config.display(self.taxonomy_path), "Taxonomy")
        except (InputError, UsageError):
            return None

    def taxonomy_at(self, *loc: Any) -> tuple[str, int, int]:
        doc = self.taxonomy_doc
        if doc is None:
            return (self.config.display(self.taxonomy_path) if self.taxonomy_path else "taxonomy", 0, 0)
        line, col = doc.locate(loc, want_key=True)
        return doc.path, line, col
