"""The shipped samples (examples/) as the tests and benchmarks use them: their names and texts, the
three as ruled .docx and .xlsx files, and parsed forms compared without where rows stand in the file.
The round-trip helpers the format tests share with bench/bench_formats.py."""

from __future__ import annotations

import re
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SAMPLES = ("minhang_2024_declaration", "minhang_2024_tracking", "putuo_2024_self_evaluation")
_LINE_REF = re.compile(r"第 ?\d+ ?行")


def sample_texts() -> dict[str, str]:
    """The shipped samples' texts by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))}


def comparable(result) -> list[dict]:
    """Each form of a ParseResult as a dict, without what depends on where rows stand in the file
    (source, lines, warnings, indicator/funds/goal line numbers, line numbers inside notes)."""
    out = []
    for f in result.forms:
        d = f.model_dump(mode="json", exclude={"source", "lines", "warnings"})
        for ind in d["indicators"]:
            ind.pop("line", None)
            ind["notes"] = [_LINE_REF.sub("第N行", n) for n in ind["notes"]]
        if d.get("funds"):
            for r in d["funds"]["rows"]:
                r.pop("line", None)
        d["goal"].pop("expected_line", None)
        d["goal"].pop("actual_line", None)
        out.append(d)
    return out


def differences(want: dict, got: dict) -> list[str]:
    """Which fields of a form differ, for messages: 'indicators[3].actual', 'funds', 'goal.actual'."""
    out = []
    for k in want:
        if want[k] == got.get(k):
            continue
        if k == "indicators" and len(want[k]) == len(got[k]):
            for i, (a, b) in enumerate(zip(want[k], got[k])):
                out += [f"indicators[{i}].{f}: {a[f]!r} ≠ {b.get(f)!r}" for f in a if a[f] != b.get(f)]
        elif k == "indicators":
            out.append(f"indicators: {len(want[k])} ≠ {len(got[k])}")
        elif k == "goal":
            out += [f"goal.{f}: {str(want[k][f])[:60]!r} ≠ {str(got[k].get(f))[:60]!r}"
                    for f in want[k] if want[k][f] != got[k].get(f)]
        else:
            out.append(f"{k}: {str(want[k])[:80]!r} ≠ {str(got.get(k))[:80]!r}")
    return out


# --- ruled tables: what reviewers' Word/Excel forms look like when printed -------------------------

def rule_docx(path: Path) -> Path:
    """Give every table of a .docx single borders (the 'Table Grid' look), as printed forms have."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = docx.Document(str(path))
    for t in doc.tables:
        tblpr = t._tbl.tblPr
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            el = OxmlElement(f"w:{edge}")
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), "4")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
            borders.append(el)
        for old in tblpr.findall(qn("w:tblBorders")):
            tblpr.remove(old)
        tblpr.append(borders)
    doc.save(str(path))
    return path


def rule_xlsx(path: Path) -> Path:
    """Thin borders on every used cell of every sheet's table blocks, wrap text, landscape A4 fit to width."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.utils import get_column_letter as column_letter

    wb = load_workbook(str(path))
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    col_width = 18  # in widths of "0": about 8 Chinese characters
    for ws in wb.worksheets:
        width = ws.max_column
        for row in ws.iter_rows():
            cells = [c for c in row if c.value not in (None, "")]
            if not cells or (len(cells) == 1 and cells[0].column == 1 and len(str(cells[0].value)) > 5):
                continue  # a title or period line in column A: no table rule
            for c in row[:width]:
                c.border = border
                c.alignment = wrap
            # LibreOffice does not grow rows to fit wrapped text on loading an .xlsx: set the height.
            lines = max((-(-sum(2 if ord(ch) > 255 else 1 for ch in str(c.value)) // (col_width - 2)) for c in cells),
                        default=1)
            ws.row_dimensions[row[0].row].height = 15 * max(1, lines) + 2
        for col in range(1, width + 1):
            ws.column_dimensions[column_letter(col)].width = col_width
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(str(path))
    return path


def export_samples(out: Path, formats=("docx", "xlsx")) -> dict[str, dict[str, Path]]:
    """The three samples as ruled .docx and .xlsx (one sheet per form) in OUT: {sample: {fmt: path}}."""
    from testkit.office_export import export_docx, export_xlsx

    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Path]] = {}
    for name in SAMPLES:
        src = EXAMPLES / f"{name}.txt"
        files[name] = {}
        if "docx" in formats:
            files[name]["docx"] = rule_docx(export_docx(src, out / f"{name}.docx"))
        if "xlsx" in formats:
            files[name]["xlsx"] = rule_xlsx(export_xlsx(src, out / f"{name}.xlsx", one_sheet=False))
    return files
