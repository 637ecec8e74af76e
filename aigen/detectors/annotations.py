"""Series the dashboards read for their annotations: model deployments and data-pipeline runs.

No alert reads them; they belong to the metric contract so a deployment shows up on every graph of the model and
an on-call engineer can see at a glance whether a failure started with a rollout or a pipeline run.
"""

from __future__ import annotations

from aigen.detectors.base import Metric

MODEL_INFO = Metric(
    "model_info", "info", ("model_id", "version"),
    "Always 1, one series per model version serving (set from the spec's versions / the server's "
    "MODEL_VERSION). A new `version` label value marks a deployment or rollback on the dashboards.")
PIPELINE_RUN = Metric(
    "data_pipeline_last_run_timestamp_seconds", "gauge", ("model_id", "pipeline", "status"),
    "Unix time the last run of a data pipeline feeding the model finished (status success or failed), pushed by "
    "the pipeline at the end of each run (e.g. to a Pushgateway). Each change marks a pipeline run.",
    source="data pipeline")

ANNOTATION_METRICS: tuple[Metric, ...] = (MODEL_INFO, PIPELINE_RUN)
READER = "dashboards (annotations)"  # shown in the metric contract's "read by" column


def version_change_query(selector: str, step: str) -> str:
    """A sample wherever a model_info series exists that did not one step earlier: a new version went live."""
    return f"{MODEL_INFO.name}{{{selector}}} unless {MODEL_INFO.name}{{{selector}}} offset {step}"


def pipeline_run_query(selector: str, step: str) -> str:
    """A sample wherever a pipeline's last-run timestamp moved within the step: a run finished."""
    return f"changes({PIPELINE_RUN.name}{{{selector}}}[{step}]) > 0"
