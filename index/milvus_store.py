"""Vectors in Milvus (a server, or a local Milvus Lite file), behind index/vectorstore.py's interface.

One collection per kind (PREFIX_indicator, PREFIX_goal, PREFIX_project): an INT64 primary key `id`
(the same ids as the FAISS files) and a FLOAT_VECTOR `vector`, inner product on L2-normalised rows
(= cosine, as FAISS). What built a kind (model, dimension, corpus version: the IndexInfo FAISS keeps
in its .json) is a JSON row of PREFIX_meta, so a stale or other-model index is detected the same way.

Index: FLAT, exact, while a kind has fewer than faiss_index.FLAT_MAX vectors (results equal FAISS
exact search). Above that HNSW (M 16, efConstruction 200, ef = max(2·k, 64) at query time) on a
server; IVF_FLAT (nlist 4·√n, nprobe tuned as in faiss_index; `--index-type ivf`) where memory is
tight, and on Milvus Lite. Lite appears to search exhaustively whatever the index (measured: nprobe 1
of 1,269 lists already reached recall 1.0 on 100,736 vectors), so on Lite results stay exact.

Filters: each row also stores its form's year, form_type, unit and department, and a search filter
becomes the boolean expression `year == 2024 and unit == "…"`, which Milvus applies before taking
the top k; an explicit set of ids (hybrid search's second pass, or a field not stored) becomes
`id in [ids]`. (Milvus Lite parses no templated expressions, so the list is written out; a
server would take `filter_params` and spare the parsing of a long list.)
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from pathlib import Path

import numpy as np

from jixiao.index.faiss_index import FLAT_MAX, IndexError_, IndexInfo

MAX_TOPK = 16_384       # Milvus refuses a larger limit
INSERT_BATCH = 5_000    # rows per insert: 5,000 × 512 floats ≈ 10 MB, under gRPC's 64 MB message limit
QUERY_BATCH = 1_000     # queries per search call
META_DIM = 2            # the meta collection needs a vector field; its rows carry JSON


def _import():
    # gRPC's C core prints keepalive chatter ("too_many_pings" GOAWAY from the Lite engine) on stderr;
    # failures still arrive as exceptions. A user's own GRPC_VERBOSITY wins.
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    try:
        from pymilvus import DataType, MilvusClient
    except ImportError:
        raise IndexError_("--vectors milvus… needs pymilvus (and milvus-lite for a local file): "
                          "pip install 'jixiao[scale]'") from None
    return DataType, MilvusClient


def parse_spec(spec: str) -> tuple[str, str]:
    """(uri, prefix) of milvus-lite:PATH or milvus://HOST:PORT[/PREFIX]."""
    if spec.startswith("milvus-lite:"):
        path = spec[len("milvus-lite:"):]
        if not path:
            raise IndexError_("--vectors milvus-lite:PATH needs a file name, e.g. milvus-lite:corpus.milvus.db")
        if not path.endswith(".db"):  # Milvus Lite takes a local file only when its name ends in .db
            raise IndexError_(f"--vectors {spec}: a Milvus Lite file name must end in .db, e.g. milvus-lite:corpus.milvus.db")
        return str(Path(path).expanduser().resolve()), "jixiao"
    m = re.fullmatch(r"milvus://([^/:]+)(?::(\d+))?(?:/([A-Za-z_][A-Za-z0-9_]*))?/?", spec)
    if not m:
        raise IndexError_(f"--vectors {spec}: expected milvus://HOST:PORT[/PREFIX] (a prefix of letters, digits and _)")
    return f"http://{m.group(1)}:{m.group(2) or 19530}", m.group(3) or "jixiao"


MAX_BYTES = 1024  # a unit or department name longer than this (UTF-8, as Milvus counts) is filtered by ids
SCALARS = ("year", "form_type", "unit", "department")


def _scalar_columns(fields: dict[str, list], n: int) -> dict[str, list]:
    """The form fields stored beside the vectors, so that a filter is a scalar expression rather than
    a list of ids that grows with the corpus. A missing year is -1 and a missing name "": a filter
    never asks for those (see _expression). A column with a longer name than MAX_BYTES is left out."""
    out: dict[str, list] = {}
    for field in SCALARS:
        column = fields.get(field)
        if column is None or len(column) != n:
            continue
        if field == "year":
            out[field] = [-1 if v is None else int(v) for v in column]
        elif all(v is None or len(str(v).encode("utf-8")) <= MAX_BYTES for v in column):
            out[field] = ["" if v is None else str(v) for v in column]
    return out


