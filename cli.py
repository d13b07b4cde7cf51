"""The `jixiao` command line.

Exit codes: 0 the run did its job (warnings may have been printed); 1 an input could not be used
(unreadable, undecodable or formless file, missing corpus); 2 wrong usage; 130 interrupted.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from jixiao import __version__
from jixiao.console import err, error, out

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
)


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


def _where(path: str, line: int | None) -> str:
    """file:line for people: relative to the working directory when the file is under it."""
    rel = os.path.relpath(path)
    return f"{path if rel.startswith('..') else rel}:{line or ''}"


def _write(text: str) -> None:
    sys.stdout.write(text)
    if text and not text.endswith("\n"):
        sys.stdout.write("\n")


@app.command()
def parse(
    files: list[Path] = typer.Argument(..., help="Text exports (UTF-8 or GB18030/GBK), .xlsx/.xlsm/.xls workbooks (every sheet), .csv, .docx or .pdf files; folders are read recursively."),
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
        _write({ParseFormat.json: to_json, ParseFormat.jsonl: to_jsonl, ParseFormat.csv: to_csv}[fmt](forms))
    raise typer.Exit(1 if failed else 0)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders: text exports, .xlsx/.xlsm/.xls, .csv, .docx, .pdf."),
    db: Path = typer.Option(Path("jixiao.db"), "--db", envvar="JIXIAO_DB", help="Corpus file (SQLite); created if missing."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="Report as a table, json or jsonl."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar on stderr (default: when stderr is a terminal and there are several files)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every parse warning, not only their count."),
    ocr: bool = typer.Option(False, "--ocr", help="PDF pages without a text layer (scans): recognise the text by OCR (needs the OCR engine, see README › Formats); slow."),
) -> None:
    """Parse files and folders and store their forms in the corpus.

    Idempotent: a file already stored is skipped, a changed file replaces its old forms. Each file
    is written in one transaction; a file that fails changes nothing, and the others go on.

    Example: jixiao ingest examples/ --db corpus.db

    Example: jixiao ingest 2024自评表.xlsx 2023申报表.xls 跟踪表.csv 申报表.docx 自评报告.pdf --db corpus.db

    Example: jixiao ingest 扫描件/ --ocr --db corpus.db
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from jixiao.index.ingest import collect, ingest as run
    from jixiao.index.store import Store, StoreError

    files, reports = collect(paths)
    try:
        store = Store(db, create=True)
    except StoreError as e:
        error(e)
        raise typer.Exit(1)
    show = progress if progress is not None else (err.is_terminal and len(files) > 1)
    bar = Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   TextColumn("{task.description}"), console=err, disable=not show, transient=True)
    try:
        with store, bar:
            task = bar.add_task("", total=len(files))
            for report in run(store, files, progress=lambda f: bar.update(task, advance=1, description=f.name), ocr=ocr):
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
        error("nothing to ingest")
        raise typer.Exit(1)
    raise typer.Exit(1 if failed else 0)


def _print_reports(reports, verbose: bool) -> None:
    t = Table(show_edge=False, box=None, header_style="bold")
    for c in ("file", "status", "forms", "indicators", "warnings", "note"):
        t.add_column(c, overflow="fold")
    style = {"failed": "red", "stored": "green", "replaced": "green", "unchanged": "dim", "duplicate": "yellow"}
    for r in reports:
        note = r.error or (f"same content as {r.same_as}" if r.same_as else "")
        t.add_row(r.path, Text(r.status, style=style[r.status]), str(r.forms), str(r.indicators),
                  str(len(r.warnings)), note)
    out.print(t, highlight=False)
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
        error(e)
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


class Kind(str, Enum):
    indicator = "indicator"
    goal = "goal"
    project = "project"


class FormTypeOpt(str, Enum):
    declaration = "declaration"
    tracking = "tracking"
    self_evaluation = "self_evaluation"


class IndexType(str, Enum):
    auto = "auto"
    flat = "flat"
    ivf = "ivf"


def _open_store(db: Path):
    from jixiao.index.store import Store, StoreError

    try:
        return Store(db)
    except StoreError as e:
        error(e)
        raise typer.Exit(1)


