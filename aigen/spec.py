"""The model spec (``apiVersion: aigen/v1``, ``kind: ModelSpec``): the public contract a team writes per model.

Field names here are the contract; defaults are documented in the JSON Schema (``aigen schema``) and the README.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MODEL_ID = r"^[a-z][a-z0-9-]{0,62}$"
FEATURE = r"^[a-zA-Z_][a-zA-Z0-9_]{0,127}$"
LABEL = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
VERSION = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$"
URL = r"^https?://[A-Za-z0-9._~:/?#@!$&()*+,;=%-]+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Versions(_Strict):
    current: str = Field(pattern=VERSION, description="The version serving now.")
    previous: str | None = Field(None, pattern=VERSION, description="The version served before this one.")
    known_good: str = Field(pattern=VERSION, description="The last version validated as good: the rollback target.")


class ModelInfo(_Strict):
    id: str = Field(pattern=MODEL_ID, description="Becomes the model_id label on every series and alert.")
    description: str = ""
    owner: str = Field(description="The team that owns the model.")
    oncall: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="Alertmanager receiver that is paged.")
    positive_outcome: str = Field("positive", description="The outcome label value fairness rates count (approved, "
                                                          "flagged, ...).")
    versions: Versions


class Serving(_Strict):
    namespace: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    deployment: str = Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    container: str | None = Field(None, description="Container of the model server (defaults to the deployment).")
    version_env: str = Field("MODEL_VERSION", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    oversight_gateway: str = Field("http://ai-oversight-gateway:8080", pattern=URL, description="Human-oversight gateway URL.")
    oversight_deployment: str = Field("ai-oversight-gateway", pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    prometheus_url: str = Field("http://prometheus:9090", pattern=URL, description="Prometheus the runbook commands query.")
    pipeline_namespace: str = Field("data-pipeline", pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class Baseline(_Strict):
    accuracy: float | None = Field(None, gt=0, le=1, description="Validated offline accuracy; enables accuracy_drop.")
    positive_rate: float | None = Field(None, gt=0, lt=1, description="Share of positive outcomes at training time.")


class Feature(_Strict):
    name: str = Field(pattern=FEATURE)
    type: Literal["numeric", "categorical", "text", "boolean"]
    required: bool = True
    importance: float | None = Field(None, ge=0, le=1)
    unit: str | None = None
    description: str = ""


class Group(_Strict):
    attribute: str = Field(pattern=LABEL, description="Label name carried by model_predictions_total.")
    values: list[str] = Field(min_length=2)
    reference: str = Field(description="The group the others are compared with.")


class Thresholds(_Strict):
    """Every key optional; the defaults are what the docs and the JSON Schema show."""

    accuracy_drop: float = Field(0.10, gt=0, lt=1, description="Alert when live accuracy < baseline x (1 - drop).")
    confidence_median_min: float = Field(0.6, gt=0, lt=1, description="Alert when median confidence falls below.")
    drift_kl_divergence: float = Field(0.5, gt=0, description="KL(current || baseline) per feature.")
    drift_psi: float = Field(0.2, gt=0, description="Population stability index per feature.")
    missing_rate_max: float = Field(0.05, ge=0, lt=1, description="Share of requests with a required feature null.")
    fairness_min_ratio: float = Field(0.8, gt=0, lt=1, description="Four-fifths rule; the band is [r, 1/r].")
    fairness_baseline_shift: float = Field(0.10, gt=0, lt=1, description="Relative move of a group's ratio.")
    invalid_output_rate: float = Field(0.01, ge=0, lt=1, description="Share of predictions that are invalid.")
    adversarial_input_share: float = Field(0.05, gt=0, lt=1, description="Share of requests with a high anomaly score.")
    adversarial_input_rate: float | None = Field(None, gt=0, description="Optional floor: high-anomaly-score inputs "
                                                                          "per second an attack must also reach.")
    policy_violation_rate: float = Field(0.001, ge=0, lt=1, description="Share of outputs violating policy.")
    latency_p99_seconds: float = Field(0.5, gt=0, description="99th percentile inference latency.")
    memory_utilisation: float = Field(0.9, gt=0, le=1, description="Working set / memory limit of the server.")
    guard_sigmas: float = Field(5, ge=1, le=10, description="Standard deviations of healthy sampling noise every "
                                "statistic must sit inside its threshold before an alert may judge it; each alert's "
                                "minimum event count derives from it (docs/proof.md).")


class KillSwitch(_Strict):
    automated: bool = False
    min_consecutive_evaluations: int = Field(2, ge=1, description="Evaluations a critical alert must hold first.")


class Fallbacks(_Strict):
    rollback_to: Literal["known_good", "previous"] = "known_good"
    human_in_the_loop: bool = True
    kill_switch: KillSwitch = KillSwitch()


class ModelSpec(_Strict):
    apiVersion: Literal["aigen/v1"]
    kind: Literal["ModelSpec"]
    model: ModelInfo
    serving: Serving
    baseline: Baseline = Baseline()
    features: list[Feature] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)
    thresholds: Thresholds = Thresholds()
    fallbacks: Fallbacks = Fallbacks()
    severity_overrides: dict[str, str] = Field(default_factory=dict, description="incident type -> severity level.")
    disabled_detectors: list[str] = Field(default_factory=list, description="Detectors not to generate alerts for.")

    @property
    def rollback_version(self) -> str:
        versions = self.model.versions
        if self.fallbacks.rollback_to == "previous" and versions.previous:
            return versions.previous
        return versions.known_good
