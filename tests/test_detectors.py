"""The detector registry is discovered from the package: one module per detector, named by its id."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from dataclasses import replace
from types import SimpleNamespace

import pytest

import aigen.detectors as package
from aigen.config import load_config
from aigen.detectors import DETECTORS, Registry, _declared_ids, _discover
from aigen.project import load_project
from tests.conftest import REPO


def test_every_detector_lives_in_the_module_of_its_id() -> None:
    assert DETECTORS, "no detector discovered"
    for det_id, detector in DETECTORS.items():
        assert importlib.import_module(f"aigen.detectors.{det_id}").DETECTOR is detector


def test_every_module_with_a_detector_is_registered() -> None:
    modules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    defining = {name for name in modules if hasattr(importlib.import_module(f"aigen.detectors.{name}"), "DETECTOR")}
    assert defining == set(DETECTORS)


def test_the_shipped_taxonomy_binds_only_discovered_detectors() -> None:
    project = load_project(load_config(REPO))
    bound = {d for itype in project.taxonomy.incident_types.values() for d in itype.detectors}
    assert bound <= set(DETECTORS)
    assert len(bound) >= 10  # the shipped taxonomy watches every type with built-in detectors


def test_a_module_whose_detector_has_another_id_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    original = importlib.import_module

    def renamed(name: str, *args: object) -> object:
        module = original(name, *args)
        if name == "aigen.detectors.accuracy_drop":
            return SimpleNamespace(DETECTOR=replace(module.DETECTOR, id="accuracy"))
        return module

    monkeypatch.setattr(importlib, "import_module", renamed)
    with pytest.raises(RuntimeError, match="accuracy_drop defines detector 'accuracy'"):
        _discover()


def test_the_ids_read_from_the_sources_are_the_ids_discovery_imports() -> None:
    assert _declared_ids() == list(_discover())
    fresh = Registry()
    assert list(fresh) == list(_discover()) and len(fresh) == len(_discover())
    assert "accuracy_drop" in fresh and "accuracy" not in fresh
    assert fresh["accuracy_drop"] is DETECTORS["accuracy_drop"]
    with pytest.raises(KeyError):
        fresh["accuracy"]


def test_a_registry_without_readable_sources_imports_to_list_the_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(package, "_declared_ids", lambda: None)
    fresh = Registry()
    assert list(fresh) == list(_discover())


def _modules_after(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"],
                         cwd=REPO, capture_output=True, text=True, timeout=60, check=True).stdout
    return [m for m in json.loads(out.splitlines()[-1]) if m.startswith("aigen.detectors.")]


def test_asking_for_ids_imports_no_detector_and_a_detector_imports_them_all() -> None:
    assert _modules_after("from aigen.detectors import DETECTORS\n"
                          "assert 'input_drift' in DETECTORS and 'nope' not in DETECTORS and len(DETECTORS) > 10") == []
    loaded = _modules_after("from aigen.detectors import DETECTORS\nDETECTORS['input_drift']")
    assert {f"aigen.detectors.{d}" for d in DETECTORS} <= set(loaded)


def test_validating_a_spec_imports_no_detector() -> None:
    code = ("from pathlib import Path\nfrom aigen.config import load_config\nfrom aigen.project import load_project\n"
            "project = load_project(load_config(Path.cwd()), [Path('specs/models/loan-approval.yaml')])\n"
            "assert project.specs and not project.problems, project.problems")
    assert _modules_after(code) == []
