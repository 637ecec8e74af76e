"""The detector registry is discovered from the package: one module per detector, named by its id."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import replace
from types import SimpleNamespace

import pytest

import aigen.detectors as package
from aigen.config import load_config
from aigen.detectors import DETECTORS, _discover
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
