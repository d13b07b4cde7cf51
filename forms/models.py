"""Typed models of the three performance forms.

Glossary (English identifier — Chinese term on the form):
  declaration 绩效目标申报表 · tracking 绩效跟踪表/绩效运行监控表 · self_evaluation 绩效自评表 ·
  project_name 项目名称 · department 主管部门 · unit 实施单位 · project_nature 项目性质 ·
  project_category 项目类别 · funds 项目资金/预算执行情况 · goal 绩效目标 (expected 预期目标/年度总体目标,
  actual 实际完成情况/跟踪期实际完成情况, overall 项目总目标, annual 年度总体目标) ·
  level1/level2/name 一级/二级/三级指标 · target 年度指标值 · plan 跟踪期计划完成值 ·
  actual 实际完成值/跟踪期实际完成值 · weight 分值 · score 得分 · deviation 偏差原因分析(及改进措施) ·
  total_score 总分 · grade 评分等级 · judgement 绩效跟踪总体判断 · corrective_measures 纠偏措施.

The JSON field names of Form, Indicator and Goal are a contract read by other tools.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field


class FormType(str, Enum):
    declaration = "declaration"
    tracking = "tracking"
    self_evaluation = "self_evaluation"


FORM_TYPE_ZH = {
    FormType.declaration: "绩效目标申报表",
    FormType.tracking: "绩效跟踪表",
    FormType.self_evaluation: "绩效自评表",
}

# What a reviewer may type for a form type: the English value or a Chinese name, full or short.
FORM_TYPE_NAMES = {
    **{t.value: t for t in FormType},
    **{zh: t for t, zh in FORM_TYPE_ZH.items()},
    "申报表": FormType.declaration, "目标申报表": FormType.declaration, "绩效目标表": FormType.declaration,
    "跟踪表": FormType.tracking, "监控表": FormType.tracking, "绩效监控表": FormType.tracking,
    "绩效运行监控表": FormType.tracking, "运行监控表": FormType.tracking,
    "自评表": FormType.self_evaluation, "绩效自评表": FormType.self_evaluation,
}


def form_type_named(text: str) -> FormType | None:
    """declaration / 申报表 / 绩效目标申报表 → FormType.declaration; None for anything else."""
    return FORM_TYPE_NAMES.get(text.strip().lower() if text.isascii() else text.strip())


Op = Literal["=", "≥", "≤", ">", "<"]


class Value(BaseModel):
    """A target or actual value: the raw cell text and what it says."""

    raw: str
    op: Op | None = None
    number: float | None = None
    unit: str | None = None
    word: str | None = None  # qualitative text, normalised (及时, 提升, 达成指标 …)
    kind: Literal["numeric", "qualitative", "date"] = "qualitative"
    achievement: Literal["reached", "partial", "not_reached"] | None = None


class Issue(BaseModel):
    """A parse warning or error, located in the source file."""

    file: str
    line: int | None = None
    message: str
    severity: Literal["warning", "error"] = "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class Indicator(BaseModel):
    level1: str
    level2: str
    name: str
    target: Value | None = None
    plan: Value | None = None  # tracking forms only: 跟踪期计划完成值
    actual: Value | None = None
    weight: float | None = None
    score: float | None = None
    deviation: str | None = None
    level1_raw: str | None = None  # the label cells as the row showed them, before inheritance
    level2_raw: str | None = None
    extra: dict[str, str] = Field(default_factory=dict)  # columns of other templates
    notes: list[str] = Field(default_factory=list)
    line: int


class FundsValue(BaseModel):
    raw: str
    value: float | None  # in 万元 for amounts; percentages and points as written


class FundsRow(BaseModel):
    item: str  # canonical Chinese item: 年度资金总额, 当年财政拨款, 上年结转资金, 其他资金, 项目资金总额 …
    key: str  # stable English key: total, fiscal, carryover, other, project_total …
    raw_label: str
    values: dict[str, FundsValue]  # column key -> value
    line: int

    def number(self, col: str) -> float | None:
        """The value in column `col` (万元, % or points), None when the column is empty or absent."""
        v = self.values.get(col)
        return v.value if v else None


class Funds(BaseModel):
    unit: str = "万元"  # unit of every amount below
    original_unit: str  # unit the form was written in (元 on declarations)
    columns: dict[str, str] = Field(default_factory=dict)  # column key -> label on the form
    rows: list[FundsRow] = Field(default_factory=list)
    weight: float | None = None  # 分数 of the funds line (self-evaluation)
    score: float | None = None  # 得分 of the funds line (self-evaluation)
    score_derived: bool = False  # True when 得分 was missing and computed as 执行率 × 分数
    execution_rate: float | None = None  # 执行率(%) of the total row


class Goal(BaseModel):
    expected: str | None = None
    actual: str | None = None
    overall: str | None = None  # declarations: 项目总目标
    annual: str | None = None  # declarations: 年度总体目标
    expected_line: int | None = None
    actual_line: int | None = None


class Judgement(BaseModel):
    """绩效跟踪总体判断 of a tracking form."""

    budget_completion: str | None = None  # 年度项目预算完成可能性
    goal_completion: str | None = None  # 年度绩效目标完成可能性


class Source(BaseModel):
    file: str
    first_line: int
    last_line: int
    encoding: str | None = None
    spans: list[tuple[int, int]] = Field(default_factory=list)  # >1 when a continuation page was attached
    # Office/PDF files: where the form's rows stand in the original, for people ("Sheet1!14", "第3页第12行");
    # empty for text files, whose line numbers say it all.
    places: dict[int, str] = Field(default_factory=dict)
    # Office files: row -> {cell text: the cell's place ("Sheet1!C14")}, for the non-empty cells of the form's rows.
    cell_places: dict[int, dict[str, str]] = Field(default_factory=dict)


class Form(BaseModel):
    form_type: FormType
    year: int | None = None
    period_start: str | None = None  # tracking: 跟踪时段, "2024-01"
    period_end: str | None = None
    project_name: str | None = None
    department: str | None = None  # without the "(汇总)" suffix
    department_raw: str | None = None
    unit: str | None = None
    project_nature: str | None = None
    project_category: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    funds: Funds | None = None
    goal: Goal = Field(default_factory=Goal)
    indicators: list[Indicator] = Field(default_factory=list)
    total_score: float | None = None
    max_score: float | None = None
    grade: str | None = None
    judgement: Judgement | None = None
    corrective_measures: str | None = None
    source: Source
    lines: dict[str, int] = Field(default_factory=dict)  # where total_score, grade, judgement, corrective_measures stand
    warnings: list[Issue] = Field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.project_name or '(未命名项目)'} · {FORM_TYPE_ZH[self.form_type]} · {self.year or '?'}"


class ParseResult(BaseModel):
    """Everything read from one file: its forms and the problems met, in file order."""

    file: str
    encoding: str | None = None
    forms: list[Form] = Field(default_factory=list)
    issues: list[Issue] = Field(default_factory=list)  # file-level; form-level ones are on the form

    @property
    def failed(self) -> bool:
        return any(i.severity == "error" for i in self.issues)

    def all_issues(self) -> list[Issue]:
        out = list(self.issues)
        for f in self.forms:
            out.extend(f.warnings)
        return sorted(out, key=lambda i: (i.line or 0))
