"""Writing a review report; the format follows the output file's suffix.

.json ({"summary": …, "flags": […]}), .jsonl (one finding a line), .csv (one row per finding, what
reviewers open in Excel or WPS), .md, .xlsx (report_xlsx: the rows of .csv with a 决定 column to fill in and
a 汇总 sheet), .html (report_html: one offline page with filters and copied texts side by side).
Every row carries the finding's evidence with file and line.

When a language model was asked (`jixiao review --llm-url …`), judged findings carry its verdict:
an `llm` object in .json/.jsonl, `llm_verdict`/`llm_explanation` columns in .csv and .xlsx, a line
under the finding in .md and .html; drafted 审核意见 are under `comments` in .json, a sheet in .xlsx,
a paragraph per project in .md and .html. Without a model every format is exactly as before.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from jixiao.review.models import Finding, Report

FORMATS = (".json", ".jsonl", ".csv", ".md", ".xlsx", ".html")
CSV_COLUMNS = ["id", "code", "severity", "decision", "project_name", "unit", "year", "form_type", "message",
               "evidence", "where", "projects"]
LLM_COLUMNS = ["llm_verdict", "llm_explanation"]  # only in reports where a model was asked
VERDICT_ZH = {"met": "已完成", "partly_met": "部分完成", "not_met": "未完成", "cannot_tell": "无法判断",
              "contradicts": "矛盾", "excuses": "说明合理", "unrelated": "无关", "unusable": "回答不可用"}


def has_llm(report: Report) -> bool:
    return report.summary.llm is not None or any(f.llm for f in report.flags) or bool(report.comments)


def llm_line(f: Finding) -> str:
    """The model's verdict as one line a reviewer reads: 模型判断（model）：无法判断 cannot_tell — why."""
    v = f.llm
    if v is None:
        return ""
    quotes = "；".join(f"“{q}”" for q in v.evidence)
    return (f"模型判断（{v.model}）：{VERDICT_ZH.get(v.verdict, v.verdict)} {v.verdict} — {v.explanation}"
            + (f" 依据：{quotes}" if quotes else ""))


def comments_for(report: Report, project_name: str | None, unit: str | None) -> list:
    """The drafted comments of one project (name and unit), one per year."""
    return [c for c in report.comments.values() if c.project_name == project_name and (c.unit or "") == (unit or "")]


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
    rows = [{
        "id": f.id, "code": f.code, "severity": f.severity, "decision": f.decision or "",
        "project_name": f.project_name or "", "unit": f.unit or "", "year": f.year or "",
        "form_type": f.form_type or "", "message": f.message, "evidence": _evidence_text(f), "where": _where(f),
        "projects": "\n".join(f"{p.project_name}（{p.unit}，{p.year}，{p.form_type}）" for p in f.projects),
    } for f in report.flags]
    if has_llm(report):
        for row, f in zip(rows, report.flags):
            row["llm_verdict"] = f.llm.verdict if f.llm else ""
            row["llm_explanation"] = llm_line(f)
    return rows


def csv_columns(report: Report) -> list[str]:
    return CSV_COLUMNS + (LLM_COLUMNS if has_llm(report) else [])


def to_json(report: Report) -> str:
    return report.model_dump_json(indent=2)


def to_jsonl(report: Report) -> str:
    return "".join(f.model_dump_json() + "\n" for f in report.flags)


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=csv_columns(report))
    w.writeheader()
    w.writerows(csv_rows(report))
    # A BOM so that Excel and WPS open the Chinese text as UTF-8.
    return "\ufeff" + buf.getvalue()


def to_md(report: Report) -> str:
    s = report.summary
    out = ["# jixiao 审核报告", "", f"{s.forms} 张表，{s.findings} 项发现。", "", "| 代码 | 数量 |", "|---|---:|"]
    out += [f"| `{code}` | {n} |" for code, n in s.by_code.items()]
    out += ["", "| 严重程度 | 数量 |", "|---|---:|"] + [f"| {k} | {n} |" for k, n in s.by_severity.items()]
    if s.llm is not None:
        out += ["", llm_summary(report)]
    by_project: dict[tuple, list[Finding]] = {}
    for f in report.flags:
        by_project.setdefault((f.project_name, f.unit), []).append(f)
    for (name, unit), flags in by_project.items():
        out += ["", f"## {name or '(多个项目)'}（{unit or '-'}）", ""]
        for c in comments_for(report, name, unit):
            text = c.comment if c.status == "ok" else "（模型的回答不符合要求，未采用）"
            out += [f"> **审核意见（模型草拟，{c.model}，{c.year or '-'}年）**：{text.replace(chr(10), ' ')}", ""]
        for f in flags:
            out.append(f"- **{f.severity}** `{f.code}` {f.message}" + (f"（{f.decision}）" if f.decision else "") + f" <sub>{f.id}</sub>")
            if f.llm is not None:
                out.append(f"  - {llm_line(f).replace(chr(10), ' ')}")
            for e in f.evidence:
                v = e.text if e.text is not None else (f"{e.value:g}" if e.value is not None else "（空）")
                out.append(f"  - {e.label}：{v.replace(chr(10), ' ')} — `{e.file}:{e.line}`")
    return "\n".join(out) + "\n"


def llm_summary(report: Report) -> str:
    u = report.summary.llm
    if u is None:
        return ""
    return (f"语言模型 {u.model}：{u.calls} 次调用，{u.cached} 条取自缓存，{u.failed} 条失败，{u.unusable} 条回答不可用，"
            f"{u.skipped} 条未问；{u.prompt_tokens}+{u.completion_tokens} tokens，{u.seconds:g} 秒。")


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
