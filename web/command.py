"""`jixiao serve`: start the review workbench (web/app.py) with uvicorn."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from jixiao.console import err, error


def serve_cmd(
    db: Path = typer.Option(..., "--db", envvar="JIXIAO_DB", help="Corpus file (ingested and indexed)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; loopback unless told otherwise. Off loopback a token is required."),
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="Port (0: any free one)."),
    token: Optional[str] = typer.Option(None, "--token", metavar="SECRET", help="Shared secret checked on every request (or JIXIAO_TOKEN); required with a non-loopback --host."),
    model: Optional[str] = typer.Option(None, "--model", "-m", envvar="JIXIAO_MODEL", help="Must be the model the index was built with."),
) -> None:
    """A review workbench in the browser over the corpus: search, project pages, the review queue
    with accept/dismiss (stored in the corpus, read by `jixiao review --db`), exports. Offline.

    Example: jixiao serve --db corpus.db            # then open http://127.0.0.1:8765/

    Example: JIXIAO_TOKEN=… jixiao serve --db corpus.db --host 0.0.0.0
    """
    from jixiao.index.store import Store, StoreError
    from jixiao.web.app import is_loopback

    token = token or os.environ.get("JIXIAO_TOKEN") or None
    if not is_loopback(host) and not token:
        error(f"--host {host} makes the workbench reachable from other machines: give --token SECRET "
              "(or set JIXIAO_TOKEN); every request must then carry it. Refusing to start.")
        raise typer.Exit(2)
    try:
        Store(db).close()
    except StoreError as e:
        error(e)
        raise typer.Exit(1)
    import uvicorn

    from jixiao.web.app import create_app

    app = create_app(db, token=token, host=host, model=model)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    from jixiao.index.location import shown as corpus_name  # a DSN without its password

    err.print(f"jixiao workbench on http://{shown}:{port}/ (corpus {corpus_name(db)}); the review runs in the background", highlight=False)
    if token:
        err.print(f"a token is required: open http://{shown}:{port}/?token=… once in the browser, or send the header X-Jixiao-Token", highlight=False)
    else:
        err.print(f"scripts POSTing to /api/ send the header X-Jixiao-Token: {app.state.api_token}", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
