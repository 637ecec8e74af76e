"""Typed models of the Grafana dashboard JSON aigen emits (the subset it uses of Grafana's dashboard schema).

Dashboards are built as these objects and serialised by pydantic, never by templating JSON text. Every model
forbids unknown keys, so ``Dashboard.model_validate(json.loads(text))`` followed by ``to_json`` reproduces the file
byte for byte: the round trip is the schema check (tests/test_dashboards.py). Field names follow Grafana's dashboard
schema (``schemaVersion`` 39, Grafana 10.3 and later, migrated forward by newer versions on load).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializationInfo, SerializerFunctionWrapHandler, model_serializer
from pydantic.alias_generators import to_camel

SCHEMA_VERSION = 39


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)


class DataSourceRef(_Model):
    type: str
    uid: str


PROMETHEUS = DataSourceRef(type="prometheus", uid="${datasource}")
GRAFANA = DataSourceRef(type="grafana", uid="-- Grafana --")


class GridPos(_Model):
    h: int
    w: int
    x: int
    y: int


class ThresholdStep(_Model):
    color: str
    value: float | None

    @model_serializer(mode="wrap")
    def _keep_base(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict[str, Any]:
        """Grafana's base step is ``"value": null``; keep it although dumps drop other None values."""
        data = handler(self)
        data.setdefault("value", None)
        return data


class Thresholds(_Model):
    mode: Literal["absolute", "percentage"] = "absolute"
    steps: list[ThresholdStep]


class ThresholdsStyle(_Model):
    mode: Literal["off", "line", "dashed", "area", "line+area", "dashed+area"]


class FieldCustom(_Model):
    thresholds_style: ThresholdsStyle | None = None
    fill_opacity: int | None = None
    show_points: Literal["auto", "never", "always"] | None = None


class FieldColor(_Model):
    mode: str


class FieldDefaults(_Model):
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    decimals: int | None = None
    color: FieldColor | None = None
    thresholds: Thresholds | None = None
    custom: FieldCustom | None = None


class FieldConfig(_Model):
    defaults: FieldDefaults = FieldDefaults()
    overrides: list[dict[str, Any]] = Field(default_factory=list)


class Target(_Model):
    """A Prometheus query of a panel."""

    ref_id: str
    expr: str
    datasource: DataSourceRef = PROMETHEUS
    legend_format: str | None = None
    instant: bool | None = None
    range: bool | None = None


class Link(_Model):
    title: str
    url: str
    target_blank: bool | None = None


class Panel(_Model):
    """A visualisation (timeseries, stat, alertlist, text); ``options`` are the plugin's own settings."""

    type: Literal["timeseries", "stat", "alertlist", "text"]
    id: int
    title: str
    grid_pos: GridPos
    description: str | None = None
    datasource: DataSourceRef | None = None
    targets: list[Target] = Field(default_factory=list)
    field_config: FieldConfig | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list)


class RowPanel(_Model):
    type: Literal["row"] = "row"
    id: int
    title: str
    grid_pos: GridPos
    collapsed: bool = False
    panels: list[Panel] = Field(default_factory=list)


class VariableOption(_Model):
    text: str
    value: str
    selected: bool = False


class Variable(_Model):
    type: Literal["datasource", "custom", "query", "constant"]
    name: str
    label: str | None = None
    description: str | None = None
    query: str = ""
    datasource: DataSourceRef | None = None
    current: VariableOption | None = None
    options: list[VariableOption] = Field(default_factory=list)
    multi: bool = False
    include_all: bool = False
    hide: Literal[0, 1, 2] = 0
    refresh: Literal[0, 1, 2] | None = None
    skip_url_sync: bool = False


class Templating(_Model):
    list: list[Variable]


class AnnotationQuery(_Model):
    """The built-in annotation or a Prometheus one (each step where ``expr`` has a value becomes an event)."""

    name: str
    datasource: DataSourceRef
    enable: bool = True
    hide: bool = False
    icon_color: str
    built_in: int | None = None
    type: str | None = None
    expr: str | None = None
    step: str | None = None
    title_format: str | None = None
    text_format: str | None = None
    tag_keys: str | None = None
    use_value_for_time: bool | None = None


class Annotations(_Model):
    list: list[AnnotationQuery]


class TimeRange(_Model):
    from_: str = Field("now-6h", alias="from")
    to: str = "now"


class DashboardLink(_Model):
    title: str
    type: Literal["link", "dashboards"]
    url: str = ""
    tags: list[str] = Field(default_factory=list)
    as_dropdown: bool = False
    include_vars: bool = False
    keep_time: bool = True
    target_blank: bool = False
    icon: str = "dashboard"
    tooltip: str = ""


class Dashboard(_Model):
    uid: str = Field(max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    title: str
    description: str
    tags: list[str]
    timezone: str = "browser"
    editable: bool = False
    graph_tooltip: Literal[0, 1, 2] = 1
    time: TimeRange = TimeRange()
    refresh: str = "1m"
    schema_version: int = SCHEMA_VERSION
    version: int = 1
    links: list[DashboardLink] = Field(default_factory=list)
    templating: Templating
    annotations: Annotations
    panels: list[Annotated[RowPanel | Panel, Field(union_mode="left_to_right")]] = Field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def to_json(self) -> str:
        """Deterministic bytes: sorted keys, two-space indent, one trailing newline (as Grafana exports sort)."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def all_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel of a dashboard dict, rows included, with collapsed rows' panels flattened in."""
    out: list[dict[str, Any]] = []
    for panel in dashboard.get("panels", []):
        if not isinstance(panel, dict):
            continue
        out.append(panel)
        out.extend(p for p in panel.get("panels", []) if isinstance(p, dict) and panel.get("type") == "row")
    return out
