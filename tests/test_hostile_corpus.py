"""The hostile corpus through the CLI (issue 16, items 2-5): parse, ingest, index, stats, search, similar
and review, in every format, over forms whose names, units, goals, indicators, targets and deviation
texts carry formulas, HTML, Markdown, terminal control sequences, bidi controls and rich markup
(tests/hostile.py, family "text"; one file is named with them too).

Every run: no traceback, exit 0 or 1. JSON and every JSON line parse and keep the document's text as
it is; no CSV cell starts a formula and stripping its one leading ' gives the text back; no xlsx cell is
a formula and the text is the document's; the Markdown, rendered with HTML on, has only the report's
own tags and no link, image or attribute; the terminal (tables, finding lines, stderr) shows no
control or bidi character. The corpus is built once for the module.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from typer.testing import CliRunner

import hostile
from jixiao.cli import app
from jixiao.forms.safe_text import BIDI, FORMULA_START

runner = CliRunner()
# On a terminal: nothing but newline (tables and lines) from C0, no DEL, no C1, no bidi control.
TERMINAL_BAD = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{BIDI}]")
# The tags the report's own Markdown makes (headings, lists, emphasis, code, <sub>, quotes, tables).
STRUCTURE = {"h1", "h2", "h3", "p", "ul", "li", "strong", "code", "sub", "blockquote",
             "table", "thead", "tbody", "tr", "th", "td"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("hostile_corpus")
    docs = d / "docs"
    hostile.write(docs, "text")
    db = d / "c.db"
    _run(["ingest", str(docs), "--db", str(db)], clean_stdout=True)
    _run(["index", "--db", str(db)], clean_stdout=True)
    return docs, db


def _run(args: list[str], clean_stdout: bool = False, codes=(0,)):
    """One CLI run: no traceback, an expected exit code, stderr fit for a terminal (and stdout when
    it is a table for people)."""
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exception is None or isinstance(res.exception, SystemExit), (args, repr(res.exception))
    assert "Traceback" not in res.stdout + res.stderr, args
    assert res.exit_code in codes, (args, res.exit_code, res.stderr[-2000:])
    _terminal_clean(res.stderr, args)
    if clean_stdout:
        _terminal_clean(res.stdout, args)
    return res


def _terminal_clean(text: str, args) -> None:
    bad = TERMINAL_BAD.search(text)
    assert bad is None, (args, repr(text[max(0, bad.start() - 80):bad.end() + 80]))


def _names(forms: list[dict]) -> set[str]:
    return {f["project_name"] for f in forms if f["project_name"]}


def _csv_cells(text: str) -> list[list[str]]:
    """The rows of a CSV, after checking that no cell starts a formula (plain numbers such as -5.0 are
    numbers to a spreadsheet, not formulas)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for row in rows[1:]:
        for cell in row:
            if cell.startswith(FORMULA_START):
                float(cell)  # raises for a formula-like text cell: "-1+1+cmd|' /C calc'!A0"
    return rows


def _unquote(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


# --- parse ----------------------------------------------------------------------------------------


def test_parse_in_every_format(corpus):
    docs, _ = corpus
    forms = json.loads(_run(["parse", docs, "-f", "json"]).stdout)
    names = _names(forms)
    # JSON keeps the document's text as it is: the formula, the ESC sequence and the RLO are all there.
    assert any(n.startswith("=HYPERLINK(") for n in names)
    assert any("\x1b[31m" in n for n in names) and any("\u202e" in n for n in names)
    lines = _run(["parse", docs, "-f", "jsonl"]).stdout.splitlines()
    assert _names([json.loads(line) for line in lines]) == names
    rows = _csv_cells(_run(["parse", docs, "-f", "csv"]).stdout)
    col = rows[0].index("project_name")
    assert {_unquote(r[col]) for r in rows[1:] if r[col]} == names
    assert any(r[col].startswith("'=HYPERLINK(") for r in rows[1:])
    table = _run(["parse", docs, "-f", "table"], clean_stdout=True).stdout
    assert "\\x1b[31m" in table and "<U+202E>" in table and "[red]红[/red]" in table  # shown, escaped, not styled


# --- ingest, index, stats ---------------------------------------------------------------------------


def test_ingest_index_and_stats_in_every_format(corpus):
    docs, db = corpus
    reports = json.loads(_run(["ingest", docs, "--db", db, "-f", "json"]).stdout)
    assert {r["status"] for r in reports} == {"unchanged"} and len(reports) == len(hostile.cases("text"))
    assert any("\x1b" in r["path"] for r in reports)  # the hostile file name, as it is
    for line in _run(["ingest", docs, "--db", db, "-f", "jsonl"]).stdout.splitlines():
        json.loads(line)
    assert "\\x1b[31m" in _run(["ingest", docs, "--db", db, "-f", "table", "-v"], clean_stdout=True).stdout
    json.loads(_run(["index", "--db", db, "-f", "json"]).stdout)
    for line in _run(["index", "--db", db, "-f", "jsonl"]).stdout.splitlines():
        json.loads(line)
    _run(["index", "--db", db], clean_stdout=True)
    json.loads(_run(["stats", "--db", db, "-f", "json"]).stdout)
    _run(["stats", "--db", db], clean_stdout=True)


# --- search, similar ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind,query", [("indicator", "帮困对象享受人次"), ("goal", "按计划对新疆支青进行帮扶"),
                                        ("project", "新疆支青稳定专项经费"), ("indicator", "<script>alert('xss')</script>")])
