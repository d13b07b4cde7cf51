"""Substantive execution checks: a tracking form far behind the year that still says 确定能完成, and a
year-end execution rate made to look high by cutting the budget it is computed on (issue 11).

tracking.optimistic_judgement (checks_numbers.py) compares the tracking rate with the time elapsed
on the budget judgement alone; tracking.execution_lag reads both judgements, the outputs and the
纠偏措施, and sizes the gap in 万元.
"""

from __future__ import annotations

import re
from typing import Iterator

from jixiao.forms.models import Form, FormType, FundsRow, Indicator
from jixiao.forms.values import norm
from jixiao.review.catalogue import form_check
from jixiao.review.checks_numbers import grade_level
from jixiao.review.evidence import finding, ind_evidence, where
from jixiao.review.models import Evidence, Finding
from jixiao.review.settings import Settings

LAG, CUT = "tracking.execution_lag", "funds.budget_cut_inflates_rate"

_NOT_STARTED = ("未开始", "未开展", "未启动", "未实施", "筹备中", "准备中")  # 尚未开展 contains 未开展
_IN_PROGRESS = ("开展中", "进行中", "实施中", "推进中")
_COMPLETION = re.compile(r"完成|达成|上线|验收|100%")
# A 纠偏措施 that says no correction is needed does not explain a lag.
_NO_CORRECTION = re.compile(r"^(无|暂无|/|-|—|不适用|无需纠偏|无纠偏措施)$|无需|不需|无偏差|未发生偏差|运行正常|进展正常|正常推进")


def _raw(row: FundsRow, col: str) -> str | None:
    v = row.values.get(col)
    return v.raw if v else None


def _total(form: Form) -> FundsRow | None:
    return next((r for r in form.funds.rows if r.key == "total"), None) if form.funds else None


def _certain(judgement: str | None) -> bool:
    j = norm(judgement or "")
    return "确定" in j and "不确定" not in j and "不可能" not in j


def _explained(form: Form, s: Settings) -> bool:
    """The form says how it will catch up: a 纠偏措施 of substance."""
    text = norm(form.corrective_measures or "")
    return len(text) >= s["execution.corrective_min_chars"] and not _NO_CORRECTION.search(text)


# --- tracking.execution_lag ---------------------------------------------------------------------

def _elapsed(form: Form) -> float | None:
    """Share of the year gone at the end of the 跟踪时段, in %: its end month / 12 (spending is
    cumulative from January whatever month the period is said to start)."""
    if not form.period_end or not form.period_end[5:7].isdigit():
        return None
    if form.year and form.period_end[:4].isdigit() and int(form.period_end[:4]) > form.year:
        return 100.0
    return 100 * int(form.period_end[5:7]) / 12


def _money_lag(form: Form, s: Settings, due: float):
    """(share of the year's budget spent %, that budget, its label, 万元 behind time progress) or None.

    The denominator is 跟踪期预算数, the budget in force at the tracking date: on the samples it equals
    年初预算数, a year's budget, not a part of it. When it is instead 年初预算数 pro-rated to the period
    (2,500 → 1,250 by June), the year's budget is 年初预算数 and the form's own rate overstates the
    year's progress twice over. A period budget below 年初预算数 otherwise reads as a cut: the lenient
    reading (if it were a part of the year the share would be lower still)."""
    total = _total(form)
    if total is None:
        return None
    spent, initial, period = total.number("spent"), total.number("budget_initial"), total.number("budget_period")
    if spent is None:
        return None
    budget, label = (period, "跟踪期预算数") if period else (initial, "年初预算数")
    if period and initial and period < initial and abs(period / initial - due / 100) <= s["execution.pro_rata_tolerance"]:
        budget, label = initial, "年初预算数"
    if not budget or budget <= 0:
        return None
    share = 100 * spent / budget
    if share < s["execution.lag_share"] * due and due - share >= s["execution.lag_min_points"]:
        return share, budget, label, (due - share) / 100 * budget
    return None


