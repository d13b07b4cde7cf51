"""Old Excel workbooks (.xls, BIFF8) as table rows, through xlrd with formatting_info (merged ranges, number formats).

Same reading as forms/read_xlsx.py: every sheet in order, a blank row between sheets, a merged range read
once (its top-left cell), numbers and dates shown through their number format, places "Sheet1!14" / "Sheet1!C14".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jixiao.forms.grid import Grid, GridBuilder, column_letter
from jixiao.forms.read_xlsx import BUILTIN_ZH, display
from jixiao.forms.textio import InputError


def read(path: Path) -> Grid:
    import xlrd

    file = str(path)
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except NotImplementedError:  # formatting_info is not implemented for some files: read without it
        try:
            book = xlrd.open_workbook(str(path), on_demand=True)
        except Exception as e:
            raise InputError(file, f"damaged or unsupported .xls file: {e}") from None
    except xlrd.biffh.XLRDError as e:
        msg = str(e)
        if "encrypt" in msg.lower() or "password" in msg.lower():
            raise InputError(file, "password-protected (encrypted) .xls file: remove the password in Excel and save again") from None
        raise InputError(file, f"damaged or unsupported .xls file: {msg}") from None
    except Exception as e:
        raise InputError(file, f"damaged .xls file, cannot open it: {type(e).__name__}: {e}") from None
    try:
        return _read_book(book, file)
    finally:
        book.release_resources()


def _read_book(book, file: str) -> Grid:
    import xlrd

    g = GridBuilder()
    fmt_of: dict[int, str] = {}
    for sx in range(book.nsheets):
        sh = book.sheet_by_index(sx)
        title = sh.name
        if g.grid.rows:
            g.blank(title)
        covered: set[tuple[int, int]] = set()
        for r1, r2, c1, c2 in getattr(sh, "merged_cells", []) or []:
            for r in range(r1, r2):
                for c in range(c1, c2):
                    if (r, c) != (r1, c1):
                        covered.add((r, c))
        for r in range(sh.nrows):
            raw: list[str] = []
            for c in range(sh.row_len(r)):
                if (r, c) in covered:
                    raw.append("")
                    continue
                cell = sh.cell(r, c)
                raw.append(_show(book, cell, fmt_of, xlrd))
            width = len(raw)
            while width and not raw[width - 1]:
                width -= 1
            g.add(raw[:width], f"{title}!{r + 1}", [f"{title}!{column_letter(c + 1)}{r + 1}" for c in range(width)])
        book.unload_sheet(sx)
    while g.grid.rows and g.grid.rows[-1].blank:
        g.grid.rows.pop()
    return g.grid


def _show(book, cell, fmt_of: dict[int, str], xlrd) -> str:
    t, v = cell.ctype, cell.value
    if t in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if t == xlrd.XL_CELL_TEXT:
        return v
    if t == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if v else "FALSE"
    if t == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(v, "#ERR")
    fmt = _format(book, cell.xf_index, fmt_of)
    if t == xlrd.XL_CELL_DATE:
        try:
            value = xlrd.xldate.xldate_as_datetime(v, book.datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return display(v, "General")
        if value.time() == dt.time(0) and fmt in ("General", ""):
            fmt = "yyyy/m/d"
        return display(value, fmt)
    return display(v, fmt)


def _format(book, xf_index: int | None, fmt_of: dict[int, str]) -> str:
    if xf_index is None or not getattr(book, "xf_list", None):
        return "General"
    fmt = fmt_of.get(xf_index)
    if fmt is None:
        try:
            key = book.xf_list[xf_index].format_key
            fmt = BUILTIN_ZH.get(key) or book.format_map[key].format_str or "General"
        except (IndexError, KeyError, AttributeError):
            fmt = "General"
        fmt_of[xf_index] = fmt
    return fmt
