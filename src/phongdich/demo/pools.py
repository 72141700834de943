"""Word pools for the demo province: names, villages, occupations, destinations.

The Kinh pools start from Faker's ``vi_VN`` person provider and are widened with common names;
the ethnic-minority pools (Thái, Mông, Khơ Mú, Dao, Hà Nhì…) are the names one meets in Điện Biên.
Everything is drawn with one seeded ``random.Random``: no Faker call per row.
"""

from __future__ import annotations

from faker.providers.person.vi_VN import Provider as _ViVN


def _merge(*groups: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for word in group:
            seen.setdefault(word, None)
    return tuple(seen)


# --- Kinh -------------------------------------------------------------------------------------
# (surname, weight): the national distribution, roughly.
KINH_SURNAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 310),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 50),
    ("Vũ", 40),
    ("Phan", 30),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Ngô", 13),
    ("Dương", 10),
    ("Đinh", 10),
    ("Đào", 8),
    ("Lương", 7),
    ("Trịnh", 7),
    ("Mai", 6),
    ("Lý", 5),
    ("Hà", 6),
    ("Cao", 5),
    ("Tạ", 3),
    ("Lưu", 3),
    ("Vương", 3),
    ("Nông", 3),
    ("Quách", 2),
    ("Tô", 2),
)
KINH_SURNAMES += tuple((s, 3) for s in _ViVN.last_names if s not in {k for k, _w in KINH_SURNAMES})

KINH_MIDDLE_MALE = _merge(
    ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thế", "Công", "Trọng", "Ngọc", "Mạnh"),
    ("Tuấn", "Thanh", "Hoàng", "Đình", "Anh", "Duy", "Tiến", "Quốc", "Hải", "Trung", "Bá"),
    [m for m in _ViVN.middle_names if m not in ("Thị", "Mai", "Mai Bảo")],
)
KINH_MIDDLE_FEMALE_OLD = ("Thị", "Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim", "Minh")
KINH_MIDDLE_FEMALE_YOUNG = _merge(
    ("Thị", "Thu", "Ngọc", "Thanh", "Minh", "Thùy", "Phương", "Hồng", "Khánh", "Diệu", "Bảo", "Hải", "Quỳnh"),
    ("Mai", "Kim", "Bích", "Lan", "Hà", "Tú", "Như", "Thảo", "Mỹ", "Cẩm"),
)
KINH_GIVEN_MALE = _merge(
    _ViVN.first_names_male,
    ("Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Long", "Thắng", "Sơn", "Cường", "Đức", "Phong", "Quân"),
    ("Hiếu", "Tâm", "Bình", "Hòa", "Khánh", "Lâm", "Việt", "Vinh", "Toàn", "Thịnh", "Đạt", "Hậu"),
    ("Lợi", "Tài", "Chiến", "Thái", "Hoà", "Tân", "Hưởng", "Kiên", "Lực", "Nghĩa", "Phú", "Quyết"),
    ("Sáng", "Thuận", "Tiến", "Tùng", "Văn", "Khải", "Đông", "Hà", "Hiển", "Huân", "Lộc", "Mạnh"),
)
KINH_GIVEN_FEMALE = _merge(
    _ViVN.first_names_female,
    ("Hoa", "Hằng", "Hà", "Huyền", "Nga", "Nhung", "Oanh", "Phương", "Quỳnh", "Thủy", "Trang", "Tuyết"),
    ("Uyên", "Vy", "Thư", "Giang", "Dung", "Loan", "Liên", "Hiền", "Hạnh", "Huệ", "Lý", "Nhàn"),
    ("Thơm", "Thắm", "Tâm", "Thu", "Hậu", "Hường", "Len", "Lụa", "My", "Nguyệt", "Phượng", "Sen"),
)

