"""Word (.docx) input: every sample form written to .docx (testkit/office_export.export_docx) reads back to the
same forms as the text export; merged cells, nested tables, paragraphs between tables and places."""

from __future__ import annotations

from pathlib import Path

import pytest

docx = pytest.importorskip("docx", reason="python-docx is not installed")

from testkit.samples import EXAMPLES, SAMPLES, comparable, differences  # noqa: E402
from jixiao.forms.grid import read_grid  # noqa: E402
from jixiao.forms.parser import parse_file  # noqa: E402
from jixiao.forms.textio import InputError  # noqa: E402


@pytest.fixture(scope="module")
def docx_files(tmp_path_factory) -> dict[str, Path]:
    from testkit.office_export import export_docx

    out = tmp_path_factory.mktemp("docx")
    return {name: export_docx(EXAMPLES / f"{name}.txt", out / f"{name}.docx") for name in SAMPLES}


@pytest.mark.parametrize("name", SAMPLES)
def test_docx_round_trip(docx_files, name):
    want = comparable(parse_file(EXAMPLES / f"{name}.txt"))
    result = parse_file(docx_files[name])
    assert not result.failed, result.issues
    got = comparable(result)
    assert [f["project_name"] for f in got] == [f["project_name"] for f in want]
    bad = {w["project_name"]: differences(w, g) for w, g in zip(want, got) if w != g}
    assert not bad, bad


def test_docx_places_and_paragraphs(docx_files):
    grid = read_grid(docx_files["minhang_2024_tracking"])
    texts = [r.cells for r in grid.rows]
    assert ["财政项目支出绩效跟踪表"] in texts  # the title paragraph as a one-cell row
    assert any(len(c) == 1 and c[0].startswith("跟踪时段") for c in texts)
    name_row = next(r for r in grid.rows if r.cells and r.cells[0] == "项目名称")
    assert grid.places[name_row.no] == "表1第1行"
    assert [r.no for r in grid.rows] == list(range(1, len(grid.rows) + 1))
    # forms carry where they stand in the document
    form = parse_file(docx_files["minhang_2024_tracking"]).forms[0]
    assert form.source.places and all(p.startswith("表") or p.startswith("第") for p in form.source.places.values())


def _merged_doc(path: Path) -> Path:
    """A table with a horizontal merge (gridSpan), a vertical merge (vMerge) and a nested table,
    between two paragraphs."""
    d = docx.Document()
    d.add_paragraph("财政项目支出绩效自评表")
    t = d.add_table(rows=4, cols=4)
    t.cell(0, 0).text = "项目名称"
    a = t.cell(0, 1).merge(t.cell(0, 3))
    a.text = "合并的项目"
    t.cell(1, 0).text = "产出指标"
    t.cell(1, 0).merge(t.cell(2, 0))  # vertical merge: the value in the first row only
    t.cell(1, 1).text = "数量指标"
    t.cell(1, 2).text = "Line one\nline two"
    t.cell(2, 1).text = "质量指标"
    inner = t.cell(3, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "内表甲"
    inner.cell(0, 1).text = "内表乙"
    t.cell(3, 0).text = "外行"
    d.add_paragraph("（2024年度）")
    d.save(path)
    return path


def test_docx_merges_and_nested(tmp_path):
    grid = read_grid(_merged_doc(tmp_path / "m.docx"))
    rows = [r.cells for r in grid.rows]
    assert rows[0] == ["财政项目支出绩效自评表"]
    assert rows[1] == ["项目名称", "合并的项目"]  # the merged value once, trailing empties dropped
    assert rows[2] == ["产出指标", "数量指标", "Line one line two"]  # a line break in a cell: a space
    assert rows[3] == ["", "质量指标"]  # the vertical merge's continuation is empty
    assert rows[4][0] == "外行"
    assert rows[5] == ["内表甲", "内表乙"]  # the nested table's row after the row that holds it
    assert grid.places[6] == "表1第4行内表1第1行"
    assert rows[6] == []  # the table's end: a break
    assert rows[7] == ["（2024年度）"] or rows[7] == ["(2024年度)"]


def test_damaged_docx(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError):
        read_grid(bad)
