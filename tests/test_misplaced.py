"""indicator.misplaced's neighbour vote: other projects' filings of like-named rows, with the real model."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import numpy as np
import pytest

from jixiao.forms import parse_file
from jixiao.forms.models import Indicator
from jixiao.review.checks_misplaced import EXEMPLARS, _Name, _neighbours, _vote, category, exemplars, head
from jixiao.review.engine import review
from jixiao.review.evidence import normalise

SE = Path(__file__).resolve().parent.parent / "examples" / "putuo_2024_self_evaluation.txt"


@pytest.fixture(scope="module")
def base():
    return parse_file(SE).forms[0]


def _project(base, name: str, rows: list[tuple[str, str, str]]):
    form = copy.deepcopy(base)
    form.project_name, form.unit = name, f"{name}所在单位"
    form.indicators = [Indicator(level1=l1, level2=l2, name=n, line=100 + i) for i, (l1, l2, n) in enumerate(rows)]
    return form


def _misplaced(forms):
    return [f for f in review(forms, only=["indicator.misplaced"]).flags]


def test_a_row_filed_apart_from_its_neighbours_is_reported_with_them(base):
    others = [_project(base, f"社区宣传项目{i}", [("产出指标", "数量指标", name), ("效益指标", "社会效益指标", "居民知晓度提高")])
              for i, name in enumerate(["宣传资料发放份数", "宣传资料印发份数", "宣传折页发放份数", "宣传资料发放份数"])]
    odd = _project(base, "就业政策宣传", [("效益指标", "社会效益指标", "宣传资料发放份数"), ("产出指标", "数量指标", "政策宣讲场次")])
    flags = [f for f in _misplaced(others + [odd]) if f.project_name == "就业政策宣传"]
    assert len(flags) == 1, [f.message for f in flags]
    f = flags[0]
    assert "宣传资料发放份数" in f.message and "产出指标/数量指标" in f.message
    neighbours = [e for e in f.evidence if e.label.startswith("相近指标")]
    assert neighbours and all("产出指标/数量指标" in e.text for e in neighbours)
    assert all(e.file and e.line for e in neighbours)  # checkable: file and line (a reference name's too)
    listed = f.message.split("最相近的指标（")[1].split("）")[0]
    names_listed = re.sub(r"等\d+个$", "", listed).split("、")
    assert 1 <= len(names_listed) <= 3 and all(n in {e.text.split("（")[0] for e in neighbours} for n in names_listed), listed
    # the four projects that file it as a count are not reported
    assert not [f for f in _misplaced(others + [odd]) if f.project_name != "就业政策宣传"]


def test_a_different_measured_word_does_not_vote(base):
    """宣传活动内容 (a quality) sits near 宣传活动开展次数 (a count) in embedding space; it is not misfiled."""
    others = [_project(base, f"宣传项目{i}", [("产出指标", "数量指标", "宣传活动开展次数")]) for i in range(5)]
    row = _project(base, "宣传内容项目", [("产出指标", "质量指标", "宣传活动内容")])
    assert not [f for f in _misplaced(others + [row]) if f.project_name == "宣传内容项目"]


def test_a_project_never_votes_for_itself(base):
    """Only the row's own project files the name: nobody else votes, so nothing is reported."""
    alone = _project(base, "孤立项目", [("效益指标", "社会效益指标", "职业技能鉴定考点巡查次数")] * 1)
    assert not _misplaced([alone])


def test_name_rules_still_work_without_a_corpus(base):
    form = _project(base, "单表项目", [("产出指标", "数量指标", "参训学员满意度")])
    (f,) = _misplaced([form])
    assert "满意度指标" in f.message


def test_exemplars_are_all_in_the_taxonomy_unique_and_located():
    rows = exemplars()
    assert len(rows) >= 80
    assert all(category(l1, l2) for _, l1, l2, _ in rows)
    keys = [normalise(n) for n, _, _, _ in rows]
    assert len(keys) == len(set(keys))
    lines = EXEMPLARS.read_text(encoding="utf-8").splitlines()
    assert all(line > 0 and f'"{name}"' in lines[line - 1] for name, _, _, line in rows)  # evidence a reviewer can open


def test_head_is_the_measured_word():
    assert head("就业保障金发放准确率") != head("就业保障金发放完成率")
    assert head("检查人力资源服务机构数") == head("培训班次") == head("参赛选手人次") == "数量"  # …数 is a count
    assert head("系统稳定运行天数") != "数量" and head("物业服务考核分数") != "数量"  # a span, a score
    assert head("参训学员满意度") == head("服务对象满意度")
    assert head("长效管理机制建立健全情况") == "健全情况"
    # people who found work or benefited are an outcome, not an output count (慰问人数)
    assert head("失业人员实现再就业人数") == head("项目受益人数") == head("事业单位成功招聘人数") != head("高龄老人慰问人数")
    assert head("有责投诉数") == head("全年重大故障数") != head("宣传活动开展次数")  # events that should not happen
    # a rate or a property is its last three characters; 保障 names no measure by itself
    assert head("预算执行率") != head("系统正常运行率") and head("制度健全性") != head("信息安全性")
    assert head("雇员队伍稳定性保障") != head("援外干部工作保障") != head("符合信息安全保障")


def test_a_time_or_deadline_outside_its_category_is_reported_by_name(base):
    """Names that measure a time (…时间, …时限, 按时…率) are 时效指标 in every sample; no vote needed."""
    rows = [("产出指标", "质量指标", "故障响应时间"), ("产出指标", "数量指标", "见习补贴按时发放率"),
            ("产出指标", "质量指标", "来电诉求答复时限"), ("产出指标", "时效指标", "慰问金发放时间"),
            ("产出指标", "质量指标", "系统故障修复及时率"), ("产出指标", "质量指标", "时间管理培训覆盖率")]
    flags = _misplaced([_project(base, "热线运营项目", rows)])
    named = sorted(f.message.split("“")[1].split("”")[0] for f in flags)
    assert named == ["故障响应时间", "来电诉求答复时限", "系统故障修复及时率", "见习补贴按时发放率"], [f.message for f in flags]
    assert all("应属产出指标/时效指标" in f.message and f.evidence[0].line >= 100 for f in flags)


def test_neighbours_share_the_measured_word_and_the_vote_counts_other_projects():
    """Neighbours come from names of the row's own measured word, however far; each other project
    counts once per name (a plain count over sets, with the voters capped, gives the same votes)."""
    keys = ["培训人次", "举办活动场次", "培训合格率", "学员满意度"]
    vecs = np.array([[1, 0, 0], [0.3, 0.95, 0], [0.99, 0.1, 0], [0, 0, 1]], dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    scores, ids = _neighbours(vecs, 3, [head(k) for k in keys])
    assert set(ids[0][ids[0] >= 0].tolist()) == {0, 1}  # 培训合格率 is nearer, but a rate
    names = {k: _Name(k) for k in keys}
    names["培训人次"].owners["产出指标/数量指标"] |= {"A", "own"}
    names["举办活动场次"].owners["产出指标/数量指标"] |= {f"P{i}" for i in range(200)} | {"own"}
    names["举办活动场次"].owners["效益指标"] |= {"B"}
    votes, voters, _ = _vote(0, "own", scores, ids, keys, names, 0.0)
    cos01 = float(vecs[0] @ vecs[1])
    assert votes["产出指标/数量指标"] == pytest.approx(1.0 * 1 + cos01 * 200, rel=1e-5)
    assert votes["效益指标"] == pytest.approx(cos01, rel=1e-5)
    assert "own" not in voters and 2 <= len(voters) <= 50