def _expression(where: dict | None, stored: set[str]) -> str | None:
    """`year == 2024 and unit == "…"` for a filter on stored fields; None when it needs the id list
    (a field not stored, or a value standing for a missing one)."""
    where = {k: v for k, v in (where or {}).items() if v is not None}
    if not where or not set(where) <= stored or any(v in ("", -1) for v in where.values()):
        return None
    # A JSON string literal is a Milvus string literal: double quotes, backslash escapes.
    return " and ".join(f"{k} == {int(v) if k == 'year' else json.dumps(str(v), ensure_ascii=False)}"
                        for k, v in sorted(where.items()))


_clients: dict[str, object] = {}
_lock = threading.Lock()


def _client(uri: str):
    # One client per uri and process: Milvus Lite starts its engine when a file is opened (seconds),
    # and a file is opened by one client at a time.
    with _lock:
        if uri not in _clients:
            _, MilvusClient = _import()
            try:
                _clients[uri] = MilvusClient(uri=uri)
            except Exception as e:  # connection refused, a locked Lite file …: one line
                why = getattr(e, "message", None) or str(e)
                hint = ("; a Milvus Lite file serves one process at a time: is another jixiao using it?"
                        if not uri.startswith("http") else "")
                raise IndexError_(f"cannot open the Milvus vector store at {uri}: {why}{hint}") from None
        return _clients[uri]


def open_milvus(spec: str) -> "MilvusStore":
    uri, prefix = parse_spec(spec)
    return MilvusStore(_client(uri), prefix, lite=spec.startswith("milvus-lite:"), spec=spec)


