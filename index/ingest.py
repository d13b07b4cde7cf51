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
from jixiao.forms.models import Issue, ParseResult
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


def _read(path: Path, shown: str) -> tuple[bytes, str] | FileReport:
    """The file's bytes and their hash, or why it cannot be read."""
    try:
        data = input_files.read_bytes(path)  # regular files within the size limit only
    except InputError as e:
        return FileReport(path=shown, status="failed", error=e.message)
    return data, hashlib.sha256(data).hexdigest()


def _known(store: Store, key: str, shown: str, sha: str) -> tuple[tuple[int, str] | None, FileReport | None]:
    """What the store holds at this path, and the report when this content needs no parsing."""
    old = store.file_by_path(key)
    if old is not None and old[1] == sha:
        return old, FileReport(path=shown, status="unchanged")
    if old is None and (other := store.file_by_hash(sha)) is not None:
        return old, FileReport(path=shown, status="duplicate", same_as=other)
    return old, None


def _parse(path: Path, shown: str, data: bytes, ocr: bool) -> tuple[str | None, ParseResult]:
    """The file's encoding and forms; raises InputError. `shown` names the forms' source."""
    # read_grid tells a text export from an Office, PDF or CSV file by its bytes, whatever its name.
    grid = read_grid(path, ocr=ocr, data=data)
    return grid.encoding, parse_grid(grid, shown)


def _store(store: Store, key: str, shown: str, sha: str, size: int, encoding: str | None, result: ParseResult,
           old: tuple[int, str] | None) -> FileReport:
    warnings = result.all_issues()
    if result.failed:
        errors = [str(i) for i in result.issues if i.severity == "error"]
        return FileReport(path=shown, status="failed", error="; ".join(errors),
                          warnings=[w for w in warnings if w.severity == "warning"])
    try:
        store.replace_file(key, sha, size, encoding, result.forms, result.issues)
    except sqlite3.Error as e:  # rolled back: the corpus holds what it held before this file
        return FileReport(path=shown, status="failed", error=f"not stored: {trouble(store.path, e)}",
                          warnings=[w for w in warnings if w.severity == "warning"])
    return FileReport(
        path=shown, status="replaced" if old is not None else "stored", forms=len(result.forms),
        indicators=sum(len(f.indicators) for f in result.forms), warnings=warnings,
    )


def ingest_file(store: Store, path: Path, ocr: bool = False) -> FileReport:
    key = str(path.resolve())
    shown = str(path)
    got = _read(path, shown)
    if isinstance(got, FileReport):
        return got
    data, sha = got
    old, known = _known(store, key, shown, sha)
    if known is not None:
        return known
    try:
        encoding, result = _parse(path, shown, data, ocr)
    except InputError as e:
        return FileReport(path=shown, status="failed", error=str(e))
    return _store(store, key, shown, sha, len(data), encoding, result, old)


class Parsed(BaseModel):
    """A file read and parsed away from the store (a Ray worker, index/ray_data.py): plain JSON both ways.
    The driver stores it with store_parsed, in the same steps as ingest_file."""

    path: str  # as given on the command line: what reports and the forms' source name
    sha256: str | None = None  # None: the file could not be read (error says why)
    size: int = 0
    encoding: str | None = None
    error: str | None = None
    result: ParseResult | None = None  # None with no error: not parsed, the store held this content here


def parse_path(shown: str, cwd: str, stored_sha: str | None, ocr: bool = False) -> Parsed:
    """ingest_file's reading and parsing, without the store. `cwd`: the driver's working directory, which
    a relative `shown` is read from; `stored_sha`: the content the store holds at this path (not parsed again)."""
    path = Path(cwd, shown)  # `shown` itself when absolute
    read_as = str(path)
    got = _read(path, shown)
    if isinstance(got, FileReport):
        return Parsed(path=shown, error=_named(got.error or "", read_as, shown))
    data, sha = got
    if sha == stored_sha:
        return Parsed(path=shown, sha256=sha, size=len(data))
    try:
        encoding, result = _parse(path, shown, data, ocr)
    except InputError as e:
        if e.file == read_as:
            e.file = shown
        return Parsed(path=shown, sha256=sha, size=len(data), error=str(e))
    if read_as != shown:  # the readers name their warnings by the path they read
        for issue in (*result.issues, *(w for f in result.forms for w in f.warnings)):
            if issue.file == read_as:
                issue.file = shown
    return Parsed(path=shown, sha256=sha, size=len(data), encoding=encoding, result=result)


def _named(message: str, read_as: str, shown: str) -> str:
    return message.replace(read_as, shown) if read_as != shown else message


def store_parsed(store: Store, parsed: Parsed, ocr: bool = False) -> FileReport:
    """Store what parse_path read, deciding unchanged / duplicate / replaced against the store as it is now,
    as ingest_file does (an earlier file of the same run may hold the same content)."""
    shown = parsed.path
    if parsed.sha256 is None:
        return FileReport(path=shown, status="failed", error=parsed.error)
    key = str(Path(shown).resolve())
    old, known = _known(store, key, shown, parsed.sha256)
    if known is not None:
        return known
    if parsed.error is not None:
        return FileReport(path=shown, status="failed", error=parsed.error)
    if parsed.result is None:  # skipped by the worker as stored, and the store changed since
        return ingest_file(store, Path(shown), ocr)
    return _store(store, key, shown, parsed.sha256, parsed.size, parsed.encoding, parsed.result, old)


def ingest(store: Store, files: list[Path], progress: Callable[[Path], None] | None = None,
           ocr: bool = False) -> Iterator[FileReport]:
    for f in files:
        report = ingest_file(store, f, ocr)
        if progress is not None:
            progress(f)
        yield report
