"""The output-safety functions (forms/safe_text.py) and where they are applied (issue 16, items 2-4):
CSV cells, xlsx cells, Markdown text, terminal text. The whole corpus through the CLI is in
test_hostile_corpus.py; these pin each function's behaviour."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from typer.testing import CliRunner

import hostile
from jixiao.cli import app
from jixiao.console import SafeConsole, show, table
from jixiao.forms.safe_text import FORMULA_START, csv_safe, md_code, md_text, visible

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "-1+1+cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "\t=1+1",
            "\r=1+1", "=100.00(%)", "-", "=40.00(班次)"]


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_safe_quotes_a_formula_start_once_and_the_text_comes_back(value):
    safe = csv_safe(value)
    assert safe == "'" + value and safe[1:] == value and not safe.startswith(FORMULA_START)


@pytest.mark.parametrize("value", ["≥90.00(%)", "新疆支青", "", "'quoted", " =1", 3.5, -5.0, None, 0])
def test_csv_safe_leaves_other_cells_and_numbers(value):
    assert csv_safe(value) == value


def test_visible_escapes_controls_and_bidi_and_keeps_newline_tab_and_text():
    assert visible("a\x1b[31mb") == "a\\x1b[31mb"
    assert visible("\x9b2J\x85\x7f\x00\r\x08") == "\\x9b2J\\x85\\x7f\\x00\\x0d\\x08"
    assert visible("\u202e反\u202c\u2066x\u2069\u200e\u200f\u061c") == "<U+202E>反<U+202C><U+2066>x<U+2069><U+200E><U+200F><U+061C>"
    assert visible("第一行\n\t≥90.00(%) 〔〕「」ｘ") == "第一行\n\t≥90.00(%) 〔〕「」ｘ"


def test_safe_console_prints_escapes_in_text_tables_and_markup_lines():
    con = SafeConsole(file=io.StringIO(), width=200, markup=False, emoji=False)
    t = table("a", "b", wide={"b": 1})
    t.add_row("x\x1b[2Jy", "p\u202eq :red_circle:")
    show(t, con)
    con.print("[red]z[/red]\x9b31m")
    text = con.file.getvalue()
    assert "x\\x1b[2Jy" in text and "p<U+202E>q :red_circle:" in text and "[red]z[/red]\\x9b31m" in text
    assert not any(c in text for c in "\x1b\x9b\u202e")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.data = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.data.append(data)


ATTACKS = ["<script>alert(1)</script>", '<iframe src="http://evil.example"></iframe>', "<svg onload=alert(1)>",
           "<details open ontoggle=alert(1)>", "[x](javascript:alert(1))", "![](http://evil.example/i.png)",
           "<!-- hidden -->", "<http://evil.example>", "a | b | c", "# 标题 #", "`code` ``x``", "**粗** _斜_ ~~删~~",
           "&lt;script&gt; &#60;b&#62;", "\\<b>", "www.evil.example http://evil.example a@evil.example", "第一行\n# 第二行\n<script>x</script>",
           "\x1b[31m红\u202e"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_md_text_renders_as_the_text_itself(attack):
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    html = md.render(f"- 说明：{md_text(attack)}")
    seen = _Tags()
    seen.feed(html)
    assert seen.tags == ["ul", "li"] and not seen.attrs, html
    expected = visible(" ".join(part.strip() for part in attack.splitlines()))
    assert "".join(seen.data).strip() == f"说明：{expected}"


def test_md_text_keeps_a_table_row_in_its_cells():
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    html = md.render("| a | b |\n|---|---|\n" + f"| {md_text('x | y | <b>z</b>')} | 2 |\n")
    assert html.count("<td>") == 2 and "<b>" not in html


@pytest.mark.parametrize("text", ["docs/a`b.txt:3", "``x``", "`", "<script>x</script>.txt", "a\nb"])
def test_md_code_is_one_code_span_with_the_text(text):
    html = MarkdownIt("commonmark", {"html": True}).render(f"- {md_code(text)}")
    seen = _Tags()
    seen.feed(html)
    assert seen.tags == ["ul", "li", "code"]
    assert "".join(seen.data).strip() == text.replace("\n", " ").strip()


def test_markdown_leaves_ordinary_text_readable():
    assert md_text("预算执行率 ≥90.00(%) 未达标（85.35%），cannot_tell") == "预算执行率 ≥90.00(%) 未达标（85.35%），cannot_tell"


def test_every_csv_writer_neutralises_and_xlsx_keeps_text(tmp_path):
    """parse --format csv, review --format csv and --out .csv/.xlsx over one form with formula cells."""
    case = next(c for c in hostile.cases("text") if c.name == "text.formula_cmd.self_evaluation")
    doc = case.write(tmp_path)
    runner = CliRunner()
    forms = json.loads(runner.invoke(app, ["parse", str(doc)]).stdout)
    name = forms[0]["project_name"]
    assert name.startswith("-1+1+cmd|")
    parsed = list(csv.DictReader(io.StringIO(runner.invoke(app, ["parse", str(doc), "-f", "csv"]).stdout)))
    assert parsed[0]["project_name"] == "'" + name
    assert {"'=100.00(%)", "'" + "-1+1+cmd|' /C calc'!A0≥300.00(人次)"} <= {r["target"] for r in parsed}
    res = runner.invoke(app, ["review", str(doc), "--out", str(tmp_path / "r.xlsx"), "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert "'" + name in {r["项目名称"] for r in rows}
    assert not [v for r in rows for v in r.values() if v.startswith(FORMULA_START)]
    wb = load_workbook(tmp_path / "r.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert name in {c.value for c in cells}  # the very text, a string cell
