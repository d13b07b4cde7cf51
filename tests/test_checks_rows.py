"""The checks across rows: targets filled in from results, satisfaction at its floor, rows that contradict."""

from __future__ import annotations

from collections import defaultdict

import pytest

from jixiao.forms.models import Form, FormType, Indicator, Source
from jixiao.forms.values import parse_value
from jixiao.review.engine import review

TE, SF, RC = "indicator.target_equals_actual", "indicator.satisfaction_at_floor", "indicator.row_contradiction"


def _row(name, target, actual, level2="数量指标", weight=10.0, score=None, line=0, deviation=None):
    level1 = {"数量指标": "产出指标", "质量指标": "产出指标", "时效指标": "产出指标", "服务对象满意度指标": "满意度指标"}.get(level2, "效益指标")
    return Indicator(level1=level1, level2=level2, name=name, target=parse_value(target), actual=parse_value(actual),
                     weight=weight, score=weight if score is None else score, deviation=deviation, line=line)


def _form(rows, name="测试项目", unit="上海市某区测试中心", form_type=FormType.self_evaluation, first_line=10):
    for k, r in enumerate(rows):
        r.line = r.line or first_line + 1 + k
    return Form(form_type=form_type, year=2024, project_name=name, unit=unit, indicators=rows,
                source=Source(file="test.txt", first_line=first_line, last_line=first_line + len(rows) + 1))


def _flags(forms, code):
    return review(forms if isinstance(forms, list) else [forms], only=[code], embed=lambda t: None).flags


# --- target_equals_actual -----------------------------------------------------------------------

ODD = [("培训服务人次", "=1,286.00(人次)", "1,286.00(人次)"), ("举办招聘会场次", "=37.00(场)", "37.00(场)"),
       ("走访慰问困难家庭户数", "=214.00(户)", "214.00(户)"), ("受理政策咨询件数", "=563.00(件)", "563.00(件)")]


def test_odd_counts_met_to_the_digit_are_one_finding_listing_the_rows():
    form = _form([_row(*r) for r in ODD] + [_row("服务对象满意度", "≥90.00(%)", "95.00(%)", "服务对象满意度指标")])
    (f,) = _flags(form, TE)
    assert f.severity == "medium" and "1,286" in f.message and "倒填" in f.message
    rows = [e for e in f.evidence if e.label == "三级指标"]
    assert [e.line for e in rows] == [11, 12, 13, 14] and all(e.file == "test.txt" for e in f.evidence)
    assert {e.label for e in f.evidence} >= {"年度指标值", "实际完成值"}


def test_nearly_every_row_is_enough():
    rows = [_row(*r) for r in ODD] + [_row("发放宣传资料份数", "=431.00(份)", "431.00(份)"),
                                      _row("开展入户核查次数", "=803.00(次)", "809.00(次)")]
    assert len(_flags(_form(rows), TE)) == 1


@pytest.mark.parametrize("rows", [
    [("服务计划完成率", "=100.00(%)", "100.00(%)"), ("补贴发放覆盖率", "=100.00(%)", "100.00(%)"),
     ("人员到位率", "=100.00(%)", "100.00(%)"), ("有效投诉数量", "=0.00(起)", "0.00(起)"), ("系统稳定运行天数", "=365.00(天)", "365.00(天)")],
    [("培训班开展班次", "=40.00(班次)", "40.00(班次)"), ("高龄老人慰问人数", "=2,000.00(人)", "2,000.00(人)"),
     ("招聘活动开展次数", "=2.00(次)", "2.00(次)"), ("平台建立数量", "=1.00(套)", "1.00(套)"), ("宣传活动次数", "=12.00(次)", "12.00(次)")],
    [(n, t.replace("=", "≥"), a) for n, t, a in ODD],
    ODD[:3] + [("发放宣传资料份数", "=431.00(份)", "502.00(份)"), ("开展入户核查次数", "=803.00(次)", "866.00(次)"),
               ("办理业务笔数", "=2,317.00(笔)", "2,590.00(笔)"), ("补贴发放人数", "=96.00(人)", "121.00(人)")],
], ids=["full rates and zeros", "round and small plans", "floors met", "three of seven"])
def test_what_any_finished_project_reports_is_not_a_finding(rows):
    assert not _flags(_form([_row(*r) for r in rows]), TE)


