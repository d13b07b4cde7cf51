"""Template variants real forms show beyond the shipped samples (small inline exports)."""

from jixiao.forms import parse_text
from jixiao.forms.layout import detect_title
from jixiao.forms.models import FormType
from jixiao.forms.textio import split_line

T = "\t"


def _rows(*rows) -> str:
    return "\n".join(T.join(r) if isinstance(r, (list, tuple)) else r for r in rows) + "\n"


def test_title_spellings():
    cases = {
        "财政项目支出绩效自评表": FormType.self_evaluation,
        "2025年度项目支出绩效目标申报表": FormType.declaration,
        "项目支出绩效目标表": FormType.declaration,
        "财政项目支出绩效跟踪监控表": FormType.tracking,
        '<h3 style="x">财政项目支出绩效运行监控表</h3>': FormType.tracking,
        "## 项目绩效自评表": FormType.self_evaluation,
    }
    for text, form_type in cases.items():
        assert detect_title(split_line(1, text))[0] == form_type, text
    for text in ("上海市闵行区社会保障服务中心2024年度项目绩效目标汇总表", "绩效自评表填报说明", "项目名称"):
        assert detect_title(split_line(1, text)) is None, text
    assert detect_title(split_line(1, "2025年度项目支出绩效目标申报表"))[1] == 2025


def test_funds_row_with_blank_cell_and_unknown_column():
    text = _rows(
        "财政项目支出绩效自评表", "(2023年度)",
        ["项目名称", "", "测试项目"],
        ["主管部门", "[305]上海市测试局(汇总)", "", "实施单位", "305001 上海市测试中心"],
        ["项目资金(万元)", "", "年初预算数", "全年预算数", "全年执行数", "分数", "执行率(%)", "得分"],
        ["", "年度资金总额", "100.00", "", "80.00", "10.00", "80.00", "8.00"],
        ["一级指标", "二级指标", "指标名称", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析"],
        ["产出指标", "数量指标", "培训人次", "≥100人次", "120人次", "90.00", "90.00", ""],
        ["总分", "", "", "", "100.00", "98.00"],
    )
    (f,) = parse_text(text, "t.txt").forms
    total = f.funds.rows[0].values
    assert [k for k in total] == ["budget_initial", "spent", "weight", "execution_rate", "score"]
    assert total["spent"].value == 80.0 and f.funds.score == 8.0
    assert any("按位置对齐" in w.message for w in f.warnings)
    assert (f.department, f.unit) == ("上海市测试局", "上海市测试中心")
    (ind,) = f.indicators
    assert (ind.name, ind.target.op, ind.target.number, ind.target.unit, ind.weight) == ("培训人次", "≥", 100.0, "人次", 90.0)


def test_tracking_with_extra_funds_column_and_no_title():
    text = _rows(
        ["项目名称", "", "无标题项目"],
        ["预算执行情况(万元)", "", "年初预算数", "跟踪期预算数", "跟踪期执行数", "执行率(%)", "全年预计执行数"],
        ["", "年度资金总额", "50.00", "40.00", "10.00", "25.00", "48.00"],
        ["年度总体目标", "预期目标", "", "跟踪期实际完成情况"],
        ["", "完成全年培训12期。", "", "完成培训3期。"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "跟踪期计划完成值", "跟踪期实际完成值", "偏差原因分析"],
        ["产出指标", "数量指标", "培训期数", "=12.00(期)", "6", "3", "场地改造延期"],
        ["绩效跟踪总体判断", "", "年度项目预算完成可能性", "确定能完成"],
    )
    (f,) = parse_text(text, "t.txt").forms
    assert f.form_type == FormType.tracking  # told by its columns
    assert f.funds.rows[0].values["全年预计执行数"].value == 48.0
    assert f.funds.execution_rate == 25.0
    ind = f.indicators[0]
    assert (ind.plan.number, ind.actual.number, ind.deviation) == (6.0, 3.0, "场地改造延期")
    assert (f.goal.expected, f.goal.actual) == ("完成全年培训12期。", "完成培训3期。")


def test_continuation_page_without_project_name_and_orphans():
    text = _rows(
        "财政项目支出绩效目标申报表", "(2024年度)",
        ["项目名称", "甲项目"],
        ["项目资金(元)", "项目资金总额", "", "年度资金申请总额", "10000.00"],
        ["一级指标", "二级指标", "三级指标", "年度(/项目)指标值"],
        ["产出指标", "数量指标", "甲指标一", "=1.00(个)"],
        "",
        "财政项目支出绩效目标申报表", "(2024年度)",
        ["", "", "甲指标二", "=2.00(个)"],
        ["满意度指标", "服务对象满意度指标", "甲满意度", "≥90%"],
    )
    r = parse_text(text, "t.txt")
    (f,) = r.forms
    assert [i.name for i in f.indicators] == ["甲指标一", "甲指标二", "甲满意度"]
    assert f.indicators[1].level2 == "数量指标"
    assert any("续页" in w.message for w in f.warnings)
    orphan = parse_text(_rows(["", "", "孤立指标", "=2.00(个)"], ["总分", "90"]), "o.txt")
    assert orphan.failed and not orphan.forms
