"""The SQLite corpus: idempotent ingest, replacement of changed files, atomicity per file."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jixiao.index.ingest import collect, ingest
from jixiao.index.store import Store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _counts(db: Path) -> tuple[int, int, int]:
    c = sqlite3.connect(db)
    try:
        return tuple(c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("files", "forms", "indicators"))
    finally:
        c.close()


@pytest.fixture()
def corpus(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(EXAMPLES, data)
    return data


def test_idempotent_and_replacing(tmp_path, corpus):
    db = tmp_path / "c.db"
    with Store(db, create=True) as s:
        first = list(ingest(s, collect([corpus])[0]))
    assert [r.status for r in first] == ["stored"] * 3
    assert _counts(db) == (3, 39, 365)
    with Store(db) as s:
        again = list(ingest(s, collect([corpus])[0]))
    assert [r.status for r in again] == ["unchanged"] * 3
    assert _counts(db) == (3, 39, 365)

    # Drop the last tracking form (lines 91–119): the file's old forms are replaced, not added to.
    tr = corpus / "minhang_2024_tracking.txt"
    tr.write_text("\n".join(tr.read_text(encoding="utf-8").splitlines()[:89]) + "\n", encoding="utf-8")
    with Store(db) as s:
        changed = {Path(r.path).name: r for r in ingest(s, collect([corpus])[0])}
        names = [f.project_name for f in s.forms("file_id = (SELECT id FROM files WHERE path = ?)", (str(tr.resolve()),))]
    assert changed["minhang_2024_tracking.txt"].status == "replaced"
    assert names == ["办公经费补贴", "残疾人就业保障金", "在职考核优秀行政奖励人员经费"]
    assert _counts(db) == (3, 38, 353)

    # The same content under another name is reported, not stored twice.
    copy = tmp_path / "copy.txt"
    copy.write_bytes((corpus / "minhang_2024_declaration.txt").read_bytes())
    with Store(db) as s:
        (dup,) = ingest(s, [copy])
    assert dup.status == "duplicate" and dup.same_as.endswith("minhang_2024_declaration.txt")
    assert _counts(db) == (3, 38, 353)


def test_forms_round_trip(tmp_path, corpus):
    from jixiao.forms import parse_file

    db = tmp_path / "c.db"
    with Store(db, create=True) as s:
        list(ingest(s, [corpus / "putuo_2024_self_evaluation.txt"]))
        stored = list(s.forms())
    parsed = parse_file(corpus / "putuo_2024_self_evaluation.txt").forms
    assert [f.model_dump() for f in stored] == [
        f.model_copy(update={"source": f.source.model_copy(update={"file": str(corpus / "putuo_2024_self_evaluation.txt")})}).model_dump()
        for f in parsed]


def test_interrupt_rolls_back_the_file(tmp_path, corpus, monkeypatch):
    db = tmp_path / "c.db"
    with Store(db, create=True) as s:
        list(ingest(s, [corpus / "minhang_2024_tracking.txt"]))
    before = _counts(db)
    calls = {"n": 0}
    original = Store._insert_form

    def interrupted(self, c, file_id, seq, form):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return original(self, c, file_id, seq, form)

    monkeypatch.setattr(Store, "_insert_form", interrupted)
    with Store(db) as s, pytest.raises(KeyboardInterrupt):
        list(ingest(s, [corpus / "putuo_2024_self_evaluation.txt"]))
    assert calls["n"] == 5
    assert _counts(db) == before


def test_hard_crash_leaves_database_as_before(tmp_path, corpus):
    """A process killed in the middle of a file's transaction (no cleanup at all)."""
    db = tmp_path / "c.db"
    with Store(db, create=True) as s:
        list(ingest(s, [corpus / "minhang_2024_tracking.txt"]))
    before = _counts(db)
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from jixiao.index.store import Store
        from jixiao.index.ingest import ingest
        original = Store._insert_form
        n = 0
        def crash(self, c, file_id, seq, form):
            global n
            n += 1
            if n == 7:
                os._exit(9)  # like kill -9: no rollback, no close
            return original(self, c, file_id, seq, form)
        Store._insert_form = crash
        with Store(Path({str(db)!r})) as s:
            list(ingest(s, [Path({str(corpus / 'putuo_2024_self_evaluation.txt')!r})]))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    assert _counts(db) == before
    c = sqlite3.connect(db)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    c.close()
    with Store(db) as s:  # and the corpus still takes the file afterwards
        (r,) = ingest(s, [corpus / "putuo_2024_self_evaluation.txt"])
    assert r.status == "stored" and _counts(db)[1] == before[1] + 24
