"""Count predictions the way aigen's drift and fairness rules read them, on prometheus_client.

    from aigen.instrument import ModelInstrument
    instrument = ModelInstrument.from_file("specs/profiles/fraud-detection.json")
    ...
    instrument.observe({"amount": 42.0, "merchant_category_code": "5411", ...},
                       outcome="flagged", groups={"age_group": "30-44"})

``observe`` increments ``model_feature_bin_total{model_id, feature, bin}`` once per profiled feature (the bin from
``aigen.profile.Binner``, the same function that built the profile: a value lands in the same bin on both sides)
and ``model_predictions_total{model_id, outcome, <one label per protected attribute>}`` once. Every bin and every
group x outcome series is created at zero up front, so rate() sees the first increment and no bin is ever absent.
It never raises on odd input: unknown categories count as ``__other__``, nulls and unreadable numbers as
``__missing__``, a missing or unknown group value as ``__unknown__``. Install with ``pip install 'aigen[instrument]'``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter

from aigen.detectors.fairness import UNKNOWN_GROUP
from aigen.profile import Binner, Profile, binners, category_text, is_missing, load_profile


class ModelInstrument:
    """The two counters of aigen's metric contract for one model, filled from a training profile."""

    def __init__(self, profile: Profile, registry: CollectorRegistry = REGISTRY,
                 bins: Counter | None = None, predictions: Counter | None = None) -> None:
        """Pass ``bins`` / ``predictions`` to share counters between several models in one process (the labels
        must match: ``model_id, feature, bin`` and ``model_id, outcome, <attributes>``)."""
        self.profile = profile
        self.model_id = profile.model_id
        self.binners: Mapping[str, Binner] = binners(profile)
        self.attributes = [g.attribute for g in profile.groups]
        self.groups = {g.attribute: {v.value for v in g.groups} for g in profile.groups}
        self.bins = bins or Counter("model_feature_bin", "Requests by the training-profile bin of each input feature.",
                                    ["model_id", "feature", "bin"], registry=registry)
        self.predictions = predictions or Counter(
            "model_predictions", "Predictions served, by outcome and protected group.",
            ["model_id", "outcome", *self.attributes], registry=registry)
        self._precreate()

    @classmethod
    def from_file(cls, path: str | Path, registry: CollectorRegistry = REGISTRY) -> ModelInstrument:
        return cls(load_profile(Path(path)), registry)

    def _precreate(self) -> None:
        for name, binner in self.binners.items():
            for label in binner.labels:
                self.bins.labels(self.model_id, name, label)
        values = [sorted(self.groups[a]) for a in self.attributes]
        for outcome in self.profile.outcomes or [self.profile.positive_outcome]:
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