# --- Thái (and Lào, Khơ Mú, Kháng who mostly use Thái-style names in Điện Biên) ----------------
THAI_SURNAMES: tuple[tuple[str, int], ...] = (
    ("Lò", 22),
    ("Lường", 13),
    ("Quàng", 11),
    ("Cà", 11),
    ("Tòng", 8),
    ("Vì", 8),
    ("Lù", 5),
    ("Điêu", 5),
    ("Hoàng", 6),
    ("Lê", 2),
    ("Bạc", 2),
    ("Mè", 2),
    ("Khoàng", 2),
    ("Lềm", 2),
    ("Sa", 1),
    ("Lưu", 1),
)
THAI_GIVEN_MALE = (
    "Pằn", "Xiêng", "Ún", "Phăn", "Ọn", "Bun", "Khăm", "Thoong", "Panh", "Inh", "Hặc", "Chăn",
    "Muôn", "Xôm", "Hịa", "Pọm", "Thiêm", "Ngoan", "Pánh", "Chiến", "Hùng", "Dũng", "Tiến", "Thanh",
    "Sơn", "Kiên", "Ương", "Tươi", "Hom", "Puôn", "Xuân", "Bình", "Quân", "Thắng", "Hải", "Đức",
)  # fmt: skip
THAI_GIVEN_FEMALE = (
    "Ín", "Ọn", "Xiêng", "Bun", "Pọm", "Phanh", "Hom", "Lả", "Ỏn", "Ánh", "Hương", "Ngoan",
    "Xuân", "Mai", "Doan", "Chăm", "Lan", "Phương", "Ún", "Khiêm", "Thoa", "Hoa", "Chinh", "Diện",
    "Ơn", "Pâng", "Xoan", "Thủy", "Hiền", "Dung", "Kim", "Nga", "Xương", "Ngân", "Thu", "Bích",
)  # fmt: skip

# --- Mông ---------------------------------------------------------------------------------------
MONG_SURNAMES: tuple[tuple[str, int], ...] = (
    ("Giàng", 20),
    ("Vàng", 16),
    ("Sùng", 12),
    ("Mùa", 10),
    ("Thào", 10),
    ("Lầu", 8),
    ("Hạng", 6),
    ("Lý", 6),
    ("Chá", 4),
    ("Hờ", 4),
    ("Vừ", 4),
    ("Cứ", 3),
    ("Tráng", 3),
    ("Lỳ", 2),
    ("Mua", 2),
)
MONG_MIDDLE_MALE: tuple[tuple[str, int], ...] = (("A", 70), ("Seo", 12), ("Chứ", 6), ("Văn", 8), ("Sính", 4))
MONG_GIVEN_MALE = (
    "Páo", "Chứ", "Dính", "Súa", "Chua", "Sình", "Lử", "Tủa", "Lầu", "Pó", "Dế", "Giông", "Vư",
    "Sử", "Chơ", "Nhè", "Tếnh", "Pềnh", "Xá", "Chinh", "Của", "Lồng", "Tú", "Vàng", "Sếnh", "Phử",
    "Nủ", "Chống", "Cở", "Mua", "Thái", "Khai", "Dơ", "Làng", "Lềnh", "Nênh",
)  # fmt: skip
MONG_GIVEN_FEMALE = (
    "Mỷ", "Dợ", "Sua", "Mai", "Chở", "Sủa", "Xo", "Pà", "Dinh", "Chi", "Vá", "Khua", "Lan", "Gâu",
    "Dở", "Ía", "Phua", "Nhìa", "Chu", "Say", "Pia", "Súa", "Dua", "Chía", "Máy", "Sông", "Xuân",
)  # fmt: skip

# --- smaller groups -----------------------------------------------------------------------------
DAO_SURNAMES: tuple[tuple[str, int], ...] = (("Triệu", 5), ("Lý", 3), ("Bàn", 4), ("Phàn", 2), ("Đặng", 3), ("Chảo", 3))
DAO_MIDDLE_MALE = ("Văn", "Láo", "Vần", "Tà", "Phụ")
DAO_GIVEN_MALE = ("Seng", "Chẳn", "Kiềm", "Quáng", "Phin", "Sinh", "Lở", "Vằn", "Tòng", "Dìn", "Chấn", "Sành")
DAO_GIVEN_FEMALE = ("Mẩy", "Nái", "Xiêm", "Mui", "Lai", "Chạn", "Phây", "Dung", "Liều", "Sinh")
HANHI_SURNAMES: tuple[tuple[str, int], ...] = (("Lý", 3), ("Chu", 4), ("Pờ", 3), ("Lò", 2), ("Sừ", 2), ("Ly", 1))
HANHI_MIDDLE_MALE = ("Xè", "Gạ", "Chà", "Hờ", "Văn")
HANHI_GIVEN_MALE = ("Lu", "Hừ", "Phà", "Chừ", "Gơ", "Xá", "Pa", "Dờ", "Hạ", "Sừ", "Lự")
HANHI_GIVEN_FEMALE = ("Chà", "Mơ", "Pà", "Xạ", "Gơ", "Lé", "Dì", "Mé", "Sừ", "Chừ")
SMALL_SURNAMES: tuple[tuple[str, int], ...] = (("Pờ", 3), ("Lỳ", 3), ("Chu", 2), ("Lò", 3), ("Vì", 2), ("Quàng", 2))

