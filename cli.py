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
from rich.markup import escape
from rich.text import Text

from jixiao import __version__
from jixiao.cli_usage import CONTEXT_SETTINGS, Command, ParseFormat, ReportFormat, open_store
from jixiao.console import err, error, out, show, table, write_out
from jixiao.index.search_command import Kind, search_cmd, similar_cmd
from jixiao.index.vector_spec import HELP as VECTORS_HELP

app = typer.Typer(
    name="jixiao",
    help=(
        "jixiao（绩效）reads Chinese budget performance forms — 绩效目标申报表, 绩效跟踪表, 绩效自评表 — "
        "from text exports, Excel (.xlsx .xlsm .xls), CSV, Word (.docx) and PDF files, and keeps them in a corpus "
        "for review.\n\n"
        "Example:\n\n"
        "  jixiao ingest examples/ --db corpus.db\n\n"
        "  jixiao ingest 自评表.xlsx 申报表.docx 跟踪表.pdf --db corpus.db\n\n"
        "  jixiao stats --db corpus.db\n\n"
        "  jixiao parse examples/minhang_2024_tracking.txt --format table"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings=CONTEXT_SETTINGS,
)


def _version(value: bool) -> None:
    if value:
        print(f"jixiao {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True,
                                                  help="Print the version and exit.")) -> None:
    pass


