"""Reviewers' decisions are never lost (issue 15, item 1): the round trip through the workbook with
Chinese values and a 审核备注, through JSON, and through the corpus; decisions whose finding a run
does not produce (here: a --settings file raising the copy thresholds) are kept and applied again
when the finding returns; a missing decisions file is said, a bad value names its row.

The runs review examples/ with three fast checks (--only), so no embedding is needed except for
the corpus, which is ingested once for the module."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.review.decisions import ID_HEADERS, read_file

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
COPY = "goal.actual_copies_expected"
ONLY = ["--only", COPY, "--only", "goal.actual_unresponsive", "--only", "indicator.vacuous_target"]
# Copies need a similarity above 1: none is found, so every decision on one is orphaned.
RAISED = "[goal]\ncopy_min_lexical = 1.01\ncopy_min_containment = 1.01\nidentical_min_lexical = 1.01\n"
runner = CliRunner()


def run(*args: str, reviewer: str | None = None):
    res = runner.invoke(app, ["review", *args], env={"JIXIAO_REVIEWER": reviewer})
    return res


def review_json(*args: str, reviewer: str | None = None) -> dict:
    res = run(*args, "--format", "json", reviewer=reviewer)
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The report of the three checks as JSON (stdout) and as a workbook, and a settings file raising the copy thresholds."""
    folder = tmp_path_factory.mktemp("decisions")
    rep = review_json(str(EXAMPLES), *ONLY, "--out", str(folder / "base.xlsx"))
    (folder / "raised.toml").write_text(RAISED, encoding="utf-8")
    copies = [f for f in rep["flags"] if f["code"] == COPY]
    groups = [g for g in rep["groups"] if g["code"] == COPY]
    stays = [f for f in rep["flags"] if f["code"] == "indicator.vacuous_target"]
    assert copies and groups and stays  # what the tests decide on
    return folder, rep, copies, groups, stays


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    db = tmp_path_factory.mktemp("corpus") / "c.db"
    res = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db)])
    assert res.exit_code == 0, res.output
    return db


def columns(ws) -> dict[str, int]:
    """1-based column of each header; the id column under "id" whatever its label."""
    cols = {str(c.value): c.column for c in ws[1] if c.value is not None}
    cols["id"] = next(cols[h] for h in ID_HEADERS if h in cols)
    return cols


def row_of(ws, fid: str) -> int:
    col = columns(ws)["id"]
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=col).value == fid)


def table_rows(ws) -> dict[str, dict[str, object]]:
    """{id: {header: value}} of a sheet."""
    cols = columns(ws)
    return {ws.cell(row=r, column=cols["id"]).value: {h: ws.cell(row=r, column=c).value for h, c in cols.items()}
            for r in range(2, ws.max_row + 1)}


