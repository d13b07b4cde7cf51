"""`review --stream --ray auto|ADDRESS`: the form checks in Ray tasks over partitions of the corpus's forms.

The driver cuts the corpus's form ids (8 bytes a form) into batches; each task opens the corpus file
itself, reads its batch (Store.form_rows) and returns the outcomes of review/stream.py's check_form,
findings already located. The driver takes the batches back in corpus order, a few in flight per CPU,
and feeds them to the same Stream as the single-process path: the same filters, dedup, decisions and
lines, in the same order, so the findings are the same. Neither the driver nor a worker holds more
than a few batches of forms. The corpus checks stay in the driver (review/stream.py says what they hold).

`auto` is a Ray already started in this process, else the cluster of RAY_ADDRESS, else a new local Ray;
ADDRESS is a head ("ray://host:10001" or "host:6379"). Workers must see the corpus file at the same path
and have jixiao installed (a cluster: a shared disk and the same environment, or Ray's runtime_env).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from jixiao.index.ray_cluster import connect as connect  # where it lived before: still importable from here
from jixiao.review.settings import Settings
from jixiao.review.stream import Outcome, Stream, check_rows, checks_of

BATCH = 500  # forms a task: about a second of checks, a few MB of forms
IN_FLIGHT_PER_CPU = 2


def check_batch(db: str, ids: list[int], only: list[str] | None, settings: Settings, file_issues) -> list[Outcome]:
    """One task: a batch of forms read from the corpus by the worker, checked one by one."""
    from jixiao.index.store import Store
    from jixiao.review import engine  # noqa: F401  (registers the checks in the worker)

    store = Store(db)
    try:
        return list(check_rows(store.form_rows(ids), checks_of("form", only), settings, file_issues))
    finally:
        store.close()


def stream_ray(stream: Stream, store, settings: Settings, only: list[str] | None, address: str,
               batch: int = BATCH, db: str | Path | None = None) -> None:
    """The form checks of every form of `store` on Ray, into `stream` in corpus order. `db`: the --db
    the store was opened with (a PostgreSQL DSN keeps its password there, not in `store.path`)."""
    ray = connect(address)
    task = ray.remote(check_batch)
    db = str(Path(store.path).resolve()) if getattr(store, "dialect", "sqlite") == "sqlite" else str(db or store.path)
    settings_ref, issues_ref = ray.put(settings), ray.put(dict(stream.file_issues))
    window = max(2, IN_FLIGHT_PER_CPU * int(ray.cluster_resources().get("CPU", 1)))
    ids = store.form_ids()
    pending: deque = deque()
    for start in range(0, len(ids), batch):
        pending.append(task.remote(db, ids[start:start + batch], only, settings_ref, issues_ref))
        if len(pending) >= window:
            for outcome in ray.get(pending.popleft()):
                stream.add(outcome)
    while pending:
        for outcome in ray.get(pending.popleft()):
            stream.add(outcome)
