"""Which provinces border which: derived from the boundary data, plus a hand-entered table of land
borders with China, Laos and Cambodia.

Neighbouring provinces come from the TopoJSON files in ``data/geo/`` (see its SOURCES.md and
NOTICE.md): two provinces are neighbours when their outlines share an arc. The files are read
from the project's own ``data/geo`` directory (settings.GEO_DATA_DIR may point elsewhere).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.conf import settings

from phongdich.geo.models import Country, Hierarchy

TOPOJSON_FILES = {Hierarchy.PRE2025: "vn_pre2025.topojson", Hierarchy.POST2025: "vn_2025.topojson"}

CN, LA, KH = Country.CHINA, Country.LAOS, Country.CAMBODIA

# Land borders with neighbouring countries, by province code. HAND-ENTERED and hand-checked
# against the provinces' official descriptions (the boundary files stop at the national border,
# so they cannot tell which country lies beyond it). Sea borders are not listed.
FOREIGN_BORDERS: dict[Hierarchy, dict[str, tuple[Country, ...]]] = {
    Hierarchy.PRE2025: {
        "02": (CN,),  # Hà Giang
        "04": (CN,),  # Cao Bằng
        "10": (CN,),  # Lào Cai
        "11": (CN, LA),  # Điện Biên: China to the north, Laos to the west
        "12": (CN,),  # Lai Châu
        "14": (LA,),  # Sơn La
        "20": (CN,),  # Lạng Sơn
        "22": (CN,),  # Quảng Ninh
        "38": (LA,),  # Thanh Hóa
        "40": (LA,),  # Nghệ An
        "42": (LA,),  # Hà Tĩnh
        "44": (LA,),  # Quảng Bình
        "45": (LA,),  # Quảng Trị
        "46": (LA,),  # Thừa Thiên Huế
        "49": (LA,),  # Quảng Nam
        "62": (LA, KH),  # Kon Tum (the Indochina tri-border point)
        "64": (KH,),  # Gia Lai
        "66": (KH,),  # Đắk Lắk
        "67": (KH,),  # Đắk Nông
        "70": (KH,),  # Bình Phước
        "72": (KH,),  # Tây Ninh
        "80": (KH,),  # Long An
        "87": (KH,),  # Đồng Tháp
        "89": (KH,),  # An Giang
        "91": (KH,),  # Kiên Giang
    },
    Hierarchy.POST2025: {
        "04": (CN,),  # Cao Bằng
        "08": (CN,),  # Tuyên Quang (with Hà Giang)
        "11": (CN, LA),  # Điện Biên
        "12": (CN,),  # Lai Châu
        "14": (LA,),  # Sơn La
        "15": (CN,),  # Lào Cai (with Yên Bái)
        "20": (CN,),  # Lạng Sơn
        "22": (CN,),  # Quảng Ninh
        "38": (LA,),  # Thanh Hóa
        "40": (LA,),  # Nghệ An
        "42": (LA,),  # Hà Tĩnh
        "44": (LA,),  # Quảng Trị (with Quảng Bình)
        "46": (LA,),  # Huế
        "48": (LA,),  # Đà Nẵng (with Quảng Nam)
        "51": (LA, KH),  # Quảng Ngãi (with Kon Tum)
        "52": (KH,),  # Gia Lai
        "66": (KH,),  # Đắk Lắk
        "68": (KH,),  # Lâm Đồng (with Đắk Nông)
        "75": (KH,),  # Đồng Nai (with Bình Phước)
        "80": (KH,),  # Tây Ninh (with Long An)
        "82": (KH,),  # Đồng Tháp
        "91": (KH,),  # An Giang (with Kiên Giang)
    },
}


def data_dir() -> Path:
    default = Path(settings.PROJECT_DIR) / "data" / "geo"
    return Path(getattr(settings, "GEO_DATA_DIR", default))


def _arc_ids(arcs: Any, out: set[int]) -> None:
    """Collect the arc indices of a TopoJSON geometry; a negative index ~i is arc i reversed."""
    if isinstance(arcs, int):
        out.add(arcs if arcs >= 0 else ~arcs)
        return
    for item in arcs:
        _arc_ids(item, out)


def adjacency_from_topojson(topology: dict[str, Any], layer: str = "provinces") -> dict[str, set[str]]:
    """{code: {neighbour codes}} for the features of one TopoJSON layer: shared arc = shared border."""
    owners: dict[int, set[str]] = defaultdict(set)
    codes: list[str] = []
    for geometry in topology["objects"][layer]["geometries"]:
        code = str(geometry.get("properties", {}).get("code") or geometry.get("id"))
        codes.append(code)
        arcs: set[int] = set()
        _arc_ids(geometry.get("arcs", []), arcs)
        for arc in arcs:
            owners[arc].add(code)
    adjacency: dict[str, set[str]] = {code: set() for code in codes}
    for sharing in owners.values():
        for code in sharing:
            adjacency[code] |= sharing - {code}
    return adjacency


def province_adjacency(version: Hierarchy) -> dict[str, set[str]] | None:
    """The province adjacency of one hierarchy, or None when its boundary file is not installed."""
    path = data_dir() / TOPOJSON_FILES[version]
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as fh:
        return adjacency_from_topojson(json.load(fh))
