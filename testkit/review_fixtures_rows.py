"""Plants and look-alikes of the checks across rows (review/checks_rows.py), and the labels of what
they report on the unchanged samples.

indicator.target_equals_actual, indicator.satisfaction_at_floor (within one form here; across a
unit's forms: rows_corpus_cases), indicator.row_contradiction. The positives are what a reviewer
would flag, the look-alikes what a reviewer would let pass (a project that honestly met its floor,
round plans met exactly, fewer outputs delivered on time) — written before the thresholds were chosen.

    from bench.eval_review import evaluate_cases, table
    from testkit.review_fixtures import form_cases
    from testkit.review_fixtures_rows import PLANTS, rows_corpus_cases
    print(table(evaluate_cases(list(form_cases(PLANTS, 60)) + list(rows_corpus_cases()))))
"""

from __future__ import annotations

import copy
import itertools
import re
from collections import defaultdict
from functools import lru_cache
from typing import Iterator

from testkit.review_fixtures import Case, Plant, _v, generated_forms, rng_for, sample_forms
from testkit.review_real import Label, _L
from jixiao.forms.models import Form, FormType, Indicator
from jixiao.review.evidence import normalise

TE, SF, RC = "indicator.target_equals_actual", "indicator.satisfaction_at_floor", "indicator.row_contradiction"
SE = "self_evaluation"


def _se(form: Form) -> bool:
    return form.form_type == FormType.self_evaluation


def _weighted(form: Form, pred=lambda i: True) -> list[Indicator]:
    return [i for i in form.indicators if i.name and i.weight and i.score is not None and pred(i)]


def _sat(i: Indicator) -> bool:
    return "满意" in i.name or i.level1 == "满意度指标"


def _budget(i: Indicator) -> bool:
    return "预算" in i.name or "执行率" in i.name


def _fmt(n: float, unit: str) -> str:
    return f"{n:,.2f}({unit})" if n >= 1000 else f"{n:.2f}({unit})"


def _set(ind: Indicator, name: str | None, target: str, actual: str, level2: str | None = None, full: bool = True) -> None:
    if name:
        ind.name = name
    if level2:
        ind.level1 = "满意度指标" if level2 == "服务对象满意度指标" else "产出指标" if level2 in ("数量指标", "质量指标", "时效指标") else ind.level1
        ind.level2 = level2
    ind.target, ind.actual, ind.notes = _v(target), _v(actual), []
    if full:
        ind.score, ind.deviation = ind.weight, None


def _slots(form: Form, n: int, salt: str, avoid=()) -> list[Indicator] | None:
    """n weighted rows of the form to rewrite (not its satisfaction or budget rows), in a fixed random order."""
    rows = _weighted(form, lambda i: not _sat(i) and not _budget(i) and i not in avoid)
    if len(rows) < n:
        return None
    return rng_for(form, salt).sample(rows, n)


def _rewrite(form: Form, salt: str, specs: list[tuple[str, str, str, str]], subject: str | None = None) -> str | None:
    """Rows of a self-evaluation rewritten as (name, target, actual, 二级指标), full marks; the subject,
    or the first rewritten row's name."""
    slots = _slots(form, len(specs), salt) if _se(form) else None
    if slots is None:
        return None
    for ind, spec in zip(slots, specs):
        _set(ind, *spec)
    return subject or specs[0][0]


# --- indicator.target_equals_actual -------------------------------------------------------------

COUNTS = [("培训服务人次", "人次"), ("举办招聘会场次", "场"), ("走访慰问困难家庭户数", "户"), ("受理政策咨询件数", "件"),
          ("发放宣传资料份数", "份"), ("开展入户核查次数", "次"), ("补贴发放人数", "人"), ("办理业务笔数", "笔")]
AMOUNTS = ["补贴发放金额", "慰问金发放金额", "培训补贴拨付金额", "场地租赁费用支出"]


def _odd(rng) -> int:
    """A count nobody plans: 1,286, 37, 214."""
    n = rng.choice((rng.randint(21, 99), rng.randint(101, 999), rng.randint(1001, 9999)))
    return n + 3 if n % 10 == 0 else n


