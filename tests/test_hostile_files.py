"""Hostile files (issue 16, item 1): absurd numbers, garbled separators, devices, FIFOs and oversized
files give a clear message naming the file, the other files go on, and JSON always parses.

The files come from tests/hostile.py (named cases made from the shipped examples)."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import hostile
from jixiao.cli import app

runner = CliRunner()
GOOD = hostile.EXAMPLES / "minhang_2024_tracking.txt"  # 4 tracking forms
JIXIAO = [sys.executable, "-c", "from jixiao.cli import main; main()"]
ABSURD_RAW = ("9" * 30, "inf", "nan", "e308", "e+308", "e+300", "e-400", "0" * 30, "1234567890123456")


def strict_json(text: str):
    """json.loads that refuses NaN, Infinity and -Infinity: what other tools' parsers refuse."""
    def refuse(token):
        raise AssertionError(f"{token} in JSON output")
    return json.loads(text, parse_constant=refuse)


def numbers_and_raws(node, found: list) -> list:
    """(raw, number) of every parsed value ({raw, number}) and funds cell ({raw, value}) in a parse."""
    if isinstance(node, dict):
        if "raw" in node and ("number" in node or "value" in node):
            found.append((node["raw"], node.get("number", node.get("value"))))
        for v in node.values():
            numbers_and_raws(v, found)
    elif isinstance(node, list):
        for v in node:
            numbers_and_raws(v, found)
    return found


def no_traceback(res) -> None:
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.stderr


