"""Forms of other templates, years, units and encodings than the shipped samples (hand-written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.forms import parse_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_markdown_pipe_tables_xuhui_2023():
    r = parse_file(FIXTURES / "xuhui_2023_self_evaluation.md")
    assert [(f.project_name, f.year, len(f.indicators), f.total_score, f.grade) for f in r.forms] == [
        ("社区养老服务补贴", 2023, 5, 97.5, "优"), ("助餐点运营补贴", 2023, 3, 77.0, "合格")]
    first, second = r.forms
    assert first.department == "上海市徐汇区民政局"  # full-width （汇总） removed too
    assert first.funds.rows[0].values["budget_initial"].value == 1200.0
    late = first.indicators[2]
    assert (late.target.kind, late.actual.achievement, late.score, late.deviation) == (
        "date", "partial", 8.0, "3月因系统升级延迟发放")
    assert first.indicators[0].target.op == "≥" and first.indicators[0].target.number == 4500.0
    for f in r.forms:
        assert f.funds.score + sum(i.score for i in f.indicators) == pytest.approx(f.total_score)
    assert second.indicators[1].level2 == "数量指标"  # inherited across an empty label cell


def test_gbk_html_monitoring_form_pudong_2025():
    r = parse_file(FIXTURES / "pudong_2025_monitoring_gbk.txt")
    assert r.encoding == "gb18030" and not r.failed
    (f,) = r.forms
    assert (f.form_type.value, f.year, f.period_start, f.period_end) == ("tracking", 2025, "2025-01", "2025-06")
    assert f.department == "上海市浦东新区住房和城乡建设管理委员会"
    assert f.goal.expected == "全年完成加装电梯200台，竣工验收合格率100%，居民满意度达90%。"
    assert f.funds.execution_rate == 30.0
    assert (f.judgement.budget_completion, f.judgement.goal_completion) == ("确定能完成", "有可能完成")
    assert f.corrective_measures == "加快施工许可审批，按月通报进度。"
    lift = f.indicators[0]
    assert (lift.target.op, lift.target.number, lift.target.unit, lift.plan.number, lift.actual.number) == (
        "≥", 200.0, "台", 100.0, 46.0)
    assert lift.deviation.startswith("部分小区业主意见未统一")
    assert [i.level1 for i in f.indicators] == ["产出指标"] * 3 + ["效益指标", "满意度指标"]


def test_mixed_file_multi_year_declaration_jingan_2022():
    r = parse_file(FIXTURES / "jingan_2022_mixed.txt")
    decl, se = r.forms
    assert (decl.form_type.value, se.form_type.value) == ("declaration", "self_evaluation")
    assert decl.project_name == "静安区智慧养老平台建设"  # written on the line above its label
    assert any("标签上一行" in w.message for w in decl.warnings)
    assert (decl.year, decl.project_nature, decl.project_category, decl.end_date) == (2022, "新增项目", "项目类", "2024-12-31")
    assert decl.goal.overall.startswith("三年内建成覆盖全区的智慧养老平台")
    assert decl.goal.annual == decl.goal.expected == "2022年完成平台一期建设，接入养老机构20家。"
    rows = {row.key: row for row in decl.funds.rows}
    assert rows["project_total"].values["amount"].value == 300.0  # 3,000,000 元 = 300 万元
    assert rows["total"].values["amount"].value == 120.0
    assert [i.level1 for i in decl.indicators].count("成本指标") == 1
    cost = next(i for i in decl.indicators if i.level1 == "成本指标")
    assert (cost.target.op, cost.target.number, cost.target.unit) == ("≤", 120.0, "万元")
    assert (se.year, se.total_score, len(se.indicators)) == (2022, 100.0, 2)
    assert se.goal.expected == se.goal.actual
