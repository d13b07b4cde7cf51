"""Lexical (BM25) indexes beside the corpus, one per kind: `corpus.db.goal.bm25.npz` and so on.

Dense search misses what reviewers' queries share with the forms character for character: place
names, numbers, the rare word of a project (志丹路4号, 3298人). BM25 over character n-grams finds
those (bench/RESULTS.md, "Dense, lexical and hybrid search").

Tokens: each run of CJK characters gives its characters and its character bigrams; each run of
latin letters or digits gives one word. No dictionary segmenter: 预算执行率 and 执行率 share their
bigrams whatever a segmenter would have cut.

Own code on scipy, not the bm25s package: bm25s saves an index as a folder of several files (no
single atomic replace), numbers documents 0…N-1 (an id map is needed anyway), tokenizes by words
(we give our own tokens anyway) and filters with a weight mask that leaves excluded documents in
the result at score 0. What is left of it is the BM25 formula below.

One file per kind (a .npz with the document×term weights, the ids, the vocabulary and a JSON
header) written by rename, so a reader sees the old index or the new one. The header records the
corpus version it reflects, as the FAISS index's JSON does: a changed corpus makes it stale.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from jixiao.index.faiss_index import IndexError_, _atomic_write
from jixiao.index.items import Kind, goal_items, indicator_items
from jixiao.index.location import index_base, shown
from jixiao.index.store import Store

TOKENIZER = "cjk-1-2+words/1"  # a change here makes every saved lexical index stale
# The usual BM25 constants. Others tried on the labelled set (k1 0.8–2.0, b 0.3–0.9) were not better
# on both kinds at once: b 0.3 put goals at MRR 1.000 and indicators down from 0.809 to 0.781.
K1, B = 1.2, 0.75

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z]+|[0-9]+(?:\.[0-9]+)?")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def tokens(text: str) -> list[str]:
    """Characters and character bigrams of CJK runs, words of latin and digit runs."""
    out: list[str] = []
    for run in _RUN.findall(unicodedata.normalize("NFKC", text or "").lower()):
        if _CJK.match(run):
            out.extend(run)
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def path(db: Path, kind: str) -> Path:
    return Path(f"{index_base(db)}.{kind}.bm25.npz")


@dataclass
class LexicalIndex:
    kind: str
    ids: np.ndarray  # int64, ascending: the same ids as the kind's FAISS index
    vocab: dict[str, int]
    weights: sparse.csc_matrix  # documents × terms, BM25 term weights (idf × saturated tf)
    corpus_version: int
    avgdl: float = 1.0  # mean document length in tokens
    tokenizer: str = TOKENIZER
    build_seconds: float | None = None

    @property
    def count(self) -> int:
        return len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every document (in `ids` order); each query term counts once."""
        cols = sorted({self.vocab[t] for t in tokens(query) if t in self.vocab})
        if not cols or not self.count:
            return np.zeros(self.count, np.float32)
        # The query's columns added up in place: a little faster than slicing the matrix, which
        # copies the columns first (a 率 column holds most documents).
        w, out = self.weights, np.zeros(self.count, np.float32)
        for c in cols:
            a, b = w.indptr[c], w.indptr[c + 1]
            out[w.indices[a:b]] += w.data[a:b]  # a column names each document once
        return out

    def self_score(self, query: str) -> float:
        """The BM25 score a document identical to the query would get (each term once; a term no
        document has weighs the most, as it would): dividing by it puts every query on one scale,
        1 ≈ the document has every n-gram of the query, whatever the query's length."""
        toks = tokens(query)
        if not toks:
            return 1.0
        n = self.count
        df = np.diff(self.weights.indptr)
        dfs = np.array([df[self.vocab[t]] if t in self.vocab else 0 for t in set(toks)], np.float64)
        idf = np.log(1 + (n - dfs + 0.5) / (dfs + 0.5))
        return float(idf.sum() * (K1 + 1) / (1 + K1 * (1 - B + B * len(toks) / max(self.avgdl, 1e-9))))

    def normalized_scores(self, query: str) -> np.ndarray:
        """scores() / self_score(): the lexical score jixiao shows and fuses (0 … about 1)."""
        return self.scores(query) / np.float32(max(self.self_score(query), 1e-9))

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (normalized scores, ids) among documents sharing a term with the query; with
        `allowed`, among those ids only, before the top k is taken (as faiss_index.search)."""
        return self.top(self.normalized_scores(query), k, allowed)

    def top(self, s: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """search() on scores already computed."""
        if allowed is None:
            pos = np.flatnonzero(s > 0)
        else:  # ids are ascending: the allowed ones' positions by binary search
            allowed = np.asarray(allowed, np.int64)
            pos = np.minimum(np.searchsorted(self.ids, allowed), max(self.count - 1, 0))
            pos = np.unique(pos[(self.ids[pos] == allowed) & (s[pos] > 0)]) if self.count else pos[:0]
        if len(pos) > k:  # every text scoring as high as the k-th, so that ties are cut by id below
            kth = -np.partition(-s[pos], k - 1)[k - 1]
            pos = pos[s[pos] >= kth]
        # Ties in id order: the same query gives the same hits, with or without a filter.
        pos = pos[np.lexsort((self.ids[pos], -s[pos]))][:k]
        return s[pos], self.ids[pos]


def build(kind: str, ids: np.ndarray, texts: list[str], corpus_version: int) -> LexicalIndex:
    started = time.perf_counter()
    vocab: dict[str, int] = {}
    rows, cols, tfs = [], [], []
    lengths = np.zeros(len(texts), np.float32)
    for d, text in enumerate(texts):
        toks = tokens(text)
        lengths[d] = len(toks)
        counts: dict[int, int] = {}
        for t in toks:
            c = vocab.setdefault(t, len(vocab))
            counts[c] = counts.get(c, 0) + 1
        rows.extend([d] * len(counts))
        cols.extend(counts)
        tfs.extend(counts.values())
    n = len(texts)
    rows_a, cols_a = np.array(rows, np.int64), np.array(cols, np.int64)
    tf = np.array(tfs, np.float32)
    df = np.bincount(cols_a, minlength=len(vocab)).astype(np.float32)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))  # Lucene's idf: never negative
    avgdl = float(lengths.mean()) if n else 1.0
    norm = K1 * (1 - B + B * lengths[rows_a] / max(avgdl, 1e-9))
    w = idf[cols_a] * tf * (K1 + 1) / (tf + norm)
    weights = sparse.csc_matrix((w.astype(np.float32), (rows_a, cols_a)), shape=(n, len(vocab)), dtype=np.float32)
    return LexicalIndex(kind=kind, ids=np.asarray(ids, np.int64), vocab=vocab, weights=weights,
                        corpus_version=corpus_version, avgdl=avgdl, build_seconds=round(time.perf_counter() - started, 3))


def save(index: LexicalIndex, db: Path) -> None:
    head = {"kind": index.kind, "count": index.count, "corpus_version": index.corpus_version, "avgdl": index.avgdl,
              "tokenizer": index.tokenizer, "k1": K1, "b": B, "build_seconds": index.build_seconds}
    terms = sorted(index.vocab, key=index.vocab.__getitem__)
    w = index.weights

    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:  # a file object: np.savez would append .npz to a name
            np.savez(fh, header=np.array(json.dumps(head, ensure_ascii=False)), ids=index.ids,
                     vocab=np.array(terms, dtype=str), data=w.data, indices=w.indices, indptr=w.indptr,
                     shape=np.array(w.shape, np.int64))

    _atomic_write(path(db, index.kind), write)


def _missing(db: Path, kind: str) -> IndexError_:
    return IndexError_(f"no lexical {kind} index beside {shown(db)} (the corpus was indexed before lexical search "
                       f"existed): run `jixiao index --db {shown(db)}`, or search with --mode dense")


def header(db: Path, kind: str) -> dict | None:
    """The saved index's header alone (a .npz member is read on access), None when there is none."""
    try:
        with np.load(path(db, kind), allow_pickle=False) as z:
            return json.loads(str(z["header"]))
    except Exception:
        return None


