"""Search modes and the fusion of dense and lexical rankings (`jixiao search --mode`).

- dense: cosine similarity of the query's embedding (FAISS).
- lexical: BM25 over character n-grams (index/lexical.py), divided by the query's own BM25 score,
  so 1 ≈ the text holds every n-gram of the query.
- hybrid: DENSE_WEIGHT × dense + (1 − DENSE_WEIGHT) × lexical, both scores exact for every candidate.

Chosen by measurement (bench/eval_search_modes.py, bench/RESULTS.md "Dense, lexical and hybrid
search"): on the labelled set the weighted sum beat reciprocal rank fusion (goals: MRR 0.991 against
0.970 for RRF, k = 60, which fell below lexical alone), and the weight 0.45 is where both kinds score
their best (goals from 0.3 to 0.5, indicators from 0.45 to 0.5); normalizing BM25 by the query's own score rather than by
the best hit's keeps a score independent of the filters and meaningful for --min-score.
"""

from __future__ import annotations

import threading
from pathlib import Path

from jixiao.index import lexical

MODES = ("dense", "lexical", "hybrid")
DENSE_WEIGHT = 0.45
# Per kind, the mode at least as good as the others on every measure of the labelled set.
DEFAULT_MODE = {"indicator": "hybrid", "goal": "hybrid", "project": "hybrid"}
CANDIDATES = 100  # hybrid: the top this many (or the hits wanted, if more) of each ranking are fused


def fuse(dense: dict[int, float], lex: dict[int, float]) -> list[tuple[int, float]]:
    """(id, hybrid score), best first; both dicts hold a score for every candidate id."""
    fused = {i: DENSE_WEIGHT * dense[i] + (1 - DENSE_WEIGHT) * lex.get(i, 0.0) for i in dense}
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


# Open lexical indexes by path and mtime, as search._open keeps the FAISS ones: a server searches
# thousands of times, and a rebuilt index (new mtime) is read again.
_opened: dict[tuple, lexical.LexicalIndex] = {}
_lock = threading.Lock()


def open_lexical(db: Path, kind: str) -> lexical.LexicalIndex:
    p = lexical.path(db, kind)
    try:
        stamp = p.stat().st_mtime_ns
    except OSError:
        return lexical.load(db, kind)  # raises: no index, run `jixiao index`
    key = (str(p.resolve()), stamp)
    if (hit := _opened.get(key)) is not None:
        return hit
    with _lock:
        if (hit := _opened.get(key)) is None:
            for k in [k for k in _opened if k[0] == key[0]]:
                del _opened[k]
            hit = _opened[key] = lexical.load(db, kind)
        return hit
