"""The command line: output formats, the JSON contract, stats, exit codes."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jixiao.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TRACKING = str(EXAMPLES / "minhang_2024_tracking.txt")
runner = CliRunner()

FORM_KEYS = {"form_type", "year", "project_name", "department", "unit", "funds", "goal", "indicators",
             "total_score", "grade", "source"}
INDICATOR_KEYS = {"level1", "level2", "name", "target", "actual", "weight", "score", "deviation"}


def test_parse_json_contract():
    res = runner.invoke(app, ["parse", str(EXAMPLES / "putuo_2024_self_evaluation.txt"), "--format", "json"])
    assert res.exit_code == 0, res.output
    forms = json.loads(res.stdout)
    assert len(forms) == 24
    for f in forms:
        assert FORM_KEYS <= set(f)
        assert {"expected", "actual"} <= set(f["goal"])
        assert "(汇总)" not in (f["department"] or "")
        for ind in f["indicators"]:
            assert INDICATOR_KEYS <= set(ind)
            assert ind["target"] is None or {"raw", "op", "number", "unit"} <= set(ind["target"])
    first = forms[0]
    assert first["total_score"] == 97.54 and first["grade"] == "优"
    assert first["indicators"][0]["target"] == {"raw": "≥90.00(%)", "op": "≥", "number": 90.0, "unit": "%",
                                                "word": None, "kind": "numeric", "achievement": None}
    assert first["source"]["file"].endswith("putuo_2024_self_evaluation.txt") and first["source"]["first_line"] == 3


def test_parse_jsonl_csv_table():
    res = runner.invoke(app, ["parse", TRACKING, "-f", "jsonl"])
    lines = res.stdout.splitlines()
    assert res.exit_code == 0 and len(lines) == 4
    assert [json.loads(x)["project_name"] for x in lines][0] == "办公经费补贴"

    res = runner.invoke(app, ["parse", TRACKING, "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 39
    row = next(r for r in rows if r["name"] == "培训课程出席率")
    assert (row["target_op"], row["target_number"], row["plan"], row["actual"]) == ("≥", "90.0", "90.00", "95")

    res = runner.invoke(app, ["parse", TRACKING, "-f", "table"])
    assert res.exit_code == 0
    assert "办公经费补贴" in res.stdout and "培训班开展班次" in res.stdout and "确定能完成" in res.stdout


def test_warnings_go_to_stderr():
    res = runner.invoke(app, ["parse", TRACKING, "-f", "json"])
    json.loads(res.stdout)  # stdout stays machine-readable
    assert "minhang_2024_tracking.txt:63" in res.stderr
    quiet = runner.invoke(app, ["parse", TRACKING, "-f", "json", "-q"])
    assert quiet.stderr == ""


def test_stats(tmp_path):
    db = tmp_path / "c.db"
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db)]).exit_code == 0
    res = runner.invoke(app, ["stats", "--db", str(db), "-f", "json"])
    s = json.loads(res.stdout)
    assert (s["files"], s["forms"], s["indicators"]) == (3, 39, 365)
    assert {(r["form_type"], r["forms"]) for r in s["by_type_year"]} == {
        ("declaration", 11), ("tracking", 4), ("self_evaluation", 24)}
    assert sum(r["indicators"] for r in s["by_level"]) == 365
    table = runner.invoke(app, ["stats", "--db", str(db)])
    assert "39 forms" in table.stdout and "服务对象满意度指标" in table.stdout


def test_help_explains_with_example():
    for cmd in (["--help"], ["parse", "--help"], ["ingest", "--help"], ["stats", "--help"]):
        res = runner.invoke(app, cmd)
        assert res.exit_code == 0 and "Example" in res.stdout, cmd


@pytest.mark.skipif(shutil.which("jixiao") is None, reason="the jixiao command is not installed in this environment")
def test_installed_command(tmp_path):
    db = tmp_path / "c.db"
    proc = subprocess.run(["jixiao", "ingest", str(EXAMPLES), "--db", str(db), "-f", "jsonl"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    reports = [json.loads(x) for x in proc.stdout.splitlines()]
    assert sorted(r["forms"] for r in reports) == [4, 11, 24]
