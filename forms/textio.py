"""Reading export files: decoding, and turning each line into cleaned table cells.

Exports come as UTF-8 or GB18030/GBK, with cells separated by tabs (or markdown/HTML table syntax),
headings in markdown or HTML, and cell text wrapped with stray spaces.
"""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass, field
from pathlib import Path


class InputError(Exception):
    """A file that cannot be read as a text export at all."""

    def __init__(self, file: str, message: str, line: int | None = None):
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


_MAGIC = [
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP container (Word .docx / Excel .xlsx?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.doc/.xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3", "an SQLite database"),
]


def decode_bytes(data: bytes, file: str) -> tuple[str, str]:
    """Decode an export: BOMs first, then strict UTF-8, then GB18030 (a superset of GBK/GB2312)."""
    if not data.strip():
        raise InputError(file, "empty file: nothing to read")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise InputError(file, f"starts with a {enc} byte-order mark but is not valid {enc}: {e.reason}",
                                 _line_of(data, e.start)) from None
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(file, f"binary file ({what}), not a text export; export the tables as text first")
    if b"\x00" in data[:65536]:
        raise InputError(file, "binary file (contains NUL bytes), not a text export", _line_of(data, data.index(b"\x00")))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_err:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            line = _line_of(data, utf8_err.start)
            raise InputError(
                file,
                f"cannot decode: neither UTF-8 nor GB18030/GBK (first bad byte 0x{data[utf8_err.start]:02x} "
                f"at offset {utf8_err.start})",
                line,
            ) from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_file(path: Path) -> tuple[str, str]:
    from jixiao.forms.files import read_bytes  # it imports InputError from here

    return decode_bytes(read_bytes(Path(path)), str(path))


# --- cells -----------------------------------------------------------------------------------

_TAGS = ("p|br|span|div|h[1-6]|td|th|tr|table|tbody|thead|tfoot|b|i|u|strong|em|font|sup|sub|a|li|ul|ol|"
         "center|col|colgroup|caption|img|hr")
_TAG = re.compile(rf"</?(?:{_TAGS})\b[^<>]*/?>", re.I)
_CELL_SPLIT = re.compile(r"</t[dh]>\s*<t[dh]\b[^<>]*>", re.I)
_HEADING = re.compile(r"^\s*#{1,6}\s+|<h[1-6]\b", re.I)
_MD_EMPH = re.compile(r"(\*\*|__)(.+?)\1")
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
_SEPARATOR = re.compile(r"^[\s|:+=\-—_]*$")
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_SPACE_IN_BRACKET = re.compile(r"\s+(?=[)%）])|(?<=[(（])\s+|(?<=\d)\s+(?=[(（])")
_WS = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009]+")
_NEEDS_WORK = re.compile(r"[<&*_\s\u00a0\u3000\u2002\u2003\u2009]")


def clean_cell(text: str) -> str:
    """Remove markup and the spaces that wrapping put inside Chinese text."""
    if not _NEEDS_WORK.search(text):
        return text  # the common case: a plain cell
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    if "**" in text or "__" in text:
        text = _MD_EMPH.sub(r"\2", text)
    text = _WS.sub(" ", text).strip()
    if " " in text:
        text = _SPACE_NEAR_CJK.sub("", text)
        text = _SPACE_IN_BRACKET.sub("", text)
    return text


@dataclass(slots=True)
class Row:
    """One line of the export as table cells. `no` is the 1-based line number in the file."""

    no: int
    cells: list[str]
    heading: bool = False
    texts: list[tuple[int, str]] = field(default_factory=list)  # the non-empty cells with their column
    header: dict | None = None  # header fields found on the row, computed once (layout.header_fields)

    def __post_init__(self) -> None:
        self.texts = [(i, c) for i, c in enumerate(self.cells) if c]

    @property
    def blank(self) -> bool:
        return not any(self.cells)

    def joined(self) -> str:
        return "".join(self.cells)


def split_line(no: int, line: str) -> Row | None:
    """Cells of one line; None for table-rule lines such as `---- ⇥ -----` or `|---|---|`."""
    heading = bool(_HEADING.search(line))
    if heading:
        line = re.sub(r"^\s*#{1,6}\s+", "", line)
    if "<t" in line.lower() and re.search(r"<t[dh]\b", line, re.I):
        parts = _CELL_SPLIT.split(line)
    elif "\t" in line:
        parts = line.split("\t")
    else:
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3:
            parts = stripped[1:-1].split("|")
        else:
            parts = [line]
    if line.strip() and _SEPARATOR.match(line) and "-" in line:
        return None
    cells = [clean_cell(p) for p in parts]
    # Trailing empty cells carry no position information a reader could use.
    while cells and not cells[-1]:
        cells.pop()
    return Row(no, cells, heading)


def rows_of(text: str) -> list[Row]:
    rows: list[Row] = []
    for no, line in enumerate(text.splitlines(), 1):
        row = split_line(no, line)
        if row is not None:
            rows.append(row)
    return rows
