"""The review engine on the real samples (DOMAIN.md's examples) and on planted errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.forms import parse_file, parse_text
from jixiao.review.engine import review
from jixiao.review.settings import load_settings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SE = EXAMPLES / "putuo_2024_self_evaluation.txt"
runner = CliRunner()
ARITHMETIC = ("score.total_mismatch", "score.grade_mismatch", "funds.rate_mismatch", "funds.rows_mismatch")


@pytest.fixture(scope="module")
def sample_report():
    forms = [f for p in sorted(EXAMPLES.glob("*.txt")) for f in parse_file(p).forms]
    return review(forms)


def _find(report, code, project):
    return [f for f in report.flags if f.code == code and f.project_name == project]


def test_domain_examples_are_found(sample_report):
    r = sample_report
    copied = {f.project_name: f for f in r.flags if f.code == "goal.actual_copies_expected"}
    assert copied["政府购买辅助服务"].severity == "high"  # identical texts (tracking)
    assert {"就业创业综合服务项目", "志丹路4号房屋整体加固装修及外立面修缮"} <= set(copied)  # a clause added / removed
    nums = _find(r, "goal.numbers_mismatch", "就业促进专项资金")
    assert {(e.value for e in f.evidence) and tuple(sorted(e.value for e in f.evidence)) for f in nums} >= {(2200, 2300), (6900, 7000)}
    contra = _find(r, "indicator.deviation_contradiction", "劳动监察业务经费")
    assert {f.evidence[0].line for f in contra} >= {195, 196}
    (rate,) = _find(r, "funds.indicator_rate_contradiction", "劳动监察业务经费")
    assert [e.value for e in rate.evidence if e.label.startswith("资金表")] == [0.0] and rate.severity == "high"
    vt = {f.evidence[0].text.split("/")[-1] for f in _find(r, "indicator.value_type_mismatch", "政府购买辅助服务")}
    assert vt == {"人员资质相符性", "人员考核通过率", "单位工作效率提升情况"}
    um = {f.evidence[0].text.split("/")[-1] for f in r.flags if f.code == "indicator.unit_mismatch"}
    assert um == {"疗休养工作完成率", "征地养老资金应发实发率", "活动数量"}
    mis = {f.evidence[0].text.split("/")[-1] for f in r.flags if f.code == "indicator.misplaced"}
    assert {"长效管理制度建设", "预算执行率", "整体预算执行率"} <= mis
    assert _find(r, "goal.actual_unresponsive", "征地养老费用")
    assert _find(r, "tracking.optimistic_judgement", "在职考核优秀行政奖励人员经费")
    assert len(_find(r, "goal.missing", "仲裁院特保经费")) == 2


def test_no_arithmetic_finding_where_the_arithmetic_is_right(sample_report):
    assert not [f for f in sample_report.flags if f.code in ARITHMETIC]


def test_every_finding_carries_checkable_evidence(sample_report):
    for f in sample_report.flags:
        assert f.id and f.message and f.evidence, f
        assert all(e.file and e.line for e in f.evidence), f
        assert f.severity in ("high", "medium", "low")


def _planted() -> str:
    lines = SE.read_text(encoding="utf-8").splitlines()
    lines[29] = lines[29].replace("97.54", "98.54")  # 总分 of 新疆支青稳定专项经费
    lines[88] = lines[88].replace("优", "良")  # 评分等级 of 信息系统运维费 (99.56)
    lines[72] = lines[72].replace("99.29", "89.29")  # 执行率 of the funds total row
    lines[98] = lines[98].replace("305.00\t305.00", "305.00\t300.00", 1)  # 当年财政拨款 ≠ 年度资金总额
    return "\n".join(lines) + "\n"


def test_planted_arithmetic_errors():
    r = review(parse_text(_planted(), "planted.txt").forms, only=list(ARITHMETIC))
    got = {(f.code, f.project_name) for f in r.flags}
    assert got == {("score.total_mismatch", "新疆支青稳定专项经费"), ("score.grade_mismatch", "信息系统运维费"),
                   ("funds.rate_mismatch", "信息系统运维费"), ("funds.rows_mismatch", "就业创业主题活动、促进就业工作专项"),
                   # the changed 全年预算数 of 当年财政拨款 also breaks that row's 执行率: 294.10 ÷ 300 ≠ 96.42%
                   ("funds.rate_mismatch", "就业创业主题活动、促进就业工作专项")}
    total = next(f for f in r.flags if f.code == "score.total_mismatch")
    assert {e.value for e in total.evidence} >= {98.54, 8.54} and total.evidence[0].line == 30


def test_ids_survive_reexport_and_decisions_stick(tmp_path, sample_report):
    shifted = "\n\n\n" + SE.read_text(encoding="utf-8").replace("\t", "\t\t", 3)
    again = review(parse_text(shifted, "copy_of_export.txt").forms)
    from jixiao.review.catalogue import CHECKS

    form_codes = {c for ch in CHECKS if ch.scope == "form" for c in ch.codes}  # corpus findings need the other files
    mine = {f.id for f in sample_report.flags
            if f.code in form_codes and f.project_name in {g.project_name for g in again.flags}}
    assert mine and mine <= {f.id for f in again.flags}
    first = sample_report.flags[0].id
    second = sample_report.flags[1].id
    decisions = tmp_path / "decisions.json"
    decisions.write_text(json.dumps({first: "dismissed", second: "accepted"}))
    out = tmp_path / "r.json"
    res = runner.invoke(app, ["review", str(EXAMPLES), "--decisions", str(decisions), "--out", str(out)])
    assert res.exit_code == 0, res.output
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert {f["id"]: f["decision"] for f in rep["flags"] if f["decision"]} == {first: "dismissed", second: "accepted"}
    assert rep["summary"]["decisions"] == {"dismissed": 1, "accepted": 1}
    # An earlier report with decisions filled in works as a decisions file too.
    res = runner.invoke(app, ["review", str(EXAMPLES), "--decisions", str(out), "--out", str(tmp_path / "r2.json")])
    assert json.loads((tmp_path / "r2.json").read_text())["summary"]["decisions"] == {"dismissed": 1, "accepted": 1}


def test_report_formats_and_filters(tmp_path):
    for suffix in (".json", ".jsonl", ".csv", ".md"):
        out = tmp_path / f"r{suffix}"
        res = runner.invoke(app, ["review", str(EXAMPLES), "--out", str(out), "--min-severity", "medium"])
        assert res.exit_code == 0, res.output
        text = out.read_text(encoding="utf-8")
        if suffix == ".json":
            rep = json.loads(text)
            # Issue 11 added `groups` beside the two original keys, issue 15 `parse_warnings` (the examples
            # have some); nothing was renamed or dropped.
            assert set(rep) == {"summary", "flags", "groups", "parse_warnings"} and rep["flags"] and rep["parse_warnings"]
            assert all(f["severity"] in ("high", "medium") for f in rep["flags"])
            assert {"code", "severity", "message", "project_name", "projects", "evidence", "id", "group", "risk"} <= set(rep["flags"][0])
            assert {"project_name", "unit", "year", "risk", "findings"} <= set(rep["summary"]["projects"][0])
        elif suffix == ".jsonl":
            assert all(json.loads(x)["code"] for x in text.splitlines())
        elif suffix == ".csv":
            rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
            assert rows and all(r["位置"] and r["证据"] for r in rows)  # Chinese headers (issue 15)
        else:
            assert text.startswith("# jixiao 审核报告") and "## 劳动监察业务经费" in text
    res = runner.invoke(app, ["review", str(EXAMPLES), "--only", "goal.*", "--out", str(tmp_path / "g.json")])
    assert {f["code"].split(".")[0] for f in json.loads((tmp_path / "g.json").read_text())["flags"]} == {"goal"}
    assert runner.invoke(app, ["review", str(EXAMPLES), "--out", str(tmp_path / "r.pdf")]).exit_code == 2
    bad = runner.invoke(app, ["review", str(EXAMPLES), "--only", "no.such"])
    assert bad.exit_code == 2 and "unknown code" in bad.stderr  # wrong usage (issue 15)
    assert runner.invoke(app, ["review"]).exit_code == 2  # neither paths nor --db: wrong usage (issue 15)


def test_report_on_stdout_for_a_pipe():
    res = runner.invoke(app, ["review", str(EXAMPLES), "--only", "goal.*", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    flags = [json.loads(x) for x in res.stdout.splitlines()]  # stdout holds the report and nothing else
    assert flags and {f["code"].split(".")[0] for f in flags} == {"goal"} and all(f["evidence"] for f in flags)
    assert "findings" in res.stderr  # the summary, for the person at the terminal
    rep = json.loads(runner.invoke(app, ["review", str(EXAMPLES), "-f", "json", "--min-severity", "high"]).stdout)
    assert rep["flags"] and all(f["severity"] == "high" for f in rep["flags"])
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["review", str(EXAMPLES), "-f", "csv"]).stdout)))
    assert rows and next(iter(rows[0])) == "编号" and rows[0].keys() >= {"代码", "说明", "位置"}  # no BOM in a pipe


def test_settings_override(tmp_path):
    forms = parse_file(SE).forms
    strict = tmp_path / "s.toml"
    strict.write_text("[goal]\ncopy_min_lexical = 0.99\ncopy_min_containment = 0.99\n")
    strict_hits = review(forms, load_settings(strict), only=["goal.actual_copies_expected"]).flags
    assert [f.project_name for f in strict_hits] == ["就业创业综合服务项目"]  # contained to 100%
    assert len(review(forms, only=["goal.actual_copies_expected"]).flags) == 4
    (tmp_path / "bad.toml").write_text("[goal]\nno_such = 1\n")
    with pytest.raises(ValueError, match="unknown setting goal.no_such"):
        load_settings(tmp_path / "bad.toml")


def test_document_text_is_not_markup(tmp_path):
    evil = tmp_path / "evil.txt"
    evil.write_text("财政项目支出绩效自评表\n项目名称\t[/bold]危险[red]\n", encoding="utf-8")
    res = runner.invoke(app, ["parse", str(evil), "-f", "table"])
    assert res.exit_code == 0 and "[/bold]危险[red]" in res.stdout


def test_copied_tables_grouped_around_a_principal(sample_report):
    groups = [{(p.project_name, p.form_type) for p in f.projects} for f in sample_report.flags if f.code == "indicator.table_copied"]
    assert {("宁夏路627号6幢房屋加固、外立面修缮及装修", "self_evaluation"), ("志丹路4号房屋整体加固装修及外立面修缮", "self_evaluation")} in groups
    assert any({("普陀区劳动关系信息管理平台建设项目", "self_evaluation"), ("“靠谱职”就业服务信息化平台", "self_evaluation")} <= g for g in groups)
    assert any({("信息系统运维费", "self_evaluation"), ("就业创业综合服务项目", "self_evaluation")} <= g for g in groups)
    # the same project's own forms (declaration, tracking of one unit) are linking, not copying
    for f in sample_report.flags:
        if f.code == "indicator.table_copied":
            owners = {(p.project_name, p.unit) for p in f.projects}
            assert len(owners) == len(f.projects)


def _decl(name: str, indicators: list[str]) -> str:
    rows = [f"\\t产出指标\\t数量指标\\t{n}\\t=1.00(个)" for n in indicators]
    return "\n".join(["财政项目支出绩效目标申报表", "(2023年度)", f"项目名称\\t{name}", "实施单位\\t某单位",
                      "\\t一级指标\\t二级指标\\t三级指标\\t年度(/项目)指标值", *rows]).replace("\\t", "\t")


def test_copied_tables_never_chain(tmp_path):
    tables = {  # A~B, B~C, C~D share 3 rows each; A≁C, A≁D, B≁D
        "项目A": ["春风计划完成率", "夏雨工程验收率", "秋月平台上线率", "冬雪系统稳定性", "晨光服务覆盖率"],
        "项目B": ["春风计划完成率", "夏雨工程验收率", "秋月平台上线率", "山川河流监测数", "湖泊水质达标率"],
        "项目C": ["春风计划完成率", "山川河流监测数", "湖泊水质达标率", "城市道路养护率", "乡村公路通达性"],
        "项目D": ["城市道路养护率", "乡村公路通达性", "湖泊水质达标率", "海洋渔业捕捞量", "森林防火巡查数"],
    }
    forms = [f for name, inds in tables.items() for f in parse_text(_decl(name, inds)).forms]
    conf = tmp_path / "s.toml"
    conf.write_text("[table]\nmin_shared = 3\ngeneric_share = 1.0\n")
    found = review(forms, load_settings(conf), only=["indicator.table_copied"]).flags
    groups = [[p.project_name for p in f.projects] for f in found]
    assert groups == [["项目B", "项目A", "项目C"], ["项目C", "项目D"]]  # principal first
    assert not any({"项目A", "项目D"} <= set(g) for g in groups)


def test_goals_shared_across_projects(sample_report):
    groups = [{(p.project_name, p.unit) for p in f.projects} for f in sample_report.flags if f.code == "goal.boilerplate_shared"]
    assert {("信息系统运维费", "上海市普陀区人力资源和社会保障局"), ("就业创业综合服务项目", "上海市普陀区就业促进中心")} in groups
    assert {("政府购买辅助服务", "上海市闵行区社会保障服务中心"), ("政府购买辅助服务", "上海市闵行区事业单位福利中心")} in groups
    assert {("残疾人就业保障金", "上海市闵行区社会保障服务中心"), ("残疾人就业保障金", "上海市闵行区事业单位福利中心")} in groups
    assert len(groups) == 3  # rewritten goals on the same topic are not copies
    for f in sample_report.flags:
        if f.code == "goal.boilerplate_shared":
            assert len(f.evidence) >= 2 and all(e.text and e.file and e.line for e in f.evidence)
    mismatch = {f.project_name for f in sample_report.flags if f.code == "goal.project_mismatch"}
    assert "就业创业综合服务项目" in mismatch and "人事管理业务经费" not in mismatch
