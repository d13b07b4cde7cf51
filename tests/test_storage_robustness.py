"""The corpus survives what SQLite tests itself against (issue 16, acceptance): two writers at once,
SIGKILL at random points of `ingest` and `index`, truncated index files, a damaged corpus file, a
read-only corpus, a full disk and a corpus from a newer jixiao. Each gives a clear message, and
nothing stored before is lost.

The SIGKILL runs are the real CLI (`jixiao.cli.main`) in processes forked from a warm forkserver
(tests/forked_cli.py): the random kill points fall in the command's work, not in start-up."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import faiss
import numpy as np
import pytest
from typer.testing import CliRunner

import hostile
from forked_cli import run_cli
from jixiao.cli import app
from jixiao.forms.grid import Grid
from jixiao.forms.parser import parse_grid
from jixiao.forms.textio import rows_of

runner = CliRunner()
JIXIAO = [sys.executable, "-c", "from jixiao.cli import main; main()"]
KINDS = ("indicator", "goal", "project")
RUNS = 20
WARM = 3  # unkilled runs first, whose median duration is the window the kill points are drawn from


# --- helpers ----------------------------------------------------------------------------------

def integrity(db: Path) -> str:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        return c.execute("PRAGMA integrity_check").fetchone()[0]


def stored_files(db: Path) -> dict[str, tuple[int, int, int, int]]:
    """path -> (n_forms recorded, forms present, n_indicators recorded, indicators present)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        return {p: (nf, f, ni, i) for p, nf, f, ni, i in c.execute(
            "SELECT path, n_forms, (SELECT count(*) FROM forms WHERE file_id = files.id), n_indicators, "
            "(SELECT count(*) FROM indicators JOIN forms ON forms.id = indicators.form_id WHERE forms.file_id = files.id) "
            "FROM files")}


