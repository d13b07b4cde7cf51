"""Near-duplicate texts: goals pasted across projects, or results that paste the promise.

An embedding finds candidates quickly, but semantic similarity is not copying: a goal reworded with
the same meaning has a high cosine and must not be reported as a copy. So every candidate pair is
verified with an exact character measure (trigram Dice on normalised text) before it counts; the
embedding only decides which pairs are worth checking.

Groups are built around a principal text, never as connected components: A~B and B~C would chain
A and C together although nobody copied A into C. Every member is verified against its group's
principal directly. The thresholds are measured on bench/data/neardup_pairs.jsonl (bench/RESULTS.md,
"Near-duplicate step (issue 4)").
"""

from __future__ import annotations

import heapq
import itertools
import math
import os
import sys
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

import faiss
import numpy as np

MIN_LEXICAL = 0.70  # labelled pairs: rewrites and other goals reach 0.64, copies with an edit start at 0.78
MIN_COSINE = 0.75   # a gate, not the test: copies start at 0.86 (labelled), 0.70 (long clause added)
NGRAM = 3           # trigrams separate copies from rewrites best (bigrams, difflib's ratio let rewrites in)
FLAT_MAX = 10_000   # exact search up to this many distinct texts; IVF is faster above (measured)
IVF_LISTS = 2.0     # IVF lists per sqrt(n): at 100k, 1 was 15% faster but missed 1.7x the pairs; 4 slower
NEAR_RECALL = 0.99  # IVF must find this share of the near duplicates exact search finds (on a sample)


@dataclass
class Group:
    principal: int        # index (into texts) of the group's most central member
    members: list[int]    # other members, most similar to the principal first
    lexical: list[float]  # lexical similarity of each member to the principal
    cosine: list[float]   # embedding cosine of each member to the principal


@lru_cache(maxsize=1)
def _drop() -> dict[int, None]:
    # Punctuation, spaces and control/format characters say nothing about copying: writers pick
    # "，" or "。" between clauses freely, and PDF exports add wrapped spaces and zero-width marks.
    return {c: None for c in range(sys.maxunicode + 1)
            if (cat := unicodedata.category(chr(c)))[0] in "PZ" or cat in ("Cc", "Cf")}


def normalise(text: str) -> str:
    """NFKC, case-folded, without punctuation, spaces and control characters."""
    drop = _drop()
    # Dropping again after NFKC: compatibility forms can expand into punctuation ("⑴" -> "(1)").
    return unicodedata.normalize("NFKC", text.translate(drop)).casefold().translate(drop)


def _normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    # Char by char so each normalised character remembers where it came from (for highlighting);
    # it equals normalise() except for combining sequences that NFKC would compose.
    drop, out, pos = _drop(), [], []
    for i, ch in enumerate(text):
        folded = "" if ord(ch) in drop else unicodedata.normalize("NFKC", ch).casefold().translate(drop)
        out.append(folded)
        pos.extend([i] * len(folded))
    return "".join(out), pos


def _grams(s: str, n: int) -> tuple[set, int]:
    """The text's n-grams as a set, a repeated n-gram numbered so that sets count like multisets."""
    count = len(s) - n + 1
    grams = {s[i:i + n] for i in range(count)}
    if len(grams) < count:  # "…达100%…率达100%": the second "100" must match only a second "100"
        seen: dict[str, int] = {}
        grams = set()
        for i in range(count):
            g = s[i:i + n]
            seen[g] = r = seen.get(g, 0) + 1
            grams.add(g if r == 1 else (g, r))
    return grams, count


def _dice(p: tuple[set, int], q: tuple[set, int]) -> float:
    return 2.0 * len(p[0] & q[0]) / (p[1] + q[1]) if p[1] + q[1] else 0.0


def _similarity(x: str, y: str) -> float:
    if x == y:
        return 1.0
    n = min(NGRAM, len(x), len(y))  # texts shorter than a trigram compare on what they have
    return _dice(_grams(x, n), _grams(y, n)) if n else 0.0


