"""Reading Word (.docx) files: every table in document order, with the paragraphs between them.

The body's XML children are walked in order (paragraphs, tables, content controls), so a title,
a "跟踪时段：…" line or "(2024年度)" between two tables comes out as a one-cell row where it stands,
and each table ends with a blank row, as a page break does in a text export.

Table rows are read from the XML (w:tr / w:tc) rather than through python-docx's cell grid:
- a horizontally merged cell (gridSpan=n) gives its text once, then n-1 empty cells;
- a vertically merged cell (vMerge continue) gives an empty cell: the value stands in the first row only,
  as merged cells do in text exports;
- skipped grid columns at the start of a row (gridBefore) give empty cells;
- a table nested in a cell is flattened: its rows are emitted right after the row that holds it (each
  with its own place "表2第5行内表1第1行"), the holding cell keeps its own paragraphs' text.
Line breaks inside a cell (paragraphs, w:br) are joined with a space; every cell goes through clean_cell.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from jixiao.forms.grid import Grid
from jixiao.forms.textio import InputError, Row, clean_cell

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _TR, _TC, _SDT, _SDTCONTENT = (f"{_W}{t}" for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
_T, _BR, _CR, _TAB, _INSTR = f"{_W}t", f"{_W}br", f"{_W}cr", f"{_W}tab", f"{_W}instrText"
_VAL = f"{_W}val"


def _para_text(p) -> tuple[str, bool]:
    """Text of a w:p (runs, hyperlinks, insertions; deleted text left out) and whether it holds a page break."""
    out: list[str] = []
    page_break = False
    for el in p.iter():
        tag = el.tag
        if tag == _T:  # deleted text is w:delText, left out
            out.append(el.text or "")
        elif tag in (_BR, _CR):
            if el.get(f"{_W}type") == "page":
                page_break = True
            else:
                out.append(" ")
        elif tag == _TAB:
            out.append(" ")
    return "".join(out), page_break


def _children(parent, tag: str):
    """Children with `tag`, looking through content controls (w:sdt/w:sdtContent) but not into nested tables."""
    for el in parent.iterchildren():
        if el.tag == tag:
            yield el
        elif el.tag == _SDT:
            content = el.find(_SDTCONTENT)
            if content is not None:
                yield from _children(content, tag)


def _is_heading(p) -> bool:
    ppr = p.find(f"{_W}pPr")
    if ppr is None:
        return False
    style = ppr.find(f"{_W}pStyle")
    if ppr.find(f"{_W}outlineLvl") is not None:
        return True
    if style is None:
        return False
    name = (style.get(_VAL) or "").lower()
    return name.startswith(("heading", "title", "标题")) or name in ("1", "2", "3")


def _int(el, child: str, default: int) -> int:
    if el is None:
        return default
    c = el.find(f"{_W}{child}")
    if c is None:
        return default
    try:
        return int(c.get(_VAL))
    except (TypeError, ValueError):
        return default


class _Reader:
    def __init__(self, file: str):
        self.file = file
        self.rows: list[Row] = []
        self.places: dict[int, str] = {}
        self.tables = 0
        self.paras = 0

    def emit(self, cells: list[str], place: str | None, heading: bool = False) -> None:
        while cells and not cells[-1]:
            cells.pop()
        if not cells and (not self.rows or self.rows[-1].blank):
            return  # one blank row per break
        no = len(self.rows) + 1
        self.rows.append(Row(no, cells, heading))
        if place:
            self.places[no] = place

    def blocks(self, parent) -> None:
        for el in parent.iterchildren():
            if el.tag == _P:
                self.paragraph(el)
            elif el.tag == _TBL:
                self.tables += 1
                self.table(el, f"表{self.tables}")
                self.emit([], None)
            elif el.tag == _SDT:
                content = el.find(_SDTCONTENT)
                if content is not None:
                    self.blocks(content)

    def paragraph(self, p) -> None:
        text, page_break = _para_text(p)
        text = clean_cell(text)
        if text:
            self.paras += 1
            self.emit([text], f"第{self.paras}段", _is_heading(p))
        if page_break:
            self.emit([], None)

    def cell_content(self, tc) -> tuple[str, list]:
        """The cell's own text (its paragraphs joined with a space) and the tables nested in it."""
        texts: list[str] = []
        nested: list = []

        def walk(parent) -> None:
            for el in parent.iterchildren():
                if el.tag == _P:
                    t, _ = _para_text(el)
                    if t.strip():
                        texts.append(t)
                elif el.tag == _TBL:
                    nested.append(el)
                elif el.tag == _SDT:
                    c = el.find(_SDTCONTENT)
                    if c is not None:
                        walk(c)

        walk(tc)
        return clean_cell(" ".join(texts)), nested

    def table(self, tbl, name: str) -> None:
        row_no = 0
        for tr in _children(tbl, _TR):
            row_no += 1
            trpr = tr.find(f"{_W}trPr")
            cells: list[str] = [""] * _int(trpr, "gridBefore", 0)
            nested_all: list = []
            for tc in _children(tr, _TC):
                tcpr = tc.find(f"{_W}tcPr")
                span = max(1, _int(tcpr, "gridSpan", 1))
                vmerge = tcpr.find(f"{_W}vMerge") if tcpr is not None else None
                text, nested = self.cell_content(tc)
                if vmerge is not None and vmerge.get(_VAL) in (None, "continue"):
                    text = ""  # the continuation of a vertical merge: the value stands above
                cells.append(text)
                cells.extend([""] * (span - 1))
                nested_all.extend(nested)
            place = f"{name}第{row_no}行"
            self.emit(cells, place)
            for k, inner in enumerate(nested_all, 1):
                self.table(inner, f"{place}内表{k}")


def read(path: Path) -> Grid:
    path = Path(path)
    try:
        import docx  # python-docx
    except ImportError:  # pragma: no cover - a declared dependency
        raise InputError(str(path), "reading .docx needs python-docx (pip install python-docx)") from None
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise InputError(str(path), f"not a readable Word .docx file: {e}") from None
    except OSError as e:
        raise InputError(str(path), f"cannot read: {e.strerror or e}") from None
    reader = _Reader(str(path))
    reader.blocks(document.element.body)
    rows = reader.rows
    while rows and rows[-1].blank:
        rows.pop()
    if not rows:
        raise InputError(str(path), "the Word document holds no text (no table, no paragraph)")
    return Grid(rows=rows, places=reader.places)
