"""Training profiles: deterministic from the committed samples, validated by their JSON Schema, located errors for
bad data and bad profiles, binning that agrees with numpy's quantiles."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import shutil
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aigen.binning import MISSING, OTHER, numeric_labels
from aigen.cardinality import DEFAULT_SERIES_BUDGET, breakdown, cardinality
from aigen.commands.common import project_and_plans
from aigen.config import load_config
from aigen.errors import UsageError
from aigen.profile import FeatureProfile, profile_schema
from aigen.profile_build import quantile, quantile_edges
from tests.conftest import REPO

MODELS = ("fraud-detection", "loan-approval", "content-moderation")
SAMPLES = REPO / "specs" / "profiles" / "samples"


def _generator():
    spec = importlib.util.spec_from_file_location("samples_generate", SAMPLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("model", MODELS)
def test_committed_sample_and_profile_are_reproducible(project: Path, aigen, model: str) -> None:
    sample = _generator().write(model, project)
    assert sample.read_bytes() == (SAMPLES / f"{model}.csv").read_bytes()
    result = aigen("profile", "--model", model, str(sample), cwd=project)
    assert result.returncode == 0, result.stderr
    written = project / "specs" / "profiles" / f"{model}.json"
    assert written.read_text() == (REPO / "specs" / "profiles" / f"{model}.json").read_text()
    again = aigen("profile", "--model", model, str(sample), "-o", str(project / "again.json"), cwd=project)
    assert again.returncode == 0 and (project / "again.json").read_bytes() == written.read_bytes()


def test_parquet_sample_gives_the_csv_profile(project: Path, aigen) -> None:
    """The same rows as typed Parquet columns (floats, ints, booleans, nulls) profile to the same bins and shares."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    model = "loan-approval"
    with (SAMPLES / f"{model}.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    kinds = {"income": float, "debt_to_income": float, "credit_history_months": int}
    columns = {name: [None if r[name] == "" else kinds.get(name, str)(r[name]) for r in rows] for name in rows[0]}
    pq.write_table(pa.table(columns), project / "sample.parquet")
    result = aigen("profile", "--model", model, "sample.parquet", "-o", "p.json", cwd=project)
    assert result.returncode == 0, result.stderr
    got = json.loads((project / "p.json").read_text())
    want = json.loads((REPO / "specs" / "profiles" / f"{model}.json").read_text())
    assert got["source"]["file"] == "sample.parquet" and got["source"]["rows"] == want["source"]["rows"]
    got.pop("source"), want.pop("source")
    assert got == want


def test_schema_file_in_step_and_profiles_valid() -> None:
    committed = json.loads((REPO / "aigen" / "profile_schema.json").read_text())
    assert committed == profile_schema()
    validator = jsonschema.Draft202012Validator(committed)
    for model in MODELS:
        validator.validate(json.loads((REPO / "specs" / "profiles" / f"{model}.json").read_text()))
    broken = json.loads((REPO / "specs" / "profiles" / "fraud-detection.json").read_text())
    broken["features"][0]["bins"][0]["share"] = 1.5
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def _csv(project: Path, text: str) -> Path:
    path = project / "sample.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "merchant_category_code,amount,card_present,merchant_country,age_group,outcome\n"
GOOD = ["5411,10.5,true,US,18-29,flagged", "5812,20,false,GB,30-44,legit", "5411,30,true,,45-59,legit",
        "5999,40,false,US,60+,flagged", "5411,50,true,US,30-44,flagged"]


def test_bad_data_is_located(project: Path, aigen) -> None:
    rows = [*GOOD, "5411,abc,true,US,30-44,legit", "5411,12,maybe,US,30-44,legit", "5411,12,true,US,70+,legit"]
    result = aigen("profile", "--model", "fraud-detection", str(_csv(project, HEADER + "\n".join(rows) + "\n")),
                   cwd=project)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "sample.csv:7:6: feature 'amount' is numeric but 'abc' is not a number" in lines
    assert "sample.csv:8:9: feature 'card_present' is boolean but 'maybe' is not true/false/1/0/yes/no" in lines
    assert "Traceback" not in result.stderr


def test_bad_group_value_and_missing_column_are_located(project: Path, aigen) -> None:
    rows = [*GOOD, "5411,12,true,US,70+,legit"]
    result = aigen("profile", "--model", "fraud-detection", str(_csv(project, HEADER + "\n".join(rows) + "\n")),
                   cwd=project)
    assert result.returncode == 1
    assert "sample.csv:7:17: '70+' is not a group of 'age_group' in the spec (values: 18-29, 30-44, 45-59, 60+)" \
        in result.stderr
    no_outcome = HEADER.replace(",outcome", "") + "\n".join(r.rsplit(",", 1)[0] for r in GOOD) + "\n"
    result = aigen("profile", "--model", "fraud-detection", str(_csv(project, no_outcome)), cwd=project)
    assert result.returncode == 1
    assert result.stderr.startswith("sample.csv:1:1: no column 'outcome' in the sample")


def test_usage_errors_exit_2(project: Path, aigen) -> None:
    result = aigen("profile", "--model", "nope", str(_csv(project, HEADER)), cwd=project)
    assert result.returncode == 2 and "no spec with model.id 'nope'" in result.stderr
    result = aigen("profile", "--model", "fraud-detection", "missing.csv", cwd=project)
    assert result.returncode == 2 and "missing.csv: no such file" in result.stderr
    (project / "x.parquet").write_bytes(b"PAR1")
    result = aigen("profile", "--model", "fraud-detection", "x.parquet", cwd=project)
    assert result.returncode == 1 and result.stderr.startswith("x.parquet: invalid Parquet file")


def test_empty_feature_column_is_an_error(project: Path, aigen) -> None:
    rows = [",".join(["5411", "", *r.split(",")[2:]]) for r in GOOD]
    result = aigen("profile", "--model", "fraud-detection", str(_csv(project, HEADER + "\n".join(rows) + "\n")),
                   cwd=project)
    assert result.returncode == 1
    assert "feature 'amount': every value in the sample is missing" in result.stderr


def test_broken_profile_is_a_located_validate_error(project: Path, aigen) -> None:
    path = project / "specs" / "profiles" / "loan-approval.json"
    text = path.read_text().replace('"share": 0.100167', '"share": "lots"', 1)
    path.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if '"lots"' in row)
    result = aigen("validate", cwd=project)
    assert result.returncode == 1
    assert f"specs/profiles/loan-approval.json:{line}:20: features.0.bins.2.share: Input should be a valid number" \
        in result.stderr


