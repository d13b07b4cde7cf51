"""Excel workbooks (.xlsx, .xlsm) as table rows: every sheet, in order, each cell as the cell shows it.

- openpyxl in read-only, data_only mode: rows are streamed, formulas give their cached value (a formula
  saved without one, as some generators write them, reads as empty and is warned about).
- Numbers are shown through their number format, as Excel shows them: 0.9 formatted 0% is "90%",
  1094910 formatted #,##0.00 is "1,094,910.00", a date formatted yyyy"年"m"月"d"日" is "2024年1月31日".
- Merged ranges: read-only mode does not expose them, so the sheet's <mergeCells> (which the file stores
  after the rows) is read by the same streaming pass; the sheet's rows are kept until then and every cell of
  a range but its top-left one is emptied, as a text export shows merged cells.
- Rows are numbered across the workbook in reading order; a blank row separates sheets. Places are
  "Sheet1!14" for a row and "Sheet1!C14" for a cell.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from jixiao.forms.grid import Grid, GridBuilder, column_letter
from jixiao.forms.textio import InputError

# Uncompressed sheet XML beyond this is refused before reading. Measured on generated forms: 3,000 forms
# are ~31 MB of sheet XML (inline strings; ~3 MB zipped), read at ~7 MB/s of XML (CPU), and the rows plus
# parsed forms take ~350 MB of memory; 200 MB of XML is ~20,000 forms, half a minute and ~2 GB.
MAX_SHEET_XML = 200_000_000
MAX_RATIO = 200  # a zip bomb: sheet XML this many times its compressed size (and over 100 MB)


def read(path: Path) -> Grid:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    file = str(path)
    _check_container(path)
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    # A read-only sheet measures itself on opening, and a sheet without a <dimension> element (as many
    # generators write them) is then parsed whole just for that: a quarter of the reading time. The size
    # is not used here (rows are streamed to their end), so the measuring is skipped while opening.
    get_size = ReadOnlyWorksheet._get_size
    ReadOnlyWorksheet._get_size = lambda self: None
    # Opened as a file object: openpyxl refuses a path whose suffix is not .xlsx/.xlsm, and a workbook
    # saved under another name (自评表.xlsx.bak, a .txt that is a workbook) is still a workbook.
    fh = path.open("rb")
    try:
        wb = load_workbook(fh, read_only=True, data_only=True, keep_links=False, keep_vba=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError, EOFError) as e:
        fh.close()
        raise InputError(file, f"damaged Excel file, cannot open it: {e}") from None
    except Exception as e:  # XML syntax errors and the like inside the container
        fh.close()
        raise InputError(file, f"damaged Excel file, cannot open it: {type(e).__name__}: {e}") from None
    finally:
        ReadOnlyWorksheet._get_size = get_size
    try:
        return _read_workbook(wb, file)
    finally:
        wb.close()
        fh.close()


def _check_container(path: Path) -> None:
    file = str(path)
    try:
        with zipfile.ZipFile(path) as z:
            infos = [i for i in z.infolist() if i.filename.startswith("xl/worksheets/") or i.filename == "xl/sharedStrings.xml"]
    except zipfile.BadZipFile as e:
        raise InputError(file, f"damaged Excel file (not a valid ZIP container): {e}") from None
    size = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if size > 100_000_000 and size / packed > MAX_RATIO:
        raise InputError(file, f"suspicious workbook: {size / 1e6:,.0f} MB of sheet data packed into "
                         f"{packed / 1e6:,.1f} MB (a ZIP bomb?); not read")
    if size > MAX_SHEET_XML:
        raise InputError(file, f"workbook too large to be a form file: {size / 1e6:,.0f} MB of sheet data "
                         f"(limit {MAX_SHEET_XML / 1e6:,.0f} MB); split it or export the form sheets only")


def _read_workbook(wb, file: str) -> Grid:
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, SHEET_MAIN_NS, VALUE_TAG, WorkSheetParser

    t_tag, r_tag = f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r"

    class Parser(WorkSheetParser):
        """Notes formulas saved without a cached value (data_only reads them as empty); reads inline
        strings (what many generators write) without building openpyxl's rich-text objects."""

        uncached: list[str]

        def parse_cell(self, element):
            if element.get("t") == "inlineStr" and (coordinate := element.get("r")):
                row, column = coordinate_to_tuple(coordinate)
                self.col_counter = column
                text = None
                if (child := element.find(INLINE_STRING)) is not None:
                    parts = []
                    for part in child:  # <t> or rich-text runs <r><t>; phonetic <rPh> left out
                        if part.tag == t_tag:
                            parts.append(part.text or "")
                        elif part.tag == r_tag:
                            parts.append(part.findtext(t_tag) or "")
                    text = "".join(parts)
                s = element.get("s", 0)
                return {"row": row, "column": column, "value": text, "data_type": "s", "style_id": int(s) if s else 0}
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None and not element.findtext(VALUE_TAG):
                self.uncached.append(element.get("r") or f"{column_letter(cell['column'])}{cell['row']}")
            return cell

    g = GridBuilder()
    formats = _Formats(wb)
    sheets = wb.worksheets
    if not sheets:
        raise InputError(file, "workbook has no worksheets")
    for ws in sheets:
        title = ws.title
        if g.grid.rows:
            g.blank(f"{title}")
        try:
            with ws._get_source() as src:
                parser = Parser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
                parser.uncached = []
                rows: list[tuple[int, dict[int, str]]] = []
                for idx, cells in parser.parse():
                    row: dict[int, str] = {}
                    for c in cells:
                        v = c["value"]
                        if v is None:
                            continue
                        text = formats.show(v, c["data_type"], c["style_id"])
                        if text != "":
                            row[c["column"]] = text
                    rows.append((idx, row))
                merged = parser.merged_cells
        except InputError:
            raise
        except Exception as e:
            raise InputError(file, f"damaged sheet {title!r}: {type(e).__name__}: {e}") from None
        if merged is not None:
            _blank_merged(rows, merged)
        if parser.uncached:
            shown = ", ".join(f"{title}!{r}" for r in parser.uncached[:5])
            more = f" and {len(parser.uncached) - 5} more" if len(parser.uncached) > 5 else ""
            g.warn(file, f"公式没有保存计算结果，按空单元格读取：{shown}{more}（请在 Excel 中打开并保存后再读）",
                   g.next_no)
        expected = 1
        for idx, row in rows:
            while expected < idx:  # rows the file leaves out are empty rows
                g.add([], f"{title}!{expected}")
                expected += 1
            width = max(row) if row else 0
            g.add([row.get(c, "") for c in range(1, width + 1)], f"{title}!{idx}",
                  [f"{title}!{column_letter(c)}{idx}" for c in range(1, width + 1)])
            expected = idx + 1
    while g.grid.rows and g.grid.rows[-1].blank:
        g.grid.rows.pop()
    return g.grid


