"""The training profile (``specs/profiles/<model-id>.json``): the baseline drift and fairness rules compare with.

Per spec feature: its bins and their shares in the training sample; per protected attribute: each group's positive
rate. The bins are those of ``aigen.binning`` (the rules are in its docstring): the profile builder
(``aigen.profile_build``) counts training rows with ``Binner.label``, and ``aigen.instrument`` counts live requests
with it. Reading a training sample is ``aigen.sample``.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aigen.binning import MISSING, OTHER, RESERVED, Binner, numeric_labels
from aigen.errors import InputError, Problem
from aigen.schema_errors import validate_document
from aigen.spec import FEATURE, LABEL, MODEL_ID, ModelSpec
from aigen.yamlio import Document, parse_mapping, read_text

__all__ = ["MISSING", "OTHER", "BinShare", "FeatureProfile", "GroupProfile", "GroupRate", "Profile", "Settings",
           "Source", "check_profile", "dump_profile", "load_profile", "parse_profile", "profile_schema",
           "read_profile"]

DEFAULT_BINS = 10
DEFAULT_TOP_K = 10
DIGITS = 6
"""Shares and rates are rounded to 6 decimals, edges to 6 significant digits: stable text, no float noise."""
MAX_PROFILE_BYTES = 1024 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BinShare(_Strict):
    bin: str = Field(min_length=1, description="The bin label, as model_feature_bin_total carries it.")
    share: float = Field(ge=0, le=1, description="Share of training rows in this bin.")


class FeatureProfile(_Strict):
    name: str = Field(pattern=FEATURE)
    type: Literal["numeric", "categorical", "text", "boolean"]
    edges: list[float] = Field(default_factory=list, description="numeric/text: ascending upper bin edges.")
    bins: list[BinShare] = Field(min_length=2, description="Every bin, __missing__ last.")

    @model_validator(mode="after")
    def _consistent(self) -> FeatureProfile:
        labels = [b.bin for b in self.bins]
        if len(set(labels)) != len(labels):
            raise ValueError(f"feature '{self.name}': bin labels must be unique")
        if self.type in ("numeric", "text"):
            _check_edges(self.name, self.edges)
            if labels != numeric_labels(self.edges):
                raise ValueError(f"feature '{self.name}': bins must be {numeric_labels(self.edges)} for these edges")
        elif self.edges:
            raise ValueError(f"feature '{self.name}': a {self.type} feature has no edges")
        elif labels[-2:] != list(RESERVED) or set(labels[:-2]) & set(RESERVED):
            raise ValueError(f"feature '{self.name}': the last two bins must be {OTHER} and {MISSING}")
        total = sum(b.share for b in self.bins)
        if abs(total - 1) > 1e-3:
            raise ValueError(f"feature '{self.name}': bin shares sum to {total:.6f}, not 1")
        return self

    def binner(self) -> Binner:
        """The binner that counted this feature's training rows, and counts its live requests."""
        return Binner.of(self.type, self.edges, [b.bin for b in self.bins])


class GroupRate(_Strict):
    value: str = Field(min_length=1)
    rows: int = Field(ge=1, description="Training rows of this group.")
    positive_rate: float = Field(ge=0, le=1, description="Share of the group's rows with the positive outcome.")


class GroupProfile(_Strict):
    attribute: str = Field(pattern=LABEL)
    reference: str
    groups: list[GroupRate] = Field(min_length=2)

    @model_validator(mode="after")
    def _reference(self) -> GroupProfile:
        rates = self.rates()
        if len(rates) != len(self.groups):
            raise ValueError(f"group values of '{self.attribute}' must be unique")
        if self.reference not in rates:
            raise ValueError(f"reference group '{self.reference}' has no rate in the profile")
        if rates[self.reference] <= 0:
            raise ValueError(f"reference group '{self.reference}' has positive rate 0: ratios to it are undefined")
        return self

    def rates(self) -> dict[str, float]:
        return {g.value: g.positive_rate for g in self.groups}

    def reference_ratios(self) -> dict[str, float]:
        """Each group's baseline positive rate over the reference group's (disparate impact at training time)."""
        rates = self.rates()
        return {value: rate / rates[self.reference] for value, rate in rates.items()}


class Source(_Strict):
    file: str = Field(description="File name of the training sample (no folder: the profile stays portable).")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    rows: int = Field(ge=1)


class Settings(_Strict):
    bins: int = Field(DEFAULT_BINS, ge=2, le=100, description="Quantile bins per numeric feature.")
    top_k: int = Field(DEFAULT_TOP_K, ge=1, le=100, description="Values kept per categorical feature.")


