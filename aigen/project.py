"""Load a project: the taxonomy and every model spec, validated, with every problem located.

``load_project`` never stops at the first bad file: it collects problems across all files so one run of
``aigen validate`` shows everything to fix.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from aigen.config import Config
from aigen.errors import InputError, Problem, UsageError
from aigen.schema_errors import validate_document
from aigen.spec import ModelSpec
from aigen.taxonomy import Taxonomy, default_taxonomy_path, load_taxonomy
from aigen.yamlio import Document, load_mapping, locate


@dataclass(frozen=True)
class LoadedSpec:
    spec: ModelSpec
    path: Path
    display: str
    doc: Document


@dataclass
class Project:
    config: Config
    taxonomy: Taxonomy
    taxonomy_display: str
    specs: list[LoadedSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def spec_files(paths: list[Path], config: Config) -> list[Path]:
    """The spec files named (files, or folders searched for *.yaml / *.yml), sorted; default: the specs folder."""
    roots = paths or [config.specs]
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found.extend(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        elif root.exists():
            found.append(root)
        else:
            raise UsageError(f"{root}: no such file or directory")
    return sorted(set(found), key=lambda p: str(p))


def load_project_taxonomy(config: Config, override: Path | None = None) -> tuple[Taxonomy, str]:
    path = override or config.taxonomy or default_taxonomy_path()
    if not path.is_file():
        raise UsageError(f"{path}: taxonomy file not found")
    display = config.display(path)
    return load_taxonomy(path, display), display


def load_project(config: Config, paths: list[Path] | None = None, taxonomy_path: Path | None = None) -> Project:
    """Taxonomy and specs; raises InputError only when the taxonomy itself is invalid."""
    taxonomy, tax_display = load_project_taxonomy(config, taxonomy_path)
    project = Project(config, taxonomy, tax_display)
    for path in spec_files(list(paths or []), config):
        display = config.display(path)
        try:
            doc = load_mapping(path, display, "ModelSpec")
        except InputError as exc:
            project.problems.extend(exc.problems)
            continue
        spec, problems = validate_document(doc, ModelSpec)
        project.problems.extend(problems)
        if spec is None:
            continue
        cross = check_spec(spec, doc, taxonomy)
        project.problems.extend(cross)
        if not cross:
            project.specs.append(LoadedSpec(spec, path, display, doc))
    _check_unique_ids(project)
    project.problems.sort()
    return project


def check_spec(spec: ModelSpec, doc: Document, taxonomy: Taxonomy) -> list[Problem]:
    """The checks a schema cannot express: references between fields and to the taxonomy."""
    from aigen.detectors import DETECTORS

    out: list[Problem] = []

    def add(loc: tuple, message: str, key: bool = False) -> None:
        line, col = locate(doc.data, loc, want_key=key)
        out.append(Problem(doc.path, line, col, message))

    versions = spec.model.versions
    if versions.known_good == versions.current:
        add(("model", "versions", "known_good"), "model.versions.known_good must differ from current: a rollback to "
                                                 "the version that is failing restores nothing")
    if spec.fallbacks.rollback_to == "previous" and not versions.previous:
        add(("fallbacks", "rollback_to"), "fallbacks.rollback_to is 'previous' but model.versions.previous is not set")
    seen: dict[str, int] = {}
    for i, feature in enumerate(spec.features):
        if feature.name in seen:
            add(("features", i, "name"), f"feature '{feature.name}' is declared twice (first at features[{seen[feature.name]}])")
        seen.setdefault(feature.name, i)
    attrs: dict[str, int] = {}
    for i, group in enumerate(spec.groups):
        if group.attribute in attrs:
            add(("groups", i, "attribute"), f"protected attribute '{group.attribute}' is declared twice")
        attrs.setdefault(group.attribute, i)
        if group.attribute in ("model_id", "outcome", "le", "feature", "bin"):
            add(("groups", i, "attribute"), f"'{group.attribute}' is reserved by the metric contract; rename the label")
        if len(set(group.values)) != len(group.values):
            add(("groups", i, "values"), "group values must be unique")
        if group.reference not in group.values:
            hint = difflib.get_close_matches(group.reference, group.values, n=1)
            extra = f"; did you mean '{hint[0]}'?" if hint else f" (values: {', '.join(group.values)})"
            add(("groups", i, "reference"), f"reference group '{group.reference}' is not among the values{extra}")
    for name, level in spec.severity_overrides.items():
        if name not in taxonomy.incident_types:
            hint = difflib.get_close_matches(name, list(taxonomy.incident_types), n=1)
            extra = f"; did you mean '{hint[0]}'?" if hint else ""
            add(("severity_overrides", name), f"'{name}' is not an incident type of the taxonomy{extra}", key=True)
        elif level not in taxonomy.severity_levels:
            add(("severity_overrides", name), f"'{level}' is not a severity level "
                                              f"({', '.join(taxonomy.severity_levels)})")
    for i, det in enumerate(spec.disabled_detectors):
        if det not in DETECTORS:
            hint = difflib.get_close_matches(det, list(DETECTORS), n=1)
            extra = f"; did you mean '{hint[0]}'?" if hint else ""
            add(("disabled_detectors", i), f"unknown detector '{det}'{extra}")
    stem = Path(doc.path).stem
    if stem != spec.model.id:
        add(("model", "id"), f"model.id '{spec.model.id}' differs from the file name '{stem}': name the file "
                             f"{spec.model.id}.yaml so specs and generated/{spec.model.id}/ stay paired")
    return out


def _check_unique_ids(project: Project) -> None:
    first: dict[str, LoadedSpec] = {}
    keep: list[LoadedSpec] = []
    for loaded in project.specs:
        mid = loaded.spec.model.id
        if mid in first:
            line, col = locate(loaded.doc.data, ("model", "id"))
            project.problems.append(Problem(loaded.display, line, col,
                                            f"model id '{mid}' is already used by {first[mid].display}"))
        else:
            first[mid] = loaded
            keep.append(loaded)
    project.specs = keep