def lexical_similarity(a: str, b: str) -> float:
    """Dice coefficient of the character trigrams of the normalised texts (multisets), 0..1."""
    return _similarity(normalise(a), normalise(b))


class LexicalCache:
    """lexical_similarity, each text normalised and cut into trigrams once: for texts compared many times."""

    def __init__(self):
        self._prepared: dict[str, tuple[str, tuple[set, int]]] = {}

    def _prepare(self, text: str) -> tuple[str, tuple[set, int]]:
        if text not in self._prepared:
            norm = normalise(text)
            self._prepared[text] = norm, _grams(norm, NGRAM)
        return self._prepared[text]

    def __call__(self, a: str, b: str) -> float:
        (x, gx), (y, gy) = self._prepare(a), self._prepare(b)
        if x == y or min(len(x), len(y)) < NGRAM:
            return _similarity(x, y)
        return _dice(gx, gy)


def shared_passages(a: str, b: str, min_len: int = 6) -> list[tuple[int, int, int]]:
    """(start_a, start_b, length) of passages both texts contain, in order (difflib's matching blocks).

    A passage has one length in both texts and differs at most in punctuation and width; a run whose
    originals differ in length (a wrapped space on one side) is split there, so both spans highlight.
    """
    (na, pa), (nb, pb), out = _normalise_with_offsets(a), _normalise_with_offsets(b), []
    for i, j, size in SequenceMatcher(None, na, nb, autojunk=False).get_matching_blocks():
        start = 0
        for t in range(1, size + 1):
            if t == size or pa[i + t] - pa[i + t - 1] != pb[j + t] - pb[j + t - 1]:
                if t - start >= min_len:
                    out.append((pa[i + start], pb[j + start], pa[i + t - 1] - pa[i + start] + 1))
                start = t
    return out


# The vector store candidate generation goes through (`jixiao review --vectors`, index/vectorstore.py);
# None: FAISS in this process, as always. Set for the length of one review by `through()`.
_vector_store = None
_collections = itertools.count()


@contextmanager
def through(store):
    """knn() searches `store` (a VectorStore; None: in-process FAISS) while the block runs."""
    global _vector_store
    before, _vector_store = _vector_store, store
    try:
        yield
    finally:
        _vector_store = before