def test_profile_must_match_its_spec(project: Path, aigen) -> None:
    path = project / "specs" / "profiles" / "fraud-detection.json"
    data = json.loads(path.read_text())
    data["features"] = [f for f in data["features"] if f["name"] != "amount"]
    data["groups"][0]["reference"] = "18-29"
    data["groups"].append({**data["groups"][0], "attribute": "region"})
    path.write_text(json.dumps(data, indent=2))
    result = aigen("validate", cwd=project)
    assert result.returncode == 1
    assert "the spec's feature 'amount' has no bins in the profile; re-run `aigen profile`" in result.stderr
    assert "groups of 'age_group' differ from the spec's" in result.stderr
    assert "protected attribute 'region' is not declared in the spec" in result.stderr


def test_without_a_profile_drift_is_skipped_with_a_reason(project: Path) -> None:
    shutil.rmtree(project / "specs" / "profiles")
    _, plans = project_and_plans(config=load_config(project))
    plan = next(p for p in plans if p.model_id == "fraud-detection")
    reasons = {s.detector: s.reason for s in plan.skipped}
    assert "aigen profile" in reasons["input_drift"] and "aigen profile" in reasons["feature_missing"]
    assert "AIModelFairnessDisparity" in {a.name for a in plan.alerts}  # needs no baseline
    assert "fairness_shift" in reasons


def test_cardinality_matches_the_rendered_series() -> None:
    _, plans = project_and_plans(config=load_config(REPO))
    loan = next(p for p in plans if p.model_id == "loan-approval")
    c = breakdown(loan)
    assert c.feature_bins == sum(len(f.bins) for f in loan.profile.features) == 50
    assert c.prediction_series == 2 * 4 * 2  # outcomes x age groups x sexes
    assert cardinality(loan) == c.total < DEFAULT_SERIES_BUDGET


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=200), st.floats(0, 1))
def test_quantile_is_numpys_linear_quantile(values: list[float], q: float) -> None:
    assert quantile(sorted(values), q) == pytest.approx(float(np.quantile(values, q)), rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=100), st.integers(2, 20),
       st.floats(-2e9, 2e9, allow_nan=False))
def test_a_value_lands_in_the_bin_whose_interval_holds_it(sample: list[float], bins: int, x: float) -> None:
    edges = quantile_edges(sample, bins)
    labels = numeric_labels(edges)
    shares = [{"bin": label, "share": 1.0 if i == 0 else 0.0} for i, label in enumerate(labels)]
    feature = FeatureProfile.model_validate({"name": "x", "type": "numeric", "edges": edges, "bins": shares})
    label = feature.binner().label(x)
    lo, hi = label[1:-1].split(",")
    assert (lo == "-inf" or float(lo) < x) and (hi == "+inf" or x <= float(hi))
    assert label == labels[int(np.searchsorted(edges, x, side="left"))]


def test_missing_and_other() -> None:
    feature = FeatureProfile.model_validate({"name": "c", "type": "categorical", "bins": [
        {"bin": "a", "share": 0.5}, {"bin": "5411", "share": 0.5}, {"bin": OTHER, "share": 0},
        {"bin": MISSING, "share": 0}]})
    binner = feature.binner()
    assert [binner.label(v) for v in ("a", " a ", 5411, 5411.0, "zz", None, "", "NULL", math.nan)] == \
        ["a", "a", "5411", "5411", OTHER, MISSING, MISSING, MISSING, MISSING]


def test_parquet_without_pyarrow_is_a_usage_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """UsageError is what the CLI turns into exit 2 with the message (see test_usage_errors_exit_2)."""
    from aigen.commands.profile import run

    (project / "x.parquet").write_bytes(b"PAR1")
    monkeypatch.chdir(project)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # import fails as if pyarrow were not installed
    with pytest.raises(UsageError, match=r"pip install 'aigen\[parquet\]'"):
        run("fraud-detection", Path("x.parquet"))


def test_text_bins_on_length_and_zero_reference_rate_is_refused(project: Path, aigen) -> None:
    edges = quantile_edges([float(len(t)) for t in ("a", "abcd", "abcdefgh")], 2)
    feature = FeatureProfile.model_validate({"name": "t", "type": "text", "edges": edges, "bins": [
        {"bin": b, "share": 1.0 if i == 0 else 0.0} for i, b in enumerate(numeric_labels(edges))]})
    assert feature.binner().label("abc") == "(-inf,4]" and feature.binner().label("abcde") == "(4,+inf)"
    rows = [r.replace("flagged", "legit") if ",30-44," in r else r for r in GOOD]
    result = aigen("profile", "--model", "fraud-detection", str(_csv(project, HEADER + "\n".join(rows) + "\n")),
                   cwd=project)
    assert result.returncode == 1
    assert "reference group age_group=30-44 has no 'flagged' outcome in the sample" in result.stderr
