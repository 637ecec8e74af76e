"""What fleet-wide recording rules would cost: a rendered project's per-model records merged across models.

An experiment for docs/performance.md, not a design aigen renders. Every recording rule of the ``recording``
groups whose expression is the same in several models once its ``model_id="<id>"`` matchers are taken out is
written once, in one fleet group, with ``model_id=~"<id>|<id>|..."`` (the models that share it); the models'
groups keep the rest (constants, alerts, and records with a per-model number in them such as a guard count). A
record is only merged when every record it reads is merged too or is a constant, so a merged record never waits
on a per-model group. The promtool tests are linked, not copied: bench/prom_eval.py replays their healthy
scenarios.

    python bench/prom_shared.py RENDERED_PROJECT DEST
    python bench/prom_eval.py RENDERED_PROJECT DEST     # the two, in one run
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

MODEL = re.compile(r'model_id="((?:[^"\\]|\\.)*)"')
RECORD = re.compile(r"\baigen:[A-Za-z0-9_:]+")


def _key(rule: dict) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    labels = tuple(sorted((k, v) for k, v in (rule.get("labels") or {}).items() if k != "model_id"))
    return rule["record"], MODEL.sub('model_id="*"', rule["expr"]), labels


def merge(src: Path, dest: Path) -> dict[str, int]:
    """Write the merged project; counts of rules before and after."""
    docs = {p.parent.name: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((src / "generated").glob("*/rules.yaml"))}
    users: dict[tuple, list[str]] = {}
    constants: set[str] = set()
    for model, doc in docs.items():
        for group in doc["groups"]:
            for rule in group["rules"]:
                if "record" in rule and group["name"].endswith(".recording"):
                    users.setdefault(_key(rule), []).append(model)
                elif "record" in rule:
                    constants.add(rule["record"])
    shared: dict[tuple, dict] = {}
    merged_names: dict[str, set[str]] = {}  # model -> records of it that are merged
    for model, doc in docs.items():
        merged_names[model] = set()
        for group in doc["groups"]:
            if not group["name"].endswith(".recording"):
                continue
            for rule in group["rules"]:
                key = _key(rule)
                reads = set(RECORD.findall(rule["expr"]))
                if len(users[key]) > 1 and reads <= constants | merged_names[model]:
                    merged_names[model].add(rule["record"])
                    if key not in shared:
                        ids = "|".join(users[key])  # model ids are [a-z0-9-]: nothing to escape
                        shared[key] = {**rule, "expr": MODEL.sub(f'model_id=~"{ids}"', rule["expr"])}
                        shared[key].pop("labels", None)
                        if key[2]:
                            shared[key]["labels"] = dict(key[2])
    before = after = 0
    for model, doc in docs.items():
        out = dest / "generated" / model
        out.mkdir(parents=True, exist_ok=True)
        for group in doc["groups"]:
            before += len(group["rules"])
            if group["name"].endswith(".recording"):
                group["rules"] = [r for r in group["rules"]
                                  if not (len(users[_key(r)]) > 1 and r["record"] in merged_names[model])]
            after += len(group["rules"])
        doc["groups"] = [g for g in doc["groups"] if g["rules"]]
        (out / "rules.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, width=4096), encoding="utf-8")
        tests = out / "tests"
        if not tests.exists():
            tests.symlink_to((src / "generated" / model / "tests").resolve())
    fleet = dest / "generated" / "fleet"
    fleet.mkdir(parents=True, exist_ok=True)
    group = {"name": "aigen.fleet.recording", "interval": "30s", "rules": list(shared.values())}
    (fleet / "rules.yaml").write_text(yaml.safe_dump({"groups": [group]}, sort_keys=False, width=4096),
                                      encoding="utf-8")
    return {"rules_before": before, "rules_after": after + len(shared), "shared": len(shared)}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/prom_shared.py RENDERED_PROJECT DEST")
    print(merge(Path(sys.argv[1]), Path(sys.argv[2])))
