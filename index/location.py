"""Where a corpus lives: a SQLite file (the default) or a PostgreSQL database named by a DSN, and
where the index files of a PostgreSQL corpus go (a local folder: FAISS and BM25 files are local).

`--db` is read by the CLI as a path, which folds `postgresql://host/db` into `postgresql:/host/db`;
these functions accept both spellings.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

SCHEMES = ("postgresql", "postgres")


def is_postgres(db: str | Path | None) -> bool:
    return db is not None and str(db).split(":", 1)[0] in SCHEMES and ":/" in str(db)


def dsn(db: str | Path) -> str:
    """The DSN as written, restoring the `//` that a Path folded: `postgresql:/host/db` is
    `postgresql://host/db`, and `postgresql:/db` (no host: the local socket) is `postgresql:///db`."""
    scheme, rest = str(db).split(":", 1)
    if rest.startswith("//"):
        return f"postgresql:{rest}"
    rest = rest.lstrip("/")
    head = rest.split("?", 1)[0]
    return f"postgresql://{rest}" if "/" in head else f"postgresql:///{rest}"


def shown(db: str | Path) -> str:
    """The corpus as messages and reports name it: a file's path; a DSN without its password."""
    if not is_postgres(db):
        return str(db)
    parts = urlsplit(dsn(db))
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    return f"postgresql://{netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def index_dir(db: str | Path) -> Path:
    """The folder holding a PostgreSQL corpus's index files: $JIXIAO_INDEX_DIR, else a cache folder
    named after the server and the database (~/.cache/jixiao/pg/HOST-PORT-DB[-QUERYHASH])."""
    if os.environ.get("JIXIAO_INDEX_DIR"):
        return Path(os.environ["JIXIAO_INDEX_DIR"]).expanduser()
    parts = urlsplit(dsn(db))
    name = f"{parts.hostname or 'local'}-{parts.port or 5432}-{parts.path.lstrip('/') or 'postgres'}"
    if parts.query:  # another schema (search_path) of the same database is another corpus
        name += "-" + hashlib.sha256(parts.query.encode()).hexdigest()[:8]
    base = os.environ.get("JIXIAO_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "jixiao")
    return Path(base).expanduser() / "pg" / re.sub(r"[^\w.-]+", "_", name)


def index_base(db: str | Path) -> Path:
    """The stem the index files are named from (`STEM.indicator.faiss`, `STEM.goal.bm25.npz`, …):
    the corpus file itself for SQLite; `corpus` inside index_dir() for PostgreSQL."""
    if not is_postgres(db):
        return Path(db)
    folder = index_dir(db)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "corpus"
