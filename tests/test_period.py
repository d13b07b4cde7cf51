"""跟踪时段 in its spellings, and the year a tracking form takes from it (issue 11)."""

from __future__ import annotations

import pytest

from jixiao.forms import parse_text
from jixiao.forms.layout import detect_period
from jixiao.forms.textio import split_line


@pytest.mark.parametrize("line, period", [
    ("跟踪时段：（ 2024年1月 至 2024年8月 ）", ("2024-01", "2024-08")),
    ("跟踪时段:(2025年1月至2025年6月)", ("2025-01", "2025-06")),
    ("跟踪时段：（2024 年 1 月 至 2024 年 8 月）", ("2024-01", "2024-08")),
    ("跟踪时段：2024-1月 至 2024-8月", ("2024-01", "2024-08")),
    ("跟踪时段：2024.1-2024.6", ("2024-01", "2024-06")),
    ("跟踪时段：2024/01-2024/08", ("2024-01", "2024-08")),
    ("跟踪时段：2024.01.01-2024.08.31", ("2024-01", "2024-08")),
    ("跟踪期间\t2024年1月1日至2024年8月31日", ("2024-01", "2024-08")),
    ("跟踪时段：2024年1-8月", ("2024-01", "2024-08")),
    ("跟踪时段：2024年1月至8月", ("2024-01", "2024-08")),
    ("监控时段：2024年1月-2024年6月", ("2024-01", "2024-06")),
    ("监控期：2024年1-6月", ("2024-01", "2024-06")),
    ("跟踪时段：2024年上半年", ("2024-01", "2024-06")),
    ("（2024年1-6月）", ("2024-01", "2024-06")),
    ("（截至2024年6月30日）", ("2024-01", "2024-06")),
    ("截止到2024年7月1日", ("2024-01", "2024-06")),  # the first of July closes June
    # no year: it comes from the form (title, year line, file name), see below
    ("跟踪时段：1-6月", ("????-01", "????-06")),
    ("跟踪时段：1月至6月", ("????-01", "????-06")),
    ("跟踪时段：一至八月", ("????-01", "????-08")),
    ("跟踪时段：截至6月底", ("????-01", "????-06")),
    ("截至6月底", ("????-01", "????-06")),
])
def test_spellings(line, period):
    assert detect_period(split_line(1, line)) == period


@pytest.mark.parametrize("line", [
    "截至8月底已完成培训3期",  # a sentence, not a period
    "1-8月通过开展对579人本区机关事业单位行政奖励人员的疗休养工作",
    "跟踪期预算数\t跟踪期执行数\t执行率(%)",
    "跟踪时段：2024年8月至2024年1月",  # backwards
    "跟踪时段：2024年1月至2024年13月",
    "\t产出指标\t数量指标\t培训班开展班次\t=40.00(班次)\t40.00\t42",
])
def test_not_periods(line):
    assert detect_period(split_line(1, line)) is None


def _form(period_line: str, title: str = "财政项目支出绩效跟踪表", name: str = "培训经费") -> str:
    return "\n".join([
        title, "", period_line, "",
        f"项目名称\t\t{name}",
        "主管部门\t\t上海市某区人力资源和社会保障局(汇总)\t\t\t实施单位\t上海市某区职业培训中心",
        "预算执行情况 (万元)\t\t\t\t\t年初预算数\t跟踪期预算数\t跟踪期执行数\t执行率(%)",
        "\t\t年度资金总额\t\t\t100.00\t100.00\t20.00\t20.00",
        "\t一级指标\t二级指标\t三级指标\t年度指标值\t跟踪期 计划完成值\t跟踪期 实际完成值\t偏差原因分析",
        "绩效 指标\t产出指标\t数量指标\t培训班开展班次\t=5.00(期)\t5.00\t1",
        "绩效跟踪 总体判断\t\t年度项目预算 完成可能性\t确定能完成",
        "\t\t年度绩效目标 完成可能性\t确定能完成",
        "纠偏措施", "",
    ])


def test_year_only_in_the_period_line():
    (f,) = parse_text(_form("跟踪时段：（ 2023年1月 至 2023年8月 ）")).forms
    assert (f.year, f.period_start, f.period_end, f.lines["period"]) == (2023, "2023-01", "2023-08", 3)


def test_yearless_period_takes_the_title_year():
    (f,) = parse_text(_form("跟踪时段：1-6月", title="财政项目支出绩效跟踪表（2024年度）")).forms
    assert (f.year, f.period_start, f.period_end) == (2024, "2024-01", "2024-06")


def test_yearless_period_takes_a_year_line():
    text = _form("截至6月底").replace("财政项目支出绩效跟踪表\n", "财政项目支出绩效跟踪表\n(2025年度)\n")
    (f,) = parse_text(text).forms
    assert (f.year, f.period_start, f.period_end) == (2025, "2025-01", "2025-06")


def test_yearless_period_takes_the_file_name_year():
    (f,) = parse_text(_form("跟踪时段：1-6月"), "fengxian_2024_tracking.txt").forms
    assert (f.year, f.period_start, f.period_end) == (2024, "2024-01", "2024-06")
    assert any("文件名" in w.message for w in f.warnings)


def test_yearless_period_with_no_year_anywhere_is_dropped_with_a_warning():
    (f,) = parse_text(_form("跟踪时段：1-6月"), "tracking.txt").forms
    assert (f.year, f.period_start, f.period_end) == (None, None, None)
    assert any("无年度" in w.message for w in f.warnings)


def test_monitoring_period_label():
    (f,) = parse_text(_form("监控时段：2024年1-6月", title="财政项目支出绩效运行监控表")).forms
    assert (f.form_type.value, f.year, f.period_end) == ("tracking", 2024, "2024-06")


def test_period_line_without_a_title_belongs_to_the_form_below():
    first = _form("跟踪时段：2024年1月至2024年8月", name="培训经费")
    second = _form("跟踪时段：2024年1月至2024年6月", name="宣传经费").split("\n", 2)[2]  # no title
    r = parse_text(first + "\n" + second)
    assert [(f.project_name, f.period_end) for f in r.forms] == [("培训经费", "2024-08"), ("宣传经费", "2024-06")]
    assert not any("跟踪时段" in w.message for f in r.forms for w in f.warnings)


def test_repeated_period_at_a_page_break_stays_with_its_form():
    text = _form("跟踪时段：2024年1月至2024年8月")
    text = text.replace("绩效跟踪 总体判断", "\n跟踪时段：2024年1月至2024年8月\n\n绩效跟踪 总体判断")
    (f,) = parse_text(text).forms
    assert (f.period_end, f.judgement.goal_completion, f.lines["period"]) == ("2024-08", "确定能完成", 3)


def test_samples_record_the_period_and_judgement_lines():
    from testkit.review_fixtures import sample_forms

    tracking = [f for f in sample_forms() if f.form_type.value == "tracking"]
    assert [f.lines["period"] for f in tracking] == [5, 33, 67, 93]
    assert all(f.lines["judgement_goal"] == f.lines["judgement_budget"] + 1 for f in tracking)
