"""Write the forms of a text export to Excel (.xlsx) and Word (.docx), for round-trip tests and benchmarks.

The cells are exactly the text export's cells (textio.rows_of: cleaned, trailing empties dropped), as text,
so that reading the Office file back compares like with like:

    export_xlsx(src, out, one_sheet=True)   # all rows in one sheet "Sheet1", row n = line n of the export
    export_xlsx(src, out, one_sheet=False)  # one form per sheet ("表1", "表2" …; lines before the first form go to 表1)
    export_docx(src, out)                   # one table per form; title/period/year lines as paragraphs between tables;
                                            # a blank line (a page break) ends a table and leaves an empty paragraph

    python -m testkit.office_export examples/*.txt --out bench/out/office    # writes <name>.xlsx, <name>.sheets.xlsx, <name>.docx
"""

from __future__ import annotations

import argparse
from pathlib import Path

from jixiao.forms.layout import detect_period, detect_title, detect_year
from jixiao.forms.parser import parse_text
from jixiao.forms.textio import Row, read_file, rows_of


def _rows_and_starts(src: Path | str, text: str | None = None) -> tuple[list[Row], list[int]]:
    """The export's rows and the first line of each form (as the parser reads them)."""
    if text is None:
        text, _ = read_file(Path(src))
    rows = rows_of(text)
    starts = sorted({f.source.first_line for f in parse_text(text, str(src)).forms})
    return rows, starts


def _segments(rows: list[Row], starts: list[int]) -> list[list[Row]]:
    """Rows cut at each form's first line; what comes before the first form joins the first segment."""
    if not starts:
        return [rows]
    cuts = starts[1:]
    out: list[list[Row]] = [[] for _ in starts]
    k = 0
    for r in rows:
        while k < len(cuts) and r.no >= cuts[k]:
            k += 1
        out[k].append(r)
    return out


def export_xlsx(src: Path, out: Path, one_sheet: bool, text: str | None = None) -> Path:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    rows, starts = _rows_and_starts(src, text)
    wb = Workbook(write_only=True)

    def cells(ws, r: Row) -> list:
        out = []
        for c in r.cells:
            if c.startswith("="):  # "=40.00(班次)" is text, not a formula
                cell = WriteOnlyCell(ws, value=c)
                cell.data_type = "s"
                out.append(cell)
            else:
                out.append(c)
        return out
    if one_sheet:
        ws = wb.create_sheet("Sheet1")
        line = 0
        for r in rows:
            while line < r.no - 1:  # blank lines and table rules: empty rows, so that row n is line n
                ws.append([])
                line += 1
            ws.append(cells(ws, r))
            line += 1
    else:
        for k, seg in enumerate(_segments(rows, starts), 1):
            ws = wb.create_sheet(f"表{k}")
            # A sheet starts at its form; blank lines inside stay blank rows.
            first = seg[0].no if seg else 0
            line = first
            for r in seg:
                while line < r.no:
                    ws.append([])
                    line += 1
                ws.append(cells(ws, r))
                line += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _is_paragraph(r: Row, in_table: bool) -> bool:
    if len(r.texts) != 1:
        return False
    if r.heading or detect_title(r) is not None or detect_year(r) is not None or detect_period(r) is not None:
        return True
    return not in_table  # a lone line before a form's table (a unit or a note above it)


def export_docx(src: Path, out: Path, text: str | None = None) -> Path:
    import docx

    rows, starts = _rows_and_starts(src, text)
    doc = docx.Document()
    table_rows: list[Row] = []

    def flush() -> None:
        if not table_rows:
            return
        width = max(len(r.cells) for r in table_rows)
        t = doc.add_table(rows=len(table_rows), cols=width)
        for i, r in enumerate(table_rows):
            cells = t.rows[i].cells
            for j, c in enumerate(r.cells):
                if c:
                    cells[j].text = c
        table_rows.clear()

    for seg in _segments(rows, starts):
        for r in seg:
            if r.blank:
                if table_rows:
                    flush()
                    doc.add_paragraph("")
                continue
            if _is_paragraph(r, bool(table_rows)):
                flush()
                doc.add_paragraph(r.texts[0][1])
                continue
            table_rows.append(r)
        flush()
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, default=Path("bench/out/office"))
    a = ap.parse_args(argv)
    for f in a.files:
        stem = a.out / f.stem
        print(export_xlsx(f, stem.with_suffix(".xlsx"), one_sheet=True))
        print(export_xlsx(f, Path(f"{stem}.sheets.xlsx"), one_sheet=False))
        print(export_docx(f, stem.with_suffix(".docx")))


if __name__ == "__main__":
    main()
