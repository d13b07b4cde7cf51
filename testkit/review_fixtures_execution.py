"""Plants and look-alikes of tracking.execution_lag and funds.budget_cut_inflates_rate (issue 11).

Written as a reviewer would label them, before the thresholds in settings.toml [execution] were
chosen. A tracking form far behind the year (money or outputs) that still says 确定能完成 without a
纠偏措施 is a finding; one that is only slightly behind, early in the year, or behind and saying so
(有可能完成, a 纠偏措施 that says how it will catch up) is not. A self-evaluation whose budget was cut
by a quarter or more (at least 10 万元) and whose 执行率 is computed on the cut budget is a finding;
an honest cut (rate on 年初预算数), a budget raised during the year, a cut of a few per cent, a cut of
a budget of a few 万元, or a cut budget left unspent is not.

`REAL_LABELS`: what the two checks report (or could report) on the unchanged samples.
"""

from __future__ import annotations

from testkit.review_fixtures import Plant, _rows, _total_row, _v, rng_for
from testkit.review_real import SE, TRACK, _L
from jixiao.forms.models import Form, FormType, FundsValue

LAG, CUT = "tracking.execution_lag", "funds.budget_cut_inflates_rate"
CERTAIN, POSSIBLE = "确定能完成", "有可能完成"
CATCH_UP = "受项目招标进度影响，服务合同已于8月签订，首笔款项于9月支付，其余款项按进度于11月底前支付完毕。"


def _fv(x: float) -> FundsValue:
    return FundsValue(raw=f"{x:,.2f}", value=round(x, 2))


# --- tracking: money ----------------------------------------------------------------------------

def _tracked(form: Form):
    """(total row, the year's elapsed share in %) of a tracking form with a period and a judgement."""
    if form.form_type != FormType.tracking or not form.judgement or not form.period_end:
        return None
    total = _total_row(form)
    if total is None or not any((total.values.get(c) and total.values[c].value) for c in ("budget_period", "budget_initial")):
        return None
    return total, 100 * int(form.period_end[5:7]) / 12


def _spend(form: Form, share_of_due: float, budget: str | None = CERTAIN, corrective: str | None = None) -> str | None:
    """Spent = `share_of_due` × the time elapsed, of the budget in force (跟踪期预算数)."""
    found = _tracked(form)
    if found is None:
        return None
    total, due = found
    b = total.values.get("budget_period") or total.values.get("budget_initial")
    if not b or not b.value:
        return None
    spent = b.value * due * share_of_due / 100
    total.values["spent"], total.values["execution_rate"] = _fv(spent), _fv(100 * spent / b.value)
    form.funds.execution_rate = round(100 * spent / b.value, 2)
    form.judgement.budget_completion = budget
    form.corrective_measures = corrective
    return form.project_name


def far_behind_certain(form: Form) -> str | None:
    """A fifth of the budget after two thirds of the year (5–45% of time progress), 确定能完成."""
    return _spend(form, rng_for(form, "lag-far").uniform(0.05, 0.45))


def nothing_spent_certain(form: Form) -> str | None:
    return _spend(form, 0.0)


def _initial(total) -> float | None:
    v = total.values.get("budget_initial")
    return v.value if v and v.value else None


def pro_rata_period_budget(form: Form) -> str | None:
    """跟踪期预算数 is the period's share of 年初预算数 (2,500 → 1,250 by June): a 30% rate is 15% of the year."""
    found = _tracked(form)
    if found is None or not _initial(found[0]):
        return None
    total, due = found
    initial = _initial(total)
    period_budget = initial * due / 100
    spent = initial * due / 100 * rng_for(form, "lag-prorata").uniform(0.1, 0.45)
    total.values["budget_period"], total.values["spent"] = _fv(period_budget), _fv(spent)
    total.values["execution_rate"] = _fv(100 * spent / period_budget)
    form.funds.execution_rate = round(100 * spent / period_budget, 2)
    form.judgement.budget_completion, form.corrective_measures = CERTAIN, None
    return form.project_name


