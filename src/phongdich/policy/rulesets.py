"""The historical national rule sets of Vietnam (DOMAIN.md §1), shipped as data.

``load_rule_sets`` is idempotent: it creates the national sets that are missing (by ``code``)
and never touches a set that exists (an administrator may have corrected one). It is called
from the data migration ``policy.0003_historical_rule_sets`` with the historical models, and
can be called again (``load_rule_sets()``) to restore a deleted one.

Readings marked [U] in DOMAIN.md are shipped with ``confirmed=False`` (on the rule set, or on
the one level rule) and shown as "to be confirmed against the decision text".

Level rules: ``days`` is the length of the measure counted from the last exposure (the
handling ends on exposure date + days); ``test_days`` count day 1 = the exposure date;
``monitor_days`` of self-monitoring follow. F0 rows describe the case's own isolation and are
informational (an F0 has no PersonLevel).
"""

from __future__ import annotations

import datetime
from typing import Any

ALL_SETTINGS = ["household", "workplace", "school", "transport", "healthcare", "venue", "other"]

DEFINITION_11042 = (
    "During the F0's transmission period: (1) direct body contact with the F0; (2) wearing a mask but "
    "within 2 m of the F0, or in the same closed space, for at least 15 minutes; (3) without a mask, "
    "within 2 m or in the same closed space, any duration; (4) caring for the F0 without full PPE."
)

WINDOW_NOTE = (
    "Infectious window: from 2 days before symptom onset (or the sample, or the confirmation) to the "
    "end of the case's isolation [U: the decision text gives the transmission period; the day counts "
    "are the usual reading]."
)


def _d(y: int, m: int, d: int) -> datetime.date:
    return datetime.date(y, m, d)


def _rule(
    level: int,
    handling: str,
    days: int = 0,
    tests: list[int] | None = None,
    monitor: int = 0,
    confirmed: bool = True,
    note: str = "",
) -> dict[str, Any]:
    return {
        "level": level,
        "handling": handling,
        "days": days,
        "test_days": tests or [],
        "monitor_days": monitor,
        "confirmed": confirmed,
        "note": note,
    }


