"""Checks on a form's goal texts (预期目标 / 实际完成情况 / 项目总目标 / 年度总体目标)."""

from __future__ import annotations

import re
from typing import Iterator

from jixiao.forms.models import Form, FormType
from jixiao.review.catalogue import form_check
from jixiao.review.evidence import copy_similarity, finding, normalise, where
from jixiao.review.models import Finding
from jixiao.review.settings import Settings

_COMPLETION = re.compile(r"完成|达到|达成|实现|通过|已|顺利|落实|建成|如期|按时|超额|未能|未完成|尚未|基本")


def _goal_lines(form: Form) -> tuple[int, int]:
    first = form.source.first_line
    return form.goal.expected_line or first, form.goal.actual_line or form.goal.expected_line or first


@form_check("goal.missing")
def goal_missing(form: Form, s: Settings) -> Iterator[Finding]:
    g = form.goal
    if form.form_type == FormType.declaration:
        if not (g.annual or g.overall):
            yield finding(form, "goal.missing", "high", f"{form.project_name}的申报表未填写绩效目标（项目总目标、年度总体目标均为空）。",
                          [where(form, "年度总体目标", None)], "annual")
        return
    for role, label in (("expected", "预期目标"), ("actual", "实际完成情况")):
        if not getattr(g, role):
            yield finding(form, "goal.missing", "high", f"{form.project_name}的{label}未填写。",
                          [where(form, label, None, line=getattr(g, f"{role}_line"))], role)


@form_check("goal.actual_copies_expected")
def actual_copies_expected(form: Form, s: Settings) -> Iterator[Finding]:
    g = form.goal
    if form.form_type == FormType.declaration or not g.expected or not g.actual:
        return
    sim = copy_similarity(g.expected, g.actual, s)
    if sim is None:
        return
    identical = sim >= s["goal.identical_min_lexical"]
    e_line, a_line = _goal_lines(form)
    label = "跟踪期实际完成情况" if form.form_type == FormType.tracking else "实际完成情况"
    msg = (f"{form.project_name}的{label}与预期目标{'完全相同' if identical else f'基本相同（文字相似度 {sim:.0%}）'}，"
           f"未如实反映实际完成情况。")
    yield finding(form, "goal.actual_copies_expected", "high" if identical else "medium", msg,
                  [where(form, "预期目标", g.expected, line=e_line), where(form, label, g.actual, sim, a_line)])


@form_check("goal.annual_copies_overall")
def annual_copies_overall(form: Form, s: Settings) -> Iterator[Finding]:
    g = form.goal
    if form.form_type != FormType.declaration or not g.overall or not g.annual:
        return
    years = {d[:4] for d in (form.start_date, form.end_date) if d}
    if len(years) < 2:  # a one-year project's annual goal is its overall goal
        return
    sim = copy_similarity(g.overall, g.annual, s)
    if sim is not None:
        yield finding(form, "goal.annual_copies_overall", "medium",
                      f"{form.project_name}为跨年度项目（{form.start_date}至{form.end_date}），年度总体目标照抄项目总目标（相似度 {sim:.0%}），未分解出本年度目标。",
                      [where(form, "项目总目标", g.overall, line=g.expected_line), where(form, "年度总体目标", g.annual, sim, g.expected_line)])


def _bigrams(text: str) -> set[str]:
    t = normalise(re.sub(r"\d+(?:\.\d+)?%?", "", text))
    return {t[i:i + 2] for i in range(len(t) - 1)}


# A clause about the money only ("资金已全部拨付到位", "预算执行完成") says nothing of the goal,
# whatever verb it uses: DOMAIN.md's 征地养老费用 answers a management goal with an execution rate.
_MONEY = re.compile(r"资金|经费|预算|拨付|拨款|支付|支出|执行率|万元")


def _says_done(actual: str) -> bool:
    return any(_COMPLETION.search(c) and not _MONEY.search(c) for c in re.split(r"[，,。；;！!？?]", actual))


@form_check("goal.actual_unresponsive")
def actual_unresponsive(form: Form, s: Settings) -> Iterator[Finding]:
    """The actual text neither uses the goal's words nor says anything was completed.

    A cheap screen: the language model (when configured) judges these properly; without it,
    the finding stays low severity and says what the text lacks.
    """
    g = form.goal
    if form.form_type == FormType.declaration or not g.expected or not g.actual:
        return
    a, b = _bigrams(g.expected), _bigrams(g.actual)
    overlap = len(a & b) / max(1, min(len(a), len(b)))
    if overlap < s["goal.unresponsive_max_overlap"] and not _says_done(g.actual):
        e_line, a_line = _goal_lines(form)
        yield finding(form, "goal.actual_unresponsive", "low",
                      f"{form.project_name}的实际完成情况未回应预期目标，看不出目标是否完成（与目标用词重合 {overlap:.0%}，且无完成情况表述）。",
                      [where(form, "预期目标", g.expected, line=e_line), where(form, "实际完成情况", g.actual, overlap, a_line)])


_UNITS = "%|人次|人|名|个|家|次|场|件|项|台|份|户|套|天|批|所|万元|元"
_MENTION = re.compile(rf"(\d+(?:\.\d+)?)({_UNITS})")
_RESTATED = re.compile(rf"(?:指标数|目标数|计划数|目标值|指标值)[(（]?(\d+(?:\.\d+)?)({_UNITS})")
_SAME_UNIT = {"名": "人"}


