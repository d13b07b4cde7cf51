"""Building the indicator, goal and project indexes of a corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
from pydantic import BaseModel

from jixiao.index import faiss_index, lexical
from jixiao.index.embed import DEFAULT_MODEL, Embedder, load_embedder
from jixiao.index.items import KINDS, Kind, goal_items, indicator_items
from jixiao.index.store import Store, StoreError
from jixiao.index.vectors import embed_cached, project_vectors
from jixiao.index.vectorstore import VectorStore, open_vectors


class KindReport(BaseModel):
    kind: str
    status: str  # built, up-to-date
    count: int
    embedded: int  # distinct texts that were not in the cache
    index_type: str
    model: str
    seconds: float | None = None
    nprobe: int | None = None
    tuned_recall: float | None = None
    lexical: str | None = None  # the BM25 index beside it (index/lexical.py): built, up-to-date
    lexical_seconds: float | None = None


def corpus_model(store: Store, requested: str | None) -> str:
    """The model spec to use: the one asked for, else the one the corpus was indexed with, else the default."""
    return requested or store.get_meta("model") or DEFAULT_MODEL


def _status(vs: VectorStore, kind: str, store: Store, embedder: Embedder) -> faiss_index.IndexInfo | None:
    try:
        info = vs.info(kind)
    except faiss_index.IndexError_:
        return None
    if info.model != embedder.model_id or info.corpus_version != store.corpus_version:
        return None
    return info


def _form_fields(store: Store, form_ids: np.ndarray) -> dict[str, list]:
    """Per row, its form's year, form_type, unit and department (the search filters)."""
    rows = {r[0]: r[1:] for r in store.conn.execute("SELECT id, year, form_type, unit, department FROM forms")}
    none = (None,) * 4
    got = [rows.get(int(f), none) for f in form_ids]
    return {name: [g[c] for g in got] for c, name in enumerate(("year", "form_type", "unit", "department"))}


def build_indexes(store: Store, db: Path, model: str | None = None, kinds: tuple[Kind, ...] = KINDS,
                  index_type: str = "auto", rebuild: bool = False,
                  progress: Callable[[str, int, int], None] | None = None,
                  vectors: str | None = None, ray: str | None = None) -> list[KindReport]:
    """`vectors`: the --vectors SPEC of index/vectorstore.py (None: FAISS files beside the corpus).
    `ray`: --ray auto|ADDRESS, the texts missing from the embedding cache embedded on Ray (index/ray_data.py)."""
    try:
        store.require_writable("index")  # the embedding cache and the index files are written
    except StoreError as e:
        raise faiss_index.IndexError_(str(e)) from None
    faiss_index.remove_orphans(db)  # what runs killed while writing left beside the corpus
    vs = open_vectors(vectors, db)
    spec = corpus_model(store, model)
    embedder = load_embedder(spec)
    encode_all = None
    if ray is not None:
        from jixiao.index.ray_data import embed_on_ray

        encode_all = embed_on_ray(ray, spec, embedder.model_id)
    reports: list[KindReport] = []
    cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # kind -> (ids, form_ids, vectors)

    def vectors_of(kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        if kind in cache:
            return (*cache[kind], 0)
        items = list(indicator_items(store) if kind == "indicator" else goal_items(store))
        done = 0

        def tick(k: int) -> None:
            nonlocal done
            done += k
            if progress is not None:
                progress(kind, done, len(items))

        vecs, embedded = embed_cached(store, embedder, [it.text for it in items], tick, encode_all)
        ids = np.array([it.id for it in items], dtype=np.int64)
        fids = np.array([it.form_id for it in items], dtype=np.int64)
        cache[kind] = (ids, fids, vecs)
        return ids, fids, vecs, embedded

    for kind in kinds:
        # The lexical index follows the same rule as the FAISS one (the corpus version it reflects),
        # and is built on its own: a corpus indexed before it existed gets it without re-embedding.
        if rebuild or not lexical.up_to_date(db, kind, store):
            lex = lexical.build_and_save(store, db, kind)
            lex_report = {"lexical": "built", "lexical_seconds": lex.build_seconds}
        else:
            lex_report = {"lexical": "up-to-date"}
        fresh = None if rebuild or index_type not in ("auto",) else _status(vs, kind, store, embedder)
        if fresh is not None:
            reports.append(KindReport(kind=kind, status="up-to-date", count=fresh.count, embedded=0,
                                      index_type=fresh.index_type, model=fresh.model, **lex_report))
            continue
        if kind == "project":
            gi, gf, gv, e1 = vectors_of("goal")
            ii, if_, iv, e2 = vectors_of("indicator")
            ids = np.array([r[0] for r in store.conn.execute("SELECT id FROM forms ORDER BY id")], dtype=np.int64)
            vecs = project_vectors(ids, gf, gv, if_, iv) if len(ids) else np.zeros((0, embedder.dim), np.float32)
            embedded = e1 + e2
        else:
            ids, _, vecs, embedded = vectors_of(kind)
        fields = None
        if vs.backend != "faiss":  # Milvus filters on the forms' fields (index/milvus_store.py)
            form_ids = ids // 4 if kind == "goal" else ids if kind == "project" else vectors_of("indicator")[1]
            fields = _form_fields(store, form_ids)
        info = vs.build(kind, ids, vecs, model=embedder.model_id, corpus_version=store.corpus_version,
                        index_type=index_type, fields=fields)
        reports.append(KindReport(kind=kind, status="built", count=len(ids), embedded=embedded,
                                  index_type=info.index_type, model=info.model, seconds=info.build_seconds,
                                  nprobe=info.nprobe, tuned_recall=info.tuned_recall, **lex_report))
    store.set_meta("model", spec)
    return reports
