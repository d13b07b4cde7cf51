"""indicator.vacuous_target's wider kinds and indicator.missing_deviation_reason on met targets (issue 11)."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import pytest

from jixiao.forms import parse_file
from jixiao.forms.values import parse_value
from jixiao.review.engine import review

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MDR, VAC = "indicator.missing_deviation_reason", "indicator.vacuous_target"


@lru_cache(maxsize=1)
def _samples():
    return tuple(f for p in sorted(EXAMPLES.glob("*.txt")) for f in parse_file(p).forms)


def _form(project: str, form_type: str = "self_evaluation"):
    return copy.deepcopy(next(f for f in _samples() if f.project_name == project and f.form_type.value == form_type))


def _row(form, name: str):
    return next(i for i in form.indicators if i.name == name)


def _flags(form, code):
    return review([form], only=[code], embed=lambda t: None).flags


# --- missing_deviation_reason ---------------------------------------------------------------------

def test_no_missing_reason_on_a_met_target_in_the_samples():
    """The nine rows it used to report all met their targets and lost points only as rate × weight."""
    assert not review(list(_samples()), only=[MDR], embed=lambda t: None).flags


def test_met_target_scored_rate_times_weight_is_silent():
    f = _form("信息系统运维费")
    row = _row(f, "预算执行率")
    assert (row.target.raw, row.actual.raw, row.weight, row.score, row.deviation) == ("≥90.00(%)", "99.29(%)", 10.0, 9.93, None)
    assert not _flags(f, MDR)


def test_missed_target_without_reason_is_medium_and_names_the_row():
    f = _form("信息系统运维费")
    row = _row(f, "系统使用者抽样满意度")
    row.actual, row.score = parse_value("85.00(%)"), 8.5
    (flag,) = _flags(f, MDR)
    assert flag.severity == "medium" and "系统使用者抽样满意度" in flag.message and "85.00(%)" in flag.message
    assert flag.evidence[0].line == row.line
    row.deviation = "抽样对象中新入职人员比例较高，下年度加强操作培训。"
    assert not _flags(f, MDR)


def test_partial_achievement_without_reason_fires():
    f = _form("信息系统运维费")
    row = _row(f, "运维计划完成率")
    row.actual, row.score = parse_value("部分达成指标并具有一定效果"), row.weight * 0.6
    assert [x.severity for x in _flags(f, MDR)] == ["medium"]


def test_points_lost_and_values_that_cannot_be_compared():
    f = _form("信息系统运维费")
    row = _row(f, "运维服务完成及时性")
    row.target, row.actual, row.score = parse_value("2024年11月底前"), parse_value("2025年1月"), row.weight / 2
    (flag,) = _flags(f, MDR)
    assert flag.severity == "low" and "无法与" in flag.message
    row.target, row.actual = parse_value("及时"), parse_value("及时")  # the actual says the target was met
    assert not _flags(f, MDR)
    row.actual = parse_value("及时完成")
    assert not _flags(f, MDR)


def test_tracking_rows_answer_to_the_period_plan():
    f = _form("在职考核优秀行政奖励人员经费", "tracking")
    row = _row(f, "疗休养工作完成率")
    assert not _flags(f, MDR)  # 579 against a plan of 500
    row.actual = parse_value("400.00(人次)")
    (flag,) = _flags(f, MDR)
    assert flag.severity == "medium" and "跟踪期计划完成值" in flag.message


def test_a_bare_period_plan_under_a_ceiling_target_is_a_ceiling():
    f = _form("在职考核优秀行政奖励人员经费", "tracking")
    row = _row(f, "疗休养工作完成率")
    row.name, row.target, row.plan, row.actual = "再次鉴定申请率", parse_value("<10.00(%)"), parse_value("10.00"), parse_value("5")
    assert not _flags(f, MDR)
    row.actual = parse_value("12")
    assert [x.severity for x in _flags(f, MDR)] == ["medium"]


# --- vacuous_target -------------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["有效", "保障", "提供支撑", "顺利完成", "可控", "合理", "良好", "稳定", "降低", "减少",
                                  "明显减少", "成本控制较好", "相关技能提升", "更加和谐稳定", "有效保障", "进一步完善",
                                  "确保工作顺利开展，取得良好社会效益", "加强援外干部工作保障,规范使用工作经费"])
def test_targets_that_cannot_fail_or_be_measured(word):
    f = _form("信息系统运维费")
    row = _row(f, "系统稳定运行天数")
    row.target = parse_value(word)
    (flag,) = _flags(f, VAC)
    assert flag.severity == "low" and "系统稳定运行天数" in flag.message
    assert f"“{parse_value(word).word}”" in flag.message


@pytest.mark.parametrize("word", ["及时", "准确", "合规", "达标", "通过", "符合合同约定", "无差错", "100%", "2024年11月底前",
                                  "较上年降低5%", "较上年减少", "有效控制在标准内", "全覆盖", "建立健全", "健全", "满意",
                                  "无食品安全事故发生", "确保补贴及时足额发放", "=0.00(起)"])
def test_checkable_targets_are_not_vacuous(word):
    f = _form("信息系统运维费")
    row = _row(f, "系统使用者抽样满意度" if word == "满意" else "系统稳定运行天数")
    if word == "=0.00(起)":
        row.name = "有责投诉数"
    row.target = parse_value(word)
    assert not _flags(f, VAC)


def test_old_kinds_unchanged():
    f = _form("信息系统运维费")
    row = _row(f, "系统稳定运行天数")
    row.target = parse_value("≥0.00(%)")
    assert [x.severity for x in _flags(f, VAC)] == ["medium"]
    row.target = parse_value("提升")
    (flag,) = _flags(f, VAC)
    assert flag.severity == "low" and "指标值仅写“提升”" in flag.message


def test_samples_new_kinds_one_finding_per_row():
    flags = review(list(_samples()), only=[VAC], embed=lambda t: None).flags
    assert len(flags) == 57  # 22 of 提升/优化/改善 … and 35 of the wider kinds (testkit/review_fixtures_text.py)
    names = {(f.project_name, f.form_type, f.evidence[0].text.rsplit("/", 1)[-1]) for f in flags}
    assert ("宣传费", "declaration", "成本控制有效性") in names
    assert ("援外干部工作经费", "self_evaluation", "东西部扶贫协作和对口支援工作") in names
    assert not any("及时" == f.evidence[1].text for f in flags)
