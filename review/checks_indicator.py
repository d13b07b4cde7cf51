"""Checks on single indicator rows: units, targets that cannot fail, values of the wrong kind,
deviation texts and scores (misfiled rows: checks_misplaced.py)."""

from __future__ import annotations

import re
from typing import Iterator

from jixiao.forms.models import Form, FormType, Indicator
from jixiao.review.catalogue import form_check
from jixiao.review.evidence import finding, ind_evidence, shortfall
from jixiao.review.models import Finding
from jixiao.review.settings import Settings

_RATE_NAME = re.compile(r"(率|比例|占比|比重)$|率[（(]")
_COUNT_NAME = re.compile(r"(数量|人数|次数|个数|件数|户数|场次|人次|批次|数)$")
_PERCENT = {"%", "‰"}
# Quantities whose target is rightly zero: complaints, accidents, failures …
_NEGATIVE = re.compile(r"投诉|事故|故障|信访|事件|差错|违规|违纪|问题|隐患|纠纷|失误|缺陷|错误|流失|逾期|滞留|损失|处罚|上访")
_NOT_DONE = re.compile(r"未开展|尚未|未完成|没有开展|未实施|未能|未启动|未上线|暂停|取消|未执行|未落实|未支付|未投入")
_WEAK_WORDS = {"提升", "提高", "有所提升", "有所提高", "改善", "优化", "增强", "加强", "有效提升", "进一步提升"}


def _rows(form: Form) -> Iterator[Indicator]:
    return (i for i in form.indicators if i.name)


@form_check("indicator.unit_mismatch")
def unit_mismatch(form: Form, s: Settings) -> Iterator[Finding]:
    for ind in _rows(form):
        t = ind.target
        if t is None or t.kind != "numeric" or not t.unit:
            continue
        if _RATE_NAME.search(ind.name) and t.unit not in _PERCENT:
            what = f"指标名称为比率（“{ind.name}”），指标值却以“{t.unit}”计（{t.raw}）"
        elif _COUNT_NAME.search(ind.name) and t.unit in _PERCENT:
            what = f"指标名称为数量（“{ind.name}”），指标值却以“{t.unit}”计（{t.raw}）"
        else:
            continue
        yield finding(form, "indicator.unit_mismatch", "medium", f"{form.project_name}：{what}，计量单位与指标含义不符。",
                      ind_evidence(form, ind, "target"), ind.name)


@form_check("indicator.vacuous_target")
def vacuous_target(form: Form, s: Settings) -> Iterator[Finding]:
    for ind in _rows(form):
        t = ind.target
        if t is None:
            continue
        why, severity = None, "medium"
        if t.kind == "numeric":
            if t.op in ("≥", ">") and t.number == 0:
                why = f"指标值 {t.raw} 为“不低于 0”，无论实际如何都能达成"
            elif t.op == "≤" and t.number >= 100 and t.unit in _PERCENT and _RATE_NAME.search(ind.name):
                why = f"比率指标的指标值 {t.raw} 为“不高于100%”，无论实际如何都能达成"
            elif (t.op in (None, "=") and t.number == 0 and not _NEGATIVE.search(ind.name)
                  and _COUNT_NAME.search(ind.name)):
                why = f"数量指标“{ind.name}”的指标值为 {t.raw}，目标为零等于没有目标"
        elif t.word in _WEAK_WORDS:
            why, severity = f"指标值仅写“{t.raw}”，没有基数或幅度，无法判断是否达成", "low"
        if why:
            yield finding(form, "indicator.vacuous_target", severity, f"{form.project_name}：{why}。",
                          ind_evidence(form, ind, "target"), ind.name)


def _has_digits(text: str | None) -> bool:
    return bool(text and re.search(r"\d", text))