def _counts(form: Form, exact: int, off: int = 0, op: str = "=", salt: str = "te") -> str | None:
    """`exact` count rows "=N → N" and `off` rows whose actual passes its target, on rewritten rows."""
    if not _se(form):
        return None
    slots = _slots(form, exact + off, salt)
    if slots is None:
        return None
    rng = rng_for(form, salt + "n")
    for k, ind in enumerate(slots):
        name, unit = COUNTS[k % len(COUNTS)]
        n = _odd(rng)
        got = n if k < exact else n + rng.randint(3, 40)
        _set(ind, name, f"{op}{_fmt(n, unit)}", _fmt(got, unit), "数量指标")
    return form.project_name


def three_counts_and_a_plan(form: Form) -> str | None:
    """=1,286 人次, =37 场, =214 户 and a round =40 班次, every one met to the digit."""
    if _counts(form, 3, salt="te3") is None:
        return None
    slots = _slots(form, 1, "te3p", avoid=[i for i in form.indicators if i.name in dict(COUNTS)])
    if slots is None:
        return None
    _set(slots[0], "培训班开展班次", "=40.00(班次)", "40.00(班次)", "数量指标")
    return form.project_name


def amounts_from_results(form: Form) -> str | None:
    rng = rng_for(form, "amtn")
    xs = [round(rng.uniform(20, 900), 2) for _ in range(3)]
    return _rewrite(form, "amt", [(n, f"={x:.2f}(万元)", f"{x:.2f}(万元)", "数量指标") for n, x in zip(AMOUNTS, xs)], form.project_name)


FULL_RATES = [("服务计划完成率", "=100.00(%)", "100.00(%)", "数量指标"), ("补贴发放覆盖率", "=100.00(%)", "100.00(%)", "数量指标"),
              ("人员到位率", "=100.00(%)", "100.00(%)", "数量指标"), ("有效投诉数量", "=0.00(起)", "0.00(起)", "社会效益指标")]
# Plans in round or small numbers, carried out as planned.
ROUND_PLANS = [("培训班开展班次", "=40.00(班次)", "40.00(班次)", "数量指标"), ("高龄老人慰问人数", "=2,000.00(人)", "2,000.00(人)", "数量指标"),
               ("事业单位公开招聘活动开展次数", "=2.00(次)", "2.00(次)", "数量指标"), ("信息平台建立数量", "=1.00(套)", "1.00(套)", "数量指标")]


# --- indicator.satisfaction_at_floor ------------------------------------------------------------

SAT_NAMES = [("服务对象抽样满意度", 90.0), ("参训人员满意度", 85.0), ("用人单位满意度", 80.0)]


def _sat_rows(form: Form) -> list[Indicator]:
    return [i for i in form.indicators if i.name and _sat(i) and i.target is not None and i.target.kind == "numeric"
            and i.target.op in ("≥", "=", None) and i.target.unit == "%" and 0 < i.target.number < 100]


def _at(ind: Indicator, above: float = 0.0) -> None:
    n = ind.target.number
    _set(ind, None, ind.target.raw, f"{min(100.0, n + above):.2f}(%)")


def _sat_form(form: Form, n: int, salt: str) -> list[Indicator] | None:
    """The form with at least n satisfaction rows with a floor (other rows made into ones when it has fewer)."""
    if not _se(form):
        return None
    rows = _sat_rows(form)
    if len(rows) < n:
        slots = _slots(form, n - len(rows), salt)
        if slots is None:
            return None
        have = {normalise(i.name) for i in rows}
        for ind, (name, floor) in zip(slots, [x for x in SAT_NAMES if normalise(x[0]) not in have]):
            _set(ind, name, f"≥{floor:.2f}(%)", f"{floor + 5:.2f}(%)", "服务对象满意度指标")
        rows = _sat_rows(form)
    return rows


def every_sat_row_at_floor(form: Form, n: int = 2) -> str | tuple[str, ...] | None:
    rows = _sat_form(form, n, f"sat{n}")
    if rows is None:
        return None
    for ind in rows:
        _at(ind)
    return tuple(i.name for i in rows[:2])


