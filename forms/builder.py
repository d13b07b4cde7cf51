"""Assembling one form from its rows: header, funds, goals, indicator table and tail.

The builder is fed rows in file order and keeps the section it is in. Page breaks inside a form
(a blank line, a repeated title or year, a repeated 跟踪时段) are remembered so that a row cut in
two, or a row repeated at the top of the next page, is mended instead of counted twice.
"""

from __future__ import annotations

import re
from collections import Counter

from jixiao.forms.funds import FundsBuilder
from jixiao.forms.indicators import RowReading, align, cell_kind, is_fragment_row, merge_fragments, read_row
from jixiao.forms.layout import (
    GRADES, NO_YEAR, GoalLayout, IndicatorLayout, default_layout, detect_goal_header, detect_indicator_header,
    header_fields, header_label, is_funds_header, is_goal_label, is_numbered_item, tail_label,
)
from jixiao.forms.models import FORM_TYPE_ZH, Form, FormType, Goal, Indicator, Issue, Judgement, Source
from jixiao.forms.taxonomy import label_char_share, label_key, match_label, resolve_levels
from jixiao.forms.textio import Row
from jixiao.forms.values import is_placeholder, norm, parse_number, parse_value

_SUMMARY_SUFFIX = re.compile(r"\s*[(（]\s*汇总\s*[)）]\s*$")
_ORG_CODE = re.compile(r"^\s*(?:[\[【(（]\s*\d{2,}\s*[\]】)）]|\d{3,}\s*[-—_ ]?)\s*")  # "[123]上海市…", "123 上海市…"


def _value_key(text: str) -> str:
    """What a value cell says, without its operator or number formatting: "=12000.00(份)" → "12000份"."""
    v = parse_value(text)
    if v is not None and v.kind == "numeric":
        return f"{v.number:g}{v.unit or ''}"
    return norm(text)


# The template's numbered slots: "指标1:完成…" names, "指标2" / "……" rows left empty.
_SLOT_PREFIX = re.compile(r"^\s*指标\s*\d{1,2}\s*[:：.、]?\s*")
_ELLIPSIS = re.compile(r"^[…．.。]+$")


def _is_empty_slot(name: str) -> bool:
    """"指标2", "指标2:", "指标1:/", "……": a slot of the template left unfilled."""
    key = norm(name)
    if _ELLIPSIS.match(key):
        return True
    m = _SLOT_PREFIX.match(key)
    return bool(m) and (m.end() == len(key) or is_placeholder(key[m.end():]))

# A level-1 cell reduced to its points ("(50分)": the label's first line lost in a web rendering).
_POINTS_ONLY = re.compile(r"^[(（]\d+(?:\.\d+)?分[)）]$")

_OPERATOR_COLS = ("指标性质", "符号", "运算符")
_UNIT_COLS = ("度量单位", "计量单位", "单位")
_OPERATORS = {"=": "=", "＝": "=", "≥": "≥", ">=": "≥", "≤": "≤", "<=": "≤", ">": ">", "<": "<", "＞": ">", "＜": "<"}


def _with_operator_and_unit(extra: dict[str, str], target: str, actual: str | None,
                            notes: list[str]) -> tuple[str, str | None]:
    """Templates that give the operator and the unit columns of their own (Sichuan: 指标性质 | 指标值 |
    度量单位 | 完成值) say what the samples write in one cell: "=" "100" "%" is "=100(%)"."""
    op = next((_OPERATORS.get(norm(extra[c])) for c in _OPERATOR_COLS if c in extra), None)
    unit = next((norm(extra[c]) for c in _UNIT_COLS if c in extra and not is_placeholder(extra[c])), None)
    if parse_number(target) is None or (op is None and unit is None):
        return target, actual
    suffix = f"({unit})" if unit else ""
    notes.append("指标值由" + "、".join(c for c in (*_OPERATOR_COLS, *_UNIT_COLS) if c in extra) + "栏合成")
    if actual and parse_number(actual) is not None:
        actual = actual + suffix
    return (op or "") + target + suffix, actual


