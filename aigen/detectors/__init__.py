"""The registry of built-in detectors, by id. The taxonomy binds them to incident types.

Each detector is the module of its own id in this package (``accuracy_drop.py`` defines ``accuracy_drop``) with a
module-level ``DETECTOR``; adding a file adds a detector. The other modules (base, guards, sim, counts, drift,
fairness, annotations) are the parts detectors share.
"""

from __future__ import annotations

import importlib
import pkgutil

from aigen.detectors.base import Alert, Context, Detector, Metric, Record, Timing


def _discover() -> dict[str, Detector]:
    found: dict[str, Detector] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        detector = getattr(importlib.import_module(f"{__name__}.{info.name}"), "DETECTOR", None)
        if detector is None:
            continue
        if detector.id != info.name:  # the file name is how a reader finds a detector: keep them one
            raise RuntimeError(f"{__name__}.{info.name} defines detector '{detector.id}': rename one of them")
        found[detector.id] = detector
    return found


DETECTORS: dict[str, Detector] = _discover()

__all__ = ["DETECTORS", "Alert", "Context", "Detector", "Metric", "Record", "Timing"]
