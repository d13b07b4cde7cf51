"""Reading PDF files with a text layer (and, with ocr=True, scans through tesseract).

Library: pdfplumber (MIT; pdfminer.six for text, pypdfium2 to render pages for OCR). Measured against
PyMuPDF 2.0 (AGPL-3.0: using it would put jixiao under the AGPL, or need a commercial licence) on the three
samples written to ruled .docx and rendered to PDF by LibreOffice, with the same row assembly below
(python bench/bench_formats.py --compare-pdf-libs, 2-core AMD EPYC):
  pdfplumber: 38 of 39 forms identical to the text export's, 4.3 s to extract the 3 PDFs (104 pages);
  PyMuPDF:    0 of 39 — its table cells come with characters out of order ("2024-01-01" as "2024 01- -01",
              "鉴定、认定费" as "鉴定认定、费") and the parser crashed on two of the files — and 145 s.
PyMuPDF is imported only by _pages_pymupdf, kept for that comparison; it is not a dependency.

What comes out is a text export's rows (see forms.grid):
- per page, the tables (ruled tables, found from their lines) and the text lines outside them, top to bottom;
- a cell wrapped over several lines is one cell: its lines joined (with a space only between two Latin letters,
  so "100.0⏎0" stays 100.00 and Chinese text is not cut by spaces);
- a table that continues at the top of the next page (same left and right edges) is joined to the one
  before; its first row is dropped when it repeats the table's header row;
- a row that the page break cut in two is mended (each cell's rest appended to the cell above) when every
  cell of the rest goes on from the cell above it (see _split_remainder); when that is not clear, a blank
  Row marks the page break as in a text export, and the parser's page-break repairs apply;
- places say where each row stood: "第3页第12行" (the 12th row of page 3, table rows and text lines
  counted together);
- a PDF without a text layer (a scan) raises InputError saying it needs OCR (--ocr).

OCR (read(path, ocr=True)): Debian's tesseract with chi_sim on each page rendered at 300 dpi, table rules
whitened first (tesseract reads them as characters). Page 1 of the tracking sample, rendered from .xlsx and
rasterised at 200 dpi into an image-only PDF: 93% character similarity to the page's text layer (difflib
ratio), 13 s a page on one core; 闵 read as 阅, wrapped cells come out as one row per line, columns only
approximate (cut at wide gaps). A form read by OCR needs checking; the grid carries a warning saying so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from jixiao.forms.grid import Grid
from jixiao.forms.models import Issue
from jixiao.forms.textio import InputError, Row, clean_cell

_LATIN_END = re.compile(r"[A-Za-z]$")
_LATIN_START = re.compile(r"^[A-Za-z]")


def join_lines(text: str | None) -> str:
    """A wrapped cell's lines as one cell text."""
    if not text:
        return ""
    lines = [s.strip() for s in text.split("\n")]
    out = ""
    for s in lines:
        if not s:
            continue
        if out and _LATIN_END.search(out) and _LATIN_START.match(s):
            out += " "
        out += s
    return clean_cell(out)


@dataclass
class _Item:
    top: float
    kind: str  # "table" or "line"
    rows: list[list[str]] = field(default_factory=list)  # raw cell texts, wrapped lines kept as "\n"
    cols: tuple[float, ...] = ()  # the table's column edges (x), to tell a continuation
    bottom: float = 0.0  # the table's bottom edge
    last_full: list[bool] = field(default_factory=list)  # per column: the last row's text runs to the cell's edge


@dataclass
class _Page:
    items: list[_Item]
    has_text: bool


def _inside(x0: float, top: float, x1: float, bottom: float, boxes: list[tuple]) -> bool:
    cx, cy = (x0 + x1) / 2, (top + bottom) / 2
    return any(b[0] - 1 <= cx <= b[2] + 1 and b[1] - 1 <= cy <= b[3] + 1 for b in boxes)