# Ethnic groups as written on ID cards.
KINH = "Kinh"
THAI = "Thái"
MONG = "Mông"
KHOMU = "Khơ Mú"
DAO = "Dao"
HANHI = "Hà Nhì"
LAO = "Lào"
KHANG = "Kháng"
CONG = "Cống"
SILA = "Si La"
HOA = "Hoa"

# Ethnic mix per district (pre-2025 code), after the 2019 census shares for Điện Biên.
DISTRICT_ETHNIC_MIX: dict[str, tuple[tuple[str, int], ...]] = {
    "094": ((KINH, 74), (THAI, 20), (MONG, 3), (KHOMU, 1), (HOA, 1), (LAO, 1)),
    "095": ((THAI, 50), (KINH, 33), (MONG, 12), (KHOMU, 3), (KHANG, 2)),
    "096": ((MONG, 50), (HANHI, 12), (THAI, 10), (DAO, 10), (KINH, 8), (KHOMU, 5), (CONG, 3), (SILA, 2)),
    "097": ((MONG, 60), (THAI, 20), (KINH, 8), (KHOMU, 7), (KHANG, 5)),
    "098": ((MONG, 75), (THAI, 10), (KINH, 7), (DAO, 4), (KHANG, 4)),
    "099": ((THAI, 50), (MONG, 34), (KINH, 10), (KHOMU, 6)),
    "100": ((THAI, 55), (KINH, 25), (MONG, 10), (KHOMU, 5), (LAO, 4), (HOA, 1)),
    "101": ((MONG, 55), (THAI, 30), (KINH, 7), (KHOMU, 6), (LAO, 2)),
    "102": ((THAI, 60), (MONG, 20), (KINH, 15), (KHOMU, 5)),
    "103": ((MONG, 70), (THAI, 14), (KINH, 5), (KHOMU, 6), (DAO, 3), (HANHI, 2)),
}
DEFAULT_ETHNIC_MIX: tuple[tuple[str, int], ...] = ((THAI, 35), (MONG, 35), (KINH, 20), (KHOMU, 5), (DAO, 3), (HANHI, 2))
# Urban wards and district towns are mostly Kinh.
URBAN_ETHNIC_MIX: tuple[tuple[str, int], ...] = ((KINH, 72), (THAI, 20), (MONG, 5), (KHOMU, 2), (HOA, 1))

# --- villages -----------------------------------------------------------------------------------
THAI_PLACE_HEADS = (
    "Na", "Nà", "Huổi", "Pá", "Co", "Noong", "Hua", "Pom", "Phiêng", "Bó", "Nậm", "Ten", "Tin",
    "Khá", "Mường", "Pú", "Xôm", "Ta", "Che", "Tà", "Púng", "Hát", "Sáng", "Nong", "Lọng",
)  # fmt: skip
THAI_PLACE_TAILS = (
    "Sang", "Lếch", "Khôm", "Ban", "Lọong", "Hịa", "Mận", "Pe", "Luông", "Nọi", "Cang", "Xanh",
    "Pao", "Nhạn", "Há", "Lót", "Hẹt", "Ten", "Tấu", "Bua", "Phăng", "Có", "Dên", "Lay", "Mươn",
    "Hin", "Kham", "Pết", "Chạng", "Kéo", "Ngam", "Sản", "Lúng", "Lanh", "Ún",
)  # fmt: skip
MONG_PLACE_HEADS = (
    "Háng", "Sín", "Tà", "Xá", "Pú", "Huổi", "Nậm", "Tủa", "Phìn", "Làng", "Trống", "Sả", "Hồng",
    "Pa", "Lồng", "Chua", "Dề", "Ma", "Xín", "Sính",
)  # fmt: skip
MONG_PLACE_TAILS = (
    "Lìa", "Chải", "Phình", "Dền", "Sáng", "Chua", "Nhè", "Xa", "Lồng", "Súa", "Cáy", "Tâu",
    "Ná", "Thàng", "Pả", "Khua", "Dao", "Sang", "Cha", "Chồ", "Lếch", "Mí", "Chử", "Páo", "Só",
)  # fmt: skip
KINH_VILLAGE_PATTERNS = ("Thôn {n}", "Đội {n}", "Thôn {n}", "Xóm {n}")
KINH_VILLAGE_NAMES = (
    "Thanh Bình", "Thanh Hà", "Tân Tiến", "Hợp Thành", "Đông Biên", "Thanh Trường", "Hoàng Công Chất",
    "Tân Bình", "Quyết Tiến", "Độc Lập", "Thống Nhất", "Đoàn Kết", "Hồng Lĩnh", "Bình Minh",
)  # fmt: skip