def test_workbook_round_trip_with_chinese_values_notes_and_an_orphan(base, tmp_path):
    folder, rep, copies, groups, stays = base
    target, group, control = copies[0], groups[0], stays[0]
    book = tmp_path / "review.xlsx"
    shutil.copy(folder / "base.xlsx", book)
    wb = openpyxl.load_workbook(book)
    ws = wb["发现"]
    # The drop-down offers the Chinese values.
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and lists[0].formula1 == '"采纳,排除"'
    cols = columns(ws)
    assert {"决定", "审核备注", "审核人"} <= set(cols)
    for fid, value, note in ((target["id"], "排除", "已核实：跟踪期如实填写，文字相同系模板所致"), (control["id"], " 已采纳 ", None)):
        r = row_of(ws, fid) if fid in table_rows(ws) else row_of(wb["附录（低风险形式问题）"], fid)
        sheet = ws if fid in table_rows(ws) else wb["附录（低风险形式问题）"]
        sheet.cell(row=r, column=columns(sheet)["决定"], value=value)
        if note:
            sheet.cell(row=r, column=columns(sheet)["审核备注"], value=note)
    gs = wb["分组"]
    gs.cell(row=row_of(gs, group["id"]), column=columns(gs)["决定"], value="确认")
    wb.save(book)

    # A re-run with raised thresholds, written over the same file: the copies are gone, their decisions kept.
    again = review_json(str(EXAMPLES), *ONLY, "--settings", str(folder / "raised.toml"), "--decisions", str(book),
                        "--out", str(book), reviewer="王审核")
    assert not any(f["code"] == COPY for f in again["flags"])
    assert again["summary"]["orphaned_decisions"] == 2
    orphans = {d["id"]: d for d in again["orphaned_decisions"]}
    assert orphans[target["id"]]["decision"] == "dismissed" and orphans[group["id"]]["decision"] == "accepted"
    wb = openpyxl.load_workbook(book)
    kept = table_rows(wb["未匹配决定"])
    assert kept[target["id"]]["决定"] == "排除" and kept[target["id"]]["审核备注"].startswith("已核实")
    assert kept[target["id"]]["审核人"] == "王审核" and kept[group["id"]]["决定"] == "采纳"
    sheets = [wb[n] for n in wb.sheetnames if n in ("发现", "附录（低风险形式问题）")]
    decided = {fid: row for s in sheets for fid, row in table_rows(s).items() if row["决定"]}
    assert {fid: (row["决定"], row["审核人"]) for fid, row in decided.items()} == {control["id"]: ("采纳", "王审核")}
    read_back = read_file(book)
    assert {k: d.decision for k, d in read_back.items()} == {target["id"]: "dismissed", group["id"]: "accepted",
                                                               control["id"]: "accepted"}

    # Thresholds back to the defaults: the copies return and their decisions apply again.
    third = review_json(str(EXAMPLES), *ONLY, "--decisions", str(book), "--out", str(book))
    assert third["summary"]["orphaned_decisions"] == 0 and "orphaned_decisions" not in third
    flags = {f["id"]: f for f in third["flags"]}
    assert (flags[target["id"]]["decision"], flags[target["id"]]["reviewer"]) == ("dismissed", "王审核")
    assert flags[target["id"]]["note"].startswith("已核实")
    assert flags[control["id"]]["decision"] == "accepted"
    # The group's decision reaches its other members; the member decided otherwise keeps its own.
    assert all(flags[m]["decision"] == "accepted" for m in group["members"] if m != target["id"])
    assert next(g for g in third["groups"] if g["id"] == group["id"])["decision"] == "accepted"
    assert "未匹配决定" not in openpyxl.load_workbook(book).sheetnames


