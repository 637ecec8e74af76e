"""The model spec (``apiVersion: aigen/v1``, ``kind: ModelSpec``): the public contract a team writes per model.

Field names here are the contract; defaults are documented in the JSON Schema (``aigen schema``) and the README.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

# Field kinds (docs/security.md). An identifier reaches PromQL matchers, Prometheus labels, receiver names and shell
# commands, so it gets a strict pattern and no escaping is ever needed; free text (descriptions, units) is accepted
# as written and every renderer emits it literally. ALLOWED_FORM says each pattern in words for the error message.
MODEL_ID = r"^[a-z][a-z0-9-]{0,62}$"
TEAM = MODEL_ID
RECEIVER = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
FEATURE = r"^[a-zA-Z_][a-zA-Z0-9_]{0,127}$"
LABEL = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
LABEL_VALUE = r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$"
VERSION = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$"
URL = r"^https?://[A-Za-z0-9._~:/?#@!$&()*+,;=%-]+$"
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"
ENV_VAR = r"^[A-Za-z_][A-Za-z0-9_]*$"
INCIDENT_TYPE = r"^[a-z][a-z0-9_]{0,62}$"
"""The taxonomy's name pattern (aigen/taxonomy.py NAME): a key naming an incident type is refused by its form before
it is looked up in the taxonomy."""

REMOVED_KEYS: dict[str, str] = {
    "fairness_min_volume": "was removed: fairness alerts now judge a group only once their window holds enough "
                           "positives (thresholds.guard_sigmas, docs/proof.md); delete the key",
}
"""Keys earlier versions accepted, with what replaced them: a spec written for them gets this, not "unknown key"."""

ALLOWED_FORM: dict[str, str] = {
    MODEL_ID: "lowercase letters, digits and -, starting with a letter, at most 63 characters",
    RECEIVER: "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 128 characters",
    FEATURE: "letters, digits and _, not starting with a digit, at most 128 characters",
    LABEL: "a Prometheus label name: letters, digits and _, not starting with a digit",
    LABEL_VALUE: "letters, digits, '_', '.', '+' and '-', starting with a letter or digit, at most 64 characters",
    VERSION: "letters, digits, '.', '_', '+' and '-', starting with a letter or digit, at most 64 characters",
    URL: "an http(s) URL without spaces, quotes, braces or backslashes",
    DNS_LABEL: "a Kubernetes name: lowercase letters, digits and -, starting and ending with a letter or digit, "
               "at most 63 characters",
    DNS_SUBDOMAIN: "a Kubernetes name: lowercase letters, digits, '-' and '.', starting and ending with a letter or "
                   "digit",
    ENV_VAR: "an environment variable name: letters, digits and _, not starting with a digit",
    INCIDENT_TYPE: "an incident type of the taxonomy: lowercase letters, digits and _, starting with a letter, at "
                   "most 63 characters",
}


_SAY_WHY = "say why this incident type cannot happen to this model (reviewers read it; lint shows it)"


def _reason_given(value: object) -> object:
    if value is None:  # `harmful_output:` with nothing after it
        raise ValueError(f"the reason is missing: {_SAY_WHY}")
    return value


def _reason(value: str) -> str:
    if not value.strip():
        raise ValueError(f"the reason is blank: {_SAY_WHY}")
    return value


Reason = Annotated[str, BeforeValidator(_reason_given), AfterValidator(_reason),
                   Field(json_schema_extra={"minLength": 1, "pattern": r"\S"})]
"""Free text that must say something: not missing, empty or only whitespace."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Versions(_Strict):
    current: str = Field(pattern=VERSION, description="The version serving now.")
    previous: str | None = Field(None, pattern=VERSION, description="The version served before this one.")
    known_good: str = Field(pattern=VERSION, description="The last version validated as good: the rollback target.")


class ModelInfo(_Strict):
    id: str = Field(pattern=MODEL_ID, description="Becomes the model_id label on every series and alert.")
    description: str = Field("", description="Free text, rendered literally.")
    owner: str = Field(pattern=TEAM,
                       description="The team that owns the model: the team label, <owner>-tickets receiver.")
    oncall: str = Field(pattern=RECEIVER, description="Alertmanager receiver that is paged.")
    positive_outcome: str = Field("positive", pattern=LABEL_VALUE,
                                  description="The outcome label value fairness rates count (approved, flagged, ...).")
    versions: Versions


class Serving(_Strict):
    namespace: str = Field(pattern=DNS_LABEL)
    deployment: str = Field(pattern=DNS_SUBDOMAIN)
    container: str | None = Field(None, pattern=DNS_LABEL,
                                  description="Container of the model server (defaults to the deployment).")
    version_env: str = Field("MODEL_VERSION", pattern=ENV_VAR)
    oversight_gateway: str = Field("http://ai-oversight-gateway:8080", pattern=URL,
                                   description="Human-oversight gateway URL.")
    oversight_deployment: str = Field("ai-oversight-gateway", pattern=DNS_SUBDOMAIN)
    prometheus_url: str = Field("http://prometheus:9090", pattern=URL,
                                description="Prometheus the runbook commands query.")
    pipeline_namespace: str = Field("data-pipeline", pattern=DNS_LABEL)


class Baseline(_Strict):
    accuracy: float | None = Field(None, gt=0, le=1, description="Validated offline accuracy; enables accuracy_drop.")
    positive_rate: float | None = Field(None, gt=0, lt=1, description="Share of positive outcomes at training time.")


class Feature(_Strict):
    name: str = Field(pattern=FEATURE)
    type: Literal["numeric", "categorical", "text", "boolean"]
    required: bool = True
    importance: float | None = Field(None, ge=0, le=1)
    unit: str | None = Field(None, description="Free text, rendered literally.")
    description: str = Field("", description="Free text, rendered literally.")


class Group(_Strict):
    attribute: str = Field(pattern=LABEL, description="Label name carried by model_predictions_total.")
    values: list[Annotated[str, Field(pattern=LABEL_VALUE)]] = Field(min_length=2)
    reference: str = Field(pattern=LABEL_VALUE, description="The group the others are compared with.")


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
    not_applicable: dict[Annotated[str, Field(pattern=INCIDENT_TYPE)], Reason] = Field(
        default_factory=dict, json_schema_extra={"additionalProperties": False},
        description="incident type -> why it cannot happen to this model (free text, required). A waived type needs "
                    "no alert for lint's coverage rule; its runbook is still rendered.")

    @property
    def rollback_version(self) -> str:
        versions = self.model.versions
        if self.fallbacks.rollback_to == "previous" and versions.previous:
            return versions.previous
        return versions.known_good
