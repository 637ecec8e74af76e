"""Building a training profile from a sample: quantile edges and top-k categories per feature, positive rates per
protected group. Rows are counted with ``aigen.binning.Binner``, the function the live helper counts with."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from aigen.binning import RESERVED, Binner, as_number, boolean_text, category_text, is_missing, numeric_labels
from aigen.errors import InputError, Problem
from aigen.profile import DIGITS, BinShare, FeatureProfile, GroupProfile, GroupRate, Profile, Settings, Source
from aigen.sample import Cell, ProblemLog, Table
from aigen.spec import ModelSpec


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """numpy's default ('linear') quantile, in plain Python so profiles need no numpy."""
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def round_sig(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


def quantile_edges(values: Iterable[float], bins: int) -> list[float]:
    finite = sorted(v for v in values if math.isfinite(v))
    if not finite:
        return []
    return sorted({round_sig(quantile(finite, i / bins)) for i in range(1, bins)})


def top_values(texts: Iterable[str], top_k: int) -> list[str]:
    counts: dict[str, int] = {}
    for text in texts:
        counts[text] = counts.get(text, 0) + 1
    return [v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top_k]]


def _numeric_edges(name: str, kind: str, present: list[Cell], bins: int, log: ProblemLog) -> list[float]:
    numbers = []
    for cell in present:
        try:
            numbers.append(as_number(cell.value, kind))
        except (TypeError, ValueError):
            log.add(cell.line, cell.col, f"feature '{name}' is numeric but {cell.value!r} is not a number")
    return quantile_edges(numbers, bins)


def _top_categories(name: str, kind: str, present: list[Cell], top_k: int, log: ProblemLog) -> list[str]:
    for cell in present:
        if kind == "boolean" and boolean_text(cell.value) not in ("true", "false"):
            log.add(cell.line, cell.col, f"feature '{name}' is boolean but {cell.value!r} is not true/false/1/0/yes/no")
        elif category_text(cell.value) in RESERVED:
            log.add(cell.line, cell.col, f"feature '{name}': the value {cell.value!r} is reserved for a bin label")
    return top_values((boolean_text(c.value) if kind == "boolean" else category_text(c.value) for c in present), top_k)


def _feature_bins(name: str, kind: str, cells: list[Cell], settings: Settings,
                  log: ProblemLog) -> FeatureProfile | None:
    """One feature's bins and shares, counted with the same Binner the live helper uses."""
    present = [c for c in cells if not is_missing(c.value)]
    if not present:
        log.add(0, 0, f"feature '{name}': every value in the sample is missing; profile it from data that has it")
        return None
    if kind in ("numeric", "text"):
        edges = _numeric_edges(name, kind, present, settings.bins, log)
        labels = numeric_labels(edges)
    else:
        edges, labels = [], [*_top_categories(name, kind, present, settings.top_k, log), *RESERVED]
    if log.problems:
        return None
    binner = Binner.of(kind, edges, labels)
    counts = dict.fromkeys(labels, 0)
    for cell in cells:
        counts[binner.label(cell.value)] += 1
    shares = [BinShare(bin=label, share=round(counts[label] / len(cells), DIGITS)) for label in labels]
    return FeatureProfile(name=name, type=kind, edges=edges, bins=shares)  # type: ignore[arg-type]


def _group_rates(attribute: str, reference: str, allowed: list[str], groups: list[Cell], outcomes: list[Cell],
                 positive: str, log: ProblemLog) -> GroupProfile | None:
    rows: dict[str, int] = dict.fromkeys(allowed, 0)
    hits: dict[str, int] = dict.fromkeys(allowed, 0)
    for group, outcome in zip(groups, outcomes, strict=True):
        value = category_text(group.value)
        if value not in rows:
            log.add(group.line, group.col, f"'{value}' is not a group of '{attribute}' in the spec "
                                           f"(values: {', '.join(allowed)})")
            continue
        rows[value] += 1
        hits[value] += category_text(outcome.value) == positive
    for value, count in rows.items():
        if count == 0:
            log.add(0, 0, f"group {attribute}={value} has no rows in the sample: its baseline rate is unknown")
    if log.problems:
        return None
    if hits[reference] == 0:
        log.add(0, 0, f"reference group {attribute}={reference} has no '{positive}' outcome in the sample: ratios to "
                      f"it are undefined")
        return None
    rates = [GroupRate(value=v, rows=rows[v], positive_rate=round(hits[v] / rows[v], DIGITS)) for v in allowed]
    return GroupProfile(attribute=attribute, reference=reference, groups=rates)


def build_profile(spec: ModelSpec, table: Table, outcome_column: str = "outcome",
                  settings: Settings | None = None) -> Profile:
    """The profile of ``spec``'s features and groups in ``table``; raises InputError with every located problem."""
    settings = settings or Settings()
    log = ProblemLog(table.path)
    needed = [f.name for f in spec.features] + [g.attribute for g in spec.groups]
    if spec.groups:
        needed.append(outcome_column)
    for column in needed:
        if column not in table.columns:
            log.add(table.header_line, 1, f"no column '{column}' in the sample (columns: {', '.join(table.columns)})")
    log.raise_if_any()
    if table.rows == 0:
        raise InputError([Problem(table.path, table.header_line, 1, "the sample has a header but no rows")])
    features = [_feature_bins(f.name, f.type, table.columns[f.name], settings, log) for f in spec.features]
    positive = spec.model.positive_outcome
    outcomes = table.columns.get(outcome_column, [])
    seen = sorted({category_text(c.value) for c in outcomes if not is_missing(c.value)})
    if spec.groups and positive not in seen:
        log.add(table.header_line, 1, f"the positive outcome '{positive}' never appears in column '{outcome_column}' "
                                      f"(values: {', '.join(seen[:10])})")
    groups = [_group_rates(g.attribute, g.reference, list(g.values), table.columns[g.attribute], outcomes, positive,
                           log) for g in spec.groups] if not log.problems else []
    log.raise_if_any()
    return Profile(apiVersion="aigen/v1", kind="TrainingProfile", model_id=spec.model.id,
                   source=Source(file=Path(table.path).name, sha256=table.sha256, rows=table.rows), settings=settings,
                   positive_outcome=positive, outcomes=seen, features=[f for f in features if f],
                   groups=[g for g in groups if g])
