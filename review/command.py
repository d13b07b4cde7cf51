"""`jixiao review`: run every check over a corpus or over files, and write the report."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from jixiao.cli_usage import FORM_TYPE_HELP, form_type_option
from jixiao.review.codes import code_zh
from jixiao.index.vector_spec import HELP as VECTORS_HELP
from jixiao.console import err, error, out, show, table



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
    paths: Optional[list[Path]] = typer.Argument(None, metavar="PATH", help="Files or folders to read directly (instead of --db)."),
    db: Optional[Path] = typer.Option(None, "--db", envvar="JIXIAO_DB", help="Corpus file to review."),
    out_file: Optional[Path] = typer.Option(None, "--out", "-o", help="Report file; the format follows the suffix: .json .jsonl .csv .xlsx .md .html"),
    fmt: ReviewFormat = typer.Option(ReviewFormat.table, "--format", "-f", help="What goes to stdout: table (a summary, and each finding without --out), or the report as json, jsonl, csv or md (the summary then goes to stderr)."),
    only: Optional[list[str]] = typer.Option(None, "--only", metavar="CODE", help="Only these codes (repeatable; 'goal.*' for a family)."),
    min_severity: MinSeverity = typer.Option(MinSeverity.low, "--min-severity", help="Leave out findings below this severity."),
    unit: Optional[str] = typer.Option(None, "--unit", help="Report only findings about this 实施单位's forms (exact); the checks still compare with every form read, so a goal copied from another unit's project is found."),
    year: Optional[int] = typer.Option(None, "--year", help="Report only findings about forms of this year (cross-project and cross-year checks still see every form)."),
    form_type: Optional[str] = typer.Option(None, "--form-type", metavar="TYPE", callback=form_type_option, help=f"Report only findings about forms of this type ({FORM_TYPE_HELP}; cross-project checks still see every form)."),
    decisions: Optional[Path] = typer.Option(None, "--decisions", metavar="FILE", help="A reviewer's decisions: JSON {id: 采纳|排除|accepted|dismissed}, or an earlier .json, .xlsx or .csv report with its 决定 (and 审核备注) filled in. Decisions matching no finding are kept in the report. With --db they are stored in the corpus, whose decisions apply too; this file wins where both decide."),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", envvar="JIXIAO_REVIEWER", metavar="NAME", help="Your name, recorded on the decisions read from --decisions that name no 审核人."),
    settings: Optional[Path] = typer.Option(None, "--settings", help="TOML file overriding thresholds of review/settings.toml."),
    llm_url: Optional[str] = typer.Option(None, "--llm-url", metavar="URL", envvar="JIXIAO_LLM_URL", help="OpenAI-compatible endpoint of a language model, e.g. http://127.0.0.1:8080/v1 (optional)."),
    llm_model: Optional[str] = typer.Option(None, "--llm-model", metavar="MODEL", envvar="JIXIAO_LLM_MODEL", help="Model name on that server, e.g. qwen2.5:7b-instruct, deepseek-chat."),
    llm_key_env: str = typer.Option("JIXIAO_LLM_API_KEY", "--llm-key-env", metavar="VAR", help="Environment variable holding the API key (never written anywhere)."),
    llm_timeout: float = typer.Option(120.0, "--llm-timeout", metavar="SECONDS", help="Seconds to wait for one answer at first; raised to the server's measured speed, doubled when a timed-out question is asked again (up to 4×)."),
    llm_retries: int = typer.Option(2, "--llm-retries", metavar="N", help="Retries of a question on timeouts, connection errors, 429 and 5xx."),
    llm_backoff: float = typer.Option(1.0, "--llm-backoff", metavar="SECONDS", help="Seconds before the first retry; doubles on each (with jitter)."),
    llm_concurrency: int = typer.Option(4, "--llm-concurrency", metavar="N", help="Questions in flight at once, at most; halved after a timeout or when the server is too slow for it."),
    llm_limit: Optional[int] = typer.Option(None, "--llm-limit", metavar="N", help="Ask at most this many questions (cached answers are free)."),
    llm_comments: bool = typer.Option(True, "--llm-comments/--no-llm-comments", help="Draft a 审核意见 per project with findings."),
    llm_cache: Optional[Path] = typer.Option(None, "--llm-cache", help="JSON-lines file keeping the model's answers (default: the corpus with --db, else none)."),
    llm_retry_failed: bool = typer.Option(False, "--llm-retry-failed", help="Ask again the questions that timed out or were rejected in an earlier run (by default skipped for 24 h, or until a longer --llm-timeout)."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar for the model's questions on stderr (default: when stderr is a terminal)."),
    ocr: bool = typer.Option(False, "--ocr", help="PDF pages without a text layer (scans): recognise the text by OCR (see README › Formats); slow."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print every parse warning of the files read, not only the first ten."),
    stream: bool = typer.Option(False, "--stream", help="Write each finding as soon as it is found, one JSON a line (--out X.jsonl and/or --format jsonl), holding one form at a time for the form checks; the worklist goes to X.summary.json at the end (README › Streaming review)."),
    ray_address: Optional[str] = typer.Option(None, "--ray", metavar="auto|ADDRESS", help="With --stream --db: run the form checks on Ray workers, each reading its forms from the corpus (auto: a local Ray, or the cluster of RAY_ADDRESS; or a head's address). Needs the 'scale' extra."),
    vectors: Optional[str] = typer.Option(None, "--vectors", envvar="JIXIAO_VECTORS", metavar="SPEC", help=VECTORS_HELP + " The review's nearest-neighbour candidates (copied goals and tables, misplaced indicators) are then searched there, in collections made for the run and dropped after it."),
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

    Example: jixiao review --db corpus.db --unit 上海市闵行区事业单位福利中心 --year 2024 --out unit.xlsx

    Example: jixiao review examples/ --out review.html --llm-url http://127.0.0.1:8080/v1 --llm-model qwen2.5-7b-instruct
    """
    from jixiao.index.store import Store, StoreError
    from jixiao.review.catalogue import all_codes
    from jixiao.review.engine import review, selected
    from jixiao.review.parse_warnings import gather as gather_warnings
    from jixiao.review.report import FORMATS, write
    from jixiao.review.selection import Selection
    from jixiao.review.settings import load_settings

    def fail(message: str) -> None:
        error(message)
        raise typer.Exit(1)

    if out_file is not None and out_file.suffix.lower() not in FORMATS:
        error(f"{out_file}: unknown report format; use one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    if out_file is not None and (problem := _unwritable(out_file)):  # before the review, not after its minutes
        error(f"--out {out_file}: {problem}")
        raise typer.Exit(2)
    if stream or ray_address:
        from jixiao.review.stream_run import usage_problem

        if (problem := usage_problem(out_file, fmt == ReviewFormat.jsonl, ray_address, stream, bool(paths), llm_url)):
            error(problem)
            raise typer.Exit(2)
    llm = None
    if llm_url:
        from jixiao.review.llm.run import LLMOptions, usage_error

        llm = LLMOptions(llm_url, llm_model, llm_key_env, llm_timeout, llm_retries, llm_backoff, llm_concurrency,
                         llm_limit, llm_comments, llm_cache, retry_failed=llm_retry_failed)
        if (problem := usage_error(llm)) is not None:
            error(problem)
            raise typer.Exit(2)
    codes = all_codes()
    for code in only or []:
        if not any(selected(c, [code]) for c in codes):
            error(f"unknown code {code!r} for --only; known codes: {', '.join(codes)} (or a family: 'goal.*')")
            raise typer.Exit(2)
    try:
        conf = load_settings(settings)
        known = _read_decisions(decisions, out_file, reviewer)
    except (ValueError, OSError) as e:
        fail(str(e))
    if ray_address:  # start or join Ray before any work: a wrong address is one message, exit 1
        from jixiao.index.ray_cluster import connect

        try:
            connect(ray_address)
        except (RuntimeError, ConnectionError, ValueError) as e:
            fail(f"--ray {ray_address}: {e}")
    if stream:  # review/stream_run.py: findings written as they come, the worklist after
        from jixiao.review.neardup import through
        from jixiao.review.stream_run import run_stream

        with through(_vector_store(vectors, db, fail)):  # corpus checks run here: --vectors applies to them
            status = run_stream(paths, db, out_file, fmt == ReviewFormat.jsonl, conf, only, min_severity.value, known,
                                Selection(unit=unit, year=year, form_type=form_type), ray_address, ocr, verbose)
        raise typer.Exit(status)
    forms = []
    file_issues = []  # parse issues about a file rather than one of its forms
    store = None
    unreadable = False  # a file given could not be used: exit 1 after the report (README › exit codes)
    if paths:
        forms, file_issues, unreadable = _read_files(paths, ocr)
        _print_parse_warnings(forms, file_issues, verbose)
    elif db is not None:
        try:
            store = Store(db)
        except StoreError as e:
            fail(str(e))
        forms = list(store.forms())
        file_issues = store.file_issues()
        known = _store_decisions(store, db, known, fail)
    else:
        error("nothing to review: give files or folders, or --db FILE (or JIXIAO_DB)")
        raise typer.Exit(2)
    if not forms:
        fail("no forms to review")
    selection = Selection(unit=unit, year=year, form_type=form_type)
    if (problem := selection.problem(forms)) is not None:
        fail(problem)
    embed = None
    if db is not None and not paths:
        embed = _corpus_embed(store)
    from jixiao.review.neardup import through

    with through(_vector_store(vectors, db, fail)):
        report = review(forms, conf, only, min_severity.value, known, embed=embed,
                        focus=selection if selection.active() else None)
    report.summary.forms = sum(map(selection.form, forms))  # the forms reviewed, not every form compared
    report.parse_warnings = gather_warnings([f for f in forms if selection.form(f)], file_issues)
    status = 0
    if llm is not None:
        from jixiao.review.llm.run import assist

        status = assist(report, llm, store, err, progress if progress is not None else err.is_terminal)
    if store is not None:
        store.close()
    if out_file is not None:
        _check_orphans_fit(report, decisions, out_file, store is not None, fail)
        try:
            write(report, out_file)
        except OSError as e:  # a full disk, a file locked by Excel: one line, no traceback
            fail(f"--out {out_file}: {e.strerror or e}")
    if fmt != ReviewFormat.table:  # the report itself on stdout, for a pipe; people read the summary on stderr
        from jixiao.review.report import to_csv, to_json, to_jsonl, to_md

        text = {"json": to_json, "jsonl": to_jsonl, "csv": to_csv, "md": to_md}[fmt.value](report)
        sys.stdout.write(text.lstrip("\ufeff") if fmt == ReviewFormat.csv else text)
        sys.stdout.flush()
    _show_summary(report, fmt, out_file, db if store is not None else None)
    if out_file is None and fmt == ReviewFormat.table:
        from jixiao.review.report_common import common_folder
        from jixiao.review.report_common import place as _place

        root = common_folder(report)  # paths relative to the documents' folder, named once
        if root:
            out.print(f"paths relative to {root}", highlight=False)
        for f in report.flags:
            where = next((_place(e, root) for e in f.evidence if e.file), "")
            out.print(f"{f.severity:<6} {f.code:<36} {f.message}  [{where}] {f.id}", highlight=False)
            if f.llm is not None:
                out.print(f"{'':<6} {'':<36} 模型判断 {f.llm.verdict}：{f.llm.explanation}", highlight=False)
        for key, c in report.comments.items():
            out.print(f"审核意见（模型草拟）{key}：{c.comment if c.status == 'ok' else '（模型回答不可用）'}", highlight=False)
    if status or unreadable:
        raise typer.Exit(status or 1)


def _show_summary(report, fmt: "ReviewFormat", out_file: Path | None, db: Path | None) -> None:
    """The counts by code, the worklist's head and the orphaned decisions: on stdout for a table, else stderr."""
    s = report.summary
    t = table("code", "问题", "high", "medium", "low", wide={"code": 1, "问题": 2},
              title=f"{s.forms} forms, {s.findings} findings" + (f" → {out_file}" if out_file else ""))
    for code in s.by_code:
        row = [sum(1 for f in report.flags if f.code == code and f.severity == sev) for sev in ("high", "medium", "low")]
        t.add_row(code, code_zh(code), *[str(n or "") for n in row])
    show(t, out if fmt == ReviewFormat.table else err)
    if s.projects:  # the worklist's head: where a reviewer starts
        top = table("#", "risk", "project", "unit", "year", "findings", "main problem",
                    wide={"project": 2, "unit": 2, "main problem": 4},
                    title=f"projects by risk (top {min(10, len(s.projects))} of {len(s.projects)})")
        for p in s.projects[:10]:
            top.add_row(str(p.rank), f"{p.risk:g}", p.project_name or "-", p.unit or "-", str(p.year or "-"),
                        str(len(p.findings)), (p.top or "")[:60])
        show(top, out if fmt == ReviewFormat.table else err)
    if s.orphaned_decisions:  # kept, not dropped: say where
        kept = [str(out_file)] if out_file is not None and out_file.suffix.lower() in (".json", ".xlsx") else []
        from jixiao.index.location import shown  # a DSN without its password

        kept += [shown(db)] if db is not None else []
        (out if fmt == ReviewFormat.table else err).print(
            f"{s.orphaned_decisions} decision{'' if s.orphaned_decisions == 1 else 's'} match{'es' if s.orphaned_decisions == 1 else ''} no finding or group of this report"
            + (f" ({s.decisions_outside_selection} on findings left out by --only, --min-severity or --unit/--year/--form-type, "
               f"{s.orphaned_decisions - s.decisions_outside_selection} fixed or under other settings)" if s.decisions_outside_selection
               else " (fixed, other settings or --only)") + ": "
            + (f"kept in {' and '.join(kept)}" if kept else "carried in the report as orphaned_decisions"), highlight=False)


def _read_files(paths: list[Path], ocr: bool) -> tuple[list, list, bool]:
    """The forms of the files and folders given, their files' issues, and whether one could not be used."""
    from jixiao.forms.parser import parse_file
    from jixiao.index.ingest import collect

    forms, file_issues = [], []
    files, problems = collect(paths)
    unreadable = bool(problems)
    for p in problems:
        error(f"{p.path}: {p.error}")
    for f in files:
        result = parse_file(f, ocr=ocr)
        for issue in result.issues:
            if issue.severity == "error":
                error(issue)
                unreadable = True
        forms.extend(result.forms)
        file_issues += result.issues
    return forms, file_issues, unreadable


def _corpus_embed(store):
    """Texts → vectors with the corpus's model, through its embedding cache."""
    from jixiao.index.build import corpus_model
    from jixiao.index.embed import load_embedder
    from jixiao.index.vectors import embed_cached

    embedder = load_embedder(corpus_model(store, None))
    return lambda texts: embed_cached(store, embedder, texts)[0]

def _vector_store(spec: str | None, db: Path | None, fail):
    """The store of --vectors for candidate generation; None for the default, in-process FAISS."""
    from jixiao.index.faiss_index import IndexError_
    from jixiao.index.vectorstore import is_default, open_vectors

    try:
        return None if is_default(spec) else open_vectors(spec, db)
    except IndexError_ as e:
        fail(str(e))


def _print_parse_warnings(forms, file_issues, verbose: bool, head: int = 10) -> None:
    """The parser's warnings on stderr as `ingest` prints them: the first ten, then a count."""
    from jixiao.console import warning

    issues = [w for f in forms for w in f.warnings] + [i for i in file_issues if i.severity == "warning"]
    issues.sort(key=lambda i: (i.file, i.line or 0))
    for issue in issues if verbose else issues[:head]:
        warning(issue)
    if len(issues) > head and not verbose:
        err.print(f"… {len(issues) - head} more parse warnings (use --verbose); every one is in the report", highlight=False)


def _read_decisions(path: Path | None, out_file: Path | None, reviewer: str | None) -> dict:
    """The decisions of --decisions FILE, signed with the run's reviewer; a missing file is said, not skipped silently."""
    from jixiao.console import warning
    from jixiao.review.decisions import read_file, signed

    if path is None:
        return {}
    if not path.exists():
        if out_file is not None and out_file.resolve() == path.resolve():
            warning(f"{path} does not exist yet: no decisions read; --out will create it")
        else:
            warning(f"{path} does not exist: no decisions read")
        return {}
    book = signed(read_file(path), (reviewer or "").strip() or None)
    n = sum(d.decision is not None for d in book.values())
    err.print(f"{n} decision{'' if n == 1 else 's'} read from {path}", highlight=False)
    return book


def _store_decisions(store, db: Path, imported: dict, fail) -> dict:
    """The corpus's decisions (jixiao serve, earlier imports) with the file's over them; the file's
    new or changed ones are written to the corpus in one transaction, so later runs apply them."""
    import sqlite3

    from jixiao.console import warning
    from jixiao.index.store import StoreError
    from jixiao.review.decisions import from_store_rows, import_into

    book, changed = import_into(from_store_rows(store.decision_rows()), imported)
    if changed and getattr(store, "read_only", False):
        warning(f"{store.path} is read-only: the {len(changed)} decisions of the file apply to this report but are not stored")
        return book
    if changed:
        try:
            store.put_decisions(changed)
        except (sqlite3.Error, StoreError) as e:
            fail(f"{store.path}: could not store the decisions: {e}")
        now = store.decision_rows()
        for r in changed:  # the time the corpus recorded, for the report's orphaned decisions
            book[r["id"]] = book[r["id"]].model_copy(update={"decided_at": now[r["id"]]["decided_at"]})
        err.print(f"{len(changed)} decision{'' if len(changed) == 1 else 's'} stored in {store.path}", highlight=False)
    return book


def _check_orphans_fit(report, decisions: Path | None, out_file: Path, in_corpus: bool, fail) -> None:
    """Writing a report over its own decisions file: a format that cannot carry the decisions this
    run has no finding for (.csv, .jsonl, .md, .html) would lose them, so it is refused unless the
    corpus keeps them."""
    from jixiao.console import warning

    lost = report.orphaned_decisions
    if not lost or decisions is None or out_file.suffix.lower() in (".json", ".xlsx"):
        return
    if not decisions.exists() or out_file.resolve() != decisions.resolve():
        return
    message = (f"{out_file}: {len(lost)} decisions match no finding of this run and a {out_file.suffix} report cannot "
               f"carry them")
    if in_corpus:
        warning(message + " (they stay in the corpus)")
        return
    fail(message + "; not overwritten: write a .json or .xlsx report to keep them")


def _unwritable(path: Path) -> str | None:
    """Why a report cannot be written at PATH (checked before the review runs), or None."""
    import os

    folder = path.parent
    if path.is_dir():
        return "is a folder; give a file name such as review.html"
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "not writable"
    return None
