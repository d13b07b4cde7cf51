"""Recognising what a row of an export is: a title, a header field, a section header, a tail row.

Everything here looks at cell *contents*, never at fixed positions: exports shift columns, merge
cells and add or drop leading label columns from one row to the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from jixiao.forms.models import FormType
from jixiao.forms.taxonomy import label_key
from jixiao.forms.textio import Row

# --- titles, years, periods --------------------------------------------------------------------

_TITLE = re.compile(r"绩效[^表]{0,8}表")
# Keywords inside a title, checked in order: 监控 and 跟踪 before 目标 ("绩效目标运行监控表").
_TITLE_TYPES = [
    ("自评", FormType.self_evaluation),
    ("跟踪", FormType.tracking),
    ("监控", FormType.tracking),
    ("申报", FormType.declaration),
    ("目标", FormType.declaration),
]
_YEAR_LINE = re.compile(r"^[(（]?(?:年度[:：]?)?(\d{4})年?度?[)）]?$")
_YEAR_IN_TEXT = re.compile(r"(20\d{2})\s*年度")
# 跟踪时段 in the spellings exports use. A period without a year ("1-6月", "截至6月底") takes the
# form's year later (the title, a year line, the file); NO_YEAR stands in for it until then.
NO_YEAR = "????"
_SEP = r"(?:至|到|-|—|–|~|～|－)+"
_START = r"(20\d{2})(?:年|\.|-|/)(\d{1,2})月?(?:(?:\.|-|/)?\d{1,2}日|\.\d{1,2}(?!\d))?"
_END = r"(?:(20\d{2})(?:年|\.|-|/))?(\d{1,2})(?:月(?:\d{1,2}日)?|(?:\.|/)\d{1,2}日?|(?=$|\)))"
_PERIOD_SPELLINGS = [  # groups: start year, start month, end year, end month
    # 2024年1月至2024年8月 · 2024-1月 至 2024-8月 · 2024.1-2024.6 · 2024.01.01-2024.08.31 · 2024年1-8月
    re.compile(_START + _SEP + _END),
    re.compile(r"()(\d{1,2})(?:月(?:\d{1,2}日)?)?" + _SEP + r"()(\d{1,2})月"),  # 1-6月 · 1月至6月
]
_UNTIL = re.compile(r"截[至止]到?(?:(20\d{2})(?:年|\.|-|/))?(\d{1,2})月?(?:(\d{1,2})日|底|末)?")
_PART_OF_YEAR = re.compile(r"(?:(20\d{2})年?度?)?(上半年|前三季度|第?一季度|前两季度|前二季度)")
_PART_MONTHS = {"上半年": 6, "前三季度": 9, "一季度": 3, "第一季度": 3, "前两季度": 6, "前二季度": 6}
_CN_MONTH = re.compile(r"十[一二]|[一二三四五六七八九十](?=月|至|到|-|—|~)")
_CN_NUM = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
           "十": "10", "十一": "11", "十二": "12"}
_PERIOD_LABEL = re.compile(r"(?:(?:绩效|运行)?(?:跟踪|监控))?(?:时段|期间)|(?:绩效|运行)?(?:跟踪|监控)期(?=[:(\d])")
_PERIOD_HINT = re.compile(r"时\s*段|期\s*间|截\s*[至止]|(?:跟踪|监控)\s*期\s*[:：]|半年|季度|\d\s*月")


def detect_title(row: Row) -> tuple[FormType, int | None] | None:
    """A form title line such as `## 财政项目支出绩效自评表` or `<h3>…跟踪表</h3>`."""
    texts = row.texts
    if not texts or len(texts) > 2:
        return None
    text = "".join(t for _, t in texts)
    if len(text) > 60:
        return None
    key = label_key(text)
    m = _TITLE.search(key)
    if not m or "汇总" in key or "说明" in key:
        return None
    form_type = next((t for word, t in _TITLE_TYPES if word in m.group(0)), None)
    if form_type is None:
        return None
    ym = _YEAR_IN_TEXT.search(text)
    return form_type, int(ym.group(1)) if ym else None


def detect_year(row: Row) -> int | None:
    """A year line such as `(2024年度)` or `（2024 年度）`."""
    texts = row.texts
    if len(texts) != 1:
        return None
    m = _YEAR_LINE.match(label_key(texts[0][1]))
    return int(m.group(1)) if m else None


def detect_period(row: Row) -> tuple[str, str] | None:
    """跟踪时段：（ 2024年1月 至 2024年8月 ） → ("2024-01", "2024-08"); "1-6月" → ("????-01", "????-06").

    A row is a period when a label says so (跟踪时段, 监控时段, 跟踪期间, 跟踪期：…) or when all it holds
    is a period ("（2024年1-6月）", "截至6月底"): a sentence that mentions months is not one.
    """
    texts = row.texts
    if not texts or len(texts) > 3:
        return None
    joined = row.joined()
    if not _PERIOD_HINT.search(joined):
        return None
    text = label_key(joined).lstrip("([【")
    label = _PERIOD_LABEL.match(text)
    if label:
        text = text[label.end():]
    elif len(texts) > 1 or len(text) > 30:
        return None
    body = _CN_MONTH.sub(lambda m: _CN_NUM[m.group(0)], text.strip(":：()[]【】 "))
    found = _read_period(body, whole=not label)
    if found is None:
        return None
    y1, m1, y2, m2 = found
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12) or (y2 or y1) == y1 and m2 < m1:
        return None
    y1 = y1 or NO_YEAR
    return f"{y1}-{m1:02d}", f"{y2 or y1}-{m2:02d}"


def _read_period(body: str, whole: bool) -> tuple[str | None, int, str | None, int] | None:
    """(start year, start month, end year, end month) of a period text; `whole`: nothing may follow it."""
    for rx in (_UNTIL, _PART_OF_YEAR, *_PERIOD_SPELLINGS):
        m = rx.match(body)
        if m is None or whole and m.end() != len(body):
            continue
        if rx is _UNTIL:
            year, month, day = m.group(1), int(m.group(2)), m.group(3)
            if day and int(day) <= 5 and month > 1:  # "截至2024年7月1日" closes June
                month -= 1
            return year, 1, year, month
        if rx is _PART_OF_YEAR:
            return m.group(1), 1, m.group(1), _PART_MONTHS[m.group(2)]
        y1, m1, y2, m2 = m.groups()
        return y1 or None, int(m1), y2 or None, int(m2)
    return None


# --- header fields -----------------------------------------------------------------------------

HEADER_FIELDS = {
    "项目名称": "project_name",
    "主管部门": "department",
    "主管单位": "department",
    "主管部门及代码": "department",
    "实施单位": "unit",
    "实施单位(盖章)": "unit",  # Sichuan
    "项目实施单位": "unit",
    "项目单位": "unit",
    "项目性质": "project_nature",
    "项目类别": "project_category",
    "项目类型": "project_category",
    "计划开始日期": "start_date",
    "计划完成日期": "end_date",
    "计划结束日期": "end_date",
}
# Labels that are not stored but must never be mistaken for values.
OTHER_LABELS = {"项目负责人", "联系电话", "联系人", "项目属性", "项目期限", "资金用途", "填报日期",
                "项目负责人及电话", "项目负责人及联系电话", "财务负责人"}


@lru_cache(maxsize=4096)
def _header_label(cell: str) -> str | None:
    key = label_key(cell)
    if key in HEADER_FIELDS:
        return HEADER_FIELDS[key]
    if key in OTHER_LABELS:
        return "_other"
    return None


def header_label(cell: str) -> str | None:
    return _header_label(cell) if len(cell) <= 16 else None  # no header label is longer


def split_label_value(cell: str) -> tuple[str, str] | None:
    """`项目名称：办公经费补贴` written in one cell."""
    if ":" not in cell and "：" not in cell:
        return None
    m = re.match(r"^\s*([^:：]{2,8})\s*[:：]\s*(.+)$", cell)
    if m and header_label(m.group(1)):
        return m.group(1), m.group(2).strip()
    return None


def header_fields(row: Row) -> dict[str, tuple[str, int]]:
    """Header labels in a row and the value that follows each: field -> (value, column)."""
    if row.header is None:
        row.header = _header_fields(row)
    return dict(row.header)


def _header_fields(row: Row) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    texts = row.texts
    i = 0
    while i < len(texts):
        col, cell = texts[i]
        lv = split_label_value(cell)
        if lv:
            f = header_label(lv[0])
            if f and f != "_other":
                out.setdefault(f, (lv[1], col))
            i += 1
            continue
        f = header_label(cell)
        if f:
            value = ""
            if i + 1 < len(texts) and not header_label(texts[i + 1][1]) and not split_label_value(texts[i + 1][1]):
                value = texts[i + 1][1]
                i += 1
            if f != "_other":
                out.setdefault(f, (value, col))
        i += 1
    return out


# --- section headers ---------------------------------------------------------------------------

_FUNDS_HEAD = re.compile(r"^(项目资金|预算执行情况|资金执行情况|项目预算执行情况|资金情况|年度资金情况)")


def is_funds_header(row: Row) -> bool:
    texts = row.texts
    return bool(texts) and bool(_FUNDS_HEAD.match(label_key(texts[0][1])))


def funds_unit(row: Row) -> str | None:
    text = label_key(row.joined())
    if "(万元)" in text or "万元" in text:
        return "万元"
    if "(元)" in text or "元)" in text:
        return "元"
    return None


GOAL_ROW_LABELS = {"年度总体目标", "项目绩效目标", "绩效目标", "总体目标", "年度绩效目标", "项目总体目标", "年度目标",
                   # Sichuan's 部门预算项目支出绩效自评表, Anhui's 年度总体目标完成情况 row
                   "项目基本情况", "项目年度目标完成情况", "年度总体目标完成情况"}
_GOAL_COLS = {
    "预期目标": "expected",
    "年度预期目标": "expected",
    "实际完成情况": "actual",
    "跟踪期实际完成情况": "actual",
    "全年实际完成情况": "actual",
    "目标实际完成情况": "actual",
    "实际完成": "actual",
    "项目总目标": "overall",
    "中长期目标": "overall",
    "年度总体目标": "annual",
    "年度目标": "annual",
    "项目年度目标": "expected",  # Sichuan: 项目年度目标 | 年度目标完成情况
    "年初设定目标": "expected",
    "年度目标完成情况": "actual",
    "年度总体目标完成情况综述": "actual",
}
_NUMBERED = re.compile(r"^\d{1,2}[.、．]")


def _goal_key(text: str) -> str:
    """A goal label's key without its item number ("1.项目年度目标完成情况").

    No goal label is longer than 12 characters; a cell of more than 48 (a goal sentence) is not keyed at
    all: normalising every goal text on every row cost a tenth of the parse."""
    if len(text) > 48:
        return text
    return _goal_key_cached(text) if len(text) <= 24 else _NUMBERED.sub("", label_key(text))


@lru_cache(maxsize=16384)
def _goal_key_cached(text: str) -> str:
    return _NUMBERED.sub("", label_key(text))


@dataclass
class GoalLayout:
    cols: dict[str, int] = field(default_factory=dict)  # expected/actual/overall/annual -> column
    inline: list[tuple[int, str]] = field(default_factory=list)  # text on the header row itself


def detect_goal_header(row: Row) -> GoalLayout | None:
    texts = row.texts
    if not texts:
        return None
    keys = [(col, _goal_key(t), t) for col, t in texts]
    labelled = any(k in GOAL_ROW_LABELS for _, k, _ in keys[:1]) or any(k in _GOAL_COLS for _, k, _ in keys)
    if not labelled:
        return None
    layout = GoalLayout()
    has_expected = any(_GOAL_COLS.get(k) == "expected" for _, k, _ in keys)
    for i, (col, k, t) in enumerate(keys):
        role = _GOAL_COLS.get(k)
        if role == "annual" and (has_expected or i == 0):
            continue  # "年度总体目标" is the row label here, not a column
        if role:
            layout.cols.setdefault(role, col)
        elif k not in GOAL_ROW_LABELS:
            layout.inline.append((col, t))
    if not layout.cols and not layout.inline:
        # A bare "年度总体目标" row label: the text follows on the next rows.
        return layout if keys[0][1] in GOAL_ROW_LABELS else None
    # A long inline text without sub-labels is content; short leftovers mean this is not a header.
    if not layout.cols and not any(len(t) >= 8 for _, t in layout.inline):
        return None
    return layout


def is_goal_label(cell: str) -> bool:
    return _is_goal_label_cached(cell) if len(cell) <= 24 else _is_goal_label(cell)


def _is_goal_label(cell: str) -> bool:
    k = _goal_key(cell)
    return k in GOAL_ROW_LABELS or k in _GOAL_COLS


_is_goal_label_cached = lru_cache(maxsize=16384)(_is_goal_label)


def is_numbered_item(cell: str) -> bool:
    """A short numbered row label that is not a goal label ("2.项目实施内容及过程概述")."""
    return bool(_NUMBERED.match(label_key(cell))) and len(cell) <= 24 and not is_goal_label(cell)


SECTION_LABELS = {"绩效指标", "年度绩效指标", "项目绩效指标", "绩效指标情况"}

# Indicator table header columns: (predicate on the key, field).
_IND_COLS: list[tuple[str, str]] = [
    ("一级指标", "level1"),
    ("二级指标", "level2"),
    ("三级指标", "name"),
    ("指标名称", "name"),
    ("计划完成值", "plan"),
    ("计划值", "plan"),
    ("实际完成值", "actual"),
    ("实际值", "actual"),
    ("完成值", "actual"),
    ("指标值", "target"),
    ("目标值", "target"),
    ("分值", "weight"),
    ("权重", "weight"),
    ("得分", "score"),
    ("偏差", "deviation"),
    ("原因分析", "deviation"),
    ("改进措施", "deviation"),
]


@dataclass
class IndicatorLayout:
    cols: dict[str, int]  # field -> column on the header row
    fields: list[str]  # value fields in column order (target, plan, actual, weight, score, deviation, extra:…)
    from_header: bool = True


DEFAULT_FIELDS = {
    FormType.declaration: ["target"],
    FormType.tracking: ["target", "plan", "actual", "deviation"],
    FormType.self_evaluation: ["target", "actual", "weight", "score", "deviation"],
}


def default_layout(form_type: FormType | None) -> IndicatorLayout:
    fields = DEFAULT_FIELDS[form_type or FormType.declaration]
    cols = {"level1": 0, "level2": 1, "name": 2}
    cols.update({f: 3 + i for i, f in enumerate(fields)})
    return IndicatorLayout(cols, list(fields), from_header=False)


def detect_indicator_header(row: Row) -> IndicatorLayout | None:
    joined = row.joined()
    if "指标" not in joined and "指 标" not in joined:
        return None
    texts = row.texts
    keys = [(col, label_key(t)) for col, t in texts]
    levels = sum(1 for _, k in keys if k in ("一级指标", "二级指标", "三级指标", "指标名称"))
    if levels < 2 and not (levels == 1 and any("指标值" in k for _, k in keys)):
        return None
    cols: dict[str, int] = {}
    fields: list[str] = []
    for col, k in keys:
        if k in SECTION_LABELS:
            continue
        f = next((f for pat, f in _IND_COLS if pat in k), None)
        if f is None:
            f = f"extra:{k}"
        if f in cols:
            continue  # "偏差原因分析" and "改进措施" split over two columns stay one field
        cols[f] = col
        if f not in ("level1", "level2", "name"):
            fields.append(f)
    if "name" not in cols:
        return None
    return IndicatorLayout(cols, fields)


TAIL_LABELS = {
    "总分": "total",
    "评分等级": "grade",
    "自评等级": "grade",
    "绩效跟踪总体判断": "judgement_head",
    "绩效监控总体判断": "judgement_head",
    "纠偏措施": "corrective",
    "备注": "remark",
    "说明": "remark",
}


def tail_label(cell: str) -> str | None:
    k = label_key(cell)
    if k in TAIL_LABELS:
        return TAIL_LABELS[k]
    if k.endswith("完成可能性"):
        return "judgement_budget" if "预算" in k else "judgement_goal"
    return None


GRADES = {"优", "优秀", "良", "良好", "中", "合格", "差", "较差", "不合格", "及格", "不及格"}