def _lines_of_words(words: list[tuple[float, float, float, float, str]]) -> list[_Item]:
    """Words (x0, top, x1, bottom, text) outside tables grouped into text lines."""
    lines: list[list] = []
    for w in sorted(words, key=lambda w: (round(w[1]), w[0])):
        if lines and abs(lines[-1][0][1] - w[1]) < max(2.0, (w[3] - w[1]) * 0.5):
            lines[-1].append(w)
        else:
            lines.append([w])
    out = []
    for ws in lines:
        ws.sort(key=lambda w: w[0])
        text = clean_cell(" ".join(w[4] for w in ws))
        if text:
            out.append(_Item(ws[0][1], "line", [[text]], bottom=max(w[3] for w in ws)))
    return out


def _last_full(cells: list, words: list[tuple[float, float, float, float, str]]) -> list[bool]:
    """For each cell of a table's last row: whether its last text line fills the cell's width, i.e. the text
    was wrapped there and may go on (on the next page, when the page break cut the row)."""
    out = []
    for bbox in cells:
        if not bbox:
            out.append(False)
            continue
        x0, top, x1, bottom = bbox
        inside = [w for w in words if x0 - 1 <= (w[0] + w[2]) / 2 <= x1 + 1 and top - 1 <= (w[1] + w[3]) / 2 <= bottom + 1]
        if not inside:
            out.append(False)
            continue
        last_top = max(w[1] for w in inside)
        line = [w for w in inside if w[1] >= last_top - 2]
        size = max(w[3] - w[1] for w in line)
        right = max(w[2] for w in line)
        out.append(x1 - right <= size * 2.2 + 2)  # kinsoku may push one character down
    return out


def _pages_pdfplumber(path: Path) -> list[_Page]:
    import pdfplumber

    pages = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            has_text = bool(page.chars)
            items: list[_Item] = []
            boxes = []
            last_cells = {}
            for t in page.find_tables():
                boxes.append(t.bbox)
                rows = [[c or "" for c in r] for r in t.extract()]
                cols = tuple(sorted({round(c[0]) for c in t.cells} | {round(c[2]) for c in t.cells}))
                items.append(_Item(t.bbox[1], "table", rows, cols, t.bbox[3]))
                last_cells[id(items[-1])] = t.rows[-1].cells if t.rows else []
            words = [(w["x0"], w["top"], w["x1"], w["bottom"], w["text"]) for w in page.extract_words()]
            tables = [i for i in items if i.kind == "table"]
            if tables:
                last = max(tables, key=lambda i: i.bottom)
                last.last_full = _last_full(last_cells[id(last)], words)
            items.extend(_lines_of_words([w for w in words if not _inside(*w[:4], boxes)]))
            items.sort(key=lambda i: i.top)
            pages.append(_Page(items, has_text))
    return pages


def _pages_pymupdf(path: Path) -> list[_Page]:
    """The same with PyMuPDF: kept for bench/bench_formats.py --compare-pdf-libs only (see CHOICE)."""
    import pymupdf

    pages = []
    with pymupdf.open(str(path)) as doc:
        for page in doc:
            words = page.get_text("words")
            has_text = bool(words)
            items: list[_Item] = []
            boxes = []
            ws = [(w[0], w[1], w[2], w[3], w[4]) for w in words]
            for t in page.find_tables().tables:
                boxes.append(tuple(t.bbox))
                rows = [[c or "" for c in r] for r in t.extract()]
                cells = [c for c in t.cells if c]
                cols = tuple(sorted({round(c[0]) for c in cells} | {round(c[2]) for c in cells}))
                items.append(_Item(t.bbox[1], "table", rows, cols, t.bbox[3]))
                items[-1].last_full = _last_full(t.rows[-1].cells if t.rows else [], ws)
            items.extend(_lines_of_words([w for w in ws if not _inside(*w[:4], boxes)]))
            items.sort(key=lambda i: i.top)
            pages.append(_Page(items, has_text))
    return pages