def test_search_in_every_format(corpus, kind, query):
    _, db = corpus
    base = ["search", query, "--db", db, "-k", kind, "-n", "40"]
    hits = json.loads(_run(base + ["-f", "json"]).stdout)["hits"]
    assert hits
    for line in _run(base + ["-f", "jsonl"]).stdout.splitlines():
        json.loads(line)
    rows = _csv_cells(_run(base + ["-f", "csv"]).stdout)
    col = rows[0].index("project_name")
    assert [_unquote(r[col]) for r in rows[1:]] == [h["project_name"] or "" for h in hits]
    _run(base + ["-f", "table"], clean_stdout=True)


def test_similar_in_every_format(corpus):
    docs, db = corpus
    names = _names(json.loads(_run(["parse", docs, "-f", "json"]).stdout))
    picked = [n for n in sorted(names) if n.startswith(("=HYPERLINK", "\x1b", "\u202e", "[red]", "<script>"))
              and n.endswith("新疆支青稳定专项经费")]  # one unit, one year: no ambiguity
    assert len(picked) >= 5
    for name in picked:
        base = ["similar", name, "--db", db, "-n", "5"]
        data = json.loads(_run(base + ["-f", "json"]).stdout)
        assert data["project"]["project_name"] == name and data["similar"]
        for line in _run(base + ["-f", "jsonl"]).stdout.splitlines():
            json.loads(line)
        _run(base, clean_stdout=True)
    # A part of many hostile names: the candidates listed on stderr, escaped.
    res = _run(["similar", "支青稳定专项", "--db", db], codes=(1,))
    assert res.stderr.startswith("Error: ") and "<U+202E>" in res.stderr


# --- review ---------------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: list = []
        self.comments: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += [(tag, a) for a in attrs if a[0] != "style" or not re.fullmatch(r"text-align:\w+", a[1] or "")]

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_data(self, data):
        self.text.append(data)


def _check_markdown(md: str) -> None:
    """Rendered as CommonMark with HTML on (and again with GFM tables and strikethrough): only the
    report's own tags, no attribute (href, src, on…) and no comment; the attacks show as text."""
    for renderer in (MarkdownIt("commonmark", {"html": True}),
                     MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])):
        seen = _Tags()
        seen.feed(renderer.render(md))
        assert seen.tags <= STRUCTURE, seen.tags - STRUCTURE
        assert not seen.attrs and not seen.comments, (seen.attrs[:5], seen.comments[:5])
        text = "".join(seen.text)
        # (the parser drops spaces around cells and reads "<img …>" as an HTML export's tag; the rest is kept)
        for shown in ("<script>alert('xss')</script>", "[点我](javascript:alert(1))", "<!--", "\\x1b[31m", "<U+202E>"):
            assert shown in text, shown
        for table in re.findall(r"<table>.*?</table>", renderer.render(md), re.S):  # GFM: no "|" split a cell
            heads = len(re.findall(r"<th[ >]", table))
            rows = [r for r in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "<td" in r]
            assert rows and all(len(re.findall(r"<td[ >]", r)) == heads for r in rows)


def _check_xlsx(path: Path, names: set[str]) -> None:
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    header = [c.value for c in wb["发现"][1]]
    col = header.index("项目名称")
    shown = {r[col] for r in wb["发现"].iter_rows(min_row=2, values_only=True) if r[col]}
    expected = {ILLEGAL_CHARACTERS_RE.sub("", n) for n in names}
    assert shown and shown <= expected and any(s.startswith("=HYPERLINK(") for s in shown)


def test_review_of_the_corpus_in_every_format(corpus, tmp_path):
    docs, db = corpus
    names = _names(json.loads(_run(["parse", docs, "-f", "json"]).stdout))
    outs = {}
    # Each run writes one --out format and prints one --format: all of them in six runs.
    for suffix, fmt in ((".json", "jsonl"), (".jsonl", "csv"), (".csv", "md"), (".xlsx", "json"), (".md", "table"),
                        (".html", "table")):
        out = tmp_path / f"r{suffix}"
        res = _run(["review", "--db", db, "--out", out, "-f", fmt], clean_stdout=fmt == "table")
        outs[suffix], outs[fmt] = out, res.stdout
    report = json.loads(outs[".json"].read_text(encoding="utf-8"))
    assert report["flags"] and json.loads(outs["json"])["summary"] == report["summary"]
    messages = [f["message"] for f in report["flags"]]
    assert [json.loads(line)["message"] for line in outs[".jsonl"].read_text(encoding="utf-8").splitlines()] == messages
    assert [json.loads(line)["message"] for line in outs["jsonl"].splitlines()] == messages
    for text in (outs[".csv"].read_text(encoding="utf-8"), outs["csv"]):
        rows = _csv_cells(text)
        col = rows[0].index("项目名称")
        assert {_unquote(r[col]) for r in rows[1:] if r[col]} <= names
        assert [_unquote(r[rows[0].index("说明")]) for r in rows[1:]] == messages
    _check_xlsx(outs[".xlsx"], names)
    for md in (outs[".md"].read_text(encoding="utf-8"), outs["md"]):
        _check_markdown(md)
    html = outs[".html"].read_text(encoding="utf-8")
    assert "<script>alert('xss')" not in html and "<img src=x onerror" not in html


def test_review_of_the_files_in_the_terminal(corpus):
    """Straight from the files: the finding lines for people, the summary tables, the parse warnings."""
    docs, _ = corpus
    # The terminal attacks only: a review of files embeds their texts afresh (no corpus cache), slow for all.
    files = sorted(p for p in docs.iterdir() if p.name.startswith(("text.esc", "text.c1", "text.bidi", "text.rich", "text.c0",
                                                                   "text.file_name")))
    assert len(files) == 11  # five payloads in two bases, and the hostile file name
    lines = _run(["review", *files, "-f", "table"], clean_stdout=True).stdout
    assert "\\x1b[31m" in lines and "<U+202E>" in lines
