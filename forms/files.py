"""Opening input files: regular files only, and none larger than a form file can be.

Every reader gets its bytes or its go-ahead here. A device (/dev/zero never ends), a FIFO (opening it
waits for a writer), a socket or a directory is refused before it is read; so is a file over the size
limit, judged by stat before reading and enforced while reading (a file may grow meanwhile).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from jixiao.forms.textio import InputError

MAX_FILE_MB_ENV = "JIXIAO_MAX_FILE_MB"
# A form file is a few MB; the largest workbooks read_xlsx takes hold 200 MB of sheet XML, and their
# zipped file is smaller still. Larger files are exports of something else, or a mistake.
DEFAULT_MAX_FILE_MB = 200.0


def max_file_bytes() -> int:
    """The size limit in bytes: JIXIAO_MAX_FILE_MB (a positive number of MB), else the default."""
    raw = os.environ.get(MAX_FILE_MB_ENV, "").strip()
    mb = DEFAULT_MAX_FILE_MB
    if raw:
        try:
            mb = float(raw)
        except ValueError:
            mb = -1.0
        if not 0 < mb < 1e9:  # nan fails too
            raise InputError(MAX_FILE_MB_ENV, f"must be a positive number of megabytes, not {raw!r}")
    return int(mb * 1_000_000)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file: only regular files are read"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file: only regular files are read"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file: only regular files are read"
    return "is not a regular file: only regular files are read"


def refusal(path: Path) -> str | None:
    """Why `path` is not read (not a regular file, too large), from stat alone; None when it may be read."""
    try:
        st = os.stat(path)
    except OSError as e:
        return f"cannot read: {e.strerror or e}"
    if not stat.S_ISREG(st.st_mode):
        return _kind(st.st_mode)
    return _too_large(st.st_size)


def _too_large(size: int) -> str | None:
    try:
        limit = max_file_bytes()
    except InputError as e:
        return str(e)
    if size > limit:
        return (f"too large to be a form file: {size / 1e6:,.1f} MB (limit {limit / 1e6:,.0f} MB; "
                f"set {MAX_FILE_MB_ENV} to raise it)")
    return None


def check(path: Path) -> None:
    """Raise InputError unless `path` is a regular file within the size limit."""
    why = refusal(path)
    if why is not None:
        raise InputError(str(path), why)


def read_bytes(path: Path, head: int | None = None) -> bytes:
    """The file's bytes (or its first `head` bytes): regular files within the size limit only.

    Opened without blocking, so a FIFO put in the path's place after a stat cannot hang the open,
    then checked again on the open descriptor."""
    file = str(path)
    check(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise InputError(file, f"cannot read: {e.strerror or e}") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(file, _kind(st.st_mode))
        limit = max_file_bytes()
        try:
            data = fh.read(head if head is not None else limit + 1)
        except OSError as e:
            raise InputError(file, f"cannot read: {e.strerror or e}") from None
    if head is None and len(data) > limit:
        raise InputError(file, _too_large(len(data)) or "too large")
    return data
