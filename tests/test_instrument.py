"""aigen.instrument against the profile code: every training row, counted live, lands in the bin the profile
counted it in — so the live shares of the training sample equal the profile's baseline shares."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from aigen.binning import MISSING, OTHER, UNKNOWN_GROUP
from aigen.detectors import fairness
from aigen.instrument import ModelInstrument
from aigen.profile import Profile, load_profile
from tests.conftest import REPO

MODELS = ("fraud-detection", "loan-approval", "content-moderation")


def _profile_path(model: str) -> Path:
    return REPO / "specs" / "profiles" / f"{model}.json"


def _instrument(model: str) -> tuple[ModelInstrument, CollectorRegistry, Profile]:
    """The instrument of a model (reading the profile as plain JSON) and the profile as aigen validates it."""
    registry = CollectorRegistry()
    return ModelInstrument.from_file(_profile_path(model), registry), registry, load_profile(_profile_path(model))


def _typed(value: str, kind: str) -> object:
    """What a server holds rather than CSV text: numbers as floats, booleans as bools, blanks as None."""
    if value == "":
        return None
    if kind in ("numeric",):
        return float(value)
    if kind == "boolean":
        return value == "true"
    return value


@pytest.mark.parametrize("typed", [False, True])
@pytest.mark.parametrize("model", MODELS)
def test_training_rows_counted_live_reproduce_the_profile(model: str, typed: bool) -> None:
    instrument, registry, profile = _instrument(model)
    kinds = {f.name: f.type for f in profile.features}
    with (REPO / "specs" / "profiles" / "samples" / f"{model}.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        features = {k: _typed(v, kinds[k]) if typed else v for k, v in row.items() if k in kinds}
        instrument.observe(features, row["outcome"], {g.attribute: row[g.attribute] for g in profile.groups})
    for feature in profile.features:
        for b in feature.bins:
            count = registry.get_sample_value("model_feature_bin_total",
                                              {"model_id": model, "feature": feature.name, "bin": b.bin})
            assert round(count / len(rows), 6) == b.share, (feature.name, b.bin)
    group = profile.groups[0]
    for rate in group.groups:
        hits = sum(registry.get_sample_value("model_predictions_total", {
            "model_id": model, "outcome": profile.positive_outcome, **labels}) or 0
            for labels in _label_sets(profile, group.attribute, rate.value))
        assert round(hits / rate.rows, 6) == rate.positive_rate


def _label_sets(profile, attribute: str, value: str) -> list[dict[str, str]]:
    import itertools

    others = [g for g in profile.groups if g.attribute != attribute]
    return [{attribute: value, **{g.attribute: v for g, v in zip(others, combo, strict=True)}}
            for combo in itertools.product(*([x.value for x in g.groups] for g in others))]


def test_every_series_exists_at_zero_before_traffic() -> None:
    _, registry, profile = _instrument("loan-approval")
    text = generate_latest(registry).decode()
    bins = sum(len(f.bins) for f in profile.features)
    assert text.count("model_feature_bin_total{") == bins
    assert text.count("model_predictions_total{") == 2 * 4 * 2
    assert 'model_feature_bin_total{bin="__missing__",feature="income",model_id="loan-approval"} 0.0' in text


def test_odd_input_never_raises() -> None:
    instrument, registry, _ = _instrument("fraud-detection")
    instrument.observe({"merchant_category_code": 9999, "amount": "n/a", "card_present": "maybe"}, "flagged",
                       {"age_group": "120+"})
    assert instrument.bin_of("merchant_category_code", 9999) == OTHER
    assert instrument.bin_of("amount", "n/a") == MISSING
    assert instrument.bin_of("merchant_country", None) == MISSING
    assert instrument.bin_of("card_present", "maybe") == OTHER
    assert registry.get_sample_value("model_predictions_total", {
        "model_id": "fraud-detection", "outcome": "flagged", "age_group": UNKNOWN_GROUP}) == 1


def test_instrument_bins_agree_with_the_profile_module() -> None:
    profile = load_profile(REPO / "specs" / "profiles" / "fraud-detection.json")
    instrument = ModelInstrument(profile, CollectorRegistry())
    amount = profile.feature("amount")
    assert amount is not None
    for edge, label in zip(amount.edges, [b.bin for b in amount.bins], strict=False):
        assert instrument.bin_of("amount", edge) == label  # an edge belongs to the bin it closes
        assert instrument.bin_of("amount", str(edge)) == label


def test_a_profile_object_and_its_json_make_the_same_instrument() -> None:
    profile = load_profile(_profile_path("loan-approval"))
    from_model, from_json = CollectorRegistry(), CollectorRegistry()
    ModelInstrument(profile, from_model)
    ModelInstrument(json.loads(_profile_path("loan-approval").read_text(encoding="utf-8")), from_json)
    assert _samples(from_model) == _samples(from_json) != set()


def _samples(registry: CollectorRegistry) -> set[tuple[str, tuple[tuple[str, str], ...], float]]:
    """Every series and value, without the ``_created`` timestamps (they differ between two registries)."""
    return {(s.name, tuple(sorted(s.labels.items())), s.value) for metric in registry.collect() for s in metric.samples
            if not s.name.endswith("_created")}


def test_a_file_that_is_not_a_profile_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text('{"kind": "ModelSpec"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not an aigen training profile"):
        ModelInstrument.from_file(path, CollectorRegistry())


def test_the_unknown_group_label_is_the_one_the_fairness_rules_exclude() -> None:
    assert fairness.UNKNOWN_GROUP == UNKNOWN_GROUP


def test_a_model_server_imports_the_instrument_without_pydantic_yaml_or_the_rest_of_aigen() -> None:
    """A fresh interpreter imports aigen.instrument and counts one prediction; then lists what got imported."""
    script = (
        "import json, sys\n"
        "from prometheus_client import CollectorRegistry\n"
        "from aigen.instrument import ModelInstrument\n"
        f"ModelInstrument.from_file({str(_profile_path('fraud-detection'))!r}, CollectorRegistry())"
        ".observe({'amount': 1.0}, 'flagged')\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                                       timeout=60).stdout)
    heavy = {"pydantic", "yaml", "ruamel", "jinja2", "click", "jsonschema", "promql_parser"}
    assert not {m.split(".")[0] for m in loaded} & heavy
    assert {m for m in loaded if m.startswith("aigen")} == {"aigen", "aigen.binning", "aigen.instrument"}