def _unit(u: str) -> str:
    return _SAME_UNIT.get(u, u)


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[，,。；;！!？?]", normalise_keep_digits(text)) if c]


def normalise_keep_digits(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


# "每季度开展1次" promises 4 a year: a quantity after 每 + a period is a rate, and the indicator may
# count the year (4) or the period (1). 每日/每天 (365 or working days?) and 每人/每场 (per what
# total?) leave the yearly number unknown: such a quantity is not compared at all.
_PER = re.compile(r"每([^\d每]*)$")
_PERIODS = re.compile(r"个?(季度|季|半年|年度|年|月度|月|两个?月|双月|半个?月|周|星期|旬)")
_PER_YEAR = {"季度": 4, "季": 4, "半年": 2, "年度": 1, "年": 1, "月度": 12, "月": 12, "两月": 6, "两个月": 6,
             "双月": 6, "半月": 24, "半个月": 24, "周": 52, "星期": 52, "旬": 36}


def _readings(n: float, unit: str, before: str) -> tuple[float, ...]:
    """The values a target may rightly give for "n unit" written after `before` in its clause."""
    per = _PER.search(before)
    if per is None:
        return (n,)
    period = _PERIODS.match(per.group(1))
    if period is None:
        return ()
    if unit == "%":  # a rate per period is the rate of the year
        return (n,)
    return tuple(dict.fromkeys((n, n * _PER_YEAR[period.group(1)])))


def _mentions(text: str) -> list[tuple[float, str, str, str, tuple[float, ...]]]:
    """(number, unit, its clause without numbers, its clause, the values a target may rightly give for
    it) for every "number + unit" in a text."""
    out = []
    for clause in _clauses(text):
        for m in _MENTION.finditer(clause):
            if _RESTATED.search(clause[max(0, m.start() - 5):m.end()]):
                continue
            n, u = float(m.group(1)), _unit(m.group(2))
            out.append((n, u, re.sub(r"\d+(?:\.\d+)?", "", clause), clause, _readings(n, u, clause[:m.start()])))
    return out


def _agrees(x: float, readings: tuple[float, ...]) -> bool:
    return any(abs(x - r) <= 1e-9 * max(1.0, abs(r)) for r in readings)  # 1.1 × 12 is 13.200000000000001


def _as_promised(pn: float, pu: str, readings: tuple[float, ...]) -> str:
    return f"{pn:g}{pu}" + (f"，即全年 {readings[-1]:g}{pu}" if len(readings) > 1 else "")


def _similar(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / max(1, min(len(x), len(y)))


@form_check("goal.numbers_mismatch")
def numbers_mismatch(form: Form, s: Settings) -> Iterator[Finding]:
    g = form.goal
    promised = _mentions(g.expected or "")
    e_line, a_line = _goal_lines(form)
    # (a) the result text restates a target that is not the one promised for the same thing
    clauses = _clauses(g.actual or "") if form.form_type != FormType.declaration else []
    for i, clause in enumerate(clauses):
        for m in _RESTATED.finditer(clause):
            n, u = float(m.group(1)), _unit(m.group(2))
            # "就业困难人员实现就业4100人,完成指标数(2300人)": what the target is of sits before it,
            # often in the previous clause.
            context = re.sub(r"\d+(?:\.\d+)?", "", (clauses[i - 1] if i else "") + clause[:m.start()])
            same = [(p, _similar(context, p[2])) for p in promised if p[1] == u]
            if not same:
                continue
            (pn, _, _, pclause, readings), sim = max(same, key=lambda x: x[1])
            if sim >= s["goal.numbers_min_context"] and readings and not _agrees(n, readings):
                yield finding(form, "goal.numbers_mismatch", "high",
                              f"{form.project_name}：实际完成情况称指标数为 {n:g}{m.group(2)}，预期目标承诺的却是 {_as_promised(pn, u, readings)}（“{pclause}”）。",
                              [where(form, "预期目标", g.expected, pn, e_line), where(form, "实际完成情况", g.actual, n, a_line)],
                              "restated", n, pn)
    # (b) a number promised in the goal text and the target of the indicator that measures it differ
    for pn, pu, pctx, pclause, readings in promised:
        if not readings:
            continue
        same_unit = [i for i in form.indicators
                     if i.target is not None and i.target.kind == "numeric" and i.target.unit and _unit(i.target.unit) == pu]
        if not same_unit:
            continue
        ind = max(same_unit, key=lambda i: _similar(pctx, i.name))  # the indicator that measures this promise
        t = ind.target
        if not _agrees(t.number, readings) and _similar(pctx, ind.name) >= s["goal.numbers_min_name"]:
            yield finding(form, "goal.numbers_mismatch", "medium",
                              f"{form.project_name}：目标承诺 {_as_promised(pn, pu, readings)}（“{pclause}”），指标“{ind.name}”的指标值却是 {t.raw}。",
                              [where(form, "预期目标", g.expected, pn, e_line),
                               where(form, f"三级指标 {ind.name} 年度指标值", t.raw, t.number, ind.line)],
                              "target", ind.name, pn)