def _same_cols(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Same left and right edges: a table's column splits may differ from page to page with its rows."""
    return bool(a and b) and abs(a[0] - b[0]) <= 2 and abs(a[-1] - b[-1]) <= 2


_GOES_ON = re.compile(r"\S[-—–/、，,（(.]$")
_CUT_NUMBER = re.compile(r"\d\.\d?$")  # "100.0" over "0(%)": amounts are written with two decimals
_TAIL = re.compile(r"^[)）%％]|^[(（][^)）]{0,4}[)）]$")


def _split_remainder(last: list[str], last_full: list[bool], first: list[str]) -> bool:
    """Whether the first row of a continued table is the rest of the last row of the page before.

    A PDF does not say so: a row cut by a page break and two rows look alike. The rest fills only cells that
    were filled above, and each of them goes on from what stands above: the line above ran to the
    cell's edge (wrapped text), ended with a hyphen, comma or open bracket, or the rest is a unit such as
    "(起)" or "%)". A new row has cells under finished ones: short numbers, labels, a sentence's end."""
    filled = [j for j, c in enumerate(first) if c.strip()]
    if not filled or any(j >= len(last) or not last[j].strip() for j in filled):
        return False
    from jixiao.forms.values import looks_like_value

    def goes_on(j: int) -> bool:
        above, below = last[j].strip(), first[j].strip()
        if _TAIL.search(below) or _GOES_ON.search(above) or (_CUT_NUMBER.search(above) and below[:1].isdigit()):
            return True
        if looks_like_value(join_lines(above)):
            return False  # a number or a target with its unit is complete
        return j < len(last_full) and last_full[j]

    return all(goes_on(j) for j in filled)


def assemble(pages: list[_Page]) -> tuple[list[Row], dict[int, str]]:
    """Pages' tables and lines as rows: continued tables joined, repeated headers dropped, cut rows mended."""
    entries: list[tuple[list[str] | None, str | None]] = []  # (raw cells, place); None cells: a break
    open_table: _Item | None = None  # the table that the next page may continue
    header: list[str] | None = None
    for pno, page in enumerate(pages, 1):
        k = 0
        for idx, item in enumerate(page.items):
            if item.kind == "line":
                k += 1
                entries.append((None, None))
                entries.append((item.rows[0], f"第{pno}页第{k}行"))
                open_table = None
                continue
            table_rows = item.rows
            continues = idx == 0 and open_table is not None and _same_cols(open_table.cols, item.cols)
            if continues and header and table_rows and [join_lines(c) for c in table_rows[0]] == header:
                k += 1  # a header row repeated on the new page
                table_rows = table_rows[1:]
            if continues and table_rows and entries and entries[-1][0] is not None \
                    and _split_remainder(entries[-1][0], open_table.last_full, table_rows[0]):
                last, place = entries.pop()
                first = table_rows[0]
                width = max(len(last), len(first))
                last, first = last + [""] * (width - len(last)), first + [""] * (width - len(first))
                entries.append(([f"{a}\n{b}" if b.strip() else a for a, b in zip(last, first)], place))
                table_rows = table_rows[1:]
                k += 1
            elif continues:
                entries.append((None, None))  # a page break inside the table: the parser's repairs key on it
            else:
                entries.append((None, None))
                header = [join_lines(c) for c in table_rows[0]] if table_rows else None
            for r in table_rows:
                k += 1
                entries.append((r, f"第{pno}页第{k}行"))
            open_table = item
        if page.items and page.items[-1].kind != "table":
            open_table = None

    rows: list[Row] = []
    places: dict[int, str] = {}
    for raw, place in entries:
        cells = [join_lines(c) for c in raw] if raw is not None else []
        while cells and not cells[-1]:
            cells.pop()
        if not cells and (not rows or rows[-1].blank):
            continue  # one blank row per break
        no = len(rows) + 1
        rows.append(Row(no, cells))
        if place:
            places[no] = place
    while rows and rows[-1].blank:
        rows.pop()
    return rows, places


def read(path: Path, ocr: bool = False) -> Grid:
    path = Path(path)
    if ocr:
        return read_ocr(path)
    try:
        pages = _pages_pdfplumber(path)
    except InputError:
        raise
    except Exception as e:  # pdfminer raises many kinds on a damaged file
        raise InputError(str(path), f"not a readable PDF: {type(e).__name__}: {e}") from None
    if not any(p.has_text for p in pages):
        raise InputError(str(path), "PDF without a text layer (a scan?): it needs OCR; run again with --ocr")
    rows, places = assemble(pages)
    if not rows:
        raise InputError(str(path), "the PDF holds no table and no text")
    return Grid(rows=rows, places=places)


# --- OCR ---------------------------------------------------------------------------------------

def tesseract_missing() -> str | None:
    """Why OCR cannot run here, or None when tesseract with chi_sim is installed."""
    exe = shutil.which("tesseract")
    if exe is None:
        return "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True).stdout.split()
    if "chi_sim" not in langs:
        return "tesseract has no chi_sim language data (apt-get install tesseract-ocr-chi-sim)"
    return None


def read_ocr(path: Path, dpi: int = 300) -> Grid:
    """A scanned PDF through tesseract (chi_sim+eng): each page rendered to an image, tesseract's TSV words
    grouped into text lines, a line cut into cells where the gap between words is wider than two characters.
    Table rules are not used: merged and empty cells are not seen, so columns are only approximate."""
    why = tesseract_missing()
    if why:
        raise InputError(str(path), f"OCR needs tesseract: {why}")
    import pdfplumber

    rows: list[Row] = []
    places: dict[int, str] = {}
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as e:
        raise InputError(str(path), f"not a readable PDF: {type(e).__name__}: {e}") from None
    with pdf, tempfile.TemporaryDirectory(prefix="jixiao-ocr-") as tmp:
        for pno, page in enumerate(pdf.pages, 1):
            image = Path(tmp) / f"p{pno}.png"
            _without_rules(page.to_image(resolution=dpi).original).save(image)
            proc = subprocess.run(["tesseract", str(image), "stdout", "-l", "chi_sim+eng", "--psm", "6", "tsv"],
                                  capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                raise InputError(str(path), f"tesseract failed on page {pno}: {proc.stderr.strip()[-300:]}")
            if rows and not rows[-1].blank:
                rows.append(Row(len(rows) + 1, []))
            for k, cells in enumerate(_ocr_lines(proc.stdout), 1):
                no = len(rows) + 1
                rows.append(Row(no, cells))
                places[no] = f"第{pno}页第{k}行"
    while rows and rows[-1].blank:
        rows.pop()
    if not rows:
        raise InputError(str(path), "OCR found no text in the PDF")
    return Grid(rows=rows, places=places,
                warnings=[Issue(file=str(path), message="read by OCR (tesseract chi_sim): check names and numbers")])


def _without_rules(img):
    """The page image with table rules whitened: tesseract reads ruled tables' lines as characters."""
    import numpy as np
    from PIL import Image

    a = np.asarray(img.convert("L")).copy()
    dark = a < 160
    h, w = a.shape
    # a rule is a long run of dark pixels: rows (columns) whose dark share is high in a sliding window
    rows = dark.mean(axis=1) > 0.25
    cols = dark.mean(axis=0) > 0.15
    a[rows, :] = 255
    a[:, cols] = 255
    return Image.fromarray(a)


def _ocr_lines(tsv: str) -> list[list[str]]:
    """Tesseract TSV words -> lines of cells."""
    lines: dict[tuple[str, str, str], list[tuple[int, int, int, str]]] = {}
    for rec in tsv.splitlines()[1:]:
        f = rec.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        try:
            left, width, height = int(f[6]), int(f[8]), int(f[9])
        except ValueError:
            continue
        lines.setdefault((f[2], f[3], f[4]), []).append((left, width, height, f[11].strip()))
    out = []
    for words in lines.values():
        words.sort()
        size = sorted(w[2] for w in words)[len(words) // 2] or 1
        cells: list[str] = []
        cur = ""
        end = None
        for left, width, _, text in words:
            if end is not None and left - end > 2 * size:
                cells.append(clean_cell(cur))
                cur = ""
            cur = f"{cur} {text}" if cur else text
            end = left + width
        cells.append(clean_cell(cur))
        if any(cells):
            out.append(cells)
    return out
