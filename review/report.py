"""Writing a review report; the format follows the output file's suffix.

.json ({"summary": …, "flags": […]}), .jsonl (one finding a line), .csv (one row per finding, what
reviewers open in Excel or WPS), .md, .xlsx (report_xlsx: the rows of .csv with a 决定 column to fill in and
a 汇总 sheet), .html (report_html: one offline page with filters and copied texts side by side).
Every row carries the finding's evidence with file and line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from jixiao.review.models import Finding, Report

FORMATS = (".json", ".jsonl", ".csv", ".md", ".xlsx", ".html")
CSV_COLUMNS = ["id", "code", "severity", "decision", "project_name", "unit", "year", "form_type", "message",
               "evidence", "where", "projects"]


def _evidence_text(f: Finding) -> str:
    parts = []
    for e in f.evidence:
        v = e.text if e.text is not None else (f"{e.value:g}" if e.value is not None else "（空）")
        parts.append(f"{e.label}：{v}")
    return "\n".join(parts)


def _where(f: Finding) -> str:
    seen = []
    for e in f.evidence:
        w = f"{e.file}:{e.line}" if e.file else ""
        if w and w not in seen:
            seen.append(w)
    return "\n".join(seen)


def csv_rows(report: Report) -> list[dict]:
    return [{
        "id": f.id, "code": f.code, "severity": f.severity, "decision": f.decision or "",
        "project_name": f.project_name or "", "unit": f.unit or "", "year": f.year or "",
        "form_type": f.form_type or "", "message": f.message, "evidence": _evidence_text(f), "where": _where(f),
        "projects": "\n".join(f"{p.project_name}（{p.unit}，{p.year}，{p.form_type}）" for p in f.projects),
    } for f in report.flags]


def to_json(report: Report) -> str:
    return report.model_dump_json(indent=2)


def to_jsonl(report: Report) -> str:
    return "".join(f.model_dump_json() + "\n" for f in report.flags)


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS)
    w.writeheader()
    w.writerows(csv_rows(report))
    # A BOM so that Excel and WPS open the Chinese text as UTF-8.
    return "\ufeff" + buf.getvalue()


def to_md(report: Report) -> str:
    s = report.summary
    out = ["# jixiao 审核报告", "", f"{s.forms} 张表，{s.findings} 项发现。", "", "| 代码 | 数量 |", "|---|---:|"]
    out += [f"| `{code}` | {n} |" for code, n in s.by_code.items()]
    out += ["", "| 严重程度 | 数量 |", "|---|---:|"] + [f"| {k} | {n} |" for k, n in s.by_severity.items()]
    by_project: dict[str, list[Finding]] = {}
    for f in report.flags:
        by_project.setdefault(f"{f.project_name or '(多个项目)'}（{f.unit or '-'}）", []).append(f)
    for project, flags in by_project.items():
        out += ["", f"## {project}", ""]
        for f in flags:
            out.append(f"- **{f.severity}** `{f.code}` {f.message}" + (f"（{f.decision}）" if f.decision else "") + f" <sub>{f.id}</sub>")
            for e in f.evidence:
                v = e.text if e.text is not None else (f"{e.value:g}" if e.value is not None else "（空）")
                out.append(f"  - {e.label}：{v.replace(chr(10), ' ')} — `{e.file}:{e.line}`")
    return "\n".join(out) + "\n"


def write(report: Report, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        # Imported here: the text formats never pay for openpyxl, and report_xlsx imports
        # csv_rows from this module, which a top-level import would turn into a cycle.
        from jixiao.review.report_xlsx import to_xlsx

        path.write_bytes(to_xlsx(report))
        return
    if suffix == ".html":
        from jixiao.review.report_html import to_html

        path.write_text(to_html(report), encoding="utf-8")
        return
    writers = {".json": to_json, ".jsonl": to_jsonl, ".csv": to_csv, ".md": to_md}
    if suffix not in writers:
        raise ValueError(f"{path}: unknown report format {suffix!r}; use one of {', '.join(FORMATS)}")
    path.write_text(writers[suffix](report), encoding="utf-8")
