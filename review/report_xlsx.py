"""The review report as an Excel workbook, and the reviewer's decisions read back from it.

Reviewers open the report in Excel or WPS, fill the 决定 column (采纳/排除 from its drop-down, or
accepted/dismissed) and 审核备注, and hand the file back; `read_decisions` takes that same file, so the round trip needs no other format. The 发现
sheet keeps one row per finding (the columns of `report.csv_rows`, with Chinese headers); 汇总 counts
them by code and severity.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jixiao.review.codes import code_label, code_zh, severity_label
from jixiao.review.decisions import DECISION_ZH, Decision, rows_of_table
from jixiao.review.models import Report
from jixiao.review.report_common import UNADOPTED, adopted, column_label, csv_rows, has_llm, layout, money_text
from jixiao.review.report_common import common_folder, copied_pairs, form_type_zh, place, short_path

SHEET = "发现"
SUMMARY_SHEET = "汇总"
DECISIONS = ("accepted", "dismissed")
SEVERITIES = ("high", "medium", "low")
# (header, key in csv_rows, column width in characters); the headers are the .csv's (report_common.COLUMN_ZH).
# `read_decisions` finds the 编号 and 决定 columns by header.
COLUMNS = [(column_label(key), key, width) for key, width in [
    ("id", 14), ("code", 30), ("code_name", 28), ("severity", 11), ("decision", 11),
    ("note", 30), ("reviewer", 10),
    ("project_name", 26), ("unit", 24), ("year", 7), ("form_type", 12),
    ("message", 60), ("evidence", 60), ("where", 34), ("full_path", 40), ("projects", 40),
    ("group", 13), ("risk", 8),
]]
RANKING_SHEET = "项目风险"
APPENDIX_SHEET = "附录（低风险形式问题）"
GROUPS_SHEET = "分组"
RANKING_COLUMNS = [("排名", 6), ("项目", 30), ("实施单位", 26), ("年度", 7), ("风险", 8), ("金额（万元）", 14),
                   ("实质性发现", 10), ("发现", 7), ("最主要的问题", 80), ("发现 id", 30)]
GROUP_COLUMNS = [(column_label("id"), 14), ("决定", 11), ("审核备注", 30), ("审核人", 10), ("类型", 10), ("代码", 40), ("严重程度", 11), ("风险", 8), (column_label("project_name"), 26),
                 (column_label("unit"), 24), (column_label("message"), 70), ("成员编号", 30)]
GROUP_KIND_ZH = {"unit": "单位共性", "form": "同表多项", "same_problem": "同一问题"}
# Added after COLUMNS when a language model was asked; read_decisions finds columns by header, so
# the extra columns do not disturb the round trip.
LLM_COLUMNS = [(column_label("llm_verdict"), "llm_verdict", 12), (column_label("llm_explanation"), "llm_explanation", 60)]
COMMENTS_SHEET = "审核意见草稿"
COMMENT_COLUMNS = [("项目", 26), ("实施单位", 24), ("年度", 7), ("审核意见（模型草拟）", 80), ("依据的发现", 30), ("模型", 20), ("状态", 10)]
DECISION_HEADERS = ("决定", "decision")
# Decisions whose finding or group this run did not produce: kept here, read back like the others.
ORPHANS_SHEET = "未匹配决定"
ORPHAN_COLUMNS = [(column_label("id"), 14), ("决定", 11), ("审核备注", 40), ("审核人", 10), ("决定时间", 22), ("来源", 40)]
# indicator.table_copied: the two tables row against row, instead of one long 证据 cell.
COPIED_SHEET = "指标表对照"
COPIED_COLUMNS = [("发现编号", 14), ("本项目", 34), ("本项目指标", 40), ("本项目位置", 26), ("对方项目", 34), ("对方指标", 40),
                  ("对方位置", 26), ("名称相似度", 10), ("本项目完整路径", 40), ("对方完整路径", 40)]
WARNINGS_SHEET = "解析提示"
WARNING_COLUMNS = [("文件", 30), ("行", 7), ("原文位置", 14), (column_label("project_name"), 26), (column_label("unit"), 24),
                   (column_label("year"), 7), (column_label("form_type"), 12), ("提示", 70), (column_label("full_path"), 40)]
SEVERITY_FILL = {"high": "F8D7DA", "medium": "FFF3CD", "low": "E2E3E5"}
MAX_CELL = 32767  # Excel's limit for one cell; a longer text makes Excel call the file corrupt


def _cell_text(value: object) -> object:
    """Document text as a cell value Excel accepts: no control characters, within the cell limit."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # PDF exports carry stray control characters
    return value if len(value) <= MAX_CELL else value[: MAX_CELL - 1] + "…"