def one_sat_row_at_floor(form: Form) -> str | None:
    """One project meeting its floor exactly, its other satisfaction rows above: that happens honestly."""
    rows = _sat_form(form, 1, "sat1")
    if rows is None:
        return None
    _at(rows[0])
    for ind in rows[1:]:
        _at(ind, 4.0)
    return rows[0].name


def sat_just_above(form: Form) -> str | None:
    """92.3% against ≥90%: close to the floor, not on it."""
    rows = _sat_form(form, 2, "above")
    if rows is None:
        return None
    for ind in rows:
        _at(ind, 2.3)
    return rows[0].name


# 出席率 ≥90% → 90%, 结案率 ≥98% → 98%: rates at their floors, but no survey behind them.
OTHER_FLOORS = [("培训课程出席率", "≥90.00(%)", "90.00(%)", "质量指标"), ("案件结案率", "≥98.00(%)", "98.00(%)", "社会效益指标")]


# --- indicator.row_contradiction ----------------------------------------------------------------

_COUNT_SUFFIX = re.compile(r"(数量|人数|次数|场次|场数|班次|人次|个数|户数|家数|件数|完成率)$")


def _quantity(form: Form, percent: bool) -> Indicator | None:
    def fits(i: Indicator) -> bool:
        t, a = i.target, i.actual
        return (i.level2 == "数量指标" and t is not None and a is not None and t.kind == "numeric" and a.kind == "numeric"
                and t.op in ("=", "≥", None) and (t.number or 0) >= (100 if t.unit == "%" else 2)
                and (t.unit == "%") == percent and not re.search(r"投诉|事故", i.name))

    def alone(i: Indicator) -> bool:  # no other row of the form speaks of the same thing: the plant alone decides
        x = _obj(i)
        parts = {x[:2]} | {x[k:k + 3] for k in range(len(x) - 2)}
        return not any(p in o.name for o in form.indicators if o is not i and o.name for p in parts)
    rows = _weighted(form, lambda i: fits(i) and alone(i))
    return rows[0] if rows else None


def _short(form: Form, percent: bool = False, share: tuple[float, float] = (0.3, 0.7)) -> Indicator | None:
    """A 数量 row delivered well under its target, its points honestly lost and explained."""
    if not _se(form):
        return None
    q = _quantity(form, percent) or (None if percent else _quantity(form, True))
    if q is None:
        return None
    got = q.target.number * rng_for(form, "short").uniform(*share)
    got = round(got) if q.target.unit != "%" else round(got, 2)
    q.actual = _v(_fmt(got, q.target.unit) if q.target.unit else f"{got:.2f}")
    q.score = round(q.weight * got / q.target.number, 2)
    q.deviation = "受场地调整影响，部分内容延至次年一季度完成。"
    return q


def _obj(q: Indicator) -> str:
    return _COUNT_SUFFIX.sub("", q.name)


def _claim(form: Form, q: Indicator, name: str, target: str, actual: str, level2: str, full: bool = True) -> str | None:
    slots = _slots(form, 1, "claim", avoid=[q])
    if slots is None:
        return None
    _set(slots[0], name, target, actual, level2, full)
    if not full:
        slots[0].score = round(slots[0].weight * 0.6, 2)
        slots[0].deviation = "受场地调整影响，部分内容延至次年一季度完成。"
    return slots[0].name


def _pair(form: Form, suffix: str, target: str, actual: str | None, level2: str, full: bool = True, both: bool = False,
          share: tuple[float, float] = (0.3, 0.7), counts_only: bool = False):
    """A 数量 row well under its target beside a row named `<its object><suffix>` (or `suffix` itself when
    it starts with "=", another object); the actual None: the rate the count reached. `both`: the
    subject is the pair, else the second row."""
    q = _short(form, share=share)
    if q is None or counts_only and q.target.unit == "%":
        return None
    name = suffix[1:] if suffix.startswith("=") else f"{_obj(q)}{suffix}"
    if actual is None:
        actual = f"{100 * q.actual.number / q.target.number if q.target.unit != '%' else q.actual.number:.2f}(%)"
    c = _claim(form, q, name, target, actual, level2, full)
    return None if c is None else (q.name, c) if both else c


