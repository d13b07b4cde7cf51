"""The worklist pass (review/worklist.py): each problem once, projects ranked by risk, decisions on groups."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.forms import parse_file
from jixiao.review.engine import review
from jixiao.review.models import Evidence, Finding, ProjectRef
from jixiao.review.settings import load_settings
from jixiao.review.worklist import apply_group_decisions, group_findings, money_factor, organise, rank_projects

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()
S = load_settings()


def _f(code: str, severity: str, project: str, unit: str = "某单位", row: str | None = None, form_type: str = "self_evaluation",
       projects: list[ProjectRef] | None = None) -> Finding:
    ev = [Evidence(label="三级指标", text=f"产出指标/数量指标/{row}", file="a.txt", line=3)] if row else \
        [Evidence(label="预期目标", text="目标", file="a.txt", line=2)]
    return Finding(code=code, severity=severity, message=f"{project}：{code} {row or ''}", project_name=project, unit=unit,
                   year=2024, form_type=form_type, evidence=ev, projects=projects or []).with_id(row)


def test_one_units_recurring_failing_is_one_group_listing_its_forms():
    fs = [_f("goal.actual_copies_expected", "high", f"项目{i}") for i in range(11)] + [_f("goal.actual_copies_expected", "high", "别的", "另一单位")]
    groups = group_findings(fs, S)
    assert len(groups) == 1
    g = groups[0]
    assert g.kind == "unit" and g.unit == "某单位" and len(g.members) == 11 and "11 张绩效自评表" in g.message
    assert "实际完成情况照抄预期目标" in g.message
    assert all(f.group == g.id for f in fs[:11]) and fs[11].group is None
    # The group id is keyed by what it is about, not by its members' order: re-runs keep it.
    again = [_f("goal.actual_copies_expected", "high", f"项目{i}") for i in reversed(range(11))]
    assert group_findings(again, S)[0].id == g.id
    # Two forms of a unit are not yet a pattern: they stay two findings.
    assert group_findings(fs[:2], S) == []


def test_several_rows_of_one_form_are_one_finding_listing_the_rows():
    fs = [_f("indicator.vacuous_target", "low", "宣传费", row=r) for r in ("知晓率提升", "工作效率", "服务保障")]
    fs.append(_f("indicator.vacuous_target", "low", "别的项目", row="支持"))
    groups = group_findings(fs, S)
    assert len(groups) == 1 and groups[0].kind == "form" and len(groups[0].members) == 3
    assert all(f"“{r}”" in groups[0].message for r in ("知晓率提升", "工作效率", "服务保障"))
    assert fs[3].group is None


def test_two_codes_about_one_problem_are_one_finding():
    lag = _f("tracking.execution_lag", "high", "培训经费", form_type="tracking")
    opt = _f("tracking.optimistic_judgement", "medium", "培训经费", form_type="tracking")
    other = _f("tracking.optimistic_judgement", "medium", "另一项目", form_type="tracking")
    refs = [ProjectRef(project_name=n, unit="某单位", year=2024, form_type="self_evaluation", file="a.txt", line=1) for n in ("甲", "乙")]
    shared = _f("goal.boilerplate_shared", "high", "甲", projects=refs)
    mismatch = _f("goal.project_mismatch", "high", "乙", projects=refs[::-1])
    groups = {g.code: g for g in group_findings([lag, opt, other, shared, mismatch], S)}
    assert groups["tracking.execution_lag"].members == [lag.id, opt.id] and other.group is None
    assert groups["goal.project_mismatch"].members == [mismatch.id, shared.id]
    assert "goal.boilerplate_shared" in groups["goal.project_mismatch"].message


def test_decision_on_a_group_reaches_its_members_and_back():
    fs = [_f("goal.actual_copies_expected", "high", f"项目{i}") for i in range(3)]
    g = group_findings(fs, S)[0]
    fs[0].decision = "accepted"
    apply_group_decisions(fs, [g], {g.id: "dismissed"})
    assert [f.decision for f in fs] == ["accepted", "dismissed", "dismissed"]  # a member's own decision wins
    assert g.decision is None  # the members disagree
    fs[0].decision = "dismissed"
    apply_group_decisions(fs, [g], {})
    assert g.decision == "dismissed"  # every member decided alike: the group shows it


def test_a_grave_problem_on_a_large_project_outranks_many_formal_flags():
    big = _f("tracking.execution_lag", "high", "大项目", form_type="tracking")
    formal = [_f("indicator.misplaced", "low", "小项目", row=f"指标{i}") for i in range(20)]
    money = {("大项目", "某单位", 2024): 5000.0, ("小项目", "某单位", 2024): 20.0}
    for f in [big, *formal]:
        f.risk = round(S[f"worklist.weight_{f.severity}"] * (1 if f.code.startswith("tracking") else S["worklist.formal_factor"])
                       * money_factor(money[(f.project_name, f.unit, f.year)]), 2)
    groups = group_findings([big, *formal], S)
    ranked = rank_projects([big, *formal], groups)
    assert [p.project_name for p in ranked] == ["大项目", "小项目"] and ranked[0].rank == 1
    assert ranked[0].risk > 5 * ranked[1].risk
    assert money_factor(None) == 1.0 and money_factor(9.0) == pytest.approx(2.0)


@pytest.fixture(scope="module")
def sample_forms():
    return [f for p in sorted(EXAMPLES.glob("*.txt")) for f in parse_file(p).forms]


def test_samples_worklist(sample_forms):
    rep = review(sample_forms)
    projects = rep.summary.projects
    assert [p.risk for p in projects] == sorted((p.risk for p in projects), reverse=True)
    assert [p.rank for p in projects] == list(range(1, len(projects) + 1))
    ids = {f.id for f in rep.flags}
    assert ids == {i for p in projects for i in p.findings}  # every finding is on some project
    assert all(f.risk > 0 for f in rep.flags) and rep.summary.groups == len(rep.groups) > 0
    groups = {g.id: g for g in rep.groups}
    for f in rep.flags:
        assert f.group is None or f.id in groups[f.group].members
    # DOMAIN.md: the tracking file's unit pastes the promise as the result on every form: one problem.
    unit = [g for g in rep.groups if g.kind == "unit" and g.code == "goal.actual_copies_expected" and g.unit == "上海市闵行区事业单位福利中心"]
    assert len(unit) == 1 and len(unit[0].members) >= 4
    # Grouping is a pass on top: the same findings, with the same ids, as the checks produce.
    groups2, _ = organise([f.model_copy() for f in rep.flags], sample_forms, S)
    assert [g.id for g in groups2] == [g.id for g in rep.groups]


def test_reports_open_with_the_ranking_and_show_each_finding_once(tmp_path):
    out = {s: tmp_path / f"r{s}" for s in (".json", ".md", ".html")}
    for path in out.values():
        assert runner.invoke(app, ["review", str(EXAMPLES), "--out", str(path)]).exit_code == 0
    rep = json.loads(out[".json"].read_text(encoding="utf-8"))
    ranked = [p["project_name"] for p in rep["summary"]["projects"]]
    md = out[".md"].read_text(encoding="utf-8")
    first_section = md.index("\n## ", md.index("## 项目风险排序") + 5)
    assert md.index("## 项目风险排序") < md.index("| 1 | " + ranked[0]) < first_section
    for f in rep["flags"]:
        assert md.count(f"<sub>{f['id']} ") == 1, f["id"]  # each finding once, in a group or alone
    unit_part = md[md.index("## 单位共性问题"):]
    assert "上海市闵行区事业单位福利中心的 4 张绩效跟踪表存在同一问题：实际完成情况照抄预期目标" in unit_part
    assert "## 附录：低风险的形式问题" in md
    page = out[".html"].read_text(encoding="utf-8")
    assert page.index('id="ranking"') < page.index('class="project')
    assert len(re.findall(r"<article ", page)) == len(rep["flags"])
    assert '<details class="appendix hideable" id="appendix">' in page
    for g in rep["groups"]:
        assert page.count(f'id="g-{g["id"]}"') == 1


def test_group_decisions_round_trip_through_json_and_the_workbook(tmp_path):
    first = tmp_path / "r.json"
    assert runner.invoke(app, ["review", str(EXAMPLES), "--out", str(first)]).exit_code == 0
    rep = json.loads(first.read_text(encoding="utf-8"))
    g = next(g for g in rep["groups"] if g["kind"] == "unit")
    decisions = tmp_path / "d.json"
    decisions.write_text(json.dumps({g["id"]: "dismissed"}))
    again = tmp_path / "again.json"
    assert runner.invoke(app, ["review", str(EXAMPLES), "--decisions", str(decisions), "--out", str(again)]).exit_code == 0
    rep2 = json.loads(again.read_text(encoding="utf-8"))
    members = {f["id"]: f for f in rep2["flags"] if f["group"] == g["id"]}
    assert set(members) == set(g["members"]) and all(f["decision"] == "dismissed" for f in members.values())
    assert next(x for x in rep2["groups"] if x["id"] == g["id"])["decision"] == "dismissed"
    # The workbook: a decision typed on the 分组 sheet reaches the members too.
    book = tmp_path / "r.xlsx"
    assert runner.invoke(app, ["review", str(EXAMPLES), "--out", str(book)]).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["分组"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == g["id"])
    ws.cell(row=row, column=2, value="accepted")
    wb.save(tmp_path / "filled.xlsx")
    third = tmp_path / "third.json"
    assert runner.invoke(app, ["review", str(EXAMPLES), "--decisions", str(tmp_path / "filled.xlsx"), "--out", str(third)]).exit_code == 0
    rep3 = json.loads(third.read_text(encoding="utf-8"))
    assert all(f["decision"] == "accepted" for f in rep3["flags"] if f["group"] == g["id"])
