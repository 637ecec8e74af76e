"""A synthetic fleet: N models derived from the three example specs, with matching training profiles.

Model i varies its example (i mod 3), its number of features (FEATURE_COUNTS, 3 to 200: a few wide models among
many narrow ones) and its protected attributes (i mod 5: 0 to 4). Every profile matches its spec, so every drift
and fairness detector renders; a model without protected attributes declares bias_and_fairness_violation not
applicable (NO_GROUPS_REASON), as a team would, so the fleet lints clean. Deterministic: the same N gives the same
files.

    python bench/fleet.py DEST N     # write a project (specs/, profiles, taxonomy) to DEST
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("content-moderation", "fraud-detection", "loan-approval")
FEATURE_COUNTS = (3, 5, 8, 12, 3, 20, 5, 40, 8, 200)
ATTRIBUTES = (
    ("age_group", ["18-29", "30-44", "45-59", "60+"], "30-44"),
    ("sex", ["female", "male"], "male"),
    ("region", ["central", "east", "north", "south", "west"], "central"),
    ("language_group", ["english", "non_english"], "english"),
)

NO_GROUPS_REASON = ("no protected attributes: no personal characteristic reaches the model's inputs or its "
                    "prediction labels, so there is no group to compare")


def _examples() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(spec, profile) of each example, as plain data."""
    specs, profiles = ROOT / "specs" / "models", ROOT / "specs" / "profiles"
    return [(yaml.safe_load((specs / f"{name}.yaml").read_text(encoding="utf-8")),
             json.loads((profiles / f"{name}.json").read_text(encoding="utf-8"))) for name in EXAMPLES]


def _features(spec: dict[str, Any], profile: dict[str, Any], count: int) -> tuple[list[dict], list[dict]]:
    """``count`` features cycling through the example's, renamed past the first round (``income_2``)."""
    base = spec["features"]
    binned = {f["name"]: f for f in profile["features"]}
    rounds = -(-count // len(base))
    declared, profiled = [], []
    for k in range(count):
        feature = dict(base[k % len(base)])
        name = feature["name"] if k < len(base) else f"{feature['name']}_{k // len(base) + 1}"
        if feature.get("importance") is not None:
            feature["importance"] = round(feature["importance"] / rounds, 4)
        declared.append({**feature, "name": name})
        profiled.append({**binned[base[k % len(base)]["name"]], "name": name})
    return declared, profiled


def _groups(count: int) -> tuple[list[dict], list[dict]]:
    """The first ``count`` protected attributes, declared and profiled (rates a little apart, none failing)."""
    declared, profiled = [], []
    for attribute, values, reference in ATTRIBUTES[:count]:
        declared.append({"attribute": attribute, "values": list(values), "reference": reference})
        rates = [{"value": v, "rows": 1000 + 10 * j, "positive_rate": round(0.40 + 0.005 * j, 6)}
                 for j, v in enumerate(values)]
        profiled.append({"attribute": attribute, "reference": reference, "groups": rates})
    return declared, profiled


def model(i: int, examples: list[tuple[dict[str, Any], dict[str, Any]]]) -> tuple[str, dict, dict]:
    """Model ``i`` of the fleet: (model id, spec, profile)."""
    spec, profile = (copy.deepcopy(part) for part in examples[i % len(examples)])
    model_id = f"{spec['model']['id']}-{i:04d}"
    spec["model"]["id"] = profile["model_id"] = model_id
    spec["features"], profile["features"] = _features(spec, profile, FEATURE_COUNTS[i % len(FEATURE_COUNTS)])
    spec["groups"], profile["groups"] = _groups(i % (len(ATTRIBUTES) + 1))
    if not spec["groups"]:
        spec["not_applicable"] = {"bias_and_fairness_violation": NO_GROUPS_REASON}
    return model_id, spec, profile


def generate(dest: Path, n: int) -> list[str]:
    """Write an N-model project to ``dest`` (specs/models, specs/profiles, specs/taxonomy.yaml); its model ids."""
    models, profiles = dest / "specs" / "models", dest / "specs" / "profiles"
    models.mkdir(parents=True, exist_ok=True)
    profiles.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "specs" / "taxonomy.yaml", dest / "specs" / "taxonomy.yaml")
    examples = _examples()
    ids = []
    for i in range(n):
        model_id, spec, profile = model(i, examples)
        (models / f"{model_id}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        (profiles / f"{model_id}.json").write_text(json.dumps(profile, indent=2) + "\n", encoding="utf-8")
        ids.append(model_id)
    return ids


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[2].isdigit():
        sys.exit("usage: python bench/fleet.py DEST N")
    print("\n".join(generate(Path(sys.argv[1]), int(sys.argv[2]))))