def slightly_behind(form: Form) -> str | None:
    return _spend(form, rng_for(form, "lag-slight").uniform(0.75, 0.98))


def behind_says_possible(form: Form) -> str | None:
    return _spend(form, rng_for(form, "lag-possible").uniform(0.05, 0.45), budget=POSSIBLE)


def behind_with_corrective(form: Form) -> str | None:
    return _spend(form, rng_for(form, "lag-corrective").uniform(0.05, 0.45), corrective=CATCH_UP)


def early_in_the_year(form: Form) -> str | None:
    """Tracked over January–March: a tenth of the budget spent in the first quarter is usual."""
    if _tracked(form) is None:
        return None
    form.period_start, form.period_end = f"{form.year}-01", f"{form.year}-03"
    return _spend(form, rng_for(form, "lag-early").uniform(0.3, 0.6))


# --- tracking: outputs --------------------------------------------------------------------------

def _count_row(form: Form):
    """An 产出/数量 row with a numeric floor target (=, ≥, >) on a tracking form with a judgement."""
    if form.form_type != FormType.tracking or not form.judgement:
        return None
    return next(iter(_rows(form, lambda i: i.level1 == "产出指标" and i.level2 == "数量指标" and i.target
                           and i.target.kind == "numeric" and i.target.op in (None, "=", "≥", ">")
                           and i.target.number and i.target.number > 0)), None)


def _plan_of(ind) -> float:
    return ind.plan.number if ind.plan is not None and ind.plan.number else ind.target.number


def _output(form: Form, share: float | None, actual: str | None = None, goal: str = CERTAIN, plan: str | None = None) -> str | None:
    ind = _count_row(form)
    if ind is None:
        return None
    ref = _plan_of(ind)
    ind.plan = _v(plan if plan is not None else f"{ref:.2f}")
    ind.actual = _v(actual if actual is not None else f"{ref * share:.2f}".rstrip("0").rstrip("."))
    ind.deviation = None
    form.judgement.goal_completion, form.corrective_measures = goal, None
    return ind.name


def one_of_five(form: Form) -> str | None:
    """A count at 10–40% of its period plan (1 of 5), goal 确定能完成."""
    return _output(form, rng_for(form, "out-low").uniform(0.1, 0.4))


def count_in_progress(form: Form) -> str | None:
    """A count row reported 开展中 / 进行中 against a period plan of N, goal 确定能完成."""
    return _output(form, None, actual=rng_for(form, "out-prog").choice(["开展中", "进行中", "正在开展中"]))


def output_not_started(form: Form) -> str | None:
    """An output reported 未开始 / 尚未开展 / 筹备中 where something was due, goal 确定能完成."""
    if form.form_type != FormType.tracking or not form.judgement:
        return None
    rows = [i for i in _rows(form, lambda i: i.level1 == "产出指标" and i.level2 in ("数量指标", "质量指标"))
            if i.plan is None or (i.plan.number or 0) > 0 or i.plan.kind == "qualitative"]
    if not rows:
        return None
    ind = rows[0]
    ind.actual = _v(rng_for(form, "out-none").choice(["未开始", "尚未开展", "筹备中", "未启动"]))
    ind.deviation = None
    form.judgement.goal_completion, form.corrective_measures = CERTAIN, None
    return ind.name


def output_slightly_below(form: Form) -> str | None:
    return _output(form, rng_for(form, "out-slight").uniform(0.8, 0.95))


def one_of_five_says_possible(form: Form) -> str | None:
    return _output(form, rng_for(form, "out-possible").uniform(0.1, 0.4), goal=POSSIBLE)


def output_not_due(form: Form) -> str | None:
    """Nothing planned for the period (跟踪期计划完成值 0), nothing done yet."""
    return _output(form, None, actual="0", plan="0")


