"""Transmission-chain graphs: a cluster's, and one person's own chain.

Nodes are persons: F0 (a confirmed case) and F1–F3 (their PersonLevel). Edges:
- ``level``: from the person a level came through (``via_person``; the root case's person
  when it is empty) to the F-person;
- ``contact``: a recorded (not removed) contact between two F0 of the same graph — the
  case-to-case links of a cluster; who infected whom is rarely known, so they are undirected.

A cluster's graph is three queries whatever its size (cases, levels, case-to-case contacts).
The layout is computed here, not in the browser: each F0 is the centre of a radial tree (F1
on the first ring, F2 on the second…, each subtree getting an angle in proportion to its
leaves) and the trees are packed in rows, F0 linked by contacts next to each other. It is
deterministic and takes milliseconds for 5,000 nodes, so the page only draws (WebGL, sigma).

Labels: the name for persons inside the user's unit (initials outside it), the case code
for F0. Each node links to the person's page (the case page for F0 when there is one).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse

from phongdich.cases.models import Case, CaseStatus, Cluster
from phongdich.tracing.linelists import initials, person_in_scope
from phongdich.tracing.models import Contact, PersonLevel

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.people.models import Person

MAX_NODES = 20_000
RING = 60.0  # distance between rings
SPACING = 14.0  # minimal distance between neighbours on a ring
_UNIT_COLS = ("province_id", "district_id", "commune_id", "village_id")
_ZERO = "00000000-0000-0000-0000-000000000000"


@dataclass
class Node:
    id: str
    level: int
    label: str
    url: str = ""
    code: str = ""
    case_id: str = ""
    in_scope: bool = True
    focus: bool = False
    x: float = 0.0
    y: float = 0.0
    children: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "label": self.label,
            "url": self.url,
            "code": self.code,
            "in_scope": self.in_scope,
            "focus": self.focus,
            "x": round(self.x, 1),
            "y": round(self.y, 1),
        }


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    truncated: bool = False

    def as_dict(self, title: str = "") -> dict[str, Any]:
        counts = {f"F{n}": 0 for n in range(4)}
        for node in self.nodes.values():
            counts[f"F{node.level}"] += 1
        return {
            "title": title,
            "nodes": [n.as_dict() for n in self.nodes.values()],
            "edges": [{"source": s, "target": t, "kind": k} for s, t, k in self.edges],
            "counts": counts,
            "truncated": self.truncated,
        }


class _Urls:
    """Person and case page URLs built from one reversed template each (5,000 nodes)."""

    def __init__(self) -> None:
        self.person = reverse("people:detail", args=[_ZERO])
        try:
            self.case: str | None = reverse("cases:detail", args=[_ZERO])
        except NoReverseMatch:  # the case pages are another module's; fall back to the person
            self.case = None

    def for_person(self, person_id: str) -> str:
        return self.person.replace(_ZERO, person_id)

    def for_case(self, case_id: str, person_id: str) -> str:
        return self.case.replace(_ZERO, case_id) if self.case else self.for_person(person_id)


def _units(row: dict[str, Any], prefix: str) -> dict[str, int | None]:
    return {col[:-3]: row[f"{prefix}{col}"] for col in _UNIT_COLS}


def _case_values(qs: Any) -> list[dict[str, Any]]:
    return list(
        qs.order_by("confirmed_on", "code").values(
            "id", "code", "person_id", "person__full_name", *(f"person__{c}" for c in _UNIT_COLS)
        )[:MAX_NODES]
    )


def _level_values(qs: Any) -> list[dict[str, Any]]:
    return list(
        qs.order_by("level", "person_id").values(
            "person_id",
            "level",
            "case_id",
            "via_person_id",
            "person__full_name",
            *(f"person__{c}" for c in _UNIT_COLS),
        )[:MAX_NODES]
    )


def _build(user: User, case_rows: list[dict[str, Any]], level_rows: list[dict[str, Any]]) -> Graph:
    urls = _Urls()
    graph = Graph(truncated=len(case_rows) >= MAX_NODES or len(level_rows) >= MAX_NODES)
    case_person: dict[str, str] = {}
    for row in case_rows:
        pid = str(row["person_id"])
        case_person[str(row["id"])] = pid
        if pid in graph.nodes:  # a person confirmed twice: the first case stands
            continue
        in_scope = person_in_scope(user, _units(row, "person__"))
        name = row["person__full_name"] if in_scope else initials(row["person__full_name"])
        graph.nodes[pid] = Node(
            id=pid,
            level=0,
            label=f"{row['code']} · {name}",
            code=row["code"],
            case_id=str(row["id"]),
            url=urls.for_case(str(row["id"]), pid) if in_scope else "",
            in_scope=in_scope,
        )
    for row in level_rows:
        pid = str(row["person_id"])
        if pid in graph.nodes:  # already an F0 here
            continue
        in_scope = person_in_scope(user, _units(row, "person__"))
        name = row["person__full_name"]
        graph.nodes[pid] = Node(
            id=pid,
            level=int(row["level"]),
            label=name if in_scope else initials(name),
            url=urls.for_person(pid) if in_scope else "",
            in_scope=in_scope,
        )
    for row in level_rows:
        pid = str(row["person_id"])
        if graph.nodes[pid].level == 0:
            continue
        source = str(row["via_person_id"]) if row["via_person_id"] else ""
        if source not in graph.nodes or source == pid:
            source = case_person.get(str(row["case_id"]), "")
        if source in graph.nodes and source != pid:
            graph.edges.append((source, pid, "level"))
            graph.nodes[source].children.append(pid)
    return graph


def _add_case_contacts(graph: Graph, person_ids: Any) -> None:
    """Contacts between F0 of the graph (one query; ``person_ids`` may be a subquery)."""
    pairs = (
        Contact.objects.filter(removed_at__isnull=True, person_a_id__in=person_ids, person_b_id__in=person_ids)
        .values_list("person_a_id", "person_b_id")
        .distinct()
    )
    seen: set[tuple[str, str]] = set()
    for a, b in pairs:
        key = (min(str(a), str(b)), max(str(a), str(b)))
        if key[0] == key[1] or key in seen:
            continue
        if key[0] in graph.nodes and key[1] in graph.nodes:
            seen.add(key)
            graph.edges.append((key[0], key[1], "contact"))


def cluster_graph(user: User, cluster: Cluster) -> dict[str, Any]:
    """The graph of a cluster the caller already fetched through the access helper."""
    cases = Case.objects.filter(cluster=cluster, status=CaseStatus.CONFIRMED)
    levels = PersonLevel.objects.filter(case__cluster=cluster)
    graph = _build(user, _case_values(cases), _level_values(levels))
    _add_case_contacts(graph, cases.values("person_id"))
    layout(graph)
    return graph.as_dict(title=cluster.name)


def person_graph(user: User, person: Person) -> dict[str, Any]:
    """A person's own chain: for an F0, their case's tree; for an F1–F3, the path up to the
    root case and everyone whose level came through them."""
    own_case = (
        Case.objects.filter(person=person, status=CaseStatus.CONFIRMED).order_by("-confirmed_on").only("pk").first()
    )
    level = PersonLevel.objects.filter(person=person).only("case_id").first()
    if own_case is not None:
        root_id = own_case.pk
    elif level is not None:
        root_id = level.case_id
    else:
        return Graph().as_dict(title=person.full_name)
    cases = Case.objects.filter(pk=root_id)
    levels = PersonLevel.objects.filter(case_id=root_id)
    graph = _build(user, _case_values(cases), _level_values(levels))
    focus = str(person.pk)
    if own_case is None and focus in graph.nodes:
        keep = _chain_of(graph, focus)
        graph.nodes = {k: v for k, v in graph.nodes.items() if k in keep}
        graph.edges = [e for e in graph.edges if e[0] in keep and e[1] in keep]
        for node in graph.nodes.values():
            node.children = [c for c in node.children if c in keep]
    if focus in graph.nodes:
        graph.nodes[focus].focus = True
    layout(graph)
    return graph.as_dict(title=person.full_name)


def _chain_of(graph: Graph, focus: str) -> set[str]:
    parent = {t: s for s, t, k in graph.edges if k == "level"}
    keep = {focus}
    current = focus
    while current in parent and parent[current] not in keep:
        current = parent[current]
        keep.add(current)
    stack = [focus]
    while stack:
        for child in graph.nodes[stack.pop()].children:
            if child not in keep:
                keep.add(child)
                stack.append(child)
    return keep


# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------


def layout(graph: Graph) -> None:
    """Radial trees around each root, packed in rows (see the module docstring)."""
    nodes = graph.nodes
    has_parent = {t for _, t, k in graph.edges if k == "level"}
    roots = [n for n in nodes.values() if n.id not in has_parent]
    # Roots linked by case-to-case contacts are placed next to each other.
    links: dict[str, set[str]] = defaultdict(set)
    for s, t, k in graph.edges:
        if k == "contact":
            links[s].add(t)
            links[t].add(s)
    order: list[Node] = []
    placed: set[str] = set()
    for root in sorted(roots, key=lambda n: (n.level, n.code, n.label)):
        if root.id in placed:
            continue
        queue = [root.id]
        placed.add(root.id)
        while queue:
            current = queue.pop(0)
            order.append(nodes[current])
            for other in sorted(links.get(current, ())):
                if other not in placed and other in nodes and other not in has_parent:
                    placed.add(other)
                    queue.append(other)
    visited: set[str] = set()
    radii = [_radial(graph, root, visited) for root in order]
    # A cycle of levels without a root (should not happen) is still drawn, from any member.
    for node in list(nodes.values()):
        if node.id not in visited:
            order.append(node)
            radii.append(_radial(graph, node, visited))
    # Pack the trees in rows about as wide as the whole picture is tall.
    area = sum((2 * r + SPACING * 4) ** 2 for r in radii) or 1.0
    width = max(math.sqrt(area * 1.8), max(radii, default=0) * 2)  # about as wide as a screen
    x = y = row_height = 0.0
    for root, radius in zip(order, radii, strict=True):
        size = 2 * radius + SPACING * 4
        if x > 0 and x + size > width:
            x = 0.0
            y += row_height
            row_height = 0.0
        _shift(graph, root, x + size / 2, y + size / 2)
        x += size
        row_height = max(row_height, size)


def _radial(graph: Graph, root: Node, seen: set[str]) -> float:
    """Lay out the tree under ``root`` around (0, 0), skipping nodes already ``seen`` (which
    it extends); return its radius."""
    nodes = graph.nodes
    depth_of: dict[str, int] = {root.id: 0}
    by_depth: list[list[str]] = [[root.id]]
    seen.add(root.id)
    stack_order = [root.id]
    i = 0
    while i < len(stack_order):  # breadth first; guard against cycles
        current = stack_order[i]
        i += 1
        kids = [c for c in nodes[current].children if c not in seen]
        nodes[current].children = kids
        for child in kids:
            seen.add(child)
            depth_of[child] = depth_of[current] + 1
            while len(by_depth) <= depth_of[child]:
                by_depth.append([])
            by_depth[depth_of[child]].append(child)
            stack_order.append(child)
    leaves: dict[str, int] = {}
    for node_id in reversed(stack_order):
        kids = nodes[node_id].children
        leaves[node_id] = sum(leaves[c] for c in kids) if kids else 1
    # Ring radii: far enough apart, and long enough for the nodes on them.
    # Rings are evenly spaced (so F1 don't crowd the F0), far enough apart, and long enough
    # for the nodes on them.
    needed = [len(ids) * SPACING / (2 * math.pi) for ids in by_depth]
    depth_max = len(by_depth) - 1
    ring = max(RING, *(needed[d] / d for d in range(1, depth_max + 1))) if depth_max else RING
    radius = [0.0]
    for depth in range(1, len(by_depth)):
        radius.append(max(radius[-1] + RING, needed[depth], depth * ring * 0.8))
    # Angles: each subtree gets a wedge in proportion to its leaves.
    wedge: dict[str, tuple[float, float]] = {root.id: (0.0, 2 * math.pi)}
    root.x, root.y = 0.0, 0.0
    for node_id in stack_order:
        start, span = wedge[node_id]
        kids = nodes[node_id].children
        total = sum(leaves[c] for c in kids) or 1
        angle = start
        for child in kids:
            share = span * leaves[child] / total
            wedge[child] = (angle, share)
            middle = angle + share / 2
            r = radius[depth_of[child]]
            nodes[child].x = r * math.cos(middle)
            nodes[child].y = r * math.sin(middle)
            angle += share
    return radius[-1]


def _shift(graph: Graph, root: Node, dx: float, dy: float) -> None:
    stack = [root.id]
    seen = set()
    while stack:
        node = graph.nodes[stack.pop()]
        if node.id in seen:
            continue
        seen.add(node.id)
        node.x += dx
        node.y += dy
        stack.extend(node.children)
