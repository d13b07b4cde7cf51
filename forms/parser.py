"""Splitting an export into forms and feeding each form's rows to a FormBuilder.

A form starts at a 项目名称 row. A title line (…绩效自评表) only announces one: titles repeat at
page breaks, sometimes twice in a row, and a page may continue the previous form without any
项目名称 at all, so what follows a title decides whether it is a new form or a continuation page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jixiao.forms.builder import FormBuilder
from jixiao.forms.layout import (
    NO_YEAR, detect_goal_header, detect_indicator_header, detect_period, detect_title, detect_year, header_fields,
    is_funds_header, tail_label,
)
from jixiao.forms.funds import item_of
from jixiao.forms.grid import Grid, read_grid
from jixiao.forms.models import FormType, Issue, ParseResult
from jixiao.forms.taxonomy import match_label
from jixiao.forms.textio import InputError, Row, rows_of
from jixiao.forms.values import looks_like_value

_YEAR_ANYWHERE = re.compile(r"(20\d{2})\s*年度")
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def _period_year(period: tuple[str, str] | None) -> int | None:
    return int(period[0][:4]) if period and period[0][:4] != NO_YEAR else None


@dataclass
class _Title:
    form_type: FormType | None
    line: int
    year: int | None = None
    period: tuple[str, str] | None = None
    period_line: int | None = None


def _section_of(row: Row) -> str:
    """What a row would open if it started a page: used to tell a continuation page from a new form."""
    if is_funds_header(row) or any(item_of(t) for _, t in row.texts):
        return "funds"
    if detect_indicator_header(row) is not None:
        return "indicators"
    if detect_goal_header(row) is not None:
        return "goal"
    if any(tail_label(t) for _, t in row.texts[:3]):
        return "tail"
    if header_fields(row):
        return "header"
    texts = row.texts
    if texts and (m := match_label(texts[0][1])) is not None and m.exact:
        return "indicators"
    if len(texts) >= 2 and any(looks_like_value(t) for _, t in texts[1:]):
        return "indicators"  # a name and its target: a table row whose label cells were merged away
    return "loose"


def parse_text(text: str, file: str = "<text>", encoding: str | None = None) -> ParseResult:
    return parse_grid(Grid(rows_of(text), encoding), file)


def parse_grid(grid: Grid, file: str = "<text>") -> ParseResult:
    """Split a document's rows into forms and read each; the one parser for every format."""
    encoding = grid.encoding
    result = ParseResult(file=file, encoding=encoding)
    result.issues.extend(grid.warnings)
    builders: list[FormBuilder] = []
    cur: FormBuilder | None = None
    title: _Title | None = None
    loose: list[Row] = []  # unclaimed one-cell lines: a project name may sit above its label
    file_year: int | None = None
    orphan_lines: list[int] = []
    # A 跟踪时段 (or year) line that no title announced: it belongs to the form whose 项目名称 comes next,
    # or, when a form is open and anything else comes next, to the open form (a page header).
    pending: _Title | None = None

    def settle_pending() -> None:
        nonlocal pending
        if pending is None or cur is None:
            return
        p, pending = pending, None
        if p.period and cur.period and p.period != cur.period:
            cur.warn(p.period_line, f"跟踪时段 {p.period[0]}–{p.period[1]} 与前文 {cur.period[0]}–{cur.period[1]} 不同")
        if p.period and not cur.period:
            cur.period = p.period
            cur.lines.setdefault("period", p.period_line)

    def start(t: _Title | None, line: int) -> FormBuilder:
        nonlocal pending
        t = t or pending
        pending = None
        b = FormBuilder(file, t.form_type if t else None, t.line if t else line, t.year if t else None)
        if t and t.period:
            b.period = t.period
            b.lines["period"] = t.period_line
        builders.append(b)
        return b

    for row in grid.rows:
        if row.blank:
            if cur is not None:
                cur.new_page(row.no)
            continue
        t = detect_title(row)
        if t is not None:
            if title is None or title.form_type != t[0]:  # a title repeated at once stays one title
                title = _Title(t[0], row.no, t[1])
                if pending is not None:  # a period line above the title
                    title.year = title.year or pending.year
                    title.period, title.period_line = title.period or pending.period, title.period_line or pending.period_line
                    pending = None
            loose = []
            if cur is not None:
                cur.new_page(row.no)
            continue
        year = detect_year(row)
        period = detect_period(row) if year is None else None
        if year is not None or period is not None:
            if cur is not None and title is None:
                cur.new_page(row.no)
                if year and cur.year and year != cur.year:
                    cur.warn(row.no, f"年度 {year} 与前文 {cur.year} 不同")
                cur.year = cur.year or year
                if period:
                    settle_pending()
            into = title
            if into is None and (period or cur is None):
                into = pending = pending or _Title(None, row.no)
            if into is not None:
                into.year = into.year or year or _period_year(period)
                if period and not into.period:
                    into.period, into.period_line = period, row.no
            continue
        found = header_fields(row)
        if "project_name" in found:
            cur = start(title, row.no)
            title = None
            name, col = found["project_name"]
            if not name and loose:
                above = loose[-1]
                found["project_name"] = (above.texts[0][1], above.texts[0][0])
                cur.warn(row.no, f"项目名称写在标签上一行（第 {above.no} 行）")
                cur.first_line = min(cur.first_line, above.no)
                cur.spans[0][0] = cur.first_line
            cur.set_fields(found, row)
            cur.last_line = cur.spans[-1][1] = row.no
            loose = []
            continue
        settle_pending()
        if title is not None or cur is None:
            section = _section_of(row)
            if section == "loose" and len(row.texts) >= 2 and cur is not None and cur.section == "indicators":
                section = "indicators"  # a word-valued row of the table, on the page after a repeated title
            if section == "loose":
                if len(row.texts) == 1:
                    loose.append(row)
                    if file_year is None and (m := _YEAR_ANYWHERE.search(row.texts[0][1])):
                        file_year = int(m.group(1))
                continue
            same_type = cur is not None and (title is None or title.form_type in (None, cur.form_type))
            if cur is not None and same_type and not cur.has_section(section):
                if title is not None:
                    cur.warn(row.no, f"第 {title.line} 行起的续页没有项目名称，按同一张表的续页读取")
            elif cur is None and section in ("indicators", "tail") and title is None:
                orphan_lines.append(row.no)
                continue
            else:
                cur = start(title, row.no)
            title = None
            loose = []
        cur.feed(row)

    settle_pending()
    name_year = int(m.group(1)) if (m := _YEAR_IN_NAME.search(Path(file).name)) else None
    for b in builders:
        if b.is_form():
            result.forms.append(b.finish(file_year, encoding, name_year))
        else:
            result.issues.append(Issue(
                file=file, line=b.first_line,
                message=f"第 {b.first_line}–{b.last_line} 行像是一张表的续页，但前面没有表；未作为表读取"))
    if orphan_lines:
        result.issues.append(Issue(
            file=file, line=orphan_lines[0],
            message=f"第 {orphan_lines[0]}–{orphan_lines[-1]} 行是指标或结论行，但不属于任何表；未读取"))
    if not result.forms:
        result.issues.append(Issue(file=file, message="no performance form found (no 项目名称, funds, goal or "
                                   "indicator table was recognised)", severity="error"))
    if grid.places:
        _attach_places(result, grid)
    return result