def ongoing_service(form: Form) -> str | None:
    """A continuous service planned 持续开展 for the period and reported 持续开展中."""
    if form.form_type != FormType.tracking or not form.judgement:
        return None
    rows = _rows(form, lambda i: i.level1 == "产出指标" and i.target and i.target.kind != "numeric")
    if not rows:
        return None
    ind = rows[0]
    ind.plan, ind.actual, ind.deviation = _v("持续开展"), _v("持续开展中"), None
    form.judgement.goal_completion, form.corrective_measures = CERTAIN, None
    return ind.name


# --- self-evaluation: a cut budget --------------------------------------------------------------

def _se_total(form: Form):
    if form.form_type != FormType.self_evaluation:
        return None
    total = _total_row(form)
    if total is None or not all(c in total.values for c in ("budget_initial", "spent", "execution_rate")):
        return None
    b = total.values.get("budget_annual")
    return total if b and b.value and b.value > 0 else None


def _budgets(form: Form, initial: float, annual: float, spent: float, rate_on: str) -> str:
    total = _total_row(form)
    rate = 100 * spent / (annual if rate_on == "annual" else initial)
    for col, v in (("budget_initial", initial), ("budget_annual", annual), ("spent", spent), ("execution_rate", rate)):
        total.values[col] = _fv(v)
    form.funds.execution_rate = round(rate, 2)
    if form.funds.weight:
        form.funds.score = round(min(rate, 100) / 100 * form.funds.weight, 2)
        if "score" in total.values:
            total.values["score"] = _fv(form.funds.score)
    return form.project_name


def _cut(form: Form, ratio: tuple[float, float], spent_share: tuple[float, float], rate_on: str, salt: str) -> str | None:
    total = _se_total(form)
    if total is None:
        return None
    rng = rng_for(form, salt)
    annual = total.values["budget_annual"].value
    initial = annual / rng.uniform(*ratio)
    if initial - annual < 10:  # a cut a reviewer counts in money: 10 万元 or more
        return None
    return _budgets(form, initial, annual, annual * rng.uniform(*spent_share), rate_on)


def cut_rate_on_cut(form: Form) -> str | None:
    """A quarter to a half cut, nearly all the rest spent, 执行率 on the cut budget (≈ 95–100%)."""
    return _cut(form, (0.5, 0.75), (0.93, 1.0), "annual", "cut")


def halved_rate_on_cut(form: Form) -> str | None:
    """Half or more cut, 75–90% of the rest spent: 37% of the request reported as 77%."""
    return _cut(form, (0.3, 0.5), (0.75, 0.9), "annual", "halved")


def honest_cut(form: Form) -> str | None:
    """The same cut, 执行率 reported on 年初预算数."""
    return _cut(form, (0.5, 0.75), (0.93, 1.0), "initial", "honest")


def raised_budget(form: Form) -> str | None:
    total = _se_total(form)
    if total is None:
        return None
    rng = rng_for(form, "raised")
    annual = total.values["budget_annual"].value
    return _budgets(form, annual * rng.uniform(0.5, 0.9), annual, annual * rng.uniform(0.93, 1.0), "annual")


def small_cut(form: Form) -> str | None:
    """3–10% cut (征地养老费用: 17,357 → 16,507 万元)."""
    total = _se_total(form)
    if total is None:
        return None
    rng = rng_for(form, "small")
    annual = total.values["budget_annual"].value
    return _budgets(form, annual / rng.uniform(0.9, 0.97), annual, annual * rng.uniform(0.93, 1.0), "annual")


def tiny_budget_cut(form: Form) -> str | None:
    """A third of a budget of a few 万元 (1–3 万元) cut, the rest spent."""
    if _se_total(form) is None:
        return None
    rng = rng_for(form, "tiny")
    cut = rng.uniform(1, 3)
    annual = cut * rng.uniform(1.0, 3.0)
    return _budgets(form, annual + cut, annual, annual * rng.uniform(0.93, 1.0), "annual")


