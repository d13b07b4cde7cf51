"""goal.project_mismatch: a goal that fits another project's name and table better than its own.

The rules on a handful of projects with a topic embedder (each text a vector of the topics its
words name, so the expected cosines are plain), and DOMAIN.md's real example with the real model.
Its time on 10,000 forms is measured in bench/bench_review.py, not asserted here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jixiao.forms import parse_file
from jixiao.forms.models import Form, FormType, Goal, Indicator, Source
from jixiao.review.engine import review

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CODE = "goal.project_mismatch"
TOPICS = [("运维", "系统"), ("慰问",), ("竞赛", "参赛"), ("装修", "加固", "工程"), ("热线", "来电")]
FORMULA = "保障项目顺利实施，提高资金使用效益，确保各项工作按时完成。"


def topic_embed(texts: list[str]) -> np.ndarray:
    """A little of everything (0.3) and 1 per topic the text names."""
    out = np.zeros((len(texts), 1 + len(TOPICS)), dtype=np.float32)
    out[:, 0] = 0.3
    for i, t in enumerate(texts):
        for k, words in enumerate(TOPICS):
            out[i, 1 + k] = float(any(w in t for w in words))
    return out / np.linalg.norm(out, axis=1, keepdims=True)


PROJECTS = {  # name: (unit, goal, indicator names)
    "信息系统运维费": ("信息中心", "按计划完成信息系统运维服务，保障系统全年稳定运行，系统故障及时修复，使用人员满意度不低于90%。",
                ["运维计划完成率", "系统故障修复及时率"]),
    "困难群众慰问经费": ("社会福利中心", "春节前走访慰问困难群众500户，慰问金和慰问品发放准确及时。", ["慰问户数", "慰问金发放准确率"]),
    "职业技能竞赛经费": ("就业促进中心", "全年举办职业技能竞赛10场，参赛选手不少于800人次，以赛促训。", ["竞赛场次", "参赛选手人次"]),
    "办公楼装修工程": ("机关事务中心", "完成办公楼加固装修，工程验收通过，消除房屋安全隐患。", ["装修工程完成率", "工程验收通过率"]),
    "就业服务热线经费": ("人力资源服务中心", "热线来电接通率不低于95%，来电诉求办结率100%，来电群众满意度不低于90%。",
                  ["热线接通率", "来电诉求办结率"]),
}


def form(name: str, unit: str, goal: str, rows: list[str], n: int) -> Form:
    """Form n: lines 10n+10 (name), 10n+13 (goal), 10n+15… (indicators) of f<n>.txt."""
    n += 1
    return Form(form_type=FormType.self_evaluation, year=2024, project_name=name, unit=unit,
                goal=Goal(expected=goal, expected_line=10 * n + 3),
                indicators=[Indicator(level1="产出指标", level2="数量指标", name=r, line=10 * n + 5 + k) for k, r in enumerate(rows)],
                source=Source(file=f"f{n - 1}.txt", first_line=10 * n, last_line=10 * n + 9))


def corpus(**goals: str) -> list[Form]:
    return [form(name, unit, goals.get(name, goal), rows, n) for n, (name, (unit, goal, rows)) in enumerate(PROJECTS.items())]


def found(forms: list[Form]) -> dict[str, str]:
    """Project → the project its goal is said to belong to."""
    flags = review(forms, only=[CODE], embed=topic_embed).flags
    return {f.project_name: f.projects[1].project_name for f in flags}


def test_honest_goals_are_not_reported():
    assert found(corpus()) == {}


def test_a_pasted_goal_is_reported_on_the_project_it_fits_worse_with_checkable_evidence():
    pasted = PROJECTS["信息系统运维费"][1]
    forms = corpus(就业服务热线经费=pasted)
    assert found(forms) == {"就业服务热线经费": "信息系统运维费"}  # not the other way round
    (f,) = review(forms, only=[CODE], embed=topic_embed).flags
    assert "就业服务热线经费的绩效目标" in f.message and "信息系统运维费" in f.message
    ev = {e.label.split("（")[0]: e for e in f.evidence}
    assert ev["预期目标"].text == pasted and (ev["预期目标"].file, ev["预期目标"].line) == ("f4.txt", 53)
    assert ev["本项目名称"].text == "就业服务热线经费" and ev["本项目名称"].value < 0.2
    assert ev["本项目与目标最接近的指标"].text.count("；") == 1 and ev["本项目与目标最接近的指标"].line in (55, 56)
    assert ev["更相符的项目"].text == "信息系统运维费" and ev["更相符的项目"].value > 0.8
    assert ev["该项目的目标"].text == pasted and ev["该项目的目标"].value == 1.0 and ev["该项目的目标"].line == 13
    assert all(e.file and e.line for e in f.evidence)


def test_a_goal_about_another_projects_work_is_reported_without_a_copy():
    # No copy of 信息系统运维费's goal, but its subject: that project's name, table and goal fit it.
    assert found(corpus(就业服务热线经费="做好系统运维，确保系统故障当日修复，运维服务全年不间断。")) == {"就业服务热线经费": "信息系统运维费"}


def test_generic_goals_and_formulas_are_not_reported():
    assert found(corpus(职业技能竞赛经费=FORMULA)) == {}  # fits no project: no project's goal speaks of it
    shared = {name: FORMULA for name in ("困难群众慰问经费", "职业技能竞赛经费", "办公楼装修工程")}
    assert found(corpus(**shared)) == {}  # a formula of three projects belongs to none (boilerplate_shared's finding)


def test_a_specific_goal_in_three_projects_is_reported_on_the_two_it_does_not_fit():
    pasted = PROJECTS["信息系统运维费"][1]
    assert found(corpus(就业服务热线经费=pasted, 困难群众慰问经费=pasted)) == {
        "就业服务热线经费": "信息系统运维费", "困难群众慰问经费": "信息系统运维费"}


def test_a_shared_goal_that_writes_one_holders_name_is_that_holders():
    # Two renovation projects: name and table fit the goal equally (the same topic), so the fits
    # cannot decide; the goal writes 宁夏路627号6幢, the name of one of them.
    rows = ["装修工程完成率", "工程验收通过率"]
    goal = "按计划加固宁夏路627号6幢房屋，完成外立面修缮及装修，工程验收通过，消除房屋安全隐患。"
    forms = corpus() + [form("宁夏路627号6幢房屋加固及外立面修缮", "机关事务中心", goal, rows, 5),
                        form("志丹路4号房屋加固及外立面修缮", "机关事务中心", goal, rows, 6)]
    (f,) = review(forms, only=[CODE], embed=topic_embed).flags
    assert f.project_name == "志丹路4号房屋加固及外立面修缮" and f.projects[1].project_name == "宁夏路627号6幢房屋加固及外立面修缮"
    named = next(e for e in f.evidence if e.label == "目标中写到的该项目名称")
    assert named.text == "宁夏路627号6幢房屋" and (named.file, named.line) == ("f6.txt", 73)
    assert "宁夏路627号6幢" in f.message
    # … and the goal it should have, writing its own name, stays unreported.
    own = goal.replace("宁夏路627号6幢", "志丹路4号")
    forms[-1] = form("志丹路4号房屋加固及外立面修缮", "机关事务中心", own, rows, 6)
    assert found(forms) == {}


def test_one_project_at_two_units_is_not_another_project():
    unit, goal, rows = PROJECTS["信息系统运维费"]
    forms = corpus() + [form("信息系统运维费", "另一单位", goal, rows, 9), form("就业服务热线经费", "另一单位", goal, ["运维计划完成率"], 8)]
    assert found(forms) == {"就业服务热线经费": "信息系统运维费"}  # the second unit's hotline project, not the twin


@pytest.fixture(scope="module")
def sample_flags():
    forms = [f for p in sorted(EXAMPLES.glob("*.txt")) for f in parse_file(p).forms]
    return review(forms, only=[CODE]).flags


def test_domain_example_is_found(sample_flags):
    # DOMAIN.md: 就业创业综合服务项目 carries, word for word, the goal of 信息系统运维费.
    (f,) = [f for f in sample_flags if f.project_name == "就业创业综合服务项目"]
    assert f.projects[1].project_name == "信息系统运维费"
    goal = next(e for e in f.evidence if e.label == "预期目标")
    assert goal.text.startswith("按计划完成事业人事信息系统及微信公众号运维服务") and goal.file.endswith("putuo_2024_self_evaluation.txt")
    other_goal = f.evidence[-1]
    assert other_goal.text == goal.text and other_goal.value == 1.0 and other_goal.line != goal.line
    assert not [f for f in sample_flags if f.project_name in ("信息系统运维费", "政府购买辅助服务", "残疾人就业保障金")]