@app.command("index")
def index_cmd(
    db: Path = typer.Option(Path("jixiao.db"), "--db", envvar="JIXIAO_DB", help="Corpus file."),
    model: Optional[str] = typer.Option(None, "--model", "-m", envvar="JIXIAO_MODEL", help="use-m3 (default), tokenlearn-static, a sentence-transformers folder, or a model name in the local Hugging Face cache."),
    kind: Optional[list[Kind]] = typer.Option(None, "--kind", help="Only these indexes (default: indicator, goal, project)."),
    index_type: IndexType = typer.Option(IndexType.auto, "--index-type", help="auto: exact below 50,000 vectors, IVF above; or force flat / ivf."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild even if up to date (needed to switch models)."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f"),
) -> None:
    """Embed indicator and goal texts and build the FAISS indexes beside the corpus.

    Embeddings are cached in the corpus by (model, text): identical texts are embedded once and an
    unchanged corpus embeds nothing. Indexes are rebuilt when the corpus changed since.

    Example: jixiao index --db corpus.db
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from jixiao.index.build import build_indexes
    from jixiao.index.embed import EmbeddingError
    from jixiao.index.faiss_index import IndexError_

    kinds = tuple(k.value for k in kind) if kind else ("indicator", "goal", "project")
    bar = Progress(TextColumn("embed {task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
                   disable=not err.is_terminal, transient=True)
    tasks: dict[str, int] = {}

    def tick(k: str, done: int, total: int) -> None:
        if k not in tasks:
            tasks[k] = bar.add_task(k, total=total)
        bar.update(tasks[k], completed=done)

    with _open_store(db) as store:
        if rebuild is False and model and store.get_meta("model") and model != store.get_meta("model"):
            error(f"the corpus is indexed with {store.get_meta('model')}; use --rebuild to switch to {model}")
            raise typer.Exit(1)
        try:
            with bar:
                reports = build_indexes(store, db, model, kinds, index_type.value, rebuild, tick)
        except (EmbeddingError, IndexError_) as e:
            error(e)
            raise typer.Exit(1)
    if fmt != ReportFormat.table:
        _write(json.dumps([r.model_dump() for r in reports], ensure_ascii=False, indent=2 if fmt == ReportFormat.json else None))
        return
    t = Table(show_edge=False, box=None, header_style="bold")
    for c in ("index", "status", "vectors", "newly embedded", "type", "seconds", "model"):
        t.add_column(c)
    for r in reports:
        t.add_row(r.kind, r.status, str(r.count), str(r.embedded),
                  r.index_type + (f" (nprobe {r.nprobe}, recall {r.tuned_recall})" if r.nprobe else ""),
                  "" if r.seconds is None else f"{r.seconds:.2f}", r.model)
    out.print(t, highlight=False)


@app.command()
def search(
    query: str = typer.Argument(..., help="Text to look for: an indicator name, a goal sentence, a project description."),
    db: Path = typer.Option(Path("jixiao.db"), "--db", envvar="JIXIAO_DB", help="Corpus file."),
    kind: Kind = typer.Option(Kind.indicator, "--kind", "-k", help="indicator, goal or project."),
    n: int = typer.Option(10, "-n", min=1, help="How many hits."),
    year: Optional[int] = typer.Option(None, "--year", help="Only forms of this year."),
    form_type: Optional[FormTypeOpt] = typer.Option(None, "--form-type", help="Only this form type."),
    department: Optional[str] = typer.Option(None, "--department", help="Only this 主管部门 (exact)."),
    unit: Optional[str] = typer.Option(None, "--unit", help="Only this 实施单位 (exact)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", envvar="JIXIAO_MODEL", help="Must be the model the index was built with."),
    fmt: ParseFormat = typer.Option(ParseFormat.table, "--format", "-f", help="table, json, jsonl or csv (one row per hit)."),
) -> None:
    """Find the indicators, goals or projects most like QUERY: who else wrote this, and what did they promise?

    Filters restrict the candidates before the top n is taken, so a filter never hides a match.
    Indicator searches also summarize the targets the similar indicators set (≥90%: 7 …).

    Example: jixiao search "培训课程出席率" --db corpus.db --year 2024 -n 5
    """
    from jixiao.index.embed import EmbeddingError
    from jixiao.index.faiss_index import IndexError_
    from jixiao.index.search import Filters, SearchError, search as run

    filters = Filters(year=year, form_type=form_type.value if form_type else None, department=department, unit=unit)
    with _open_store(db) as store:
        try:
            res = run(store, db, query, kind.value, n, filters, model)
        except (SearchError, IndexError_, EmbeddingError) as e:
            error(e)
            raise typer.Exit(1)
    if res.stale:
        err.print(f"[yellow]warning[/yellow] the corpus changed after the {escape(str(kind.value))} index was built; "
                  f"run `jixiao index --db {db}`", highlight=False)
    if fmt == ParseFormat.csv:
        import csv as _csv
        import io

        buf = io.StringIO()
        w = _csv.DictWriter(buf, fieldnames=list(res.hits[0].model_dump()) if res.hits else ["score"])
        w.writeheader()
        for h in res.hits:
            w.writerow(h.model_dump())
        _write(buf.getvalue())
        return
    if fmt == ParseFormat.json:
        _write(res.model_dump_json(indent=2))
        return
    if fmt == ParseFormat.jsonl:
        for h in res.hits:
            _write(h.model_dump_json())
        return
    t = Table(show_edge=False, box=None, header_style="bold")
    cols = ["score", "text", "project", "unit", "year", "form"] + (["target", "actual"] if kind == Kind.indicator else []) + ["where"]
    for c in cols:
        t.add_column(c, overflow="fold")
    for h in res.hits:
        row = [f"{h.score:.3f}", h.text if len(h.text) <= 60 else h.text[:60] + "…", h.project_name or "-",
               h.unit or "-", str(h.year or "-"), h.form_type + (f"/{h.role}" if h.role else "")]
        if kind == Kind.indicator:
            row += [h.target or "", h.actual or ""]
        t.add_row(*row, _where(h.file, h.line))
    out.print(t, highlight=False)
    if res.target_summary:
        out.print("targets of these indicators: " + " · ".join(f"{s['target']} ×{s['count']}" for s in res.target_summary),
                  highlight=False)
    if not res.hits:
        out.print("no hits")


@app.command()
def similar(
    project: str = typer.Argument(..., help="Project name (exact, or a unique part of it)."),
    db: Path = typer.Option(Path("jixiao.db"), "--db", envvar="JIXIAO_DB", help="Corpus file."),
    n: int = typer.Option(10, "-n", min=1, help="How many projects."),
    model: Optional[str] = typer.Option(None, "--model", "-m", envvar="JIXIAO_MODEL"),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f"),
) -> None:
    """The projects most like PROJECT, by goal text and indicator set.

    Example: jixiao similar "信息系统运维费" --db corpus.db
    """
    from jixiao.index.embed import EmbeddingError
    from jixiao.index.faiss_index import IndexError_
    from jixiao.index.search import SearchError, similar as run

    with _open_store(db) as store:
        try:
            (me,), hits = run(store, db, project, n, model)
        except (SearchError, IndexError_, EmbeddingError) as e:
            error(e)
            raise typer.Exit(1)
    if fmt == ReportFormat.json:
        _write(json.dumps({"project": me, "similar": [h.model_dump() for h in hits]}, ensure_ascii=False, indent=2))
        return
    if fmt == ReportFormat.jsonl:
        for h in hits:
            _write(h.model_dump_json())
        return
    out.print(f"projects most like {me['project_name']}（{me['unit']}）:", highlight=False)
    t = Table(show_edge=False, box=None, header_style="bold")
    for c in ("score", "project", "unit", "years", "forms", "goal sim", "indicator sim", "shared indicators", "where"):
        t.add_column(c, overflow="fold")
    f2 = lambda x: "-" if x is None else f"{x:.3f}"  # noqa: E731
    for h in hits:
        t.add_row(f"{h.score:.3f}", h.project_name or "-", h.unit or "-", ",".join(map(str, h.years)),
                  ",".join(h.form_types), f2(h.goal_similarity), f2(h.indicator_similarity),
                  "、".join(h.shared_indicators[:5]) + ("…" if len(h.shared_indicators) > 5 else ""),
                  _where(h.file, h.line))
    out.print(t, highlight=False)


from jixiao.review.command import review_cmd  # noqa: E402

app.command("review")(review_cmd)

from jixiao.web.command import serve_cmd  # noqa: E402

app.command("serve")(serve_cmd)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
