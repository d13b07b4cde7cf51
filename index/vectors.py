"""Embedding texts through the corpus's cache, and composing project vectors.

Vectors are cached by (model, hash of the text): boilerplate repeats across thousands of forms,
so identical texts are embedded once, and re-indexing an unchanged corpus embeds nothing.
"""

from __future__ import annotations

import hashlib
from typing import Callable, Iterator, Sequence

import numpy as np

from jixiao.index.embed import Embedder
from jixiao.index.store import Store

CHUNK = 4096  # texts embedded and written per step: bounds memory and keeps progress moving


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _sound(blob: bytes, dim: int) -> bool:
    if len(blob) != 4 * dim:
        return False
    v = np.frombuffer(blob, dtype=np.float32)
    return bool(np.isfinite(v).all() and np.abs(v).max() <= 1.0 + 1e-3)  # a unit vector's parts


def _local(embedder: Embedder) -> Callable[[Sequence[str]], Iterator[np.ndarray]]:
    def encode_all(texts: Sequence[str]) -> Iterator[np.ndarray]:
        for i in range(0, len(texts), CHUNK):
            yield embedder.encode(texts[i:i + CHUNK])

    return encode_all


def embed_cached(store: Store, embedder: Embedder, texts: Sequence[str],
                 progress: Callable[[int], None] | None = None,
                 encode_all: Callable[[Sequence[str]], Iterator[np.ndarray]] | None = None) -> tuple[np.ndarray, int]:
    """Vectors for `texts` (in order) and how many distinct texts had to be embedded.

    `encode_all`: the vectors of the texts missing from the cache, a block at a time in order (default: the
    embedder here, CHUNK texts a block; index/ray_data.py: on Ray). Each block is cached as it comes."""
    hashes = [text_hash(t) for t in texts]
    unique: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        unique.setdefault(h, t)
    cached = {h: v for h, v in store.cached_vectors(embedder.model_id, list(unique)).items()
              if _sound(v, embedder.dim)}  # a damaged corpus's bytes are embedded again
    missing = [h for h in unique if h not in cached]
    done = 0
    for vecs in (encode_all or _local(embedder))([unique[h] for h in missing]):
        vecs = np.asarray(vecs, dtype=np.float32)
        chunk = missing[done:done + len(vecs)]
        if len(chunk) != len(vecs) or vecs.shape[1:] != (embedder.dim,):
            raise ValueError(f"{len(vecs)} vectors of shape {vecs.shape[1:]} for {len(chunk)} texts of {embedder.dim}-d")
        rows = [(h, v.tobytes()) for h, v in zip(chunk, vecs)]
        store.put_vectors(embedder.model_id, embedder.dim, rows)
        cached.update(rows)
        done += len(vecs)
        if progress is not None:
            progress(len(chunk))
    if done != len(missing):
        raise ValueError(f"{done} vectors for {len(missing)} texts")
    out = np.empty((len(texts), embedder.dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        out[i] = np.frombuffer(cached[h], dtype=np.float32)
    return out, len(missing)


def project_vectors(form_ids: np.ndarray, goal_form_ids: np.ndarray, goal_vecs: np.ndarray,
                    ind_form_ids: np.ndarray, ind_vecs: np.ndarray) -> np.ndarray:
    """One vector per form: the mean of its goal vectors plus the mean of its indicator vectors.

    Both halves weigh the same, so a project with 20 indicators is not judged by them alone.
    """
    dim = goal_vecs.shape[1] if len(goal_vecs) else ind_vecs.shape[1]
    out = np.zeros((len(form_ids), dim), dtype=np.float32)
    pos = {int(f): i for i, f in enumerate(form_ids)}
    for fids, vecs in ((goal_form_ids, goal_vecs), (ind_form_ids, ind_vecs)):
        sums = np.zeros_like(out)
        counts = np.zeros(len(form_ids), dtype=np.float32)
        for f, v in zip(fids, vecs):
            i = pos.get(int(f))
            if i is not None:
                sums[i] += v
                counts[i] += 1
        has = counts > 0
        means = sums[has] / counts[has, None]
        out[has] += means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)
