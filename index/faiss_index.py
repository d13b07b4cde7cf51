"""FAISS indexes persisted beside the corpus file.

`corpus.db` gets `corpus.db.indicator.faiss` + `corpus.db.indicator.json` (and the same for goal
and project). The JSON records the model and dimension that built the index and the corpus version
it reflects; an index is never queried with another model.

Exact search (IndexFlatIP) while a kind has fewer than FLAT_MAX vectors — it is fast enough and
needs no tuning. Above that, IVF (IndexIVFFlat, inner product): it builds in minutes at a million
vectors on two cores where HNSW takes far longer, and, unlike HNSW, stays exact under an ID filter
when every list is probed. `nprobe` is tuned at build time on held-out queries to reach
RECALL_TARGET against exact search.
"""

from __future__ import annotations

import glob
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from jixiao.index.location import index_base, shown

FLAT_MAX = 50_000
RECALL_TARGET = 0.95
INDEX_TYPES = ("auto", "flat", "ivf")


class IndexError_(Exception):
    pass


@dataclass
class IndexInfo:
    kind: str
    model: str
    dim: int
    count: int
    index_type: str
    corpus_version: int
    nlist: int | None = None
    nprobe: int | None = None
    tuned_recall: float | None = None
    build_seconds: float | None = None

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1)


def paths(db: Path, kind: str) -> tuple[Path, Path]:
    db = index_base(db)  # beside a SQLite corpus; in a local folder for a PostgreSQL one
    return Path(f"{db}.{kind}.faiss"), Path(f"{db}.{kind}.json")


def _atomic_write(path: Path, write) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it over `path`: a reader
    sees the old file or the new one, never half of one, whenever the writer is killed."""
    remove_orphans(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    os.close(fd)
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # as readable as the corpus beside it (mkstemp makes it private)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())  # else a power cut after the rename may leave an empty file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_orphans(path: Path) -> None:
    """Temporary files that a killed writer left for `path` or, for a corpus, for any index beside it
    (`.corpus.db.indicator.faiss.<pid>.xxxx.tmp`): those whose writer (the pid in the name) is gone."""
    path = index_base(path)
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        parts = tmp.name[len(path.name) + 2:-len(".tmp")].split(".")
        pid = parts[-2] if len(parts) >= 2 else ""
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass  # alive under another user: not ours to remove


def _exact_kth(xb: np.ndarray, xq: np.ndarray, k: int) -> np.ndarray:
    """Each query's k-th best exact score (faiss.knn: no copy of the stored vectors into an index, which
    at 976,004 rows was another 1.9 GiB on top of the IVF's own)."""
    return faiss.knn(xq, xb, k, metric=faiss.METRIC_INNER_PRODUCT)[0][:, -1]


def _recall(found_scores: np.ndarray, kth: np.ndarray, k: int) -> float:
    """recall@k counting ties: a result scoring as high as the exact k-th is a right answer.

    A corpus of forms repeats its indicator names (预算执行率 on every form, a unit's template on all
    its projects): many stored vectors are identical, and which of a hundred equal ones comes back is
    arbitrary. Matching ids would call that a miss and drive nprobe to every list (a generated 100,000-row
    corpus tuned to nprobe = nlist, no faster than exact search)."""
    return float(np.mean(np.sum(found_scores >= kth[:, None] - 1e-5, axis=1) / k))