def _due_plan(ind: Indicator, in_progress: bool) -> bool:
    """Something of this row was due by the period's end, so a word saying it has not started (or,
    for `in_progress`, is only under way) means it lags."""
    plan = ind.plan
    if plan is None:
        return not in_progress
    if plan.number is not None:
        return plan.number > 0
    if in_progress:
        return bool(_COMPLETION.search(norm(plan.raw)))
    word = norm(plan.raw)
    return plan.kind != "date" and not any(w in word for w in _NOT_STARTED + _IN_PROGRESS)


def _output_lag(ind: Indicator, s: Settings, due: float | None) -> str | None:
    """How an 产出指标 row lags behind its period plan, in words for the message; None if it does not."""
    if ind.level1 != "产出指标" or ind.actual is None:
        return None
    actual = ind.actual
    if actual.number is None:
        word = norm(actual.raw)
        started = not any(w in word for w in _NOT_STARTED)
        if not started and _due_plan(ind, False) or started and any(w in word for w in _IN_PROGRESS) and _due_plan(ind, True):
            return f"“{ind.name}”填报“{actual.raw}”"
        return None
    target = ind.target
    if ind.level2 != "数量指标" or target is None or target.number is None or target.op not in (None, "=", "≥", ">"):
        return None
    if ind.plan is not None and ind.plan.number is not None:
        ref, of = ind.plan.number, f"跟踪期计划 {ind.plan.raw}"
    elif ind.plan is None and due is not None and target.unit != "%":
        ref, of = target.number * due / 100, f"年度指标 {target.raw} 按时间进度约 {target.number * due / 100:.0f}"
    else:
        return None
    if ref <= 0 or (actual.unit and target.unit and actual.unit != target.unit):
        return None
    if actual.number < s["execution.output_share"] * ref:
        return f"“{ind.name}”仅完成 {actual.raw}（{of}）"
    return None


@form_check(LAG)
def execution_lag(form: Form, s: Settings) -> Iterator[Finding]:
    j = form.judgement
    if form.form_type != FormType.tracking or j is None or _explained(form, s):
        return
    budget_certain, goal_certain = _certain(j.budget_completion), _certain(j.goal_completion)
    if not budget_certain and not goal_certain:
        return
    due = _elapsed(form)
    money = _money_lag(form, s, due) if budget_certain and due is not None else None
    outputs = [(ind, why) for ind in form.indicators if (why := _output_lag(ind, s, due))] if goal_certain else []
    if money is None and not outputs:
        return
    parts, judged = [], []
    month = f"{int(form.period_end[5:7])}月底" if due is not None else "跟踪期末"
    if money:
        share, budget, label, short = money
        parts.append(f"截至{month}（时间进度 {due:.0f}%）预算仅执行 {share:.1f}%（{_total(form).number('spent'):g} / "
                     f"{label} {budget:g} 万元，比时间进度少执行约 {short:,.2f} 万元）")
        judged.append("年度预算")
    if outputs:
        parts.append("、".join(why for _, why in outputs[:3]) + (f"等 {len(outputs)} 项产出" if len(outputs) > 3 else ""))
        judged.append("绩效目标")
    severity = "high" if money and (money[3] >= s["execution.lag_high_wan"] or outputs) else "medium"
    said = (f"纠偏措施（“{form.corrective_measures}”）未说明如何追赶进度" if form.corrective_measures else "未填写纠偏措施")
    message = f"{form.project_name}：{'；'.join(parts)}，却判断{'和'.join(judged)}“确定能完成”，{said}。"
    yield finding(form, LAG, severity, message, _lag_evidence(form, money, outputs, due), form.period_end)


