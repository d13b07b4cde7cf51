"""Parse fidelity on what real exports do (issue 12): one defect per case, in a sample form.

Each case is a sample form with one row edited the way exports break it (DOMAIN.md, "What text
exports of these tables look like"). The reading must equal the clean one, or the parser must warn
with the line when the form itself does not say what was meant. The year taken from a period line,
a title or a file name for tracking forms is in tests/test_period.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.compare import form_summary
from jixiao.forms import parse_text

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _first_form(name: str, end_label: str) -> list[str]:
    lines = (EXAMPLES / name).read_text(encoding="utf-8").split("\n")
    end = next(i for i, line in enumerate(lines) if line.startswith(end_label))
    return lines[:end + 2]


SELF = _first_form("putuo_2024_self_evaluation.txt", "总分")  # 新疆支青稳定专项经费, 11 rows
TRACK = _first_form("minhang_2024_tracking.txt", "纠偏措施")  # 办公经费补贴, 10 rows


def _line(lines: list[str], name: str) -> int:
    return next(i for i, line in enumerate(lines) if name in line.split("\t") or name in line)


def _edit(lines: list[str], name: str, cells: list[str]) -> tuple[str, int]:
    """The form with the row holding `name` replaced; returns the text and the row's line number."""
    i = _line(lines, name)
    out = list(lines)
    out[i] = "\t".join(cells)
    return "\n".join(out), i + 1


def _read(text: str, file: str = "form.txt"):
    (form,) = parse_text(text, file).forms
    return form


def _same_as_clean(lines: list[str], text: str) -> None:
    assert form_summary(_read(text)) == form_summary(_read("\n".join(lines)))


# --- a row shifted one column from its neighbours ---------------------------------------------

SHIFTED_SELF = {
    # [level2, "", name-in-target-col, target-in-actual-col, …]
    "name in the target column": ("帮困对象准确性", ["", "质量 指标", "", "帮困对象准确性", "准确", "达成指标", "10.00", "10.00"]),
    "whole row one column right": ("新疆支青、异退人员群体社会稳定性",
                                   ["", "", "", "新疆支青、异退人员群体社会稳定性", "稳定", "达成指标", "10.00", "10.00"]),
    "row one column left (name in the level-2 column)": ("结对帮扶工作开展规范性",
                                                       ["", "结对帮扶工作开展规范性", "规范", "达成指标", "10.00", "10.00"]),
    "name in the level-1 column": ("结对帮扶工作开展规范性", ["结对帮扶工作开展规范性", "规范", "达成指标", "10.00", "10.00"]),
    "values one column right": ("结对帮扶工作开展规范性", ["", "", "结对帮扶工作开展规范性", "", "规范", "达成指标", "10.00", "10.00"]),
    "numeric row, values one column right": ("预算执行率", ["成本 指标", "经济 成本 指标", "预算执行率", "", "≥90.00(%)", "85.35(%)",
                                                       "5.00", "4.00", "因客观原因,与新疆兵团合作交流活动不足"]),
}


@pytest.mark.parametrize("case", list(SHIFTED_SELF))
def test_shifted_self_evaluation_row_is_recovered(case):
    name, cells = SHIFTED_SELF[case]
    text, _ = _edit(SELF, name, cells)
    _same_as_clean(SELF, text)


SHIFTED_TRACK = {
    "name in the target column": ("培训班开展班次", ["", "", "数量指标", "", "培训班开展班次", "=40.00(班次)", "40.00", "42", ""]),
    "row one column left": ("培训班开展班次", ["", "数量指标", "培训班开展班次", "=40.00(班次)", "40.00", "42"]),
    "target in the plan column": ("培训班开展班次", ["", "", "数量指标", "培训班开展班次", "", "=40.00(班次)", "40.00", "42"]),
    "text row, name in the target column": ("活动场所满足学习活动需求",
                                            ["", "", "质量指标", "", "活动场所满足学习活动需求", "满足", "满足", "满足"]),
}


@pytest.mark.parametrize("case", list(SHIFTED_TRACK))
def test_shifted_tracking_row_is_recovered(case):
    name, cells = SHIFTED_TRACK[case]
    text, _ = _edit(TRACK, name, cells)
    _same_as_clean(TRACK, text)


def test_text_values_one_column_right_are_aligned_by_content_and_noted():
    # 满足 ⇥ 满足 ⇥ 满足 under 计划完成值, 实际完成值, 偏差原因: by position the target would be empty
    # and the deviation "满足"; a form always states a target, so the row is read by content.
    text, line = _edit(TRACK, "活动场所满足学习活动需求",
                       ["", "", "质量指标", "活动场所满足学习活动需求", "", "满足", "满足", "满足"])
    _same_as_clean(TRACK, text)
    ind = next(i for i in _read(text).indicators if i.line == line)
    assert (ind.target.raw, ind.plan.raw, ind.actual.raw, ind.deviation) == ("满足", "满足", "满足", None)
    assert any("错开一列" in n for n in ind.notes)


def test_lost_name_with_the_target_in_the_name_column_is_warned_with_its_line():
    # The name cell is empty and 规范 (the target) stands where the name was: the row cannot say
    # whether 规范 is a name with no target or a target with no name, so the reader is told where.
    text, line = _edit(SELF, "结对帮扶工作开展规范性", ["", "", "规范", "达成指标", "10.00", "10.00"])
    form = _read(text)
    assert len(form.indicators) == 11
    assert [w.line for w in form.warnings if "年度指标值" in w.message] == [line]


