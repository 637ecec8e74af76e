"""Count predictions the way aigen's drift and fairness rules read them, on prometheus_client.

    from aigen.instrument import ModelInstrument
    instrument = ModelInstrument.from_file("specs/profiles/fraud-detection.json")
    ...
    instrument.observe({"amount": 42.0, "merchant_category_code": "5411", ...},
                       outcome="flagged", groups={"age_group": "30-44"})

``observe`` increments ``model_feature_bin_total{model_id, feature, bin}`` once per profiled feature (the bin from
``aigen.binning.Binner``, the same function that built the profile: a value lands in the same bin on both sides)
and ``model_predictions_total{model_id, outcome, <one label per protected attribute>}`` once. Every bin and every
group x outcome series is created at zero up front, so rate() sees the first increment and no bin is ever absent.
It never raises on odd input: unknown categories count as ``__other__``, nulls and unreadable numbers as
``__missing__``, a missing or unknown group value as ``__unknown__``. Install with ``pip install 'aigen[instrument]'``.

A model server imports this with prometheus_client and the standard library only (no pydantic, YAML or the rest of
aigen): the profile is read as plain JSON. Check it in CI with ``aigen validate``, which validates it against the spec.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter

from aigen.binning import UNKNOWN_GROUP, Binner, category_text, is_missing

if TYPE_CHECKING:
    from aigen.profile import Profile


class ModelInstrument:
    """The two counters of aigen's metric contract for one model, filled from a training profile."""

    def __init__(self, profile: Mapping[str, Any] | Profile, registry: CollectorRegistry = REGISTRY,
                 bins: Counter | None = None, predictions: Counter | None = None) -> None:
        """``profile``: the profile's JSON as loaded, or an ``aigen.profile.Profile``. Pass ``bins`` /
        ``predictions`` to share counters between several models in one process (the labels must match:
        ``model_id, feature, bin`` and ``model_id, outcome, <attributes>``)."""
        data = profile if isinstance(profile, Mapping) else profile.model_dump(mode="json")
        self.model_id: str = data["model_id"]
        self.binners: Mapping[str, Binner] = {
            f["name"]: Binner.of(f["type"], f.get("edges", []), [b["bin"] for b in f["bins"]])
            for f in data.get("features", [])}
        self.attributes = [g["attribute"] for g in data.get("groups", [])]
        self.groups = {g["attribute"]: {v["value"] for v in g["groups"]} for g in data.get("groups", [])}
        self.outcomes: list[str] = data.get("outcomes") or [data["positive_outcome"]]
        self.bins = bins or Counter("model_feature_bin", "Requests by the training-profile bin of each input feature.",
                                    ["model_id", "feature", "bin"], registry=registry)
        self.predictions = predictions or Counter(
            "model_predictions", "Predictions served, by outcome and protected group.",
            ["model_id", "outcome", *self.attributes], registry=registry)
        self._precreate()

    @classmethod
    def from_file(cls, path: str | Path, registry: CollectorRegistry = REGISTRY) -> ModelInstrument:
        """The instrument of a profile file (``specs/profiles/<model-id>.json``, written by ``aigen profile``)."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("kind") != "TrainingProfile":
            raise ValueError(f"{path}: not an aigen training profile (expected kind: TrainingProfile)")
        return cls(data, registry)

    def _precreate(self) -> None:
        for name, binner in self.binners.items():
            for label in binner.labels:
                self.bins.labels(self.model_id, name, label)
        values = [sorted(self.groups[a]) for a in self.attributes]
        for outcome in self.outcomes:
            for combo in itertools.product(*values):
                self.predictions.labels(self.model_id, outcome, *combo)

    def bin_of(self, feature: str, value: Any) -> str:
        """The bin label ``value`` of ``feature`` is counted in (KeyError for a feature not in the profile)."""
        return self.binners[feature].label(value)

    def observe(self, features: Mapping[str, Any], outcome: str, groups: Mapping[str, Any] | None = None) -> None:
        """Count one prediction: every profiled feature (absent from ``features`` = missing) and its outcome."""
        for name, binner in self.binners.items():
            self.bins.labels(self.model_id, name, binner.label(features.get(name))).inc()
        labels = [self._group(a, (groups or {}).get(a)) for a in self.attributes]
        self.predictions.labels(self.model_id, str(outcome), *labels).inc()

    def _group(self, attribute: str, value: Any) -> str:
        if is_missing(value):
            return UNKNOWN_GROUP
        text = category_text(value)
        return text if text in self.groups[attribute] else UNKNOWN_GROUP