def _put(ws, row: int, col: int, value: object):
    cell = ws.cell(row=row, column=col, value=_cell_text(value))
    if isinstance(cell.value, str):
        # openpyxl stores any string starting with "=" as a formula; targets such as "=40.00(班次)"
        # and anything a document author wrote must stay plain text.
        cell.data_type = "s"
    return cell


def _findings_sheet(ws, report: Report, ids: list[str] | None = None, pointers: dict[str, str] | None = None) -> None:
    """The findings (those of `ids`, in that order: the worklist's), one row each, with 决定 to fill in."""
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    columns = COLUMNS + (LLM_COLUMNS if has_llm(report) else [])
    for col, (header, _, width) in enumerate(columns, 1):
        cell = _put(ws, 1, col, header)
        cell.font, cell.fill = bold, header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(vertical="top", wrap_text=True)
    sev_col = next(i for i, c in enumerate(COLUMNS, 1) if c[1] == "severity")
    rows = csv_rows(report)
    severity = {f.id: f.severity for f in report.flags}  # the rows show 高（high）; the fill goes by the code
    if ids is not None:
        by_id = {row["id"]: row for row in rows}
        rows = [by_id[i] for i in ids]
    for r, row in enumerate(rows, 2):
        row["decision"] = DECISION_ZH.get(row["decision"], row["decision"])  # what the drop-down offers
        if pointers and row["id"] in pointers:  # a copied table: its rows are on the 指标表对照 sheet
            row["evidence"], row["where"] = pointers[row["id"]]
        for col, (_, key, _) in enumerate(columns, 1):
            _put(ws, r, col, row[key]).alignment = wrap
        fill = SEVERITY_FILL.get(severity[row["id"]])
        if fill:
            ws.cell(row=r, column=sev_col).fill = PatternFill("solid", fgColor=fill)
    last_row = max(ws.max_row, 2)
    ws.freeze_panes = "A2"  # the header row stays in view while scrolling
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    _decision_list(ws, get_column_letter(next(i for i, c in enumerate(COLUMNS, 1) if c[1] == "decision")), last_row)


def _copied_sheet(ws, report: Report, root: str | None) -> dict[str, tuple[str, str]]:
    """indicator.table_copied findings as the two tables side by side, one row per pair of rows; returns,
    per finding, the short 证据 and 位置 cells of the 发现 sheet that point here."""
    rows: list[list[object]] = []
    pointers: dict[str, tuple[str, str]] = {}
    for f in report.flags:
        pairs = copied_pairs(f)
        if not pairs:
            continue
        first = len(rows) + 2
        for a, b in pairs:
            rows.append([f.id, a.label.removesuffix(" 指标"), a.text, place(a, root), b.label.removesuffix(" 指标"), b.text,
                         place(b, root), b.value, a.file, b.file])
        partners = list(dict.fromkeys(b.label.removesuffix(" 指标") for _, b in pairs))
        pointers[f.id] = (f"{len(pairs)} 对指标行，逐行对照见工作表“{COPIED_SHEET}”第 {first}–{len(rows) + 1} 行"
                          f"（对方：{'、'.join(partners)}）",
                          "\n".join(dict.fromkeys(f"{short_path(p.file, root)}:{p.line}" for p in f.projects)))
    _table(ws, COPIED_COLUMNS, rows)
    return pointers


