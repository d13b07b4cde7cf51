"""Writing a review report; the format follows the output file's suffix.

.json ({"summary": …, "flags": […]}), .jsonl (one finding a line), .csv (one row per finding, what
reviewers open in Excel or WPS: Chinese headers, 高（high）, 绩效自评表, each code's Chinese name), .md, .xlsx (report_xlsx: the rows of .csv with a 决定 column to fill in and
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

from jixiao.forms.safe_text import csv_safe_row
from jixiao.review.models import Report
# The shared rows and lines live in report_common (the writers import them from there, never from
# here); they are named here too because other tools import them from this module.
from jixiao.review.report_common import (COLUMN_ZH, CSV_COLUMNS, LLM_COLUMNS, VERDICT_ZH, column_label, comments_for,  # noqa: F401
                                         csv_columns, csv_rows, has_llm, llm_line, llm_summary)
from jixiao.review.report_md import to_md

FORMATS = (".json", ".jsonl", ".csv", ".md", ".xlsx", ".html")


def to_json(report: Report) -> str:
    return report.model_dump_json(indent=2)


def to_jsonl(report: Report) -> str:
    return "".join(f.model_dump_json() + "\n" for f in report.flags)


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    columns = csv_columns(report)
    w = csv.DictWriter(buf, fieldnames=columns)
    w.writerow({k: column_label(k) for k in columns})  # Chinese headers for people; report_common.COLUMN_ZH
    w.writerows(map(csv_safe_row, csv_rows(report)))  # document text never runs as a formula (forms/safe_text.py)
    # A BOM so that Excel and WPS open the Chinese text as UTF-8.
    return "\ufeff" + buf.getvalue()


def write(report: Report, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        # Imported here: the text formats never pay for openpyxl.
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
