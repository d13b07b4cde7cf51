"""`jixiao search` and `jixiao similar`: the commands over the corpus's indexes (index/search.py does the work)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from jixiao.cli_usage import FORM_TYPE_HELP, ParseFormat, ReportFormat, form_type_option, open_store
from jixiao.console import err, error, file_line, out, show, table, write_out
from jixiao.index.vector_spec import HELP as VECTORS_HELP


class Kind(str, Enum):
    indicator = "indicator"
    goal = "goal"
    project = "project"


class SearchMode(str, Enum):
    dense = "dense"
    lexical = "lexical"
    hybrid = "hybrid"


def search_cmd(
    query: Optional[str] = typer.Argument(None, help="Text to look for: an indicator name, a goal sentence, a project description (or give -i)."),
    input_file: Optional[str] = typer.Option(None, "--input", "-i", metavar="FILE", help="Read the query from FILE (UTF-8; '-' for standard input) instead of QUERY."),
    db: Path = typer.Option(Path("jixiao.db"), "--db", envvar="JIXIAO_DB", help="Corpus file."),
    kind: Kind = typer.Option(Kind.indicator, "--kind", "-k", help="indicator, goal or project."),
    mode: Optional[SearchMode] = typer.Option(None, "--mode", help="dense (embeddings), lexical (BM25 over character n-grams) or hybrid (both); default hybrid, the best on the labelled set for every kind."),
    n: int = typer.Option(10, "-n", min=1, help="How many hits (goals: how many forms)."),
    min_score: Optional[float] = typer.Option(None, "--min-score", help="Drop hits scoring below this, on the mode's own score: dense cosine, lexical share of the query's n-grams, hybrid 0.45 × dense + 0.55 × lexical (all about 0–1)."),
    year: Optional[int] = typer.Option(None, "--year", help="Only forms of this year."),
    form_type: Optional[str] = typer.Option(None, "--form-type", metavar="TYPE", callback=form_type_option, help=f"Only this form type: {FORM_TYPE_HELP}."),
    department: Optional[str] = typer.Option(None, "--department", help="Only this 主管部门 (exact)."),
    unit: Optional[str] = typer.Option(None, "--unit", help="Only this 实施单位 (exact)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", envvar="JIXIAO_MODEL", help="Must be the model the index was built with."),
    fmt: ParseFormat = typer.Option(ParseFormat.table, "--format", "-f", help="table, json, jsonl or csv (one row per hit)."),
    vectors: Optional[str] = typer.Option(None, "--vectors", envvar="JIXIAO_VECTORS", metavar="SPEC", help=VECTORS_HELP),
) -> None:
    """Find the indicators, goals or projects most like QUERY: who else wrote this, and what did they promise?

    Filters restrict the candidates before the top n is taken, so a filter never hides a match.
    A form's goal texts (expected and actual) come back as one hit carrying both. Indicator
    searches also summarize the targets the similar indicators set (≥90%: 7 …).

    Example: jixiao search "培训课程出席率" --db corpus.db --year 2024 -n 5

    Example: jixiao search -k goal -i 目标.txt --mode lexical --min-score 0.3 --db corpus.db
    """
    from jixiao.index.embed import EmbeddingError
    from jixiao.index.faiss_index import IndexError_
    from jixiao.console import warning
    from jixiao.index.search import Filters, SearchError, search as run

    if (query is None) == (input_file is None):
        error("give the query either as QUERY or with -i FILE (-i - reads standard input), not both" if query is not None
              else "no query: give QUERY, or -i FILE (-i - reads standard input)")
        raise typer.Exit(2)
    if input_file is not None:
        try:
            query = sys.stdin.read() if input_file == "-" else Path(input_file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            error(f"cannot read the query from {input_file}: {e}")
            raise typer.Exit(1)
    if not query.strip():  # wrong usage, like a missing argument: said before the corpus is opened
        error("empty query: give the text to look for, e.g. jixiao search '培训课程出席率'")
        raise typer.Exit(2)
    filters = Filters(year=year, form_type=form_type, department=department, unit=unit)
    with open_store(db) as store:
        try:
            res = run(store, db, query, kind.value, n, filters, model, mode.value if mode else None, min_score, vectors)
        except (SearchError, IndexError_, EmbeddingError) as e:
            error(e)
            raise typer.Exit(1)
    for w in res.warnings:
        warning(w)
    if res.stale:
        from jixiao.index.location import shown as _shown  # a DSN without its password

        warning(f"the corpus changed after the {kind.value} index was built; run `jixiao index --db {_shown(db)}`")
    if fmt == ParseFormat.csv:
        import csv as _csv
        import io

        from jixiao.forms.safe_text import csv_safe_row

        buf = io.StringIO()
        w = _csv.DictWriter(buf, fieldnames=list(res.hits[0].model_dump()) if res.hits else ["score"])
        w.writeheader()
        for h in res.hits:
            row = h.model_dump()
            row["texts"] = json.dumps(row["texts"], ensure_ascii=False) if row["texts"] else ""
            w.writerow(csv_safe_row(row))  # a hit's text such as =HYPERLINK(…) stays text in Excel
        write_out(buf.getvalue())
        return
    if fmt == ParseFormat.json:
        write_out(res.model_dump_json(indent=2))
        return
    if fmt == ParseFormat.jsonl:
        for h in res.hits:
            write_out(h.model_dump_json())
        return
    both = res.mode == "hybrid"
    cols = ["score"] + (["dense", "lexical"] if both else []) + ["text", "project", "unit", "year", "form"]
    cols += (["target", "actual"] if kind == Kind.indicator else []) + ["where"]
    t = table(*cols, wide={"text": 4, "project": 2, "unit": 2, "target": 1, "actual": 1, "where": 2})
    short = lambda text: text if len(text) <= 60 else text[:60] + "…"  # noqa: E731
    for h in res.hits:
        row = [f"{h.score:.3f}"]
        if both:
            row += [f"{h.dense_score:.3f}", f"{h.lexical_score:.3f}"]
        # A goal hit: each of the form's goal texts on its own line, the best one first.
        texts = sorted(h.texts, key=lambda g: g.role != h.role) if h.texts else []
        row += ["\n".join(f"{g.role}: {short(g.text)}" for g in texts) if len(texts) > 1 else short(h.text),
                h.project_name or "-", h.unit or "-", str(h.year or "-"), h.form_type + (f"/{h.role}" if h.role else "")]
        if kind == Kind.indicator:
            row += [h.target or "", h.actual or ""]
        t.add_row(*row, file_line(h.file, h.line))
    show(t)
    if res.target_summary:
        out.print("targets of these indicators: " + " · ".join(f"{s['target']} ×{s['count']}" for s in res.target_summary),
                  highlight=False)
    if not res.hits:
        out.print("no hits" + (f" scoring {min_score} or more" if min_score is not None else ""))


def similar_cmd(
    project: str = typer.Argument(..., help="Project name: exact, a unique part of it, or \"名称（单位）\" (full-width or ASCII parentheses)."),
    db: Path = typer.Option(Path("jixiao.db"), "--db", envvar="JIXIAO_DB", help="Corpus file."),
    n: int = typer.Option(10, "-n", min=1, help="How many projects."),
    unit: Optional[str] = typer.Option(None, "--unit", help="The project's 实施单位 (exact): picks among projects of the same name."),
    year: Optional[int] = typer.Option(None, "--year", help="Only the project's forms of this year."),
    form_type: Optional[str] = typer.Option(None, "--form-type", metavar="TYPE", callback=form_type_option, help=f"Only the project's forms of this type: {FORM_TYPE_HELP}."),
    model: Optional[str] = typer.Option(None, "--model", "-m", envvar="JIXIAO_MODEL", help="Must be the model the index was built with."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="table, json ({project, similar}) or jsonl (one line per similar project)."),
    vectors: Optional[str] = typer.Option(None, "--vectors", envvar="JIXIAO_VECTORS", metavar="SPEC", help=VECTORS_HELP),
) -> None:
    """The projects most like PROJECT, by goal text and indicator set, from the whole corpus.

    A project is a name and a unit; its forms of every year and type stand for it unless --year or
    --form-type narrow them. A name several projects answer to (the same name in two units, or a
    part of several names) is an error that lists them with unit, years and form types: pick one
    with --unit, --year, --form-type or "名称（单位）".

    Example: jixiao similar "信息系统运维费" --db corpus.db

    Example: jixiao similar "政府购买辅助服务（上海市闵行区事业单位福利中心）" --db corpus.db

    Example: jixiao similar 政府购买辅助服务 --form-type declaration --db corpus.db
    """
    from jixiao.index.embed import EmbeddingError
    from jixiao.index.faiss_index import IndexError_
    from jixiao.index.search import ANY_UNIT, AmbiguousProject, SearchError, similar as run

    if not project.strip():
        error("empty project name: give the name, e.g. jixiao similar '信息系统运维费'")
        raise typer.Exit(2)
    with open_store(db) as store:
        try:
            (me,), hits = run(store, db, project, n, model, unit=ANY_UNIT if unit is None else unit, year=year,
                              form_type=form_type, vectors=vectors)
        except AmbiguousProject as e:
            error(e.headline)
            for c in e.candidates:
                err.print(f"  {escape(c.label())}", highlight=False)
            raise typer.Exit(1)
        except (SearchError, IndexError_, EmbeddingError) as e:
            error(e)
            raise typer.Exit(1)
    if fmt == ReportFormat.json:
        write_out(json.dumps({"project": me, "similar": [h.model_dump() for h in hits]}, ensure_ascii=False, indent=2))
        return
    if fmt == ReportFormat.jsonl:
        for h in hits:
            write_out(h.model_dump_json())
        return
    out.print(f"projects most like {me['project_name']}（{me['unit']}）:", highlight=False, soft_wrap=False)
    t = table("score", "project", "unit", "years", "forms", "goal sim", "indicator sim", "shared indicators", "where",
              wide={"project": 3, "unit": 2, "forms": 1, "shared indicators": 3, "where": 2})
    f2 = lambda x: "-" if x is None else f"{x:.3f}"  # noqa: E731
    for h in hits:
        t.add_row(f"{h.score:.3f}", h.project_name or "-", h.unit or "-", ",".join(map(str, h.years)),
                  ",".join(h.form_types), f2(h.goal_similarity), f2(h.indicator_similarity),
                  "、".join(h.shared_indicators[:5]) + ("…" if len(h.shared_indicators) > 5 else ""),
                  file_line(h.file, h.line))
    show(t)
