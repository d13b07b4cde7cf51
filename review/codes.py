"""What each finding code means to a reviewer: a short Chinese name, and whether it is about substance.

Substantive findings are about money, results and honesty of the record (execution behind the
calendar, budgets cut to flatter the rate, results pasted from promises, goals copied from other
projects, numbers that disagree); formal ones are about how the form is filled in (units, categories,
a missing deviation text). The worklist ranks projects by their substantive findings first, and a
low formal finding goes to the report's appendix.

Glossary where the two languages meet: substantive 实质性问题 · formal 形式问题 · group 归并 ·
risk 风险分 · appendix 附录.
"""

from __future__ import annotations

# code -> (Chinese name, substantive?). A code missing here is treated as formal and named by its code.
CODES: dict[str, tuple[str, bool]] = {
    "tracking.execution_lag": ("执行进度明显落后于时间进度却判断“确定能完成”", True),
    "tracking.optimistic_judgement": ("执行率低于时间进度却判断预算“确定能完成”", True),
    "funds.budget_cut_inflates_rate": ("调减预算后按调减数计算执行率，执行率虚高", True),
    "funds.indicator_rate_contradiction": ("预算执行率指标与资金表执行率矛盾", True),
    "funds.rate_mismatch": ("执行率与执行数÷预算数不符", False),
    "funds.rows_mismatch": ("资金合计与分项之和不符", False),
    "indicator.target_equals_actual": ("指标值与实际完成值逐项完全相同（疑按结果倒填目标）", True),
    "indicator.satisfaction_at_floor": ("满意度实际值恰好等于目标下限", True),
    "indicator.row_contradiction": ("指标行之间相互矛盾", True),
    "indicator.deviation_contradiction": ("偏差原因写明未完成，该行却填达成或满分", True),
    "indicator.score_inconsistent": ("得分与完成情况不符", True),
    "indicator.table_copied": ("绩效指标表照搬其他项目", True),
    "indicator.vacuous_target": ("指标值无法衡量或不可能不达成", True),
    "indicator.unit_mismatch": ("计量单位与指标含义不符", False),
    "indicator.misplaced": ("指标归类错误", False),
    "indicator.value_type_mismatch": ("实际完成值与指标值不是同一类", False),
    "indicator.missing_deviation_reason": ("未达成指标值却未填写偏差原因", False),
    "goal.actual_copies_expected": ("实际完成情况照抄预期目标", True),
    "goal.annual_copies_overall": ("年度目标照抄总目标", False),
    "goal.boilerplate_shared": ("绩效目标与其他项目相同", True),
    "goal.project_mismatch": ("绩效目标像是其他项目的目标", True),
    "goal.numbers_mismatch": ("目标、完成情况与指标中的数字不一致", True),
    "goal.actual_unresponsive": ("实际完成情况未回应目标是否达成", True),
    "goal.template_text": ("绩效目标为套话，未描述本项目", True),
    "goal.missing": ("缺少绩效目标或完成情况", False),
    "link.target_changed": ("同一指标在前后表中的指标值被改动", True),
    "link.copied_from_previous_year": ("绩效目标照抄上年", True),
    "link.indicator_dropped": ("后表删去了申报时的指标", False),
    "link.indicator_added": ("后表新增了申报时没有的指标", False),
    "score.total_mismatch": ("总分与各项得分之和不符", False),
    "score.grade_mismatch": ("评分等级与总分不符", False),
}


def code_zh(code: str) -> str:
    return CODES.get(code, (code, False))[0]


def substantive(code: str) -> bool:
    return CODES.get(code, (code, False))[1]
