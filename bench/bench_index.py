"""Embedding throughput, index build time, search latency and recall at 10k / 100k / 1M vectors.

    python bench/bench_index.py                       # sizes 10000,100000,1000000
    python bench/bench_index.py --sizes 10000,100000  # quicker

Texts are recombined from the shipped samples' vocabulary (testkit/texts.py). In one run it compares:
- the embedding pipeline (dedupe + cache lookup + encode + write to the corpus's SQLite cache)
  against the model's raw `encode` on the same texts;
- jixiao's automatic index (exact below 50,000 vectors, IVF above, nprobe tuned at build) against
  exact search (IndexFlatIP) on the same vectors: build time, memory, latency including the query's
  embedding, and recall@10 of the approximate index against exact search.
Vectors are kept in bench/out/ so a re-run does not embed a million texts again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from testkit.texts import mixed_texts  # noqa: E402
from jixiao.index import faiss_index  # noqa: E402
from jixiao.index.embed import load_embedder  # noqa: E402
from jixiao.index.store import Store  # noqa: E402
from jixiao.index.vectors import embed_cached  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.array(xs) * 1000, p))


def embed_all(embedder, texts: list[str], tag: str) -> tuple[np.ndarray, float]:
    key = hashlib.sha1(("\n".join(texts[:1000]) + str(len(texts)) + embedder.model_id).encode()).hexdigest()[:12]
    path = OUT / f"vectors-{tag}-{len(texts)}-{key}.npy"
    if path.exists():
        return np.load(path), float("nan")
    t = time.perf_counter()
    parts = [embedder.encode(texts[i:i + 8192]) for i in range(0, len(texts), 8192)]
    secs = time.perf_counter() - t
    vecs = np.ascontiguousarray(np.vstack(parts), dtype=np.float32)
    OUT.mkdir(exist_ok=True)
    np.save(path, vecs)
    return vecs, secs


def bench_pipeline(embedder, texts: list[str]) -> dict:
    embedder.encode(texts[:256])  # load weights and warm up before timing either side
    t = time.perf_counter()
    embedder.encode(texts)
    raw = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as d:
        with Store(Path(d) / "c.db", create=True) as store:
            t = time.perf_counter()
            _, n_new = embed_cached(store, embedder, texts)
            pipe = time.perf_counter() - t
            t = time.perf_counter()
            _, n_again = embed_cached(store, embedder, texts)
            cached = time.perf_counter() - t
    return {"texts": len(texts), "raw_per_s": len(texts) / raw, "pipeline_per_s": len(texts) / pipe,
            "ratio": raw / pipe, "embedded": n_new, "cached_rerun_s": cached, "embedded_on_rerun": n_again}


def bench_size(embedder, xb: np.ndarray, queries: list[str], k: int = 10) -> dict:
    ids = np.arange(len(xb), dtype=np.int64)
    row: dict = {"vectors": len(xb)}
    qv_all = embedder.encode(queries)
    for name, index_type in (("exact", "flat"), ("auto", "auto")):
        before = rss_mb()
        index, extra = faiss_index.build(xb, ids, index_type)
        info = faiss_index.IndexInfo(kind="bench", model=embedder.model_id, dim=xb.shape[1], count=len(xb),
                                     corpus_version=0, **extra)
        lat = []
        got = []
        for q in queries:
            t = time.perf_counter()
            qv = embedder.encode([q])
            _, found = faiss_index.search(index, info, qv, k)
            lat.append(time.perf_counter() - t)
            got.append(found[0])
        search_only = []
        for i in range(len(queries)):
            t = time.perf_counter()
            faiss_index.search(index, info, qv_all[i:i + 1], k)
            search_only.append(time.perf_counter() - t)
        row[name] = {"type": extra["index_type"], "build_s": extra["build_seconds"], "nprobe": extra.get("nprobe"),
                     "index_mb": len(faiss.serialize_index(index)) / 2**20, "rss_delta_mb": rss_mb() - before,
                     "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95),
                     "search_p50_ms": pct(search_only, 50), "search_p95_ms": pct(search_only, 95)}
        row[name]["_found"] = got
        del index
    truth = row["exact"].pop("_found")
    found = row["auto"].pop("_found")
    row["auto"]["recall_at_10"] = float(np.mean([len(set(a) & set(b)) / k for a, b in zip(found, truth)]))
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--pipeline-texts", type=int, default=20000)
    ap.add_argument("--model", default="use-m3")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    embedder = load_embedder(args.model)
    print(f"model {embedder.model_id} ({embedder.dim}-d); {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, faiss {faiss.__version__}", flush=True)
    t = time.perf_counter()
    texts = mixed_texts(max(sizes), seed=0)
    corpus = set(texts)
    queries = [q for q in mixed_texts(args.queries * 2, seed=99) if q not in corpus][: args.queries]
    print(f"generated {len(texts)} distinct texts in {time.perf_counter() - t:.1f}s", flush=True)

    pipe = bench_pipeline(embedder, texts[: args.pipeline_texts])
    print(f"embedding {pipe['texts']} texts: raw encode {pipe['raw_per_s']:.0f}/s, pipeline {pipe['pipeline_per_s']:.0f}/s "
          f"(ratio {pipe['ratio']:.3f}); re-run on the same texts embedded {pipe['embedded_on_rerun']} in "
          f"{pipe['cached_rerun_s']:.2f}s", flush=True)

    vecs, secs = embed_all(embedder, texts, args.model)
    if secs == secs:
        print(f"embedded {len(texts)} texts in {secs:.0f}s ({len(texts) / secs:.0f}/s)", flush=True)
    rows = []
    print(f"{'vectors':>9} {'index':>6} {'type':>5} {'build s':>8} {'nprobe':>6} {'index MB':>9} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'search p50':>10} {'recall@10':>9}", flush=True)
    for n in sizes:
        row = bench_size(embedder, np.ascontiguousarray(vecs[:n]), queries)
        rows.append(row)
        for name in ("exact", "auto"):
            r = row[name]
            rec = f"{r['recall_at_10']:.3f}" if "recall_at_10" in r else "1 (ref)"
            print(f"{n:>9} {name:>6} {r['type']:>5} {r['build_s']:>8.2f} {str(r['nprobe'] or '-'):>6} "
                  f"{r['index_mb']:>9.1f} {r['p50_ms']:>7.2f} {r['p95_ms']:>7.2f} {r['search_p50_ms']:>10.3f} {rec:>9}",
                  flush=True)
    print(f"peak RSS {peak_mb():.0f} MB", flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_index.json").write_text(json.dumps({"pipeline": pipe, "sizes": rows, "peak_rss_mb": peak_mb(),
                                                      "model": embedder.model_id}, indent=1))


if __name__ == "__main__":
    main()
