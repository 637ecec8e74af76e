"""Load a project: the taxonomy and every model spec, validated, with every problem located.

``load_project`` never stops at the first bad file: it collects problems across all files so one run of
``aigen validate`` shows everything to fix.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from aigen.config import Config
from aigen.detectors import DETECTORS
from aigen.errors import InputError, Problem, UsageError
from aigen.profile import Profile, check_profile, read_profile
from aigen.schema_errors import validate_document
from aigen.spec import INCIDENT_TYPE, ModelSpec
from aigen.taxonomy import Taxonomy, default_taxonomy_path, load_taxonomy, taxonomy_of
from aigen.yamlio import Document, load_mapping


@dataclass(frozen=True)
class LoadedSpec:
    spec: ModelSpec
    path: Path
    display: str
    doc: Document
    profile: Profile | None = None
    """The training profile (specs/profiles/<model-id>.json) when there is one: drift and fairness baselines."""


@dataclass
class Project:
    config: Config
    taxonomy: Taxonomy
    taxonomy_display: str
    specs: list[LoadedSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Notes on files found in a folder that are neither a ModelSpec nor a Taxonomy (by their ``kind:``)."""


def spec_files(paths: list[Path], config: Config) -> list[tuple[Path, bool]]:
    """The files named (files, or folders searched for *.yaml / *.yml), sorted, each with whether it was named
    itself (True) or found in a folder (False); default: the specs folder."""
    roots = paths or [config.specs]
    found: dict[Path, bool] = {}
    for root in roots:
        if root.is_dir():
            for path in root.rglob("*"):
                if path.suffix in (".yaml", ".yml") and path.is_file():
                    found.setdefault(path, False)
        elif root.exists():
            found[root] = True
        else:
            raise UsageError(f"{root}: no such file or directory")
    return sorted(found.items(), key=lambda item: str(item[0]))


def load_project_taxonomy(config: Config, override: Path | None = None) -> tuple[Taxonomy, str]:
    path = override or config.taxonomy or default_taxonomy_path()
    if not path.is_file():
        raise UsageError(f"{path}: taxonomy file not found")
    display = config.display(path)
    return load_taxonomy(path, display, detectors=DETECTORS), display


def load_project(config: Config, paths: list[Path] | None = None, taxonomy_path: Path | None = None) -> Project:
    """Taxonomy and specs; raises InputError only when the taxonomy itself is invalid."""
    taxonomy, tax_display = load_project_taxonomy(config, taxonomy_path)
    project = Project(config, taxonomy, tax_display)
    for path, named in spec_files(list(paths or []), config):
        _load_file(project, path, named)
    _check_unique_ids(project)
    project.specs = [_attach_profile(config, loaded, project.problems) for loaded in project.specs]
    project.problems.sort()
    return project


def _load_file(project: Project, path: Path, named: bool) -> None:
    """Validate one file by its ``kind:``: a ModelSpec, or a Taxonomy (checked on its own; the specs are checked
    against the project's). A file found in a folder that is neither, and does not claim an aigen ``apiVersion``,
    is skipped with a note: ``aigen validate specs`` must not read the taxonomy (or a team's other YAML) as a spec.
    """
    display = project.config.display(path)
    try:
        doc = load_mapping(path, display, "ModelSpec", fast=True)
    except InputError as exc:
        project.problems.extend(exc.problems)
        return
    kind, api = doc.data.get("kind"), str(doc.data.get("apiVersion", ""))
    if kind == "Taxonomy":
        if display != project.taxonomy_display:
            project.problems.extend(taxonomy_of(doc, detectors=DETECTORS)[1])
        return
    if kind != "ModelSpec" and not named and not api.startswith("aigen/"):
        project.skipped.append(f"{display}: skipped: kind {kind!r} is neither ModelSpec nor Taxonomy")
        return
    spec, problems = validate_document(doc, ModelSpec)
    cross = check_spec(doc, project.taxonomy)
    project.problems.extend(problems + cross)
    if spec is not None and not cross:
        project.specs.append(LoadedSpec(spec, path, display, doc))


