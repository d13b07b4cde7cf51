"""`jixiao review`: run every check over a corpus or over files, and write the report."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from jixiao.console import err, error, out



class ReviewFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    md = "md"


class MinSeverity(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"


def review_cmd(
    paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders to read directly (instead of --db)."),
    db: Optional[Path] = typer.Option(None, "--db", envvar="JIXIAO_DB", help="Corpus file to review."),
    out_file: Optional[Path] = typer.Option(None, "--out", "-o", help="Report file; the format follows the suffix: .json .jsonl .csv .xlsx .md .html"),
    fmt: ReviewFormat = typer.Option(ReviewFormat.table, "--format", "-f", help="What goes to stdout: table (a summary, and each finding without --out), or the report as json, jsonl, csv or md (the summary then goes to stderr)."),
    only: Optional[list[str]] = typer.Option(None, "--only", help="Only these codes (repeatable; 'goal.*' for a family)."),
    min_severity: MinSeverity = typer.Option(MinSeverity.low, "--min-severity", help="Leave out findings below this severity."),
    decisions: Optional[Path] = typer.Option(None, "--decisions", help="A reviewer's decisions: JSON {id: accepted|dismissed}, or an earlier .json or .xlsx report with its decision column filled in. With --db the corpus's decisions (jixiao serve) are read too; this file wins where both decide."),
    settings: Optional[Path] = typer.Option(None, "--settings", help="TOML file overriding thresholds of review/settings.toml."),
    llm_url: Optional[str] = typer.Option(None, "--llm-url", envvar="JIXIAO_LLM_URL", help="OpenAI-compatible endpoint of a language model, e.g. http://127.0.0.1:8080/v1 (optional)."),
    llm_model: Optional[str] = typer.Option(None, "--llm-model", envvar="JIXIAO_LLM_MODEL", help="Model name on that server, e.g. qwen2.5:7b-instruct, deepseek-chat."),
    llm_key_env: str = typer.Option("JIXIAO_LLM_API_KEY", "--llm-key-env", help="Environment variable holding the API key (never written anywhere)."),
    llm_timeout: float = typer.Option(120.0, "--llm-timeout", help="Seconds to wait for one answer."),
    llm_retries: int = typer.Option(2, "--llm-retries", help="Retries of a question on timeouts, connection errors, 429 and 5xx."),
    llm_backoff: float = typer.Option(1.0, "--llm-backoff", help="Seconds before the first retry; doubles on each (with jitter)."),
    llm_concurrency: int = typer.Option(4, "--llm-concurrency", help="Questions in flight at once."),
    llm_limit: Optional[int] = typer.Option(None, "--llm-limit", help="Ask at most this many questions (cached answers are free)."),
    llm_comments: bool = typer.Option(True, "--llm-comments/--no-llm-comments", help="Draft a 审核意见 per project with findings."),
    llm_cache: Optional[Path] = typer.Option(None, "--llm-cache", help="JSON-lines file keeping the model's answers (default: the corpus with --db, else none)."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar for the model's questions on stderr (default: when stderr is a terminal)."),
    ocr: bool = typer.Option(False, "--ocr", help="PDF pages without a text layer (scans): recognise the text by OCR (see README › Formats); slow."),
) -> None:
    """Run every check and report what is copied, boilerplate or inconsistent, with evidence.

    Each finding has a stable code, a severity, a Chinese sentence a reviewer can paste, and its
    evidence (texts and numbers with file and line). Its id survives re-runs, so decisions stick.

    With --llm-url and --llm-model a language model judges the hard cases (does the result text say
    whether the goal was met? does the deviation text contradict its row?) and drafts a 审核意见 per
    project; its answers are cached (in the corpus with --db, or --llm-cache FILE). The findings
    are the same with or without it. Exit status 1 when the model was asked and no question got an
    answer; the report is still written, without the verdicts.

    Example: jixiao review --db corpus.db --out review.csv --min-severity medium

    Example: jixiao review examples/ --only 'goal.*' --format jsonl | jq .message

    Example: jixiao review examples/ --out review.html --llm-url http://127.0.0.1:8080/v1 --llm-model qwen2.5-7b-instruct
    """
    from jixiao.forms.parser import parse_file
    from jixiao.index.ingest import collect
    from jixiao.index.store import Store, StoreError
    from jixiao.review.catalogue import all_codes
    from jixiao.review.engine import load_decisions, review, selected
    from jixiao.review.report import FORMATS, write
    from jixiao.review.settings import load_settings

    def fail(message: str) -> None:
        error(message)
        raise typer.Exit(1)

    if out_file is not None and out_file.suffix.lower() not in FORMATS:
        error(f"{out_file}: unknown report format; use one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    llm = None
    if llm_url:
        from jixiao.review.llm.run import LLMOptions, usage_error

        llm = LLMOptions(llm_url, llm_model, llm_key_env, llm_timeout, llm_retries, llm_backoff, llm_concurrency,
                         llm_limit, llm_comments, llm_cache)
        if (problem := usage_error(llm)) is not None:
            error(problem)
            raise typer.Exit(2)
    codes = all_codes()
    for code in only or []:
        if not any(selected(c, [code]) for c in codes):
            fail(f"unknown code {code!r}; known codes: {', '.join(codes)}")
    try:
        conf = load_settings(settings)
        known = load_decisions(decisions)
    except (ValueError, OSError) as e:
        fail(str(e))
    forms = []
    store = None
    if paths:
        files, problems = collect(paths)
        for p in problems:
            error(f"{p.path}: {p.error}")
        for f in files:
            result = parse_file(f, ocr=ocr)
            for issue in result.issues:
                if issue.severity == "error":
                    error(issue)
            forms.extend(result.forms)
    elif db is not None:
        try:
            store = Store(db)
        except StoreError as e:
            fail(str(e))
        forms = list(store.forms())
        # Decisions taken in `jixiao serve` live in the corpus; a --decisions file wins over them.
        known = store.decisions() | known
    else:
        fail("nothing to review: give files or folders, or --db FILE")
    if not forms:
        fail("no forms to review")
    embed = None
    if db is not None and not paths:
        from jixiao.index.build import corpus_model
        from jixiao.index.embed import load_embedder
        from jixiao.index.vectors import embed_cached

        embedder = load_embedder(corpus_model(store, None))
        embed = lambda texts: embed_cached(store, embedder, texts)[0]  # noqa: E731  (the corpus's cache)
    report = review(forms, conf, only, min_severity.value, known, embed=embed)
    status = 0
    if llm is not None:
        from jixiao.review.llm.run import assist

        status = assist(report, llm, store, err, progress if progress is not None else err.is_terminal)
    if store is not None:
        store.close()
    if out_file is not None:
        write(report, out_file)
    if fmt != ReviewFormat.table:  # the report itself on stdout, for a pipe; people read the summary on stderr
        from jixiao.review.report import to_csv, to_json, to_jsonl, to_md

        text = {"json": to_json, "jsonl": to_jsonl, "csv": to_csv, "md": to_md}[fmt.value](report)
        sys.stdout.write(text.lstrip("\ufeff") if fmt == ReviewFormat.csv else text)
        sys.stdout.flush()
    s = report.summary
    t = Table(title=f"{s.forms} forms, {s.findings} findings" + (f" → {out_file}" if out_file else ""),
              title_justify="left", show_edge=False, box=None, header_style="bold")
    for c in ("code", "high", "medium", "low"):
        t.add_column(c)
    for code in s.by_code:
        row = [sum(1 for f in report.flags if f.code == code and f.severity == sev) for sev in ("high", "medium", "low")]
        t.add_row(code, *[str(n or "") for n in row])
    (out if fmt == ReviewFormat.table else err).print(t, highlight=False)
    if s.projects:  # the worklist's head: where a reviewer starts
        top = Table(title=f"projects by risk (top {min(10, len(s.projects))} of {len(s.projects)})", title_justify="left",
                    show_edge=False, box=None, header_style="bold")
        for c in ("#", "risk", "project", "unit", "year", "findings", "main problem"):
            top.add_column(c, overflow="fold")
        for p in s.projects[:10]:
            top.add_row(str(p.rank), f"{p.risk:g}", p.project_name or "-", p.unit or "-", str(p.year or "-"),
                        str(len(p.findings)), (p.top or "")[:60])
        (out if fmt == ReviewFormat.table else err).print(top, highlight=False)
    if out_file is None and fmt == ReviewFormat.table:
        from jixiao.review.report_common import place as _place

        for f in report.flags:
            where = next((_place(e) for e in f.evidence if e.file), "")
            out.print(f"{f.severity:<6} {f.code:<36} {f.message}  [{where}] {f.id}", highlight=False)
            if f.llm is not None:
                out.print(f"{'':<6} {'':<36} 模型判断 {f.llm.verdict}：{f.llm.explanation}", highlight=False)
        for key, c in report.comments.items():
            out.print(f"审核意见（模型草拟）{key}：{c.comment if c.status == 'ok' else '（模型回答不可用）'}", highlight=False)
    if status:
        raise typer.Exit(status)