class Profile(_Strict):
    apiVersion: Literal["aigen/v1"]
    kind: Literal["TrainingProfile"]
    model_id: str = Field(pattern=MODEL_ID)
    source: Source
    settings: Settings = Settings()
    positive_outcome: str
    outcomes: list[str] = Field(default_factory=list, description="Outcome values seen in the sample.")
    features: list[FeatureProfile] = Field(default_factory=list)
    groups: list[GroupProfile] = Field(default_factory=list)

    def feature(self, name: str) -> FeatureProfile | None:
        return next((f for f in self.features if f.name == name), None)

    def group(self, attribute: str) -> GroupProfile | None:
        return next((g for g in self.groups if g.attribute == attribute), None)


def profile_schema() -> dict[str, Any]:
    """The JSON Schema of a profile (committed as aigen/profile_schema.json; a test keeps the two in step)."""
    data = Profile.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "aigen TrainingProfile",
            **{k: v for k, v in data.items() if k != "title"}}


# --- reading and writing profiles ------------------------------------------------------------------------------

def dump_profile(profile: Profile) -> str:
    """Deterministic JSON text: field order as declared, two-space indent, trailing newline."""
    return json.dumps(profile.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def parse_profile(text: str, shown: str) -> tuple[Profile, Document]:
    """A profile from JSON text; InputError with located problems.

    The fast path is ``json.loads`` and pydantic, with no positions: the returned Document has ``data=None``, and
    ``Document.locate`` re-reads it as YAML (which keeps positions) only when a problem must be located. A profile is
    hundreds of bins; pure-Python ruamel on every load cost the one-spec pre-commit path about 50 ms.
    """
    try:
        return Profile.model_validate(json.loads(text)), Document(shown, None, text)
    except (ValueError, ValidationError):
        pass  # report it the slow way, with line and column
    doc = parse_mapping(text, shown, "TrainingProfile")
    profile, problems = validate_document(doc, Profile)
    if problems or profile is None:
        raise InputError(problems)
    return profile, doc


def load_profile(path: Path, shown: str | None = None) -> Profile:
    shown = shown or str(path)
    return parse_profile(read_text(path, shown, MAX_PROFILE_BYTES), shown)[0]


def read_profile(path: Path, shown: str) -> tuple[Profile, Document]:
    return parse_profile(read_text(path, shown, MAX_PROFILE_BYTES), shown)


def check_profile(spec: ModelSpec, profile: Profile, doc: Document) -> list[Problem]:
    """A profile must describe its spec: same model, every feature with its type, every group with its values."""
    out: list[Problem] = []

    def add(loc: tuple, message: str) -> None:
        line, col = doc.locate(loc)
        out.append(Problem(doc.path, line, col, message + "; re-run `aigen profile`"))

    if profile.model_id != spec.model.id:
        add(("model_id",), f"profile of '{profile.model_id}' next to the spec of '{spec.model.id}'")
    if profile.positive_outcome != spec.model.positive_outcome:
        add(("positive_outcome",), f"positive outcome '{profile.positive_outcome}' differs from the spec's "
                                   f"'{spec.model.positive_outcome}'")
    declared = {f.name: f.type for f in spec.features}
    for i, feature in enumerate(profile.features):
        if declared.get(feature.name, feature.type) != feature.type:
            add(("features", i, "type"), f"feature '{feature.name}' is {feature.type} here, "
                                         f"{declared[feature.name]} in the spec")
        elif feature.name not in declared:
            add(("features", i, "name"), f"feature '{feature.name}' is not declared in the spec")
    for name in sorted(declared.keys() - {f.name for f in profile.features}):
        add(("features",), f"the spec's feature '{name}' has no bins in the profile")
    for group in spec.groups:
        index, found = next(((i, g) for i, g in enumerate(profile.groups) if g.attribute == group.attribute),
                            (None, None))
        if found is None:
            add(("groups",), f"the spec's protected attribute '{group.attribute}' has no rates in the profile")
        elif found.reference != group.reference or set(found.rates()) != set(group.values):
            add(("groups", index), f"groups of '{group.attribute}' differ from the spec's (values or reference)")
    attributes = {g.attribute for g in spec.groups}
    for i, profiled in enumerate(profile.groups):
        if profiled.attribute not in attributes:
            add(("groups", i, "attribute"), f"protected attribute '{profiled.attribute}' is not declared in the spec")
    return out


def _check_edges(name: str, edges: list[float]) -> None:
    if not edges:
        raise ValueError(f"feature '{name}': a numeric feature needs at least one edge")
    if any(not math.isfinite(e) for e in edges) or any(b <= a for a, b in itertools.pairwise(edges)):
        raise ValueError(f"feature '{name}': edges must be finite and strictly ascending")