def _lag_evidence(form: Form, money, outputs, due) -> list[Evidence]:
    lines = form.lines
    ev = []
    if form.period_end:
        ev.append(where(form, "跟踪时段", f"{form.period_start or '?'}至{form.period_end}", due, lines.get("period")))
    if money:
        total = _total(form)
        for col, label in (("budget_initial", "年初预算数"), ("budget_period", "跟踪期预算数"),
                           ("spent", "跟踪期执行数"), ("execution_rate", "执行率(%)")):
            if col in total.values:
                ev.append(where(form, f"{total.item} {label}", _raw(total, col), total.number(col), total.line))
        ev.append(where(form, "年度项目预算完成可能性", form.judgement.budget_completion,
                        line=lines.get("judgement_budget") or lines.get("judgement")))
    for ind, _ in outputs:
        ev.extend(ind_evidence(form, ind, "target", "plan", "actual", "deviation"))
    if outputs:
        ev.append(where(form, "年度绩效目标完成可能性", form.judgement.goal_completion,
                        line=lines.get("judgement_goal") or lines.get("judgement")))
    ev.append(where(form, "纠偏措施", form.corrective_measures or "（未填）",
                    line=lines.get("corrective_measures") or lines.get("judgement")))
    return ev


# --- funds.budget_cut_inflates_rate -------------------------------------------------------------

_GRADE = {3: "优", 2: "良", 1: "合格", 0: "不合格"}


def _grade(total: float, s: Settings) -> str:
    return _GRADE[grade_level(total, s)]


@form_check(CUT)
def budget_cut_inflates_rate(form: Form, s: Settings) -> Iterator[Finding]:
    if form.form_type != FormType.self_evaluation:
        return
    total = _total(form)
    if total is None:
        return
    initial, annual = total.number("budget_initial"), total.number("budget_annual")
    spent, rate = total.number("spent"), total.number("execution_rate")
    if None in (initial, annual, spent, rate) or initial <= 0 or annual <= 0 or annual >= initial:
        return
    cut = initial - annual
    if annual > s["execution.cut_max_ratio"] * initial or cut < s["execution.cut_min_wan"]:
        return
    on_cut, on_initial = 100 * spent / annual, 100 * spent / initial
    # The reported rate is the one on the cut budget (not the honest one on 年初预算数) …
    if abs(rate - on_cut) >= abs(rate - on_initial):
        return
    # … and it reads much higher than what was spent of the request.
    gap = rate - on_initial
    if gap < s["execution.cut_min_points"]:
        return
    consequence, grade_changes = "", False
    weight = form.funds.weight
    if weight:
        points = (min(rate, 100) - min(on_initial, 100)) / 100 * weight
        consequence = f"，资金得分因此多得 {points:.2f} 分"
        if form.total_score is not None:
            was, would = _grade(form.total_score, s), _grade(form.total_score - points, s)
            if was != would:
                grade_changes = True
                consequence += f"，总分按年初预算计为 {form.total_score - points:.2f}，评分等级应为“{would}”而非“{was}”"
    high = grade_changes or (cut >= s["execution.cut_high_wan"] and gap >= s["execution.cut_high_points"])
    message = (f"{form.project_name}：全年预算数由年初 {initial:,.2f} 万元调减至 {annual:,.2f} 万元（减少 {cut:,.2f} 万元，"
               f"{100 * cut / initial:.0f}%），执行率按调减后预算计为 {rate:g}%，按年初预算仅 {on_initial:.2f}%{consequence}。")
    label = lambda col: form.funds.columns.get(col, col)  # noqa: E731
    evidence = [where(form, f"{total.item} {label(c)}", _raw(total, c), total.number(c), total.line)
                for c in ("budget_initial", "budget_annual", "spent", "execution_rate") if c in total.values]
    evidence.append(where(form, "按年初预算数计的执行率(%)", f"{spent:g} ÷ {initial:g}", round(on_initial, 2), total.line))
    if form.total_score is not None and weight:
        evidence.append(where(form, "总分", None, form.total_score, form.lines.get("total_score")))
    yield finding(form, CUT, "high" if high else "medium", message, evidence, total.key)
