"""The registry of built-in detectors, by id. The taxonomy binds them to incident types."""

from __future__ import annotations

from aigen.detectors.base import Alert, Context, Detector, Metric, Record, Timing
from aigen.detectors.drift import INPUT_DRIFT
from aigen.detectors.fairness import FAIRNESS_DISPARITY, FAIRNESS_SHIFT
from aigen.detectors.missing import FEATURE_MISSING
from aigen.detectors.performance import ACCURACY_DROP, CONFIDENCE_DROP
from aigen.detectors.pipeline import INVALID_OUTPUTS, TELEMETRY_ABSENT
from aigen.detectors.resources import LATENCY_P99, MEMORY_UTILISATION
from aigen.detectors.security import ADVERSARIAL_INPUTS, POLICY_VIOLATIONS

DETECTORS: dict[str, Detector] = {
    d.id: d
    for d in (
        ACCURACY_DROP, CONFIDENCE_DROP, INVALID_OUTPUTS, TELEMETRY_ABSENT, FAIRNESS_DISPARITY, ADVERSARIAL_INPUTS,
        INPUT_DRIFT, POLICY_VIOLATIONS, LATENCY_P99, MEMORY_UTILISATION, FEATURE_MISSING, FAIRNESS_SHIFT,
    )
}

__all__ = ["DETECTORS", "Alert", "Context", "Detector", "Metric", "Record", "Timing"]
