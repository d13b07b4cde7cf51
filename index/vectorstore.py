"""Where the vectors of a corpus live: one small interface, two backends (`--vectors SPEC`).

- None / "faiss" (the default): FAISS files beside the corpus (index/faiss_index.py), unchanged.
- "milvus-lite:PATH.db": a local Milvus Lite file (pymilvus opens a Lite file only by a .db name); "milvus://HOST:PORT[/PREFIX]": a Milvus server
  (index/milvus_store.py). Collections are named PREFIX_indicator … (default prefix "jixiao"), so
  several corpora share one server under different prefixes.

Every backend answers exact inner-product top-k among an allowed id set ("filters applied before
top-k"), so a filter never hides a match, whichever backend holds the vectors.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

from jixiao.index import faiss_index
from jixiao.index.faiss_index import IndexError_, IndexInfo
from jixiao.index.vector_spec import ENV



class VectorStore(Protocol):
    backend: str

    def build(self, kind: str, ids: np.ndarray, vectors: np.ndarray, *, model: str, corpus_version: int,
              index_type: str = "auto", fields: dict[str, list] | None = None) -> IndexInfo:
        """Replace the vectors of `kind` (L2-normalised rows, int64 ids) and record what built them.
        `fields`: per row, the form's year, form_type, unit and department, for a store that filters
        on them (Milvus); FAISS filters by ids alone and ignores them."""

    def info(self, kind: str) -> IndexInfo:
        """What built `kind`; raises IndexError_ when it was never built."""

    def search(self, kind: str, queries: np.ndarray, k: int, allowed: np.ndarray | None = None,
               where: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (len(queries), ≤k), best first; with `allowed`, among those ids only.
        `where` ({field: value}) is the filter `allowed` was computed from: a store holding the fields
        may apply it instead of the id list; the answer is the same. Missing places are id -1."""

    def count(self, kind: str) -> int: ...

    def drop(self, kind: str) -> None: ...


def backend_of(spec: str | None) -> str:
    spec = (spec or "").strip()
    if spec in ("", "faiss"):
        return "faiss"
    if spec.startswith("milvus-lite:"):
        return "milvus-lite"
    if spec.startswith("milvus://"):
        return "milvus"
    raise IndexError_(f"unknown --vectors {spec!r}: use faiss, milvus-lite:PATH or milvus://HOST:PORT[/PREFIX]")


def spec_from_env(spec: str | None) -> str | None:
    return spec if spec is not None else os.environ.get(ENV) or None


class FaissStore:
    """Today's FAISS files beside the corpus, behind the interface: the files and their behaviour
    are those of index/faiss_index.py. Loaded indexes are kept per kind (the caller caches the store)."""

    backend = "faiss"

    def __init__(self, db: Path):
        self.db = Path(db)
        self._loaded: dict[str, tuple] = {}

    def _get(self, kind: str):
        if kind not in self._loaded:
            self._loaded[kind] = faiss_index.load(self.db, kind)
        return self._loaded[kind]

    def build(self, kind, ids, vectors, *, model, corpus_version, index_type="auto", fields=None) -> IndexInfo:
        index, extra = faiss_index.build(np.ascontiguousarray(vectors, dtype=np.float32), ids, index_type)
        info = IndexInfo(kind=kind, model=model, dim=int(vectors.shape[1]), count=len(ids),
                         corpus_version=corpus_version, **extra)
        faiss_index.save(index, info, self.db)
        # Not kept: `index` builds every kind in turn, and the indicators' index (1.9 GiB at 100,000
        # forms) would stay in memory while the others are built; a search loads it from its file.
        self._loaded.pop(kind, None)
        return info

    def info(self, kind: str) -> IndexInfo:
        return self._get(kind)[1]

    def search(self, kind, queries, k, allowed=None, where=None):
        index, info = self._get(kind)
        return faiss_index.search(index, info, np.ascontiguousarray(queries, dtype=np.float32), k, allowed)

    def count(self, kind: str) -> int:
        return self._get(kind)[1].count

    def drop(self, kind: str) -> None:
        self._loaded.pop(kind, None)
        for p in faiss_index.paths(self.db, kind):
            p.unlink(missing_ok=True)


def open_vectors(spec: str | None, db: Path | None) -> VectorStore:
    """The store a --vectors SPEC names (None: JIXIAO_VECTORS, else FAISS files beside `db`)."""
    spec = spec_from_env(spec)
    backend = backend_of(spec)
    if backend == "faiss":
        if db is None:
            raise IndexError_("the faiss vector store lives beside a corpus: give --db")
        return FaissStore(db)
    from jixiao.index.milvus_store import open_milvus

    return open_milvus(spec)


def is_default(spec: str | None) -> bool:
    return backend_of(spec_from_env(spec)) == "faiss"