def versions(db: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        return set(c.execute("SELECT path, sha256 FROM files"))


def index_versions(db: Path) -> tuple:
    """What an index run changes: the embedding cache and the index files beside the corpus."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        cached = c.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    return cached, sorted((p.name, p.stat().st_mtime_ns) for p in db.parent.glob(f"{db.name}.*"))


def clean_parse(text: str) -> tuple[int, int]:
    result = parse_grid(Grid(rows_of(text)), "x.txt")
    return len(result.forms), sum(len(f.indicators) for f in result.forms)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def index_files_whole(db: Path) -> None:
    """Every index file beside the corpus is absent or whole: never half-written."""
    for kind in KINDS:
        idx, meta = Path(f"{db}.{kind}.faiss"), Path(f"{db}.{kind}.json")
        if idx.exists():
            assert faiss.read_index(str(idx)).ntotal >= 0
        if meta.exists():
            assert json.loads(meta.read_text(encoding="utf-8"))["kind"] == kind
    for npz in db.parent.glob(f"{db.name}.*.npz"):  # the lexical indexes beside them
        with np.load(npz, allow_pickle=False) as z:
            assert len(z.files) > 0


def variant(base: str, n: int) -> str:
    return f"{hostile.BASES[base]}\n\n（版本 {n}）\n"


@pytest.fixture(scope="module")
def expected() -> dict[str, tuple[int, int]]:
    """Forms and indicators of each base as a clean parse reads them (a variant's trailing line adds none)."""
    out = {base: clean_parse(text) for base, text in hostile.BASES.items()}
    assert all(clean_parse(variant(b, 7)) == n for b, n in out.items())
    return out


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> Path:
    """A small corpus with its indexes, built once; tests take copies."""
    folder = tmp_path_factory.mktemp("indexed")
    db = folder / "corpus.db"
    for base, text in hostile.BASES.items():
        (folder / f"{base}.txt").write_text(text, encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(folder / "self_evaluation.txt"), str(folder / "tracking.txt"),
                               "--db", str(db)]).exit_code == 0
    res = runner.invoke(app, ["index", "--db", str(db), "--format", "json"])
    assert res.exit_code == 0, res.stderr
    return db


def copy_corpus(db: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for f in db.parent.glob(f"{db.name}*"):
        shutil.copy2(f, folder / f.name)
    return folder / db.name


def run(args: list[str], **kw) -> subprocess.CompletedProcess:
    res = subprocess.run([*JIXIAO, *args], capture_output=True, text=True, timeout=300, **kw)
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    return res


# --- two writers ------------------------------------------------------------------------------

def test_two_ingests_at_once(tmp_path, expected):
    db = tmp_path / "corpus.db"
    folders = []
    for side in "ab":
        folder = tmp_path / side
        folder.mkdir()
        for i in range(3):
            for base in hostile.BASES:
                (folder / f"{side}{i}_{base}.txt").write_text(variant(base, ord(side) * 10 + i), encoding="utf-8")
        folders.append(folder)
    procs = [subprocess.Popen([*JIXIAO, "ingest", str(f), "--db", str(db), "--format", "json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in folders]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (stdout, stderr) in zip(procs, outs):
        assert p.returncode == 0, stderr  # the second writer waited for the first (busy timeout)
        assert {r["status"] for r in json.loads(stdout)} == {"stored"}
    assert integrity(db) == "ok"
    files = stored_files(db)
    assert len(files) == 12
    for path, (nf, f, ni, i) in files.items():
        base = "tracking" if path.endswith("tracking.txt") else "self_evaluation"
        assert (nf, ni) == expected[base] and (f, i) == (nf, ni)


# --- SIGKILL ----------------------------------------------------------------------------------

def test_sigkill_during_ingest_keeps_whole_files_only(tmp_path, expected):
    rng = random.Random(1604)
    db, folder = tmp_path / "corpus.db", tmp_path / "forms"
    folder.mkdir()
    names = [f"f{i}_{base}.txt" for i in range(4) for base in hostile.BASES]
    unique = itertools.count()  # every version differs: none is a duplicate of another file
    for name in names:
        (folder / name).write_text(variant(name.split("_", 1)[1][:-4], next(unique)), encoding="utf-8")
    assert run_cli(["ingest", str(folder), "--db", str(db)], tmp_path / "clean.log") == 0
    before: set[str] = set(stored_files(db))
    killed = cut_midway = 0
    spans: list[float] = []
    for n in range(-WARM, RUNS):  # the first runs are not killed: they measure how long such a run takes
        for name in rng.sample(names, 3):  # changed files are replaced, one new file is stored
            (folder / name).write_text(variant(name.split("_", 1)[1][:-4], next(unique)), encoding="utf-8")
        new = f"new{n + 1}_{rng.choice(list(hostile.BASES))}.txt"
        (folder / new).write_text(variant(new.split("_", 1)[1][:-4], next(unique)), encoding="utf-8")
        started, stored = time.perf_counter(), versions(db)
        code = run_cli(["ingest", str(folder), "--db", str(db)], tmp_path / "killed.log",
                       kill_after=rng.uniform(0.0, statistics.median(spans)) if n >= 0 else None)
        cut_midway += code is None and versions(db) != stored  # killed after storing part of its files
        if n < 0:
            spans.append(time.perf_counter() - started)  # the kills fall anywhere in such a run
        killed += code is None
        assert code in (None, 0), (tmp_path / "killed.log").read_text()[-2000:]
        assert integrity(db) == "ok"
        files = stored_files(db)
        assert before <= set(files)  # nothing stored before is lost
        for path, (nf, f, ni, i) in files.items():
            base = "tracking" if path.endswith("tracking.txt") else "self_evaluation"
            assert (nf, ni) == expected[base] and (f, i) == (nf, ni), path  # whole files only
        before = set(files)
    assert killed >= RUNS // 4 and cut_midway >= 1  # runs were cut short, some in the middle of their work
    assert run_cli(["ingest", str(folder), "--db", str(db)], tmp_path / "final.log") == 0
    assert len(stored_files(db)) == len(list(folder.iterdir()))


def test_sigkill_during_index_leaves_loadable_indexes(tmp_path, indexed):
    rng = random.Random(1616)
    db = copy_corpus(indexed, tmp_path / "c")
    killed = cut_midway = 0
    spans: list[float] = []
    for n in range(-WARM, RUNS):  # the first runs are not killed: they measure how long such a run takes
        with sqlite3.connect(db) as c:  # forget some embeddings: the run embeds and caches them again
            c.execute("DELETE FROM embeddings WHERE abs(random()) % 4 = 0")
        c.close()
        started, written = time.perf_counter(), index_versions(db)
        code = run_cli(["index", "--db", str(db), "--rebuild"], tmp_path / "killed.log",
                       kill_after=rng.uniform(0.0, statistics.median(spans)) if n >= 0 else None)
        cut_midway += code is None and index_versions(db) != written  # killed after writing part of it
        if n < 0:
            spans.append(time.perf_counter() - started)  # the kills fall anywhere in such a run
        killed += code is None
        assert code in (None, 0), (tmp_path / "killed.log").read_text()[-2000:]
        assert integrity(db) == "ok"
        index_files_whole(db)
    assert killed >= RUNS // 4 and cut_midway >= 1
    # A run to its end repairs whatever a kill left, and the indexes answer.
    assert run_cli(["index", "--db", str(db)], tmp_path / "final.log") == 0
    index_files_whole(db)
    assert not list(db.parent.glob(".*.tmp"))  # the killed runs' temporary files were cleared
    res = runner.invoke(app, ["search", "培训", "--db", str(db), "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["hits"]


# --- damaged files ----------------------------------------------------------------------------

@pytest.mark.parametrize("part", ["faiss", "json"])
def test_truncated_index_file(tmp_path, indexed, part):
    db = copy_corpus(indexed, tmp_path / "c")
    target = Path(f"{db}.indicator.{part}")
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    res = runner.invoke(app, ["search", "培训", "--db", str(db)])
    assert res.exit_code == 1 and "unreadable" in res.stderr and "jixiao index" in res.stderr
    res = runner.invoke(app, ["index", "--db", str(db), "--format", "json"])  # no --rebuild needed
    assert res.exit_code == 0
    assert {r["kind"]: r["status"] for r in json.loads(res.stdout)}["indicator"] == "built"
    index_files_whole(db)
    assert runner.invoke(app, ["search", "培训", "--db", str(db)]).exit_code == 0


@pytest.mark.parametrize("where", ["header", "middle"])
def test_corrupted_corpus(tmp_path, indexed, where):
    db = copy_corpus(indexed, tmp_path / "c")
    data = bytearray(db.read_bytes())
    rng = random.Random(16)
    at = 0 if where == "header" else len(data) // 2 // 4096 * 4096  # a whole page in the middle
    data[at:at + 4096] = rng.randbytes(4096)
    db.write_bytes(bytes(data))
    digest = sha(db)
    good = tmp_path / "good.txt"
    good.write_text(variant("tracking", 1), encoding="utf-8")
    if where == "header":  # refused on opening, by every command, the file untouched
        for args in (["stats", "--db", str(db)], ["search", "培训", "--db", str(db)], ["review", "--db", str(db)],
                     ["index", "--db", str(db)], ["ingest", str(good), "--db", str(db)]):
            res = runner.invoke(app, args)
            assert res.exit_code == 1 and "damaged or not a jixiao corpus" in res.stderr, (args, res.stderr)
            assert res.stderr.count("Error:") == 1 and sha(db) == digest
        return
    # A damaged page is noticed when a command reads it (then refused with a message, whatever the
    # command: a subprocess, for the command line's own error handling) or it is not (a damaged text
    # reads as text): never a traceback, and reading never writes.
    for args in (["stats", "--db", str(db)], ["search", "培训", "--db", str(db)]):
        res = run(args)
        if res.returncode != 0:
            assert res.returncode == 1 and res.stderr.count("Error:") == 1, res.stderr
            assert "damaged or not a jixiao corpus" in res.stderr, res.stderr
        assert sha(db) == digest
    res = run(["ingest", str(good), "--db", str(db)])
    assert res.returncode in (0, 1) and ("damaged" in res.stderr or res.returncode == 0), res.stderr


def _read_only_mount(folder: Path) -> bool:
    """A read-only tmpfs at `folder` (root only): chmod does not stop root, a read-only mount does."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    folder.mkdir()
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)], capture_output=True).returncode == 0
    return ok


def test_read_only_corpus(tmp_path, indexed):
    ro = tmp_path / "ro"
    mounted = _read_only_mount(ro)
    if not mounted and os.geteuid() == 0:
        pytest.skip("running as root, where chmod does not stop writes, and a tmpfs cannot be mounted here")
    try:
        db = copy_corpus(indexed, ro)
        digest = sha(db)
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        else:
            for f in ro.iterdir():
                f.chmod(0o444)
            ro.chmod(0o555)
        assert not os.access(db, os.W_OK)
        res = runner.invoke(app, ["stats", "--db", str(db), "--format", "json"])
        assert res.exit_code == 0 and json.loads(res.stdout)["forms"] == 6
        res = runner.invoke(app, ["review", "--db", str(db), "--format", "json"])
        assert res.exit_code == 0 and json.loads(res.stdout)["summary"]["forms"] == 6, res.stderr
        res = runner.invoke(app, ["search", "培训", "--db", str(db), "--format", "json"])
        assert res.exit_code == 0 and json.loads(res.stdout)["hits"]
        good = tmp_path / "good.txt"
        good.write_text(variant("tracking", 2), encoding="utf-8")
        for args in (["ingest", str(good), "--db", str(db)], ["index", "--db", str(db), "--rebuild"]):
            res = runner.invoke(app, args)
            assert res.exit_code == 1 and "is read-only" in res.stderr and res.stderr.count("Error:") == 1, res.stderr
        assert sha(db) == digest
    finally:
        if mounted:
            # Lazy: a connection the in-process commands left open must not keep the mount alive.
            subprocess.run(["umount", "-l", str(ro)], check=False)
        elif ro.exists():
            ro.chmod(0o755)


# --- a full disk ------------------------------------------------------------------------------

def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="needs RLIMIT_FSIZE (POSIX) to simulate a full disk")
def test_full_disk(tmp_path, indexed, expected):
    db = copy_corpus(indexed, tmp_path / "c")
    before = stored_files(db)
    big = tmp_path / "big.txt"  # 24 self-evaluations: more than the room left
    big.write_bytes((hostile.EXAMPLES / "putuo_2024_self_evaluation.txt").read_bytes())
    # No file may grow past 64 kB: the corpus's write-ahead log needs more for 24 forms.
    res = run(["ingest", str(big), "--db", str(db)], preexec_fn=_file_size_limit(64_000))
    assert res.returncode == 1 and "not stored" in res.stderr and "disk is full" in res.stderr, res.stderr
    assert integrity(db) == "ok" and stored_files(db) == before  # the file was rolled back whole

    index_before = {p.name for p in db.parent.glob(f"{db.name}.*")}
    res = run(["index", "--db", str(db), "--rebuild"], preexec_fn=_file_size_limit(20_000))
    assert res.returncode == 1 and res.stderr.count("Error:") == 1, res.stderr
    assert "too large" in res.stderr or "disk is full" in res.stderr, res.stderr
    assert integrity(db) == "ok"
    index_files_whole(db)  # the small ones may have been replaced, whole; the others are the old ones
    assert index_before <= {p.name for p in db.parent.glob(f"{db.name}.*")}

    # With room again, the same commands do their job.
    assert runner.invoke(app, ["ingest", str(big), "--db", str(db)]).exit_code == 0
    assert runner.invoke(app, ["index", "--db", str(db)]).exit_code == 0
    assert len(stored_files(db)) == len(before) + 1


# --- a newer jixiao's corpus -------------------------------------------------------------------

@pytest.mark.parametrize("how", ["meta", "user_version"])
def test_corpus_from_a_newer_jixiao_is_refused_untouched(tmp_path, indexed, how):
    db = copy_corpus(indexed, tmp_path / "c")
    with sqlite3.connect(db) as c:
        if how == "meta":
            c.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        else:
            c.execute("PRAGMA user_version = 99")
    c.close()
    digest = sha(db)
    good = tmp_path / "good.txt"
    good.write_text(variant("tracking", 3), encoding="utf-8")
    for args in (["stats", "--db", str(db)], ["ingest", str(good), "--db", str(db)], ["index", "--db", str(db)],
                 ["review", "--db", str(db)], ["search", "培训", "--db", str(db)]):
        res = runner.invoke(app, args)
        assert res.exit_code == 1 and "newer jixiao" in res.stderr and "schema 99" in res.stderr, (args, res.stderr)
        assert sha(db) == digest
