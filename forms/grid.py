"""A document as table rows, whatever its format: the one thing the parser reads.

Text exports become a Grid line by line (textio.rows_of). Spreadsheets, Word and PDF files are read
by one module each, `forms/read_<format>.py`, exposing `read(path) -> Grid` (pdf: `read(path, ocr=False)`);
they are imported lazily so that openpyxl, xlrd, python-docx or a PDF library is only loaded for its format.

What every reader does to a table so that it looks like a text export of it:
- a merged range is read once: its value in its top-left cell, the other cells of the range empty;
- a line break inside a cell becomes a space; each cell goes through textio.clean_cell;
- trailing empty cells of a row are dropped (as split_line does);
- rows are numbered 1, 2, 3 … in reading order (Row.no is what `line` means for the file), and
  `places` says where each row stands in the original, for people ("Sheet1!14", "表2第5行", "第3页第12行").
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from jixiao.forms import files
from jixiao.forms.models import Issue
from jixiao.forms.textio import InputError, Row, clean_cell, decode_bytes, read_file, rows_of


@dataclass
class Grid:
    """A document as table rows, whatever its format: what the one parser reads."""

    rows: list[Row]  # Row.no = 1, 2, 3 … in reading order (what `line` means for this file)
    encoding: str | None = None  # text formats only
    places: dict[int, str] = field(default_factory=dict)  # Row.no -> the row's place, for people: "Sheet1!14"
    cell_places: dict[int, list[str]] = field(default_factory=dict)  # Row.no -> each cell's place ("Sheet1!C14")
    warnings: list[Issue] = field(default_factory=list)  # what the reader had to guess


def row_of(no: int, raw: list[object], heading: bool = False) -> Row:
    """One table row from raw cell texts: line breaks become spaces, cells cleaned, trailing empties dropped."""
    cells = []
    for v in raw:
        if v is None:
            cells.append("")
            continue
        s = str(v)
        if "\n" in s or "\r" in s:
            s = s.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
        cells.append(clean_cell(s))
    while cells and not cells[-1]:
        cells.pop()
    return Row(no, cells, heading)


class GridBuilder:
    """Collects rows in reading order, numbering them and remembering their places."""

    def __init__(self) -> None:
        self.grid = Grid(rows=[])

    @property
    def next_no(self) -> int:
        return len(self.grid.rows) + 1

    def add(self, raw: list[object], place: str | None = None, cell_places: list[str] | None = None,
            heading: bool = False) -> Row:
        row = row_of(self.next_no, raw, heading)
        self.grid.rows.append(row)
        if place:
            self.grid.places[row.no] = place
        if cell_places is not None and row.cells:
            self.grid.cell_places[row.no] = cell_places[:len(row.cells)]
        return row

    def blank(self, place: str | None = None) -> None:
        """A break between tables (a new sheet, a new table): read like a blank line of a text export."""
        if self.grid.rows and not self.grid.rows[-1].blank:
            self.add([], place)

    def warn(self, file: str, message: str, no: int | None = None) -> None:
        self.grid.warnings.append(Issue(file=file, line=no, message=message))


def column_letter(n: int) -> str:
    """1 -> A, 27 -> AA."""
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


# --- dispatch ---------------------------------------------------------------------------------

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".tsv"}
READERS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv", ".docx": "docx", ".pdf": "pdf"}
OFFICE_SUFFIXES = set(READERS)

_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _sniff(path: Path, head: bytes) -> str | None:
    """The format the bytes say, or None for text. Raises InputError for what no reader takes."""
    file = str(path)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        import zipfile
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raise InputError(file, f"damaged ZIP container (a corrupt or truncated .xlsx/.docx?): {e}") from None
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("ppt/") for n in names):
            raise InputError(file, "a PowerPoint file: not a form; export its tables to Excel or text first")
        raise InputError(file, "a ZIP archive that is neither an Excel (.xlsx) nor a Word (.docx) file; unpack it first")
    if head.startswith(_OLE):
        return "ole"
    return None


def read_grid(path: Path, ocr: bool = False, data: bytes | None = None) -> Grid:
    """Read any supported file as table rows; raises textio.InputError(file, message, line).

    `data`: the file's bytes when the caller has read them already (ingest hashes them first)."""
    path = Path(path)
    file = str(path)
    if data is None:
        head = files.read_bytes(path, head=8)  # regular files within the size limit only
    else:
        head = data[:8]
    suffix = path.suffix.lower()
    fmt = _sniff(path, head)
    if fmt == "ole":
        data = data if data is not None else files.read_bytes(path)
        if _ENCRYPTED in data:
            raise InputError(file, "password-protected (encrypted) Office file: open it, remove the password "
                             "(File › Info › Protect › Encrypt with Password) and save again")
        if suffix == ".doc" or b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" in data:
            raise InputError(file, "an old Word .doc file: not supported; save it as .docx")
        fmt = "xls"
    if fmt is None:
        if suffix in (".xlsx", ".xlsm", ".xls", ".docx", ".pdf"):
            if not head:
                raise InputError(file, "empty file: nothing to read")
            raise InputError(file, f"named {suffix} but its bytes are not a {suffix[1:]} file (damaged, or renamed?)")
        fmt = "csv" if suffix == ".csv" else "text"
    if fmt == "text":
        text, encoding = decode_bytes(data, file) if data is not None else read_file(path)
        return Grid(rows_of(text), encoding)
    try:
        module = importlib.import_module(f"jixiao.forms.read_{fmt}")
    except ImportError as e:
        if e.name and e.name.startswith("jixiao.forms.read_"):
            raise InputError(file, f"{fmt} files are not supported yet") from None
        raise InputError(file, f"{fmt} files need the package {e.name!r}: pip install {e.name}") from None
    if fmt == "pdf":
        return module.read(path, ocr=ocr)
    return module.read(path)