def test_absurd_numbers_stay_text_and_json_parses(tmp_path):
    files = hostile.write(tmp_path, "number")
    res = runner.invoke(app, ["parse", *map(str, files), "--format", "json"])
    no_traceback(res)
    assert res.exit_code == 0, res.stderr
    forms = strict_json(res.stdout)
    assert {Path(f["source"]["file"]).name for f in forms} == {p.name for p in files}  # every file read
    values = numbers_and_raws(forms, [])
    absurd = [(raw, n) for raw, n in values if raw and any(a in raw.lower() for a in ABSURD_RAW)]
    assert len(absurd) > 100  # the cases put absurd numbers in targets, actuals and funds cells
    assert all(n is None for _, n in absurd), [a for a in absurd if a[1] is not None][:3]  # text, raw kept
    assert all(math.isfinite(n) and abs(n) < 1e15 for _, n in values if n is not None)
    every = [str(p) for p in files if ".all.self_evaluation" in p.name]  # every number absurd
    res = runner.invoke(app, ["parse", *every, "--format", "jsonl"])
    assert res.exit_code == 0 and all(strict_json(line) for line in res.stdout.splitlines())
    res = runner.invoke(app, ["parse", *every, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    numeric = [r[k] for r in rows for k in ("total_score", "target_number", "actual_number", "weight", "score") if r[k]]
    assert res.exit_code == 0 and rows and all(math.isfinite(float(x)) and abs(float(x)) < 1e15 for x in numeric)


def test_absurd_numbers_and_garbled_forms_ingest_and_review(tmp_path):
    files = [c.write(tmp_path) for c in hostile.cases() if c.name.startswith(("number.", "separator."))
             and c.name.endswith(".self_evaluation") and ".some." not in c.name]
    db = tmp_path / "corpus.db"
    res = runner.invoke(app, ["ingest", *map(str, files), str(GOOD), "--db", str(db), "--format", "json"])
    no_traceback(res)
    reports = strict_json(res.stdout)
    assert res.exit_code == 0 and {r["status"] for r in reports} == {"stored"}, res.stderr
    assert strict_json(runner.invoke(app, ["stats", "--db", str(db), "--format", "json"]).stdout)["files"] == len(files) + 1

    res = runner.invoke(app, ["review", "--db", str(db), "--format", "json"])  # embeds once, cached in the corpus
    no_traceback(res)
    assert res.exit_code == 0, res.stderr
    report = strict_json(res.stdout)
    assert report["summary"]["forms"] > len(files)
    assert all(math.isfinite(n) for n in _numbers(report))
    res = runner.invoke(app, ["review", "--db", str(db), "--format", "csv"])
    assert res.exit_code == 0 and len(list(csv.reader(io.StringIO(res.stdout)))) > 1
    for suffix in (".md", ".html", ".xlsx"):
        out = tmp_path / f"report{suffix}"
        res = runner.invoke(app, ["review", "--db", str(db), "--out", str(out)])
        no_traceback(res)
        assert res.exit_code == 0 and out.stat().st_size > 0, (suffix, res.stderr)
    assert load_workbook(tmp_path / "report.xlsx", read_only=True).sheetnames

    # The files read directly (no corpus): the same, and a garbled form says what it lacks, by file.
    some = [p for p in files if p.name.startswith(("number.400_digits.", "number.nan.", "separator.mixed."))]
    res = runner.invoke(app, ["review", *map(str, some), "--format", "json"])
    no_traceback(res)
    assert res.exit_code == 0 and strict_json(res.stdout)["summary"]["forms"] >= len(some)


def _numbers(node):
    if isinstance(node, bool):
        return
    if isinstance(node, (int, float)):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _numbers(v)
    elif isinstance(node, list):
        for v in node:
            yield from _numbers(v)


def test_garbled_separators_parse_with_a_message_per_file(tmp_path):
    files = hostile.write(tmp_path, "separator")
    res = runner.invoke(app, ["parse", *map(str, files), str(GOOD), "--format", "json"])
    no_traceback(res)
    assert res.exit_code in (0, 1)
    forms = strict_json(res.stdout)
    assert sum(1 for f in forms if f["source"]["file"] == str(GOOD)) == 4  # the good file goes on
    for p in files:  # each garbled file's tables are lost: a message names the file and says so
        assert f"{p}:" in res.stderr, p


def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    # A subprocess with a timeout: a FIFO that hangs the reader must fail this test, not hang the suite.
    return subprocess.run([*JIXIAO, *args], capture_output=True, text=True, timeout=120, **kw)


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="needs a FIFO and /dev/zero (POSIX)")
def test_devices_and_fifos_are_refused_and_the_others_go_on(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    specials = ["/dev/zero", str(fifo), "/dev/null"]
    expect = {"/dev/zero": "is a device", str(fifo): "is a FIFO", "/dev/null": "is a device"}

    def refused(stderr: str) -> None:
        lines = stderr.splitlines()
        for path, what in expect.items():
            assert any(line.startswith(f"Error: {path}: {what}") for line in lines), (path, stderr)
        assert "Traceback" not in stderr

    res = _run(["parse", *specials, str(GOOD), "--format", "json"])
    refused(res.stderr)
    assert res.returncode == 1 and len(strict_json(res.stdout)) == 4

    db = tmp_path / "c.db"
    res = _run(["ingest", *specials, str(GOOD), "--db", str(db)])  # the table, and the errors on stderr
    refused(res.stderr)
    assert res.returncode == 1
    res = _run(["ingest", *specials, str(GOOD), "--db", str(db), "--format", "json"])
    reports = {r["path"]: r for r in strict_json(res.stdout)}
    assert res.returncode == 1 and reports[str(GOOD)]["status"] == "unchanged"  # stored by the run before
    assert all(reports[p]["status"] == "failed" and expect[p] in reports[p]["error"] for p in specials)

    res = _run(["review", *specials, str(GOOD), "--format", "json", "--only", "funds.*"])
    refused(res.stderr)
    assert res.returncode == 1 and strict_json(res.stdout)["summary"]["forms"] == 4

    # In a folder only regular files are taken: the FIFO is passed over, never opened.
    folder = tmp_path / "folder"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    (folder / "good.txt").write_bytes(GOOD.read_bytes())
    res = _run(["parse", str(folder), "--format", "json"])
    assert res.returncode == 0 and len(strict_json(res.stdout)) == 4


def test_size_limit_applies_before_reading(tmp_path):
    big = hostile.EXAMPLES / "putuo_2024_self_evaluation.txt"  # 51 kB
    env = {"JIXIAO_MAX_FILE_MB": "0.03"}  # 30 kB: the tracking forms (9.5 kB) pass, the self-evaluations do not
    for args in (["parse", str(big), str(GOOD), "--format", "json"],
                 ["ingest", str(big), str(GOOD), "--db", str(tmp_path / "c.db")]):
        res = runner.invoke(app, args, env=env)
        no_traceback(res)
        assert res.exit_code == 1
        assert f"Error: {big}: too large to be a form file" in res.stderr and "JIXIAO_MAX_FILE_MB" in res.stderr
    assert len(strict_json(runner.invoke(app, ["parse", str(GOOD)], env=env).stdout)) == 4
    # A .csv, .xlsx or .pdf is measured before its reader opens it, whatever its format.
    sheet = tmp_path / "big.csv"
    sheet.write_bytes(b"a,b\n" * 20_000)
    res = runner.invoke(app, ["parse", str(sheet)], env=env)
    assert res.exit_code == 1 and "too large" in res.stderr
    res = runner.invoke(app, ["parse", str(GOOD)], env={"JIXIAO_MAX_FILE_MB": "lots"})
    assert res.exit_code == 1 and "JIXIAO_MAX_FILE_MB" in res.stderr and "lots" in res.stderr
