"""The registry of built-in detectors, by id. The taxonomy binds them to incident types.

Each detector is the module of its own id in this package (``accuracy_drop.py`` defines ``accuracy_drop``) with a
module-level ``DETECTOR``; adding a file adds a detector. The other modules (base, guards, sim, counts, drift,
fairness, annotations) are the parts detectors share.

Discovery is lazy, so that checking names costs no imports (`aigen validate` checks the taxonomy's and each spec's
detector names and builds no plan): asking whether an id is known, or listing the ids, reads the package's sources
(a module that assigns ``DETECTOR`` at its top level defines one) and imports no detector; the first look at a
detector itself imports every module, in id order, and refuses a module whose ``DETECTOR`` carries another id — as
discovery always did. ``Alert``, ``Detector`` and the other shared types are imported from ``base`` on first use for
the same reason.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aigen.detectors.base import Alert, Context, Detector, Metric, Record, Timing

_DEFINES = re.compile(r"^DETECTOR\s*(?::[^=\n]*)?=", re.MULTILINE)
"""A top-level assignment of ``DETECTOR`` (annotated or not) in a module's source."""

_SHARED = frozenset({"Alert", "Context", "Detector", "Metric", "Record", "Timing"})


def _module_names() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules(__path__))


def _discover() -> dict[str, Detector]:
    """Import every module of the package; the detectors found, by id, in id order."""
    found: dict[str, Detector] = {}
    for name in _module_names():
        detector = getattr(importlib.import_module(f"{__name__}.{name}"), "DETECTOR", None)
        if detector is None:
            continue
        if detector.id != name:  # the file name is how a reader finds a detector: keep them one
            raise RuntimeError(f"{__name__}.{name} defines detector '{detector.id}': rename one of them")
        found[detector.id] = detector
    return found


def _declared_ids() -> list[str] | None:
    """The ids of the modules whose source defines a ``DETECTOR``, in id order, without importing them; None when a
    module's source cannot be read (an install without sources), and only importing can tell."""
    ids: list[str] = []
    for name in _module_names():
        found = [Path(folder) / f"{name}.py" for folder in __path__ if (Path(folder) / f"{name}.py").is_file()]
        if not found:
            return None
        try:
            text = found[0].read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        if _DEFINES.search(text):
            ids.append(name)
    return ids


class Registry(Mapping[str, "Detector"]):
    """The detectors by id: ids from the sources, detectors imported on first access (module docstring)."""

    def __init__(self) -> None:
        self._ids: list[str] | None = None
        self._detectors: dict[str, Detector] | None = None

    def _loaded(self) -> dict[str, Detector]:
        if self._detectors is None:
            self._detectors = _discover()
        return self._detectors

    def _names(self) -> list[str]:
        if self._detectors is not None:
            return list(self._detectors)
        if self._ids is None:
            self._ids = _declared_ids()
            if self._ids is None:
                self._ids = list(self._loaded())
        return self._ids

    def __getitem__(self, key: str) -> Detector:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, key: object) -> bool:
        return key in self._names()

    def __repr__(self) -> str:
        return f"Registry({self._names()!r})"


DETECTORS: Mapping[str, Detector] = Registry()


def __getattr__(name: str) -> Any:
    if name in _SHARED:
        from aigen.detectors import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DETECTORS", "Alert", "Context", "Detector", "Metric", "Record", "Timing"]
