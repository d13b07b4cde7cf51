"""Linking a project's forms across types and years, on real sample forms re-labelled to link."""

from __future__ import annotations

from pathlib import Path

from jixiao.forms import parse_text
from jixiao.review.engine import review
from jixiao.review.linking import link_projects

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _lines(name: str) -> list[str]:
    return (EXAMPLES / name).read_text(encoding="utf-8").splitlines()


def test_declared_vs_tracked_targets_and_rows():
    decl = _lines("minhang_2024_declaration.txt")[52:79]  # 政府购买辅助服务, declared by 社会保障服务中心
    decl = [ln.replace("上海市闵行区社会保障服务中心", "上海市闵行区事业单位福利中心") for ln in decl]
    track = _lines("minhang_2024_tracking.txt")[90:119]  # the same project, tracked by 事业单位福利中心
    forms = parse_text("\n".join(decl + [""] + track), "linked.txt").forms
    assert [len(g) for g in link_projects(forms)] == [2]
    r = review(forms, only=["link.*"])
    changed = {f.evidence[1].text: f.evidence[0].text for f in r.flags if f.code == "link.target_changed"}
    assert changed["=2.00(人)"] == "=11.00(人)"  # 购买雇员数量: 11 declared, 2 tracked
    assert changed["稳定"] == "保障"  # 雇员队伍稳定性(保障) matched despite the rename
    assert all(f.projects[0].form_type == "declaration" and f.projects[1].form_type == "tracking" for f in r.flags)
    assert all(e.file == "linked.txt" and e.line for f in r.flags for e in f.evidence)


def test_unrelated_units_are_not_linked():
    text = "\n".join(_lines("minhang_2024_declaration.txt") + [""] + _lines("minhang_2024_tracking.txt"))
    forms = parse_text(text).forms
    assert all(len(g) == 1 for g in link_projects(forms))
    assert not review(forms, only=["link.*"]).flags


def test_copied_from_previous_year():
    se = _lines("putuo_2024_self_evaluation.txt")[2:31]  # 新疆支青稳定专项经费
    last_year = [ln.replace("2024年度", "2023年度") for ln in se]
    this_year = list(se)
    this_year[23] = this_year[23].replace("2.00\t2.00", "3.00\t3.00")  # line 26: weights may change; names and targets do not
    forms = parse_text("\n".join(last_year + [""] + this_year), "years.txt").forms
    assert [f.year for f in forms] == [2023, 2024]
    assert [i.weight for i in forms[1].indicators][-2] == 3.0 != [i.weight for i in forms[0].indicators][-2]
    r = review(forms, only=["link.copied_from_previous_year"])
    assert sorted(f.evidence[0].label for f in r.flags) == ["2023年 指标表", "2023年 绩效目标"]
    assert all(f.year == 2024 and f.project_name == "新疆支青稳定专项经费" for f in r.flags)
    this_year[15] = this_year[15].replace("≥300.00(人次)", "≥350.00(人次)")  # line 18: one target raised, not a copy
    forms = parse_text("\n".join(last_year + [""] + this_year), "years.txt").forms
    r = review(forms, only=["link.copied_from_previous_year"])
    assert [f.evidence[0].label for f in r.flags] == ["2023年 绩效目标"]
