"""EU AI Act (Regulation (EU) 2024/1689) serious-incident reporting: Article 73 of the final text.

The design document quotes "Article 62", the number in the 2021 proposal; the adopted regulation moved the duty to
Article 73. A serious incident (Art. 3(49)) is one that led to: (a) a death or serious harm to a person's health,
(b) a serious and irreversible disruption of critical infrastructure, (c) an infringement of Union law protecting
fundamental rights, (d) serious harm to property or the environment. The report is due immediately and at most
15 days after becoming aware (73(2)); at most 2 days for a widespread infringement or (b) (73(3)); at most 10 days
after a death (73(4)). When several apply, the shortest governs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FRAMEWORK = "EU AI Act (Regulation (EU) 2024/1689) Article 73"

CRITERIA = {
    "death": "Art. 3(49)(a): the death of a person",
    "serious_harm_to_health": "Art. 3(49)(a): serious harm to a person's health",
    "critical_infrastructure_disruption":
        "Art. 3(49)(b): serious and irreversible disruption of critical infrastructure",
    "fundamental_rights_infringement": "Art. 3(49)(c): infringement of Union law protecting fundamental rights",
    "property_or_environment_harm": "Art. 3(49)(d): serious harm to property or the environment",
}

DECISIONS = ("pending", "report", "no_report")


@dataclass(frozen=True)
class Deadline:
    rule: str
    days: int
    why: str


GENERAL = Deadline("73(2)", 15, "at most 15 days after becoming aware of the serious incident")
WIDESPREAD = Deadline("73(3)", 2, "at most 2 days: widespread infringement or critical-infrastructure disruption")
DEATH = Deadline("73(4)", 10, "at most 10 days: the incident caused a death")
RULES = {d.rule: d for d in (GENERAL, WIDESPREAD, DEATH)}


def deadline_for(criteria: list[str], widespread: bool) -> Deadline:
    """The governing deadline: the shortest of those the assessment's facts trigger (73(2) when none is known)."""
    found = [GENERAL]
    if widespread or "critical_infrastructure_disruption" in criteria:
        found.append(WIDESPREAD)
    if "death" in criteria:
        found.append(DEATH)
    return min(found, key=lambda d: d.days)


def reporting_deadline(aware_at: datetime, deadline: Deadline) -> datetime:
    return aware_at + timedelta(days=deadline.days)