def check_spec(doc: Document, taxonomy: Taxonomy) -> list[Problem]:
    """The checks a schema cannot express: references between fields and to the taxonomy.

    They read the raw document, defensively, so they run even when the schema check failed elsewhere in the file:
    one run of `aigen validate` shows every problem.
    """
    data = doc.data
    out: list[Problem] = []

    def add(loc: tuple, message: str, key: bool = False) -> None:
        line, col = doc.locate(loc, want_key=key)
        out.append(Problem(doc.path, line, col, message))

    model = _map(data.get("model"))
    versions = _map(model.get("versions"))
    fallbacks = _map(data.get("fallbacks"))
    if "known_good" in versions and versions.get("known_good") == versions.get("current"):
        add(("model", "versions", "known_good"), "model.versions.known_good must differ from current: a rollback to "
                                                 "the version that is failing restores nothing")
    if fallbacks.get("rollback_to") == "previous" and not versions.get("previous"):
        add(("fallbacks", "rollback_to"), "fallbacks.rollback_to is 'previous' but model.versions.previous is not set")
    seen: dict[str, int] = {}
    for i, feature in enumerate(_list(data.get("features"))):
        name = _map(feature).get("name")
        if isinstance(name, str) and name in seen:
            add(("features", i, "name"), f"feature '{name}' is declared twice (first at features[{seen[name]}])")
        if isinstance(name, str):
            seen.setdefault(name, i)
    attrs: set[str] = set()
    for i, group in enumerate(_list(data.get("groups"))):
        out.extend(_check_group(doc, i, _map(group), attrs))
    for name, level in _map(data.get("severity_overrides")).items():
        if isinstance(name, (list, dict)) or isinstance(level, (list, dict)):
            continue  # pydantic reports the type; a list is not hashable for the look-ups below
        if name not in taxonomy.incident_types:
            add(("severity_overrides", name), f"'{name}' is not an incident type of the taxonomy"
                                              f"{_did_you_mean(str(name), taxonomy.incident_types)}", key=True)
        elif level not in taxonomy.severity_levels:
            add(("severity_overrides", name), f"'{level}' is not a severity level "
                                              f"({', '.join(taxonomy.severity_levels)})")
    for name in _map(data.get("not_applicable")):
        if isinstance(name, str) and re.match(INCIDENT_TYPE, name) and name not in taxonomy.incident_types:
            # a key of another form is pydantic's to report (the identifier pattern); a list key is not even a str
            add(("not_applicable", name), f"not_applicable: '{name}' is not an incident type of the taxonomy"
                                          f"{_did_you_mean(name, taxonomy.incident_types)}", key=True)
    for i, det in enumerate(_list(data.get("disabled_detectors"))):
        if not isinstance(det, (list, dict)) and det not in DETECTORS:  # pydantic reports a collection
            add(("disabled_detectors", i), f"unknown detector '{det}'{_did_you_mean(str(det), DETECTORS)}")
    model_id, stem = model.get("id"), Path(doc.path).stem
    if isinstance(model_id, str) and model_id != stem:
        add(("model", "id"), f"model.id '{model_id}' differs from the file name '{stem}': name the file "
                             f"{model_id}.yaml so specs and generated/{model_id}/ stay paired")
    return out


def _check_group(doc: Document, i: int, group: dict, attrs: set[str]) -> list[Problem]:
    out: list[Problem] = []

    def add(key: str, message: str) -> None:
        line, col = doc.locate(("groups", i, key))
        out.append(Problem(doc.path, line, col, message))

    attribute, values, reference = group.get("attribute"), _list(group.get("values")), group.get("reference")
    if not isinstance(attribute, str):  # pydantic reports the type; a list here is not even hashable
        attribute = None
    if attribute in attrs:
        add("attribute", f"protected attribute '{attribute}' is declared twice")
    if attribute is not None:
        attrs.add(attribute)
    if attribute in RESERVED_LABELS:
        add("attribute", f"'{attribute}' is reserved by the metric contract; rename the label")
    if len(set(map(str, values))) != len(values):
        add("values", "group values must be unique")
    if isinstance(reference, str) and values and reference not in values:
        hint = difflib.get_close_matches(reference, [str(v) for v in values], n=1)
        extra = f"; did you mean '{hint[0]}'?" if hint else f" (values: {', '.join(map(str, values))})"
        add("reference", f"reference group '{reference}' is not among the values{extra}")
    return out


RESERVED_LABELS = ("model_id", "outcome", "le", "feature", "bin", "severity", "incident_type")


def _map(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _did_you_mean(name: str, choices) -> str:
    hint = difflib.get_close_matches(name, list(choices), n=1)
    return f"; did you mean '{hint[0]}'?" if hint else ""


def _check_unique_ids(project: Project) -> None:
    first: dict[str, LoadedSpec] = {}
    keep: list[LoadedSpec] = []
    for loaded in project.specs:
        mid = loaded.spec.model.id
        if mid in first:
            line, col = loaded.doc.locate(("model", "id"))
            project.problems.append(Problem(loaded.display, line, col,
                                            f"model id '{mid}' is already used by {first[mid].display}"))
        else:
            first[mid] = loaded
            keep.append(loaded)
    project.specs = keep


def profile_path(config: Config, model_id: str) -> Path:
    """Where a model's training profile lives: specs/profiles/<model-id>.json, beside the specs folder."""
    return config.specs.parent / "profiles" / f"{model_id}.json"


def _attach_profile(config: Config, loaded: LoadedSpec, problems: list[Problem]) -> LoadedSpec:
    """The spec with its profile, when one exists and matches it; a broken profile is a located problem."""
    path = profile_path(config, loaded.spec.model.id)
    if not path.is_file():
        return loaded
    try:
        profile, doc = read_profile(path, config.display(path))
    except InputError as exc:
        problems.extend(exc.problems)
        return loaded
    mismatch = check_profile(loaded.spec, profile, doc)
    problems.extend(mismatch)
    return loaded if mismatch else replace(loaded, profile=profile)
