"""`jixiao review`: run every check over a corpus or over files, and write the report."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240, markup=False)  # document text is never markup
err = Console(stderr=True, soft_wrap=True)


class MinSeverity(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"


def review_cmd(
    paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders to read directly (instead of --db)."),
    db: Optional[Path] = typer.Option(None, "--db", envvar="JIXIAO_DB", help="Corpus file to review."),
    out_file: Optional[Path] = typer.Option(None, "--out", "-o", help="Report file; the format follows the suffix: .json .jsonl .csv .xlsx .md .html"),
    only: Optional[list[str]] = typer.Option(None, "--only", help="Only these codes (repeatable; 'goal.*' for a family)."),
    min_severity: MinSeverity = typer.Option(MinSeverity.low, "--min-severity", help="Leave out findings below this severity."),
    decisions: Optional[Path] = typer.Option(None, "--decisions", help="A reviewer's decisions: JSON {id: accepted|dismissed}, or an earlier .json or .xlsx report with its decision column filled in."),
    settings: Optional[Path] = typer.Option(None, "--settings", help="TOML file overriding thresholds of review/settings.toml."),
) -> None:
    """Run every check and report what is copied, boilerplate or inconsistent, with evidence.

    Each finding has a stable code, a severity, a Chinese sentence a reviewer can paste, and its
    evidence (texts and numbers with file and line). Its id survives re-runs, so decisions stick.

    Example: jixiao review --db corpus.db --out review.csv --min-severity medium
    """
    from jixiao.forms.parser import parse_file
    from jixiao.index.ingest import collect
    from jixiao.index.store import Store, StoreError
    from jixiao.review.catalogue import all_codes
    from jixiao.review.engine import load_decisions, review, selected
    from jixiao.review.report import FORMATS, write
    from jixiao.review.settings import load_settings

    def fail(message: str) -> None:
        err.print(f"[red]error[/red] {escape(str(message))}", highlight=False)
        raise typer.Exit(1)

    if out_file is not None and out_file.suffix.lower() not in FORMATS:
        err.print(f"[red]error[/red] {escape(str(out_file))}: unknown report format; use one of {escape(str(', '.join(FORMATS)))}", highlight=False)
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
    if paths:
        files, problems = collect(paths)
        for p in problems:
            err.print(f"[red]error[/red] {escape(str(p.path))}: {escape(str(p.error))}", highlight=False)
        for f in files:
            result = parse_file(f)
            for issue in result.issues:
                if issue.severity == "error":
                    err.print(f"[red]error[/red] {escape(str(issue))}", highlight=False)
            forms.extend(result.forms)
    elif db is not None:
        try:
            store = Store(db)
        except StoreError as e:
            fail(str(e))
        forms = list(store.forms())
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
    if db is not None and not paths:
        store.close()
    if out_file is not None:
        write(report, out_file)
    s = report.summary
    t = Table(title=f"{s.forms} forms, {s.findings} findings" + (f" → {out_file}" if out_file else ""),
              title_justify="left", show_edge=False, box=None, header_style="bold")
    for c in ("code", "high", "medium", "low"):
        t.add_column(c)
    for code in s.by_code:
        row = [sum(1 for f in report.flags if f.code == code and f.severity == sev) for sev in ("high", "medium", "low")]
        t.add_row(code, *[str(n or "") for n in row])
    out.print(t, highlight=False)
    if out_file is None:
        for f in report.flags:
            where = next((f"{e.file}:{e.line}" for e in f.evidence if e.file), "")
            out.print(f"{f.severity:<6} {f.code:<36} {f.message}  [{where}] {f.id}", highlight=False)