def test_a_tracking_form_is_not_read():
    assert not _flags(_form([_row(*r) for r in ODD], form_type=FormType.tracking), TE)


# --- satisfaction_at_floor ----------------------------------------------------------------------

def _sat(name, target, actual, **kw):
    return _row(name, target, actual, "服务对象满意度指标", **kw)


def _unit(n_forms, at_floor, unit="上海市某区人社局"):
    forms = []
    for k in range(n_forms):
        actual = "90.00(%)" if k < at_floor else f"{95 + k % 5:.2f}(%)"
        forms.append(_form([_row("服务人次", "≥300.00(人次)", "320.00(人次)"), _sat("服务对象满意度", "≥90.00(%)", actual)],
                           name=f"项目{k:02d}", unit=unit, first_line=100 * k))
    return forms


def test_one_project_on_its_floor_is_not_reported():
    assert not _flags(_form([_sat("服务对象满意度", "≥90.00(%)", "90.00(%)")]), SF)
    assert not _flags(_unit(6, 1), SF)


def test_every_satisfaction_row_of_a_form_on_its_floor():
    form = _form([_sat("服务对象满意度", "≥90.00(%)", "90.00(%)"), _sat("参训人员满意度", "≥85.00(%)", "85.00(%)")])
    flags = _flags(form, SF)
    assert len(flags) == 2 and all("本表" in f.message for f in flags)
    assert all("服务对象满意度" in f.message and "参训人员满意度" in f.message for f in flags)
    # one of them above its floor: nothing recurs
    form.indicators[1].actual = parse_value("88.00(%)")
    assert not _flags(form, SF)


def test_a_unit_that_keeps_landing_on_its_floor():
    forms = _unit(15, 3)
    flags = _flags(forms, SF)
    assert sorted(f.project_name for f in flags) == ["项目00", "项目01", "项目02"]
    assert all(f.unit == "上海市某区人社局" and f.severity == "medium" and "3项恰为下限" in f.message for f in flags)
    f = next(f for f in flags if f.project_name == "项目00")
    assert "项目01" in f.message and "项目02" in f.message
    others = [e for e in f.evidence if e.label == "同样恰为下限的满意度"]
    assert [e.line for e in others] == [102, 202]
    assert not _flags(_unit(15, 2), SF)  # twice in fifteen: chance
    assert len(_flags(_unit(3, 2), SF)) == 2


def test_near_the_floor_or_a_strict_floor_is_not_on_it():
    forms = _unit(4, 0)
    for f in forms:
        f.indicators[1].actual = parse_value("92.30(%)")
    assert not _flags(forms, SF)
    strict = _form([_sat("服务对象满意度", ">90.00(%)", "90.00(%)"), _sat("参训人员满意度", ">85.00(%)", "85.00(%)")])
    assert not _flags(strict, SF)


def test_ids_do_not_depend_on_lines():
    a = {f.id for f in _flags(_unit(3, 2), SF)}
    moved = _unit(3, 2)
    for f in moved:
        for ind in f.indicators:
            ind.line += 7
    assert a == {f.id for f in _flags(moved, SF)}


# --- row_contradiction --------------------------------------------------------------------------

def _short(actual="22.00(班次)"):
    return _row("培训班开展班次", "=40.00(班次)", actual, score=5.5, deviation="部分课程延至次年")


