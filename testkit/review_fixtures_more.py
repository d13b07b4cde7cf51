"""Plants and look-alikes of the remaining within-form codes (see testkit/review_fixtures.py).

funds.rows_mismatch, funds.indicator_rate_contradiction, tracking.optimistic_judgement,
indicator.misplaced (goal.annual_copies_overall and goal.actual_unresponsive: testkit/review_fixtures_goal.py).
The positives are what a reviewer would flag, the look-alikes what a reviewer would let pass,
whatever the checks do.
"""

from __future__ import annotations

import re

from testkit.review_fixtures import Plant, _rows, _total_row, _v, rng_for
from jixiao.forms.models import Form, FormType, FundsValue

# --- funds.rows_mismatch ------------------------------------------------------------------------

def _money_cols(form: Form) -> list[str]:
    return [c for c in ("amount", "budget_initial", "budget_annual", "budget_period", "spent") if form.funds and c in form.funds.columns]


def _raw(form: Form, wan: float) -> str:
    return f"{wan * 10000:,.2f}" if form.funds.original_unit == "元" else f"{wan:.2f}"


def _set(form: Form, row, col: str, wan: float) -> None:
    row.values[col] = FundsValue(raw=_raw(form, wan), value=round(wan, 6))


def _row(form: Form, key: str):
    return next((r for r in form.funds.rows if r.key == key), None) if form.funds else None


def _funded(form: Form):
    """(total row, fiscal row, a money column both fill with a positive amount) or None."""
    total, fiscal = _total_row(form), _row(form, "fiscal")
    if total is None or fiscal is None:
        return None
    cols = [c for c in _money_cols(form) if (total.values.get(c) and total.values[c].value)
            and fiscal.values.get(c) and fiscal.values[c].value is not None]
    return (total, fiscal, cols[-1]) if cols else None


def part_mistyped(form: Form) -> str | None:
    found = _funded(form)
    if found is None:
        return None
    _, fiscal, col = found
    v = fiscal.values[col].value
    _set(form, fiscal, col, v * 1.1 if v >= 1 else v + 1)  # a digit wrong: the parts no longer add up
    return form.project_name


def total_mistyped(form: Form) -> str | None:
    found = _funded(form)
    if found is None:
        return None
    total, _, col = found
    v = total.values[col].value
    _set(form, total, col, v - (1.0 if v > 2 else v / 2))
    return form.project_name


def carryover_added(form: Form) -> str | None:
    """上年结转资金 filled in, 年度资金总额 left as it was."""
    found = _funded(form)
    carry = _row(form, "carryover")
    if found is None or carry is None:
        return None
    total, _, col = found
    had = carry.values.get(col).value if carry.values.get(col) and carry.values[col].value else 0.0
    _set(form, carry, col, had + (round(total.values[col].value * 0.2, 2) or 1.0))
    return form.project_name


def money_moved(form: Form) -> str | None:
    """Part of the fiscal money is carried over from last year: the parts change, the total does not."""
    found = _funded(form)
    carry = _row(form, "carryover")
    if found is None or carry is None or not found[1].values[found[2]].value:
        return None
    _, fiscal, col = found
    v, c = fiscal.values[col].value, (carry.values.get(col).value if carry.values.get(col) else 0) or 0
    moved = round(v * 0.3, 2)
    _set(form, fiscal, col, v - moved)
    _set(form, carry, col, c + moved)
    return form.project_name


def amounts_rewritten(form: Form) -> str | None:
    """The same amounts with other separators and decimals (3,013.00 / 3013 / 3013.0)."""
    if not form.funds:
        return None
    touched = False
    for row in form.funds.rows:
        for col in _money_cols(form):
            fv = row.values.get(col)
            if fv and fv.value is not None:
                n = fv.value * 10000 if form.funds.original_unit == "元" else fv.value
                fv.raw = f"{n:,.2f}" if "," not in fv.raw else f"{n:.1f}"
                touched = True
    return form.project_name if touched else None


# --- funds.indicator_rate_contradiction ---------------------------------------------------------

_RATE_ROW = re.compile(r"预算执行率|资金执行率")


def _rate_row(form: Form):
    if form.form_type == FormType.declaration or not form.funds or form.funds.execution_rate is None:
        return None
    return next((i for i in _rows(form, lambda i: _RATE_ROW.search(i.name) and i.actual is not None)), None)


def rate_row_from_target(form: Form) -> str | None:
    """The row reports its target (≥90.00(%) → 90.00(%)) whatever was spent."""
    ind = _rate_row(form)
    if ind is None or not ind.target or ind.target.number is None or abs(ind.target.number - form.funds.execution_rate) < 3:
        return None
    ind.actual = _v(f"{ind.target.number:.2f}(%)")
    return ind.name


