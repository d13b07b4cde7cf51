"""Reading one indicator row: which cells are labels, which is the name, which cell is which value.

Columns shift from row to row, so a cell's position is only a hint. The row is read left to right:
optional section label (绩效指标), taxonomy labels, the indicator name, then value cells. Value cells
are assigned to the table's fields by an order-preserving alignment that scores what each cell
looks like (an operator value is a target, a bare number after it is a weight or score, a long
sentence at the end is a deviation text) and, weakly, how far it sits from its header column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from jixiao.forms.layout import SECTION_LABELS, IndicatorLayout, is_goal_label
from jixiao.forms.taxonomy import LabelMatch, is_label_fragment, label_key, match_label
from jixiao.forms.values import ACHIEVED_WORDS, is_placeholder, norm, parse_number, parse_value

_HAS_DIGIT = re.compile(r"\d")


def cell_kind(text: str) -> str:
    return _cell_kind_cached(text) if len(text) <= 24 else _cell_kind(text)


def _cell_kind(text: str) -> str:
    if is_placeholder(text):
        return "dash"
    if parse_number(text) is not None and not text.rstrip().endswith("%"):
        return "num"
    v = parse_value(text)
    if v is not None and v.kind == "numeric":
        return "op" if v.op else "numu"
    s = norm(text)
    if s in ACHIEVED_WORDS or s.startswith("部分达成") or s.startswith("达成指标"):
        return "ach"
    if v is not None and v.kind == "date":
        return "date"
    return "short" if len(s) <= 12 else "long"


_cell_kind_cached = lru_cache(maxsize=16384)(_cell_kind)

# How well a kind of cell fits a field. Weights and scores are plain numbers; anything else there
# is almost certainly a misreading, hence the strong negatives.
_FIT: dict[str, dict[str, float]] = {
    "target": {"op": 3, "numu": 1.5, "num": 1, "date": 1.5, "short": 1.5, "long": 0.8, "ach": -3, "dash": 0},
    "plan": {"op": 0.5, "numu": 1.5, "num": 1.5, "date": 1.5, "short": 1.5, "long": 0.3, "ach": -1, "dash": 0.5},
    "actual": {"op": -0.5, "numu": 2, "num": 1.5, "date": 1, "short": 1.2, "long": 0.3, "ach": 3, "dash": 0.5},
    "weight": {"num": 3, "dash": 0.5},
    "score": {"num": 3, "dash": 0.5},
    "deviation": {"long": 2.5, "short": 1, "date": 0.8, "num": -2, "numu": -1, "op": -3, "ach": -1, "dash": 0.3},
}
_TEXTUAL = {"target", "plan", "actual", "deviation"}
_POS_WEIGHT = 0.5
_APPEND_PENALTY = 1.5
_OVERFLOW = "extra:未对齐"


def _fit(fld: str, kind: str) -> float:
    if fld.startswith("extra:"):
        return 0.3 if fld != _OVERFLOW else -4
    return _FIT[fld].get(kind, -6)


def align(cells: list[tuple[int, str]], fields: list[str], expected: dict[str, float]) -> dict[str, list[tuple[int, str]]]:
    """Assign value cells, in order, to fields in order; a text cell may extend the previous field."""
    kinds = tuple(cell_kind(t) for _, t in cells)
    fields = fields + [_OVERFLOW]
    # Rows of one table share their shape, so the assignment is computed once per shape.
    key = (kinds, tuple(c for c, _ in cells), tuple(fields), tuple(expected.get(f) for f in fields))
    order = _align_cached(key)
    out: dict[str, list[tuple[int, str]]] = {}
    for cell, j in zip(cells, order):
        out.setdefault(fields[j], []).append(cell)
    return out


@lru_cache(maxsize=8192)
def _align_cached(key: tuple) -> tuple[int, ...]:
    kinds, cols, fields, exp = key
    expected = dict(zip(fields, exp))
    cells = [(c, "") for c in cols]
    n, k = len(cells), len(fields)
    NEG = float("-inf")
    # best[i][j]: best score with cells[:i+1] placed and cell i in field j.
    best = [[NEG] * k for _ in range(n)]
    back: list[list[int]] = [[-1] * k for _ in range(n)]

    def gain(i: int, j: int) -> float:
        f = fields[j]
        pos = expected.get(f)
        dist = min(abs(cells[i][0] - pos), 4) if pos is not None else 0
        return _fit(f, kinds[i]) - _POS_WEIGHT * dist

    for j in range(k):
        best[0][j] = gain(0, j)
    for i in range(1, n):
        for j in range(k):
            g = gain(i, j)
            cand, arg = NEG, -1
            for p in range(j):  # a new field to the right of the previous cell's
                if best[i - 1][p] > cand:
                    cand, arg = best[i - 1][p], p
            f = fields[j]
            if (f in _TEXTUAL or f.startswith("extra:")) and kinds[i] in ("short", "long", "date") \
                    and best[i - 1][j] - _APPEND_PENALTY > cand:
                cand, arg = best[i - 1][j] - _APPEND_PENALTY, j
            if arg >= 0:
                best[i][j] = cand + g
                back[i][j] = arg
    j = max(range(k), key=lambda x: best[n - 1][x])
    order = [0] * n
    for i in range(n - 1, -1, -1):
        order[i] = j
        j = back[i][j]
    return tuple(order)


def _is_name_candidate(text: str) -> bool:
    kind = cell_kind(text)
    return kind in ("short", "long") and not is_goal_label(text)


@dataclass
class RowReading:
    labels: list[LabelMatch] = field(default_factory=list)
    label_cells: list[tuple[int, str]] = field(default_factory=list)
    name: tuple[int, str] | None = None
    values: dict[str, str] = field(default_factory=dict)  # field -> joined text
    value_cells: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.labels and self.name is None and not self.values


def read_row(cells: list[tuple[int, str]], layout: IndicatorLayout, context_level1: str | None) -> RowReading:
    r = RowReading()
    idx = 0
    while idx < len(cells) and label_key(cells[idx][1]) in SECTION_LABELS:
        idx += 1
    ctx = context_level1
    while idx < len(cells) and len(r.labels) < 3:
        col, text = cells[idx]
        m = match_label(text, ctx)
        if m is None or any(x.level == 2 for x in r.labels):
            break  # nothing follows a level-2 label but the name
        # A truncated or short label ("服务对象", "满意度") is only a label if a name still
        # follows; otherwise it is the indicator's own name (e.g. 三级指标 "满意度").
        if not m.exact and not (idx + 1 < len(cells) and _is_name_candidate(cells[idx + 1][1])):
            break
        r.labels.append(m)
        r.label_cells.append((col, text))
        if m.level == 1:
            ctx = m.label
        idx += 1
    if idx < len(cells) and _is_name_candidate(cells[idx][1]):
        r.name = cells[idx]
        idx += 1
    rest = cells[idx:]
    if rest:
        if r.name is not None:
            offset = r.name[0] - layout.cols.get("name", r.name[0])
        else:
            offset = 0
        expected = {f: layout.cols[f] + offset for f in layout.fields if f in layout.cols}
        r.value_cells = align(rest, layout.fields, expected)
        r.values = {f: "".join(t for _, t in cs) for f, cs in r.value_cells.items()}
    return r


def is_fragment_row(cells: list[tuple[int, str]]) -> bool:
    """Bits of text that a page break cut off a row: no digits, nothing long enough to be a name."""
    if not cells:
        return False
    for _, t in cells:
        if _HAS_DIGIT.search(t):
            return False
        if not is_label_fragment(t) and len(label_key(t)) > 3:
            return False
    return True


def merge_fragments(prev: list[tuple[int, str]], frag: list[tuple[int, str]],
                    label_cols: set[int], text_cols: set[int]) -> list[tuple[int, str]] | None:
    """Complete the previous row with a continuation fragment, cell by cell, if every piece fits.

    A piece under a label cell must complete it to an exact taxonomy label ("时效" + "指标");
    a piece under a text cell must not itself be a label fragment (those are stray vertical text).
    """
    by_col = dict(prev)
    for col, piece in frag:
        if col not in by_col:
            return None
        if col in label_cols:
            m = match_label(by_col[col] + piece)
            if m is None or not m.exact:
                return None
        elif col in text_cols:
            if is_label_fragment(piece):
                return None
        else:
            return None
        by_col[col] = by_col[col] + piece
    return sorted(by_col.items())
