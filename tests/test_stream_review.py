"""`jixiao review --stream`: the same findings as `review`, written as they come, and a bad form skipped.

Inputs are the samples and a few hundred generated forms (testkit.synth) ingested into a real corpus
file; the corpus checks run with the real embedding model, as `review --db` runs them.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from testkit.synth import write_corpus_files
from jixiao.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _key(f: dict) -> tuple:
    return f["id"], f["code"], f["message"], f["severity"], f["decision"]


def _review_both(tmp_path: Path, *args: str) -> tuple[dict, list[dict], dict]:
    """The normal .json report and the streamed lines and summary file, for the same arguments."""
    normal, streamed = tmp_path / "normal.json", tmp_path / "streamed.jsonl"
    res = runner.invoke(app, ["review", *args, "--out", str(normal)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["review", *args, "--stream", "--out", str(streamed)])
    assert res.exit_code == 0, res.output
    return (json.loads(normal.read_text(encoding="utf-8")), _lines(streamed),
            json.loads((tmp_path / "streamed.summary.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def generated_db(tmp_path_factory) -> Path:
    """300 generated forms of every type, ingested into a corpus file."""
    folder = tmp_path_factory.mktemp("generated")
    write_corpus_files(folder, 300, seed=5, per_file=50)
    db = folder / "corpus.db"
    res = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])
    assert res.exit_code == 0, res.output
    return db


def test_same_findings_as_review_on_the_samples(tmp_path):
    report, lines, summary = _review_both(tmp_path, str(EXAMPLES))
    assert lines and sorted(map(_key, lines)) == sorted(map(_key, report["flags"]))
    # The jsonl contract: one finding a line, the keys of today's .jsonl.
    res = runner.invoke(app, ["review", str(EXAMPLES), "--out", str(tmp_path / "today.jsonl")])
    assert res.exit_code == 0
    today = _lines(tmp_path / "today.jsonl")
    assert [sorted(f) for f in lines] == [sorted(f) for f in today[:len(lines)]]
    # The worklist in the summary file is the report's: counts, ranked projects, groups, warnings.
    assert summary["findings_file"] == str(tmp_path / "streamed.jsonl")
    for key in ("summary", "groups", "parse_warnings"):
        assert summary[key] == report[key], key
    assert summary["summary"]["projects"] and summary["groups"]


def test_same_findings_with_filters_and_decisions(tmp_path):
    decisions = tmp_path / "decisions.json"
    report, _, _ = _review_both(tmp_path, str(EXAMPLES))
    chosen = {f["id"]: ("dismissed" if k % 2 else "accepted") for k, f in enumerate(report["flags"][:6])}
    decisions.write_text(json.dumps(chosen), encoding="utf-8")
    report, lines, summary = _review_both(tmp_path, str(EXAMPLES), "--min-severity", "medium", "--only", "goal.*",
                                          "--only", "indicator.*", "--decisions", str(decisions))
    assert sorted(map(_key, lines)) == sorted(map(_key, report["flags"]))
    assert any(f["decision"] for f in lines) and {f["severity"] for f in lines} <= {"medium", "high"}
    assert summary["summary"] == report["summary"]


def test_same_findings_as_review_on_generated_forms(tmp_path, generated_db):
    report, lines, summary = _review_both(tmp_path, "--db", str(generated_db))
    assert len(lines) > 300 and len({f["code"] for f in lines}) > 5  # a real mix, not a trivial agreement
    assert sorted(map(_key, lines)) == sorted(map(_key, report["flags"]))
    assert summary["summary"] == report["summary"] and summary["groups"] == report["groups"]


def test_findings_are_written_before_the_run_ends(tmp_path, generated_db):
    """The first line can be read while the review still runs (the corpus checks load the model after)."""
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "review", "--db", str(generated_db), "--stream",
                             "--format", "jsonl"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = json.loads(proc.stdout.readline())
        running = proc.poll() is None
        rest = proc.stdout.read()
    finally:
        proc.wait(timeout=300)
    assert first["id"] and first["code"] and running
    assert proc.returncode == 0 and len(rest.splitlines()) > 100


def test_a_bad_form_does_not_stop_the_stream(tmp_path, generated_db):
    broken, without = tmp_path / "broken.db", tmp_path / "without.db"
    shutil.copy(generated_db, broken)
    shutil.copy(generated_db, without)
    with sqlite3.connect(broken) as c:
        victim = c.execute("SELECT id FROM forms ORDER BY id LIMIT 1 OFFSET 150").fetchone()[0]
        c.execute("UPDATE forms SET data = '{\"form_type\": \"decl' WHERE id = ?", (victim,))
    with sqlite3.connect(without) as c:
        c.execute("DELETE FROM forms WHERE id = ?", (victim,))
    res = runner.invoke(app, ["review", "--db", str(broken), "--stream", "--out", str(tmp_path / "b.jsonl")])
    assert res.exit_code == 1  # said, and the stream went on past it
    assert f"Error: form {victim} of the corpus cannot be read" in res.stderr
    res = runner.invoke(app, ["review", "--db", str(without), "--out", str(tmp_path / "w.json")])
    assert res.exit_code == 0
    expected = json.loads((tmp_path / "w.json").read_text(encoding="utf-8"))["flags"]
    assert sorted(map(_key, _lines(tmp_path / "b.jsonl"))) == sorted(map(_key, expected))


def test_a_failing_check_skips_its_form_only(tmp_path):
    from jixiao.review import catalogue, engine  # noqa: F401  (the engine registers the checks)

    i, check = next((i, c) for i, c in enumerate(catalogue.CHECKS) if c.scope == "form")

    def fragile(form, settings):
        if form.project_name and "残疾人" in form.project_name:
            raise KeyError("a bug met on one document")
        return check.fn(form, settings)

    out = tmp_path / "s.jsonl"
    catalogue.CHECKS[i] = catalogue.Check(check.codes, fragile, "form")  # in place: the engine holds the list
    try:
        res = runner.invoke(app, ["review", str(EXAMPLES), "--stream", "--out", str(out)])
    finally:
        catalogue.CHECKS[i] = check
    assert res.exit_code == 1 and "a check failed: KeyError" in res.stderr
    lines = _lines(out)
    assert lines and any(f["project_name"] and "残疾人" not in f["project_name"] for f in lines)


def test_stream_usage_errors(tmp_path):
    res = runner.invoke(app, ["review", str(EXAMPLES), "--stream", "--out", str(tmp_path / "r.json")])
    assert res.exit_code == 2 and "--stream" in res.stderr
    res = runner.invoke(app, ["review", str(EXAMPLES), "--ray", "auto", "--format", "jsonl"])
    assert res.exit_code == 2 and "--ray" in res.stderr
    res = runner.invoke(app, ["review", str(EXAMPLES), "--stream", "--ray", "auto", "--format", "jsonl"])
    assert res.exit_code == 2 and "--db" in res.stderr
