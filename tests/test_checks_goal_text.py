"""goal.template_text: slogans, goals of another level of government, declarations in the past tense."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import pytest

from jixiao.forms import parse_file
from jixiao.review.engine import review
from jixiao.review.settings import Settings, load_settings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CODE = "goal.template_text"


@lru_cache(maxsize=1)
def _samples():
    return tuple(f for p in sorted(EXAMPLES.glob("*.txt")) for f in parse_file(p).forms)


def _form(project: str, form_type: str):
    return copy.deepcopy(next(f for f in _samples() if f.project_name == project and f.form_type.value == form_type))


def _decl(goal: str):
    f = _form("征地养老管理信息系统(2024年运维)", "declaration")
    f.goal.annual = f.goal.expected = goal
    return f


def _se(goal: str, project: str = "信息系统运维费"):
    f = _form(project, "self_evaluation")
    f.goal.expected = goal
    return f


def _flags(form, settings: Settings | None = None):
    return review([form], settings=settings, only=[CODE], embed=lambda t: None).flags


def test_nothing_on_the_samples():
    assert not review(list(_samples()), only=[CODE], embed=lambda t: None).flags


@pytest.mark.parametrize("goal", ["通过项目实施，切实推动工作取得实效。",
                                  "进一步提高工作效率和服务水平，保障各项工作有序开展，促进事业健康发展。",
                                  "围绕中心工作，服务发展大局，推动各项工作再上新台阶。"])
def test_a_slogan_goal_is_high(goal):
    for form, label in ((_se(goal), "预期目标"), (_decl(goal), "年度总体目标")):
        (flag,) = _flags(form)
        assert flag.severity == "high" and label in flag.message and flag.evidence[0].label == label
        assert flag.evidence[0].text == goal and flag.evidence[0].line == form.goal.expected_line


def test_slogan_words_around_an_unrelated_remainder_are_medium():
    (flag,) = _flags(_se("按照区委区政府的决策部署，全力做好本职工作，确保各项工作落到实处。"))
    assert flag.severity == "medium" and "与项目名称和绩效指标均无关联" in flag.message


@pytest.mark.parametrize("project,goal", [
    ("公车购置经费", "购置公务用车"),
    ("信息系统运维费", "按计划完成事业人事信息系统及微信公众号运维服务，保障系统全年正常稳定运行。"),
    ("食堂运行经费", "保障食堂正常运行，按时为工作人员提供早、午饭。"),
    ("信息系统运维费", "通过项目实施，系统使用者抽样满意度达到90%，切实推动工作取得实效。"),
])
def test_a_concise_goal_naming_its_object_passes(project, goal):
    assert not _flags(_se(goal, project))


def test_the_threshold_is_a_setting():
    f = _form("宣传费", "declaration")
    f.goal.annual = f.goal.expected = "通过项目实施，做好社会保障政策宣传工作。"
    assert not _flags(f)  # "社会政策宣传" is left, and 宣传 is the project's own word
    values = load_settings().as_dict()
    values["template"]["slogan_max_chars"] = 6
    assert _flags(f, Settings(values, "test"))[0].severity == "high"


@pytest.mark.parametrize("goal", ["全省城镇新增就业11万人以上，推动全省就业形势总体稳定。",
                                  "指导全市各区做好职业技能培训工作，全年完成补贴性职业技能培训50万人次。",
                                  "全国城镇新增就业1200万人以上。"])
def test_a_district_goal_written_for_a_higher_level(goal):
    (flag,) = _flags(_se(goal))
    assert flag.severity == "medium" and "区级单位" in flag.message


@pytest.mark.parametrize("goal", ["按照全市统一部署，2024年完成本区补贴性职业技能培训1.2万人次。",
                                  "助力创建全国文明城区，确保本区就业工作走在全市前列，全年开展活动24场。",
                                  "帮扶本市户籍就业困难人员实现就业2200人。",
                                  "依据《中华人民共和国就业促进法》，维护劳动者和国家的合法权益，结案率98%。"])
def test_a_district_goal_citing_or_ranking_against_a_higher_level_passes(goal):
    assert not _flags(_se(goal))


def test_a_city_unit_may_speak_of_the_whole_city():
    f = _se("全市完成补贴性职业技能培训50万人次以上，职业技能等级认定合格率达85%。")
    f.unit, f.department = "上海市职业技能鉴定中心", "上海市人力资源和社会保障局"
    assert not _flags(f)
    f.goal.expected = "全国城镇新增就业1200万人以上。"
    assert "市级单位" in _flags(f)[0].message


@pytest.mark.parametrize("goal", ["本项目已于2024年3月完成运维服务招标，全年运维工作完成率100%，取得了良好成效。",
                                  "较好地完成了全年系统运维工作，系统使用人员满意度达90%。",
                                  "已按计划完成系统运维，系统运行稳定率99%。"])
def test_a_declaration_in_the_past_tense(goal):
    (flag,) = _flags(_decl(goal))
    assert flag.severity == "medium" and "已完成的口吻" in flag.message
    assert not _flags(_se(goal))  # on a self-evaluation the past is normal


@pytest.mark.parametrize("goal", ["在已完成一期建设的基础上，2024年完成平台二期开发，新增2个功能模块。",
                                  "2023年已完成档案数字化，2024年完成5000份档案数据校核。",
                                  "对已完成劳动能力鉴定的人员开展抽样回访，全年完成鉴定3000件。",
                                  "已完成系统招标，2024年将完成系统开发并上线运行，运维完成率100%。"])
def test_a_declaration_referring_to_earlier_work_passes(goal):
    assert not _flags(_decl(goal))


def test_id_is_stable_when_lines_move():
    a = _se("通过项目实施，切实推动工作取得实效。")
    b = copy.deepcopy(a)
    b.goal.expected_line = (b.goal.expected_line or 0) + 40
    b.source.first_line += 40
    assert _flags(a)[0].id == _flags(b)[0].id
