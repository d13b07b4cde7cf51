"""The obvious alternative to jixiao's parser: read the export by column position.

Split each line on tabs; a form starts at each 项目名称 row (its name is the first cell after the
label); after the indicator header, every row with text in the header's 三级指标 column is an
indicator, read from the cells at the header's column positions, until a 总分 / 评分等级 /
绩效跟踪总体判断 / 纠偏措施 row, a title or the next form. This is what a first script written
against the samples does, and it is what bench_parse.py compares jixiao with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_END = re.compile(r"^(总分|评分等级|绩效跟踪总体判断|纠偏措施)")
_TITLE = re.compile(r"绩效(目标申报|跟踪|运行监控|自评)表")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_FIELDS = {"一级指标": "level1", "二级指标": "level2", "三级指标": "name", "年度指标值": "target",
           "年度(/项目)指标值": "target", "实际完成值": "actual", "跟踪期实际完成值": "actual", "分值": "weight",
           "得分": "score"}


@dataclass
class NaiveForm:
    project_name: str
    line: int
    indicators: list[dict[str, str]] = field(default_factory=list)
    total_score: float | None = None


def _key(cell: str) -> str:
    return re.sub(r"\s+", "", cell)


def parse_naive(text: str) -> list[NaiveForm]:
    forms: list[NaiveForm] = []
    columns: dict[str, int] | None = None  # field -> column of the current indicator table
    for no, line in enumerate(text.splitlines(), 1):
        cells = [_key(c) for c in line.split("\t")]
        first = next((c for c in cells if c), "")
        if "项目名称" in cells:
            at = cells.index("项目名称")
            name = next((c for c in cells[at + 1:] if c), "")
            forms.append(NaiveForm(name, no))
            columns = None
        elif forms and "三级指标" in cells:
            columns = {_FIELDS[c]: i for i, c in enumerate(cells) if c in _FIELDS}
        elif _END.match(first) or (len(first) < 40 and _TITLE.search(first)):
            columns = None
            if forms and first == "总分":  # 总分 | 100.00 | 97.54: the score is the last number
                numbers = [c for c in cells if _NUMBER.fullmatch(c)]
                forms[-1].total_score = float(numbers[-1]) if numbers else None
        elif columns is not None and len(cells) > columns["name"] and cells[columns["name"]]:
            row = {f: cells[i] if i < len(cells) else "" for f, i in columns.items()}
            forms[-1].indicators.append(row)
    return forms
