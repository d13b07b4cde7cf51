"""`jixiao ingest --ray` and `jixiao index --ray`: parsing and embedding with Ray Data give what one process gives.

Inputs are the shipped examples and 300 generated forms (testkit.synth) written to files, plus a damaged
file among them; Ray is started once here with two CPUs. Each corpus is compared row by row with the one
the single-process command writes: the stored forms' JSON in order, the files, the file issues, the
reports; then the embedding cache, every kind's index vectors and the search results.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from testkit.synth import write_corpus_files
from jixiao.cli import app

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[scale]' (it is in the test extra)")
pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install -e '.[scale]'")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    write_corpus_files(folder, 300, seed=8, per_file=25)
    return folder


def _ingest(db: Path, *args: str) -> tuple[int, list[dict]]:
    res = runner.invoke(app, ["ingest", *args, "--db", str(db), "--format", "json"])
    return res.exit_code, json.loads(res.stdout)


def _corpus(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        q = lambda sql: conn.execute(sql).fetchall()  # noqa: E731
        return {
            "forms": q("SELECT f.path, g.seq, g.data FROM forms g JOIN files f ON f.id = g.file_id ORDER BY g.id"),
            "files": q("SELECT path, sha256, size, encoding, n_forms, n_indicators FROM files ORDER BY id"),
            "issues": q("SELECT f.path, g.seq, i.line, i.severity, i.message FROM issues i JOIN files f ON f.id = i.file_id "
                        "LEFT JOIN forms g ON g.id = i.form_id ORDER BY i.id"),
            "indicators": q("SELECT * FROM indicators ORDER BY id"),
        }
    finally:
        conn.close()


def _not_here(*args, **kwargs):
    raise AssertionError("this ran in the driver, not on Ray")


def test_ingest_on_ray_stores_what_one_process_stores(tmp_path, generated, local_ray, monkeypatch):
    one, many = tmp_path / "one.db", tmp_path / "ray.db"
    code, reports = _ingest(one, str(EXAMPLES), str(generated))
    with monkeypatch.context() as m:  # the driver cannot parse: the workers must
        m.setattr("jixiao.index.ingest.read_grid", _not_here)
        code_ray, reports_ray = _ingest(many, str(EXAMPLES), str(generated), "--ray", "auto")
    assert code == code_ray == 0
    assert reports_ray == reports and len(reports) == 3 + 12
    assert {r["status"] for r in reports} == {"stored"} and sum(r["forms"] for r in reports) >= 300
    mine, theirs = _corpus(many), _corpus(one)
    assert len(mine["forms"]) == len(theirs["forms"]) >= 300
    for key in ("forms", "files", "issues", "indicators"):
        assert mine[key] == theirs[key], key
    # Ingested again: every file unchanged, nothing parsed into the store, the corpus as it was.
    code, again = _ingest(many, str(EXAMPLES), str(generated), "--ray", "auto")
    assert code == 0 and [r["status"] for r in again] == ["unchanged"] * len(reports)
    assert _corpus(many) == mine


def test_a_bad_file_is_reported_and_the_others_stored(tmp_path, generated, local_ray):
    folder = tmp_path / "mixed"
    shutil.copytree(generated, folder)
    shutil.copy(EXAMPLES / "minhang_2024_tracking.txt", folder / "a_copy.txt")
    shutil.copy(EXAMPLES / "minhang_2024_tracking.txt", folder / "z_tracking.txt")  # the same content as a_copy
    (folder / "generated_05.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / "generated_07.txt").write_text("这不是一张表\n只是两行字\n", encoding="utf-8")
    changed = folder / "generated_03.txt"
    current = changed.read_bytes()
    older = write_corpus_files(tmp_path, 20, seed=99, per_file=20)[0].read_bytes()
    one, many = tmp_path / "one.db", tmp_path / "ray.db"
    for db in (one, many):  # each corpus holds an older version of generated_03.txt
        changed.write_bytes(older)
        assert _ingest(db, str(changed))[0] == 0
    changed.write_bytes(current)
    code, reports = _ingest(one, str(folder))
    code_ray, reports_ray = _ingest(many, str(folder), "--ray", "auto")
    assert code == code_ray == 1 and reports_ray == reports
    status = {Path(r["path"]).name: r["status"] for r in reports}
    assert status["generated_05.xlsx"] == status["generated_07.txt"] == "failed"
    assert status["a_copy.txt"] == "stored" and status["z_tracking.txt"] == "duplicate"
    assert status["generated_03.txt"] == "replaced" and list(status.values()).count("stored") == 11
    assert all(r["error"] for r in reports if r["status"] == "failed")
    assert _corpus(many) == _corpus(one)
    # Again, as a table: the same lines, the same messages on stderr, the same exit code.
    res = runner.invoke(app, ["ingest", str(folder), "--db", str(one)])
    res_ray = runner.invoke(app, ["ingest", str(folder), "--db", str(many), "--ray", "auto"])
    assert res.exit_code == res_ray.exit_code == 1
    assert res_ray.stdout == res.stdout and res_ray.stderr == res.stderr
    assert "generated_05.xlsx" in res.stderr and "generated_07.txt" in res.stderr and "unchanged" in res.stdout


def _vectors(db: Path, kind: str) -> tuple[np.ndarray, np.ndarray]:
    import faiss

    from jixiao.index import faiss_index

    index, _ = faiss_index.load(db, kind)
    ids = faiss.vector_to_array(index.id_map)
    return ids, index.index.reconstruct_n(0, index.ntotal)


def test_index_on_ray_embeds_what_one_process_embeds(tmp_path, generated, local_ray, monkeypatch):
    one, many = tmp_path / "one" / "c.db", tmp_path / "ray" / "c.db"
    one.parent.mkdir()
    many.parent.mkdir()
    code, _ = _ingest(one, str(EXAMPLES), str(generated / "generated_00.txt"), str(generated / "generated_01.txt"))
    assert code == 0
    shutil.copy(one, many)
    reports = {}
    for db, extra in ((one, []), (many, ["--ray", "auto"])):
        if extra:  # the driver's model cannot embed: the actors must
            from jixiao.index.embed import load_embedder

            monkeypatch.setattr(type(load_embedder("use-m3")), "encode", _not_here)
        res = runner.invoke(app, ["index", "--db", str(db), "-f", "json", *extra])
        assert res.exit_code == 0, res.output
        reports[db] = [{k: v for k, v in r.items() if not k.endswith("seconds")} for r in json.loads(res.stdout)]
    assert reports[many] == reports[one] and reports[one][0]["embedded"] > 100
    for kind in ("indicator", "goal", "project"):
        ids, vecs = _vectors(one, kind)
        ids_ray, vecs_ray = _vectors(many, kind)
        assert len(ids) > 0 and np.array_equal(ids, ids_ray) and np.allclose(vecs, vecs_ray, atol=1e-5), kind
    monkeypatch.undo()
    cache = [dict(sqlite3.connect(db).execute("SELECT text_hash, vector FROM embeddings")) for db in (one, many)]
    assert cache[0].keys() == cache[1].keys()
    assert all(np.allclose(np.frombuffer(v, np.float32), np.frombuffer(cache[1][h], np.float32), atol=1e-5)
               for h, v in cache[0].items())
    for kind, query in (("indicator", "培训课程出席率"), ("goal", "提高服务质量"), ("project", "信息系统运维")):
        hits = [json.loads(runner.invoke(app, ["search", query, "--db", str(db), "-k", kind, "-f", "json"]).stdout)["hits"]
                for db in (one, many)]
        assert hits[0] and [h["text"] for h in hits[0]] == [h["text"] for h in hits[1]]
        assert np.allclose([h["score"] for h in hits[0]], [h["score"] for h in hits[1]], atol=1e-5)
    # Indexed again on Ray: the cache holds every text, so no actor is started and nothing is embedded.
    res = runner.invoke(app, ["index", "--db", str(many), "-f", "json", "--ray", "auto", "--rebuild"])
    assert res.exit_code == 0 and {r["embedded"] for r in json.loads(res.stdout)} == {0}