def test_missing_name_is_warned_with_its_line():
    text, line = _edit(TRACK, "培训班开展班次", ["", "", "数量指标", "", "=40.00(班次)", "40.00", "42", ""])
    form = _read(text)
    row = next(i for i in form.indicators if i.line == line)
    assert (row.name, row.target.raw, row.plan.raw, row.actual.raw) == ("", "=40.00(班次)", "40.00", "42")
    assert any(w.line == line and "名称" in w.message for w in form.warnings)


def test_clean_samples_carry_no_target_warning():
    for lines in (SELF, TRACK):
        assert not any("年度指标值" in w.message for w in _read("\n".join(lines)).warnings)


# --- a level-1 cell left empty on the first row of a block ------------------------------------

LEVEL1_EMPTY = {
    "first row of a later block": ("帮困工作完成及时性", ["", "社会效益 指标", "帮困工作完成及时性", "及时", "达成指标", "10.00", "10.00"],
                                   "效益指标"),
    "first row of the table": ("预算执行率", ["", "经济 成本 指标", "预算执行率", "≥90.00(%)", "85.35(%)", "5.00", "4.00",
                                            "因客观原因,与新疆兵团合作交流活动不足"], "成本指标"),
    "satisfaction block": ("维稳工作机制", ["", "服务对象满意度指标", "维稳工作机制", "健全", "达成指标", "2.00", "2.00"], "满意度指标"),
}


@pytest.mark.parametrize("case", list(LEVEL1_EMPTY))
def test_empty_level1_on_a_block_first_row_is_recovered_and_noted(case):
    name, cells, level1 = LEVEL1_EMPTY[case]
    text, line = _edit(SELF, name, cells)
    _same_as_clean(SELF, text)
    form = _read(text)
    ind = next(i for i in form.indicators if i.line == line)
    assert ind.level1 == level1
    assert any(n.startswith("未填一级指标") and level1 in n for n in ind.notes)
    # the rows below inherit the repaired level 1, with no note of their own
    below = [i for i in form.indicators if i.line > line and i.level1 == level1]
    assert not any("未填一级指标" in n for i in below for n in i.notes)


def test_empty_level1_in_a_tracking_form():
    text, line = _edit(TRACK, "培训班开展班次", ["", "", "数量指标", "培训班开展班次", "=40.00(班次)", "40.00", "42", ""])
    _same_as_clean(TRACK, text)
    ind = next(i for i in _read(text).indicators if i.line == line)
    assert ind.level1 == "产出指标" and any("未填一级指标（上一行为“成本指标”）" in n for n in ind.notes)


def test_rows_under_a_shown_level1_carry_no_note():
    form = _read("\n".join(SELF))
    assert not any("未填一级指标" in n for i in form.indicators for n in i.notes)


# --- the year ---------------------------------------------------------------------------------

def _without_year(lines: list[str]) -> str:
    return "\n".join(line for line in lines if line.strip() != "(2024年度)")


def test_self_evaluation_year_from_the_file_name():
    form = _read(_without_year(SELF), "putuo_2023_self_evaluation.txt")
    assert form.year == 2023
    assert any("文件名" in w.message and w.line for w in form.warnings)


def test_self_evaluation_year_in_the_title_line():
    text = _without_year(SELF).replace("## 财政项目支出绩效自评表", "## 2022年度财政项目支出绩效自评表")
    assert _read(text).year == 2022


def test_no_year_anywhere_is_warned():
    form = _read(_without_year(SELF), "self_evaluation.txt")
    assert form.year is None
    assert [w.line for w in form.warnings if "年度未读取" in w.message] == [form.source.first_line]


# --- template variants of other provinces -------------------------------------------------------

def test_level1_label_with_its_points():
    # "产出指标(50分)" (Anhui, Sichuan templates) is the label 产出指标
    text, line = _edit(SELF, "预算执行率", ["成本指标(10分)", "经济 成本 指标", "预算执行率", "≥90.00(%)", "85.35(%)", "5.00", "4.00",
                                             "因客观原因,与新疆兵团合作交流活动不足"])
    _same_as_clean(SELF, text)
    text, _ = _edit(SELF, "帮困工作完成及时性", ["效益指标（30分）", "社会效益 指标", "帮困工作完成及时性", "及时", "达成指标", "10.00", "10.00"])
    _same_as_clean(SELF, text)


def test_template_slots_are_not_indicators():
    lines = list(SELF)
    i = _line(lines, "结对帮扶工作完成率")
    lines[i:i] = ["\t\t指标2\t\t\t\t", "\t\t……\t\t\t\t", "\t\t指标3:\t/\t/\t/\t/"]
    form = _read("\n".join(lines))
    assert form_summary(form) == form_summary(_read("\n".join(SELF)))
    assert not any("指标2" in w.message or "……" in w.message for w in form.warnings)


def test_template_number_before_a_name_is_dropped_and_noted():
    text, line = _edit(SELF, "帮困对象准确性", ["", "质量 指标", "指标1:帮困对象准确性", "准确", "达成指标", "10.00", "10.00"])
    _same_as_clean(SELF, text)
    ind = next(i for i in _read(text).indicators if i.line == line)
    assert ind.name == "帮困对象准确性" and any("模板编号“指标1:”" in n for n in ind.notes)