class FormBuilder:
    def __init__(self, file: str, form_type: FormType | None, first_line: int, year: int | None):
        self.file = file
        self.form_type = form_type
        self.first_line = first_line
        self.last_line = first_line
        self.spans: list[list[int]] = [[first_line, first_line]]
        self.year = year
        self.period: tuple[str, str] | None = None
        self.fields: dict[str, str] = {}
        self.name_col: int | None = None
        self.name_row: int | None = None
        self.funds = FundsBuilder(file)
        self.goal_layout: GoalLayout | None = None
        self.goal: dict[str, list[tuple[int, str]]] = {}
        self.layout: IndicatorLayout | None = None
        self.indicators: list[Indicator] = []
        # (reading, cells, layout, inherited levels before the row) for each indicator, to mend
        # rows that a page break cut or repeated.
        self.readings: list[tuple[RowReading, list[tuple[int, str]], IndicatorLayout, tuple]] = []
        self.inherited: tuple[str | None, str | None] = (None, None)
        self.break_since_indicator = False
        self.page_pending = False
        self.total: float | None = None
        self.max_score: float | None = None
        self.grade: str | None = None
        self.judgement: dict[str, str] = {}
        self.corrective: list[str] = []
        self.corrective_open = False
        self.lines: dict[str, int] = {}
        self.section = "header"
        self.issues: list[Issue] = []

    # --- bookkeeping ---------------------------------------------------------------------------

    def warn(self, line: int | None, message: str) -> None:
        self.issues.append(Issue(file=self.file, line=line, message=message))

    def new_page(self, line: int) -> None:
        """A page header (title, year, period) or blank line inside the form."""
        self.break_since_indicator = True
        self.page_pending = True

    def has_section(self, kind: str) -> bool:
        return {"funds": self.funds.seen, "goal": self.goal_layout is not None,
                "header": "department" in self.fields or "unit" in self.fields}.get(kind, False)

    def set_fields(self, found: dict[str, tuple[str, int]], row: Row) -> None:
        for f, (value, col) in found.items():
            if f in self.fields and self.fields[f] and value and self.fields[f] != value:
                self.warn(row.no, f"重复的“{f}”：“{value}”与前文“{self.fields[f]}”不同，保留前者")
                continue
            if value or f not in self.fields:
                self.fields[f] = value
            if f == "project_name":
                self.name_col, self.name_row = col, row.no
                self.lines.setdefault("project_name", row.no)

    # --- feeding rows --------------------------------------------------------------------------

    def feed(self, row: Row) -> None:
        if self.page_pending and row.no > self.spans[-1][1] + 1 and self.section in ("indicators", "tail"):
            self.spans.append([row.no, row.no])  # the form goes on after a page break
        self.page_pending = False
        self.last_line = row.no
        self.spans[-1][1] = row.no
        lay = detect_indicator_header(row)
        if lay is not None:
            if self.layout is None:
                self.inherited = (None, None)
            self.layout = lay
            self.section = "indicators"
            return
        if is_funds_header(row):
            self.funds.header(row)
            self.section = "funds"
            return
        if self.section in ("header", "funds", "goal"):
            g = detect_goal_header(row)
            if g is not None:
                self.goal_layout = g
                self.section = "goal"
                if g.inline:
                    self._goal_content(row.no, g.inline)
                return
        for _, cell in row.texts[:3]:
            tl = tail_label(cell)
            if tl:
                self._tail(row, tl)
                self.section = "tail"
                return
        if self.section == "indicators" and self.indicators and row.texts and label_key(row.texts[0][1]) == "合计":
            self._sum_row(row)
            self.section = "tail"
            return
        found = header_fields(row)
        if found:
            self.set_fields(found, row)
            return
        if row.texts and header_label(row.texts[0][1]) == "_other":
            return  # 项目负责人及电话 | …, 财务负责人 | …: known labels, not kept
        if self.section in ("header", "funds") and self.funds.items(row):
            self.section = "funds"
            return
        if self.section == "header" and self._name_continuation(row):
            return
        if self.section == "goal":
            first = row.texts[0][1] if row.texts else ""
            if is_numbered_item(first):
                # "2.项目实施内容及过程概述 | …" (Sichuan): another item of 项目基本情况, not the goal
                self.warn(row.no, f"未识别的行，已跳过：“{row.joined()[:40]}”")
                return
            m = match_label(first)
            if m is None or not m.exact:
                self._goal_content(row.no, row.texts)
                return
            self.section = "indicators"
        if self.section == "indicators":
            self._indicator_row(row)
            return
        if self.section == "tail":
            text = "".join(t for _, t in row.texts)
            if self.corrective_open or (self.form_type == FormType.tracking and not self.corrective):
                self.corrective.append(text)
                self.corrective_open = True
                if self.spans and len(self.spans) > 1:
                    self.warn(row.no, "纠偏措施的文字在续页上，已并入本表")
                return
        self.warn(row.no, f"未识别的行，已跳过：“{row.joined()[:40]}”")

    def _name_continuation(self, row: Row) -> bool:
        """A long project name wrapped onto the next line, in the same column."""
        texts = row.texts
        if (self.name_row is not None and row.no == self.name_row + 1 and len(texts) == 1
                and texts[0][0] == self.name_col and len(texts[0][1]) <= 20 and self.fields.get("project_name")):
            self.fields["project_name"] += texts[0][1]
            return True
        return False

    def _goal_content(self, line: int, texts: list[tuple[int, str]]) -> None:
        texts = [(c, t) for c, t in texts if not is_goal_label(t) and not is_placeholder(t)]
        if not texts:
            return
        lay = self.goal_layout or GoalLayout()
        decl = "overall" in lay.cols or "annual" in lay.cols or self.form_type == FormType.declaration
        pair = ("overall", "annual") if decl else ("expected", "actual")
        if len(texts) >= 2:
            assigned = [(pair[0], texts[0])] + [(pair[1], t) for t in texts[1:]]
        else:
            col = texts[0][0]
            present = [r for r in pair if r in lay.cols]
            if present:
                role = min(present, key=lambda r: (abs(lay.cols[r] - col), pair.index(r)))
            else:
                role = pair[1] if decl else pair[0]
            assigned = [(role, texts[0])]
        for role, (_, text) in assigned:
            self.goal.setdefault(role, []).append((line, text))

    def _sum_row(self, row: Row) -> None:
        """合计 closing the indicator table (Sichuan): 权重 total, then 得分 total when filled in."""
        self.lines.setdefault("total_score", row.no)
        nums = [v for _, t in row.texts[1:] if (v := parse_number(t)) is not None]
        if len(nums) >= 2:
            self.max_score, self.total = nums[0], nums[1]
        elif nums:
            self.max_score = nums[0]
            self.warn(row.no, f"“合计”行只有权重合计 {nums[0]:g}，没有得分合计，总分未读取")

    def _tail(self, row: Row, label: str) -> None:
        texts = row.texts
        self.corrective_open = False
        key = {"total": "total_score", "grade": "grade", "corrective": "corrective_measures"}.get(label)
        if key or label.startswith("judgement"):
            self.lines.setdefault(key or "judgement", row.no)
        if label == "total":
            nums = [v for _, t in texts if (v := parse_number(t)) is not None]
            if len(nums) >= 2:
                self.max_score, self.total = nums[0], nums[1]
            elif nums:
                self.total = nums[0]
            label = "grade" if any(tail_label(t) == "grade" for _, t in texts) else label
        if label == "grade":
            after = False
            for _, t in texts:
                if tail_label(t) == "grade":
                    after = True
                elif after and norm(t) in GRADES:
                    self.grade = norm(t)
                    break
            if self.grade is None and after:
                rest = [t for _, t in texts if tail_label(t) is None and parse_number(t) is None]
                self.grade = rest[0] if rest else None
        for i, (_, t) in enumerate(texts):
            tl = tail_label(t)
            if tl in ("judgement_budget", "judgement_goal"):
                self.lines.setdefault(tl, row.no)
                value = next((v for _, v in texts[i + 1:] if tail_label(v) is None), "")
                key = "budget_completion" if tl == "judgement_budget" else "goal_completion"
                old = self.judgement.get(key)
                if old and value and old != value:
                    self.warn(row.no, f"重复的完成可能性判断“{value}”与前文“{old}”不同，保留前者")
                elif value:
                    self.judgement[key] = value
        if label == "corrective":
            text = "".join(t for _, t in texts if tail_label(t) != "corrective")
            if text:
                self.corrective.append(text)
            self.corrective_open = True

    # --- indicator rows ------------------------------------------------------------------------

    def _indicator_row(self, row: Row) -> None:
        cells = row.texts
        if cells and _POINTS_ONLY.match(norm(cells[0][1])) and len(cells) > 1:
            cells = cells[1:]  # the level 2 beside it names the level 1 (noted there)
        lay = self.layout or default_layout(self.form_type)
        if self.readings and self.break_since_indicator and is_fragment_row(cells):
            # Right after a page break: the rest of a row the break cut, or stray vertical label
            # text. Anything else short ("准确性 | 准确") is an ordinary row and read as one.
            if self._merge_fragment(cells, row.no) or label_char_share([t for _, t in cells]) >= 0.6:
                return
        reading = read_row(cells, lay, self.inherited[0])
        if reading.empty:
            return
        if reading.name is not None and _is_empty_slot(reading.name[1]) \
                and all(is_placeholder(t) for t in reading.values.values()):
            if reading.labels:  # "质量指标 ⇥ 指标2": the labels still open their section
                l1, l2, _ = resolve_levels(reading.labels, self.inherited)
                self.inherited = (l1 or None, l2 or None)
            return  # the template's empty slot ("指标2", "……"), not an indicator
        realigned = self._realign_shifted_values(reading, lay)
        if reading.name is None and not reading.values:
            l1, l2, _ = resolve_levels(reading.labels, self.inherited)
            self.inherited = (l1 or None, l2 or None)  # a label-only row opens a section
            return
        # A nameless row that repeats the one before is an export artefact wherever it sits; a
        # named repeat is only dropped across a page break (elsewhere it may be the form's own error).
        if self.indicators and (self.break_since_indicator or reading.name is None) \
                and self._repeats_previous(reading):
            self.warn(row.no, f"第 {self.indicators[-1].line} 行在分页后重复出现，未重复计入")
            self.break_since_indicator = False
            return
        if reading.name is None and self.indicators and self._complements_previous(reading, row.no):
            self.break_since_indicator = False
            return
        if reading.name is None:
            self.warn(row.no, "指标行缺少三级指标名称")
        ind = self._add_indicator(reading, cells, lay, row.no)
        if realigned:
            ind.notes.append("本行数值比表头错开一列，已按内容对齐")

    @staticmethod
    def _realign_shifted_values(reading: RowReading, lay: IndicatorLayout) -> bool:
        """Values one column right of their headers ("满足 ⇥ 满足 ⇥ 满足" under 计划完成值, 实际完成值,
        偏差原因): read by position the target is left empty. A form always states a target, so a named
        row read without one is aligned again by content alone; kept if that finds the target."""
        if reading.name is None or "target" not in lay.fields or "target" in reading.values \
                or not reading.value_cells:
            return False
        rest = sorted(c for cs in reading.value_cells.values() for c in cs)
        by_content = align(rest, list(lay.fields), {})
        if "target" not in by_content:
            return False
        reading.value_cells = by_content
        reading.values = {f: "".join(t for _, t in cs) for f, cs in by_content.items()}
        return True

    def _merge_fragment(self, cells: list[tuple[int, str]], line: int) -> bool:
        prev, prev_cells, prev_lay, inherited_before = self.readings[-1]
        label_cols = {c for c, _ in prev.label_cells}
        text_cols = {prev.name[0]} if prev.name else set()
        for f, cs in prev.value_cells.items():
            if f not in ("weight", "score"):
                text_cols |= {c for c, t in cs if cell_kind(t) in ("short", "long", "date")}
        merged = merge_fragments(prev_cells, cells, label_cols, text_cols)
        if merged is None:
            return False
        first_line = self.indicators[-1].line
        self.indicators.pop()
        self.readings.pop()
        self.inherited = inherited_before
        reading = read_row(merged, prev_lay, inherited_before[0])
        realigned = self._realign_shifted_values(reading, prev_lay)
        ind = self._add_indicator(reading, merged, prev_lay, first_line)
        ind.notes.append(f"本行被分页截断，第 {line} 行的续行已并入")
        if realigned:
            ind.notes.append("本行数值比表头错开一列，已按内容对齐")
        return True

    def _repeats_previous(self, r: RowReading) -> bool:
        """Every value of this row says what the previous row said (≥90.00(%) and 90.00(%) alike)."""
        prev = self.readings[-1][0]
        if r.name is not None and (prev.name is None or norm(r.name[1]) != norm(prev.name[1])):
            return False
        theirs = Counter(_value_key(v) for v in prev.values.values())
        mine = Counter(_value_key(v) for v in r.values.values())
        return bool(mine) and not (mine - theirs)

    def _complements_previous(self, r: RowReading, line: int) -> bool:
        """A row whose values were pushed onto the next page: fill the previous row's empty fields."""
        prev, _, lay, _ = self.readings[-1]
        if any(f in prev.values for f in r.values):
            return False
        ind = self.indicators[-1]
        prev.values.update(r.values)
        self.indicators[-1] = self._indicator(prev, ind.line, lay, keep_levels=ind)
        self.indicators[-1].notes.append(f"本行数值在分页后的第 {line} 行")
        return True

    def _add_indicator(self, reading: RowReading, cells: list[tuple[int, str]], lay: IndicatorLayout,
                       line: int) -> Indicator:
        inherited_before = self.inherited
        ind = self._indicator(reading, line, lay)
        self.indicators.append(ind)
        self.readings.append((reading, cells, lay, inherited_before))
        self.break_since_indicator = False
        return ind

    def _indicator(self, r: RowReading, line: int, lay: IndicatorLayout,
                   keep_levels: Indicator | None = None) -> Indicator:
        if keep_levels is not None:
            l1, l2, notes = keep_levels.level1, keep_levels.level2, list(keep_levels.notes)
        else:
            inh1 = self.inherited[0]
            l1, l2, notes = resolve_levels(r.labels, self.inherited)
            if len(r.labels) == 1 and r.labels[0].level == 1 and inh1 and inh1 != l1 and r.name is not None:
                # Only a level-1 word, standing in the level-2 column: e.g. 成本指标 rows inside 产出指标.
                off = r.name[0] - lay.cols.get("name", r.name[0])
                col = r.label_cells[0][0] - off
                if abs(col - lay.cols.get("level2", 1)) < abs(col - lay.cols.get("level1", 0)):
                    notes.append(f"一级指标“{l1}”写在二级指标栏，位于“{inh1}”之下")
            self.inherited = (l1 or None, l2 or None)
        raw1 = raw2 = None
        for m, (_, text) in zip(r.labels, r.label_cells):
            if m.level == 1 and raw1 is None and raw2 is None:
                raw1 = text
            else:
                raw2 = text
        v = r.values
        weight, score = parse_number(v.get("weight")), parse_number(v.get("score"))
        for f, num in (("weight", weight), ("score", score)):
            if v.get(f) and num is None and not is_placeholder(v[f]):
                notes.append(f"“{f}”栏不是数字：“{v[f]}”")
        extra = {f.split(":", 1)[1]: t for f, t in v.items() if f.startswith("extra:")}
        target, actual = v.get("target"), v.get("actual")
        if extra and target:
            target, actual = _with_operator_and_unit(extra, target, actual, notes)
        name = r.name[1] if r.name else ""
        if name.lstrip().startswith("指标") and (m := _SLOT_PREFIX.match(name)) and name[m.end():].strip() \
                and match_label(name) is None:
            notes.append(f"名称前的模板编号“{name[:m.end()].strip()}”已去掉")
            name = name[m.end():].strip()
        return Indicator(
            level1=l1, level2=l2, name=name,
            target=parse_value(target), plan=parse_value(v.get("plan")),
            actual=parse_value(actual), weight=weight, score=score,
            deviation=v.get("deviation") or None, level1_raw=raw1, level2_raw=raw2,
            extra=extra, notes=notes, line=line,
        )

    # --- finishing -----------------------------------------------------------------------------

    def _check_targets(self) -> None:
        """A named row without a target where the other rows have one: a name lost or a row shifted.

        A short "name" on such a row is most likely the target itself, standing in the name column
        because the name cell was empty or the row moved one column left; either way the form does
        not say which, so the row is kept as read and the line is reported.
        """
        if not any(i.target is not None for i in self.indicators):
            return
        for ind in self.indicators:
            if ind.target is not None or not ind.name:
                continue
            if len(norm(ind.name)) <= 4:
                self.warn(ind.line, f"指标行没有年度指标值，“{ind.name}”像是指标值而非名称"
                                    "（名称缺失或整行错位一列），按名称读取，请核对")
            else:
                self.warn(ind.line, f"指标“{ind.name}”没有年度指标值（漏填或错位），请核对")

    def infer_type(self) -> FormType | None:
        if self.form_type:
            return self.form_type
        fields = set(self.layout.fields if self.layout else [])
        cols = set(self.funds.header_cols)
        goal = set(self.goal_layout.cols if self.goal_layout else [])
        if "plan" in fields or "budget_period" in cols or self.judgement:
            return FormType.tracking
        if fields & {"weight", "score"} or cols & {"score", "weight", "budget_annual"} or self.total is not None:
            return FormType.self_evaluation
        if goal & {"overall", "annual"} or fields == {"target"} or self.funds.unit == "元":
            return FormType.declaration
        if "actual" in goal:
            return FormType.self_evaluation
        return None

    def is_form(self) -> bool:
        return bool(self.fields.get("project_name")) or self.funds.seen or self.goal_layout is not None

    def finish(self, file_year: int | None, encoding: str | None, name_year: int | None = None) -> Form:
        form_type = self.infer_type()
        if form_type is None:
            form_type = FormType.declaration
            self.warn(self.first_line, "无法判断表的类型（无标题、无可辨认的表头），按申报表读取")
        elif self.form_type is None:
            self.warn(self.first_line, f"无表名，按表头判断为{FORM_TYPE_ZH[form_type]}")
        f = self.fields
        year = self.year or (int(self.period[0][:4]) if self.period and self.period[0][:4] != NO_YEAR else None)
        if year is None and file_year:
            year = file_year
            self.warn(self.first_line, f"表内无年度，按文件中的 {file_year} 年度")
        if year is None and name_year:
            year = name_year
            self.warn(self.first_line, f"表内无年度，按文件名中的 {name_year} 年度")
        if year is None:
            self.warn(self.first_line, "表内、跟踪时段和文件名中都没有年度，年度未读取")
        if self.period and NO_YEAR in self.period[0] + self.period[1]:  # "1-6月": the form's year
            if year is None:
                self.warn(self.lines.get("period"), f"跟踪时段“{self.period[0][5:]}–{self.period[1][5:]}月”无年度，未读取")
            self.period = (self.period[0].replace(NO_YEAR, str(year)), self.period[1].replace(NO_YEAR, str(year))) \
                if year else None
        last = self.last_line
        if not f.get("project_name"):
            self.warn(self.first_line, "缺少项目名称")
        if not self.indicators:
            self.warn(last, "没有读到绩效指标行（表不完整或被截断？）")
        self._check_targets()
        if form_type == FormType.self_evaluation and self.total is None and "total_score" not in self.lines:
            self.warn(last, "没有“总分”行（表不完整或被截断？）")
        if form_type == FormType.tracking and not self.judgement:
            self.warn(last, "没有“绩效跟踪总体判断”（表不完整或被截断？）")
        if not self.funds.seen:
            self.warn(self.first_line, "没有读到资金表")
        funds = self.funds.build(form_type, self.issues)
        dep_raw = f.get("department") or None
        goal = Goal()
        for role, parts in self.goal.items():
            setattr(goal, role, "".join(t for _, t in parts) or None)
        if form_type == FormType.declaration:
            goal.expected = goal.annual or goal.overall
            line = (self.goal.get("annual") or self.goal.get("overall") or [(None, "")])[0][0]
            goal.expected_line = line
        else:
            goal.expected_line = self.goal["expected"][0][0] if "expected" in self.goal else None
            goal.actual_line = self.goal["actual"][0][0] if "actual" in self.goal else None
        return Form(
            form_type=form_type, year=year,
            period_start=self.period[0] if self.period else None,
            period_end=self.period[1] if self.period else None,
            project_name=f.get("project_name") or None,
            department=_ORG_CODE.sub("", _SUMMARY_SUFFIX.sub("", dep_raw)) if dep_raw else None,
            department_raw=dep_raw,
            unit=_ORG_CODE.sub("", f["unit"]) if f.get("unit") else None, project_nature=f.get("project_nature") or None,
            project_category=f.get("project_category") or None,
            start_date=f.get("start_date") or None, end_date=f.get("end_date") or None,
            funds=funds, goal=goal, indicators=self.indicators,
            total_score=self.total, max_score=self.max_score, grade=self.grade,
            judgement=Judgement(**self.judgement) if self.judgement else None,
            corrective_measures="".join(self.corrective) or None,
            source=Source(file=self.file, first_line=self.first_line, last_line=last, encoding=encoding,
                          spans=[(a, b) for a, b in self.spans]),
            lines=self.lines,
            warnings=self.issues,
        )

