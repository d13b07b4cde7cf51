"""`ingest --ray` and `index --ray`: parsing files and embedding texts with Ray Data.

Ingest: the file paths become a dataset; `map_batches` runs index/ingest.py's parse_path (the reading and
parsing of ingest_file, without the store) and returns each file's forms and issues as JSON. The driver
takes the files back in the given order (`preserve_order`), a few batches at a time (`iter_batches`, with
Ray Data's backpressure), and stores each with store_parsed: the writes stay in this process (SQLite has one
writer), and the reports, messages and stored forms are the single-process ingest's. A file whose content
the store already holds at its path is hashed, not parsed.

Index: build_indexes consults the embedding cache first; only the texts it misses are shipped, to actors
that each load the model once (`load_embedder`), and their vectors come back in order to be cached by the
driver, as index/vectors.py does with a local model.

Where Ray runs, and what its workers need: index/ray_cluster.py.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from jixiao.index.ingest import FileReport, Parsed, parse_path, store_parsed
from jixiao.index.ray_cluster import connect

MAX_FILES_PER_BATCH = 64  # a parse task: each costs Ray Data some 30 ms, so not one a file (one form each, often)
WINDOW = 50_000  # files a dataset: the driver holds their paths and stored hashes, not a whole province's
TEXTS_PER_BATCH = 512  # a batch of an embedding actor: a second or two of the default model


@contextmanager
def _ordered():
    """Ray Data's results in input order, and quiet on stderr (the user's: the command's own progress bar
    and messages), while inside. Ray Data's log file in the session folder keeps everything."""
    from ray.data import DataContext

    ctx = DataContext.get_current()
    saved = (ctx.execution_options.preserve_order, ctx.enable_progress_bars, ctx.print_on_execution_start)
    consoles = [h for h in logging.getLogger("ray.data").handlers
                if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)]
    levels = [h.level for h in consoles]
    for h in consoles:
        h.setLevel(logging.ERROR)
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    try:
        yield
    finally:
        ctx.execution_options.preserve_order, ctx.enable_progress_bars, ctx.print_on_execution_start = saved
        for h, level in zip(consoles, levels):
            h.setLevel(level)


def _cpus(ray) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _blocks(n: int, per_batch: int, cpus: int) -> int:
    # One block a batch up to a bound: enough blocks to keep every CPU busy, not one object per file.
    return max(1, min(-(-n // per_batch), max(4 * cpus, 2000)))


def parse_batch(batch: dict[str, np.ndarray], cwd: str, ocr: bool) -> dict[str, np.ndarray]:
    """One parse task: the files of the batch, each as index/ingest.py's Parsed in JSON."""
    out = [parse_path(str(p), cwd, str(s) or None, ocr).model_dump_json() for p, s in zip(batch["path"], batch["stored"])]
    return {"i": batch["i"], "parsed": np.array(out, dtype=object)}


def ingest_ray(store, files: list[Path], address: str, progress: Callable[[Path], None] | None = None,
               ocr: bool = False, batch: int | None = None) -> Iterator[FileReport]:
    """index/ingest.py's ingest with the parsing on Ray: the same reports, in the same order.
    `batch`: files a task (default: four tasks a CPU, at most MAX_FILES_PER_BATCH files each)."""
    if not files:
        return
    ray = connect(address)
    if batch is None:
        batch = max(1, min(MAX_FILES_PER_BATCH, -(-min(len(files), WINDOW) // (4 * _cpus(ray)))))
    for start in range(0, len(files), WINDOW):
        yield from _ingest_window(ray, store, files[start:start + WINDOW], progress, ocr, batch)


def _ingest_window(ray, store, files: list[Path], progress, ocr: bool, batch: int) -> Iterator[FileReport]:
    # What the store holds at each path: its content is hashed by the worker, not parsed again.
    items = [{"i": i, "path": str(f), "stored": (old[1] if (old := store.file_by_path(str(f.resolve()))) else "")}
             for i, f in enumerate(files)]
    with _ordered():
        ds = ray.data.from_items(items, override_num_blocks=_blocks(len(items), batch, _cpus(ray)))
        del items
        ds = ds.map_batches(parse_batch, batch_size=batch, batch_format="numpy", fn_kwargs={"cwd": os.getcwd(), "ocr": ocr})
        expected = 0
        for out in ds.iter_batches(batch_size=batch, batch_format="numpy", prefetch_batches=2):
            for i, text in zip(out["i"], out["parsed"]):
                if int(i) != expected:  # preserve_order is what the reports' order rests on
                    raise RuntimeError(f"Ray Data returned file {int(i)} where file {expected} was due")
                report = store_parsed(store, Parsed.model_validate_json(text), ocr)
                if progress is not None:
                    progress(files[expected])
                expected += 1
                yield report


class _Embed:
    """An embedding actor: the model loaded once, then batch after batch."""

    def __init__(self, spec: str, model_id: str):
        from jixiao.index.embed import EmbeddingError, load_embedder

        self.embedder = load_embedder(spec)
        if self.embedder.model_id != model_id:  # another version of the model on this worker
            raise EmbeddingError(f"a Ray worker has {self.embedder.model_id}, the driver {model_id}: "
                                 "install the same jixiao environment on every worker")

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vecs = self.embedder.encode([str(t) for t in batch["text"]]).astype(np.float32)
        return {"i": batch["i"], "vector": vecs}


def embed_on_ray(address: str, spec: str, model_id: str,
                 batch: int = TEXTS_PER_BATCH) -> Callable[[Sequence[str]], Iterator[np.ndarray]]:
    """index/vectors.py's `encode_all` on Ray: the vectors of `texts`, a block at a time, in order."""
    ray = connect(address)

    def encode_all(texts: Sequence[str]) -> Iterator[np.ndarray]:
        if not texts:
            return
        cpus = _cpus(ray)
        actors = max(1, min(cpus, -(-len(texts) // batch)))  # no actor loads a model for nothing
        with _ordered():
            ds = ray.data.from_items([{"i": i, "text": t} for i, t in enumerate(texts)],
                                     override_num_blocks=_blocks(len(texts), batch, cpus))
            ds = ds.map_batches(_Embed, fn_constructor_args=(spec, model_id), batch_size=batch,
                                batch_format="numpy", concurrency=actors, num_cpus=1)
            expected = 0
            for out in ds.iter_batches(batch_size=batch, batch_format="numpy", prefetch_batches=2):
                ids = out["i"]
                if len(ids) and (int(ids[0]) != expected or int(ids[-1]) != expected + len(ids) - 1):
                    raise RuntimeError(f"Ray Data returned text {int(ids[0])} where text {expected} was due")
                expected += len(ids)
                yield np.asarray(out["vector"], dtype=np.float32)

    return encode_all