def cut_unspent(form: Form) -> str | None:
    """Cut by half and nothing spent (劳动监察业务经费: 10.50 → 5.50, 0.00)."""
    total = _se_total(form)
    if total is None:
        return None
    annual = total.values["budget_annual"].value
    return _budgets(form, annual * 2, annual, 0.0, "annual")


PLANTS: list[Plant] = [
    Plant(LAG, True, "5–45% of time progress spent, budget 确定能完成, no 纠偏措施", far_behind_certain),
    Plant(LAG, True, "nothing spent, budget 确定能完成", nothing_spent_certain),
    Plant(LAG, True, "period budget = the period's share of 年初预算数, 10–45% of time progress", pro_rata_period_budget),
    Plant(LAG, True, "a count at 10–40% of its period plan, goal 确定能完成", one_of_five),
    Plant(LAG, True, "a count reported 开展中 against a period plan, goal 确定能完成", count_in_progress),
    Plant(LAG, True, "an output 未开始/尚未开展/筹备中, goal 确定能完成", output_not_started),
    Plant(LAG, False, "75–98% of time progress, 确定能完成", slightly_behind),
    Plant(LAG, False, "far behind, budget judged 有可能完成", behind_says_possible),
    Plant(LAG, False, "far behind, 确定能完成 with a 纠偏措施 saying when it will be paid", behind_with_corrective),
    Plant(LAG, False, "January–March, 30–60% of time progress", early_in_the_year),
    Plant(LAG, False, "a count at 80–95% of its period plan", output_slightly_below),
    Plant(LAG, False, "a count at 10–40% of plan, goal judged 有可能完成", one_of_five_says_possible),
    Plant(LAG, False, "nothing planned for the period, nothing done", output_not_due),
    Plant(LAG, False, "a service planned 持续开展, reported 持续开展中", ongoing_service),
    Plant(CUT, True, "25–50% cut (≥ 10 万元), rate on the cut budget ≈ 95–100%", cut_rate_on_cut),
    Plant(CUT, True, "50–70% cut (≥ 10 万元), 75–90% of the rest spent, rate on the cut budget", halved_rate_on_cut),
    Plant(CUT, False, "25–50% cut, rate on 年初预算数", honest_cut),
    Plant(CUT, False, "budget raised during the year", raised_budget),
    Plant(CUT, False, "3–10% cut", small_cut),
    Plant(CUT, False, "a third of a few 万元 cut (1–3 万元)", tiny_budget_cut),
    Plant(CUT, False, "half cut, nothing spent", cut_unspent),
]

REAL_LABELS = [
    _L(CUT, "人才服务专项资金", SE, "34.00", "12.69",
       note="34.00 → 12.69 万元 (−63%): 97.79% on the cut budget, 36.50% of the request; 6 points of funds score"),
    _L(CUT, "机关事业单位退休人员管理活动费", SE, "112.03", "54.03",
       note="112.03 → 54.03 万元 (−52%): 77.12% on the cut budget, 37.20% of the request"),
    _L(CUT, "人事管理业务经费", SE, "75.53", "60.53", truth=None,
       note="75.53 → 60.53 万元 (−20%, 15 万元): 95.57% against 76.59%; the pattern, mildly"),
    _L(CUT, "征地养老费用", SE, "17,357.00", truth=False,
       note="−4.9% (850 万元) of 17,357: 98.22% against 93.41%, a routine adjustment"),
    _L(CUT, "劳动监察业务经费", SE, "10.50", truth=False, note="10.50 → 5.50 万元, nothing spent: no rate to inflate"),
    _L(LAG, "在职考核优秀行政奖励人员经费", TRACK, "43.97", truth=None,
       note="43.97% at 8/12 of the year (0.66 of time progress): behind, not far; 579 of a planned 500 served; "
            "tracking.optimistic_judgement reports it"),
    *[_L(LAG, p, TRACK, truth=False, note="100% or more spent, outputs at plan")
      for p in ("办公经费补贴", "残疾人就业保障金", "政府购买辅助服务")],
]