def rate_row_full(form: Form) -> str | None:
    ind = _rate_row(form)
    if ind is None or form.funds.execution_rate > 97:
        return None
    ind.actual = _v("100.00(%)")
    return ind.name


def nothing_spent(form: Form) -> str | None:
    """劳动监察业务经费: 0.00 executed, the row still reports its rate."""
    ind = _rate_row(form)
    if ind is None or ind.actual.number is None or ind.actual.number < 5:
        return None
    for row in form.funds.rows:
        for col in ("spent", "execution_rate"):
            if col in row.values:
                row.values[col] = FundsValue(raw="0.00", value=0.0)
    form.funds.execution_rate = 0.0
    return ind.name


def rate_row_rounded(form: Form) -> str | None:
    ind = _rate_row(form)
    if ind is None:
        return None
    ind.actual = _v(f"{round(form.funds.execution_rate):.0f}%")
    return ind.name


def rate_row_same(form: Form) -> str | None:
    ind = _rate_row(form)
    if ind is None:
        return None
    ind.actual = _v(f"{form.funds.execution_rate:.2f}(%)")
    return ind.name


# --- tracking.optimistic_judgement --------------------------------------------------------------

def _tracked(form: Form):
    if form.form_type != FormType.tracking or not form.judgement or not form.period_end or _total_row(form) is None:
        return None
    months = int(form.period_end[5:7]) - (int(form.period_start[5:7]) - 1 if form.period_start else 0)
    return 100 * months / 12


def _set_rate(form: Form, rate: float, judgement: str) -> str:
    total = _total_row(form)
    budget = total.values.get("budget_period") or total.values.get("budget_initial")
    if budget and budget.value:
        total.values["spent"] = FundsValue(raw=f"{budget.value * rate / 100:.2f}", value=round(budget.value * rate / 100, 2))
    total.values["execution_rate"] = FundsValue(raw=f"{rate:.2f}", value=round(rate, 2))
    form.funds.execution_rate = round(rate, 2)
    form.judgement.budget_completion = judgement
    return form.project_name


def behind_but_certain(form: Form) -> str | None:
    due = _tracked(form)
    return None if due is None else _set_rate(form, due * rng_for(form, "behind").uniform(0.05, 0.6), "确定能完成")


def nothing_spent_but_certain(form: Form) -> str | None:
    return None if _tracked(form) is None else _set_rate(form, 0.0, "确定能完成")


def slightly_behind(form: Form) -> str | None:
    due = _tracked(form)
    return None if due is None else _set_rate(form, due * rng_for(form, "slight").uniform(0.8, 0.98), "确定能完成")


def behind_and_says_so(form: Form) -> str | None:
    due = _tracked(form)
    return None if due is None else _set_rate(form, due * rng_for(form, "honest").uniform(0.05, 0.6), "有可能完成")


def ahead_and_certain(form: Form) -> str | None:
    due = _tracked(form)
    return None if due is None else _set_rate(form, min(100.0, due * rng_for(form, "ahead").uniform(1.0, 1.4)), "确定能完成")


def early_in_the_year(form: Form) -> str | None:
    """Tracked over January–April: 28% spent is on schedule."""
    if _tracked(form) is None:
        return None
    form.period_start, form.period_end = f"{form.year}-01", f"{form.year}-04"
    return _set_rate(form, 100 * 4 / 12 * rng_for(form, "early").uniform(0.8, 1.1), "确定能完成")


# --- indicator.misplaced ------------------------------------------------------------------------

def _move(form: Form, pred, level1: str, level2: str, salt: str) -> str | None:
    rows = [i for i in _rows(form, pred) if (i.level1, i.level2) != (level1, level2)]
    if not rows:
        return None
    ind = rows[rng_for(form, salt).randrange(len(rows))]
    ind.level1, ind.level2, ind.level1_raw, ind.level2_raw, ind.notes = level1, level2, level1, level2, []
    return ind.name


def satisfaction_as_output(form: Form) -> str | None:
    return _move(form, lambda i: i.level1 == "满意度指标" and "满意" in i.name, "产出指标", "数量指标", "sat")


def execution_rate_as_benefit(form: Form) -> str | None:
    return _move(form, lambda i: "预算执行率" in i.name, "效益指标", "社会效益指标", "rate")


def execution_rate_as_quantity(form: Form) -> str | None:
    return _move(form, lambda i: "预算执行率" in i.name, "产出指标", "数量指标", "rate-q")


def timeliness_as_quality(form: Form) -> str | None:
    return _move(form, lambda i: i.level2 == "时效指标" and re.search(r"及时|时间", i.name), "产出指标", "质量指标", "time")


def mechanism_as_satisfaction(form: Form) -> str | None:
    return _move(form, lambda i: i.level2 == "可持续影响指标", "满意度指标", "服务对象满意度指标", "mech")


