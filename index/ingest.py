"""Ingesting files and folders into the corpus store, one file at a time.

A file is identified by its resolved path and its content hash: the same file twice stores
nothing new, a changed file replaces its old forms, and a file whose content is already stored
under another path is reported, not stored twice. A file that cannot be read or holds no form
changes nothing in the store: what was stored before stays valid.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal

from pydantic import BaseModel, Field

from jixiao.forms import files as input_files
from jixiao.forms.grid import OFFICE_SUFFIXES, read_grid
from jixiao.forms.grid import TEXT_SUFFIXES as TEXT_SUFFIXES
from jixiao.forms.models import Issue
from jixiao.forms.parser import parse_grid
from jixiao.forms.textio import InputError
from jixiao.index.store import Store, trouble

# What a folder is searched for: text exports, and the Office/PDF files forms/grid.read_grid reads.
SUFFIXES = TEXT_SUFFIXES | OFFICE_SUFFIXES

Status = Literal["stored", "replaced", "unchanged", "duplicate", "failed"]


class FileReport(BaseModel):
    path: str
    status: Status
    forms: int = 0
    indicators: int = 0
    warnings: list[Issue] = Field(default_factory=list)
    error: str | None = None
    same_as: str | None = None  # for duplicates: the path already stored with this content


def collect(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileReport]]:
    """Expand folders (recursively, text exports only) and report paths that cannot be used."""
    files: list[Path] = []
    problems: list[FileReport] = []
    seen: set[Path] = set()
    for p in map(Path, paths):
        if not p.exists():
            problems.append(FileReport(path=str(p), status="failed", error="no such file or directory"))
        elif p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                           and not any(part.startswith(".") for part in f.relative_to(p).parts)
                           and not f.name.startswith("~$"))  # ~$book.xlsx: an Office lock file
            if not found:
                problems.append(FileReport(path=str(p), status="failed", error=(
                    f"folder holds no text exports, spreadsheets, Word or PDF files ({', '.join(sorted(SUFFIXES))})")))
            for f in found:
                if f.resolve() not in seen:
                    seen.add(f.resolve())
                    files.append(f)
        elif (why := input_files.refusal(p)) is not None:  # a device, FIFO or socket; a file too large
            problems.append(FileReport(path=str(p), status="failed", error=why))
        elif p.resolve() not in seen:
            seen.add(p.resolve())
            files.append(p)
    return files, problems


def ingest_file(store: Store, path: Path, ocr: bool = False) -> FileReport:
    key = str(path.resolve())
    shown = str(path)
    try:
        data = input_files.read_bytes(path)  # regular files within the size limit only
    except InputError as e:
        return FileReport(path=shown, status="failed", error=e.message)
    sha = hashlib.sha256(data).hexdigest()
    old = store.file_by_path(key)
    if old is not None and old[1] == sha:
        return FileReport(path=shown, status="unchanged")
    if old is None and (other := store.file_by_hash(sha)) is not None:
        return FileReport(path=shown, status="duplicate", same_as=other)
    try:
        # read_grid tells a text export from an Office, PDF or CSV file by its bytes, whatever its name.
        grid = read_grid(path, ocr=ocr, data=data)
        encoding = grid.encoding
        result = parse_grid(grid, shown)
    except InputError as e:
        return FileReport(path=shown, status="failed", error=str(e))
    warnings = result.all_issues()
    if result.failed:
        errors = [str(i) for i in result.issues if i.severity == "error"]
        return FileReport(path=shown, status="failed", error="; ".join(errors),
                          warnings=[w for w in warnings if w.severity == "warning"])
    try:
        store.replace_file(key, sha, len(data), encoding, result.forms, result.issues)
    except sqlite3.Error as e:  # rolled back: the corpus holds what it held before this file
        return FileReport(path=shown, status="failed", error=f"not stored: {trouble(store.path, e)}",
                          warnings=[w for w in warnings if w.severity == "warning"])
    return FileReport(
        path=shown, status="replaced" if old is not None else "stored", forms=len(result.forms),
        indicators=sum(len(f.indicators) for f in result.forms), warnings=warnings,
    )


def ingest(store: Store, files: list[Path], progress: Callable[[Path], None] | None = None,
           ocr: bool = False) -> Iterator[FileReport]:
    for f in files:
        report = ingest_file(store, f, ocr)
        if progress is not None:
            progress(f)
        yield report
