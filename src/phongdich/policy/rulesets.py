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
    "Trong thời kỳ lây truyền của F0: (1) tiếp xúc cơ thể trực tiếp với F0; (2) có đeo khẩu trang nhưng "
    "ở khoảng cách trong vòng 2 m với F0, hoặc ở cùng không gian kín, trong thời gian tối thiểu 15 phút; "
    "(3) không đeo khẩu trang, ở khoảng cách trong vòng 2 m hoặc ở cùng không gian kín, không kể thời gian; "
    "(4) chăm sóc F0 mà không sử dụng đầy đủ phương tiện phòng hộ cá nhân."
)

WINDOW_NOTE = (
    "Thời kỳ lây nhiễm: từ 2 ngày trước ngày khởi phát triệu chứng (hoặc ngày lấy mẫu, hoặc ngày được "
    "xác định là ca bệnh) đến khi ca bệnh kết thúc cách ly [U: văn bản gốc nêu thời kỳ lây truyền; "
    "số ngày là cách hiểu thông thường]."
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
        "name": "2020 – 4/2021: F1 cách ly tập trung 14 ngày + 14 ngày theo dõi sức khỏe",
        "basis": "5053/QĐ-BYT (03/12/2020)",
        "effective_from": _d(2020, 1, 23),
        "effective_to": _d(2021, 5, 4),
        "confirmed": True,
        "contact_distance_m": 2,
        "contact_minutes": 15,
        "contact_unmasked_any_duration": True,
        "contact_definition": (
            "Người tiếp xúc gần với F0 (ngưỡng 2 m / 15 phút là cách hiểu theo văn bản 11042 ban hành sau) [U]."
        ),
        "tracing_depth": 3,
        "infectious_days_before": 2,
        "infectious_days_after": 14,
        "notes": (
            "F1 cách ly tập trung, F2 cách ly tại nhà [C]. Mức 14 + 14 ngày này đã được áp dụng từ những "
            "ca bệnh đầu tiên năm 2020; bản thân quyết định ban hành ngày 03/12/2020. Việc F2 cách ly 14 ngày "
            "tại nhà và thời gian tự theo dõi sức khỏe của F3 chưa được xác nhận với văn bản gốc. F4/F5 "
            "(tự theo dõi sức khỏe) không được truy vết tại đây. " + WINDOW_NOTE
        ),
        "levels": [
            _rule(0, "hospital", 14, note="Cách ly, điều trị tại bệnh viện."),
            _rule(1, "centralised", 14, monitor=14),
            _rule(2, "home", 14, confirmed=False, note="Cách ly 14 ngày tại nhà: chưa được xác nhận với văn bản gốc."),
            _rule(3, "self_monitor", 14, confirmed=False, note="Tự cách ly và theo dõi sức khỏe tại nhà."),
        ],
    },
    {
        "code": "t5-2021",
        "name": "5/2021: F1 cách ly tập trung 21 ngày, xét nghiệm vào ngày 1, 14, 20",
        "basis": "Chỉ đạo của Bộ Y tế (05/05/2021)",
        "effective_from": _d(2021, 5, 5),
        "effective_to": _d(2021, 7, 13),
        "confirmed": True,
        "contact_distance_m": 2,
        "contact_minutes": 15,
        "contact_unmasked_any_duration": True,
        "contact_definition": (
            "Người tiếp xúc gần với F0 (ngưỡng 2 m / 15 phút là cách hiểu theo văn bản 11042 ban hành sau) [U]."
        ),
        "tracing_depth": 3,
        "infectious_days_before": 2,
        "infectious_days_after": 14,
        "notes": (
            "Cách ly tập trung 21 ngày, xét nghiệm vào các ngày 1, 14 và 20, sau đó theo dõi sức khỏe tại "
            "nhà 7 ngày với lần xét nghiệm thứ 4 [C]. Cách xử lý F2/F3 giữ nguyên như năm 2020 [U]. " + WINDOW_NOTE
        ),
        "levels": [
            _rule(0, "hospital", 14),
            _rule(
                1, "centralised", 21, [1, 14, 20], monitor=7, note="Xét nghiệm lần thứ 4 trong 7 ngày theo dõi tại nhà."
            ),
            _rule(2, "home", 14, confirmed=False),
            _rule(3, "self_monitor", 14, confirmed=False),
        ],
    },
    {
        "code": "cv-5599-2021",
        "name": (
            "5599/BYT-MT: F1 cách ly tập trung 14 ngày + 14 ngày theo dõi sức khỏe tại nhà; thí điểm cách ly tại nhà"
        ),
        "basis": "5599/BYT-MT (14/07/2021)",
        "effective_from": _d(2021, 7, 14),
        "effective_to": _d(2021, 12, 15),
        "confirmed": True,
        "contact_distance_m": 2,
        "contact_minutes": 15,
        "contact_unmasked_any_duration": True,
        "contact_definition": (
            "Người tiếp xúc gần với F0 (ngưỡng 2 m / 15 phút là cách hiểu theo văn bản 11042 ban hành sau) [U]."
        ),
        "tracing_depth": 3,
        "infectious_days_before": 2,
        "infectious_days_after": 14,
        "notes": (
            "F1: cách ly 14 ngày, sau đó theo dõi sức khỏe tại nhà 14 ngày; xét nghiệm vào các ngày 1, 7 "
            "và 14 [C]. Thí điểm cách ly tại nhà: dán biển cảnh báo màu đỏ/vàng trước cửa nhà, khai báo y tế "
            "hằng ngày. Bộ quy tắc này lấy cách ly tập trung làm quy định chung; tỉnh thực hiện thí điểm "
            "sao chép bộ quy tắc này và chuyển F1 sang cách ly tại nhà. Cách xử lý F2/F3 [U]. " + WINDOW_NOTE
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
        "name": "10696/BYT-MT: F1 đã tiêm vắc xin cách ly tại nhà 7 ngày + 7 ngày tự theo dõi sức khỏe",
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
            "F1 đã tiêm đủ liều vắc xin (mũi cuối cùng từ 14 ngày đến 6 tháng trước đó) hoặc đã khỏi bệnh "
            "trong vòng 6 tháng: cách ly tại nhà 7 ngày và tự theo dõi sức khỏe 7 ngày tiếp theo, xét nghiệm "
            "vào ngày 1 và ngày 7 [C]. Ngày ban hành chính xác của công văn (dữ liệu ghi là 16/12/2021) và "
            "cách xử lý F1 chưa tiêm vắc xin, F2 và F3 chưa được xác nhận với văn bản gốc. F0 điều trị tại "
            "nhà được kết thúc cách ly vào ngày thứ 10 nếu xét nghiệm nhanh kháng nguyên âm tính. Định nghĩa "
            "người tiếp xúc gần theo văn bản 11042/BYT-DP (29/12/2021) [C]. " + WINDOW_NOTE
        ),
        "levels": [
            _rule(
                0,
                "home",
                10,
                [10],
                confirmed=False,
                note="F0 điều trị tại nhà kết thúc cách ly vào ngày thứ 10 nếu xét nghiệm âm tính.",
            ),
            _rule(1, "home", 7, [1, 7], monitor=7, note="F1 đã tiêm vắc xin hoặc đã khỏi bệnh."),
            _rule(2, "self_monitor", 7, confirmed=False),
            _rule(3, "self_monitor", 7, confirmed=False),
        ],
    },
    {
        "code": "cv-762-2022",
        "name": "762/BYT-DP: F1 cách ly 5 ngày, xét nghiệm PCR vào ngày thứ 5, sau đó tự theo dõi sức khỏe 5 ngày",
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
            "F1 đã tiêm ít nhất 2 mũi vắc xin, hoặc đã khỏi bệnh trong vòng 3 tháng: cách ly 5 ngày, xét "
            "nghiệm PCR vào ngày thứ 5, sau đó tự theo dõi sức khỏe 5 ngày [C] (quy định được áp dụng trong "
            "bộ quy tắc này). Các F1 khác: cách ly 7 ngày và tự theo dõi sức khỏe 3 ngày [C] — tỉnh áp dụng "
            "trường hợp này sao chép bộ quy tắc này. F0 điều trị tại nhà được kết thúc cách ly vào ngày thứ 7 "
            "nếu xét nghiệm nhanh kháng nguyên âm tính [C]. Ngày ban hành chính xác của công văn (dữ liệu ghi "
            "là 17/02/2022), cách xử lý F2/F3 và số cấp truy vết chưa được xác nhận với văn bản gốc. " + WINDOW_NOTE
        ),
        "levels": [
            _rule(
                0,
                "home",
                7,
                [7],
                note="F0 điều trị tại nhà kết thúc cách ly vào ngày thứ 7 nếu xét nghiệm nhanh kháng nguyên âm tính.",
            ),
            _rule(
                1,
                "home",
                5,
                [5],
                monitor=5,
                note="F1 đã tiêm vắc xin (2 mũi) hoặc mới khỏi bệnh. Các trường hợp khác: 7 + 3 ngày.",
            ),
            _rule(2, "self_monitor", 5, confirmed=False),
            _rule(3, "none", 0, confirmed=False),
        ],
    },
    {
        "code": "cv-1909-2022",
        "name": "1909/BYT-DP: không cách ly, tự theo dõi sức khỏe 10 ngày; F1 trong phạm vi 1 m",
        "basis": "1909/BYT-DP (15/04/2022)",
        "effective_from": _d(2022, 4, 15),
        "effective_to": None,
        "confirmed": True,
        "contact_distance_m": 1,
        "contact_minutes": 15,
        "contact_unmasked_any_duration": True,
        "contact_definition": (
            "Như văn bản 11042/BYT-DP nhưng khoảng cách 1 m thay cho 2 m [C]. F0 = xét nghiệm RT-PCR dương "
            "tính, hoặc có triệu chứng hay yếu tố dịch tễ kèm xét nghiệm nhanh kháng nguyên dương tính."
        ),
        "tracing_depth": 1,
        "infectious_days_before": 2,
        "infectious_days_after": 7,
        "notes": (
            "F1 không còn phải cách ly: trong 10 ngày kể từ lần tiếp xúc cuối cùng, đeo khẩu trang, tránh "
            "tụ tập đông người, tự theo dõi sức khỏe [C]. Chỉ truy vết F1. Các quy định về F0 chưa được xác "
            "nhận với văn bản gốc. " + WINDOW_NOTE
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
        if hasattr(rule_set, "home_care_allowed"):  # migration 0003's model predates these fields
            rule_set_model.objects.filter(pk=rule_set.pk).update(**CARE_RULES.get(rule_set.code, {}))
        created += 1
    return created


# Treatment (home care of F0, release of F0) and arrival rules, per national set (DOMAIN.md §1, §4).
# Kept apart from RULE_SETS because migration 0003 creates the sets with the models of its time;
# migration 0005 applies these, and ``load_rule_sets`` applies them to any set it creates.
# All of them are shipped unconfirmed (``care_rules_confirmed=False``) unless DOMAIN.md marks them [C].
CARE_RULES: dict[str, dict[str, Any]] = {
    "qd-5053-2020": {
        "home_care_allowed": False,
        "f0_release_day": 0,
        "f0_release_test": "rt_pcr",
        "arrival_handling": "centralised",
        "arrival_days": 14,
        "arrival_test_days": [1, 14],
    },
    "t5-2021": {
        "home_care_allowed": False,
        "f0_release_day": 0,
        "f0_release_test": "rt_pcr",
        "arrival_handling": "centralised",
        "arrival_days": 21,
        "arrival_test_days": [1, 14, 20],
    },
    # Aug 2021: 4038/QĐ-BYT (home care of asymptomatic/mild F0), 4156/QĐ-BYT (12 months–50 years, no
    # comorbidity, not pregnant), inpatients released on day 7 with PCR negative or Ct ≥ 30 [C];
    # arrivals: negative RT-PCR within 72 h (6288/BYT-MT) [C]; 14 days for arrivals from outbreak areas [U].
    "cv-5599-2021": {
        "home_care_allowed": True,
        "home_care_min_age_months": 12,
        "home_care_max_age_years": 50,
        "home_care_excludes_conditions": True,
        "home_care_excludes_pregnancy": True,
        "f0_release_day": 7,
        "f0_release_test": "rt_pcr",
        "f0_release_ct_min": 30,
        "arrival_pcr_hours": 72,
        "arrival_handling": "centralised",
        "arrival_days": 14,
        "arrival_test_days": [1, 7, 14],
    },
    # Late 2021: home F0 released on day 10 with a negative antigen test [C, source document U].
    "cv-10696-2021": {
        "home_care_allowed": True,
        "home_care_min_age_months": 12,
        "home_care_max_age_years": 50,
        "f0_release_day": 10,
        "f0_release_test": "antigen",
        "arrival_pcr_hours": 72,
        "arrival_handling": "home",
        "arrival_days": 7,
        "arrival_test_days": [1, 7],
    },
    # Feb 2022: home F0 released on day 7 with a negative antigen test [C]; from 15/03/2022 arrivals
    # show PCR within 72 h or antigen within 24 h, no quarantine [C].
    "cv-762-2022": {
        "home_care_allowed": True,
        "home_care_min_age_months": 12,
        "home_care_max_age_years": 50,
        "f0_release_day": 7,
        "f0_release_test": "antigen",
        "arrival_pcr_hours": 72,
        "arrival_antigen_hours": 24,
        "arrival_handling": "none",
        "arrival_days": 0,
        "arrival_test_days": [],
    },
    # From 15/05/2022 no test for arrivals [C].
    "cv-1909-2022": {
        "home_care_allowed": True,
        "home_care_min_age_months": 12,
        "home_care_max_age_years": 50,
        "f0_release_day": 7,
        "f0_release_test": "antigen",
        "arrival_handling": "none",
    },
}


def apply_care_rules(rule_set_model: Any = None) -> int:
    """Set the treatment and arrival rules of the national sets that still have the defaults."""
    if rule_set_model is None:
        from phongdich.policy.models import RuleSet

        rule_set_model = RuleSet
    changed = 0
    for code, values in CARE_RULES.items():
        changed += rule_set_model.objects.filter(code=code, province=None).update(**values)
    return changed