def cost_as_output(form: Form) -> str | None:
    return _move(form, lambda i: i.level1 == "成本指标" and "预算执行率" not in i.name, "产出指标", "数量指标", "cost")


def quantity_as_benefit(form: Form) -> str | None:
    """An output count (培训班开展班次) filed as a social benefit. Counts of people (慰问人数, 参加见习人数)
    are left out since issue 11: under 效益 they are honest outcome measures, not misfilings."""
    return _move(form, lambda i: i.level2 == "数量指标" and i.target and i.target.unit not in (None, "%")
                 and not i.name.endswith(("人数", "人次")), "效益指标", "社会效益指标", "qty")


def _rename(form: Form, pred, name: str, target: str | None, salt: str) -> str | None:
    rows = _rows(form, pred)
    if not rows:
        return None
    ind = rows[rng_for(form, salt).randrange(len(rows))]
    ind.name, ind.notes = name, []
    if target:
        ind.target = _v(target)
    return name


def survey_count(form: Form) -> str | None:
    """满意度调查开展次数 is an output count, rightly under 数量指标."""
    return _rename(form, lambda i: i.level1 == "产出指标" and i.level2 == "数量指标", "满意度调查开展次数", "=2.00(次)", "survey")


def survey_report_on_time(form: Form) -> str | None:
    return _rename(form, lambda i: i.level1 == "产出指标" and i.level2 == "时效指标", "满意度测评报告提交及时性", "及时", "report")


def complaints_on_time(form: Form) -> str | None:
    return _rename(form, lambda i: i.level1 == "产出指标" and i.level2 == "时效指标", "投诉处理及时率", "=100.00(%)", "complaint")


def praise_rate(form: Form) -> str | None:
    """服务对象好评率: a satisfaction measure that does not say 满意."""
    return _rename(form, lambda i: i.level1 == "满意度指标", "服务对象好评率", "≥90.00(%)", "praise")


PLANTS = [
    Plant("funds.rows_mismatch", True, "当年财政拨款 mistyped", part_mistyped),
    Plant("funds.rows_mismatch", True, "年度资金总额 mistyped", total_mistyped),
    Plant("funds.rows_mismatch", True, "上年结转资金 added, total unchanged", carryover_added),
    Plant("funds.rows_mismatch", False, "money moved from 财政拨款 to 结转, total unchanged", money_moved),
    Plant("funds.rows_mismatch", False, "amounts rewritten (separators, decimals)", amounts_rewritten),
    Plant("funds.indicator_rate_contradiction", True, "预算执行率 row reports its target", rate_row_from_target),
    Plant("funds.indicator_rate_contradiction", True, "预算执行率 row reports 100%", rate_row_full),
    Plant("funds.indicator_rate_contradiction", True, "nothing spent, the row keeps its rate", nothing_spent),
    Plant("funds.indicator_rate_contradiction", False, "row = funds rate rounded to an integer", rate_row_rounded),
    Plant("funds.indicator_rate_contradiction", False, "row = funds rate", rate_row_same),
    Plant("tracking.optimistic_judgement", True, "5–60% of time progress spent, 确定能完成", behind_but_certain),
    Plant("tracking.optimistic_judgement", True, "nothing spent, 确定能完成", nothing_spent_but_certain),
    Plant("tracking.optimistic_judgement", False, "80–98% of time progress, 确定能完成", slightly_behind),
    Plant("tracking.optimistic_judgement", False, "far behind, judged 有可能完成", behind_and_says_so),
    Plant("tracking.optimistic_judgement", False, "ahead of time progress, 确定能完成", ahead_and_certain),
    Plant("tracking.optimistic_judgement", False, "January–April, on schedule", early_in_the_year),
    Plant("indicator.misplaced", True, "满意度 row under 产出/数量", satisfaction_as_output),
    Plant("indicator.misplaced", True, "预算执行率 under 效益/社会效益", execution_rate_as_benefit),
    Plant("indicator.misplaced", True, "预算执行率 under 产出/数量", execution_rate_as_quantity),
    Plant("indicator.misplaced", True, "时效 row under 产出/质量", timeliness_as_quality),
    Plant("indicator.misplaced", True, "可持续影响 row under 满意度", mechanism_as_satisfaction),
    Plant("indicator.misplaced", True, "成本 row under 产出/数量", cost_as_output),
    Plant("indicator.misplaced", True, "数量 row under 效益/社会效益", quantity_as_benefit),
    Plant("indicator.misplaced", False, "满意度调查开展次数 under 数量", survey_count),
    Plant("indicator.misplaced", False, "满意度测评报告提交及时性 under 时效", survey_report_on_time),
    Plant("indicator.misplaced", False, "投诉处理及时率 under 时效", complaints_on_time),
    Plant("indicator.misplaced", False, "服务对象好评率 under 满意度", praise_rate),
]