IMPROVEMENTS = ["业务办理效率提升率", "群众办事便利度提升幅度", "政策知晓率提高幅度", "服务对象获得感提升率"]


def _improvement(form: Form, target: str, actual: str, salt: str, full: bool = True) -> str | None:
    slots = _slots(form, 1, salt) if _se(form) else None
    if slots is None:
        return None
    name = IMPROVEMENTS[rng_for(form, salt).randrange(len(IMPROVEMENTS))]
    _set(slots[0], name, target, actual, "社会效益指标", full)
    if not full:
        slots[0].score, slots[0].deviation = 0.0, "服务流程调整尚在试运行，效果未显现。"
    return name


ZEROS = [("有效投诉数量", "=0.00(起)", "0.00(起)", "社会效益指标"), ("安全事故发生率", "=0.00(%)", "0.00(%)", "社会效益指标")]
COST_CAP = [("单位运行成本增长率", "≤5.00(%)", "0.00(%)", "经济成本指标")]  # no growth is the aim


PLANTS = [
    Plant(TE, True, "four odd counts =N → N", lambda f: _counts(f, 4)),
    Plant(TE, True, "three odd counts and a round plan, all to the digit", three_counts_and_a_plan),
    Plant(TE, True, "five of six odd counts to the digit", lambda f: _counts(f, 5, off=1, salt="te5")),
    Plant(TE, True, "three amounts in 万元 to the cent", amounts_from_results),
    Plant(TE, False, "=100% rates at 100%, zero complaints at 0", lambda f: _rewrite(f, "rates", FULL_RATES, f.project_name)),
    Plant(TE, False, "two of six odd counts to the digit, four passed", lambda f: _counts(f, 2, off=4, salt="two")),
    Plant(TE, False, "three of seven odd counts to the digit (registered populations), four passed",
          lambda f: _counts(f, 3, off=4, salt="three")),
    Plant(TE, False, "≥ floors met exactly (≥1,286 → 1,286)", lambda f: _counts(f, 4, op="≥", salt="floor")),
    Plant(TE, False, "round and small plans met (=40 班次, =2,000 人, =2 次, =1 套)", lambda f: _rewrite(f, "plans", ROUND_PLANS, f.project_name)),
    Plant(SF, True, "two satisfaction rows of one form, both at the floor", every_sat_row_at_floor),
    Plant(SF, True, "three satisfaction rows of one form, all at their floors", lambda f: every_sat_row_at_floor(f, 3)),
    Plant(SF, False, "one satisfaction row at its floor, the others above", one_sat_row_at_floor),
    Plant(SF, False, "satisfaction 2.3 points above the floor", sat_just_above),
    Plant(SF, False, "出席率 and 结案率 at their floors", lambda f: _rewrite(f, "rates-floor", OTHER_FLOORS)),
    Plant(RC, True, "a count at 30–70% of target, its 完成率 100% with full marks",
          lambda f: _pair(f, "完成率", "=100.00(%)", "100.00(%)", "数量指标", both=True, counts_only=True)),
    Plant(RC, True, "a count at 30–70% of target, its 完成及时性 reached with full marks",
          lambda f: _pair(f, "完成及时性", "及时", "达成指标", "时效指标", both=True)),
    Plant(RC, True, "提升率 0% under target 提升, full marks", lambda f: _improvement(f, "提升", "0.00(%)", "imp")),
    Plant(RC, True, "提高幅度 0 under target 有所提高, full marks", lambda f: _improvement(f, "有所提高", "0", "imp0")),
    Plant(RC, False, "a count short, another object's 完成率 100%", lambda f: _pair(f, "=财务档案资料归档完成率", "=100.00(%)", "100.00(%)", "质量指标")),
    Plant(RC, False, "a count short, its 完成率 short too and points lost", lambda f: _pair(f, "完成率", "=100.00(%)", None, "质量指标", full=False)),
    Plant(RC, False, "a count short, its 质量合格率 100%", lambda f: _pair(f, "质量合格率", "=100.00(%)", "100.00(%)", "质量指标")),
    Plant(RC, False, "a count at 90–97% of target, its 完成及时性 reached",
          lambda f: _pair(f, "完成及时性", "及时", "达成指标", "时效指标", share=(0.9, 0.97))),
    Plant(RC, False, "提升率 0% with the points lost and explained", lambda f: _improvement(f, "提升", "0.00(%)", "imp-lost", full=False)),
    Plant(RC, False, "zero complaints and accidents at zero", lambda f: _rewrite(f, "zero", ZEROS)),
    Plant(RC, False, "运行成本增长率 ≤5% at 0%", lambda f: _rewrite(f, "cost", COST_CAP)),
]


