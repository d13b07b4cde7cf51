"""Writing parsed forms for machines (JSON, JSON lines, CSV) and for people (a rich table)."""

from __future__ import annotations

import csv
import io
import json
from typing import Iterable

from rich.console import Console
from rich.table import Table

from jixiao.forms.models import FORM_TYPE_ZH, Form, Value
from jixiao.forms.safe_text import csv_safe_row

CSV_COLUMNS = [
    "file", "first_line", "form_type", "year", "period", "project_name", "department", "unit",
    "total_score", "grade", "indicator_line", "level1", "level2", "name", "target", "target_op",
    "target_number", "target_unit", "plan", "actual", "actual_number", "actual_unit", "weight", "score",
    "deviation",
]


def form_dict(form: Form) -> dict:
    return form.model_dump(mode="json")


def to_json(forms: Iterable[Form]) -> str:
    return json.dumps([form_dict(f) for f in forms], ensure_ascii=False, indent=2)


def to_jsonl(forms: Iterable[Form]) -> str:
    return "".join(json.dumps(form_dict(f), ensure_ascii=False) + "\n" for f in forms)


def _raw(v: Value | None) -> str:
    return v.raw if v else ""


def csv_rows(forms: Iterable[Form]) -> Iterable[dict]:
    """One row per indicator, with its form's columns repeated: what a spreadsheet user wants."""
    for f in forms:
        base = {
            "file": f.source.file, "first_line": f.source.first_line, "form_type": f.form_type.value,
            "year": f.year or "", "period": f"{f.period_start}~{f.period_end}" if f.period_start else "",
            "project_name": f.project_name or "", "department": f.department or "", "unit": f.unit or "",
            "total_score": "" if f.total_score is None else f.total_score, "grade": f.grade or "",
        }
        if not f.indicators:
            yield base
        for ind in f.indicators:
            t, a = ind.target, ind.actual
            yield {
                **base, "indicator_line": ind.line, "level1": ind.level1, "level2": ind.level2,
                "name": ind.name, "target": _raw(t), "target_op": (t.op or "") if t else "",
                "target_number": "" if not t or t.number is None else t.number,
                "target_unit": (t.unit or "") if t else "", "plan": _raw(ind.plan), "actual": _raw(a),
                "actual_number": "" if not a or a.number is None else a.number,
                "actual_unit": (a.unit or "") if a else "",
                "weight": "" if ind.weight is None else ind.weight,
                "score": "" if ind.score is None else ind.score, "deviation": ind.deviation or "",
            }


def to_csv(forms: Iterable[Form]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    w.writeheader()
    for row in csv_rows(forms):
        w.writerow(csv_safe_row(row))  # a cell such as =HYPERLINK(…) stays text in Excel (forms/safe_text.py)
    return buf.getvalue()


def print_table(forms: Iterable[Form], console: Console) -> None:
    for f in forms:
        head = f"{f.project_name or '(未命名项目)'}  {FORM_TYPE_ZH[f.form_type]} {f.year or ''}"
        if f.period_start:
            head += f"（跟踪时段 {f.period_start}～{f.period_end}）"
        console.print(head, style="bold", markup=False)
        console.print(f"  {f.source.file}:{f.source.first_line}-{f.source.last_line}  "
                      f"主管部门 {f.department or '-'} · 实施单位 {f.unit or '-'}")
        if f.funds:
            total = next((r for r in f.funds.rows if r.key == "total"), None)
            if total:
                vals = " · ".join(f"{f.funds.columns.get(k, k)} {v.raw}" for k, v in total.values.items())
                console.print(f"  资金（{f.funds.original_unit}）：{vals}")
        if f.goal.expected:
            console.print(f"  预期目标：{f.goal.expected[:80]}{'…' if len(f.goal.expected) > 80 else ''}")
        if f.goal.actual:
            console.print(f"  实际完成：{f.goal.actual[:80]}{'…' if len(f.goal.actual) > 80 else ''}")
        t = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
        cols = ["行", "一级指标", "二级指标", "三级指标", "指标值"]
        if f.form_type.value == "tracking":
            cols += ["计划值", "实际值"]
        elif f.form_type.value == "self_evaluation":
            cols += ["实际值", "分值", "得分"]
        if f.form_type.value != "declaration":
            cols += ["偏差原因"]
        for c in cols:
            t.add_column(c, overflow="fold")
        for ind in f.indicators:
            row = [str(ind.line), ind.level1, ind.level2, ind.name, _raw(ind.target)]
            if f.form_type.value == "tracking":
                row += [_raw(ind.plan), _raw(ind.actual)]
            elif f.form_type.value == "self_evaluation":
                row += [_raw(ind.actual), _num(ind.weight), _num(ind.score)]
            if f.form_type.value != "declaration":
                row += [(ind.deviation or "")[:30]]
            t.add_row(*row)
        console.print(t)
        tail = []
        if f.total_score is not None:
            tail.append(f"总分 {f.total_score:g}")
        if f.grade:
            tail.append(f"评分等级 {f.grade}")
        if f.judgement:
            tail.append(f"预算完成可能性 {f.judgement.budget_completion or '-'} · "
                        f"目标完成可能性 {f.judgement.goal_completion or '-'}")
        if tail:
            console.print("  " + " · ".join(tail))
        console.print()


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"
