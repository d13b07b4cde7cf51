"""Issue 12: forms read from Excel (.xlsx, .xls) and CSV read exactly as from their text export.

The sample exports are written to workbooks by testkit/office_export.py (cells exactly as the text export
has them), read back through forms.grid.read_grid, and every form must come out the same: project names,
indicators (levels, names, targets, actuals, weights, scores), funds and goals.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from testkit.office_export import export_xlsx
from jixiao.forms.grid import read_grid
from jixiao.forms.parser import parse_file
from jixiao.forms.textio import read_file, rows_of

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SAMPLES = ("minhang_2024_declaration", "minhang_2024_tracking", "putuo_2024_self_evaluation")
FORMS = {"minhang_2024_declaration": 11, "minhang_2024_tracking": 4, "putuo_2024_self_evaluation": 24}


def _content(result) -> list[dict]:
    """The forms minus where they stand (source, lines, warnings): what a reader of any format must agree on."""
    out = []
    for f in result.forms:
        d = f.model_dump(exclude={"source", "lines", "warnings"})
        for i in d["indicators"]:
            i.pop("line")
        if d["funds"]:
            for r in d["funds"]["rows"]:
                r.pop("line")
        d["goal"].pop("expected_line")
        d["goal"].pop("actual_line")
        out.append(d)
    return out


def _csv_text(name: str) -> str:
    text, _ = read_file(EXAMPLES / f"{name}.txt")
    buf = io.StringIO()
    w = csv.writer(buf)
    line = 0
    for r in rows_of(text):
        while line < r.no - 1:
            w.writerow([])
            line += 1
        w.writerow(r.cells)
        line += 1
    return buf.getvalue()


def _write(kind: str, name: str, out: Path) -> Path:
    src = EXAMPLES / f"{name}.txt"
    if kind == "xlsx":
        return export_xlsx(src, out / f"{name}.xlsx", one_sheet=True)
    if kind == "xlsx-sheets":
        return export_xlsx(src, out / f"{name}.sheets.xlsx", one_sheet=False)
    if kind == "csv-utf8":
        p = out / f"{name}.csv"
        p.write_text(_csv_text(name), encoding="utf-8-sig")
        return p
    if kind == "csv-gb18030":
        p = out / f"{name}.gb.csv"
        p.write_bytes(_csv_text(name).encode("gb18030"))
        return p
    if kind == "xls":
        xlwt = pytest.importorskip("xlwt", reason="xlwt writes the .xls test files")
        text, _ = read_file(src)
        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet("Sheet1")
        for r in rows_of(text):
            for j, c in enumerate(r.cells):
                if c:
                    ws.write(r.no - 1, j, c)
        p = out / f"{name}.xls"
        wb.save(str(p))
        return p
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["xlsx", "xlsx-sheets", "csv-utf8", "csv-gb18030", "xls"])
@pytest.mark.parametrize("name", SAMPLES)
def test_round_trip_same_forms(tmp_path, kind, name):
    expected = parse_file(EXAMPLES / f"{name}.txt")
    got = parse_file(_write(kind, name, tmp_path))
    assert not got.failed, got.issues
    assert len(got.forms) == len(expected.forms) == FORMS[name]
    assert [f.project_name for f in got.forms] == [f.project_name for f in expected.forms]
    a, b = _content(expected), _content(got)
    for fe, fg in zip(a, b):
        for key in fe:
            assert fg[key] == fe[key], (fe["project_name"], key)
    if kind.startswith("csv"):
        assert got.encoding == ("utf-8-sig" if kind == "csv-utf8" else "gb18030")


def test_one_sheet_rows_are_lines_and_places_name_the_cells(tmp_path):
    """All forms in one sheet: row n is line n of the export, and the form knows where its rows and cells stand."""
    name = "putuo_2024_self_evaluation"
    text, _ = read_file(EXAMPLES / f"{name}.txt")
    by_line = {r.no: r.cells for r in rows_of(text)}
    grid = read_grid(_write("xlsx", name, tmp_path))
    for r in grid.rows:
        assert r.cells == by_line.get(r.no, []), r.no
        assert grid.places[r.no] == f"Sheet1!{r.no}"
    form = parse_file(tmp_path / f"{name}.xlsx").forms[0]
    ind = form.indicators[0]
    assert form.source.places[ind.line] == f"Sheet1!{ind.line}"
    col = by_line[ind.line].index(ind.name)
    assert form.source.cell_places[ind.line][ind.name] == f"Sheet1!{'ABCDEFGHIJ'[col]}{ind.line}"
    assert parse_file(EXAMPLES / f"{name}.txt").forms[0].source.places == {}  # text files: the line says it all


def test_one_form_per_sheet_places(tmp_path):
    grid = read_grid(_write("xlsx-sheets", "minhang_2024_tracking", tmp_path))
    sheets = {p.split("!")[0] for p in grid.places.values()}
    assert sheets == {"表1", "表2", "表3", "表4"}
    forms = parse_file(tmp_path / "minhang_2024_tracking.sheets.xlsx").forms
    for k, f in enumerate(forms, 1):  # every form's rows are on its own sheet
        assert {p.split("!")[0] for p in f.source.places.values()} == {f"表{k}"}, f.project_name


def test_provenance_reaches_review_evidence(tmp_path):
    """A finding on a workbook names the cell ("Sheet1!C14"), and the report prints it instead of file:line."""
    from jixiao.review.engine import review
    from jixiao.review.report_common import place

    name = "putuo_2024_self_evaluation"
    path = _write("xlsx", name, tmp_path)
    forms = parse_file(path).forms
    report = review(forms, only=["indicator.*", "score.*"])
    evidence = [e for f in report.flags for e in f.evidence if e.file == str(path)]
    assert evidence
    assert all(e.location for e in evidence)  # also evidence the corpus checks build themselves
    cells = [e for e in evidence if re.fullmatch(r"Sheet1![A-Z]+\d+", e.location)]
    assert cells, "some evidence should name its cell"
    text, _ = read_file(EXAMPLES / f"{name}.txt")
    by_line = {r.no: r.cells for r in rows_of(text)}
    for e in cells:
        col, row = re.fullmatch(r"Sheet1!([A-Z]+)(\d+)", e.location).groups()
        assert int(row) == e.line
        cell = by_line[e.line][ord(col) - 65]
        assert cell and (e.text is None or cell in e.text)  # the named cell holds what the evidence quotes
        assert place(e) == f"{path} {e.location}"
    from jixiao.review.report import to_csv
    from jixiao.review.report_md import to_md

    # Places relative to the report's folder, the full path in a column of its own (issue 15).
    assert f"`{path.name} Sheet1!" in to_md(report)
    csv_text = to_csv(report)
    assert f"{path.name} Sheet1!" in csv_text and f"{path.name}:" not in csv_text and str(path) in csv_text
    assert all(e.location for f in report.flags for e in f.evidence if e.file == str(path))
    assert '"location": "Sheet1!' in report.model_dump_json(indent=1).replace('":"', '": "')
    # the same review of the text export keeps file:line
    text_report = review(parse_file(EXAMPLES / f"{name}.txt").forms, only=["indicator.*", "score.*"])
    e = next(e for f in text_report.flags for e in f.evidence if e.file)
    assert e.location is None and place(e) == f"{e.file}:{e.line}"


# --- what the cells show ------------------------------------------------------------------------

def test_number_formats_show_what_the_cell_shows(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "格式"
    values = [
        (0.9, "0%", "90%"), (0.9, "0.00%", "90.00%"), (0.125, "0.0%", "12.5%"),
        (1094910000, "#,##0.00", "1,094,910,000.00"), (3013, "#,##0.00", "3,013.00"), (3013, "#,##0", "3,013"),
        (40, "0.00", "40.00"), (12.5, '0.00"(%)"', "12.50(%)"), (856, '0"人次"', "856人次"), (42, "General", "42"),
        (0.1 + 0.2, "General", "0.3"), (2.675, "0.00", "2.68"), (-1234.5, "#,##0.00_);(#,##0.00)", "(1,234.50)"),
        (dt.datetime(2024, 1, 31), 'yyyy"年"m"月"d"日"', "2024年1月31日"), (dt.datetime(2024, 6, 30), "yyyy-mm-dd", "2024-06-30"),
        (dt.datetime(2024, 6, 30), "yyyy/m/d", "2024/6/30"), (dt.datetime(2023, 12, 1), 'yyyy"年"m"月"', "2023年12月"),
        (True, "General", "TRUE"), ("=100.00(%)", "@", "=100.00(%)"),
    ]
    for i, (v, fmt, _) in enumerate(values, 1):
        c = ws.cell(row=i, column=1, value=v)
        c.number_format = fmt
        if isinstance(v, str):
            c.data_type = "s"
    ws.cell(row=len(values) + 1, column=1, value="=A1*2")  # a formula openpyxl saves without a cached value
    p = tmp_path / "formats.xlsx"
    wb.save(p)
    grid = read_grid(p)
    shown = [r.cells[0] if r.cells else "" for r in grid.rows]
    assert shown[:len(values)] == [want for _, _, want in values]
    assert len(shown) == len(values)  # the uncached formula reads as empty (a trailing blank row, dropped)
    assert any("公式没有保存计算结果" in w.message and f"格式!A{len(values) + 1}" in w.message for w in grid.warnings)


def test_merged_cells_read_once_and_line_breaks_become_spaces(tmp_path):
    from openpyxl import Workbook
    from openpyxl.worksheet.cell_range import CellRange

    wb = Workbook()
    ws = wb.active
    for r, row in enumerate([["项目名称", "IT\nsystem 运维", "IT\nsystem 运维", "IT\nsystem 运维"],
                             ["一级指标", "二级指标", "三级指标", "年度指标值", ""],
                             ["产出指标", "数量指标", "培训人数", "≥100(人)"],
                             ["产出指标", "质量指标", "合格率", "≥90(%)"]], 1):
        for c, v in enumerate(row, 1):
            ws.cell(row=r, column=c, value=v)
    # Some generators write a merged range's value into every cell of it: declare the ranges without clearing.
    ws.merged_cells.add(CellRange("B1:D1"))
    ws.merged_cells.add(CellRange("A3:A4"))
    p = tmp_path / "merged.xlsx"
    wb.save(p)
    grid = read_grid(p)
    assert [r.cells for r in grid.rows] == [
        ["项目名称", "IT system运维"],  # the range once; the break a space (cleaned as a text export's); trailing empties dropped
        ["一级指标", "二级指标", "三级指标", "年度指标值"],
        ["产出指标", "数量指标", "培训人数", "≥100(人)"],
        ["", "质量指标", "合格率", "≥90(%)"],  # the rest of a vertical range is empty, as in a text export
    ]


def test_every_sheet_is_read_with_a_blank_row_between(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "A"
    wb.active["A1"] = "一"
    wb.create_sheet("B")["B3"] = "二"
    p = tmp_path / "two.xlsx"
    wb.save(p)
    grid = read_grid(p)
    assert [(r.no, r.cells) for r in grid.rows] == [(1, ["一"]), (2, []), (3, []), (4, []), (5, ["", "二"])]
    assert grid.places[1] == "A!1" and grid.places[5] == "B!3"
    assert grid.cell_places[5] == ["B!A3", "B!B3"]


def test_xls_merged_and_formats(tmp_path):
    xlwt = pytest.importorskip("xlwt", reason="xlwt writes the .xls test files")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    ws.write(0, 0, 0.9, xlwt.easyxf(num_format_str="0%"))
    ws.write(0, 1, 1094910, xlwt.easyxf(num_format_str="#,##0.00"))
    ws.write(0, 2, dt.date(2024, 1, 31), xlwt.easyxf(num_format_str='yyyy"年"m"月"d"日"'))
    ws.write_merge(1, 2, 0, 1, "产出指标")
    ws.write(1, 2, "数量指标")
    ws.write(2, 2, "质量指标")
    p = tmp_path / "f.xls"
    wb.save(str(p))
    grid = read_grid(p)
    assert [r.cells for r in grid.rows] == [["90%", "1,094,910.00", "2024年1月31日"], ["产出指标", "", "数量指标"],
                                           ["", "", "质量指标"]]
    assert grid.cell_places[2][2] == "Sheet1!C2"


def test_csv_with_semicolons_and_a_line_break_in_a_cell(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text('sep=;\n项目名称;"IT\nsystem"\n一级指标;二级指标\n', encoding="utf-8")
    grid = read_grid(p)
    assert [r.cells for r in grid.rows] == [[], ["项目名称", "IT system"], ["一级指标", "二级指标"]]
    assert grid.places[2] == "第2–3行" and grid.places[3] == "第4行"
