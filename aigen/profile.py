"""The training profile (``specs/profiles/<model-id>.json``): the baseline drift and fairness rules compare with.

Per spec feature: its bins and their shares in the training sample; per protected attribute: each group's positive
rate. The bin a value falls in is decided by ``Binner.label`` and nothing else: the profile builder counts training
rows with it, and ``aigen.instrument`` counts live requests with it, so a value lands in the same bin on both sides.

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
import csv
import hashlib
import io
import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aigen.errors import InputError, Problem, UsageError
from aigen.schema_errors import validate_document
from aigen.spec import FEATURE, LABEL, MODEL_ID, ModelSpec
from aigen.yamlio import Document, parse_mapping, read_text

MISSING = "__missing__"
OTHER = "__other__"
RESERVED = (OTHER, MISSING)
MISSING_STRINGS = frozenset({"", "na", "nan", "null", "none"})
TRUE_STRINGS = frozenset({"true", "1", "yes", "t", "y"})
FALSE_STRINGS = frozenset({"false", "0", "no", "f", "n"})
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


# --- binning: the one function both sides use -------------------------------------------------------------------

def fmt_edge(value: float) -> str:
    """An edge as label text: 12.5 -> '12.5', 100.0 -> '100', 1e-05 -> '1e-05'."""
    text = repr(float(value))
    return text.removesuffix(".0")


def numeric_labels(edges: Sequence[float]) -> list[str]:
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
    def of(cls, feature: FeatureProfile) -> Binner:
        labels = tuple(b.bin for b in feature.bins)
        known = frozenset(labels) - set(RESERVED)
        return cls(feature.type, tuple(feature.edges), labels, known)

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


# --- building a profile from rows ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One value of the sample and where it is (line/col of a CSV, or row number of a Parquet file)."""

    value: Any
    line: int
    col: int


@dataclass(frozen=True)
class Table:
    """A training sample, column-wise, with positions for located errors."""

    path: str
    columns: dict[str, list[Cell]]
    rows: int
    sha256: str
    header_line: int = 1


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


@dataclass
class ProblemLog:
    """Collects located problems, at most ``limit`` of them (a broken column should not print 100,000 lines)."""

    path: str
    limit: int = 20
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: int, col: int, message: str) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(Problem(self.path, line, col, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(sorted(self.problems))


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


def _feature_bins(name: str, kind: str, cells: list[Cell], settings: Settings, log: ProblemLog) -> FeatureProfile | None:
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
    binner = Binner(kind, tuple(edges), tuple(labels), frozenset(labels) - set(RESERVED))
    counts = dict.fromkeys(labels, 0)
    for cell in cells:
        counts[binner.label(cell.value)] += 1
    shares = [BinShare(bin=label, share=round(counts[label] / len(cells), DIGITS)) for label in labels]
    return FeatureProfile(name=name, type=kind, edges=edges, bins=shares)  # type: ignore[arg-type]


def _group_rates(attribute: str, reference: str, allowed: list[str], groups: list[Cell], outcomes: list[Cell],
                 positive: str, log: ProblemLog) -> GroupProfile | None:
    rows: dict[str, int] = dict.fromkeys(allowed, 0)
    hits: dict[str, int] = dict.fromkeys(allowed, 0)
    for group, outcome in zip(groups, outcomes):
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
    groups = [_group_rates(g.attribute, g.reference, list(g.values), table.columns[g.attribute], outcomes, positive, log)
              for g in spec.groups] if not log.problems else []
    log.raise_if_any()
    return Profile(apiVersion="aigen/v1", kind="TrainingProfile", model_id=spec.model.id,
                   source=Source(file=Path(table.path).name, sha256=table.sha256, rows=table.rows), settings=settings,
                   positive_outcome=positive, outcomes=seen, features=[f for f in features if f],
                   groups=[g for g in groups if g])


# --- reading and writing profiles ------------------------------------------------------------------------------

def dump_profile(profile: Profile) -> str:
    """Deterministic JSON text: field order as declared, two-space indent, trailing newline."""
    import json

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


def binners(profile: Profile) -> Mapping[str, Binner]:
    return {f.name: Binner.of(f) for f in profile.features}


def _check_edges(name: str, edges: list[float]) -> None:
    if not edges:
        raise ValueError(f"feature '{name}': a numeric feature needs at least one edge")
    if any(not math.isfinite(e) for e in edges) or any(b <= a for a, b in itertools.pairwise(edges)):
        raise ValueError(f"feature '{name}': edges must be finite and strictly ascending")


# --- reading a training sample ---------------------------------------------------------------------------------

def read_table(path: Path, shown: str) -> Table:
    """A CSV sample (header row first), or Parquet when pyarrow is installed (the ``parquet`` extra)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{shown}: is a directory, expected a CSV or Parquet file") from None
    except OSError as exc:
        raise UsageError(f"{shown}: cannot read: {exc.strerror}") from None
    digest = hashlib.sha256(raw).hexdigest()
    if path.suffix.lower() in (".parquet", ".pq"):
        return _parquet(path, shown, digest)
    return parse_csv(raw, shown, digest)


def parse_csv(raw: bytes, shown: str, digest: str) -> Table:
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError([Problem(shown, line, 1, "not UTF-8 text: save the sample as UTF-8 CSV")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError([Problem(shown, 0, 0, "the file is empty; expected a CSV with a header row")]) from None
    except csv.Error as exc:
        raise InputError([Problem(shown, 1, 1, f"invalid CSV: {exc}")]) from None
    _check_header(header, shown)
    columns: dict[str, list[Cell]] = {name: [] for name in header}
    log = ProblemLog(shown)
    rows = 0
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                log.add(reader.line_num, 1, f"row has {len(row)} fields, the header {len(header)}")
                continue
            rows += 1
            col = 1
            for name, value in zip(header, row):
                columns[name].append(Cell(value, reader.line_num, col))
                col += len(value) + 1
    except csv.Error as exc:
        log.add(reader.line_num, 1, f"invalid CSV: {exc}")
    log.raise_if_any()
    return Table(shown, columns, rows, digest)


def _check_header(header: list[str], shown: str) -> None:
    seen: set[str] = set()
    for i, name in enumerate(header):
        if name in seen:
            col = sum(len(h) + 1 for h in header[:i]) + 1
            raise InputError([Problem(shown, 1, col, f"column '{name}' appears twice in the header")])
        seen.add(name)


def _parquet(path: Path, shown: str, digest: str) -> Table:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-not-found]
    except ImportError:
        raise UsageError(f"{shown}: reading Parquet needs pyarrow: pip install 'aigen[parquet]' "
                         f"(or export the sample as CSV)") from None
    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a bad file
        raise InputError([Problem(shown, 0, 0, f"invalid Parquet file: {exc}")]) from None
    columns = {name: [Cell(v, i + 1, 0) for i, v in enumerate(table.column(name).to_pylist())]
               for name in table.column_names}
    return Table(shown, columns, table.num_rows, digest, header_line=0)
