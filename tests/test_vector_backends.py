"""Search, similar and review against both vector backends (issue 14): FAISS files and Milvus Lite.

The scenarios of tests/test_search.py and tests/test_review.py run with `--vectors faiss` (the
default) and `--vectors milvus-lite:FILE` (Milvus Lite in this process, one file for the module), and
every answer is compared with FAISS exact search: the same hits in the same order with scores within
1e-4, the same similar projects, the same review findings (ids). Hits tied on score at the end of a
list may be either of the tied texts in either backend, so identities are compared above the last
hit's score and scores everywhere.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.forms import parse_file
from jixiao.index.search import Filters, search, similar
from jixiao.index.store import Store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()
TOL = 1e-4


def _milvus_lite_problem() -> str | None:
    try:
        import milvus_lite  # noqa: F401
        import pymilvus  # noqa: F401
    except ImportError as e:
        return f"pymilvus / milvus-lite not installed ({e}): pip install -e '.[scale]'"
    return None


pytestmark = pytest.mark.skipif(_milvus_lite_problem() is not None, reason=str(_milvus_lite_problem()))
TIMES: dict[str, float] = {}  # shown with `pytest -s`: what each backend took here


@pytest.fixture(scope="module", autouse=True)
def _show_times():
    yield
    for k, v in TIMES.items():
        print(f"\n{k}: {v:.2f} s", end="")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("vb")
    db = d / "c.db"
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db)]).exit_code == 0
    started = time.perf_counter()
    res = runner.invoke(app, ["index", "--db", str(db), "-f", "json"])
    assert res.exit_code == 0, res.output
    TIMES["faiss index"] = time.perf_counter() - started
    spec = f"milvus-lite:{d / 'vectors.db'}"
    started = time.perf_counter()
    res = runner.invoke(app, ["index", "--db", str(db), "--vectors", spec, "-f", "json"])
    assert res.exit_code == 0, res.output
    TIMES["milvus-lite index (engine start included)"] = time.perf_counter() - started
    faiss_counts = {r["kind"]: r["count"] for r in json.loads(runner.invoke(app, ["index", "--db", str(db), "-f", "json"]).stdout)}
    milvus = json.loads(res.stdout)
    assert {r["kind"]: r["count"] for r in milvus} == faiss_counts == {"indicator": 365, "goal": 65, "project": 39}
    assert {r["status"] for r in milvus} == {"built"} and all(r["index_type"] == "flat" for r in milvus)
    return db, spec


@pytest.fixture(params=["faiss", "milvus-lite"])
def vectors(request, corpus):
    """The --vectors SPEC of each backend (None: the default, FAISS files)."""
    return None if request.param == "faiss" else corpus[1]


def _key(h) -> tuple:
    return (h.file, h.line, h.text, h.role)


def _same_hits(got, want) -> None:
    assert len(got) == len(want)
    assert np.allclose([h.score for h in got], [h.score for h in want], atol=TOL)
    if not want:
        return
    last = want[-1].score
    assert [_key(h) for h in got if h.score > last + TOL] == [_key(h) for h in want if h.score > last + TOL]
    assert {_key(h) for h in got} - {_key(h) for h in want} <= {_key(h) for h in got if abs(h.score - last) <= TOL}


QUERIES = [  # (query, kind, n, filters): the searches of tests/test_search.py and a few more
    ("举办培训班的次数", "indicator", 5, Filters()),
    ("按计划完成事业人事信息系统及微信公众号运维服务", "goal", 3, Filters()),
    ("房屋加固装修工程", "project", 3, Filters()),
    ("满意度", "indicator", 500, Filters(unit="上海市闵行区事业单位福利中心")),
    ("满意度", "indicator", 5, Filters(unit="上海市闵行区事业单位福利中心", form_type="tracking", year=2024)),
    ("满意度", "goal", 100, Filters(form_type="declaration")),
    ("系统运行稳定", "indicator", 20, Filters(unit="上海市闵行区社会保障服务中心")),
    ("参保人数", "indicator", 10, Filters(year=2024)),
]


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_search_equals_faiss_exact(corpus, vectors, mode):
    db = corpus[0]
    with Store(db) as s:
        for query, kind, n, f in QUERIES:
            got = search(s, db, query, kind, n, f, mode=mode, vectors=vectors)
            want = search(s, db, query, kind, n, f, mode=mode)
            _same_hits(got.hits, want.hits)
            assert not got.stale and got.model == want.model


def test_search_scenarios(corpus, vectors):
    """The important assertions of tests/test_search.py, through --vectors."""
    db = corpus[0]
    args = ["--db", str(db)] + (["--vectors", vectors] if vectors else [])
    res = runner.invoke(app, ["search", "举办培训班的次数", *args, "-n", "5", "-f", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert "培训班开展班次" in [h["text"] for h in out["hits"][:2]]
    assert sum(s["count"] for s in out["target_summary"]) == 5
    unit = "上海市闵行区事业单位福利中心"
    with Store(db) as s:
        goals = search(s, db, "按计划完成事业人事信息系统及微信公众号运维服务", "goal", 3, vectors=vectors)
        assert {h.project_name for h in goals.hits[:3]} >= {"信息系统运维费", "就业创业综合服务项目"}
        all_hits = search(s, db, "满意度", "indicator", 500, Filters(unit=unit), vectors=vectors)
        assert len(all_hits.hits) == 39 and {h.unit for h in all_hits.hits} == {unit}
        decl = search(s, db, "满意度", "goal", 100, Filters(form_type="declaration"), vectors=vectors)
        assert len(decl.hits) == 11 and {h.form_type for h in decl.hits} == {"declaration"}


def test_similar_equals_faiss_exact(corpus, vectors):
    db = corpus[0]
    with Store(db) as s:
        (me,), hits = similar(s, db, "信息系统运维费", 3, vectors=vectors)
        _, want = similar(s, db, "信息系统运维费", 3)
    assert me["project_name"] == "信息系统运维费"
    assert hits[0].project_name == "就业创业综合服务项目" and "运维计划完成率" in hits[0].shared_indicators
    assert [(h.project_name, h.unit) for h in hits] == [(h.project_name, h.unit) for h in want]
    assert np.allclose([h.score for h in hits], [h.score for h in want], atol=TOL)
    args = ["--db", str(db)] + (["--vectors", vectors] if vectors else [])
    res = runner.invoke(app, ["similar", "宁夏路627号", *args, "-n", "1", "-f", "json"])
    assert json.loads(res.stdout)["similar"][0]["project_name"] == "志丹路4号房屋整体加固装修及外立面修缮"


def test_environment_variable_chooses_the_backend(corpus, monkeypatch):
    db, spec = corpus
    bare = db.parent / "bare.db"  # no FAISS files beside it: only Milvus can answer
    shutil.copy(db, bare)
    monkeypatch.setenv("JIXIAO_VECTORS", spec)
    res = runner.invoke(app, ["search", "培训课程出席率", "--db", str(bare), "-n", "1", "--mode", "dense", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["hits"][0]["text"] == "培训课程出席率"
    monkeypatch.delenv("JIXIAO_VECTORS")
    res = runner.invoke(app, ["search", "培训课程出席率", "--db", str(bare), "--mode", "dense"])
    assert res.exit_code == 1 and "no indicator index beside" in res.stderr


def test_index_is_up_to_date_and_errors_are_one_line(corpus, tmp_path):
    db, spec = corpus
    res = runner.invoke(app, ["index", "--db", str(db), "--vectors", spec, "-f", "json"])
    assert [(r["status"], r["embedded"]) for r in json.loads(res.stdout)] == [("up-to-date", 0)] * 3

    def fails(args, text, code=1):
        res = runner.invoke(app, args)
        assert res.exit_code == code and text in res.stderr, (args, res.stderr)

    fails(["search", "满意度", "--db", str(db), "--vectors", "qdrant://x"], "unknown --vectors")
    fails(["search", "满意度", "--db", str(db), "--vectors", f"milvus-lite:{tmp_path / 'v.milvus'}"], "must end in .db")
    fails(["search", "满意度", "--db", str(db), "--vectors", f"milvus-lite:{tmp_path / 'empty.db'}"],
          "no indicator vectors in")
    fails(["review", "--db", str(db), "--vectors", "qdrant://x"], "unknown --vectors")


@pytest.fixture(scope="module")
def sample_forms():
    return [f for p in sorted(EXAMPLES.glob("*.txt")) for f in parse_file(p).forms]


def test_review_findings_equal(corpus, sample_forms):
    """The review of the examples (tests/test_review.py's sample_report) with candidates from Milvus."""
    from jixiao.index.vectorstore import open_vectors
    from jixiao.review.engine import review
    from jixiao.review.neardup import through

    store = open_vectors(corpus[1], None)
    started = time.perf_counter()
    want = review(sample_forms)
    TIMES["review, faiss candidates"] = time.perf_counter() - started
    started = time.perf_counter()
    with through(store):
        got = review(sample_forms)
    TIMES["review, milvus-lite candidates"] = time.perf_counter() - started
    assert sorted(f.id for f in got.flags) == sorted(f.id for f in want.flags)
    tables = [{(p.project_name, p.form_type) for p in f.projects} for f in got.flags if f.code == "indicator.table_copied"]
    assert {("宁夏路627号6幢房屋加固、外立面修缮及装修", "self_evaluation"), ("志丹路4号房屋整体加固装修及外立面修缮", "self_evaluation")} in tables
    goals = [{(p.project_name, p.unit) for p in f.projects} for f in got.flags if f.code == "goal.boilerplate_shared"]
    assert {("信息系统运维费", "上海市普陀区人力资源和社会保障局"), ("就业创业综合服务项目", "上海市普陀区就业促进中心")} in goals
    assert len(goals) == 3
    mis = {f.evidence[0].text.split("/")[-1] for f in got.flags if f.code == "indicator.misplaced"}
    assert {"长效管理制度建设", "预算执行率", "整体预算执行率"} <= mis
    # the review's collections are dropped with the run
    assert not [c for c in store.client.list_collections() if "review_" in c]


def test_review_command_with_vectors(corpus):
    db, spec = corpus
    base = runner.invoke(app, ["review", "--db", str(db), "-f", "json"])
    res = runner.invoke(app, ["review", "--db", str(db), "--vectors", spec, "-f", "json"])
    assert base.exit_code == res.exit_code == 0, res.output
    ids = lambda r: sorted(f["id"] for f in json.loads(r.stdout)["flags"])  # noqa: E731
    assert ids(res) == ids(base) and ids(base)


def test_knn_equals_faiss_exact(corpus):
    """Candidate generation on generated vectors (ties-free): the same neighbours and scores."""
    from jixiao.index.vectorstore import open_vectors
    from jixiao.review.neardup import knn, through

    x = np.random.default_rng(1).normal(size=(3000, 64)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    want_s, want_i, _ = knn(x, 10, 0.5)
    started = time.perf_counter()
    with through(open_vectors(corpus[1], None)):
        got_s, got_i, nprobe = knn(x, 10, 0.5)
    TIMES["knn 3000 x 64, milvus-lite"] = time.perf_counter() - started
    assert nprobe is None and got_i.shape == want_i.shape
    assert (got_i == want_i).all() and np.abs(got_s - want_s).max() < TOL


def test_milvus_ivf_filtered_search_is_exact(corpus):
    """As tests/test_search.py's IVF test: an IVF collection, searched under a filter, loses nothing."""
    import faiss

    from jixiao.index.vectorstore import open_vectors

    x = np.random.default_rng(2).normal(size=(4000, 32)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ids = np.arange(len(x), dtype=np.int64) * 7
    store = open_vectors(corpus[1], None)
    try:
        info = store.build("ivf_check", ids, x, model="m", corpus_version=0, index_type="ivf")
        assert info.index_type == "ivf" and info.nlist and info.nprobe and info.tuned_recall >= 0.95
        allowed = ids[::5]
        got_s, got_i = store.search("ivf_check", x[:20], 10, allowed)
        want_s, want_j = faiss.knn(x[:20], x[::5], 10, metric=faiss.METRIC_INNER_PRODUCT)
        assert (got_i == allowed[want_j]).all() and np.abs(got_s - want_s).max() < TOL
    finally:
        store.drop("ivf_check")


def test_milvus_filters_are_scalar_expressions(corpus):
    """Filters on the stored form fields, names with quotes and backslashes included, equal the id list."""
    from jixiao.index import milvus_store
    from jixiao.index.vectorstore import open_vectors

    store = open_vectors(corpus[1], None)
    assert store._record("indicator")["scalar_fields"] == ["department", "form_type", "unit", "year"]
    x = np.random.default_rng(3).normal(size=(60, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    units = ['单位"甲', "单位\\乙", None] * 20
    years = [2023, 2024, None, 2024] * 15
    fields = {"unit": units, "year": years, "form_type": ["tracking"] * 60, "department": [None] * 60}
    try:
        store.build("scalar_check", np.arange(60, dtype=np.int64), x, model="m", corpus_version=0, fields=fields)
        for where in ({"unit": '单位"甲'}, {"unit": "单位\\乙", "year": 2024}, {"year": 2023, "form_type": "tracking"}):
            expr = milvus_store._expression(where, {"unit", "year", "form_type", "department"})
            assert expr and "id in" not in expr
            allowed = np.array([i for i in range(60) if all((units if k == "unit" else years if k == "year" else
                                                              fields[k])[i] == v for k, v in where.items())])
            got_s, got_i = store.search("scalar_check", x[:3], 5, allowed, where)
            ids_s, ids_i = store.search("scalar_check", x[:3], 5, allowed)
            assert (got_i == ids_i).all() and np.allclose(got_s, ids_s) and set(got_i.ravel()) <= set(allowed)
    finally:
        store.drop("scalar_check")


def test_streaming_review_with_vectors(corpus):
    """`review --stream` runs the corpus checks in this process: their candidates come from Milvus too."""
    db, spec = corpus
    runs = [runner.invoke(app, ["review", "--db", str(db), "--stream", "-f", "jsonl", *extra])
            for extra in ([], ["--vectors", spec])]
    assert [r.exit_code for r in runs] == [0, 0], runs[1].output
    ids = [sorted(json.loads(line)["id"] for line in r.stdout.splitlines() if line.strip() and '"id"' in line)
           for r in runs]
    assert ids[0] == ids[1] and ids[0]