def build(vectors: np.ndarray, ids: np.ndarray, index_type: str = "auto") -> tuple[faiss.Index, dict]:
    n, d = vectors.shape
    if index_type == "auto":
        index_type = "flat" if n < FLAT_MAX else "ivf"
    started = time.perf_counter()
    extra: dict = {}
    if index_type == "flat" or n == 0:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(d))
        index.add_with_ids(vectors, ids)
        index_type = "flat"
    elif index_type == "ivf":
        nlist = int(max(16, min(65536, 4 * np.sqrt(n))))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = vectors[rng.choice(n, size=min(n, 40 * nlist), replace=False)]
        index.train(sample)
        index.add_with_ids(vectors, ids)
        # Tune nprobe on stored vectors used as queries, against exact search over everything.
        qi = rng.choice(n, size=min(n, 200), replace=False)
        kth = _exact_kth(vectors, vectors[qi], 10)
        nprobe, recall = 1, 0.0
        while True:
            index.nprobe = nprobe
            recall = _recall(index.search(vectors[qi], 10)[0], kth, 10)
            if recall >= RECALL_TARGET or nprobe >= nlist:
                break
            nprobe = min(nlist, nprobe * 2)
        # Stored vectors as queries flatter IVF (each lies in the list it is probed from): a query
        # typed by a reviewer needs more lists. On a generated 100,000-row corpus, 300 unseen queries
        # reached recall@10 0.915 at the tuned nprobe 8 and 1.0 at 16, so the tuned value is doubled.
        nprobe = min(nlist, nprobe * 2)
        extra = {"nlist": nlist, "nprobe": nprobe, "tuned_recall": round(recall, 4)}
    else:
        raise IndexError_(f"unknown index type {index_type!r}; choose one of {', '.join(INDEX_TYPES)}")
    extra["index_type"] = index_type
    extra["build_seconds"] = round(time.perf_counter() - started, 3)
    return index, extra


def save(index: faiss.Index, info: IndexInfo, db: Path) -> None:
    idx_path, meta_path = paths(db, info.kind)
    # The index first, its .json second: killed between the two, the old .json names an older corpus
    # version, so the next `jixiao index` rebuilds instead of trusting the new index with old facts.
    try:
        _atomic_write(idx_path, lambda tmp: faiss.write_index(index, tmp))
        _atomic_write(meta_path, lambda tmp: Path(tmp).write_text(info.to_json(), encoding="utf-8"))
    except (OSError, RuntimeError) as e:  # faiss reports a failed write (a full disk) as RuntimeError
        # faiss's message is its C++ assertion ending in "(File too large)": the reason is what people need.
        reason = e.strerror if isinstance(e, OSError) and e.strerror else (
            m.group(1) if (m := re.search(r"\(([^()]+)\)\s*$", str(e))) else "write error")
        raise IndexError_(f"cannot write the {info.kind} index beside {shown(db)}: {reason} (disk full or "
                          "read-only?); the index there before is unchanged") from None


def load(db: Path, kind: str) -> tuple[faiss.Index, IndexInfo]:
    idx_path, meta_path = paths(db, kind)
    if not idx_path.exists() or not meta_path.exists():
        raise IndexError_(f"no {kind} index beside {shown(db)}: run `jixiao index --db {shown(db)}`")
    try:
        info = IndexInfo(**json.loads(meta_path.read_text(encoding="utf-8")))
        index = faiss.read_index(str(idx_path))
    except Exception as e:
        raise IndexError_(f"the {kind} index beside {shown(db)} is unreadable ({e}): run `jixiao index --db {shown(db)} --rebuild`") from None
    if info.nprobe:
        faiss.extract_index_ivf(index).nprobe = info.nprobe
    return index, info


def search(index: faiss.Index, info: IndexInfo, query: np.ndarray, k: int,
           allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (scores, ids); with `allowed`, exact among those ids only, so filters lose nothing."""
    k = max(1, min(k, info.count))
    if allowed is not None and len(allowed) == 0:
        return np.zeros((len(query), 0), np.float32), np.zeros((len(query), 0), np.int64)
    params = None
    if allowed is not None:
        sel = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
        if info.index_type == "ivf":
            params = faiss.SearchParametersIVF(sel=sel, nprobe=info.nlist)
        else:
            params = faiss.SearchParameters(sel=sel)
        k = min(k, len(allowed))
    # One query gains nothing from OpenMP threads, and their spin-wait after the search slows
    # the next numpy call (the next query's embedding) four-fold on two cores.
    threads = faiss.omp_get_max_threads()
    if len(query) == 1:
        faiss.omp_set_num_threads(1)
    try:
        return index.search(query, k, params=params)
    finally:
        faiss.omp_set_num_threads(threads)