class MilvusStore:
    def __init__(self, client, prefix: str, lite: bool, spec: str):
        self.client, self.prefix, self.lite, self.spec = client, prefix, lite, spec
        self.backend = "milvus-lite" if lite else "milvus"
        self._ready: set[str] = set()

    def _name(self, kind: str) -> str:
        return f"{self.prefix}_{kind}"

    # What built each kind, in PREFIX_meta.
    def _meta(self) -> str:
        name = self._name("meta")
        if not self.client.has_collection(name):
            DataType, _ = _import()
            schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
            schema.add_field("kind", DataType.VARCHAR, is_primary=True, max_length=128)
            schema.add_field("info", DataType.VARCHAR, max_length=8192)
            schema.add_field("vector", DataType.FLOAT_VECTOR, dim=META_DIM)
            index = self.client.prepare_index_params()
            index.add_index("vector", index_type="FLAT", metric_type="L2")
            self.client.create_collection(name, schema=schema, index_params=index, consistency_level="Strong")
        return self._loaded(name)

    def _loaded(self, name: str) -> str:
        # A collection reopened in a new process may be released: load it once per store.
        if name not in self._ready:
            self.client.load_collection(name)
            self._ready.add(name)
        return name

    def _record(self, kind: str) -> dict:
        rows = self.client.query(self._meta(), filter=f"kind == {json.dumps(kind)}", output_fields=["info"]) if self.client.has_collection(self._name(kind)) else []
        if not rows:
            raise IndexError_(f"no {kind} vectors in {self.spec}: run `jixiao index --vectors {self.spec}`")
        return json.loads(rows[0]["info"])

    def info(self, kind: str) -> IndexInfo:
        record = self._record(kind)
        record.pop("scalar_fields", None)
        return IndexInfo(**record)

    def count(self, kind: str) -> int:
        return self.info(kind).count

    def drop(self, kind: str) -> None:
        if self.client.has_collection(self._name(kind)):
            self.client.drop_collection(self._name(kind))
        self._ready.discard(self._name(kind))
        if kind != "meta" and self.client.has_collection(self._name("meta")):
            self.client.delete(self._name("meta"), filter=f"kind == {json.dumps(kind)}")

    def build(self, kind, ids, vectors, *, model, corpus_version, index_type="auto", fields=None) -> IndexInfo:
        DataType, _ = _import()
        started = time.perf_counter()
        n, d = vectors.shape
        self.drop(kind)  # the info row goes first: killed midway, the kind reads as never built
        name = self._name(kind)
        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=int(d))
        scalars = _scalar_columns(fields or {}, n)
        for field, column in scalars.items():
            if field == "year":
                schema.add_field(field, DataType.INT64)
            else:
                schema.add_field(field, DataType.VARCHAR, max_length=MAX_BYTES)
        if index_type == "auto":
            index_type = "flat" if n < FLAT_MAX else "ivf" if self.lite else "hnsw"
        params = self.client.prepare_index_params()
        extra: dict = {}
        if index_type == "flat":
            params.add_index("vector", index_type="FLAT", metric_type="IP")
        elif index_type == "ivf":
            nlist = int(max(16, min(65536, 4 * math.sqrt(n))))
            params.add_index("vector", index_type="IVF_FLAT", metric_type="IP", params={"nlist": nlist})
            extra = {"nlist": nlist}
        elif index_type == "hnsw":  # a server's default at scale; not available in Milvus Lite
            params.add_index("vector", index_type="HNSW", metric_type="IP", params={"M": 16, "efConstruction": 200})
        else:
            raise IndexError_(f"unknown index type {index_type!r}; choose one of auto, flat, ivf")
        self.client.create_collection(name, schema=schema, consistency_level="Strong")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        for s in range(0, n, INSERT_BATCH):
            rows = [{"id": int(i), "vector": v} for i, v in
                    zip(ids[s:s + INSERT_BATCH].tolist(), vectors[s:s + INSERT_BATCH])]
            for field, column in scalars.items():
                for row, value in zip(rows, column[s:s + INSERT_BATCH]):
                    row[field] = value
            self.client.insert(name, rows)
        self.client.flush(name)
        # Lite builds FLAT at once, but a synchronous create_index polls with half-second sleeps, which
        # a review's many small collections would pay each time; a server's index build is waited for.
        self.client.create_index(name, params, sync=not (self.lite and index_type == "flat"))
        self._loaded(name)
        if "nlist" in extra:
            extra["nprobe"], extra["tuned_recall"] = self._tune_nprobe(name, vectors, extra["nlist"])
        info = IndexInfo(kind=kind, model=model, dim=int(d), count=n, corpus_version=corpus_version,
                         index_type=index_type, build_seconds=round(time.perf_counter() - started, 3), **extra)
        record = {**info.__dict__, "scalar_fields": sorted(scalars)}
        self.client.upsert(self._meta(), [{"kind": kind, "info": json.dumps(record, ensure_ascii=False),
                                           "vector": [0.0] * META_DIM}])
        return info

    def _tune_nprobe(self, name: str, vectors: np.ndarray, nlist: int) -> tuple[int, float]:
        """nprobe reaching faiss_index.RECALL_TARGET (recall@10, ties counted) on stored vectors as
        queries, then doubled for unseen queries: the rule of faiss_index.build, measured here."""
        from jixiao.index.faiss_index import RECALL_TARGET, _exact_kth, _recall

        rng = np.random.default_rng(0)
        q = vectors[rng.choice(len(vectors), size=min(len(vectors), 200), replace=False)]
        kth = _exact_kth(vectors, q, 10)
        nprobe = 1
        while True:
            found, _ = self._search(name, q, 10, {"metric_type": "IP", "params": {"nprobe": nprobe}}, {})
            recall = _recall(found, kth, 10)
            if recall >= RECALL_TARGET or nprobe >= nlist:
                return min(nlist, nprobe * 2), round(recall, 4)
            nprobe = min(nlist, nprobe * 2)

    def _search(self, name: str, queries: np.ndarray, k: int, params: dict, kwargs: dict):
        nq = len(queries)
        scores = np.full((nq, k), -np.finfo(np.float32).max, np.float32)
        ids = np.full((nq, k), -1, np.int64)
        q = np.ascontiguousarray(queries, dtype=np.float32)
        for s in range(0, nq, QUERY_BATCH):
            res = self.client.search(self._loaded(name), data=list(q[s:s + QUERY_BATCH]), limit=k,
                                     search_params=params, anns_field="vector", output_fields=["id"], **kwargs)
            for r, hits in enumerate(res, start=s):
                got = min(len(hits), k)  # Hits' ids and distances: far faster than a dict per hit
                ids[r, :got] = hits.ids[:got]
                scores[r, :got] = hits.distances[:got]
        return scores, ids

    def search(self, kind, queries, k, allowed=None, where=None):
        record = self._record(kind)
        stored = set(record.pop("scalar_fields", None) or ())
        info = IndexInfo(**record)
        nq = len(queries)
        k = max(1, min(k, info.count, MAX_TOPK))
        if allowed is not None:
            if len(allowed) == 0:
                return np.zeros((nq, 0), np.float32), np.zeros((nq, 0), np.int64)
            k = min(k, len(allowed))
        params: dict = {"metric_type": "IP", "params": {}}
        if info.index_type == "ivf":
            # An IVF filter probes every list, as faiss_index.search does: exact among the allowed ids.
            params["params"] = {"nprobe": info.nlist if allowed is not None else info.nprobe}
        elif info.index_type == "hnsw":
            params["params"] = {"ef": max(2 * k, 64)}  # not measured here: no Milvus server on this machine
        kwargs: dict = {}
        if allowed is not None:
            kwargs = {"filter": _expression(where, stored) or
                      f"id in [{','.join(map(str, np.asarray(allowed, np.int64).tolist()))}]"}
        return self._search(self._name(kind), queries, k, params, kwargs)