@form_check("indicator.value_type_mismatch")
def value_type_mismatch(form: Form, s: Settings) -> Iterator[Finding]:
    if form.form_type == FormType.declaration:
        return
    for ind in _rows(form):
        t, a = ind.target, ind.actual
        if t is None or a is None or a.achievement is not None:
            continue
        why = None
        if t.kind in ("qualitative", "date") and a.kind == "numeric":
            why = f"指标值为“{t.raw}”，实际完成值却是数值“{a.raw}”"
        elif t.kind == "date" and a.kind == "qualitative" and _has_digits(a.raw):
            why = f"指标值为时间“{t.raw}”，实际完成值却是“{a.raw}”"
        elif (t.kind == "numeric" and t.unit in _PERCENT and a.kind == "numeric" and a.unit is None
              and a.number and t.number and a.number > 0 and t.number / a.number >= s["indicator.count_for_percent_ratio"]):
            why = f"指标值为百分比“{t.raw}”，实际完成值“{a.raw}”像是数量而非百分比"
        elif t.kind == "qualitative" and a.kind == "qualitative" and t.word and a.word \
                and t.word not in a.word and a.word not in t.word:
            why = f"指标值为“{t.raw}”，实际完成值却写“{a.raw}”，二者不是同一回事"
        if why:
            yield finding(form, "indicator.value_type_mismatch", "medium", f"{form.project_name}：{why}。",
                          ind_evidence(form, ind, "target", "actual"), ind.name)


@form_check("indicator.deviation_contradiction")
def deviation_contradiction(form: Form, s: Settings) -> Iterator[Finding]:
    for ind in _rows(form):
        m = _NOT_DONE.search(ind.deviation or "")
        if not m:
            continue
        full = ind.weight is not None and ind.score is not None and ind.score >= ind.weight
        reached = shortfall(ind.target, ind.actual) is False
        if full or reached:
            claim = "得满分" if full else "实际完成值达到指标值"
            yield finding(form, "indicator.deviation_contradiction", "high",
                          f"{form.project_name}：“{ind.name}”的偏差原因写明“{m.group(0)}”，该行却{claim}，前后矛盾。",
                          ind_evidence(form, ind, "target", "actual", "weight", "score", "deviation"), ind.name)


@form_check("indicator.missing_deviation_reason")
def missing_deviation_reason(form: Form, s: Settings) -> Iterator[Finding]:
    if form.form_type == FormType.declaration:
        return
    for ind in _rows(form):
        if ind.deviation:
            continue
        lost = ind.weight is not None and ind.score is not None and ind.score < ind.weight - s["score.tolerance"]
        if form.form_type == FormType.tracking:
            # Mid-year the annual target is not due: the actual answers to the period's plan
            # (579 done against a plan of 500 by August is on track, whatever the annual 856).
            short = ind.plan is not None and shortfall(ind.plan, ind.actual) is True
        else:
            short = shortfall(ind.target, ind.actual) is True
        if lost or short:
            tracked = form.form_type == FormType.tracking
            due_value = ind.plan if tracked else ind.target
            due = f"{'跟踪期计划完成值' if tracked else '指标值'}“{due_value.raw if due_value else ''}”"
            why = f"得分 {ind.score:g} 低于分值 {ind.weight:g}" if lost else f"实际完成值“{ind.actual.raw}”未达到{due}"
            fields = ("target", "plan", "actual") if tracked else ("target", "actual", "weight", "score")
            yield finding(form, "indicator.missing_deviation_reason", "low" if lost and not short else "medium",
                          f"{form.project_name}：“{ind.name}”{why}，但未填写偏差原因分析。",
                          ind_evidence(form, ind, *fields), ind.name)


@form_check("indicator.score_inconsistent")
def score_inconsistent(form: Form, s: Settings) -> Iterator[Finding]:
    if form.form_type != FormType.self_evaluation:
        return
    tol = s["score.tolerance"]
    for ind in _rows(form):
        if ind.weight is None or ind.score is None:
            continue
        if ind.score > ind.weight + tol:
            why = f"得分 {ind.score:g} 高于分值 {ind.weight:g}"
        elif ind.score >= ind.weight - tol and shortfall(ind.target, ind.actual) is True:
            why = f"实际完成值“{ind.actual.raw}”未达到指标值“{ind.target.raw if ind.target else ''}”却得满分 {ind.score:g}"
        else:
            continue
        yield finding(form, "indicator.score_inconsistent", "high", f"{form.project_name}：“{ind.name}”{why}。",
                      ind_evidence(form, ind, "target", "actual", "weight", "score"), ind.name)
