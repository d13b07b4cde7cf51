"""tracking.execution_lag and funds.budget_cut_inflates_rate (review/checks_execution.py, issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.eval_review import evaluate_cases, pr
from testkit.review_fixtures import form_cases, sample_forms
from testkit.review_fixtures_execution import PLANTS, REAL_LABELS
from testkit.review_real import matches
from jixiao.forms import parse_file, parse_text
from jixiao.review.engine import review

LAG, CUT = "tracking.execution_lag", "funds.budget_cut_inflates_rate"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _tracking(period="2024年1月 至 2024年8月", budget=("500.00", "500.00", "100.00", "20.00"),
              judgement=("确定能完成", "确定能完成"), corrective="", row=("=5.00(期)", "5.00", "5"), lead="") -> str:
    return lead + "\n".join([
        "财政项目支出绩效跟踪表", "", f"跟踪时段：（ {period} ）", "",
        "项目名称\t\t职业技能培训经费",
        "主管部门\t\t上海市某区人力资源和社会保障局(汇总)\t\t\t实施单位\t上海市某区职业培训中心",
        "预算执行情况 (万元)\t\t\t\t\t年初预算数\t跟踪期预算数\t跟踪期执行数\t执行率(%)",
        "\t\t年度资金总额\t\t\t" + "\t".join(budget),
        "\t一级指标\t二级指标\t三级指标\t年度指标值\t跟踪期 计划完成值\t跟踪期 实际完成值\t偏差原因分析",
        "绩效 指标\t产出指标\t数量指标\t培训班开展期数\t" + "\t".join(row),
        "\t满意度指标\t服务对象满意度 指标\t学员满意度\t≥90.00(%)\t90.00\t95.00",
        f"绩效跟踪 总体判断\t\t年度项目预算 完成可能性\t{judgement[0]}",
        f"\t\t年度绩效目标 完成可能性\t{judgement[1]}",
        f"纠偏措施\t{corrective}", "",
    ])


def _lag(text: str):
    return review(parse_text(text, "t.txt").forms, only=[LAG]).flags


def test_far_behind_and_certain():
    (f,) = _lag(_tracking())
    assert f.severity == "high"  # 500 万元 × (66.7% − 20%) ≈ 233 万元 behind time progress
    assert "20.0%" in f.message and "67%" in f.message and "233.33 万元" in f.message and "年度预算“确定能完成”" in f.message
    lines = {e.label: e.line for e in f.evidence}
    assert lines["跟踪时段"] == 3 and lines["年度资金总额 跟踪期执行数"] == 8
    assert lines["年度项目预算完成可能性"] == 12 and lines["纠偏措施"] == 14


@pytest.mark.parametrize("kw", [
    {"judgement": ("有可能完成", "确定能完成")},  # says so
    {"corrective": "受招标进度影响，合同款将于10月签订后支付，预计年底前执行完毕。"},  # says how it catches up
    {"period": "2024年1月 至 2024年3月", "budget": ("500.00", "500.00", "60.00", "12.00")},  # early in the year
    {"budget": ("500.00", "500.00", "290.00", "58.00")},  # slightly behind (0.87 of time progress)
])
def test_not_a_lag(kw):
    assert _lag(_tracking(**kw)) == []


def test_a_corrective_that_says_nothing_is_no_explanation():
    assert len(_lag(_tracking(corrective="无"))) == 1
    assert len(_lag(_tracking(corrective="项目运行正常，无需采取纠偏措施。"))) == 1


def test_small_money_behind_is_medium():
    (f,) = _lag(_tracking(budget=("10.00", "10.00", "1.00", "10.00")))
    assert f.severity == "medium"


@pytest.mark.parametrize("row, named", [
    (("=5.00(期)", "5.00", "1"), "仅完成 1（跟踪期计划 5.00）"),
    (("=5.00(期)", "5.00", "尚未开展"), "填报“尚未开展”"),
    (("=5.00(期)", "5.00", "开展中"), "填报“开展中”"),
])
def test_outputs_behind_with_the_goal_certain(row, named):
    text = _tracking(budget=("500.00", "500.00", "400.00", "80.00"), row=row)
    (f,) = _lag(text)
    assert named in f.message and "绩效目标“确定能完成”" in f.message and f.severity == "medium"
    assert any(e.label == "跟踪期 实际完成值" or e.label == "实际完成值" for e in f.evidence)
    assert {e.label: e.line for e in f.evidence}["年度绩效目标完成可能性"] == 13


@pytest.mark.parametrize("row, goal", [
    (("=5.00(期)", "5.00", "1"), "有可能完成"),  # says so
    (("=5.00(期)", "0", "0"), "确定能完成"),  # nothing was due yet
    (("=5.00(期)", "5.00", "4"), "确定能完成"),  # slightly behind
    (("持续开展", "持续开展", "持续开展中"), "确定能完成"),  # an ongoing service under way as planned
])
def test_outputs_not_behind(row, goal):
    assert _lag(_tracking(budget=("500.00", "500.00", "400.00", "80.00"), row=row, judgement=("确定能完成", goal))) == []


def test_pro_rata_period_budget_reads_against_the_year():
    """跟踪期预算数 = half of 年初预算数 by June: 30% of it is 15% of the year (pudong fixture, its 纠偏措施 removed)."""
    (f,) = _lag(_tracking(period="2024年1月 至 2024年6月", budget=("2,500.00", "1,250.00", "375.00", "30.00")))
    assert "15.0%" in f.message and "年初预算数 2500" in f.message
    # The fixture itself says how it will catch up and judges the goal 有可能完成: not reported.
    assert review(parse_file(FIXTURES / "pudong_2025_monitoring_gbk.txt").forms, only=[LAG]).flags == []


def test_stable_id_without_line_numbers():
    (a,) = _lag(_tracking())
    (b,) = _lag(_tracking(lead="\n\n\n"))
    assert a.id == b.id and a.evidence[0].line != b.evidence[0].line


def test_budget_cut_on_the_samples():
    flags = review(sample_forms(), only=[CUT]).flags
    assert {f.project_name: f.severity for f in flags} == {"人才服务专项资金": "high", "机关事业单位退休人员管理活动费": "high"}
    f = next(f for f in flags if f.project_name == "人才服务专项资金")
    assert "34.00 万元调减至 12.69 万元" in f.message and "97.79%" in f.message and "36.50%" in f.message
    assert "评分等级应为“良”而非“优”" in f.message
    assert {e.line for e in f.evidence} == {606, 621}


def test_real_labels_hold():
    flags = review(sample_forms(), only=[LAG, CUT]).flags
    for lab in REAL_LABELS:
        hit = any(matches(lab, f) for f in flags)
        if lab.truth is True:
            assert hit, lab
        elif lab.truth is False:
            assert not hit, lab


def test_plants_precision_and_recall():
    stats = evaluate_cases(form_cases(PLANTS, 24))
    for code in (LAG, CUT):
        s = stats[code]
        assert s["positives"] >= 20 and s["lookalikes"] >= 20, code
        assert min(pr(s)) >= 0.9, (code, pr(s))
