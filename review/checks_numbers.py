"""Arithmetic checks: 总分, 评分等级, 执行率, fund rows, the 预算执行率 indicator, tracking judgements."""

from __future__ import annotations

import re
from typing import Iterator

from jixiao.forms.models import Form, FormType
from jixiao.review.catalogue import form_check
from jixiao.review.evidence import finding, ind_evidence, where
from jixiao.review.models import Finding
from jixiao.review.settings import Settings

_GRADES = {"优": 3, "优秀": 3, "良": 2, "良好": 2, "中": 1, "合格": 1, "及格": 1, "差": 0, "较差": 0, "不合格": 0, "不及格": 0}
_GRADE_NAME = {3: "优", 2: "良", 1: "合格/中", 0: "不合格/差"}


def grade_level(total: float, s: Settings) -> int:
    """The grade a 总分 earns: 3 优, 2 良, 1 合格/中, 0 不合格/差 (thresholds in settings [score])."""
    return 3 if total >= s["score.grade_excellent"] else 2 if total >= s["score.grade_good"] else 1 if total >= s["score.grade_pass"] else 0


@form_check("score.total_mismatch")
def total_mismatch(form: Form, s: Settings) -> Iterator[Finding]:
    if form.form_type != FormType.self_evaluation or form.total_score is None or not form.funds or form.funds.score is None:
        return
    parts = [i.score for i in form.indicators if i.score is not None]
    total = round(form.funds.score + sum(parts), 2)
    if abs(total - form.total_score) > s["score.tolerance"]:
        yield finding(form, "score.total_mismatch", "high",
                      f"{form.project_name}：总分 {form.total_score:g} 不等于资金得分 {form.funds.score:g} 加各指标得分之和 {sum(parts):g}（应为 {total:g}）。",
                      [where(form, "总分", None, form.total_score, form.lines.get("total_score")),
                       where(form, "资金得分", None, form.funds.score, form.funds.rows[0].line if form.funds.rows else None),
                       where(form, "指标得分之和", f"{len(parts)} 项", round(sum(parts), 2))])


@form_check("score.grade_mismatch")
def grade_mismatch(form: Form, s: Settings) -> Iterator[Finding]:
    if form.total_score is None or not form.grade or form.grade not in _GRADES:
        return
    t = form.total_score
    want = grade_level(t, s)
    if _GRADES[form.grade] != want:
        yield finding(form, "score.grade_mismatch", "high",
                      f"{form.project_name}：总分 {t:g} 应评为“{_GRADE_NAME[want]}”，表中评分等级却为“{form.grade}”。",
                      [where(form, "总分", None, t, form.lines.get("total_score")),
                       where(form, "评分等级", form.grade, line=form.lines.get("grade"))])


def _budget_col(form: Form) -> str | None:
    return {FormType.self_evaluation: "budget_annual", FormType.tracking: "budget_period"}.get(form.form_type)


@form_check("funds.rate_mismatch")
def rate_mismatch(form: Form, s: Settings) -> Iterator[Finding]:
    col = _budget_col(form)
    if not form.funds or col is None:
        return
    for row in form.funds.rows:
        budget, spent, rate = row.number(col), row.number("spent"), row.number("execution_rate")
        if budget is None or spent is None or rate is None:
            continue
        if budget == 0:
            if spent == 0 and rate == 0:
                continue
            expected = None
        else:
            expected = round(spent / budget * 100, 2)
            if abs(expected - rate) <= s["funds.rate_tolerance"]:
                continue
        label = form.funds.columns.get(col, col)
        yield finding(form, "funds.rate_mismatch", "medium",
                      f"{form.project_name}：“{row.item}”执行率填 {rate:g}%，按执行数 {spent:g} ÷ {label} {budget:g} 应为 "
                      f"{'无法计算（预算为零）' if expected is None else f'{expected:g}%'}。",
                      [where(form, f"{row.item} {label}", row.values[col].raw, budget, row.line),
                       where(form, f"{row.item} 执行数", row.values["spent"].raw, spent, row.line),
                       where(form, f"{row.item} 执行率(%)", row.values["execution_rate"].raw, rate, row.line)], row.key)


@form_check("funds.rows_mismatch")
def rows_mismatch(form: Form, s: Settings) -> Iterator[Finding]:
    if not form.funds:
        return
    rows = {r.key: r for r in form.funds.rows}
    for total_key, part_keys in (("total", ("fiscal", "carryover", "other")),
                                 ("project_total", ("project_fiscal", "project_other"))):
        total = rows.get(total_key)
        parts = [rows[k] for k in part_keys if k in rows]
        if total is None or not parts:
            continue
        for col in total.values:
            if col in ("weight", "score", "execution_rate"):
                continue
            t = total.number(col)
            vals = [p.number(col) for p in parts]
            known = [v for v in vals if v is not None]
            if t is None or not known:
                continue
            if abs(sum(known) - t) > s["funds.amount_tolerance"]:
                label = form.funds.columns.get(col, col)
                yield finding(form, "funds.rows_mismatch", "medium",
                              f"{form.project_name}：{total.item}（{label}）{t:g} 万元，不等于其中各项之和 {sum(known):g} 万元。",
                              [where(form, f"{total.item} {label}", total.values[col].raw, t, total.line)]
                              + [where(form, f"{p.item} {label}", p.values[col].raw, p.number(col), p.line)
                                 for p in parts if col in p.values], total_key, col)


@form_check("funds.indicator_rate_contradiction")
def indicator_rate_contradiction(form: Form, s: Settings) -> Iterator[Finding]:
    if not form.funds or form.funds.execution_rate is None:
        return
    rate = form.funds.execution_rate
    for ind in form.indicators:
        if not re.search(r"预算执行率|资金执行率|执行利率", ind.name) or ind.actual is None or ind.actual.number is None:
            continue
        if ind.actual.unit not in (None, "%"):
            continue
        if abs(ind.actual.number - rate) > s["funds.indicator_rate_tolerance"]:
            total = next((r for r in form.funds.rows if r.key == "total"), None)
            yield finding(form, "funds.indicator_rate_contradiction", "high",
                          f"{form.project_name}：“{ind.name}”指标填报 {ind.actual.raw}，资金表执行率却为 {rate:g}%。",
                          ind_evidence(form, ind, "target", "actual", "weight", "score")
                          + [where(form, "资金表执行率(%)", None, rate, total.line if total else None)], ind.name)


@form_check("tracking.optimistic_judgement")
def optimistic_judgement(form: Form, s: Settings) -> Iterator[Finding]:
    if form.form_type != FormType.tracking or not form.funds or form.funds.execution_rate is None:
        return
    if not form.judgement or form.judgement.budget_completion != "确定能完成" or not form.period_end:
        return
    months = int(form.period_end[5:7]) - (int(form.period_start[5:7]) - 1 if form.period_start else 0)
    due = 100 * months / 12
    rate = form.funds.execution_rate
    if rate < s["tracking.low_execution_share"] * due:
        yield finding(form, "tracking.optimistic_judgement", "medium",
                      f"{form.project_name}：跟踪期（{form.period_start}至{form.period_end}）执行率仅 {rate:g}%，低于时间进度 {due:.0f}%，却判断预算“确定能完成”，未说明依据。",
                      [where(form, "跟踪期执行率(%)", None, rate, form.funds.rows[0].line if form.funds.rows else None),
                       where(form, "年度项目预算完成可能性", form.judgement.budget_completion, line=form.lines.get("judgement"))])