def load(db: Path, kind: str) -> LexicalIndex:
    p = path(db, kind)
    if not p.exists():
        raise _missing(db, kind)
    try:
        with np.load(p, allow_pickle=False) as z:
            head = json.loads(str(z["header"]))
            weights = sparse.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
            vocab = {t: i for i, t in enumerate(z["vocab"].tolist())}
            ids = z["ids"]
    except Exception as e:
        raise IndexError_(f"the lexical {kind} index beside {shown(db)} is unreadable ({e}): "
                          f"run `jixiao index --db {shown(db)} --rebuild`") from None
    return LexicalIndex(kind=kind, ids=ids, vocab=vocab, weights=weights, corpus_version=head["corpus_version"],
                        avgdl=head["avgdl"], tokenizer=head["tokenizer"], build_seconds=head.get("build_seconds"))


def documents(store: Store, kind: Kind) -> tuple[np.ndarray, list[str]]:
    """The ids and texts a kind's lexical index holds: the indexed texts of indicators and goals; for a
    project (one document per form), its name, goal texts and indicator names."""
    if kind == "indicator":
        items = list(indicator_items(store))
    elif kind == "goal":
        items = list(goal_items(store))
    else:
        names: dict[int, list[str]] = {}
        for fid, name in store.conn.execute("SELECT form_id, name FROM indicators WHERE name != '' ORDER BY id"):
            names.setdefault(fid, []).append(name)
        ids, texts = [], []
        for fid, *parts in store.conn.execute(
                "SELECT id, project_name, goal_expected, goal_actual, goal_overall, goal_annual FROM forms ORDER BY id"):
            ids.append(fid)
            # A text repeated in two roles (a declaration's expected = annual goal) counts once.
            texts.append("\n".join(dict.fromkeys(p for p in parts if p)) + "\n" + "\n".join(names.get(fid, [])))
        return np.array(ids, np.int64), texts
    return np.array([it.id for it in items], np.int64), [it.text for it in items]


def up_to_date(db: Path, kind: str, store: Store) -> bool:
    h = header(db, kind)
    return h is not None and h.get("corpus_version") == store.corpus_version and h.get("tokenizer") == TOKENIZER


def build_and_save(store: Store, db: Path, kind: Kind) -> LexicalIndex:
    ids, texts = documents(store, kind)
    index = build(kind, ids, texts, store.corpus_version)
    save(index, db)
    return index
