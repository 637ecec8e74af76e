"""The bin a feature value falls in: one function shared by ``aigen profile`` and ``aigen.instrument``.

The profile builder counts training rows with ``Binner.label`` and the model server counts live requests with it,
so a value lands in the same bin on both sides. Standard library only: a model server imports this (through
``aigen.instrument``) without pydantic, YAML or the rest of aigen.

Bin labels (the ``bin`` label of ``model_feature_bin_total``):
  - numeric and text (text is binned by its length in characters): the profile's ``edges`` e1 < ... < en split the
    line into ``(-inf,e1]``, ``(e1,e2]``, ..., ``(en,+inf)``; a value x goes to the first bin whose upper edge is
    >= x. Edges are the sample's quantiles at i/bins (linear interpolation), rounded to 6 significant digits.
  - categorical and boolean: the value itself (booleans as ``true`` / ``false``) when it is one of the profile's
    top-k values, else ``__other__``.
  - every type: ``__missing__`` for a null, NaN, an empty string, ``NA``, ``null`` or ``None`` — and, live, for a
    numeric value that cannot be read as a number. An upstream column rename shows up as a surge into this bin.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MISSING = "__missing__"
OTHER = "__other__"
RESERVED = (OTHER, MISSING)
UNKNOWN_GROUP = "__unknown__"
"""The protected-group label of a prediction whose group is missing or not one of the spec's values."""
MISSING_STRINGS = frozenset({"", "na", "nan", "null", "none"})
TRUE_STRINGS = frozenset({"true", "1", "yes", "t", "y"})
FALSE_STRINGS = frozenset({"false", "0", "no", "f", "n"})


def fmt_edge(value: float) -> str:
    """An edge as label text: 12.5 -> '12.5', 100.0 -> '100', 1e-05 -> '1e-05'."""
    text = repr(float(value))
    return text.removesuffix(".0")


def numeric_labels(edges: Sequence[float]) -> list[str]:
    """The bin labels of a numeric or text feature with these upper edges, ``__missing__`` last."""
    bounds = ["-inf", *(fmt_edge(e) for e in edges), "+inf"]
    labels = [f"({lo},{hi}]" for lo, hi in itertools.pairwise(bounds[:-1])]
    return [*labels, f"({bounds[-2]},+inf)", MISSING]


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value.strip().lower() in MISSING_STRINGS


def boolean_text(value: Any) -> str:
    """'true' / 'false' for the usual spellings of a boolean; anything else as its text (it bins as __other__)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().lower()
    if text in TRUE_STRINGS:
        return "true"
    if text in FALSE_STRINGS:
        return "false"
    return str(value)


def category_text(value: Any) -> str:
    """A categorical value as label text: integers without '.0' (an int column read as float stays '5411')."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def as_number(value: Any, kind: str) -> float:
    """The number a numeric or text feature bins on; raises ValueError when there is none."""
    if kind == "text":
        return float(len(str(value)))
    if isinstance(value, bool):
        return float(value)
    return float(str(value).strip()) if isinstance(value, str) else float(value)


@dataclass(frozen=True)
class Binner:
    """Maps a raw value to its bin label for one profiled feature (see the module docstring for the rules)."""

    kind: str
    edges: tuple[float, ...]
    labels: tuple[str, ...]
    known: frozenset[str]

    @classmethod
    def of(cls, kind: str, edges: Sequence[float], labels: Sequence[str]) -> Binner:
        """The binner of a feature of type ``kind`` whose profile lists ``labels`` (numeric/text: for ``edges``)."""
        return cls(kind, tuple(edges), tuple(labels), frozenset(labels) - set(RESERVED))

    def label(self, value: Any) -> str:
        if is_missing(value):
            return MISSING
        if self.kind in ("numeric", "text"):
            try:
                number = as_number(value, self.kind)
            except (TypeError, ValueError):
                return MISSING
            if math.isnan(number):
                return MISSING
            return self.labels[bisect.bisect_left(self.edges, number)]
        text = boolean_text(value) if self.kind == "boolean" else category_text(value)
        return text if text in self.known else OTHER
