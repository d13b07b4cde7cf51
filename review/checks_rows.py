"""Checks that read several indicator rows together: results written into the target column, satisfaction
that lands exactly on its floor again and again, and rows of one form that cannot all be true.

Each row alone looks fine; the pattern across rows (of a form, or of a unit's forms) is the finding.
Only self-evaluations are read: the year-end actual is the result that earns points, while a tracking
form's actual is an interim figure answering to the period's plan.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterator

from jixiao.forms.models import Form, FormType, Indicator, Value
from jixiao.review.catalogue import corpus_check, form_check
# NEGATIVE: quantities whose target is rightly zero (fewer is better), whose "0 met at 0" says nothing.
from jixiao.review.checks_indicator import NEGATIVE, PERCENT
from jixiao.review.evidence import finding, ind_evidence, normalise, shortfall, where
from jixiao.review.models import Finding
from jixiao.review.settings import Settings

# Calendar quantities met by the passing of the year: 365 天 of operation, 12 个月 of service.
_CALENDAR = {("天", 365.0), ("天", 366.0), ("日", 365.0), ("日", 366.0), ("月", 12.0), ("个月", 12.0), ("年", 1.0)}


def _self_eval(form: Form) -> bool:
    return form.form_type == FormType.self_evaluation


def _same_unit(t: Value, a: Value) -> bool:
    return not (t.unit and a.unit and t.unit != a.unit)


def _full_marks(ind: Indicator, s: Settings) -> bool:
    return ind.weight is not None and ind.score is not None and ind.weight > 0 and ind.score >= ind.weight - s["score.tolerance"]


def _fmt(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


# --- indicator.target_equals_actual -------------------------------------------------------------

def _exact_row(ind: Indicator) -> bool:
    """An "=" (or bare) numeric target with a numeric actual that could, in principle, differ from it.
    =100%, =0 and a year of days are met by any project that ran: they carry no signal."""
    t, a = ind.target, ind.actual
    if t is None or a is None or t.kind != "numeric" or a.kind != "numeric" or t.op not in (None, "="):
        return False
    if not _same_unit(t, a) or t.number == 0:
        return False
    if t.unit in PERCENT and t.number >= 100:
        return False
    return (t.unit, t.number) not in _CALENDAR


def _specific(n: float, s: Settings) -> bool:
    """A number nobody plans: not a round figure (40 班次, 2,000 人, 12,000 份) and not a small count
    (2 次, 8 人), but 1,286 人次, 37 场, 286.57 万元."""
    if n < s["rows.equals_specific_min"]:
        return False
    return abs(n - round(n)) > 1e-9 or round(n) % 10 != 0


@form_check("indicator.target_equals_actual")
def target_equals_actual(form: Form, s: Settings) -> Iterator[Finding]:
    if not _self_eval(form):
        return
    rows = [i for i in form.indicators if i.name and _exact_row(i)]
    equal = [i for i in rows if abs(i.actual.number - i.target.number) < 1e-9]
    specific = [i for i in equal if _specific(i.target.number, s)]
    if len(specific) < s["rows.equals_min_rows"] or len(equal) < s["rows.equals_min_share"] * len(rows):
        return
    shown = "、".join(f"“{i.name}”{i.target.raw}→{i.actual.raw}" for i in specific[:3])
    more = f"等{len(equal)}项" if len(equal) > 3 else ""
    message = (f"{form.project_name}：{len(rows)}项“=”数值指标中有{len(equal)}项实际完成值与指标值分毫不差（{shown}{more}），"
               f"指标值疑似按实际结果倒填，这些指标的满分失去依据。")
    evidence = [e for i in equal for e in ind_evidence(form, i, "target", "actual")]
    yield finding(form, "indicator.target_equals_actual", "medium", message, evidence, "targets")


# --- indicator.satisfaction_at_floor ------------------------------------------------------------

_SATISFACTION = re.compile(r"满意度|满意率")


def _floor_row(ind: Indicator) -> bool:
    """A satisfaction row with a floor (≥90%, =90%) below 100% and a numeric actual to set against it."""
    if not ind.name or not (_SATISFACTION.search(ind.name) or ind.level2 == "服务对象满意度指标"):
        return False
    t, a = ind.target, ind.actual
    return (t is not None and a is not None and t.kind == "numeric" and a.kind == "numeric" and t.op in ("≥", "=", None)
            and t.unit in PERCENT and 0 < t.number < 100 and _same_unit(t, a))


def _at_floor(ind: Indicator) -> bool:
    return abs(ind.actual.number - ind.target.number) < 1e-9


@corpus_check("indicator.satisfaction_at_floor")
def satisfaction_at_floor(forms: list[Form], s: Settings, ctx=None) -> Iterator[Finding]:
    """One finding per row at the floor, when the floor recurs: in the unit (at least floor_min_rows
    rows, and floor_min_share of its satisfaction rows with a floor), or on the form (two or more rows,
    all at the floor). A single project meeting its floor is not reported: that happens honestly."""
    by_unit: dict[str, list[tuple[Form, Indicator]]] = defaultdict(list)
    for form in forms:
        if _self_eval(form):
            for ind in form.indicators:
                if _floor_row(ind):
                    by_unit[normalise(form.unit) or f"?{form.source.file}:{form.source.first_line}"].append((form, ind))
    for rows in by_unit.values():
        hits = [(f, i) for f, i in rows if _at_floor(i)]
        unit_recurs = len(hits) >= s["rows.floor_min_rows"] and len(hits) >= s["rows.floor_min_share"] * len(rows)
        for form, ind in hits:
            own = [(f, i) for f, i in rows if f is form]
            if not (unit_recurs or len(own) >= 2 and all(_at_floor(i) for _, i in own)):
                continue
            scope, pool = ("本单位", rows) if unit_recurs and any(f is not form for f, _ in hits) else ("本表", own)
            others = [(f, i) for f, i in pool if i is not ind and _at_floor(i)]
            names = []
            for f, i in others:
                label = f"“{i.name}”" if f is form else f"{f.project_name}的“{i.name}”"
                if label not in names:
                    names.append(label)
            listed = "；".join(names[:3]) + (f"等{len(names)}项" if len(names) > 3 else "")
            full = "并得满分" if _full_marks(ind, s) else ""
            message = (f"{form.project_name}：“{ind.name}”实际完成值{ind.actual.raw}恰好等于指标值下限{ind.target.raw}{full}，"
                       f"{scope}{len(pool)}项设下限的满意度中有{len(others) + 1}项恰为下限（另有{listed}），"
                       f"满意度疑按目标值填报，应调阅满意度调查原始记录。")
            evidence = ind_evidence(form, ind, "target", "actual", "weight", "score")
            evidence += [where(f, "同样恰为下限的满意度", f"{f.project_name}：{i.name} {i.target.raw}→{i.actual.raw}", line=i.line)
                         for f, i in others[:8]]
            yield finding(form, "indicator.satisfaction_at_floor", "medium", message, evidence, ind.name, ind.target.raw)


# --- indicator.row_contradiction ----------------------------------------------------------------

# Words that say what is measured, not of what: stripped from the end of a name to leave its object
# (培训班开展班次 and 培训班开展及时性 are both about 培训班).
_MEASURE = ("完成及时性", "完成及时率", "及时性", "及时率", "完成率", "完成情况", "完成数量", "完成数", "覆盖率", "到位率",
            "办结率", "落实率", "实现率", "发放率", "执行率", "计划", "数量", "人数", "次数", "个数", "件数", "户数", "家数",
            "场次", "场数", "班次", "人次", "批次", "期数", "时间", "进度", "情况", "任务", "工作", "开展", "举办", "实施",
            "完成", "按时", "及时", "的", "率", "数", "量", "性")
_DONE_RATE = re.compile(r"(完成|覆盖|到位|办结|落实|实现|发放|执行)率$")
_TIMELY = re.compile(r"及时|按时|时效")
_MONEY_RATE = re.compile(r"预算|执行率")  # the funds table answers for money spent
_IMPROVE = re.compile(r"提升|提高|增长|增加|增幅|上升|改善|进步")
_COST = re.compile(r"成本|费用|支出|经费|能耗|单价")


def _object(name: str) -> str:
    x = re.sub(r"[（(][^）)]*[）)]", "", normalise(name))
    changed = True
    while changed and x:
        changed = False
        for w in _MEASURE:
            if x.endswith(w) and len(x) > len(w):
                x, changed = x[: -len(w)], True
    return x


def _bigrams(x: str) -> set[str]:
    return {x[k:k + 2] for k in range(len(x) - 1)} or {x}


def _same_object(a: str, b: str, s: Settings) -> bool:
    """One object holds the other (补贴发放 in 特定群体补贴发放, 异地调查 in 异地调查取证), or their
    character pairs mostly agree; 仲裁文书寄送 and 仲裁文书复印 share a noun, not an object."""
    x, y = sorted((_object(a), _object(b)), key=len)
    if len(x) >= 2 and x in y:
        return True
    p, q = _bigrams(x), _bigrams(y)
    return 2 * len(p & q) / (len(p) + len(q)) >= s["rows.contradiction_min_object"]


def _well_short(ind: Indicator, s: Settings) -> float | None:
    """The share of its target that a 数量 row reached, when that is well under the target."""
    t, a = ind.target, ind.actual
    if ind.level2 != "数量指标" or NEGATIVE.search(ind.name) or t is None or a is None:
        return None
    if t.kind != "numeric" or a.kind != "numeric" or t.op not in (None, "=", "≥", ">") or not t.number or t.number <= 0:
        return None
    if not _same_unit(t, a):
        return None
    share = a.number / t.number
    return share if share < s["rows.contradiction_max_share"] else None


def _claims_done(ind: Indicator, s: Settings) -> str | None:
    """"done" if a completion rate reports 100%, "timely" if a timeliness row reports 及时 / reached,
    each with full marks; None otherwise. Accuracy, pass and satisfaction rates measure what was done
    and say nothing of how much."""
    if not _full_marks(ind, s) or ind.actual is None or _MONEY_RATE.search(ind.name):
        return None
    a = ind.actual
    full = (a.kind == "numeric" and a.unit in (PERCENT | {None}) and a.number >= 100) or a.achievement == "reached"
    if _DONE_RATE.search(ind.name) and full:
        return "done"
    if (_TIMELY.search(ind.name) or ind.level2 == "时效指标") and (full or (a.word and _TIMELY.search(a.word))):
        return "timely"
    return None


def _zero_improvement(ind: Indicator, s: Settings) -> bool:
    """An improvement row (提升率, 增长率 …) reporting 0 with full marks, where no other check compares
    it: a numeric target it falls short of is indicator.score_inconsistent's finding."""
    a, t = ind.actual, ind.target
    if not _IMPROVE.search(ind.name) or NEGATIVE.search(ind.name) or _COST.search(ind.name):
        return False
    if a is None or a.kind != "numeric" or a.number != 0 or not _full_marks(ind, s):
        return False
    if t is not None and t.op in ("≤", "<"):
        return False  # a cap on growth: 0 is within it
    return shortfall(t, a) is not True