def test_json_round_trip_keeps_orphans_notes_and_the_reviewer_in_every_format(base, tmp_path):
    folder, rep, copies, _, stays = base
    target, control = copies[-1], stays[-1]
    decisions = tmp_path / "review.json"
    decisions.write_text(json.dumps({target["id"]: {"decision": "不采纳", "note": "单位已补充说明"},
                                     control["id"]: " Dismissed "}, ensure_ascii=False), encoding="utf-8")
    res = run(str(EXAMPLES), *ONLY, "--settings", str(folder / "raised.toml"), "--decisions", str(decisions),
              "--out", str(decisions), "--reviewer", "李审核", reviewer="环境变量里的人")
    assert res.exit_code == 0, res.stderr
    rep = json.loads(decisions.read_text(encoding="utf-8"))
    assert rep["summary"]["orphaned_decisions"] == 1 and "1 decision matches no finding" in res.stdout
    (orphan,) = rep["orphaned_decisions"]
    assert (orphan["id"], orphan["decision"], orphan["note"], orphan["reviewer"]) == (target["id"], "dismissed", "单位已补充说明", "李审核")
    flag = next(f for f in rep["flags"] if f["id"] == control["id"])
    assert (flag["decision"], flag["note"], flag["reviewer"]) == ("dismissed", None, "李审核")  # --reviewer wins over the variable

    res = run(str(EXAMPLES), *ONLY, "--decisions", str(decisions), "--out", str(decisions))
    assert res.exit_code == 0, res.stderr
    rep = json.loads(decisions.read_text(encoding="utf-8"))
    flag = next(f for f in rep["flags"] if f["id"] == target["id"])
    assert (flag["decision"], flag["note"], flag["reviewer"]) == ("dismissed", "单位已补充说明", "李审核")
    assert rep["summary"]["decisions"]["dismissed"] >= 2 and rep["summary"]["orphaned_decisions"] == 0

    # The note and the reviewer in the csv, Markdown and HTML reports.
    res = run(str(EXAMPLES), *ONLY, "--decisions", str(decisions), "--out", str(tmp_path / "r.md"), "--format", "csv")
    assert res.exit_code == 0, res.stderr
    row = next(line for line in res.stdout.splitlines() if line.startswith(target["id"]))
    assert "单位已补充说明" in row and "李审核" in row
    assert "审核备注" in res.stdout.splitlines()[0]
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "审核备注：单位已补充说明" in md and "审核人：李审核" in md
    res = run(str(EXAMPLES), *ONLY, "--decisions", str(decisions), "--out", str(tmp_path / "r.html"))
    assert res.exit_code == 0 and "审核备注：单位已补充说明" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_corpus_keeps_imported_decisions_for_later_runs(base, corpus, tmp_path):
    folder, _, copies, _, stays = base
    target, control = copies[0], stays[0]
    decisions = tmp_path / "d.json"
    decisions.write_text(json.dumps({target["id"]: {"decision": "已排除", "note": "口径一致"}, control["id"]: "确认"},
                                    ensure_ascii=False), encoding="utf-8")
    rep = review_json("--db", str(corpus), *ONLY, "--settings", str(folder / "raised.toml"), "--decisions", str(decisions),
                      reviewer="赵审核")
    assert [d["id"] for d in rep["orphaned_decisions"]] == [target["id"]]
    with sqlite3.connect(corpus) as c:
        rows = {r[0]: r[1:] for r in c.execute("SELECT id, decision, note, reviewer FROM decisions")}
    assert rows[target["id"]] == ("dismissed", "口径一致", "赵审核") and rows[control["id"]] == ("accepted", None, "赵审核")

    # A later run without the file applies the corpus's decisions, the orphan's included.
    rep = review_json("--db", str(corpus), *ONLY)
    flags = {f["id"]: f for f in rep["flags"]}
    assert (flags[target["id"]]["decision"], flags[target["id"]]["note"], flags[target["id"]]["reviewer"]) == ("dismissed", "口径一致", "赵审核")
    assert flags[control["id"]]["decision"] == "accepted"

    # A file deciding otherwise wins and is stored; the note it does not mention is kept.
    decisions.write_text(json.dumps({target["id"]: "采纳"}, ensure_ascii=False), encoding="utf-8")
    rep = review_json("--db", str(corpus), *ONLY, "--decisions", str(decisions), reviewer="钱审核")
    assert next(f for f in rep["flags"] if f["id"] == target["id"])["decision"] == "accepted"
    with sqlite3.connect(corpus) as c:
        assert c.execute("SELECT decision, note, reviewer FROM decisions WHERE id = ?", (target["id"],)).fetchone() == ("accepted", "口径一致", "钱审核")


def test_missing_decisions_file_is_said(tmp_path):
    res = run(str(EXAMPLES), "--only", "goal.missing", "--decisions", str(tmp_path / "nope.json"))
    assert res.exit_code == 0 and "nope.json" in res.stderr and "does not exist" in res.stderr
    new = tmp_path / "new.json"
    res = run(str(EXAMPLES), "--only", "goal.missing", "--decisions", str(new), "--out", str(new))
    assert res.exit_code == 0 and "new.json" in res.stderr and "will create it" in res.stderr and new.exists()


