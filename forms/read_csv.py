"""CSV files (as Excel or WPS save them) as table rows: UTF-8 (with or without BOM) or GB18030/GBK.

The delimiter is a comma unless the file says otherwise (a semicolon or tab that splits every line the
same way, or Excel's `sep=;` first line). Rows are numbered as records; quoted cells may hold line breaks,
so a row's place gives its physical line(s) ("第3行", "第3–4行") and each cell's place its column ("C3").
"""

from __future__ import annotations

import csv
from pathlib import Path

from jixiao.forms.files import read_bytes
from jixiao.forms.grid import Grid, GridBuilder, column_letter
from jixiao.forms.textio import InputError, decode_bytes


def _dialect(text: str) -> str:
    head = text[:20000]
    first = head.split("\n", 1)[0].strip()
    if first.lower().startswith("sep=") and len(first) == 5:
        return first[4]
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def read(path: Path) -> Grid:
    file = str(path)
    text, encoding = decode_bytes(read_bytes(path), file)
    delimiter = _dialect(text)
    lines = text.splitlines(keepends=True)
    if lines and lines[0].strip().lower().startswith("sep="):
        lines[0] = "\n"  # Excel's delimiter hint: not a row
    g = GridBuilder()
    g.grid.encoding = encoding
    reader = csv.reader(lines, delimiter=delimiter)
    counter = _Counter()
    try:
        for cells in reader:
            start, end = counter.span(reader.line_num)
            place = f"第{start}行" if start == end else f"第{start}–{end}行"
            g.add(cells, place, [f"{column_letter(i + 1)}{start}" for i in range(len(cells))])
    except csv.Error as e:
        raise InputError(file, f"malformed CSV: {e}", reader.line_num) from None
    while g.grid.rows and g.grid.rows[-1].blank:
        g.grid.rows.pop()
    return g.grid


class _Counter:
    """csv.reader.line_num counts physical lines read so far: a row spans from the previous count + 1."""

    def __init__(self) -> None:
        self.prev = 0

    def span(self, line_num: int) -> tuple[int, int]:
        start, self.prev = self.prev + 1, line_num
        return start, line_num