@form_check("indicator.row_contradiction")
def row_contradiction(form: Form, s: Settings) -> Iterator[Finding]:
    if not _self_eval(form):
        return
    rows = [i for i in form.indicators if i.name]
    for short in rows:
        share = _well_short(short, s)
        if share is None:
            continue
        pairs = [(c, kind) for c in rows if c is not short and (kind := _claims_done(c, s))
                 and _same_object(short.name, c.name, s)]
        for claim, kind in pairs:
            said = "完成率100%" if kind == "done" else "完成及时"
            message = (f"{form.project_name}：“{short.name}”实际完成{short.actual.raw}，仅为指标值{short.target.raw}的{share:.0%}，"
                       f"同一事项的“{claim.name}”却报{claim.actual.raw}（{said}）并得满分{claim.score:g}分，两行不可能同时属实。")
            evidence = ind_evidence(form, short, "target", "actual", "weight", "score") + \
                ind_evidence(form, claim, "target", "actual", "weight", "score")
            yield finding(form, "indicator.row_contradiction", "high" if kind == "done" else "medium", message, evidence,
                          short.name, claim.name)
    for ind in rows:
        if _zero_improvement(ind, s):
            target = f"指标值为“{ind.target.raw}”，" if ind.target else ""
            message = (f"{form.project_name}：“{ind.name}”{target}实际完成值{ind.actual.raw}即毫无提升，"
                       f"却得满分{ind.score:g}分，得分与完成情况相反。")
            yield finding(form, "indicator.row_contradiction", "high", message,
                          ind_evidence(form, ind, "target", "actual", "weight", "score"), ind.name)
