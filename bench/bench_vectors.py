"""FAISS files against Milvus Lite (`--vectors`): build time, query latency, recall, review candidates.

    python bench/bench_vectors.py                  # the 10,300-form corpus of bench_review.py
    python bench/bench_vectors.py --db corpus.db   # any ingested corpus (copied, never changed)

The corpus's embedding cache is used, so both backends index the same vectors and nothing is
embedded twice. Latency is of the vector search alone (the query's embedding excluded, it is the
same for both), one query at a time as `jixiao search` asks; recall@10 is against exact search
(faiss.knn) over the same vectors. Milvus Lite runs its engine inside this process: the peak memory
is of both backends together.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from jixiao.index.build import build_indexes  # noqa: E402
from jixiao.index.embed import load_embedder  # noqa: E402
from jixiao.index.items import indicator_items  # noqa: E402
from jixiao.index.search import Filters, _allowed  # noqa: E402
from jixiao.index.store import Store  # noqa: E402
from jixiao.index.vectors import embed_cached  # noqa: E402
from jixiao.index.vectorstore import open_vectors  # noqa: E402
from jixiao.review.neardup import knn, through  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def latency(vs, kind: str, queries: np.ndarray, k: int, allowed=None, where=None) -> dict:
    times = []
    for q in queries:
        t = time.perf_counter()
        vs.search(kind, q[None, :], k, allowed, where)
        times.append(time.perf_counter() - t)
    ms = np.array(times) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2)}


def recall(vs, kind: str, queries: np.ndarray, exact_ids: np.ndarray) -> float:
    _, ids = vs.search(kind, queries, 10)
    return round(float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids.tolist(), exact_ids.tolist())])), 4)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, default=OUT / "review-corpus-10300-0.db")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db}: no corpus; run python bench/bench_review.py first (it generates and ingests it)")
    work = Path(tempfile.mkdtemp(prefix="bench-vectors-"))
    db = work / "c.db"
    shutil.copy(args.db, db)
    result: dict = {"corpus": str(args.db), "cpus": os.cpu_count()}
    with Store(db) as store:
        forms = store.conn.execute("SELECT count(*) FROM forms").fetchone()[0]
        result["forms"] = forms
        t = time.perf_counter()
        reports = build_indexes(store, db, rebuild=True)
        result["faiss_build"] = {"seconds": round(time.perf_counter() - t, 2),
                                 "kinds": {r.kind: {"count": r.count, "type": r.index_type, "seconds": r.seconds,
                                                    "nprobe": r.nprobe} for r in reports}}
        spec = f"milvus-lite:{work / 'vectors.db'}"
        t = time.perf_counter()
        milvus = open_vectors(spec, db)
        result["milvus_lite_start_seconds"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        reports = build_indexes(store, db, rebuild=True, vectors=spec)
        result["milvus_lite_build"] = {"seconds": round(time.perf_counter() - t, 2),
                                       "kinds": {r.kind: {"count": r.count, "type": r.index_type, "seconds": r.seconds,
                                                          "nprobe": r.nprobe, "tuned_recall": r.tuned_recall}
                                                 for r in reports}}
        faiss_store = open_vectors(None, db)
        embedder = load_embedder(store.get_meta("model"))
        items = list(indicator_items(store))
        rng = np.random.default_rng(0)
        texts = list(dict.fromkeys(items[i].text for i in rng.choice(len(items), 4 * args.queries, replace=False)))
        qv, _ = embed_cached(store, embedder, texts[:args.queries])
        unit = store.conn.execute("SELECT unit FROM forms GROUP BY unit ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        allowed = _allowed(store, "indicator", Filters(unit=unit))
        all_ids = np.array([it.id for it in items], np.int64)
        all_vecs, _ = embed_cached(store, embedder, [it.text for it in items])
        _, exact = faiss.knn(qv, all_vecs, 10, metric=faiss.METRIC_INNER_PRODUCT)
        exact_ids = all_ids[exact]
        result["queries"] = {"indicator": len(qv), "filter": f"unit = {unit} ({len(allowed)} indicators)"}
        for name, vs in (("faiss", faiss_store), ("milvus_lite", milvus)):
            result[f"{name}_search"] = {
                "indicator": latency(vs, "indicator", qv, 10),
                "indicator_filtered_by_ids": latency(vs, "indicator", qv[:50], 10, allowed),
                "indicator_filtered_by_fields": latency(vs, "indicator", qv[:50], 10, allowed, {"unit": unit}),
                "project": latency(vs, "project", qv[:50], 10),
                "indicator_recall@10": recall(vs, "indicator", qv, exact_ids),
            }
        # Review candidates: each goal text's 20 nearest among all goal texts (checks_goal_corpus's knn).
        goal_vecs = np.ascontiguousarray(embed_cached(store, embedder, [
            t for row in store.conn.execute("SELECT goal_expected, goal_actual FROM forms") for t in row if t])[0][:10_000])
        t = time.perf_counter()
        f_s, f_i, _ = knn(goal_vecs, 20, 0.75)
        result["review_knn"] = {"rows": len(goal_vecs), "faiss_seconds": round(time.perf_counter() - t, 2)}
        t = time.perf_counter()
        with through(milvus):
            m_s, m_i, _ = knn(goal_vecs, 20, 0.75)
        result["review_knn"]["milvus_lite_seconds"] = round(time.perf_counter() - t, 2)
        result["review_knn"]["max_score_difference"] = float(np.abs(m_s - f_s).max())
    import resource

    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_vectors.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
