"""The incident taxonomy: incident types, severity levels and their detection budgets.

No code names an incident type: the shipped ``specs/taxonomy.yaml`` does, and a team may add its own.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aigen.durations import Duration, parse_response_time
from aigen.errors import InputError, Problem
from aigen.schema_errors import validate_document
from aigen.yamlio import Document, load_mapping

NAME = r"^[a-z][a-z0-9_]{0,62}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeverityLevel(_Strict):
    description: str
    response_time: str = Field(
        description="How soon a responder must act: '15 minutes', '4 hours', 'next business day'.")
    detection_budget: Duration = Field(description="Longest allowed time from a failure's onset to a firing alert.")
    actions: list[str] = Field(default_factory=list)

    @field_validator("response_time")
    @classmethod
    def _response_time(cls, value: str) -> str:
        parse_response_time(value)
        return value

    @property
    def response_seconds(self) -> int:
        return parse_response_time(self.response_time)


class IncidentType(_Strict):
    description: str
    detection: str = ""
    examples: list[str] = Field(default_factory=list)
    default_severity: str
    detectors: list[str] = Field(default_factory=list, description="Built-in detectors that watch for this type.")


class Taxonomy(_Strict):
    apiVersion: Literal["aigen/v1"] = "aigen/v1"
    kind: Literal["Taxonomy"] = "Taxonomy"
    incident_types: dict[str, IncidentType] = Field(min_length=1)
    severity_levels: dict[str, SeverityLevel] = Field(min_length=1, description="Most severe first.")

    @field_validator("incident_types", "severity_levels")
    @classmethod
    def _names(cls, value: dict) -> dict:
        for name in value:
            if not re.match(NAME, name):
                raise ValueError(f"'{name}' must match {NAME} (lower case, digits and underscores)")
        return value

    @model_validator(mode="after")
    def _cross(self) -> Taxonomy:
        budgets = [lvl.detection_budget for lvl in self.severity_levels.values()]
        if budgets != sorted(budgets):
            raise ValueError("severity_levels must be listed most severe first (detection budgets not decreasing)")
        return self

    @cached_property
    def severity_rank(self) -> dict[str, int]:
        """0 for the most severe level."""
        return {name: i for i, name in enumerate(self.severity_levels)}

    def budget(self, severity: str) -> int:
        return self.severity_levels[severity].detection_budget


def load_taxonomy(path: Path, display: str | None = None, *, detectors: Collection[str],
                  lenient: bool = False) -> Taxonomy:
    """Parse and validate a taxonomy file; raises InputError with every problem found.

    ``detectors``: the ids an incident type may bind (the registry sits above this module, so the caller passes it).
    ``lenient``: accept a taxonomy written before detection budgets existed (the design's own): a severity level
    without ``detection_budget`` takes the budget of the shipped taxonomy's level of the same name (critical 5m,
    high 15m, medium 1h, low 4h). Lint reads a team's taxonomy so; everything else wrong is still reported.
    """
    doc = load_mapping(path, display, "Taxonomy", fast=True)
    taxonomy, problems = taxonomy_of(doc, detectors=detectors, lenient=lenient)
    if problems or taxonomy is None:
        raise InputError(problems)
    return taxonomy


def taxonomy_of(doc: Document, *, detectors: Collection[str], lenient: bool = False) -> tuple[Taxonomy | None,
                                                                                               list[Problem]]:
    """The taxonomy a loaded document holds, and every problem of it (``load_taxonomy`` for a document in hand)."""
    if lenient:
        _default_budgets(doc, load_taxonomy(default_taxonomy_path(), "shipped taxonomy", detectors=detectors))
    taxonomy, problems = validate_document(doc, Taxonomy)
    if taxonomy is not None:
        problems += _reference_problems(doc, taxonomy, detectors)
    return taxonomy, problems


def _default_budgets(doc: Document, shipped: Taxonomy) -> None:
    """Fill each severity level that has no ``detection_budget`` with the shipped level's of the same name."""
    levels = doc.data.get("severity_levels")
    for name, level in (levels.items() if isinstance(levels, dict) else ()):
        if isinstance(level, dict) and "detection_budget" not in level and name in shipped.severity_levels:
            level["detection_budget"] = f"{shipped.budget(name)}s"


def _reference_problems(doc: Document, taxonomy: Taxonomy, detectors: Collection[str]) -> list[Problem]:
    """Names a schema cannot check: each default severity is a level; each detector is known and bound once."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for name, itype in taxonomy.incident_types.items():
        if itype.default_severity not in taxonomy.severity_levels:
            line, col = doc.locate(("incident_types", name, "default_severity"))
            problems.append(Problem(doc.path, line, col, f"default_severity '{itype.default_severity}' is not a "
                                    f"severity level ({', '.join(taxonomy.severity_levels)})"))
        for i, det in enumerate(itype.detectors):
            if det not in detectors:
                message = f"unknown detector '{det}' (known: {', '.join(sorted(detectors))})"
            elif det in seen:
                message = f"detector '{det}' is already bound to '{seen[det]}'; bind each detector once"
            else:
                seen[det] = name
                continue
            problems.append(Problem(doc.path, *doc.locate(("incident_types", name, "detectors", i)), message))
    return problems


def default_taxonomy_path() -> Path:
    """The taxonomy shipped with aigen (the wheel's copy, or the repository's specs/taxonomy.yaml)."""
    packaged = Path(__file__).parent / "data" / "taxonomy.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "specs" / "taxonomy.yaml"