def _blank_merged(rows: list[tuple[int, dict[int, str]]], merged) -> None:
    from openpyxl.utils.cell import range_boundaries

    spans = []
    for m in getattr(merged, "mergeCell", []) or []:
        try:
            c1, r1, c2, r2 = range_boundaries(m.ref)
        except (TypeError, ValueError):
            continue
        if c1 != c2 or r1 != r2:
            spans.append((c1, r1, c2, r2))
    if not spans:
        return
    by_row = {idx: row for idx, row in rows}
    for c1, r1, c2, r2 in spans:
        # Bounded by the cells that exist: a range may cover whole rows or columns ("A:A" is a million rows).
        rs = range(r1, r2 + 1) if r2 - r1 < len(by_row) else [r for r in by_row if r1 <= r <= r2]
        for r in rs:
            row = by_row.get(r)
            if not row:
                continue
            for c in [c for c in row if c1 <= c <= c2 and (r, c) != (r1, c1)]:
                del row[c]


# --- number formats ---------------------------------------------------------------------------

class _Formats:
    """Number format of a style id, cached."""

    def __init__(self, wb) -> None:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
        self.wb = wb
        self.builtin = BUILTIN_FORMATS
        self.max_builtin = BUILTIN_FORMATS_MAX_SIZE
        self.offset = BUILTIN_FORMATS_MAX_SIZE  # custom formats are numbered from 164, stored in a list
        self.cache: dict[int, str] = {}

    def format_of(self, style_id: int) -> str:
        fmt = self.cache.get(style_id)
        if fmt is None:
            try:
                fid = self.wb._cell_styles[style_id].numFmtId
                if fid < self.max_builtin:
                    fmt = BUILTIN_ZH.get(fid) or self.builtin.get(fid, "General")
                else:
                    fmt = self.wb._number_formats[fid - self.offset]
            except (IndexError, AttributeError, KeyError):
                fmt = "General"
            self.cache[style_id] = fmt
        return fmt

    def show(self, value, data_type: str, style_id: int) -> str:
        if isinstance(value, str):
            return value
        if data_type == "e":
            return str(value)
        return display(value, self.format_of(style_id) if style_id else "General")


