"""The drift and fairness part of docs/metrics.md: how to compute the ``bin`` label, the bins per model, and what
each model costs in series (the cardinality lint's numbers)."""

from __future__ import annotations

from aigen.cardinality import DEFAULT_SERIES_BUDGET, breakdown
from aigen.plan import ModelPlan

BIN_RULES = [
    "## Bin labels (`model_feature_bin_total`)",
    "",
    "Each request increments `model_feature_bin_total{model_id, feature, bin}` once per feature of the model's",
    "training profile (`specs/profiles/<model-id>.json`, written by `aigen profile`). `aigen.instrument` does exactly",
    "this (`pip install 'aigen[instrument]'`); a server that counts by itself computes `bin` from the profile so:",
    "",
    "1. **Missing** — a null, a float NaN, or a string that is empty, `NA`, `NaN`, `null` or `None` (trimmed, any",
    "   case) is `__missing__`; so is a numeric value that cannot be read as a number. A renamed upstream column",
    "   shows up as a surge into this bin (alert `AIModelFeatureMissing`).",
    "2. **numeric** (and **text**, binned on its length in characters) — with the profile's `edges` e1 < ... < en,",
    "   the first bin whose upper edge is >= x: `(-inf,e1]`, `(e1,e2]`, ..., `(en,+inf)`. An edge prints as the",
    "   shortest repr of the float without a trailing `.0` (`12.5`, `100`, `1e-05`), exactly as in the profile's",
    "   `bins`. Edges are the training sample's quantiles at i/bins (linear interpolation), rounded to 6 significant",
    "   digits.",
    "3. **boolean** — `true` for true/1/yes/t/y, `false` for false/0/no/f/n (trimmed, any case), else `__other__`.",
    "4. **categorical** — the value's text (trimmed; an integral float prints as an integer, `5411.0` -> `5411`)",
    "   when it is one of the profile's bins (its top-k training values), else `__other__`.",
    "",
    "`model_predictions_total` carries one label per protected attribute; a prediction whose group is null or not",
    "declared in the spec is counted with the value `__unknown__`, which the fairness rules never judge.",
    "",
    "Recording rules compare the current share of each bin with the profile's baseline share (one constant series",
    "per bin). Empty bins are floored at 0.0001 (Evidently's rule); see docs/drift-and-fairness.md.",
    "",
]


def sections(plans: list[ModelPlan]) -> list[str]:
    lines = list(BIN_RULES)
    lines += ["| model | feature | type | bins |", "|---|---|---|---|"]
    for plan in sorted(plans, key=lambda p: p.model_id):
        if plan.profile is None:
            lines.append(f"| {plan.model_id} | (no profile: run `aigen profile`) | | |")
            continue
        for feature in plan.profile.features:
            labels = ", ".join(f"`{b.bin}`" for b in feature.bins)
            lines.append(f"| {plan.model_id} | `{feature.name}` | {feature.type} | {labels} |")
    lines += ["", "## Cardinality per model", "",
              "Series each model costs for drift and fairness: exported bins (features x bins) and prediction series",
              "(outcomes x the product of the protected attributes' group counts), plus the series aigen's recording",
              f"rules write. Lint warns above a series budget (default {DEFAULT_SERIES_BUDGET:,} per model).", "",
              "| model | feature bins | prediction series | recorded series | total |", "|---|---|---|---|---|"]
    for plan in sorted(plans, key=lambda p: p.model_id):
        c = breakdown(plan)
        lines.append(f"| {plan.model_id} | {c.feature_bins} | {c.prediction_series} | {c.recorded} | {c.total} |")
    return [*lines, ""]
