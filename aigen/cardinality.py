"""How many series one model costs Prometheus for drift and fairness: exported bins and prediction series, plus the
series aigen's own recording rules write. ``cardinality(plan)`` is what the lint rule compares with the budget.

    exported  = sum over features of its bins (incl. __other__ / __missing__)          model_feature_bin_total
              + outcomes x product over protected attributes of their group counts       model_predictions_total
    recorded  = per window: bins x 2 (share, smoothed share) + features x 2 (PSI, KL) + 2 (worst feature)
              + bins once (baseline shares)
              + per protected attribute: groups x 4 (rate, ratio to reference, ratio to highest, baseline ratio)

Without a profile, a feature is estimated at DEFAULT_BINS + 1 (numeric) or DEFAULT_TOP_K + 2 (categorical) bins
and two outcomes are assumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aigen.plan import ModelPlan
from aigen.profile import DEFAULT_BINS, DEFAULT_TOP_K

DEFAULT_SERIES_BUDGET = 2000
"""Series per model above which lint warns (a profile with 100 bins on 20 features is 2,000 on its own)."""


@dataclass(frozen=True)
class Cardinality:
    feature_bins: int
    prediction_series: int
    recorded: int

    @property
    def exported(self) -> int:
        return self.feature_bins + self.prediction_series

    @property
    def total(self) -> int:
        return self.exported + self.recorded


def _bins(plan: ModelPlan) -> dict[str, int]:
    if plan.profile is not None:
        return {f.name: len(f.bins) for f in plan.profile.features}
    return {f.name: DEFAULT_BINS + 1 if f.type in ("numeric", "text") else DEFAULT_TOP_K + 2
            for f in plan.spec.features}


def _outcomes(plan: ModelPlan) -> int:
    return len(plan.profile.outcomes) if plan.profile is not None and plan.profile.outcomes else 2


def breakdown(plan: ModelPlan) -> Cardinality:
    bins = _bins(plan)
    groups = {g.attribute: len(g.values) for g in plan.spec.groups}
    predictions = _outcomes(plan) * math.prod(groups.values()) if groups else 0
    recorded = 0
    for record in plan.records:
        name = record.record
        if ":model_feature_bin:" in name:
            recorded += bins.get(dict(record.labels).get("feature", ""), 0) if name.endswith("baseline_share") \
                else sum(bins.values())
        elif ":worst_rate" in name:
            recorded += 1
        elif name.startswith(("aigen:model_feature_psi:", "aigen:model_feature_kl:")):
            recorded += len(bins)
        elif name.startswith("aigen:model_predictions_by_groups:"):
            recorded += predictions
        elif name.startswith("aigen:model_positive_rate_by_"):
            attribute = name.removeprefix("aigen:model_positive_rate_by_").split(":")[0]
            recorded += groups.get(attribute, 1)
        else:
            recorded += 1
    return Cardinality(sum(bins.values()), predictions, recorded)


def cardinality(plan: ModelPlan) -> int:
    """Series this model's drift and fairness contract costs (exported + recorded); compare with a budget."""
    return breakdown(plan).total