# Built-in formats whose look depends on the reader's locale: as a Chinese (zh-CN) Excel shows them.
BUILTIN_ZH = {14: "yyyy/m/d", 22: "yyyy/m/d h:mm", 27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"',
              30: "m-d-yy", 31: 'yyyy"年"m"月"d"日"', 32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"',
              36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 57: 'yyyy"年"m"月"', 58: 'm"月"d"日"'}

_BRACKET = re.compile(r"\[[^\]]*\]")
_SECTIONS = re.compile(r';(?=(?:[^"]*"[^"]*")*[^"]*$)')
_DATE_CODES = set("ymdhsYMDHS")


def display(value, fmt: str | None) -> str:
    """A cell value as Excel shows it under a number format (the common formats; General otherwise)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return _date(value, fmt or "")
    if not isinstance(value, (int, float)):
        return str(value)
    fmt = fmt or "General"
    if fmt in ("General", "@", "general") or not abs(value) < 1e20:
        # Beyond 1e20 a format's decimals exceed Decimal's 28 digits; inf/nan have none: Excel's General.
        return _general(value)
    sections = _SECTIONS.split(fmt)
    section = sections[0]
    negative = value < 0
    if negative and len(sections) >= 2:
        section, value, negative = sections[1], -value, False  # the negative section writes its own sign
    elif value == 0 and len(sections) >= 3:
        section = sections[2]
    section = _BRACKET.sub("", section)
    if section.strip().lower() in ("general", ""):
        out = _general(abs(value))
    elif "@" in section and not re.search(r"[0#?]", section):
        out = section.replace("@", _general(abs(value))).replace('"', "")
    else:
        out = _number(abs(value), section)
        if out is None:
            return _general(value)
    return ("-" + out) if negative and out.strip("0.,% ") else out


def _general(v: float) -> str:
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e15):
        return str(int(v))
    return f"{v:.15g}" if abs(v) >= 1e-9 else f"{v:.10g}"


def _literals(s: str) -> str:
    """The literal text of a format part: quoted strings, escaped characters, padding and fill removed."""
    out, i = [], 0
    while i < len(s):
        ch = s[i]
        if ch == '"':
            j = s.find('"', i + 1)
            j = len(s) if j < 0 else j
            out.append(s[i + 1:j])
            i = j + 1
        elif ch == "\\" and i + 1 < len(s):
            out.append(s[i + 1])
            i += 2
        elif ch in "_*" and i + 1 < len(s):
            i += 2  # _x pads with the width of x, *x fills with x: nothing a text export shows
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _number(v: float, section: str) -> str | None:
    # Split the section into the literal text before, the number pattern, and the literal text after.
    m = re.search(r'(?:"[^"]*"|\\.|[_*].|[^0#?.,])*', section)
    start = m.end() if m else 0
    pat = re.match(r"[0#?.,]*(?:E[+-][0#]+)?(?:[0#?.,%]|\s(?=[0#?]))*", section[start:])
    if not pat or not re.search(r"[0#?]", pat.group()):
        return None
    body = pat.group()
    prefix, suffix = _literals(section[:start]), _literals(section[start + len(body):])
    percent = _literals_free(section).count("%")
    if "E" in body:
        mant, _, exp = body.partition("E")
        decimals = len(mant.split(".", 1)[1]) if "." in mant else 0
        m_text, _, e_text = f"{v:.{decimals}E}".partition("E")
        sign, digits = e_text[0], e_text[1:].lstrip("0") or "0"
        width = sum(ch == "0" for ch in exp)
        return f"{prefix}{m_text}E{'-' if sign == '-' else exp[:1]}{digits.zfill(width)}{suffix}"
    body_core = body.replace("%", "")
    int_part, _, frac_part = body_core.partition(".")
    scale = 0
    while int_part.endswith(","):  # a trailing comma divides by a thousand
        int_part, scale = int_part[:-1], scale + 1
    decimals = sum(ch in "0#?" for ch in frac_part)
    min_dec = sum(ch == "0" for ch in frac_part)
    x = Decimal(repr(float(v))) * (Decimal(100) ** percent) / (Decimal(1000) ** scale)
    q = x.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{q:,.{decimals}f}" if "," in int_part else f"{q:.{decimals}f}"
    if decimals > min_dec:  # '#' decimals are shown only when needed
        head, _, tail = text.partition(".")
        tail = tail.rstrip("0")
        tail = tail + "0" * max(0, min_dec - len(tail))
        text = f"{head}.{tail}" if tail else (head + ("." if body_core.endswith(".") else ""))
    min_int = sum(ch == "0" for ch in int_part)
    if min_int == 0 and text.startswith("0") and (text == "0" or text.startswith("0.")):
        text = text[1:] if text != "0" else ""  # '#' shows no zero
    return f"{prefix}{text}{'%' * percent if '%' in body else ''}{suffix}"


def _date(value, fmt: str) -> str:
    if isinstance(value, dt.timedelta):
        total = int(value.total_seconds())
        return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"
    section = _BRACKET.sub("", _SECTIONS.split(fmt)[0]) if fmt else ""
    if not any(ch in _DATE_CODES for ch in _literals_free(section)):
        if isinstance(value, dt.datetime):
            return value.strftime("%Y/%m/%d %H:%M:%S").replace(" 00:00:00", "").replace("/0", "/")
        return value.isoformat()
    tokens = _date_tokens(section)
    out = []
    ampm = any(t[0] == "ampm" for t in tokens)
    for i, (kind, text) in enumerate(tokens):
        if kind == "lit":
            out.append(text)
            continue
        if kind == "ampm":
            out.append(("上午" if "上午" in text else "AM") if getattr(value, "hour", 0) < 12 else ("下午" if "上午" in text else "PM"))
            continue
        c, n = text[0].lower(), len(text)
        if c == "m":  # minutes when next to hours or seconds
            prev = next((t for k, t in reversed(tokens[:i]) if k == "code"), "")
            nxt = next((t for k, t in tokens[i + 1:] if k == "code"), "")
            if prev[:1].lower() == "h" or nxt[:1].lower() == "s":
                c = "M"
        y, mo, d = getattr(value, "year", 1900), getattr(value, "month", 1), getattr(value, "day", 1)
        h, mi, s = getattr(value, "hour", 0), getattr(value, "minute", 0), getattr(value, "second", 0)
        if c == "y":
            out.append(f"{y % 100:02d}" if n <= 2 else str(y))
        elif c == "m":
            out.append(str(mo) if n == 1 else f"{mo:02d}" if n == 2 else
                       value.strftime("%b") if n == 3 else value.strftime("%B"))
        elif c == "d":
            out.append(str(d) if n == 1 else f"{d:02d}" if n == 2 else value.strftime("%a" if n == 3 else "%A"))
        elif c == "h":
            hh = (h % 12 or 12) if ampm else h
            out.append(str(hh) if n == 1 else f"{hh:02d}")
        elif c == "M":
            out.append(str(mi) if n == 1 else f"{mi:02d}")
        elif c == "s":
            out.append(str(s) if n == 1 else f"{s:02d}")
    return "".join(out)


def _literals_free(section: str) -> str:
    return re.sub(r'"[^"]*"|\\.', "", section)


def _date_tokens(section: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            j = section.find('"', i + 1)
            j = len(section) if j < 0 else j
            tokens.append(("lit", section[i + 1:j]))
            i = j + 1
        elif ch == "\\" and i + 1 < len(section):
            tokens.append(("lit", section[i + 1]))
            i += 2
        elif ch in "_*" and i + 1 < len(section):
            i += 2
        elif section[i:i + 5].upper() == "AM/PM":
            tokens.append(("ampm", "AM/PM"))
            i += 5
        elif section[i:i + 5] == "上午/下午":
            tokens.append(("ampm", "上午/下午"))
            i += 5
        elif ch in _DATE_CODES:
            j = i
            while j < len(section) and section[j].lower() == ch.lower():
                j += 1
            tokens.append(("code", section[i:j]))
            i = j
        elif ch == "." and tokens and tokens[-1][1][:1].lower() == "s":  # fractions of a second: dropped
            j = i + 1
            while j < len(section) and section[j] == "0":
                j += 1
            i = j
        else:
            tokens.append(("lit", ch))
            i += 1
    return tokens