# --- indicator.satisfaction_at_floor across a unit's forms --------------------------------------

@lru_cache(maxsize=1)
def _unit_corpus() -> tuple[Form, ...]:
    """The samples and 120 generated forms (units of several projects), every satisfaction row that
    sat on its floor moved above it: each unit starts clean, so a plant alone makes its pattern."""
    forms = [copy.deepcopy(f) for f in sample_forms()] + [copy.deepcopy(f) for f in generated_forms(120)]
    for f in forms:
        for ind in _sat_rows(f) if _se(f) else ():
            if ind.actual is not None and ind.actual.kind == "numeric" and ind.actual.number == ind.target.number:
                _at(ind, 5.0)
    return tuple(forms)


def _units() -> dict[str, list[int]]:
    """unit → indices of its self-evaluations that have a satisfaction row with a floor."""
    out: dict[str, list[int]] = defaultdict(list)
    for k, f in enumerate(_unit_corpus()):
        if _se(f) and _sat_rows(f):
            out[normalise(f.unit)].append(k)
    return out


def _unit_case(positive: bool, describe: str, at_floor: list[int], above: float = 0.0) -> Case:
    base = list(_unit_corpus())
    changed = list(base)
    for k in at_floor:
        f = copy.deepcopy(base[k])
        _at(_sat_rows(f)[0], above)
        changed[k] = f
    subject = tuple(dict.fromkeys(base[k].project_name for k in at_floor))
    return Case(SF, positive, describe, "corpus", "rows-units", base, changed, subject)


def rows_corpus_cases() -> Iterator[Case]:
    """A unit's projects at the floor: two of a small unit, three of a large one (positives); one
    project, or two of a unit of ten or more, or all just above (look-alikes)."""
    for unit, ks in sorted(_units().items()):
        if len(ks) < 2:
            continue
        if len(ks) <= 4:
            for pair in itertools.combinations(ks, 2):
                yield _unit_case(True, "two projects of a unit of 2–4 at the floor", list(pair))
        else:
            for k in range(len(ks) - 2):
                yield _unit_case(True, "three projects of a unit of 5+ at the floor", ks[k:k + 3])
        if len(ks) >= 10:
            for k in range(len(ks) - 1):
                yield _unit_case(False, "two projects of a unit of 10+ at the floor", ks[k:k + 2])
        for k in ks:
            yield _unit_case(False, "one project of the unit at the floor, the others above", [k])
        yield _unit_case(False, "every project of the unit 2.3 points above the floor", ks, above=2.3)


# --- the samples' findings, labelled ------------------------------------------------------------

_PT = "上海市普陀区人力资源和社会保障局"
REAL_LABELS: list[Label] = [
    _L(SF, "就业创业主题活动、促进就业工作专项", SE, "就业服务群体满意度",
       note=f"≥80% → 80.00% with full marks; one of three {_PT} self-evaluations (of 15 with a floor) at exactly the floor"),
    _L(SF, "“靠谱职”就业服务信息化平台", SE, "平台使用者抽样满意度",
       note="≥90% → 90.00% with full marks, on a platform whose 上线 row says 平台尚未上线: whom were the users surveyed?"),
    _L(SF, "就业促进专项资金", SE, "补贴对象抽样满意度",
       note="≥90% → 90.00% with full marks (its 创业带动就业补贴人数 also lands on its floor, ≥500 → 500)"),
]
