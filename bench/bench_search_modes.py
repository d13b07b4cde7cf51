"""What hybrid search costs over dense search: latency per step and per mode on a generated corpus.

    python bench/bench_search_modes.py [--forms 10300] [--queries 100]

The corpus is bench/bench_review.py's (generated forms ingested and indexed as a user would; kept in
bench/out/; 10,300 forms ≈ 100,000 indicator rows, the size bench/bench_serve.py uses). Queries are
generated like bench_index.py's. Steps are timed apart because the query's embedding, the same in
dense and hybrid mode, dominates and swings with the machine's load.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_review import corpus  # noqa: E402
from testkit.texts import mixed_texts  # noqa: E402
from jixiao.index import faiss_index, hybrid  # noqa: E402
from jixiao.index.search import _open, search  # noqa: E402
from jixiao.index.store import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--forms", type=int, default=10300)
    ap.add_argument("--queries", type=int, default=100)
    args = ap.parse_args()
    db = corpus(args.forms, 0)
    queries = mixed_texts(args.queries, seed=11)
    with Store(db) as store:
        st = store.stats()
        print(f"{st['forms']} forms, {st['indicators']} indicator rows; {args.queries} queries")
        print(f"{'kind':<10} {'step / mode':<26} {'p50 ms':>7} {'p95 ms':>7}")
        for kind in ("indicator", "goal", "project"):
            index, info, embedder = _open(store, db, kind, None)
            lex = hybrid.open_lexical(db, kind)
            steps: dict[str, list[float]] = {}

            def timed(name: str, fn):
                t = time.perf_counter()
                value = fn()
                steps.setdefault(name, []).append(time.perf_counter() - t)
                return value

            for q in queries:
                qv = timed("embed the query", lambda: embedder.encode([q]).astype(np.float32))
                _, ids = timed(f"faiss top {hybrid.CANDIDATES} ({info.index_type})",
                               lambda: faiss_index.search(index, info, qv, hybrid.CANDIDATES))
                every = timed("bm25 every text", lambda: lex.normalized_scores(q))
                _, lids = timed(f"bm25 top {hybrid.CANDIDATES}", lambda: lex.top(every, hybrid.CANDIDATES))
                seen = set(ids[0].tolist())
                missing = np.array([i for i in lids if i not in seen], np.int64)
                if len(missing):
                    timed("faiss lexical-only ids", lambda: faiss_index.search(index, info, qv, len(missing), missing))
                for mode in hybrid.MODES:
                    timed(f"search() {mode}", lambda: search(store, db, q, kind, 10, mode=mode))
            for name, v in steps.items():
                print(f"{kind:<10} {name:<26} {np.median(v) * 1e3:>7.1f} {np.percentile(v, 95) * 1e3:>7.1f}")


if __name__ == "__main__":
    main()