def _attach_places(result: ParseResult, grid: Grid) -> None:
    """Each form gets the places of its rows (and of their cells) in the original document."""
    texts = {r.no: r.cells for r in grid.rows}
    for form in result.forms:
        places: dict[int, str] = {}
        cells: dict[int, dict[str, str]] = {}
        nos = set(range(form.source.first_line, form.source.last_line + 1))
        for a, b in form.source.spans:
            nos.update(range(a, b + 1))
        nos.update(v for v in form.lines.values() if isinstance(v, int))
        nos.update(i.line for i in form.indicators)
        for no in sorted(nos):
            if no in grid.places:
                places[no] = grid.places[no]
            if no in grid.cell_places and no in texts:
                at: dict[str, str] = {}
                for text, place in zip(texts[no], grid.cell_places[no]):
                    if text and place:
                        at.setdefault(text, place)
                if at:
                    cells[no] = at
        form.source.places = places
        form.source.cell_places = cells


def parse_file(path: str | Path, ocr: bool = False) -> ParseResult:
    path = Path(path)
    try:
        grid = read_grid(path, ocr=ocr)
    except InputError as e:
        return ParseResult(file=str(path), issues=[Issue(file=e.file, line=e.line, message=e.message,
                                                         severity="error")])
    return parse_grid(grid, str(path))
