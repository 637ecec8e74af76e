"""The metric contract: every series the generated rules and dashboards read, with its type, labels and readers.

Built from the detectors a taxonomy binds (plus the dashboards' annotation series), once per set of bound
detectors, and read by the metrics doc (docs/metrics.md), by lint (the labels a series carries) and by the
dashboards (which metrics exist, which carry ``feature``). One structure, so the three cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from aigen.detectors import DETECTORS, Metric
from aigen.detectors.annotations import ANNOTATION_METRICS
from aigen.detectors.annotations import READER as ANNOTATION_READER

if TYPE_CHECKING:
    from aigen.plan import ModelPlan
    from aigen.taxonomy import Taxonomy

HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


@dataclass(frozen=True)
class ContractMetric:
    metric: Metric
    readers: tuple[str, ...]
    """The detectors that read it (and the dashboards' annotations for their series)."""


@dataclass(frozen=True)
class MetricContract:
    metrics: Mapping[str, ContractMetric]
    """Metric name -> its entry, sorted by name. A histogram is named without its ``_bucket`` suffix."""

    @classmethod
    def of(cls, *taxonomies: Taxonomy) -> MetricContract:
        """The contract of the detectors the taxonomies bind (the annotation series alone: no taxonomy)."""
        return _for_detectors(frozenset(d for taxonomy in taxonomies for itype in taxonomy.incident_types.values()
                                        for d in itype.detectors))

    @classmethod
    def of_plans(cls, plans: Iterable[ModelPlan]) -> MetricContract:
        return cls.of(*(plan.taxonomy for plan in plans))

    def series_labels(self) -> dict[str, frozenset[str]]:
        """Exported series name -> its labels: a histogram as its ``_bucket`` (with ``le``), ``_sum``, ``_count``."""
        out: dict[str, frozenset[str]] = {}
        for name, entry in self.metrics.items():
            labels = frozenset(entry.metric.labels)
            if entry.metric.type == "histogram":
                out[f"{name}_bucket"] = labels | {"le"}
                out[f"{name}_count"] = out[f"{name}_sum"] = labels - {"le"}
            else:
                out[name] = labels
        return out

    def names(self) -> set[str]:
        """Every name a query may select: metric names and the series a histogram is exported as."""
        return set(self.metrics) | set(self.series_labels())

    def carrying(self, label: str) -> set[str]:
        """Metric names whose series carry ``label``."""
        return {name for name, entry in self.metrics.items() if label in entry.metric.labels}


@cache
def _for_detectors(bound: frozenset[str]) -> MetricContract:
    out: dict[str, tuple[Metric, list[str]]] = {}
    for det_id in sorted(bound & DETECTORS.keys()):
        for metric in DETECTORS[det_id].metrics:
            out.setdefault(metric.name, (metric, []))[1].append(det_id)
    for metric in ANNOTATION_METRICS:
        out.setdefault(metric.name, (metric, []))[1].append(ANNOTATION_READER)
    return MetricContract({name: ContractMetric(metric, tuple(readers))
                           for name, (metric, readers) in sorted(out.items())})
