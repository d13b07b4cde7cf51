"""Review of a generated corpus: time and memory per check, with embeddings cached and cold.

    python bench/bench_review.py                 # 10,000 forms (about 150,000 indicator rows)
    python bench/bench_review.py --forms 2000    # quicker

Forms come from testkit/synth.py (the samples' vocabulary recombined; other years and districts), are
written as text files, ingested into a real corpus file and indexed, as a user would. Then, in one run:
- uncached: `review` embedding every text it needs with the model (the obvious alternative: no
  store, or a corpus whose cache is empty);
- cached: the same review with the corpus's embedding cache (SQLite, by model and text hash), filled
  by the index build and the first run — the case the issue asks for;
- per check, the time each registered check takes in the warm run, so the slow one is visible.
Peak RSS is the process's high-water mark (getrusage); the RSS after loading the forms is given
for comparison. The generated corpus is kept in bench/out/ so a re-run does not ingest again.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from testkit.synth import generate_corpus
from jixiao.index.build import build_indexes, corpus_model
from jixiao.index.embed import load_embedder
from jixiao.index.ingest import ingest
from jixiao.index.store import Store
from jixiao.index.vectors import embed_cached
from jixiao.review import catalogue
from jixiao.review.engine import review

OUT = Path(__file__).resolve().parent / "out"
FORMS_PER_FILE = 100


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus(n: int, seed: int) -> Path:
    """A corpus file of n generated forms, ingested and indexed once and kept."""
    db = OUT / f"review-corpus-{n}-{seed}.db"
    if db.with_suffix(".done").exists():
        return db
    folder = OUT / f"review-corpus-{n}-{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    forms = generate_corpus(n, seed=seed)
    files = []
    for i in range(0, n, FORMS_PER_FILE):
        path = folder / f"generated_{i // FORMS_PER_FILE:04d}.txt"
        path.write_text("".join(text for text, _ in forms[i:i + FORMS_PER_FILE]), encoding="utf-8")
        files.append(path)
    done = db.with_suffix(".done")
    if db.exists() and not done.exists():  # an interrupted earlier build: start again
        for p in OUT.glob(db.name + "*"):
            p.unlink()
    t = time.perf_counter()
    store = Store(db, create=True)
    bad = [r for r in ingest(store, files) if r.error]
    if bad:
        raise SystemExit(f"generated files failed to ingest: {bad[:3]}")
    print(f"ingested {n} forms from {len(files)} files in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    t = time.perf_counter()
    build_indexes(store, db)
    store.close()
    done.write_text("ok")
    print(f"indexed in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return db


def timed_checks() -> dict[str, float]:
    """Wrap every registered check so the warm run can say where its time goes."""
    spent: dict[str, float] = Counter()
    for i, check in enumerate(catalogue.CHECKS):
        fn = check.fn

        def wrapper(*args, _fn=fn, _name=",".join(check.codes)):
            t = time.perf_counter()
            out = list(_fn(*args))
            spent[_name] += time.perf_counter() - t
            return out
        catalogue.CHECKS[i] = catalogue.Check(check.codes, wrapper, check.scope)
    return spent


def timed_worklist() -> list[float]:
    """Wrap the worklist pass (grouping and ranking after the checks) so its time is reported apart."""
    from jixiao.review import engine

    spent: list[float] = []
    organise = engine.organise

    def wrapper(*args, **kw):
        t = time.perf_counter()
        out = organise(*args, **kw)
        spent.append(time.perf_counter() - t)
        return out
    engine.organise = wrapper
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forms", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    db = corpus(args.forms, args.seed)
    gc.collect()
    start_rss = rss_mib()
    store = Store(db)
    t = time.perf_counter()
    forms = list(store.forms())
    load_s = time.perf_counter() - t
    n_ind = sum(len(f.indicators) for f in forms)
    loaded_rss = rss_mib()
    embedder = load_embedder(corpus_model(store, None))
    calls = Counter()

    def embed(texts):
        vecs, missing = embed_cached(store, embedder, texts)
        calls["texts"] += len(texts)
        calls["embedded"] += missing
        return vecs

    def encode(texts):
        calls["encoded"] += len(texts)
        return embedder.encode(texts) if texts else embedder.encode([""])[:0]

    embed_cached(store, embedder, [t for f in forms for t in (f.goal.expected, f.goal.actual) if t])  # fill the cache
    t = time.perf_counter()
    cold = review(forms, embed=encode)
    cold_s = time.perf_counter() - t
    cold_embedded = calls["encoded"]
    review(forms, embed=embed)  # whatever the review embeds beyond the index build is cached now
    calls.clear()
    spent = timed_checks()
    worklist = timed_worklist()
    t = time.perf_counter()
    warm = review(forms, embed=embed)
    warm_s = time.perf_counter() - t
    # The same findings either way, but for borderline similarities: the model's vectors differ in the
    # last bits with the batch a text is encoded in (about 1e-7), so a score on a threshold can flip.
    differ = len({f.id for f in warm.flags} ^ {f.id for f in cold.flags})
    result = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "forms": len(forms), "indicator_rows": n_ind, "load_forms_s": round(load_s, 2),
        "uncached_review_s": round(cold_s, 1), "uncached_texts_encoded": cold_embedded,
        "cached_review_s": round(warm_s, 1), "cached_texts_embedded": calls["embedded"], "cached_texts_looked_up": calls["texts"],
        "findings": warm.summary.findings, "findings_differing_cached_vs_uncached": differ, "by_code": warm.summary.by_code,
        "rss_before_mib": round(start_rss), "rss_forms_loaded_mib": round(loaded_rss), "peak_rss_mib": round(peak_mib()),
        "cached_seconds_per_check": {k: round(v, 2) for k, v in sorted(spent.items(), key=lambda x: -x[1])},
        "worklist_s": round(worklist[-1], 2) if worklist else None, "groups": len(warm.groups),
        "projects_ranked": len(warm.summary.projects),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    store.close()


if __name__ == "__main__":
    main()
