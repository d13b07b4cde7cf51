"""The review report as an Excel workbook, and the reviewer's decisions read back from it.

Reviewers open the report in Excel or WPS, fill the 决定 column with accepted/dismissed and hand the
file back; `read_decisions` takes that same file, so the round trip needs no other format. The 发现
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

from jixiao.forms.models import FORM_TYPE_ZH
from jixiao.review.models import Report
from jixiao.review.report_common import csv_rows, has_llm, layout, money_text

SHEET = "发现"
SUMMARY_SHEET = "汇总"
DECISIONS = ("accepted", "dismissed")
SEVERITIES = ("high", "medium", "low")
# (header, key in csv_rows, column width in characters). The id and 决定 headers are what
# `read_decisions` looks for, so they must not be renamed.
COLUMNS = [
    ("id", "id", 14), ("代码", "code", 30), ("严重程度", "severity", 9), ("决定", "decision", 11),
    ("项目", "project_name", 26), ("实施单位", "unit", 24), ("年度", "year", 7), ("表类型", "form_type", 12),
    ("审核意见", "message", 60), ("证据", "evidence", 60), ("位置", "where", 34), ("涉及项目", "projects", 40),
    ("分组", "group", 13), ("风险", "risk", 8),
]
RANKING_SHEET = "项目风险"
APPENDIX_SHEET = "附录（低风险形式问题）"
GROUPS_SHEET = "分组"
RANKING_COLUMNS = [("排名", 6), ("项目", 30), ("实施单位", 26), ("年度", 7), ("风险", 8), ("金额（万元）", 14),
                   ("实质性发现", 10), ("发现", 7), ("最主要的问题", 80), ("发现 id", 30)]
GROUP_COLUMNS = [("id", 14), ("决定", 11), ("类型", 10), ("代码", 30), ("严重程度", 9), ("风险", 8), ("项目", 26),
                 ("实施单位", 24), ("审核意见", 70), ("成员 id", 30)]
GROUP_KIND_ZH = {"unit": "单位共性", "form": "同表多项", "same_problem": "同一问题"}
# Added after COLUMNS when a language model was asked; read_decisions finds columns by header, so
# the extra columns do not disturb the round trip.
LLM_COLUMNS = [("模型判断", "llm_verdict", 12), ("模型说明", "llm_explanation", 60)]
COMMENTS_SHEET = "审核意见草稿"
COMMENT_COLUMNS = [("项目", 26), ("实施单位", 24), ("年度", 7), ("审核意见（模型草拟）", 80), ("依据的发现", 30), ("模型", 20), ("状态", 10)]
DECISION_HEADERS = ("决定", "decision")
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


def _findings_sheet(ws, report: Report, ids: list[str] | None = None) -> None:
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
    if ids is not None:
        by_id = {row["id"]: row for row in rows}
        rows = [by_id[i] for i in ids]
    for r, row in enumerate(rows, 2):
        row["form_type"] = FORM_TYPE_ZH.get(row["form_type"], row["form_type"])  # 绩效自评表 reads better than self_evaluation
        for col, (_, key, _) in enumerate(columns, 1):
            _put(ws, r, col, row[key]).alignment = wrap
        fill = SEVERITY_FILL.get(row["severity"])
        if fill:
            ws.cell(row=r, column=sev_col).fill = PatternFill("solid", fgColor=fill)
    last_row = max(ws.max_row, 2)
    ws.freeze_panes = "A2"  # the header row stays in view while scrolling
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    _decision_list(ws, get_column_letter(next(i for i, c in enumerate(COLUMNS, 1) if c[1] == "decision")), last_row)


def _summary_sheet(ws, report: Report) -> None:
    s = report.summary
    bold = Font(bold=True)
    rows: list[list[object]] = [["表数", s.forms], ["发现数", s.findings], []]
    rows.append(["代码", *SEVERITIES, "合计"])
    per_code = Counter((f.code, f.severity) for f in report.flags)
    for code, n in s.by_code.items():
        rows.append([code, *[per_code[(code, sev)] for sev in SEVERITIES], n])
    rows.append(["合计", *[s.by_severity.get(sev, 0) for sev in SEVERITIES], s.findings])
    rows += [[], ["决定", "数量"], *[[d, s.decisions.get(d, 0)] for d in DECISIONS],
             ["未处理", s.findings - sum(s.decisions.get(d, 0) for d in DECISIONS)]]
    header_rows = {4, len(rows) - 3}
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
    for col in "BCDE":
        ws.column_dimensions[col].width = 10


def _comments_sheet(ws, report: Report) -> None:
    """One row per project with its drafted 审核意见, for the reviewer to edit and send on."""
    bold = Font(bold=True)
    for col, (header, width) in enumerate(COMMENT_COLUMNS, 1):
        _put(ws, 1, col, header).font = bold
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(vertical="top", wrap_text=True)
    for r, c in enumerate(report.comments.values(), 2):
        values = [c.project_name, c.unit, c.year, c.comment if c.status == "ok" else f"（模型回答不可用：{c.note}）",
                  "\n".join(c.finding_ids), c.model, c.status]
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
    _table(ws, GROUP_COLUMNS, [[g.id, g.decision, GROUP_KIND_ZH.get(g.kind, g.kind), "\n".join(g.codes), g.severity, g.risk,
                                g.project_name or "\n".join(dict.fromkeys(p.project_name or "" for p in g.projects)),
                                g.unit, g.message, "\n".join(g.members)] for g in report.groups])
    _decision_list(ws, "B", max(ws.max_row, 2))


def _decision_list(ws, col: str, last_row: int) -> None:
    # A drop-down on 决定 keeps reviewers to the two values `read_decisions` accepts.
    dv = DataValidation(type="list", formula1='"accepted,dismissed"', allow_blank=True,
                        promptTitle="决定", prompt="accepted（采纳）或 dismissed（排除）；留空表示未处理",
                        errorTitle="决定", error="只能填 accepted 或 dismissed")
    dv.add(f"{col}2:{col}{last_row}")
    ws.add_data_validation(dv)


def to_xlsx(report: Report) -> bytes:
    """Sheets: 项目风险 (projects by risk, first, as the reviewer opens it), 发现 (the worklist's
    findings with 决定 to fill in), 附录 (low formal findings, same columns), 分组 (each group once:
    a decision there reaches its members), 汇总, and 审核意见草稿 when a model drafted any."""
    lay = layout(report)
    in_appendix = [f.id for sec in lay.appendix for it in sec.items for f in it.members]
    main = [f.id for it in lay.unit_groups for f in it.members] + [f.id for sec in lay.sections for it in sec.items for f in it.members]
    wb = Workbook()
    ws = wb.active
    ws.title = RANKING_SHEET
    _ranking_sheet(ws, lay)
    _findings_sheet(wb.create_sheet(SHEET), report, main)
    if in_appendix:
        _findings_sheet(wb.create_sheet(APPENDIX_SHEET), report, in_appendix)
    if report.groups:
        _groups_sheet(wb.create_sheet(GROUPS_SHEET), report)
    _summary_sheet(wb.create_sheet(SUMMARY_SHEET), report)
    if report.comments:
        _comments_sheet(wb.create_sheet(COMMENTS_SHEET), report)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_decisions(path: str | Path) -> dict[str, str]:
    """{id: decision} from a report workbook whose 决定 column a reviewer filled in.

    Columns are found by their header, so a reviewer may reorder, hide or add columns; rows with an
    empty 决定 are undecided. Any other value is an error naming the row, not a silent skip.
    """
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises several unrelated types for a file that is not a workbook
        raise ValueError(f"{path}: not a readable .xlsx workbook ({e})") from e
    try:
        out: dict[str, str] = {}
        readable = 0
        for ws in wb.worksheets:  # 发现, 附录 and 分组 all carry id and 决定; other sheets are skipped
            rows = ws.iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            if "id" not in header or not any(h in header for h in DECISION_HEADERS):
                continue
            readable += 1
            id_col = header.index("id")
            dec_col = next(header.index(h) for h in DECISION_HEADERS if h in header)
            for n, row in enumerate(rows, 2):
                fid = row[id_col] if id_col < len(row) else None
                dec = row[dec_col] if dec_col < len(row) else None
                dec = str(dec).strip().lower() if dec is not None else ""
                if not dec:
                    continue
                if dec not in DECISIONS:
                    raise ValueError(f"{path}: sheet {ws.title!r} row {n}: decisions must be 'accepted' or 'dismissed', got {dec!r}")
                if fid is not None and str(fid).strip():
                    out[str(fid).strip()] = dec
        if not readable:
            raise ValueError(f"{path}: no sheet has 'id' and '决定' columns")
        return out
    finally:
        wb.close()
