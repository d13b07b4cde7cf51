"""Three measured sources of false flags (issue 11): a per-period count read as a yearly one, a count
of people under 效益 voted out by output counts (and misplaced flags that come and go with unrelated
forms), and tables "copied" through the rows every form carries."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from jixiao.forms import parse_file, parse_text
from jixiao.forms.models import Indicator
from jixiao.forms.values import parse_value
from jixiao.review.engine import review
from jixiao.review.settings import load_settings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SE = EXAMPLES / "putuo_2024_self_evaluation.txt"


@pytest.fixture(scope="module")
def base():
    return parse_file(SE).forms[0]


@pytest.fixture(scope="module")
def samples():
    return [f for p in sorted(EXAMPLES.glob("*.txt")) for f in parse_file(p).forms]


# --- goal.numbers_mismatch: quantities per period --------------------------------------------------

def _goal_form(base, goal: str, rows: list[tuple[str, str]]):
    form = copy.deepcopy(base)
    form.project_name = "办公楼物业保洁服务费"
    form.goal.expected, form.goal.actual = goal, "已按计划完成。"
    form.indicators = [Indicator(level1="产出指标", level2="数量指标", name=n, target=parse_value(t), line=100 + i)
                       for i, (n, t) in enumerate(rows)]
    return form


def _numbers(form):
    return review([form], only=["goal.numbers_mismatch"]).flags


@pytest.mark.parametrize("target, flagged", [("=4.00(次)", False), ("≥4.00(次)", False), ("=1.00(次)", False), ("=6.00(次)", True)])
def test_a_quarterly_count_is_four_a_year(base, target, flagged):
    form = _goal_form(base, "通过政府采购确定物业服务单位，每季度开展1次病媒消杀，保障办公环境整洁卫生。", [("病媒消杀次数", target)])
    flags = _numbers(form)
    assert bool(flags) == flagged, [f.message for f in flags]
    if flagged:
        assert "每季度开展1次病媒消杀" in flags[0].message and "全年 4次" in flags[0].message


@pytest.mark.parametrize("goal, target, flagged", [
    ("每月开展2次消防安全检查", "=24.00(次)", False), ("每月开展2次消防安全检查", "=12.00(次)", True),
    ("每半年开展1次消防安全检查", "=2.00(次)", False), ("每周开展1次消防安全检查", "=52.00(次)", False),
    ("每两月开展1次消防安全检查", "=6.00(次)", False), ("每年开展2次消防安全检查", "=3.00(次)", True),
    ("全年开展2次消防安全检查", "=3.00(次)", True),
    # the yearly number is unknown (365 days or working days? per what total?): not compared
    ("每日开展1次消防安全检查", "=250.00(次)", False), ("每场开展1次消防安全检查", "=12.00(次)", False),
])
def test_per_period_quantities(base, goal, target, flagged):
    flags = _numbers(_goal_form(base, goal + "，保障办公安全。", [("消防安全检查次数", target)]))
    assert bool(flags) == flagged, [f.message for f in flags]


def test_no_per_period_mismatch_on_the_samples(samples):
    flags = review(samples, only=["goal.numbers_mismatch"]).flags
    assert flags and not [f for f in flags if re.search(r"每(月|季|半年|周|两月|年)", f.message)]


# --- indicator.misplaced: counts of people under 效益 --------------------------------------------------

def _project(base, name: str, rows: list[tuple[str, str, str]]):
    form = copy.deepcopy(base)
    form.project_name, form.unit = name, f"{name}所在单位"
    form.indicators = [Indicator(level1=l1, level2=l2, name=n, line=100 + i) for i, (l1, l2, n) in enumerate(rows)]
    return form


OUTPUT_COUNTS = ["高龄老人慰问人数", "案件处理辅助人员聘请数量", "购买雇员数量", "培训人次", "发放补贴人数", "资助学生人数"]


def test_people_counts_under_social_benefit_are_not_voted_out(base):
    others = [_project(base, f"服务项目{i}", [("产出指标", "数量指标", n), ("产出指标", "数量指标", OUTPUT_COUNTS[(i + 1) % 6])])
              for i, n in enumerate(OUTPUT_COUNTS)]
    rows = [("效益指标", "社会效益指标", n) for n in ("失业人员实现再就业人数", "就业困难人员实现就业人数", "项目受益人数", "参加招聘会人次")]
    outcome = _project(base, "就业促进专项资金", rows + [("效益指标", "社会效益指标", "宣传资料发放份数")])
    flags = [f for f in review(others + [outcome], only=["indicator.misplaced"]).flags if f.project_name == "就业促进专项资金"]
    named = {f.message.split("“")[1].split("”")[0] for f in flags}
    assert not named & {n for _, _, n in rows}, named


def test_an_output_count_under_social_benefit_is_still_reported(base):
    """The control: a count of things delivered, filed as a benefit among projects that file it as an output."""
    others = [_project(base, f"社区宣传项目{i}", [("产出指标", "数量指标", n)])
              for i, n in enumerate(["宣传资料发放份数", "宣传资料印发份数", "宣传折页发放份数", "宣传资料发放份数"])]
    odd = _project(base, "就业政策宣传", [("效益指标", "社会效益指标", "宣传资料发放份数"), ("效益指标", "社会效益指标", "实现就业人数")])
    flags = [f for f in review(others + [odd], only=["indicator.misplaced"]).flags if f.project_name == "就业政策宣传"]
    assert [f.message.split("“")[1].split("”")[0] for f in flags] == ["宣传资料发放份数"]


def _kind(name: str) -> str:
    """The measured word, told apart here without the check's own head(): counts are one kind, else
    the last three characters of the name (准确性, 结案率, 保障情况 → 障情况)."""
    n = re.sub(r"[^\u4e00-\u9fff]+$", "", re.sub(r"[\s()（）]", "", name))
    return "count" if re.search(r"(数量|[^指分系倍参函天]数|人次|场次|班次)$", n) else n[-3:]


def _row_name(f) -> str:
    return f.message.split("“")[1].split("”")[0]


def test_misplaced_flags_on_the_samples_are_stable_when_unrelated_forms_are_added(samples):
    """Samples alone vs samples + 600 generated forms of other projects: a flag on a sample form that
    only the larger corpus raises is voted by neighbours of the row's own measured kind; a flag of the
    samples alone that the larger corpus drops is one whose kind the added projects file under the
    row's own category (they voted it back)."""
    from testkit.synth import generate_corpus
    from jixiao.review.checks_misplaced import _compatible, _names, _neighbours, _vote, category, head
    from jixiao.review.engine import default_embed
    from jixiao.review.evidence import normalise, project_key

    generated = [f for text, _ in generate_corpus(600, seed=7) for f in parse_text(text, "generated.txt").forms]
    sample_files = {f.source.file for f in samples}
    alone = {f.id: f for f in review(samples, only=["indicator.misplaced"]).flags}
    larger = {f.id: f for f in review(samples + generated, only=["indicator.misplaced"]).flags
              if f.evidence[0].file in sample_files}
    assert alone and not any("实现再就业人数" in f.message for f in list(alone.values()) + list(larger.values()))
    for f in larger.values():
        if f.id in alone:
            continue
        neighbours = [e.text.rsplit("（", 1)[0] for e in f.evidence if e.label.startswith("相近指标")]
        assert neighbours and all(_kind(n) == _kind(_row_name(f)) for n in neighbours), (f.message, neighbours)
    dropped = [f for i, f in alone.items() if i not in larger]
    if not dropped:
        return
    s = load_settings()
    corpus = samples + generated
    names = _names(corpus)
    keys = list(names)
    scores, ids = _neighbours(default_embed([names[k].text for k in keys]), s["indicator.misplaced_k"], [head(k) for k in keys])
    added = {project_key(g) for g in generated}
    rows = {(f.source.file, i.line, i.name): (f, i) for f in samples for i in f.indicators}
    for f in dropped:
        form, ind = rows[(f.evidence[0].file, f.evidence[0].line, _row_name(f))]
        own = category(ind.level1, ind.level2)
        _, _, support = _vote(keys.index(normalise(ind.name)), project_key(form), scores, ids, keys, names,
                              s["indicator.misplaced_min_cosine"])
        assert any(_compatible(own, cat) and names[keys[v]].owners[cat] & added and _kind(keys[v]) == _kind(ind.name)
                   for v, cat, _ in support), f.message