# Streets of Điện Biên Phủ and the district towns, for urban house addresses.
STREETS = (
    "Võ Nguyên Giáp", "7/5", "Trần Đăng Ninh", "Hoàng Văn Thái", "Nguyễn Hữu Thọ", "Phan Đình Giót",
    "Tô Vĩnh Diện", "Bế Văn Đàn", "Nguyễn Chí Thanh", "Lê Trọng Tấn", "Trường Chinh", "Sùng Phái Sinh",
    "Hoàng Công Chất", "Trần Can", "Nguyễn Văn Linh", "Lò Văn Hặc", "Bùi Đình Cự", "Trần Văn Thọ",
)  # fmt: skip

# --- occupations -------------------------------------------------------------------------------
RURAL_WORK: tuple[tuple[str, int], ...] = (
    ("Làm ruộng", 40),
    ("Nông dân", 22),
    ("Làm nương", 8),
    ("Chăn nuôi", 4),
    ("Lao động tự do", 10),
    ("Công nhân", 3),
    ("Buôn bán", 3),
    ("Giáo viên", 3),
    ("Cán bộ xã", 2),
    ("Y tế thôn bản", 1),
    ("Thợ xây", 2),
    ("Ở nhà", 2),
)
URBAN_WORK: tuple[tuple[str, int], ...] = (
    ("Cán bộ, công chức", 16),
    ("Buôn bán", 16),
    ("Lao động tự do", 16),
    ("Công nhân", 8),
    ("Giáo viên", 8),
    ("Nhân viên văn phòng", 6),
    ("Kinh doanh", 6),
    ("Nhân viên y tế", 4),
    ("Lái xe", 4),
    ("Làm ruộng", 6),
    ("Thợ xây", 3),
    ("Nội trợ", 4),
    ("Công an", 2),
    ("Bộ đội", 1),
)
# Workplaces keyed by occupation; "{commune}" and "{district}" are filled in.
WORKPLACES: dict[str, tuple[str, ...]] = {
    "Giáo viên": (
        "Trường Tiểu học {commune}",
        "Trường THCS {commune}",
        "Trường Mầm non {commune}",
        "Trường PTDTBT THCS {commune}",
        "Trường THPT {district}",
    ),
    "Cán bộ xã": ("UBND {commune_full}",),
    "Cán bộ, công chức": (
        "UBND tỉnh Điện Biên",
        "Sở Y tế Điện Biên",
        "Sở Giáo dục và Đào tạo Điện Biên",
        "UBND {district_full}",
        "UBND {commune_full}",
        "Kho bạc Nhà nước Điện Biên",
        "Cục Thuế tỉnh Điện Biên",
    ),
    "Nhân viên y tế": (
        "Bệnh viện Đa khoa tỉnh Điện Biên",
        "Trung tâm Y tế {district}",
        "Trạm Y tế {commune_full}",
        "Trung tâm Kiểm soát bệnh tật tỉnh Điện Biên",
    ),
    "Y tế thôn bản": ("Trạm Y tế {commune_full}",),
    "Công nhân": (
        "Công ty CP Xi măng Điện Biên",
        "Công ty CP Cao su Điện Biên",
        "Công ty CP Cấp nước Điện Biên",
        "Công ty Điện lực Điện Biên",
        "Công ty CP Xây dựng Điện Biên",
    ),
    "Nhân viên văn phòng": (
        "Ngân hàng Agribank chi nhánh Điện Biên",
        "Ngân hàng BIDV chi nhánh Điện Biên",
        "Viettel Điện Biên",
        "VNPT Điện Biên",
        "Bưu điện tỉnh Điện Biên",
    ),
    "Công an": ("Công an tỉnh Điện Biên", "Công an {district}"),
    "Bộ đội": ("Bộ Chỉ huy Quân sự tỉnh Điện Biên", "Bộ đội Biên phòng tỉnh Điện Biên"),
    "Lái xe": ("Công ty CP Vận tải ô tô Điện Biên", "Hợp tác xã vận tải Điện Biên"),
    "Buôn bán": ("Chợ trung tâm {district}", "Chợ {commune}"),
    "Kinh doanh": ("Hộ kinh doanh cá thể",),
}