def _warnings_sheet(ws, report: Report, root: str | None) -> None:
    """Every parse warning with its project: what the parser could not read well, where."""
    _table(ws, WARNING_COLUMNS, [[short_path(w.file, root), w.line, w.location, w.project_name or "（不属于任何表）", w.unit,
                                  w.year, form_type_zh(w.form_type), w.message, w.file] for w in report.parse_warnings])


def _summary_sheet(ws, report: Report) -> None:
    s = report.summary
    bold = Font(bold=True)
    rows: list[list[object]] = [["表数", s.forms], ["发现数", s.findings], []]
    rows.append(["代码", column_label("code_name"), *map(severity_label, SEVERITIES), "合计"])
    per_code = Counter((f.code, f.severity) for f in report.flags)
    for code, n in s.by_code.items():
        rows.append([code, code_zh(code), *[per_code[(code, sev)] for sev in SEVERITIES], n])
    rows.append(["合计", None, *[s.by_severity.get(sev, 0) for sev in SEVERITIES], s.findings])
    rows += [[], ["决定", "数量"]]
    header_rows = {4, len(rows)}
    rows += [*[[f"{DECISION_ZH[d]} {d}", s.decisions.get(d, 0)] for d in DECISIONS],
             ["未处理", s.findings - sum(s.decisions.get(d, 0) for d in DECISIONS)],
             ["未匹配决定（见该表）", s.orphaned_decisions]]
    if s.llm is not None:
        u = s.llm
        rows += [[], ["语言模型", u.model], ["调用次数", u.calls], ["取自缓存", u.cached], ["失败", u.failed],
                 ["回答不可用", u.unusable], ["未问", u.skipped], ["prompt tokens", u.prompt_tokens],
                 ["completion tokens", u.completion_tokens], ["秒", u.seconds]]
    for r, values in enumerate(rows, 1):
        for c, v in enumerate(values, 1):
            cell = _put(ws, r, c, v)
            if r in header_rows or c == 1 and v in ("表数", "发现数", "合计"):
                cell.font = bold
    ws.column_dimensions["A"].width = 38
    ws.column_dimensions["B"].width = 36
    for col in "CDEF":
        ws.column_dimensions[col].width = 12


def _comments_sheet(ws, report: Report) -> None:
    """One row per project with its drafted 审核意见, for the reviewer to edit and send on."""
    bold = Font(bold=True)
    for col, (header, width) in enumerate(COMMENT_COLUMNS, 1):
        _put(ws, 1, col, header).font = bold
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(vertical="top", wrap_text=True)
    for r, c in enumerate(report.comments.values(), 2):
        shown = adopted(c)
        values = [c.project_name, c.unit, c.year,
                  c.comment if shown else f"（{UNADOPTED}{'：' + c.note if c.note else ''}）",
                  "\n".join(c.finding_ids) if shown else "", c.model, c.status]
        for col, v in enumerate(values, 1):
            _put(ws, r, col, v).alignment = wrap
    ws.freeze_panes = "A2"


def _table(ws, columns: list[tuple[str, int]], rows: list[list[object]]) -> None:
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for col, (header, width) in enumerate(columns, 1):
        cell = _put(ws, 1, col, header)
        cell.font, cell.fill = bold, header_fill
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(vertical="top", wrap_text=True)
    for r, values in enumerate(rows, 2):
        for col, v in enumerate(values, 1):
            _put(ws, r, col, v).alignment = wrap
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 2)}"


def _ranking_sheet(ws, lay) -> None:
    _table(ws, RANKING_COLUMNS, [[p.rank, p.project_name, p.unit, p.year, p.risk, money_text(p), p.substantive,
                                  len(p.findings), p.top, "\n".join(p.findings)] for p in lay.projects])


def _groups_sheet(ws, report: Report) -> None:
    _table(ws, GROUP_COLUMNS, [[g.id, DECISION_ZH.get(g.decision or ""), g.note, g.reviewer, GROUP_KIND_ZH.get(g.kind, g.kind), "\n".join(map(code_label, g.codes)), severity_label(g.severity), g.risk,
                                g.project_name or "\n".join(dict.fromkeys(p.project_name or "" for p in g.projects)),
                                g.unit, g.message, "\n".join(g.members)] for g in report.groups])
    _decision_list(ws, "B", max(ws.max_row, 2))


