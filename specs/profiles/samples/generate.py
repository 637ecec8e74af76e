"""Write the seeded synthetic training samples the example profiles are built from (stdlib only: the same bytes on
every machine and Python version, since ``random.Random`` with a seed is stable).

    python specs/profiles/samples/generate.py            # rewrites specs/profiles/samples/*.csv
    aigen profile --model fraud-detection specs/profiles/samples/fraud-detection.csv   # and the other two

Group outcome rates are set exactly (a fixed number of positives per group, shuffled), so the examples' baselines
are known: loan-approval's groups sit within the four-fifths band and its 60+ group at 0.41 approval.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable
from pathlib import Path

ROWS = 6000
HERE = Path(__file__).resolve().parent
AGE = [("18-29", 0.22), ("30-44", 0.31), ("45-59", 0.27), ("60+", 0.20)]


def pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def maybe(rng: random.Random, value: str, missing: float) -> str:
    return "" if rng.random() < missing else value


def outcomes(rng: random.Random, rows: list[dict[str, str]], attribute: str, rates: dict[str, float],
             positive: str, negative: str) -> None:
    """Exactly round(rate x rows) positives per group, at shuffled rows."""
    for group, rate in rates.items():
        members = [r for r in rows if r[attribute] == group]
        hits = set(rng.sample(range(len(members)), round(rate * len(members))))
        for i, row in enumerate(members):
            row["outcome"] = positive if i in hits else negative


def fraud(rng: random.Random) -> list[dict[str, str]]:
    mcc = [("5411", 20), ("5812", 14), ("5999", 11), ("4111", 9), ("5541", 8), ("5311", 7), ("5732", 6),
           ("7011", 5), ("4814", 5), ("5912", 4), ("5691", 3), ("7995", 3), ("6011", 3), ("4829", 2)]
    rows = [{
        "merchant_category_code": pick(rng, mcc),
        "amount": f"{math.exp(rng.gauss(3.6, 1.1)):.2f}",
        "card_present": "true" if rng.random() < 0.62 else "false",
        "merchant_country": maybe(rng, pick(rng, [("US", 70), ("GB", 8), ("DE", 6), ("FR", 5), ("CA", 5),
                                                   ("MX", 3), ("JP", 3)]), 0.02),
        "age_group": pick(rng, AGE),
    } for _ in range(ROWS)]
    outcomes(rng, rows, "age_group", {"18-29": 0.11, "30-44": 0.10, "45-59": 0.10, "60+": 0.105}, "flagged", "legit")
    return rows


def loan(rng: random.Random) -> list[dict[str, str]]:
    rows = [{
        "income": f"{math.exp(rng.gauss(10.7, 0.5)):.0f}",
        "debt_to_income": f"{rng.betavariate(2.2, 5.0):.4f}",
        "credit_history_months": str(int(rng.triangular(0, 480, 96))),
        "employment_type": pick(rng, [("salaried", 58), ("self_employed", 17), ("contract", 12),
                                      ("retired", 8), ("unemployed", 5)]),
        "loan_purpose": maybe(rng, pick(rng, [("car", 24), ("home_improvement", 21), ("debt_consolidation", 19),
                                              ("education", 9), ("medical", 7), ("wedding", 5), ("travel", 5),
                                              ("business", 10)]), 0.03),
        "age_group": pick(rng, AGE),
        "sex": pick(rng, [("female", 0.49), ("male", 0.51)]),
    } for _ in range(ROWS)]
    outcomes(rng, rows, "age_group", {"18-29": 0.38, "30-44": 0.44, "45-59": 0.43, "60+": 0.41}, "approved", "declined")
    return rows


def moderation(rng: random.Random) -> list[dict[str, str]]:
    langs = [("en", 60), ("es", 12), ("pt", 7), ("de", 5), ("fr", 5), ("hi", 4), ("ja", 3), ("ar", 2), ("tr", 2)]
    rows = []
    for _ in range(ROWS):
        language = pick(rng, langs)
        rows.append({
            "text_length": str(max(1, int(math.exp(rng.gauss(4.4, 0.9))))),
            "language": language,
            "has_media": maybe(rng, "true" if rng.random() < 0.3 else "false", 0.05),
            "language_group": "english" if language == "en" else "non_english",
        })
    outcomes(rng, rows, "language_group", {"english": 0.08, "non_english": 0.084}, "flagged", "allowed")
    return rows


SAMPLES: dict[str, tuple[int, Callable[[random.Random], list[dict[str, str]]]]] = {
    "fraud-detection": (42, fraud), "loan-approval": (7, loan), "content-moderation": (2026, moderation),
}


def write(model_id: str, folder: Path = HERE) -> Path:
    seed, make = SAMPLES[model_id]
    rows = make(random.Random(seed))
    path = folder / f"{model_id}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


if __name__ == "__main__":
    for name in SAMPLES:
        print(write(name))