def test_bad_values_are_errors_naming_the_row(base, tmp_path):
    folder, rep, *_ = base
    wb = openpyxl.load_workbook(folder / "base.xlsx")
    ws = wb["发现"]
    ws.cell(row=3, column=columns(ws)["决定"], value="采纳了")
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    res = run(str(EXAMPLES), *ONLY, "--decisions", str(bad))
    assert res.exit_code == 1
    assert "bad.xlsx" in res.stderr and "'发现' row 3" in res.stderr and "采纳了" in res.stderr and "排除" in res.stderr
    fid = rep["flags"][0]["id"]
    js = tmp_path / "bad.json"
    js.write_text(json.dumps({fid: "maybe"}))
    res = run(str(EXAMPLES), *ONLY, "--decisions", str(js))
    assert res.exit_code == 1 and "bad.json" in res.stderr and fid in res.stderr and "maybe" in res.stderr


def test_a_format_that_cannot_carry_orphans_is_not_written_over_its_decisions(base, tmp_path):
    folder, _, copies, _, _ = base
    sheet = tmp_path / "review.csv"
    sheet.write_text(f"编号,决定,审核备注\n{copies[0]['id']},排除,模板所致\n", encoding="utf-8-sig")
    before = sheet.read_bytes()
    res = run(str(EXAMPLES), *ONLY, "--settings", str(folder / "raised.toml"), "--decisions", str(sheet), "--out", str(sheet))
    assert res.exit_code == 1 and "not overwritten" in res.stderr and sheet.read_bytes() == before
    res = run(str(EXAMPLES), *ONLY, "--decisions", str(sheet), "--out", str(sheet))  # nothing orphaned: written
    assert res.exit_code == 0 and "模板所致" in sheet.read_text(encoding="utf-8-sig")


def test_a_note_guarded_against_formulas_in_the_csv_reads_back_as_written(base, tmp_path):
    """The .csv guards a note beginning with = or - ('=…, OWASP); read back as decisions it is the reviewer's text again."""
    _, _, copies, _, _ = base
    sheet = tmp_path / "review.csv"
    sheet.write_text(f"编号,决定,审核备注\n{copies[0]['id']},排除,-见附件=口径说明\n", encoding="utf-8-sig")
    res = run(str(EXAMPLES), *ONLY, "--decisions", str(sheet), "--out", str(sheet))
    assert res.exit_code == 0, res.stderr
    assert "'-见附件=口径说明" in sheet.read_text(encoding="utf-8-sig")  # guarded in the file
    rep = review_json(str(EXAMPLES), *ONLY, "--decisions", str(sheet))
    assert next(f for f in rep["flags"] if f["id"] == copies[0]["id"])["note"] == "-见附件=口径说明"


def test_decisions_on_findings_left_out_by_a_filter_are_kept_and_said_to_be_out_of_view(base, tmp_path):
    """A decision on a finding that --unit leaves out is not a fixed finding: it is kept (written back) and the
    summary counts it as out of the selection, not as gone."""
    _, rep, copies, _, _ = base
    here = next(f for f in rep["flags"] if f["unit"] and f["unit"] != copies[0]["unit"] and not f["projects"])
    book = tmp_path / "d.json"
    book.write_text(json.dumps({copies[0]["id"]: "accepted", here["id"]: "dismissed", "0123456789ab": "accepted"}),
                    encoding="utf-8")
    res = run(str(EXAMPLES), *ONLY, "--unit", here["unit"], "--decisions", str(book), "--out", str(book))
    assert res.exit_code == 0, res.stderr
    assert "1 on findings left out" in " ".join(res.stdout.replace("\n", "").split())
    out = json.loads(book.read_text(encoding="utf-8"))
    assert out["summary"]["orphaned_decisions"] == 2 and out["summary"]["decisions_outside_selection"] == 1
    assert {d["id"] for d in out["orphaned_decisions"]} == {copies[0]["id"], "0123456789ab"}
    assert next(f for f in out["flags"] if f["id"] == here["id"])["decision"] == "dismissed"