def test_a_count_well_under_target_beside_its_completion_rate_at_100():
    form = _form([_short(), _row("培训班开展完成率", "=100.00(%)", "100.00(%)", "质量指标")])
    (f,) = _flags(form, RC)
    assert f.severity == "high" and "培训班开展班次" in f.message and "培训班开展完成率" in f.message and "55%" in f.message
    assert sorted({e.line for e in f.evidence}) == [11, 12]


def test_a_count_well_under_target_beside_its_timeliness():
    form = _form([_short(), _row("培训班开展及时性", "及时", "达成指标", "时效指标")])
    (f,) = _flags(form, RC)
    assert f.severity == "medium" and "培训班开展及时性" in f.message


@pytest.mark.parametrize("rows", [
    [_short(), _row("财务档案资料归档完成率", "=100.00(%)", "100.00(%)", "质量指标")],
    [_short(), _row("培训班开展完成率", "=100.00(%)", "55.00(%)", "质量指标", score=5.5, deviation="部分课程延期")],
    [_short(), _row("培训班开展质量合格率", "=100.00(%)", "100.00(%)", "质量指标")],
    [_short("38.00(班次)"), _row("培训班开展及时性", "及时", "达成指标", "时效指标")],
    [_row("仲裁文书寄送数量", "=12,000.00(份)", "5,000.00(份)", score=4.0), _row("仲裁文书复印完成及时性", "及时", "达成指标", "时效指标")],
], ids=["another object", "rate lost points too", "accuracy", "38 of 40", "寄送 is not 复印"])
def test_rows_that_can_all_be_true(rows):
    assert not _flags(_form(rows), RC)


def test_zero_improvement_with_full_marks():
    (f,) = _flags(_form([_row("业务办理效率提升率", "提升", "0.00(%)", "社会效益指标")]), RC)
    assert f.severity == "high" and "业务办理效率提升率" in f.message
    assert len(_flags(_form([_row("群众办事便利度提升幅度", "有所提高", "0", "社会效益指标")]), RC)) == 1


@pytest.mark.parametrize("row", [
    _row("业务办理效率提升率", "提升", "0.00(%)", "社会效益指标", score=0.0, deviation="尚在试运行"),
    _row("单位运行成本增长率", "≤5.00(%)", "0.00(%)", "经济成本指标"),
    _row("有效投诉数量", "=0.00(起)", "0.00(起)", "社会效益指标"),
    _row("投诉数量增长率", "有效控制", "0.00(%)", "社会效益指标"),
    _row("业务办理效率提升率", "≥5.00(%)", "0.00(%)", "社会效益指标"),  # indicator.score_inconsistent's finding
], ids=["points lost", "a cap on cost growth", "zero complaints", "complaints", "numeric target"])
def test_zeros_that_are_not_contradictions(row):
    assert not _flags(_form([row]), RC)


# --- the samples and the labelled set -----------------------------------------------------------

def test_on_the_samples_only_the_labelled_findings():
    from testkit.review_fixtures import sample_forms
    from testkit.review_fixtures_rows import REAL_LABELS
    from testkit.review_real import matches

    flags = review(sample_forms(), only=[TE, SF, RC], embed=lambda t: None).flags
    assert flags and all(any(matches(lab, f) and lab.truth for lab in REAL_LABELS) for f in flags)
    assert all(any(matches(lab, f) for f in flags) for lab in REAL_LABELS if lab.truth)


def test_plants_and_look_alikes_precision_and_recall():
    from bench.eval_review import _stats, evaluate_cases, pr
    from testkit.review_fixtures import form_cases
    from testkit.review_fixtures_rows import PLANTS, rows_corpus_cases

    stats = evaluate_cases(list(form_cases(PLANTS, 60)) + list(rows_corpus_cases()), embed=lambda t: None,
                           stats=defaultdict(_stats))
    for code in (TE, SF, RC):
        s = stats[code]
        assert s["positives"] >= 100 and s["lookalikes"] >= 150, (code, s)
        assert min(pr(s)) >= 0.9, (code, s["tp"], s["fn"], s["fp"])
