"""The `jixiao` command line.

Exit codes: 0 the run did its job (warnings may have been printed); 1 an input could not be used
(unreadable, undecodable or formless file, missing corpus); 2 wrong usage; 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from jixiao import __version__

app = typer.Typer(
    name="jixiao",
    help=(
        "jixiao（绩效）reads Chinese budget performance forms — 绩效目标申报表, 绩效跟踪表, 绩效自评表 — "
        "from text exports and keeps them in a corpus for review.\n\n"
        "Example:\n\n"
        "  jixiao ingest examples/ --db corpus.db\n\n"
        "  jixiao stats --db corpus.db\n\n"
        "  jixiao parse examples/minhang_2024_tracking.txt --format table"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
# Piped tables keep one row per line (grep-able) instead of folding at 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240)
err = Console(stderr=True, soft_wrap=True)


class ParseFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    table = "table"


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


def _version(value: bool) -> None:
    if value:
        print(f"jixiao {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True,
                                                  help="Print the version and exit.")) -> None:
    pass


def _write(text: str) -> None:
    sys.stdout.write(text)
    if text and not text.endswith("\n"):
        sys.stdout.write("\n")


@app.command()
def parse(
    files: list[Path] = typer.Argument(..., help="Text exports (UTF-8 or GB18030/GBK); folders are read recursively."),
    fmt: ParseFormat = typer.Option(ParseFormat.json, "--format", "-f", help="json, jsonl, csv (one row per indicator) or table."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not print parse warnings on stderr."),
) -> None:
    """Print the forms found in FILES without storing them.

    Example: jixiao parse examples/putuo_2024_self_evaluation.txt --format csv > indicators.csv
    """
    from jixiao.forms.export import print_table, to_csv, to_json, to_jsonl
    from jixiao.forms.parser import parse_file
    from jixiao.index.ingest import collect

    paths, problems = collect(files)
    for p in problems:
        err.print(f"[red]error[/red] {p.path}: {p.error}", highlight=False)
    forms = []
    failed = bool(problems)
    for path in paths:
        result = parse_file(path)
        forms.extend(result.forms)
        for issue in result.all_issues():
            if issue.severity == "error":
                failed = True
                err.print(f"[red]error[/red] {issue}", highlight=False)
            elif not quiet:
                err.print(f"[yellow]warning[/yellow] {issue}", highlight=False)
    if fmt == ParseFormat.table:
        print_table(forms, out)
    else:
        _write({ParseFormat.json: to_json, ParseFormat.jsonl: to_jsonl, ParseFormat.csv: to_csv}[fmt](forms))
    raise typer.Exit(1 if failed else 0)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders of text exports."),
    db: Path = typer.Option(Path("jixiao.db"), "--db", envvar="JIXIAO_DB", help="Corpus file (SQLite); created if missing."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="Report as a table, json or jsonl."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar on stderr (default: when stderr is a terminal and there are several files)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every parse warning, not only their count."),
) -> None:
    """Parse files and folders and store their forms in the corpus.

    Idempotent: a file already stored is skipped, a changed file replaces its old forms. Each file
    is written in one transaction; a file that fails changes nothing, and the others go on.

    Example: jixiao ingest examples/ --db corpus.db
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from jixiao.index.ingest import FileReport, collect, ingest as run
    from jixiao.index.store import Store, StoreError

    files, reports = collect(paths)
    try:
        store = Store(db, create=True)
    except StoreError as e:
        err.print(f"[red]error[/red] {e}", highlight=False)
        raise typer.Exit(1)
    show = progress if progress is not None else (err.is_terminal and len(files) > 1)
    bar = Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   TextColumn("{task.description}"), console=err, disable=not show, transient=True)
    try:
        with store, bar:
            task = bar.add_task("", total=len(files))
            for report in run(store, files, progress=lambda f: bar.update(task, advance=1, description=f.name)):
                reports.append(report)
                if fmt == ReportFormat.jsonl:
                    _write(report.model_dump_json())
    except KeyboardInterrupt:
        err.print("[red]interrupted[/red]: the file being ingested was rolled back; files before it are stored")
        raise typer.Exit(130)
    if fmt == ReportFormat.json:
        _write(json.dumps([r.model_dump(mode="json") for r in reports], ensure_ascii=False, indent=2))
    elif fmt == ReportFormat.table:
        _print_reports(reports, verbose)
    failed = [r for r in reports if r.status == "failed"]
    if not files and not failed:
        err.print("[red]error[/red] nothing to ingest")
        raise typer.Exit(1)
    raise typer.Exit(1 if failed else 0)


def _print_reports(reports, verbose: bool) -> None:
    t = Table(show_edge=False, box=None, header_style="bold")
    for c in ("file", "status", "forms", "indicators", "warnings", "note"):
        t.add_column(c, overflow="fold")
    style = {"failed": "red", "stored": "green", "replaced": "green", "unchanged": "dim", "duplicate": "yellow"}
    for r in reports:
        note = r.error or (f"same content as {r.same_as}" if r.same_as else "")
        t.add_row(r.path, f"[{style[r.status]}]{r.status}[/]", str(r.forms), str(r.indicators),
                  str(len(r.warnings)), note)
    out.print(t, highlight=False)
    counts = {s: sum(1 for r in reports if r.status == s) for s in style}
    out.print(", ".join(f"{n} {s}" for s, n in counts.items() if n), highlight=False)
    for r in reports:
        if r.error:
            err.print(f"[red]error[/red] {r.path}: {r.error}" if not r.error.startswith(r.path) else
                      f"[red]error[/red] {r.error}", highlight=False)
    shown = 0
    for r in reports:
        for w in r.warnings:
            if verbose or shown < 10:
                err.print(f"[yellow]warning[/yellow] {w}", highlight=False)
                shown += 1
    total = sum(len(r.warnings) for r in reports)
    if total > shown:
        err.print(f"… {total - shown} more warnings (use --verbose)")


@app.command()
def stats(
    db: Path = typer.Option(Path("jixiao.db"), "--db", envvar="JIXIAO_DB", help="Corpus file."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="table or json."),
) -> None:
    """Summarize a corpus: files, forms by type and year, indicators by category, units.

    Example: jixiao stats --db corpus.db --format json
    """
    from jixiao.index.store import Store, StoreError

    try:
        with Store(db) as store:
            s = store.stats()
    except StoreError as e:
        err.print(f"[red]error[/red] {e}", highlight=False)
        raise typer.Exit(1)
    if fmt != ReportFormat.table:
        _write(json.dumps(s, ensure_ascii=False, indent=2 if fmt == ReportFormat.json else None))
        return
    out.print(f"corpus {s['db']}: {s['files']} files, {s['forms']} forms, {s['indicators']} indicators, "
              f"{s['projects']} projects, {s['units']} units, {s['departments']} departments, "
              f"{s['warnings']} parse warnings", highlight=False)
    for title, rows, cols in (("forms by type and year", s["by_type_year"], ("form_type", "year", "forms", "indicators")),
                              ("indicators by category", s["by_level"], ("level1", "level2", "indicators")),
                              ("units with most forms", s["top_units"], ("unit", "forms"))):
        t = Table(title=title, title_justify="left", show_edge=False, box=None, header_style="bold")
        for c in cols:
            t.add_column(c)
        for r in rows:
            t.add_row(*[str(r[c]) if r[c] is not None else "-" for c in cols])
        out.print(t, highlight=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
