"""Meaning-preserving noise of the kinds DOMAIN.md lists for text exports of the forms.

Each transform takes an export's text (one or many forms) and a random.Random and returns a noisy
variant that a careful human reader would read exactly as the original: the same forms, names,
indicator rows, targets, actuals, weights, scores and totals. Transforms find the rows they touch by
what the rows contain, with a small line classifier of their own (not the parser's), so they work on
the real samples as well as on generated forms.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from typing import Callable

_TITLE = re.compile(r"财政项目支出绩效(?:目标申报|跟踪|运行监控|自评)表")
_YEAR = re.compile(r"^[(（]?20\d\d年度[)）]?$")
_MARKUP = re.compile(r"^\s*#+\s*|<[^<>]+>")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WS = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_FUND_ITEMS = {"年度资金总额", "年度资金申请总额", "当年财政拨款", "上年结转资金", "其他资金", "项目资金总额", "财政资金"}
_TAIL = {"总分", "评分等级", "绩效跟踪总体判断", "纠偏措施"}
_GOAL_HEADS = {"预期目标", "项目总目标", "实际完成情况", "跟踪期实际完成情况"}
_LEVEL1 = ("成本指标", "产出指标", "效益指标", "满意度指标")
_LEVEL2 = ("经济成本指标", "社会成本指标", "生态环境成本指标", "数量指标", "质量指标", "时效指标", "经济效益指标",
           "社会效益指标", "生态效益指标", "可持续影响指标", "服务对象满意度指标")
_LABELS = set(_LEVEL1 + _LEVEL2)
_LABEL_CHARS = set("".join(_LABELS))
# Pieces of vertically printed label cells that exports leave behind after a page break.
_STRAY = (("标 准", "满 意 度 指 标 标"), ("度指标",), ("", "标"), ("标", "满意度指标"), ("", "指 标"), ("标",))

Noise = Callable[[str, random.Random], str]


@lru_cache(maxsize=1 << 16)
def _key(cell: str) -> str:
    if "<" in cell or "#" in cell:
        cell = _MARKUP.sub("", cell)
    return _WS.sub("", cell).strip(":：")


def _is_fragment(texts: list[str]) -> bool:
    return not any(_DIGIT.search(t) for t in texts) and all(len(t) <= 3 or set(t) <= _LABEL_CHARS for t in texts)


_KEEP = "keep"


@lru_cache(maxsize=1 << 16)
def _kind(line: str) -> tuple[str, str | None, bool]:
    """(role, state after the line, looks like a fragment) by the line's own content; role "" = the
    line is whatever the section it sits in holds."""
    texts = [k for c in line.split("\t") if c and (k := _key(c))]
    if not texts:
        return "blank", _KEEP, False
    if len(texts) <= 2 and _TITLE.search("".join(texts)):
        return "title", None, False
    if len(texts) == 1 and (_YEAR.match(texts[0]) or texts[0].startswith("跟踪时段")):
        return "year", _KEEP, False
    if "项目名称" in texts:
        return "name", "header", False
    if any(t in _TAIL or t.endswith("完成可能性") for t in texts[:3]):
        return "tail", "tail", False
    if "三级指标" in texts:
        return "ind_head", "ind", False
    if texts[0].startswith(("项目资金", "预算执行情况")):
        return "funds_head", _KEEP, False
    if any(t.replace("其中", "").strip(":：") in _FUND_ITEMS for t in texts):
        return "funds", _KEEP, False
    if _GOAL_HEADS & set(texts):
        return "goal_head", "goal", False
    if {"主管部门", "实施单位", "计划开始日期"} & set(texts):
        return "header", _KEEP, False
    return "", _KEEP, _is_fragment(texts)


def roles(lines: list[str]) -> list[str]:
    """What each line is: title, year, name, header, funds, goal_head, goal, ind_head, ind, frag, tail, blank, other."""
    out, state = [], None
    for line in lines:
        role, new, frag = _kind(line)
        if new != _KEEP:
            state = new
        if not role:
            role = ("frag" if frag else "ind") if state == "ind" else state if state in ("goal", "tail") else "other"
        out.append(role)
    return out


def _edit(text: str, rng: random.Random, wanted: tuple[str, ...], cell_fn, p: float) -> str:
    """Apply cell_fn(cell, rng) to the non-empty cells of rows with a wanted role, each with probability p."""
    lines = text.split("\n")
    for i, role in enumerate(roles(lines)):
        if role in wanted:
            lines[i] = "\t".join(cell_fn(c, rng) if c.strip() and rng.random() < p else c
                                 for c in lines[i].split("\t"))
    return "\n".join(lines)


def _tables(rs: list[str]) -> list[list[int]]:
    """Indices of the indicator rows (and fragments) of each indicator table."""
    tables, cur = [], None
    for i, role in enumerate(rs):
        if role == "ind_head":
            cur = []
            tables.append(cur)
        elif role in ("ind", "frag") and cur is not None:
            cur.append(i)
        elif role not in ("blank", "ind", "frag"):
            cur = None
    return tables


# --- columns ----------------------------------------------------------------------------------

def _continued(rs: list[str], i: int) -> bool:
    """True if row i is completed by a fragment after a page break: only columns tie them together."""
    j = i + 1
    while j < len(rs) and rs[j] == "blank":
        j += 1
    return j < len(rs) and rs[j] == "frag"


def shift_columns(text: str, rng: random.Random) -> str:
    """Add or remove empty leading cells on some indicator and funds rows; cell order is kept."""
    lines = text.split("\n")
    rs = roles(lines)
    for i, role in enumerate(rs):
        if role in ("ind", "funds") and not _continued(rs, i) and rng.random() < 0.4:
            cells = lines[i].split("\t")
            lead = next((n for n, c in enumerate(cells) if c.strip()), 0)
            cells = cells[rng.randint(1, lead):] if lead and rng.random() < 0.5 else [""] * rng.randint(1, 2) + cells
            lines[i] = "\t".join(cells)
    return "\n".join(lines)


def label_column(text: str, rng: random.Random) -> str:
    """Add the leading 绩效指标 label column, on the first row only or as a whole column; or drop it."""
    lines = text.split("\n")
    rs = roles(lines)
    for rows in _tables(rs):
        inds = [i for i in rows if rs[i] == "ind"]
        if not inds:
            continue
        first = lines[inds[0]].split("\t")
        if _key(first[0]) == "绩效指标":
            first[0] = ""  # the column stays, empty like the rows below
            lines[inds[0]] = "\t".join(first)
            continue
        label = rng.choice(("绩效指标", "绩效 指标"))
        whole = rng.random() < 0.5 or _continued(rs, inds[0])
        head = max(i for i in range(inds[0]) if rs[i] == "ind_head")
        for i in ([head] + rows if whole else [inds[0]]):
            lines[i] = (label if i == inds[0] else "") + "\t" + lines[i]
    return "\n".join(lines)


def _name_index(cells: list[str]) -> int | None:
    """The first cell of an indicator row that is neither empty nor a label: the indicator's name.
    None on a row with two 二级指标 cells (minhang 政府购买辅助服务 "时效指标 ⇥ 时效指标"), which
    even the clean export leaves ambiguous."""
    if sum(_key(c) in _LEVEL2 for c in cells) > 1:
        return None
    for n, c in enumerate(cells):
        k = _key(c)
        if k and k not in _LABELS and k != "绩效指标":
            return n
    return None


def shift_row(text: str, rng: random.Random) -> str:
    """One indicator row's cells, from the name on, one column right of its neighbours' (the name in
    the target column, every value one column further), one column left where the cell before the
    name is empty, or only the values one column right (the target in the actual column)."""
    lines = text.split("\n")
    rs = roles(lines)
    for i, role in enumerate(rs):
        if role != "ind" or _continued(rs, i) or rng.random() >= 0.3:
            continue
        cells = lines[i].split("\t")
        n = _name_index(cells)
        if n is None:
            continue
        how = rng.choice(("right", "left", "values"))
        if how == "left" and n > 0 and not cells[n - 1].strip():
            del cells[n - 1]
        elif how == "values" and n + 1 < len(cells):
            cells.insert(n + 1, "")
        else:
            cells.insert(n, "")
        lines[i] = "\t".join(cells)
    return "\n".join(lines)


_PARENT = {l2: l1 for l1, l2s in (
    ("成本指标", _LEVEL2[:3]), ("产出指标", _LEVEL2[3:6]), ("效益指标", _LEVEL2[6:10]), ("满意度指标", _LEVEL2[10:]),
) for l2 in l2s}


def blank_level1(text: str, rng: random.Random) -> str:
    """The 一级指标 cell left empty on the first row of its block, where the 二级指标 beside it implies it."""
    lines = text.split("\n")
    rs = roles(lines)
    for i, role in enumerate(rs):
        if role != "ind" or _continued(rs, i) or rng.random() >= 0.5:
            continue
        cells = lines[i].split("\t")
        filled = [n for n, c in enumerate(cells) if _key(c)]
        for a, b in zip(filled, filled[1:]):
            if _key(cells[a]) in _LEVEL1 and _PARENT.get(_key(cells[b])) == _key(cells[a]):
                cells[a] = ""
                lines[i] = "\t".join(cells)
                break
    return "\n".join(lines)


# --- cell text --------------------------------------------------------------------------------

def _space(cell: str, rng: random.Random) -> str:
    m = re.match(r"^(\s*[=≥≤><])(\d[^(]*)(\(.*)$", cell)
    if m:  # "≥ 4500.00(名)", "≥90.00 (%)"
        return m.group(1) + " " + m.group(2) + m.group(3) if rng.random() < 0.5 else m.group(1) + m.group(2) + " " + m.group(3)
    spots = [i for i in range(1, len(cell)) if _CJK.match(cell[i - 1]) and _CJK.match(cell[i])]
    for i in sorted(rng.sample(spots, min(len(spots), rng.randint(1, 2))), reverse=True):
        cell = cell[:i] + " " + cell[i:]
    return cell


def wrap_text(text: str, rng: random.Random) -> str:
    """Spaces where the export wrapped a cell: "有效控制在标准 内", "服务对象满意度 指标", "≥ 90.00(%)"."""
    return _edit(text, rng, ("ind", "ind_head", "goal", "goal_head", "header", "name", "tail", "funds"), _space, 0.35)


_WIDTH = str.maketrans({":": "：", "：": ":", "(": "（", "（": "(", ")": "）", "）": ")"})


def _swap_width(cell: str, rng: random.Random) -> str:
    if _key(cell) in ("项目名称", "主管部门", "实施单位", "项目性质", "项目类别") and rng.random() < 0.5:
        return cell + rng.choice(("：", ":"))
    return cell.translate(_WIDTH)


def _year_variant(cell: str, rng: random.Random) -> str:
    cell = re.sub(r"(\d{4})\s*年", lambda m: m.group(1) + rng.choice(("年", " 年")), cell)
    cell = cell.replace("至", rng.choice(("至", " 至 ")))
    return cell.translate(_WIDTH) if rng.random() < 0.7 else cell


def punctuation(text: str, rng: random.Random) -> str:
    """Full/half-width swaps in labels, department, year and period lines: ：/:, （/(, "2024 年度"."""
    text = _edit(text, rng, ("year",), _year_variant, 1.0)
    text = _edit(text, rng, ("header", "funds", "funds_head", "ind_head", "tail"), _swap_width, 0.6)
    lines = text.split("\n")
    for i, role in enumerate(roles(lines)):
        if role == "name":  # never the project name itself: "(2024年运维)" belongs to it
            lines[i] = "\t".join(_swap_width(c, rng) if _key(c) in ("项目名称", "项目性质", "项目类别") else c
                                 for c in lines[i].split("\t"))
    return "\n".join(lines)


def _separators(cell: str, rng: random.Random) -> str:
    plain = cell.strip().replace(",", "")
    if not re.fullmatch(r"\d{4,}(?:\.\d+)?", plain):
        return cell
    return plain if "," in cell else f"{float(plain):,.2f}" if "." in plain else f"{int(plain):,}"


def thousands(text: str, rng: random.Random) -> str:
    """Thousands separators on funds amounts added ("3,013.00") or removed ("116822")."""
    return _edit(text, rng, ("funds",), _separators, 0.8)


def markup(text: str, rng: random.Random) -> str:
    """Markdown or HTML titles ("## …", <h3 style=…>…</h3>) and <p>…</p> around goal texts."""
    lines = text.split("\n")
    for i, role in enumerate(roles(lines)):
        if role == "title":
            plain = _MARKUP.sub("", lines[i]).strip()
            lines[i] = rng.choice(("## " + plain, "# " + plain, f'<h3 style="text-align:center">{plain}</h3>', plain))
        elif role == "goal":
            lines[i] = "\t".join(f"<p>{c}</p>" if len(c) >= 10 and rng.random() < 0.7 else c for c in lines[i].split("\t"))
    return "\n".join(lines)


def name_above(text: str, rng: random.Random) -> str:
    """The project name lands on the line above its 项目名称 label (the label's cell left empty)."""
    lines = text.split("\n")
    picks = [i for i, role in enumerate(roles(lines)) if role == "name"]
    chosen = [i for i in picks if rng.random() < 0.5] or picks[:1]
    for i in reversed(chosen):
        cells = lines[i].split("\t")
        at = next(n for n, c in enumerate(cells) if _key(c) == "项目名称")
        value = next((n for n in range(at + 1, len(cells)) if cells[n].strip()), None)
        if value is None or _key(cells[value]) in ("项目性质", "主管部门"):
            continue
        name, cells[value] = cells[value], ""
        lines[i:i + 1] = [name, "\t".join(cells)]
    return "\n".join(lines)


# --- page breaks inside the indicator table ---------------------------------------------------

def _page_header(lines: list[str], rs: list[str], i: int, rng: random.Random, style: str | None = None) -> list[str]:
    """What a page break puts between two rows: a blank line, maybe the repeated title and year."""
    title = next((lines[j] for j in range(i, -1, -1) if rs[j] == "title"), None)
    year = next((lines[j] for j in range(i, -1, -1) if rs[j] == "year"), None)
    style = style or rng.choice(("blank", "title", "title", "year"))
    if style == "title" and title is not None:
        return ["", title, ""] + ([year, ""] if year is not None else [])
    if style == "year" and year is not None:
        return ["", year, ""]
    return [""]


def _break_at(text: str, rng: random.Random, insert, allow_tail: bool = False) -> str:
    """Call insert(lines, roles, i) -> lines for one row pair (i, i+1) per table, most tables."""
    lines = text.split("\n")
    rs = roles(lines)
    follow = ("ind", "tail") if allow_tail else ("ind",)
    pairs = [[i for i in rows if rs[i] == "ind" and i + 1 < len(rs) and rs[i + 1] in follow]
             for rows in _tables(rs)]
    pairs = [p for p in pairs if p]
    chosen = [p for p in pairs if rng.random() < 0.7] or pairs[:1]
    for i in sorted((rng.choice(p) for p in chosen), reverse=True):
        new = insert(lines, rs, i)
        if new is not None:
            lines[i + 1:i + 1] = new
    return "\n".join(lines)


def page_break(text: str, rng: random.Random) -> str:
    """A page break between two indicator rows, repeating the title and year as a new page does."""
    return _break_at(text, rng, lambda lines, rs, i: _page_header(lines, rs, i, rng))


def page_break_repeat_row(text: str, rng: random.Random) -> str:
    """A page break after which the last row of the previous page is printed again."""
    def insert(lines, rs, i):
        if lines[i + 1] == lines[i]:
            return None
        return _page_header(lines, rs, i, rng) + [lines[i]]
    return _break_at(text, rng, insert)


def _split_cell(cell: str, rng: random.Random, label: bool) -> tuple[str, str] | None:
    """(head, tail) of a cell cut by the break, or None if no cut would be unambiguous.

    A label loses its "指标" (时效 / 指标). A text cell loses its last one or two characters, never
    digits and never only characters of taxonomy labels: such a tail is indistinguishable from
    the stray vertical-text fragments that page breaks also leave.
    """
    key = _key(cell)
    if label:
        return (key[:-2], "指标") if key in _LABELS else None
    if _DIGIT.search(key) or len(key) < 4:
        return None
    cut = len(key) - rng.choice((1, 2))
    tail = key[cut:]
    if set(tail) <= _LABEL_CHARS or not _CJK.match(key[cut - 1]) or not _CJK.match(tail[0]):
        return None
    return key[:cut], tail


def page_break_split_row(text: str, rng: random.Random) -> str:
    """A row cut by the page break: the tails of its label and text cells continue on the next page,
    under the same columns, after a blank line (examples/putuo_2024_self_evaluation.txt 302–304)."""
    def insert(lines, rs, i):
        cells = lines[i].split("\t")
        filled = [n for n, c in enumerate(cells) if c.strip()]
        labels = [n for n in filled if _key(cells[n]) in _LABELS]
        rest = [n for n in filled if n not in labels and _key(cells[n]) != "绩效指标"]
        if not rest:
            return None
        # One text cell (the name or the target) is always cut, the label above it often.
        text_cut = next(((n, c) for n in rng.sample(rest[:2], len(rest[:2]))
                         if (c := _split_cell(cells[n], rng, False))), None)
        if text_cut is None:
            return None
        cuts = dict([text_cut])
        if labels and rng.random() < 0.6 and (c := _split_cell(cells[labels[-1]], rng, True)):
            cuts[labels[-1]] = c
        frag = [""] * len(cells)
        for n, (head, tail) in cuts.items():
            cells[n], frag[n] = head, tail
        lines[i] = "\t".join(cells)
        return ["", "\t".join(frag)]
    return _break_at(text, rng, insert)


def stray_fragments(text: str, rng: random.Random) -> str:
    """Stray pieces of vertical label text ("标 准 ⇥ 满 意 度 指 标 标", "度指标") after a page break."""
    def insert(lines, rs, i):
        prev = lines[i].split("\t")
        for frag in rng.sample(_STRAY, len(_STRAY)):
            # A piece that would complete the label above it is a continuation, not stray text.
            if not any(_key(prev[n] if n < len(prev) else "") + _key(piece) in _LABELS for n, piece in enumerate(frag)):
                return _page_header(lines, rs, i, rng) + ["\t".join(frag)]
        return None
    return _break_at(text, rng, insert, allow_tail=True)


def to_gb18030(text: str) -> bytes:
    """The export as a GB18030 (GBK superset) file, as many Chinese office tools write it."""
    return text.encode("gb18030")


# In the order `apply_all` applies them: column shifts before page breaks, so that a cut row's
# continuation stays under the cells it continues.
NOISES: dict[str, Noise] = {
    "punctuation": punctuation,
    "thousands": thousands,
    "name_above": name_above,
    "wrap_text": wrap_text,
    "label_column": label_column,
    "shift_columns": shift_columns,
    "shift_row": shift_row,
    "blank_level1": blank_level1,
    "page_break_split_row": page_break_split_row,
    "page_break_repeat_row": page_break_repeat_row,
    "page_break": page_break,
    "stray_fragments": stray_fragments,
    "markup": markup,
}


def apply_all(text: str, rng: random.Random) -> str:
    for noise in NOISES.values():
        text = noise(text, rng)
    return text


def apply_some(text: str, rng: random.Random, p: float = 0.35) -> str:
    """Each kind of noise with probability p: the mix a corpus of real exports shows."""
    for noise in NOISES.values():
        if rng.random() < p:
            text = noise(text, rng)
    return text