# --- indicator.table_copied: rows every form carries, and the unit that copies ------------------------

CARRIED = [("成本指标", "经济成本指标", "预算资金执行率", "≥95.00(%)"), ("成本指标", "经济成本指标", "成本控制有效性", "有效控制在标准内"),
           ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90.00(%)"), ("满意度指标", "服务对象满意度指标", "社会公众满意度", "≥85.00(%)")]


def _decl(name: str, unit: str, rows: list[tuple[str, str, str, str]]) -> str:
    lines = [f"\t{l1}\t{l2}\t{n}\t{t}" for l1, l2, n, t in rows]
    return "\n".join(["财政项目支出绩效目标申报表", "(2024年度)", f"项目名称\t{name}", f"实施单位\t{unit}",
                      "\t一级指标\t二级指标\t三级指标\t年度(/项目)指标值", *lines])


def _copied(tables: dict[tuple[str, str], list], tmp_path, table_settings: str = ""):
    forms = [f for (name, unit), rows in tables.items() for f in parse_text(_decl(name, unit, rows)).forms]
    conf = tmp_path / "s.toml"
    conf.write_text(f"[table]\n{table_settings}\n")
    return review(forms, load_settings(conf), only=["indicator.table_copied"]).flags


def _own(*names: str) -> list[tuple[str, str, str, str]]:
    return [("产出指标", "数量指标", n, "=1.00(个)") for n in names]


def test_rows_every_form_carries_are_no_copy(tmp_path):
    """Two small tables of different units sharing only 执行率, 成本控制 and two 满意度 rows; even where
    corpus frequency cannot tell them (generic_share 1.0: no name is frequent enough)."""
    tables = {("社区宣传项目", "甲单位"): _own("宣传资料发放份数", "宣传活动开展次数") + CARRIED,
              ("老年大学办学经费", "乙单位"): _own("开设课程班次", "在读学员人次") + CARRIED}
    assert not _copied(tables, tmp_path, "generic_share = 1.0")


def test_a_copy_is_counted_without_the_carried_rows(tmp_path):
    rows = _own("宣传资料发放份数", "宣传活动开展次数", "宣传折页印制数量", "宣传海报张贴数量")
    flags = _copied({("社区宣传项目", "甲单位"): rows + CARRIED, ("政策宣传项目", "乙单位"): rows + CARRIED[:2]}, tmp_path,
                    "generic_share = 1.0")
    assert len(flags) == 1 and "4 项指标" in flags[0].message
    matched = {e.text.split(" ")[0] for e in flags[0].evidence}
    assert matched == {n for _, _, n, _ in rows}


@pytest.mark.parametrize("unit_b, severity", [("甲单位", "medium"), ("乙单位", "high")])
def test_a_units_own_template_is_medium_another_units_table_high(unit_b, severity, tmp_path):
    rows = _own("系统运维完成率", "系统故障修复数量", "系统巡检次数", "数据备份次数", "安全漏洞修复数量") + CARRIED
    flags = _copied({("业务系统运维费", "甲单位"): rows, ("档案系统运维费", unit_b): rows}, tmp_path)
    assert len(flags) == 1 and flags[0].severity == severity


def test_severity_on_the_samples(samples):
    """The two maintenance tables of 社会保障服务中心 are one unit's template; the projects of two units
    with one table are a table pasted across units."""
    flags = review(samples, only=["indicator.table_copied"]).flags
    by = {frozenset(p.project_name for p in f.projects): f.severity for f in flags}
    assert by[frozenset({"征地养老管理信息系统(2024年运维)", "工伤认定和劳动能力鉴定业务系统（2024年运维）"})] == "medium"
    assert by[frozenset({"政府购买辅助服务"})] == "high" and by[frozenset({"残疾人就业保障金"})] == "high"