def _store_knn(store, x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    # A review-time collection of the vectors handed over, dropped after: the rows' positions are its ids.
    kind = f"review_{os.getpid()}_{next(_collections)}"
    try:
        store.build(kind, np.arange(len(x), dtype=np.int64), x, model="review", corpus_version=0)
        return store.search(kind, x, k)
    finally:
        store.drop(kind)


def knn(x: np.ndarray, k: int, min_cosine: float, verified=None) -> tuple[np.ndarray, np.ndarray, int | None]:
    """Scores and ids of each row's k+1 nearest rows (itself included), and IVF's nprobe if IVF ran.

    IVF's nprobe is tuned to find NEAR_RECALL of the pairs, `verified(i, j)` lexically, that exact
    search finds for a sample of rows. Inside `through(store)` the store answers instead."""
    n, d = x.shape
    k = min(k + 1, n)  # +1: each row finds itself first
    if _vector_store is not None and n > 0:
        return (*_store_knn(_vector_store, x, k), None)
    if n <= FLAT_MAX:  # faiss.knn: IndexFlatIP's exact search, without copying x into an index
        return (*faiss.knn(x, x, k, metric=faiss.METRIC_INNER_PRODUCT), None)
    nlist = int(IVF_LISTS * math.sqrt(n))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    index.train(x[np.sort(rng.choice(n, size=min(n, 40 * nlist), replace=False))])
    index.add(x)
    q = np.sort(rng.choice(n, size=min(n, 1000), replace=False))
    ds, ids = faiss.knn(x[q], x, k, metric=faiss.METRIC_INNER_PRODUCT)
    near = {(a, b) for a, row, srow in zip(q.tolist(), ids.tolist(), ds.tolist())
            for b, s in zip(row, srow) if b != a and s >= min_cosine}
    want = {p for p in near if verified(*p)} if verified else set()
    want = want if len(want) >= 50 else near  # too few copies in the sample: tune on the cosine alone
    ends = np.unique(np.array(sorted(want), dtype=np.int64).ravel())  # a pair counts from either end
    nprobe = 4 if want else 8
    while want and nprobe < nlist:
        index.nprobe = nprobe
        res = dict(zip(ends.tolist(), map(set, index.search(x[ends], k)[1].tolist())))
        if sum(b in res[a] or a in res[b] for a, b in want) >= NEAR_RECALL * len(want):
            break
        nprobe *= 2
    index.nprobe = min(nprobe, nlist)
    return (*index.search(x, k), index.nprobe)


def _verified_pairs(keys: list[str], x: np.ndarray, k: int, min_lexical: float, min_cosine: float,
                    node_owner: np.ndarray | None) -> list[list[tuple[int, float]]]:
    """Per node, the nodes it is verified against (lexical and cosine), with their lexical similarity."""
    m = len(keys)
    adj: list[list[tuple[int, float]]] = [[] for _ in range(m)]
    if m < 2:
        return adj
    scores, ids, _ = knn(x, k, min_cosine, lambda i, j: _similarity(keys[i], keys[j]) >= min_lexical)
    rows = np.repeat(np.arange(m, dtype=np.int64), ids.shape[1])
    cols = ids.ravel().astype(np.int64)
    ok = (cols >= 0) & (cols != rows) & (scores.ravel() >= min_cosine - 1e-4)
    pairs = np.unique(np.minimum(rows[ok], cols[ok]) * m + np.maximum(rows[ok], cols[ok]))  # once, in order
    a, b = pairs // m, pairs % m
    # Recomputed in small chunks (a pair gathers 4 KB of rows) so that the threshold does not depend
    # on which FAISS index or BLAS path scored the pair.
    cos = np.concatenate([np.einsum("ij,ij->i", x[a[s:s + 8192]], x[b[s:s + 8192]])
                          for s in range(0, len(a), 8192)] or [np.zeros(0, np.float32)])
    keep = cos >= min_cosine
    # Dice cannot exceed 2·min/(sum) of the two trigram counts: skip pairs too different in length.
    g = np.fromiter((len(t) for t in keys), dtype=np.int64, count=m) - (NGRAM - 1)
    keep &= (np.minimum(g[a], g[b]) < 1) | (2.0 * np.minimum(g[a], g[b]) >= min_lexical * (g[a] + g[b]))
    if node_owner is not None:  # nodes whose texts all have one and the same owner never pair
        keep &= ~((node_owner[a] >= 0) & (node_owner[a] == node_owner[b]))
    prof_u, last_u = None, -1
    for u, v in zip(a[keep].tolist(), b[keep].tolist()):
        if min(len(keys[u]), len(keys[v])) < NGRAM:
            lex = _similarity(keys[u], keys[v])
        else:
            if u != last_u:  # pairs come sorted by u: its trigrams are built once
                prof_u, last_u = _grams(keys[u], NGRAM), u
            lex = _dice(prof_u, _grams(keys[v], NGRAM))
        if lex >= min_lexical:
            adj[u].append((v, lex))
            adj[v].append((u, lex))
    return adj


def near_duplicate_groups(texts: list[str], vectors: np.ndarray, *, min_lexical: float = MIN_LEXICAL,
                          min_cosine: float = MIN_COSINE, k: int = 20, same_owner: list | None = None,
                          min_chars: int = 1) -> list[Group]:
    """Groups of near-duplicate texts, the most central (highest summed similarity) first.

    A pair counts when its normalised texts are identical, or when their trigram Dice reaches
    `min_lexical` and the cosine of their vectors (L2-normalised rows) reaches `min_cosine`.
    Pairs whose `same_owner` keys are equal (and not None) are ignored. Texts with fewer than
    `min_chars` normalised characters are never grouped.
    """
    n = len(texts)
    owner = [None] * n if same_owner is None else same_owner
    if vectors.shape[0] != n or len(owner) != n:
        raise ValueError(f"{n} texts, {vectors.shape[0]} vectors and {len(owner)} owner keys")

    def same(i: int, j: int) -> bool:
        return owner[i] is not None and owner[i] == owner[j]

    # Texts identical after normalisation become one node: compared once, and a boilerplate pasted
    # fifty times cannot fill its own k nearest neighbours so that its near copies go unseen.
    node_of: dict[str, int] = {}
    left: list[list[int]] = []  # per node, its texts not yet in a group, ascending
    for i, t in enumerate(texts):
        key = normalise(t)
        if len(key) >= max(1, min_chars):
            if node_of.setdefault(key, len(left)) == len(left):
                left.append([])
            left[node_of[key]].append(i)
    keys, m = list(node_of), len(left)
    vec = np.ascontiguousarray(vectors, dtype=np.float32)
    x = vec if m == n else np.ascontiguousarray(vec[[c[0] for c in left]])
    node_owner = None
    if same_owner is not None:
        codes: dict = {}
        node_owner = np.array([codes.setdefault(o.pop(), len(codes)) if len(o) == 1 and None not in o else -1
                               for o in ({owner[i] for i in c} for c in left)], dtype=np.int64)
    adj = _verified_pairs(keys, x, k, min_lexical, min_cosine, node_owner)

    def take(u: int) -> tuple[int, list[tuple[int, float, float]]]:
        # What node u's first free text would gather as principal: the free texts verified against it.
        p = left[u][0]
        twins = [c for c in left[u][1:] if not same(p, c)]  # identical texts: no cosine gate
        got = [(c, 1.0, cs) for c, cs in zip(twins, (vec[twins] @ vec[p]).tolist() if twins else ())]
        for v, lex in adj[u]:
            free = [c for c in left[v] if not same(p, c)]
            for c, cs in zip(free, (vec[free] @ vec[p]).tolist() if free else ()):
                if cs >= min_cosine:
                    got.append((c, lex, cs))
        return p, got

    def score(u: int) -> float:
        return sum(lex for _, lex, _ in take(u)[1]) if left[u] else 0.0

    # Greedy: the free text with the highest sum of verified similarities to other free texts leads
    # a group of exactly those texts. Sums only fall as texts are taken, so a lazy heap of stale upper
    # bounds finds the maximum; a node whose first free text was taken gets a fresh entry, because
    # under same_owner its next text may gather texts the first could not.
    heap = [(-s, u) for u in range(m) if (len(left[u]) > 1 or adj[u]) and (s := score(u)) > 0]
    heapq.heapify(heap)
    groups: list[Group] = []
    while heap:
        _, u = heapq.heappop(heap)
        if not left[u]:
            continue
        p, got = take(u)
        s = sum(e[1] for e in got)
        if s <= 0:
            continue
        if heap and (-s, u) > heap[0]:  # it was a stale bound: back in line with its true sum
            heapq.heappush(heap, (-s, u))
            continue
        got.sort(key=lambda e: (-e[1], -e[2], e[0]))
        groups.append(Group(p, [e[0] for e in got], [e[1] for e in got], [e[2] for e in got]))
        taken = {p, *(e[0] for e in got)}
        for v in [u, *(w for w, _ in adj[u])]:
            if left[v] and not taken.isdisjoint(left[v]):
                head = left[v][0]
                left[v] = [c for c in left[v] if c not in taken]
                if left[v] and left[v][0] != head and (s := score(v)) > 0:
                    heapq.heappush(heap, (-s, v))
    return groups
