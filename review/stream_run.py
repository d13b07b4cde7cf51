"""`jixiao review --stream [--ray auto|ADDRESS]`: the command's streaming path (review/stream.py does the work).

Inputs, decisions and the summary on the terminal are those of `review` (review/command.py); what
differs is that findings are written as they come and the worklist goes to X.summary.json after.
"""

from __future__ import annotations

import sys
from pathlib import Path
from functools import partial
from types import SimpleNamespace

from jixiao.console import err, error
from jixiao.forms.models import FormType
from jixiao.review.compact import CompactCorpus, locate_from_store
from jixiao.review.selection import Selection
from jixiao.review.settings import Settings
from jixiao.review.stream import Stream, checks_of, stream_forms, stream_store, summary_path, write_summary


def usage_problem(out_file: Path | None, to_stdout: bool, ray_address: str | None, stream: bool, has_paths: bool,
                  llm_url: str | None) -> str | None:
    """Why these options cannot stream (exit 2), or None."""
    if ray_address and not stream:
        return "--ray runs the streaming review: add --stream"
    if not stream:
        return None
    if not to_stdout and (out_file is None or out_file.suffix.lower() != ".jsonl"):
        return "--stream writes one finding a line: give --out FILE.jsonl and/or --format jsonl"
    if llm_url:
        return "--stream does not ask a language model (it judges the whole report): leave out --llm-url"
    if ray_address and has_paths:
        return "--ray has its workers read the forms from the corpus: use --db, not files"
    return None


def _selection_problem(store, selection: Selection) -> str | None:
    """Selection.problem over the stored columns (unit, year, type), not over every form's data."""
    rows = store.conn.execute("SELECT DISTINCT unit, year, form_type FROM forms").fetchall()
    light = [SimpleNamespace(unit=u, year=y, form_type=FormType(t)) for u, y, t in rows]
    return selection.problem(light) if light else "no forms to review"


def run_stream(paths: list[Path] | None, db: Path | None, out_file: Path | None, to_stdout: bool, conf: Settings,
               only: list[str] | None, min_severity: str, known: dict, selection: Selection,
               ray_address: str | None, ocr: bool, verbose: bool) -> int:
    """The streaming review; returns the exit status (1: a file, a form or a check failed, or nothing to review)."""
    from jixiao.index.store import Store, StoreError
    from jixiao.review.command import ReviewFormat, _corpus_embed, _print_parse_warnings, _read_files, _show_summary, _store_decisions

    def fail(message: str):
        error(message)
        raise SystemExit(1)

    focus = selection if selection.active() else None
    forms, file_issues, unreadable, store, embed = [], [], False, None, None
    try:
        if paths:
            forms, file_issues, unreadable = _read_files(paths, ocr)
            _print_parse_warnings(forms, file_issues, verbose)
            problem = selection.problem(forms) if forms else "no forms to review"
        elif db is not None:
            try:
                store = Store(db)
            except StoreError as e:
                fail(str(e))
            file_issues = store.file_issues()
            known = _store_decisions(store, db, known, fail)
            problem = _selection_problem(store, selection)
        else:
            error("nothing to review: give files or folders, or --db FILE (or JIXIAO_DB)")
            return 2
        if problem is not None:
            fail(problem)
    except SystemExit as e:
        return int(e.code or 0)
    sink = out_file.open("w", encoding="utf-8") if out_file is not None else None
    sinks = ([sink] if sink else []) + ([sys.stdout] if to_stdout else [])
    stream = Stream(sinks, conf, only, min_severity, known, focus, file_issues, on_error=error)
    try:
        if paths:
            stream_forms(stream, forms, conf, only, stream.file_issues)
        elif ray_address:
            from jixiao.review.distributed import stream_ray

            stream_ray(stream, store, conf, only, ray_address, db=db)
        else:
            stream_store(stream, store, conf, only)
        if checks_of("corpus", only):  # what they compare is every form: held for them, then let go
            relocate = None
            if store is not None:  # compact forms: a tenth of the memory, the same findings
                corpus = CompactCorpus.from_rows(store.form_rows())
                forms, embed = corpus.forms, _corpus_embed(store)
                relocate = partial(locate_from_store, placed=corpus.placed, store=store)
            stream.corpus(forms, embed, relocate)
            forms = corpus = []
    finally:
        if sink is not None:
            sink.close()
    report = stream.finish()
    if store is not None:
        store.close()
    if out_file is not None:
        where = summary_path(out_file)
        write_summary(report, where, out_file)
        err.print(f"{report.summary.findings} findings → {out_file}; worklist and summary → {where}", highlight=False)
    _show_summary(report, ReviewFormat.jsonl if to_stdout else ReviewFormat.table, out_file, db if store is not None else None)
    return 1 if stream.errors or unreadable else 0