# (condition, minimum age, probability per person at that age or above)
CONDITIONS: tuple[tuple[str, int, float], ...] = (
    ("tăng huyết áp", 40, 0.09),
    ("tăng huyết áp", 60, 0.16),
    ("đái tháo đường", 40, 0.035),
    ("đái tháo đường", 60, 0.04),
    ("bệnh phổi tắc nghẽn mạn tính", 50, 0.03),
    ("suy thận mạn", 50, 0.01),
    ("bệnh tim mạch", 60, 0.04),
    ("hen phế quản", 15, 0.01),
    ("viêm gan B mạn tính", 18, 0.008),
    ("ung thư", 50, 0.005),
    ("béo phì", 18, 0.01),
)

# Mobile prefixes (Viettel dominates in the mountains).
PHONE_PREFIXES: tuple[tuple[str, int], ...] = (
    ("86", 6),
    ("96", 10),
    ("97", 12),
    ("98", 10),
    ("32", 5),
    ("33", 5),
    ("34", 5),
    ("35", 5),
    ("36", 5),
    ("37", 5),
    ("38", 5),
    ("39", 5),
    ("88", 2),
    ("91", 4),
    ("94", 3),
    ("81", 1),
    ("82", 1),
    ("83", 1),
    ("84", 1),
    ("85", 1),
    ("90", 2),
    ("93", 2),
    ("70", 1),
    ("76", 1),
    ("77", 1),
    ("78", 1),
    ("79", 1),
    ("92", 1),
    ("56", 1),
    ("58", 1),
    ("59", 1),
)

# Birthplace province codes (CCCD prefixes) for Kinh families who came to Điện Biên in the
# 1960s-80s, and for temporary residents.
KINH_ORIGINS: tuple[tuple[str, int], ...] = (
    ("034", 20),  # Thái Bình
    ("036", 12),  # Nam Định
    ("038", 12),  # Thanh Hóa
    ("030", 8),  # Hải Dương
    ("033", 8),  # Hưng Yên
    ("001", 8),  # Hà Nội
    ("035", 6),  # Hà Nam
    ("037", 5),  # Ninh Bình
    ("025", 5),  # Phú Thọ
    ("040", 5),  # Nghệ An
    ("014", 6),  # Sơn La
    ("012", 5),  # Lai Châu
)

# Where Điện Biên workers went: (province code, commune code, workplaces).
DESTINATIONS: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("27", "09205", ("Công ty TNHH Samsung Electronics Việt Nam", "KCN Yên Phong"), 12),
    ("27", "09229", ("KCN Yên Phong", "Công ty TNHH Samsung Electronics Việt Nam"), 5),
    ("27", "09265", ("KCN Quế Võ", "Công ty TNHH Canon Việt Nam (KCN Quế Võ)"), 5),
    ("27", "09355", ("KCN Đại Đồng – Hoàn Sơn",), 3),
    ("27", "09340", ("KCN Đại Đồng – Hoàn Sơn",), 2),
    ("27", "09397", ("KCN VSIP Bắc Ninh",), 3),
    ("24", "07807", ("KCN Quang Châu", "Công ty TNHH Luxshare-ICT Việt Nam (KCN Quang Châu)"), 12),
    ("24", "07795", ("KCN Đình Trám",), 5),
    ("24", "07783", ("KCN Đình Trám",), 3),
    ("24", "07801", ("KCN Vân Trung", "Công ty TNHH Luxshare-ICT Vân Trung"), 5),
    ("01", "00514", ("KCN Thăng Long", "Công ty TNHH Canon Việt Nam (KCN Thăng Long)"), 5),
    ("01", "08989", ("KCN Quang Minh",), 3),
    ("01", "00163", ("Lao động tự do", "Công trình xây dựng"), 4),
    ("19", "05878", ("Công ty TNHH Samsung Electronics Việt Nam Thái Nguyên (KCN Yên Bình)",), 6),
    ("74", "25987", ("KCN Việt Nam – Singapore (VSIP)",), 6),
    ("74", "25975", ("KCN Việt Hương", "Công ty TNHH Pou Yuen Việt Nam"), 3),
    ("74", "25948", ("KCN Sóng Thần",), 4),
    ("79", "27457", ("KCN Tân Tạo",), 3),
    ("79", "26800", ("KCX Linh Trung",), 3),
    ("79", "27466", ("KCX Tân Thuận",), 2),
    ("75", "26050", ("KCN Biên Hòa 2",), 4),
    ("75", "26272", ("KCN Hố Nai", "KCN Bàu Xéo"), 3),
)
