"""Three faults the labelled fixture set found (bench/RESULTS.md, "Review"), each pinned on a small case."""

from __future__ import annotations

import copy
from pathlib import Path

from jixiao.forms import parse_file
from jixiao.forms.values import parse_value
from jixiao.review.engine import review
from jixiao.review.linking import project_ids

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _self_evaluation(project: str):
    return next(f for f in parse_file(EXAMPLES / "putuo_2024_self_evaluation.txt").forms if f.project_name == project)


def test_money_paid_does_not_answer_the_goal():
    f = _self_evaluation("新疆支青稳定专项经费")
    f.goal.actual = "按照区财政局要求编报2024年度项目预算，资金已全部拨付到位。"
    assert [x.code for x in review([f], only=["goal.actual_unresponsive"]).flags] == ["goal.actual_unresponsive"]
    f.goal.actual = "全年对新疆支青、异退人员结对帮扶126人次，已全部走访慰问，该群体总体稳定。"
    assert not review([f], only=["goal.actual_unresponsive"]).flags


def test_people_counted_in_名_or_人_is_one_target():
    se = _self_evaluation("新疆支青稳定专项经费")
    decl = copy.deepcopy(se)
    decl.form_type = decl.form_type.__class__("declaration")
    row = next(i for i in se.indicators if i.target and i.target.kind == "numeric" and i.target.unit != "%")
    row.target = parse_value(f"≥ {row.target.number:g}(名)")
    next(i for i in decl.indicators if i.name == row.name).target = parse_value(f"≥{row.target.number:.2f}(人)")
    assert not review([decl, se], only=["link.target_changed"]).flags


def test_a_project_renamed_between_its_forms_is_one_project():
    a = _self_evaluation("信息系统运维费")
    b = copy.deepcopy(a)
    b.form_type = b.form_type.__class__("declaration")
    b.project_name = "信息系统运维费项目"
    assert project_ids([a, b]) == [0, 0]
    assert not review([a, b], only=["goal.boilerplate_shared"]).flags
    b.unit = "上海市普陀区就业促进中心"  # another unit: another project, the same goal text
    assert review([a, b], only=["goal.boilerplate_shared"]).flags