@app.command(cls=Command)
def parse(
    files: list[Path] = typer.Argument(..., metavar="PATH", help="Text exports (UTF-8 or GB18030/GBK), .xlsx/.xlsm/.xls workbooks (every sheet), .csv, .docx or .pdf files; folders are read recursively."),
    fmt: ParseFormat = typer.Option(ParseFormat.json, "--format", "-f", help="json, jsonl, csv (one row per indicator) or table."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not print parse warnings on stderr."),
    ocr: bool = typer.Option(False, "--ocr", help="PDF pages without a text layer (scans): recognise the text by OCR (needs the OCR engine, see README › Formats); slow."),
) -> None:
    """Print the forms found in FILES without storing them.

    Example: jixiao parse examples/putuo_2024_self_evaluation.txt --format csv > indicators.csv

    Example: jixiao parse 2024自评表.xlsx --format table        (every sheet; places read "Sheet1!C14")

    Example: jixiao parse 申报表.csv 申报表.xls 跟踪表.docx

    Example: jixiao parse 扫描件.pdf --ocr --format table
    """
    from jixiao.forms.export import print_table, to_csv, to_json, to_jsonl
    from jixiao.forms.parser import parse_file
    from jixiao.index.ingest import collect

    paths, problems = collect(files)
    for p in problems:
        error(f"{p.path}: {p.error}")
    forms = []
    failed = bool(problems)
    for path in paths:
        result = parse_file(path, ocr=ocr)
        forms.extend(result.forms)
        for issue in result.all_issues():
            if issue.severity == "error":
                failed = True
                error(issue)
            elif not quiet:
                err.print(f"[yellow]warning[/yellow] {escape(str(issue))}", highlight=False)
    if fmt == ParseFormat.table:
        print_table(forms, out)
    else:
        write_out({ParseFormat.json: to_json, ParseFormat.jsonl: to_jsonl, ParseFormat.csv: to_csv}[fmt](forms))
    raise typer.Exit(1 if failed else 0)


@app.command(cls=Command)
def ingest(
    paths: list[Path] = typer.Argument(..., metavar="PATH", help="Files or folders: text exports, .xlsx/.xlsm/.xls, .csv, .docx, .pdf."),
    db: Path = typer.Option(Path("jixiao.db"), "--db", envvar="JIXIAO_DB", help="Corpus file (SQLite); created if missing."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="Report as a table, json or jsonl."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar on stderr (default: when stderr is a terminal and there are several files)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every parse warning, not only their count."),
    ocr: bool = typer.Option(False, "--ocr", help="PDF pages without a text layer (scans): recognise the text by OCR (needs the OCR engine, see README › Formats); slow."),
    ray_address: Optional[str] = typer.Option(None, "--ray", metavar="auto|ADDRESS", help="Parse the files on Ray workers (Ray Data), the corpus still written here (auto: a local Ray, or the cluster of RAY_ADDRESS; or a head's address); workers must see the files at the same paths. Needs the 'scale' extra."),
) -> None:
    """Parse files and folders and store their forms in the corpus.

    Idempotent: a file already stored is skipped, a changed file replaces its old forms. Each file
    is written in one transaction; a file that fails changes nothing, and the others go on.

    Example: jixiao ingest examples/ --db corpus.db

    Example: jixiao ingest 2024自评表.xlsx 2023申报表.xls 跟踪表.csv 申报表.docx 自评报告.pdf --db corpus.db

    Example: jixiao ingest 扫描件/ --ocr --db corpus.db

    Example: jixiao ingest /data/2024/ --db corpus.db --ray auto        (parsing on Ray: README › Beyond one machine)
    """
    from jixiao.index.ingest import collect

    files, reports = collect(paths)
    if fmt == ReportFormat.jsonl:  # paths that could not be read
        for r in reports:
            write_out(r.model_dump_json())
    if files:  # nothing readable (a mistyped path): no empty corpus file is left behind
        _ingest_files(db, files, reports, fmt, progress, ocr, ray_address)
    if fmt == ReportFormat.json:
        write_out(json.dumps([r.model_dump(mode="json") for r in reports], ensure_ascii=False, indent=2))
    elif fmt == ReportFormat.table:
        _print_reports(reports, verbose)
    failed = [r for r in reports if r.status == "failed"]
    if not files and not failed:
        error("nothing to ingest")
        raise typer.Exit(1)
    raise typer.Exit(1 if failed else 0)


def _ingest_files(db: Path, files: list[Path], reports: list, fmt: ReportFormat, progress: Optional[bool], ocr: bool,
                  ray_address: Optional[str] = None) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from jixiao.index.ingest import ingest as run
    from jixiao.index.store import Store, StoreError

    if ray_address is not None:  # before the corpus file is created: a wrong address leaves nothing behind
        from functools import partial

        from jixiao.index.ray_data import ingest_ray

        _join_ray(ray_address)
        run = partial(ingest_ray, address=ray_address)
    try:
        store = Store(db, create=True)
        store.require_writable("ingest")
    except StoreError as e:
        error(e)
        raise typer.Exit(1)
    show = progress if progress is not None else (err.is_terminal and len(files) > 1)
    bar = Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   TextColumn("{task.description}"), console=err, disable=not show, transient=True)
    try:
        with store, bar:
            task = bar.add_task("", total=len(files))
            for report in run(store, files, progress=lambda f: bar.update(task, advance=1, description=escape(f.name)), ocr=ocr):
                reports.append(report)
                if fmt == ReportFormat.jsonl:
                    write_out(report.model_dump_json())
    except KeyboardInterrupt:
        err.print("[red]interrupted[/red]: the file being ingested was rolled back; files before it are stored")
        raise typer.Exit(130)


def _join_ray(address: str) -> None:
    """Start or join Ray before any work, so a missing Ray or a wrong address is one message, exit 1."""
    from jixiao.index.ray_cluster import connect

    try:
        connect(address)
    except (RuntimeError, ConnectionError, ValueError) as e:
        error(f"--ray {address}: {e}")
        raise typer.Exit(1)


def _print_reports(reports, verbose: bool) -> None:
    t = table("file", "status", "forms", "indicators", "warnings", "note", wide={"file": 3, "note": 2})
    style = {"failed": "red", "stored": "green", "replaced": "green", "unchanged": "dim", "duplicate": "yellow"}
    for r in reports:
        note = r.error or (f"same content as {r.same_as}" if r.same_as else "")
        t.add_row(r.path, Text(r.status, style=style[r.status]), str(r.forms), str(r.indicators),
                  str(len(r.warnings)), note)
    show(t)
    counts = {s: sum(1 for r in reports if r.status == s) for s in style}
    out.print(", ".join(f"{n} {s}" for s, n in counts.items() if n), highlight=False)
    for r in reports:
        if r.error:
            error(f"{r.path}: {r.error}" if not r.error.startswith(r.path) else r.error)
    shown = 0
    for r in reports:
        for w in r.warnings:
            if verbose or shown < 10:
                err.print(f"[yellow]warning[/yellow] {escape(str(w))}", highlight=False)
                shown += 1
    total = sum(len(r.warnings) for r in reports)
    if total > shown:
        err.print(f"… {escape(str(total - shown))} more warnings (use --verbose)")


@app.command(cls=Command)
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
        error(e)
        raise typer.Exit(1)
    if fmt != ReportFormat.table:
        write_out(json.dumps(s, ensure_ascii=False, indent=2 if fmt == ReportFormat.json else None))
        return
    out.print(f"corpus {s['db']}: {s['files']} files, {s['forms']} forms, {s['indicators']} indicators, "
              f"{s['projects']} projects, {s['units']} units, {s['departments']} departments, "
              f"{s['warnings']} parse warnings", highlight=False, soft_wrap=False)
    for title, rows, cols in (("forms by type and year", s["by_type_year"], ("form_type", "year", "forms", "indicators")),
                              ("indicators by category", s["by_level"], ("level1", "level2", "indicators")),
                              ("units with most forms", s["top_units"], ("unit", "forms"))):
        t = table(*cols, wide={"unit": 1, "level2": 1}, title=title)
        for r in rows:
            t.add_row(*[str(r[c]) if r[c] is not None else "-" for c in cols])
        show(t)


class IndexType(str, Enum):
    auto = "auto"
    flat = "flat"
    ivf = "ivf"


@app.command("index", cls=Command)
def index_cmd(
    db: Path = typer.Option(Path("jixiao.db"), "--db", envvar="JIXIAO_DB", help="Corpus file."),
    model: Optional[str] = typer.Option(None, "--model", "-m", envvar="JIXIAO_MODEL", help="use-m3 (default), tokenlearn-static, a sentence-transformers folder, or a model name in the local Hugging Face cache."),
    kind: Optional[list[Kind]] = typer.Option(None, "--kind", help="Only these indexes (default: indicator, goal, project)."),
    index_type: IndexType = typer.Option(IndexType.auto, "--index-type", help="auto: exact below 50,000 vectors, IVF above; or force flat / ivf."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild even if up to date (needed to switch models)."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="A table, or the report per index as json or jsonl (the total time then goes to stderr)."),
    vectors: Optional[str] = typer.Option(None, "--vectors", envvar="JIXIAO_VECTORS", metavar="SPEC", help=VECTORS_HELP),
    ray_address: Optional[str] = typer.Option(None, "--ray", metavar="auto|ADDRESS", help="Embed the texts missing from the embedding cache on Ray workers (Ray Data actors, the model loaded once each), the cache and indexes still written here (auto: a local Ray, or the cluster of RAY_ADDRESS; or a head's address). Needs the 'scale' extra."),
) -> None:
    """Embed indicator and goal texts and build the FAISS indexes beside the corpus (or, with --vectors, Milvus collections).

    Embeddings are cached in the corpus by (model, text): identical texts are embedded once and an
    unchanged corpus embeds nothing. Indexes are rebuilt when the corpus changed since.

    Example: jixiao index --db corpus.db

    Example: jixiao index --db corpus.db --ray auto        (embedding on Ray: README › Beyond one machine)
    """
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from jixiao.index.build import build_indexes
    from jixiao.index.embed import EmbeddingError
    from jixiao.index.faiss_index import IndexError_

    started = time.perf_counter()
    kinds = tuple(k.value for k in kind) if kind else ("indicator", "goal", "project")
    bar = Progress(TextColumn("embed {task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
                   disable=not err.is_terminal, transient=True)
    tasks: dict[str, int] = {}

    def tick(k: str, done: int, total: int) -> None:
        if k not in tasks:
            tasks[k] = bar.add_task(k, total=total)
        bar.update(tasks[k], completed=done)

    with open_store(db) as store:
        if rebuild is False and model and store.get_meta("model") and model != store.get_meta("model"):
            error(f"the corpus is indexed with {store.get_meta('model')}; use --rebuild to switch to {model}")
            raise typer.Exit(1)
        if ray_address is not None:  # once the corpus is known to be there
            _join_ray(ray_address)
        try:
            with bar:
                reports = build_indexes(store, db, model, kinds, index_type.value, rebuild, tick, vectors,
                                        ray_address)
        except (EmbeddingError, IndexError_) as e:
            error(e)
            raise typer.Exit(1)
    total = f"total {time.perf_counter() - started:.1f} s (model loading, embedding and indexing)"
    if fmt != ReportFormat.table:
        write_out(json.dumps([r.model_dump() for r in reports], ensure_ascii=False, indent=2 if fmt == ReportFormat.json else None))
        err.print(total, highlight=False)  # stdout stays one JSON document
        return
    t = table("index", "status", "vectors", "newly embedded", "type", "seconds", "model", wide={"type": 1, "model": 2})
    for r in reports:
        t.add_row(r.kind, r.status, str(r.count), str(r.embedded),
                  r.index_type + (f" (nprobe {r.nprobe}, recall {r.tuned_recall})" if r.nprobe else ""),
                  "" if r.seconds is None else f"{r.seconds:.2f}", r.model)
    show(t)
    out.print(total, highlight=False)


app.command("search", cls=Command)(search_cmd)
app.command("similar", cls=Command)(similar_cmd)

from jixiao.review.command import review_cmd  # noqa: E402

app.command("review", cls=Command)(review_cmd)

from jixiao.review.codes_command import codes_cmd  # noqa: E402

app.command("codes", cls=Command)(codes_cmd)

from jixiao.web.command import serve_cmd  # noqa: E402

app.command("serve", cls=Command)(serve_cmd)


def main() -> None:
    import sqlite3

    from jixiao.index.store import trouble

    try:
        app()
    except sqlite3.Error as e:  # the corpus failed under a command after it was opened: damaged, full disk, busy
        error(trouble(None, e))
        sys.exit(1)
    except OSError as e:  # a file the command writes (an index beside the corpus, a report): disk full, read-only
        if e.errno is None or isinstance(e, BrokenPipeError):
            raise
        error(f"{e.filename}: {e.strerror or e}" if e.filename else f"{e.strerror or e}")
        sys.exit(1)


if __name__ == "__main__":
    main()
