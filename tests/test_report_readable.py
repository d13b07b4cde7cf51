"""Issue 15, items 4 and 5: the parser's warnings in every report (next to their project) and on stderr,
and readable evidence: paths relative to the forms' folder with the full path kept, copied indicator
tables row against row in the workbook, HTML sections by risk with their counts, year and form types,
long paths and texts wrapping in the page.

The forms are the shipped examples plus one generated defect: the self-evaluation file lost its first
form's year line (and has no year in its name) and starts with an indicator row of no form. The
tracking file gets a very long name, to test wrapping.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.forms import parse_file
from jixiao.review.report_common import column_label, form_type_zh

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LONG = "minhang_2024_tracking_" + "x" * 160 + ".txt"
ORPHAN = "产出 指标\t数量 指标\t帮困对象享受人次\t≥300.00(人次)\t320.00(人次)\t10.00\t10.00\t"
runner = CliRunner()


def _forms(folder: Path) -> None:
    folder.mkdir()
    shutil.copy(EXAMPLES / "minhang_2024_declaration.txt", folder)
    shutil.copy(EXAMPLES / "minhang_2024_tracking.txt", folder / LONG)
    lines = (EXAMPLES / "putuo_2024_self_evaluation.txt").read_text(encoding="utf-8").split("\n")
    del lines[next(k for k, line in enumerate(lines) if line.strip() == "(2024年度)")]  # the first form's year
    (folder / "putuo_self_evaluation.txt").write_text("\n".join([ORPHAN, *lines]), encoding="utf-8")


def _review(*args: str):
    res = runner.invoke(app, ["review", *args])
    assert res.exit_code == 0, res.output + res.stderr
    return res


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("readable")
    folder = tmp / "forms"
    _forms(folder)
    # What the parser warns about, and on which form: what every report must carry.
    expected, form_of = set(), {}
    for p in sorted(folder.iterdir()):
        result = parse_file(p)
        for form in result.forms:
            for w in form.warnings:
                form_of[(w.file, w.line, w.message)] = form
        expected |= {(w.file, w.line, w.message) for w in result.all_issues() if w.severity == "warning"}
    a = _review(str(folder), "--out", str(tmp / "r.xlsx"), "-f", "json")
    b = _review(str(folder), "--out", str(tmp / "r.html"), "-f", "md")
    return {"folder": folder, "tmp": tmp, "expected": expected, "form_of": form_of, "json": json.loads(a.stdout),
            "stderr": a.stderr, "stdout": a.stdout, "md": b.stdout, "html": (tmp / "r.html").read_text(encoding="utf-8")}


def _keys(warnings: list[dict]) -> set:
    return {(w["file"], w["line"], w["message"]) for w in warnings}


def test_every_parse_warning_is_in_the_json_with_its_project(case):
    rep, form_of = case["json"], case["form_of"]
    assert _keys(rep["parse_warnings"]) == case["expected"]
    messages = [w["message"] for w in rep["parse_warnings"]]
    assert any("年度未读取" in m for m in messages) and any("不属于任何表" in m for m in messages)
    for w in rep["parse_warnings"]:
        form = form_of.get((w["file"], w["line"], w["message"]))
        if form is None:  # about the file: the indicator row before any form
            assert w["line"] == 1 and w["project_name"] is None and w["form_type"] is None
        else:
            assert (w["project_name"], w["unit"], w["year"], w["form_type"]) == (
                form.project_name, form.unit, form.year, form.form_type.value)
    no_year = next(w for w in rep["parse_warnings"] if "年度未读取" in w["message"])
    assert no_year["project_name"] and no_year["year"] is None and no_year["form_type"] == "self_evaluation"


def test_review_of_files_prints_the_warnings_on_stderr_and_keeps_stdout_clean(case):
    printed = [line for line in case["stderr"].splitlines() if line.startswith("warning ")]
    assert len(printed) == min(10, len(case["expected"]))
    assert {line.removeprefix("warning ") for line in printed} <= {f"{f}:{n}: {m}" for f, n, m in case["expected"]}
    assert "年度未读取" in case["stderr"] and "年度未读取" not in case["stdout"].split('"parse_warnings"')[0]


def test_review_of_a_corpus_reports_the_stored_warnings(case, tmp_path):
    db = tmp_path / "c.db"
    res = runner.invoke(app, ["ingest", str(case["folder"]), "--db", str(db)])
    assert res.exit_code == 0, res.output
    rep = json.loads(_review("--db", str(db), "--only", "funds.*", "-f", "json").stdout)
    assert _keys(rep["parse_warnings"]) == case["expected"]
    assert _keys(w for w in rep["parse_warnings"] if w["project_name"] is None) == {
        k for k in case["expected"] if k not in case["form_of"]}


def _md_section(md: str, heading_start: str) -> str:
    at = md.index(heading_start)
    end = md.find("\n## ", at + 1)
    return md[at:end if end > 0 else None]


def test_markdown_shows_warnings_in_their_project_section_with_relative_paths(case):
    md, folder, rep = case["md"], case["folder"], case["json"]
    assert f"文件路径相对于 `{folder}`" in md and f"{folder}/" not in md  # no full path left
    sections = {(p["project_name"], p["unit"], p["year"]) for p in rep["summary"]["projects"]}
    for w in rep["parse_warnings"]:
        shown = f"`{Path(w['file']).name}:{w['line']}`"
        if (w["project_name"], w["unit"], w["year"]) in sections and w["project_name"]:
            heading = next(line for line in md.splitlines() if line.startswith(f"## {w['project_name']}（{w['unit']}，"))
            assert shown in _md_section(md, heading) and "解析提示（" in _md_section(md, heading)
        else:
            assert shown in _md_section(md, "## 解析提示")


def test_html_sections_by_risk_with_counts_year_form_types_and_warnings(case):
    page, rep = case["html"], case["json"]
    heads = re.findall(r'<section class="project hideable" id="p-(\d+)" data-risk="([\d.]+)"><h2>(.*?)<small>(.*?)</small></h2>'
                       r'(.*?)</section>', page, re.S)
    assert len(heads) >= 10
    ranks, risks = [int(h[0]) for h in heads], [float(h[1]) for h in heads]
    assert ranks == sorted(ranks) and risks == sorted(risks, reverse=True)
    projects = {p["rank"]: p for p in rep["summary"]["projects"]}
    groups = {g["id"]: g for g in rep["groups"]}
    labels = {form_type_zh(t) for t in ("declaration", "tracking", "self_evaluation")}
    for rank, _, title, facts, body in heads:
        p = projects[int(rank)]
        assert f"{p['year']}年" in title if p["year"] else "-年" in title
        assert f"第 {rank} 位" in facts and any(label in facts for label in labels)
        n = int(re.search(r"(\d+) 项发现", facts).group(1))
        # the findings shown in the section, and this project's members of the unit patterns it points to
        shown = set(re.findall(r'<article class="finding[^"]*" id="f-(\w+)"', body))
        pointed = {m for gid in re.findall(r'href="#g-(\w+)"', body) for m in groups[gid]["members"]} & set(p["findings"])
        assert n == len(shown | pointed) > 0
    tied = [w for w in rep["parse_warnings"] if w["project_name"]]
    assert tied and page.count('<div class="pw">') >= 1
    for w in rep["parse_warnings"]:
        # relative place, the full path in the tooltip
        assert f'<span class="where" title="{w["file"]}">{Path(w["file"]).name}:{w["line"]}</span>' in page
    loose = page[page.index('id="parse-warnings"'):]
    assert "不属于任何表" in loose and "年度未读取" in page


def test_html_long_paths_wrap_and_the_page_still_runs_under_its_csp(case, tmp_path):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("chromium not installed: apt-get install chromium")
    page = case["tmp"] / "r.html"
    assert LONG in case["html"]
    # A page of the test's own frames the report and measures it: the report's CSP stays as shipped.
    probe = case["tmp"] / "probe.html"
    probe.write_text(
        '<!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="r.html" style="width:900px;height:700px;border:0">'
        '</iframe><pre id="out">pending</pre><script>document.getElementById("f").addEventListener("load", function () {'
        'var d = this.contentDocument, e = d.documentElement;'
        'document.getElementById("out").textContent = JSON.stringify({scroll: e.scrollWidth, client: e.clientWidth,'
        ' shown: (d.getElementById("shown") || {}).textContent || ""}); });</script></body></html>', encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--allow-file-access-from-files", "--virtual-time-budget=5000", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([exe, *flags, "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120).stdout
    m = re.search(r'<pre id="out">(\{.*?\})</pre>', dom)
    assert m, dom[-2000:]
    seen = json.loads(m.group(1))
    assert seen["scroll"] <= seen["client"]  # nothing wider than a 900-pixel window
    assert seen["shown"] == str(len(case["json"]["flags"]))  # the filter script ran: the CSP admits it
    assert page.exists()


def test_workbook_has_warnings_and_copied_tables_row_against_row(case):
    wb = openpyxl.load_workbook(case["tmp"] / "r.xlsx")
    rep = case["json"]
    rows = list(wb["解析提示"].iter_rows(values_only=True))
    head = list(rows[0])
    full, name, line = head.index(column_label("full_path")), head.index("文件"), head.index("行")
    assert {(r[full], r[line]) for r in rows[1:]} == {(f, n) for f, n, _ in case["expected"]}
    assert all(r[name] == Path(r[full]).name for r in rows[1:])
    side = list(wb["指标表对照"].iter_rows(values_only=True))
    h = list(side[0])
    copied = [f for f in rep["flags"] if f["code"] == "indicator.table_copied"]
    assert copied
    findings = list(wb["发现"].iter_rows(values_only=True))
    fh = list(findings[0])
    for f in copied:
        mine = [r for r in side[1:] if r[0] == f["id"]]
        ev = f["evidence"]
        assert len(mine) * 2 == len(ev)
        for k, r in enumerate(mine):  # this project's row | the other project's row, in the finding's order
            a, b = ev[2 * k], ev[2 * k + 1]
            assert (r[h.index("本项目指标")], r[h.index("对方指标")]) == (a["text"], b["text"])
            assert r[h.index("本项目位置")] == f"{Path(a['file']).name}:{a['line']}"
            assert r[h.index("对方位置")] == f"{Path(b['file']).name}:{b['line']}"
            assert r[h.index("对方完整路径")] == b["file"]
        cell = next(r for r in findings[1:] if r[0] == f["id"])[fh.index(column_label("evidence"))]
        assert "指标表对照" in cell and len(cell) < 200
        first = side.index(mine[0]) + 1
        assert f"第 {first}–{first + len(mine) - 1} 行" in cell
    # what one cell held before
    assert max(len("\n".join(f"{e['label']}：{e['text']}" for e in f["evidence"])) for f in copied) > 1000


def test_csv_and_terminal_show_relative_places_and_keep_the_full_path(case):
    folder = case["folder"]
    out = _review(str(folder), "--only", "funds.*", "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and all(r[column_label("where")] and not r[column_label("where")].startswith(str(folder)) for r in rows)
    assert all(r[column_label("full_path")].startswith(f"{folder}/") for r in rows)
    assert not any("解析提示" in v for r in rows for v in r.values())  # csv holds findings only
    table = _review(str(folder), "--only", "funds.*").stdout
    assert f"paths relative to {folder}" in table
    assert re.search(r"\[putuo_self_evaluation\.txt:\d+\]", table) and f"[{folder}/" not in table
