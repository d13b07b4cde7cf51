"""The .xlsx report: what a reviewer opens in Excel or WPS, fills in, and hands back as --decisions."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.review.codes import SEVERITY_ZH, code_zh
from jixiao.review.engine import load_decisions
from jixiao.review.models import Evidence, Finding, Report, Summary
from jixiao.review.report import FORMATS, write
from jixiao.review.report_xlsx import COLUMNS, read_decisions

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# Chinese headers (issue 15), the JSON keys unchanged; 编号 and 决定 are what the decisions reader looks for.
HEADERS = ["编号", "代码", "问题", "严重程度", "决定", "审核备注", "审核人", "项目名称", "实施单位", "年度", "表别", "说明", "证据", "位置",
           "完整路径", "涉及项目", "分组", "风险"]
APPENDIX = "附录（低风险形式问题）"
runner = CliRunner()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xlsx")
    for suffix in (".json", ".xlsx"):
        res = runner.invoke(app, ["review", str(EXAMPLES), "--out", str(folder / f"r{suffix}")])
        assert res.exit_code == 0, res.output
    return folder, json.loads((folder / "r.json").read_text(encoding="utf-8"))


def _column(ws, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def test_rows_headers_and_layout(sample):
    folder, rep = sample
    assert ".xlsx" in FORMATS and ".html" in FORMATS
    wb = openpyxl.load_workbook(folder / "r.xlsx")
    # The workbook opens on the projects ranked by risk; low formal findings have a sheet of their own.
    # 指标表对照 and 解析提示 (issue 15): copied tables row against row, the parser's warnings.
    assert wb.sheetnames == ["项目风险", "发现", APPENDIX, "分组", "指标表对照", "解析提示", "汇总"]
    ranking = list(wb["项目风险"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in ranking] == [p["project_name"] for p in rep["summary"]["projects"]]
    assert [r[4] for r in ranking] == sorted((r[4] for r in ranking), reverse=True)
    ws = wb["发现"]
    assert [c.value for c in ws[1]] == HEADERS == [h for h, _, _ in COLUMNS]
    appendix = list(wb[APPENDIX].iter_rows(min_row=2, values_only=True))
    assert [c.value for c in wb[APPENDIX][1]] == HEADERS
    assert appendix and all(r[HEADERS.index("严重程度")] == "低（low）" for r in appendix)
    rows = list(ws.iter_rows(min_row=2, values_only=True)) + appendix
    assert len(rows) == rep["summary"]["findings"] == len(rep["flags"])
    by_id = {r[0]: dict(zip(HEADERS, r)) for r in rows}
    assert set(by_id) == {f["id"] for f in rep["flags"]}
    for f in rep["flags"]:
        row = by_id[f["id"]]
        assert (row["代码"], row["项目名称"], row["说明"]) == (f["code"], f["project_name"], f["message"])
        assert row["严重程度"] == f"{SEVERITY_ZH[f['severity']]}（{f['severity']}）" and row["问题"] == code_zh(f["code"]) != f["code"]
        assert row["决定"] is None and row["年度"] == f["year"]
        # Paths relative to the examples folder, the full ones in 完整路径 (issue 15); a copied table's
        # rows are on 指标表对照, its 证据 cell points there.
        assert all(e["file"] in row["完整路径"] for e in f["evidence"])
        if f["code"] == "indicator.table_copied":
            assert "指标表对照" in row["证据"] and len(row["证据"]) < 200
            continue
        assert row["证据"].count("\n") == len(f["evidence"]) - 1 and row["证据"].startswith(f["evidence"][0]["label"] + "：")
        assert all(f"{Path(e['file']).name}:{e['line']}" in row["位置"].split("\n") for e in f["evidence"]
                   if e["file"].startswith(str(EXAMPLES)))
    assert {r["表别"] for r in by_id.values()} == {"绩效目标申报表", "绩效跟踪表", "绩效自评表"}
    copied = next(r for r in by_id.values() if r["代码"] == "indicator.table_copied")
    assert copied["涉及项目"].count("\n") >= 1  # a group finding lists every project it joins
    # Targets such as "=100.00(%)" are text, never formulas.
    assert all(c.data_type == "s" for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str))
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{get_column_letter(len(HEADERS))}{len(rows) - len(appendix) + 1}"
    assert ws.column_dimensions[get_column_letter(_column(ws, "说明"))].width >= 40 and ws.column_dimensions["A"].width >= 12
    assert ws.cell(row=2, column=_column(ws, "说明")).alignment.wrap_text
    assert any("采纳,排除" in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)


def test_summary_sheet_counts_by_code_and_severity(sample):
    folder, rep = sample
    ws = openpyxl.load_workbook(folder / "r.xlsx")["汇总"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    assert rows[0][:2] == ("表数", rep["summary"]["forms"])
    assert rows[1][:2] == ("发现数", rep["summary"]["findings"])
    header = rows.index(("代码", "问题", "高（high）", "中（medium）", "低（low）", "合计"))
    table = {r[0]: r[2:] for r in rows[header + 1:] if r[0] and r[0] != "合计" and "." in str(r[0])}
    assert all(r[1] == code_zh(r[0]) for r in rows[header + 1:] if r[0] in table)
    assert {c: t[3] for c, t in table.items()} == rep["summary"]["by_code"]
    for code, (high, medium, low, _) in table.items():
        got = [f["severity"] for f in rep["flags"] if f["code"] == code]
        assert (high, medium, low) == (got.count("high"), got.count("medium"), got.count("low"))
    total = next(r for r in rows if r[0] == "合计")
    sev = rep["summary"]["by_severity"]
    assert total[2:] == (sev.get("high", 0), sev.get("medium", 0), sev.get("low", 0), rep["summary"]["findings"])


def test_decisions_round_trip_through_the_workbook(sample, tmp_path):
    folder, rep = sample
    wb = openpyxl.load_workbook(folder / "r.xlsx")
    ws = wb["发现"]
    dec = _column(ws, "决定")
    first, second = ws.cell(row=2, column=1).value, ws.cell(row=3, column=1).value
    ws.cell(row=2, column=dec, value="accepted")
    ws.cell(row=3, column=dec, value=" Dismissed ")  # what a hand-typed cell looks like
    ws.insert_cols(1)  # a reviewer's own column in front: columns are found by their header
    ws.cell(row=1, column=1, value="备注")
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    assert read_decisions(filled) == load_decisions(filled) == {first: "accepted", second: "dismissed"}
    out = tmp_path / "again.json"
    res = runner.invoke(app, ["review", str(EXAMPLES), "--decisions", str(filled), "--out", str(out)])
    assert res.exit_code == 0, res.output
    again = json.loads(out.read_text(encoding="utf-8"))
    assert {f["id"]: f["decision"] for f in again["flags"] if f["decision"]} == {first: "accepted", second: "dismissed"}
    assert again["summary"]["decisions"] == {"accepted": 1, "dismissed": 1}
    # The next workbook carries the decisions forward, so the round trip can repeat.
    res = runner.invoke(app, ["review", str(EXAMPLES), "--decisions", str(filled), "--out", str(tmp_path / "next.xlsx")])
    assert res.exit_code == 0 and read_decisions(tmp_path / "next.xlsx") == {first: "accepted", second: "dismissed"}
    # The JSON paths still work.
    plain = tmp_path / "d.json"
    plain.write_text(json.dumps({first: "dismissed"}))
    assert load_decisions(plain) == {first: "dismissed"} and load_decisions(out) == {first: "accepted", second: "dismissed"}


def test_bad_decision_values_and_files_are_errors(sample, tmp_path):
    folder, _ = sample
    wb = openpyxl.load_workbook(folder / "r.xlsx")
    wb["发现"].cell(row=4, column=_column(wb["发现"], "决定"), value="采纳了")
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(ValueError, match="row 4"):
        load_decisions(bad)
    res = runner.invoke(app, ["review", str(EXAMPLES), "--decisions", str(bad)])
    assert res.exit_code == 1 and "accepted" in res.stderr
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    with pytest.raises(ValueError, match="not a readable .xlsx"):
        load_decisions(junk)


def test_hostile_and_empty_reports(tmp_path):
    f = Finding(code="goal.missing", severity="high", message="=HYPERLINK(\"http://x\",\"点我\")\x0b",
                project_name="=1+1", unit="+cmd|' /C calc'!A0", evidence=[Evidence(label="预期目标", text="=40.00(班次)" + "长" * 40000,
                                                                                     file="a.txt", line=1)]).with_id()
    rep = Report(summary=Summary(forms=1, findings=1, by_code={"goal.missing": 1}, by_severity={"high": 1}), flags=[f])
    path = tmp_path / "h.xlsx"
    write(rep, path)
    ws = openpyxl.load_workbook(path)["发现"]
    row = {h: c for h, c in zip(HEADERS, ws[2])}
    assert row["项目名称"].value == "=1+1" and row["项目名称"].data_type == "s"
    assert row["说明"].value == "=HYPERLINK(\"http://x\",\"点我\")" and row["说明"].data_type == "s"
    assert len(row["证据"].value) <= 32767 and row["证据"].value.endswith("…")
    empty = Report(summary=Summary(forms=0, findings=0, by_code={}, by_severity={}), flags=[])
    write(empty, tmp_path / "e.xlsx")
    assert read_decisions(tmp_path / "e.xlsx") == {}