RULE_SETS: list[dict[str, Any]] = [
    {
        "code": "qd-5053-2020",
        "name": "2020 – 4/2021: F1 14 days centralised quarantine + 14 days monitoring",
        "basis": "5053/QĐ-BYT (03/12/2020)",
        "effective_from": _d(2020, 1, 23),
        "effective_to": _d(2021, 5, 4),
        "confirmed": True,
        "contact_distance_m": 2,
        "contact_minutes": 15,
        "contact_unmasked_any_duration": True,
        "contact_definition": "Close contact of an F0 (2 m / 15 minutes is the later 11042 reading) [U].",
        "tracing_depth": 3,
        "infectious_days_before": 2,
        "infectious_days_after": 14,
        "notes": (
            "F1 to centralised quarantine, F2 to home quarantine [C]. The same 14 + 14 days were applied "
            "from the first cases of 2020; the decision itself is of 03/12/2020. F2 = 14 days at home and "
            "the F3 self-monitoring period are not confirmed. F4/F5 (self-monitoring) are not traced here. "
            + WINDOW_NOTE
        ),
        "levels": [
            _rule(0, "hospital", 14, note="Hospital isolation and treatment."),
            _rule(1, "centralised", 14, monitor=14),
            _rule(2, "home", 14, confirmed=False, note="14 days at home is not confirmed."),
            _rule(3, "self_monitor", 14, confirmed=False, note="Self-isolation and health monitoring at home."),
        ],
    },
    {
        "code": "t5-2021",
        "name": "5/2021: F1 21 days centralised quarantine, tests on days 1, 14, 20",
        "basis": "Ministry of Health instruction (05/05/2021)",
        "effective_from": _d(2021, 5, 5),
        "effective_to": _d(2021, 7, 13),
        "confirmed": True,
        "contact_distance_m": 2,
        "contact_minutes": 15,
        "contact_unmasked_any_duration": True,
        "contact_definition": "Close contact of an F0 (2 m / 15 minutes is the later 11042 reading) [U].",
        "tracing_depth": 3,
        "infectious_days_before": 2,
        "infectious_days_after": 14,
        "notes": (
            "21 days of centralised quarantine with tests on days 1, 14 and 20, then 7 days of home "
            "monitoring with a 4th test [C]. F2/F3 handling carried over from 2020 [U]. " + WINDOW_NOTE
        ),
        "levels": [
            _rule(0, "hospital", 14),
            _rule(1, "centralised", 21, [1, 14, 20], monitor=7, note="A 4th test during the 7 days at home."),
            _rule(2, "home", 14, confirmed=False),
            _rule(3, "self_monitor", 14, confirmed=False),
        ],
    },
    {
        "code": "cv-5599-2021",
        "name": "5599/BYT-MT: F1 14 days + 14 days monitoring; home quarantine pilot",
        "basis": "5599/BYT-MT (14/07/2021)",
        "effective_from": _d(2021, 7, 14),
        "effective_to": _d(2021, 12, 15),
        "confirmed": True,
        "contact_distance_m": 2,
        "contact_minutes": 15,
        "contact_unmasked_any_duration": True,
        "contact_definition": "Close contact of an F0 (2 m / 15 minutes is the later 11042 reading) [U].",
        "tracing_depth": 3,
        "infectious_days_before": 2,
        "infectious_days_after": 14,
        "notes": (
            "F1: 14 days of quarantine plus 14 days of home monitoring; tests on days 1, 7 and 14 [C]. "
            "Pilot of home quarantine (cách ly tại nhà): red/yellow door sign, daily health declaration. "
            "Shipped with centralised quarantine as the rule; a province running the pilot copies this "
            "set and changes F1 to home quarantine. F2/F3 handling [U]. " + WINDOW_NOTE
        ),
        "levels": [
            _rule(0, "hospital", 14),
            _rule(1, "centralised", 14, [1, 7, 14], monitor=14),
            _rule(2, "home", 14, confirmed=False),
            _rule(3, "self_monitor", 14, confirmed=False),
        ],
    },
    {
        "code": "cv-10696-2021",
        "name": "10696/BYT-MT: vaccinated F1 7 days at home + 7 days self-monitoring",
        "basis": "10696/BYT-MT (12/2021)",
        "effective_from": _d(2021, 12, 16),
        "effective_to": _d(2022, 2, 16),
        "confirmed": False,
        "contact_distance_m": 2,
        "contact_minutes": 15,
        "contact_unmasked_any_duration": True,
        "contact_definition": DEFINITION_11042,
        "tracing_depth": 3,
        "infectious_days_before": 2,
        "infectious_days_after": 10,
        "notes": (
            "F1 fully vaccinated (last dose 14 days to 6 months earlier) or recovered within 6 months: "
            "7 days of home isolation plus 7 days of self-monitoring, tests on days 1 and 7 [C]. The exact "
            "date of the dispatch (shipped as 16/12/2021) and the handling of unvaccinated F1, F2 and F3 are "
            "not confirmed. Home F0 released at day 10 with a negative antigen test. The close-contact "
            "definition is 11042/BYT-DP (29/12/2021) [C]. " + WINDOW_NOTE
        ),
        "levels": [
            _rule(0, "home", 10, [10], confirmed=False, note="Home F0 released at day 10 with a negative test."),
            _rule(1, "home", 7, [1, 7], monitor=7, note="Vaccinated or recovered F1."),
            _rule(2, "self_monitor", 7, confirmed=False),
            _rule(3, "self_monitor", 7, confirmed=False),
        ],
    },
    {
        "code": "cv-762-2022",
        "name": "762/BYT-DP: F1 5 days, PCR on day 5, then 5 days self-monitoring",
        "basis": "762/BYT-DP (02/2022)",
        "effective_from": _d(2022, 2, 17),
        "effective_to": _d(2022, 4, 14),
        "confirmed": False,
        "contact_distance_m": 2,
        "contact_minutes": 15,
        "contact_unmasked_any_duration": True,
        "contact_definition": DEFINITION_11042,
        "tracing_depth": 3,
        "infectious_days_before": 2,
        "infectious_days_after": 7,
        "notes": (
            "F1 with at least 2 doses, or recovered within 3 months: 5 days of quarantine, PCR on day 5, "
            "then 5 days of self-monitoring [C] (the rule shipped here). Other F1: 7 days plus 3 days of "
            "self-monitoring [C] — a province applying that branch copies this set. Home F0 released at "
            "day 7 with a negative antigen test [C]. The dispatch's exact date (shipped as 17/02/2022), the "
            "F2/F3 handling and the tracing depth are not confirmed. " + WINDOW_NOTE
        ),
        "levels": [
            _rule(0, "home", 7, [7], note="Home F0 released at day 7 with a negative antigen test."),
            _rule(1, "home", 5, [5], monitor=5, note="Vaccinated (2 doses) or recently recovered F1. Others: 7 + 3."),
            _rule(2, "self_monitor", 5, confirmed=False),
            _rule(3, "none", 0, confirmed=False),
        ],
    },
    {
        "code": "cv-1909-2022",
        "name": "1909/BYT-DP: no quarantine, 10 days of self-monitoring; F1 within 1 m",
        "basis": "1909/BYT-DP (15/04/2022)",
        "effective_from": _d(2022, 4, 15),
        "effective_to": None,
        "confirmed": True,
        "contact_distance_m": 1,
        "contact_minutes": 15,
        "contact_unmasked_any_duration": True,
        "contact_definition": (
            "As 11042/BYT-DP with 1 m instead of 2 m [C]. F0 = positive RT-PCR, or symptoms or an "
            "epidemiological link plus a positive rapid antigen test."
        ),
        "tracing_depth": 1,
        "infectious_days_before": 2,
        "infectious_days_after": 7,
        "notes": (
            "F1 is no longer quarantined: for 10 days after the last contact, mask, avoid crowds, "
            "self-monitor [C]. Only F1 is traced. F0 details are not confirmed. " + WINDOW_NOTE
        ),
        "levels": [
            _rule(0, "home", 7, confirmed=False),
            _rule(1, "self_monitor", 10),
            _rule(2, "none", 0),
            _rule(3, "none", 0),
        ],
    },
]


def load_rule_sets(rule_set_model: Any = None, level_rule_model: Any = None) -> int:
    """Create the missing national rule sets; return how many were created (idempotent)."""
    if rule_set_model is None or level_rule_model is None:
        from phongdich.policy.models import LevelRule, RuleSet

        rule_set_model, level_rule_model = RuleSet, LevelRule
    created = 0
    for spec in RULE_SETS:
        data = {k: v for k, v in spec.items() if k != "levels"}
        if rule_set_model.objects.filter(code=data["code"]).exists():
            continue
        rule_set = rule_set_model.objects.create(contact_settings=list(ALL_SETTINGS), province=None, **data)
        for level in spec["levels"]:
            level_rule_model.objects.create(rule_set=rule_set, **level)
        created += 1
    return created