def _orphans_sheet(ws, report: Report) -> None:
    _table(ws, ORPHAN_COLUMNS, [[d.id, DECISION_ZH.get(d.decision or ""), d.note, d.reviewer, d.decided_at, d.source]
                                for d in report.orphaned_decisions])
    _decision_list(ws, "B", max(ws.max_row, 2))


def _decision_list(ws, col: str, last_row: int) -> None:
    # A drop-down on 决定 offers the two Chinese values; a warning, not a stop, on anything else, since
    # `read_decisions` also takes 已采纳/确认/已排除/不采纳 and accepted/dismissed.
    dv = DataValidation(type="list", formula1='"采纳,排除"', allow_blank=True, errorStyle="warning",
                        promptTitle="决定", prompt="采纳 或 排除；留空表示未处理。理由写在“审核备注”",
                        errorTitle="决定", error="决定应为 采纳 或 排除（也认 已采纳/确认/已排除/不采纳/accepted/dismissed）")
    dv.add(f"{col}2:{col}{last_row}")
    ws.add_data_validation(dv)


def to_xlsx(report: Report) -> bytes:
    """Sheets: 项目风险 (projects by risk, first, as the reviewer opens it), 发现 (the worklist's
    findings with 决定 to fill in), 附录 (low formal findings, same columns), 分组 (each group once:
    a decision there reaches its members), 指标表对照 (copied indicator tables row against row), 解析提示
    (the parser's warnings), 汇总, and 审核意见草稿 when a model drafted any."""
    lay = layout(report)
    in_appendix = [f.id for sec in lay.appendix for it in sec.items for f in it.members]
    main = [f.id for it in lay.unit_groups for f in it.members] + [f.id for sec in lay.sections for it in sec.items for f in it.members]
    wb = Workbook()
    ws = wb.active
    ws.title = RANKING_SHEET
    _ranking_sheet(ws, lay)
    findings = wb.create_sheet(SHEET)
    appendix = wb.create_sheet(APPENDIX_SHEET) if in_appendix else None
    if report.groups:
        _groups_sheet(wb.create_sheet(GROUPS_SHEET), report)
    root = common_folder(report)
    pointers = _copied_sheet(wb.create_sheet(COPIED_SHEET), report, root) if any(map(copied_pairs, report.flags)) else {}
    if report.parse_warnings:
        _warnings_sheet(wb.create_sheet(WARNINGS_SHEET), report, root)
    _findings_sheet(findings, report, main, pointers)
    if appendix is not None:
        _findings_sheet(appendix, report, in_appendix, pointers)
    if report.orphaned_decisions:
        _orphans_sheet(wb.create_sheet(ORPHANS_SHEET), report)
    _summary_sheet(wb.create_sheet(SUMMARY_SHEET), report)
    if report.comments:
        _comments_sheet(wb.create_sheet(COMMENTS_SHEET), report)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_decisions(path: str | Path) -> dict[str, str]:
    """{id: "accepted"|"dismissed"} from a report workbook whose 决定 column a reviewer filled in."""
    return {d.id: d.decision for d in read_decision_rows(path) if d.decision}


def read_decision_rows(path: str | Path) -> list[Decision]:
    """Every decision and note of a report workbook (发现, 附录, 分组, 未匹配决定: any sheet with id and
    决定 columns), in sheet order.

    Columns are found by their header, so a reviewer may reorder, hide or add columns; rows with an
    empty 决定 and no 审核备注 are undecided. A value that is not a decision is an error naming the
    sheet and row, not a silent skip.
    """
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises several unrelated types for a file that is not a workbook
        raise ValueError(f"{path}: not a readable .xlsx workbook ({e})") from e
    try:
        out: list[Decision] = []
        readable = 0
        for ws in wb.worksheets:
            rows = rows_of_table(ws.iter_rows(values_only=True), f"{path}: sheet {ws.title!r}", str(path))
            if rows is None:
                continue
            readable += 1
            out += rows
        if not readable:
            raise ValueError(f"{path}: no sheet has 'id' and '决定' columns")
        return out
    finally:
        wb.close()
