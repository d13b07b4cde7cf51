"""Embedding texts through the corpus's cache, and composing project vectors.

Vectors are cached by (model, hash of the text): boilerplate repeats across thousands of forms,
so identical texts are embedded once, and re-indexing an unchanged corpus embeds nothing.
"""

from __future__ import annotations

import hashlib
from typing import Callable, Sequence

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


def embed_cached(store: Store, embedder: Embedder, texts: Sequence[str],
                 progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, int]:
    """Vectors for `texts` (in order) and how many distinct texts had to be embedded."""
    hashes = [text_hash(t) for t in texts]
    unique: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        unique.setdefault(h, t)
    cached = {h: v for h, v in store.cached_vectors(embedder.model_id, list(unique)).items()
              if _sound(v, embedder.dim)}  # a damaged corpus's bytes are embedded again
    missing = [h for h in unique if h not in cached]
    for i in range(0, len(missing), CHUNK):
        chunk = missing[i:i + CHUNK]
        vecs = embedder.encode([unique[h] for h in chunk]).astype(np.float32)
        rows = [(h, v.tobytes()) for h, v in zip(chunk, vecs)]
        store.put_vectors(embedder.model_id, embedder.dim, rows)
        cached.update(rows)
        if progress is not None:
            progress(len(chunk))
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
