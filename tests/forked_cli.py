"""The jixiao command line in processes forked from a warm forkserver, to be killed at random points.

A forkserver imports jixiao and loads the embedding model once; each run is a fork of it running
`jixiao.cli.main` with its arguments. A run then costs the command's own work, not the interpreter's
start-up and the model's loading (seconds, read-only, not what a kill test is about), so the random
kill points fall in parsing, transactions, embedding and index writes, and 20 runs take seconds."""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

from jixiao.index.embed import load_embedder

load_embedder("use-m3").encode(["预热"])  # on import, in the forkserver too (load_embedder is cached)

_context = None


def _child(argv: list[str], log: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.argv = ["jixiao", *argv]
    from jixiao.cli import main

    code = 0
    try:
        main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _forkserver():
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        # "__main__" (pytest's) too: else every child would run it again before its target.
        _context.set_forkserver_preload(["__main__", "jixiao.cli", "jixiao.index.ingest", "jixiao.index.build",
                                         "jixiao.index.search", "jixiao.forms.parser", "faiss", __name__])
        # The forkserver starts with the interpreter's own sys.path (3.11 drops the one it is given),
        # where this module is not found: it would be imported, and the model loaded, in every child.
        old = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parent), *([old] if old else [])])
        try:
            from multiprocessing import forkserver
            forkserver.ensure_running()
        finally:
            if old is None:
                del os.environ["PYTHONPATH"]
            else:
                os.environ["PYTHONPATH"] = old
    return _context


def run_cli(argv: list[str], log: Path, kill_after: float | None = None) -> int | None:
    """Exit code of `jixiao ARGV` (its output appended to `log`); None when it was SIGKILLed after
    `kill_after` seconds."""
    p = _forkserver().Process(target=_child, args=(argv, str(log)))
    p.start()
    p.join(kill_after if kill_after is not None else 300)
    if p.is_alive():
        p.kill()  # SIGKILL
        p.join()
        return None
    return p.exitcode
