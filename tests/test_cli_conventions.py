"""CLI conventions (issue 15, items 3 and 7, and item 5's terminal width), through the CLI.

One corpus for the module: the shipped examples plus the Minhang tracking forms again as 2023 forms,
so that one name is filed by two units and one project has two years.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from jixiao.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
runner = CliRunner()
SHARED = "政府购买辅助服务"  # filed by two units in the examples
WELFARE = "上海市闵行区事业单位福利中心"
SOCIAL = "上海市闵行区社会保障服务中心"
COMMANDS = typer.main.get_command(app).commands


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("conventions")
    docs = d / "docs"
    shutil.copytree(EXAMPLES, docs)
    text = (EXAMPLES / "minhang_2024_tracking.txt").read_text(encoding="utf-8")
    (docs / "minhang_2023_tracking.txt").write_text(text.replace("2024", "2023"), encoding="utf-8")
    db = d / "c.db"
    res = runner.invoke(app, ["ingest", str(docs), "--db", str(db)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["index", "--db", str(db)])
    assert res.exit_code == 0, res.output
    return db


def _error_line(res) -> str:
    """The one error line: `Error: …`, the only line on stderr, no traceback."""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    assert "Traceback" not in res.output + res.stderr
    return lines[0]


# --- help: -h, metavars, help text ------------------------------------------------------------------

def test_h_and_help_on_every_command():
    assert runner.invoke(app, ["-h"]).exit_code == 0
    for name in COMMANDS:
        short, long = runner.invoke(app, [name, "-h"]), runner.invoke(app, [name, "--help"])
        assert short.exit_code == long.exit_code == 0, name
        assert short.stdout == long.stdout and short.stdout.startswith(f"Usage: jixiao {name} "), name


def test_usage_lines_and_metavars_are_clean():
    for name in COMMANDS:
        text = runner.invoke(app, [name, "-h"]).stdout
        usage = text.splitlines()[0]
        # no typer decorations ({paths}, <list[Path]>) and no lower-case argument names
        assert not re.search(r"[{}<>]|\[[a-z]|list\[", usage), usage
        options = text[text.index("Options:"):] if "Options:" in text else text
        assert not re.search(r"<(str|int|float|path|int range|list\[.*?\])>", text), (name, options)
    usage = {n: runner.invoke(app, [n, "-h"]).stdout.splitlines()[0] for n in ("parse", "ingest", "review", "similar")}
    assert usage["parse"].endswith("[OPTIONS] PATH...") and usage["ingest"].endswith("[OPTIONS] PATH...")
    assert usage["review"].endswith("[OPTIONS] [PATH]...") and usage["similar"].endswith("[OPTIONS] PROJECT")
    assert "--db FILE" in runner.invoke(app, ["stats", "-h"]).stdout
    assert "--only CODE" in runner.invoke(app, ["review", "-h"]).stdout


def test_every_parameter_has_help_text():
    missing = [f"{name} {p.opts[0] if p.opts else p.name}" for name, cmd in COMMANDS.items() for p in cmd.params
               if p.name != "help" and not (getattr(p, "help", None) or "").strip()]
    assert not missing, missing


# --- one error style, exit codes --------------------------------------------------------------------

def test_user_errors_are_one_line_with_the_right_exit_code(corpus, tmp_path):
    missing_db = tmp_path / "none.db"
    res = runner.invoke(app, ["stats", "--db", str(missing_db)])
    assert res.exit_code == 1 and str(missing_db) in _error_line(res)
    assert not missing_db.exists()
    res = runner.invoke(app, ["review", str(EXAMPLES), "--only", "no.such"])
    assert res.exit_code == 2 and "unknown code 'no.such'" in _error_line(res)  # wrong usage, was 1
    res = runner.invoke(app, ["review"], env={"JIXIAO_DB": ""})
    assert res.exit_code == 2 and "nothing to review" in _error_line(res)
    res = runner.invoke(app, ["review", "--db", str(corpus), "--unit", "上海市闵行区事业单位"])
    assert res.exit_code == 1 and WELFARE in _error_line(res)  # a value no form has: the close ones named
    bad = runner.invoke(app, ["stats", "--db", str(corpus), "--no-such-option"])
    assert bad.exit_code == 2 and "Error: No such option" in bad.stderr and "Traceback" not in bad.stderr


def test_out_in_a_missing_folder_is_refused_before_the_review(tmp_path):
    out = tmp_path / "no" / "such" / "review.html"
    # With a corpus that does not exist either: the --out check comes first (2), the review never starts (it would say 1).
    res = runner.invoke(app, ["review", "--db", str(tmp_path / "none.db"), "--out", str(out)])
    assert res.exit_code == 2 and "does not exist" in _error_line(res) and str(out.parent) in res.stderr
    assert not out.parent.exists() and not (tmp_path / "none.db").exists()
    res = runner.invoke(app, ["review", str(EXAMPLES), "--out", str(tmp_path)])  # a folder, not a file
    assert res.exit_code == 2 and "folder" in _error_line(res)


def test_ingest_of_a_missing_file_leaves_no_corpus(tmp_path):
    db = tmp_path / "new.db"
    res = runner.invoke(app, ["ingest", str(tmp_path / "nosuch.txt"), "--db", str(db)])
    assert res.exit_code == 1 and "nosuch.txt" in _error_line(res)
    assert not db.exists() and not list(tmp_path.glob("new.db*"))
    res = runner.invoke(app, ["ingest", str(tmp_path / "nosuch.txt"), "--db", str(db), "-f", "json"])
    assert res.exit_code == 1 and json.loads(res.stdout)[0]["status"] == "failed" and not db.exists()


# --- JIXIAO_DB ---------------------------------------------------------------------------------------

def test_db_from_jixiao_db_on_every_command_that_takes_it(corpus, tmp_path):
    takes_db = {name for name, cmd in COMMANDS.items() for p in cmd.params if "--db" in getattr(p, "opts", [])}
    assert takes_db == {"ingest", "stats", "index", "search", "similar", "review", "serve"}
    for name in takes_db:
        db = next(p for p in COMMANDS[name].params if "--db" in p.opts)
        assert db.envvar == "JIXIAO_DB", name
    env = {"JIXIAO_DB": str(corpus)}
    res = runner.invoke(app, ["stats", "-f", "json"], env=env)
    assert res.exit_code == 0 and json.loads(res.stdout)["forms"] == 43
    res = runner.invoke(app, ["index", "-f", "json"], env=env)
    assert res.exit_code == 0 and {r["status"] for r in json.loads(res.stdout)} == {"up-to-date"}
    res = runner.invoke(app, ["similar", "信息系统运维费", "-n", "1", "-f", "json"], env=env)
    assert res.exit_code == 0 and json.loads(res.stdout)["project"]["project_name"] == "信息系统运维费"
    res = runner.invoke(app, ["search", "系统运维", "--kind", "goal", "-n", "1", "-f", "json"], env=env)
    assert res.exit_code == 0 and json.loads(res.stdout)["hits"]
    res = runner.invoke(app, ["review", "--only", "link.*", "-f", "json"], env=env)
    assert res.exit_code == 0 and json.loads(res.stdout)["summary"]["forms"] == 43
    other = tmp_path / "env.db"
    res = runner.invoke(app, ["ingest", str(EXAMPLES / "minhang_2024_tracking.txt")], env={"JIXIAO_DB": str(other)})
    assert res.exit_code == 0 and other.exists()
    # serve: the corpus comes from JIXIAO_DB (a missing one is refused before the server starts; without
    # the variable the required --db would be a usage error, 2)
    res = runner.invoke(app, ["serve"], env={"JIXIAO_DB": str(tmp_path / "none.db")})
    assert res.exit_code == 1 and "none.db" in _error_line(res)
    assert runner.invoke(app, ["serve"], env={"JIXIAO_DB": ""}).exit_code == 2


def test_index_prints_total_time(corpus):
    res = runner.invoke(app, ["index", "--db", str(corpus)])
    assert res.exit_code == 0 and re.search(r"^total \d+\.\d s", res.stdout, re.M), res.stdout
    res = runner.invoke(app, ["index", "--db", str(corpus), "-f", "json"])
    json.loads(res.stdout)  # stdout stays one JSON document; the total goes to stderr
    assert re.search(r"total \d+\.\d s", res.stderr)


# --- similar: picking a project precisely --------------------------------------------------------------

def _similar(corpus, *args):
    return runner.invoke(app, ["similar", *args, "--db", str(corpus), "-n", "3", "-f", "json"])


def test_similar_ambiguous_name_lists_candidates_with_unit_and_year(corpus):
    res = runner.invoke(app, ["similar", SHARED, "--db", str(corpus)])
    assert res.exit_code == 1 and res.stdout == ""
    head, *listing = res.stderr.strip().splitlines()
    assert head.startswith("Error: ") and "matches several projects (2)" in head and "--unit" in head
    assert len(listing) == 2
    assert any(WELFARE in ln and "2023" in ln and "2024" in ln and "跟踪表" in ln for ln in listing), listing
    assert any(SOCIAL in ln and "2024" in ln and "2023" not in ln and "申报表" in ln for ln in listing), listing


def test_similar_picks_by_name_with_unit_in_parentheses_or_by_filters(corpus):
    expect = {"project_name": SHARED, "unit": WELFARE}
    for text in (f"{SHARED}（{WELFARE}）", f"{SHARED}({WELFARE})", f"{SHARED} （{WELFARE}）"):
        res = _similar(corpus, text)
        assert res.exit_code == 0, res.stderr
        me = json.loads(res.stdout)["project"]
        assert {k: me[k] for k in expect} == expect and me["years"] == [2023, 2024] and me["forms"] == 2
    by_unit = json.loads(_similar(corpus, SHARED, "--unit", WELFARE).stdout)
    assert by_unit["project"]["unit"] == WELFARE
    by_type = json.loads(_similar(corpus, SHARED, "--form-type", "declaration").stdout)
    assert by_type["project"]["unit"] == SOCIAL and by_type["project"]["form_types"] == ["declaration"]
    # the other unit's project of the same name is the most similar: the candidates are the whole corpus
    assert by_type["similar"][0]["project_name"] == SHARED and by_type["similar"][0]["unit"] == WELFARE
    one_year = json.loads(_similar(corpus, SHARED, "--unit", WELFARE, "--year", "2023").stdout)["project"]
    assert one_year["years"] == [2023] and one_year["forms"] == 1
    # a name that holds parentheses itself, with its unit in parentheses after it
    name = "工伤认定和劳动能力鉴定业务系统（2024年运维）"
    res = _similar(corpus, f"{name}（{SOCIAL}）")
    assert res.exit_code == 0 and json.loads(res.stdout)["project"]["project_name"] == name


def test_similar_filters_that_match_nothing_say_what_exists(corpus):
    res = runner.invoke(app, ["similar", SHARED, "--year", "2022", "--db", str(corpus)])
    assert res.exit_code == 1
    line = _error_line(res)
    assert "year = 2022" in line and WELFARE in line and SOCIAL in line
    res = runner.invoke(app, ["similar", f"{SHARED}（上海市某某中心）", "--db", str(corpus)])
    assert res.exit_code == 1 and SHARED in _error_line(res)


# --- review: --unit, --year, --form-type ----------------------------------------------------------------

def _involves(f: dict, key: str, value) -> bool:
    return f[key] == value or any(p[key] == value for p in f["projects"])


def test_review_unit_reports_that_units_findings_with_cross_unit_copies(corpus, tmp_path):
    whole = runner.invoke(app, ["review", "--db", str(corpus), "-f", "json"])
    unit = runner.invoke(app, ["review", "--db", str(corpus), "--unit", WELFARE, "-f", "json"])
    assert whole.exit_code == unit.exit_code == 0, unit.output
    whole, unit = json.loads(whole.stdout), json.loads(unit.stdout)
    assert unit["summary"]["forms"] == 8 and whole["summary"]["forms"] == 43
    assert unit["flags"] and all(_involves(f, "unit", WELFARE) for f in unit["flags"])
    # exactly the whole review's findings that involve the unit, nothing lost or added by the filter
    assert {f["id"] for f in unit["flags"]} == {f["id"] for f in whole["flags"] if _involves(f, "unit", WELFARE)}
    # goals and indicator tables shared with another unit's project are still found, whichever side the
    # finding is filed under: the checks compared the whole corpus
    copies = {"goal.boilerplate_shared", "indicator.table_copied"}
    cross = [f for f in unit["flags"] if f["code"] in copies and {p["unit"] for p in f["projects"]} >= {WELFARE, SOCIAL}]
    assert {f["code"] for f in cross} == copies and any(f["unit"] == SOCIAL for f in cross)
    # reading only that unit's files, the copies cannot be seen: the corpus-wide comparison is what finds them
    alone = runner.invoke(app, ["review", str(EXAMPLES / "minhang_2024_tracking.txt"), "--only", "goal.*",
                                "--only", "indicator.table_copied", "-f", "json"])
    assert alone.exit_code == 0 and not [f for f in json.loads(alone.stdout)["flags"]
                                         if SOCIAL in {p["unit"] for p in f["projects"]}]


def test_review_year_and_form_type(corpus, tmp_path):
    res = runner.invoke(app, ["review", "--db", str(corpus), "--year", "2023", "--form-type", "tracking",
                              "--out", str(tmp_path / "r.json")])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["summary"]["forms"] == 4
    selected = lambda unit, year, form_type: (year, form_type) == (2023, "tracking")  # noqa: E731
    for f in report["flags"]:  # its own form, or another project's form it names as the other side of a copy
        assert selected(f["unit"], f["year"], f["form_type"]) or any(
            selected(p["unit"], p["year"], p["form_type"]) and (p["project_name"], p["unit"]) != (f["project_name"], f["unit"])
            for p in f["projects"]), f
    # 2024's forms repeating 2023's are 2024's findings: reported with --year 2024, not with --year 2023
    assert "link.copied_from_previous_year" not in {f["code"] for f in report["flags"]}
    later = runner.invoke(app, ["review", "--db", str(corpus), "--year", "2024", "--only", "link.*", "-f", "json"])
    assert {f["code"] for f in json.loads(later.stdout)["flags"]} == {"link.copied_from_previous_year"}
    res = runner.invoke(app, ["review", "--db", str(corpus), "--year", "2030"])
    assert res.exit_code == 1 and "year = 2030" in _error_line(res)
    assert runner.invoke(app, ["review", "--db", str(corpus), "--form-type", "自评"]).exit_code == 2
    # A form type may be named in Chinese as reviewers call it: the same selection as the English value.
    zh = runner.invoke(app, ["review", "--db", str(corpus), "--year", "2023", "--form-type", "跟踪表", "-f", "json"])
    assert zh.exit_code == 0 and json.loads(zh.stdout)["flags"] == report["flags"]
    hits = runner.invoke(app, ["search", "培训", "--db", str(corpus), "--form-type", "绩效自评表", "-f", "json"])
    assert hits.exit_code == 0 and {h["form_type"] for h in json.loads(hits.stdout)["hits"]} == {"self_evaluation"}


# --- .gitignore -------------------------------------------------------------------------------------------

def test_gitignore_covers_what_the_readme_commands_write():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout to ask git check-ignore")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [ln for ln in readme.splitlines() if re.match(r"\s*(python3 .*&& )?jixiao ", ln) or " jixiao " in ln]
    written = set()
    for ln in commands:
        written |= set(re.findall(r"--out ([\w.\-]+)", ln)) | set(re.findall(r"> ([\w.\-]+)", ln))
        written |= set(re.findall(r"--llm-cache ([\w.\-]+)", ln))
        for db in re.findall(r"--db ([\w.\-]+)", ln):
            written |= {db, f"{db}-wal", f"{db}-journal"} | {f"{db}.{k}.{s}" for k in ("indicator", "goal", "project")
                                                            for s in ("faiss", "json", "bm25.npz")}
    assert {"review.html", "jixiao.db", "jixiao.db.goal.faiss", "jixiao.db.goal.json"} <= written
    res = subprocess.run(["git", "check-ignore", "--no-index", *sorted(written)], cwd=ROOT, capture_output=True, text=True)
    ignored = set(res.stdout.split())
    assert written - ignored == set()


# --- terminal width -----------------------------------------------------------------------------------

RUN = """
import json, sys
from typer.testing import CliRunner
from jixiao.cli import app
runner = CliRunner()
print(json.dumps([runner.invoke(app, args).stdout for args in json.loads(sys.argv[1])]))
"""


def _outputs(argvs: list[list[str]], columns: str | None) -> list[str]:
    """Command outputs in a fresh interpreter whose stdout is a pipe, with COLUMNS set or not (the
    consoles read the width when jixiao is imported)."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | ({"COLUMNS": columns} if columns else {})
    res = subprocess.run([sys.executable, "-c", RUN, json.dumps(argvs)], capture_output=True, text=True, env=env,
                         timeout=600)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_tables_fit_columns_and_do_not_fold_in_a_pipe(corpus, tmp_path):
    from wcwidth import wcswidth

    argvs = [["stats", "--db", str(corpus)],
             ["similar", "信息系统运维费", "--db", str(corpus), "-n", "5"],
             ["search", "系统运维保障正常运行", "--kind", "goal", "--db", str(corpus), "-n", "5"],
             ["review", str(EXAMPLES), "--only", "indicator.vacuous_target", "--out", str(tmp_path / "r.json")],
             ["ingest", str(EXAMPLES), "--db", str(tmp_path / "w.db")]]
    narrow = _outputs(argvs, "80")
    for args, text in zip(argvs, narrow):
        assert text.strip(), args
        wide = [ln for ln in text.splitlines() if wcswidth(ln.rstrip()) > 80]
        assert not wide, (args[0], wide)
    assert any(ord(c) > 0x3000 for c in narrow[1])  # the measure counted 汉字 as two cells
    # a pipe without COLUMNS: one table row per line, so grep finds whole rows
    unfolded = _outputs(argvs[1:2], None)[0].splitlines()
    rows = [ln for ln in unfolded if re.match(r"\s*\d\.\d{3}\s", ln)]
    assert len(rows) == 5 and all(".txt:" in ln for ln in rows), unfolded
    assert max(wcswidth(ln) for ln in unfolded) > 80
