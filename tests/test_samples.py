"""The three real sample documents, read as a reviewer reads them (counts made by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.forms import parse_file
from jixiao.forms.taxonomy import TAXONOMY

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# (project name, indicator rows) in file order, counted by hand from the exports.
TRACKING = [("办公经费补贴", 10), ("残疾人就业保障金", 9), ("在职考核优秀行政奖励人员经费", 8), ("政府购买辅助服务", 12)]
DECLARATION = [
    ("征地养老费支出", 9), ("外省市差旅费", 8), ("政府购买辅助服务", 12), ("征地养老管理信息系统(2024年运维)", 9),
    ("鉴定、认定费", 8), ("城乡居民社会养老保险财政补助资金", 14), ("宣传费", 8), ("邮寄费", 6),
    ("工伤认定和劳动能力鉴定业务系统（2024年运维）", 10), ("征地养老慰问经费", 8), ("残疾人就业保障金", 9),
]
SELF_EVALUATION = [
    ("新疆支青稳定专项经费", 11), ("普陀区劳动关系信息管理平台建设项目", 10), ("信息系统运维费", 8),
    ("就业创业主题活动、促进就业工作专项", 17), ("仲裁院特保经费", 9), ("“靠谱职”就业服务信息化平台", 10),
    ("劳动监察业务经费", 8), ("人事管理业务经费", 10), ("援外干部工作经费", 5),
    ("宁夏路627号6幢房屋加固、外立面修缮及装修", 8), ("普陀区职业技能培训综合监管一件事运营平台建设项目", 6),
    ("志丹路4号房屋整体加固装修及外立面修缮", 7), ("普陀区构建和谐劳动关系经费", 18), ("劳动仲裁业务经费", 14),
    ("就业促进专项资金", 13), ("食堂运行经费", 11), ("普陀区事业单位人事管理信息系统等保测评购买服务项目", 5),
    ("就业创业综合服务项目", 8), ("征地养老费用", 17), ("公车购置经费", 5), ("社保管理中心异地调查、工伤鉴定费用", 11),
    ("人才服务专项资金", 6), ("人力资源公共服务中心办公场所改建项目", 3), ("机关事业单位退休人员管理活动费", 5),
]
CASES = {
    "minhang_2024_tracking.txt": ("tracking", TRACKING),
    "minhang_2024_declaration.txt": ("declaration", DECLARATION),
    "putuo_2024_self_evaluation.txt": ("self_evaluation", SELF_EVALUATION),
}


@pytest.fixture(scope="module")
def parsed():
    return {name: parse_file(EXAMPLES / name) for name in CASES}


@pytest.mark.parametrize("name", list(CASES))
def test_every_form_found_and_named(parsed, name):
    form_type, expected = CASES[name]
    result = parsed[name]
    assert not result.failed
    assert [(f.project_name, len(f.indicators)) for f in result.forms] == expected
    assert {f.form_type.value for f in result.forms} == {form_type}
    assert {f.year for f in result.forms} == {2024}


@pytest.mark.parametrize("name", list(CASES))
def test_levels_come_from_the_taxonomy(parsed, name):
    for form in parsed[name].forms:
        for ind in form.indicators:
            assert ind.level2 in TAXONOMY[ind.level1], (form.project_name, ind.line, ind.level1, ind.level2)
            assert ind.name, (form.project_name, ind.line)


@pytest.mark.parametrize("name", list(CASES))
def test_each_indicator_row_found_once(parsed, name):
    for form in parsed[name].forms:
        lines = [ind.line for ind in form.indicators]
        assert len(lines) == len(set(lines)), form.project_name
        assert all(form.source.first_line <= ln <= form.source.last_line for ln in lines)


def test_self_evaluation_scores_add_up(parsed):
    for form in parsed["putuo_2024_self_evaluation.txt"].forms:
        assert form.funds is not None and form.funds.score is not None, form.project_name
        total = form.funds.score + sum(ind.score for ind in form.indicators)
        assert total == pytest.approx(form.total_score, abs=0.005), form.project_name
        assert form.max_score == 100
        assert form.grade == "优"


def test_page_break_artefacts_mended(parsed):
    se = {f.project_name: f for f in parsed["putuo_2024_self_evaluation.txt"].forms}
    kaopu = se["“靠谱职”就业服务信息化平台"]
    assert [i.line for i in kaopu.indicators][-1] == 175  # line 176 repeats 175 after a page break
    assert any("176" in str(w) for w in kaopu.warnings) or any(w.line == 176 for w in kaopu.warnings)
    platform = se["普陀区职业技能培训综合监管一件事运营平台建设项目"]
    split = next(i for i in platform.indicators if i.name == "平台上线应用时间")
    assert (split.level1, split.level2, split.target.raw) == ("产出指标", "时效指标", "符合计划安排")
    missing_score = se["普陀区劳动关系信息管理平台建设项目"].funds
    assert missing_score.score == 9.45 and missing_score.score_derived
    assert se["新疆支青稳定专项经费"].source.first_line == 3  # titles repeated at 33 and 37 start no form


def test_shifted_and_label_less_rows(parsed):
    se = {f.project_name: f for f in parsed["putuo_2024_self_evaluation.txt"].forms}
    row27 = se["新疆支青稳定专项经费"].indicators[-1]
    assert (row27.name, row27.target.raw, row27.actual.raw, row27.weight, row27.score) == (
        "新疆支青、异退人员满意度", "≥80.00(%)", "95.00(%)", 3.0, 3.0)
    assert (row27.level1, row27.level2) == ("满意度指标", "服务对象满意度指标")
    zd = se["征地养老费用"]
    row543 = next(i for i in zd.indicators if i.line == 543)
    assert (row543.name, row543.target.raw) == ("满意度", "满意")
    row531 = next(i for i in zd.indicators if i.line == 531)
    assert row531.level1 == "成本指标" and any("产出指标" in n for n in row531.notes)
    decl = {f.project_name: f for f in parsed["minhang_2024_declaration.txt"].forms}
    last = decl["残疾人就业保障金"].indicators
    assert (last[-1].name, last[-1].target.raw, last[-1].level1) == ("受益人员满意度", "90%", "满意度指标")
    assert (last[0].name, last[1].level1, last[1].level2) == ("成本控制有效性", "产出指标", "数量指标")
    gov = decl["政府购买辅助服务"].indicators
    assert [(i.level1, i.level2) for i in gov if i.line in (73, 74, 76)] == [
        ("产出指标", "时效指标"), ("效益指标", "经济效益指标"), ("效益指标", "社会效益指标")]


def test_values_parsed(parsed):
    se = {f.project_name: f for f in parsed["putuo_2024_self_evaluation.txt"].forms}
    first = se["新疆支青稳定专项经费"].indicators[0]
    assert (first.target.op, first.target.number, first.target.unit) == ("≥", 90.0, "%")
    assert (first.actual.number, first.actual.unit) == (85.35, "%")
    assert first.deviation == "因客观原因,与新疆兵团合作交流活动不足"
    reached = se["新疆支青稳定专项经费"].indicators[3]
    assert reached.actual.achievement == "reached" and reached.target.kind == "qualitative"
    tr = {f.project_name: f for f in parsed["minhang_2024_tracking.txt"].forms}
    row = next(i for i in tr["办公经费补贴"].indicators if i.line == 21)
    assert (row.target.kind, row.plan.raw, row.actual.raw) == ("date", "11月底", "6月支付")
    row82 = next(i for i in tr["在职考核优秀行政奖励人员经费"].indicators if i.line == 82)
    assert row82.deviation.startswith("根据年度工作计划及疗休养人员报名情况安排批次")


def test_header_funds_goals(parsed):
    tr = parsed["minhang_2024_tracking.txt"].forms
    f = tr[2]
    assert (f.department, f.department_raw) == ("上海市闵行区人力资源和社会保障局", "上海市闵行区人力资源和社会保障局(汇总)")
    assert (f.unit, f.period_start, f.period_end) == ("上海市闵行区事业单位福利中心", "2024-01", "2024-08")
    total = f.funds.rows[0]
    assert total.key == "total" and total.values["spent"].value == 225.84
    assert f.funds.execution_rate == 43.97
    assert f.judgement.budget_completion == "确定能完成" and f.judgement.goal_completion == "确定能完成"
    assert f.goal.expected.startswith("通过开展对约800余名") and f.goal.actual.startswith("1-8月通过开展对579人")
    # The continuation page after form 2 is not a form of its own.
    assert len(tr) == 4 and tr[1].source.last_line == 63
    assert tr[1].corrective_measures.startswith("根据中心工作计划")
    assert tr[3].goal.expected == tr[3].goal.actual  # pasted promise, kept verbatim for review

    decl = parsed["minhang_2024_declaration.txt"].forms[0]
    assert (decl.project_nature, decl.project_category, decl.start_date, decl.end_date) == (
        "经常性项目", "特定目标类", "2024-01-01", "2024-12-31")
    rows = {r.key: r for r in decl.funds.rows}
    assert decl.funds.original_unit == "元" and decl.funds.unit == "万元"
    assert rows["total"].values["amount"].raw == "1,094,910,000.00"
    assert rows["total"].values["amount"].value == pytest.approx(109491.0)
    assert decl.goal.annual.startswith("落实市、区级文件要求") and decl.goal.expected == decl.goal.annual
    assert decl.goal.overall is None

    se = parsed["putuo_2024_self_evaluation.txt"].forms
    assert se[4].goal.expected is None and se[4].goal.actual is None  # 仲裁院特保经费 has no goal text
    jiuye = next(f for f in se if f.project_name == "就业促进专项资金")
    assert jiuye.funds.rows[0].values["budget_annual"].value == 4088.20
    assert "就业困难人员实现就业人数达2200人" in jiuye.goal.expected
