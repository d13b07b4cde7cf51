"""The corpus store: one SQLite file (or a PostgreSQL database, `--db postgresql://…`, for a team)
holding files, forms, indicators and parse issues.

Each form is kept whole as JSON (so it can be read back exactly) and flattened into columns that
queries, indexes and reviews need. A file's forms are written in one transaction: a crash or
Ctrl-C in the middle leaves the database as it was before that file.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from jixiao.forms.models import Form, Issue
from jixiao.index import location

# 3: llm_answers, the language model's answers by (prompt version, model, input hash). Opening an
# older corpus adds the table (the DDL is idempotent) and keeps everything else as it was.
# 4: decisions, a reviewer's decision on a finding or a group by its stable id (`jixiao serve`);
# added the same way, and read by `jixiao review --db`.
SCHEMA_VERSION = 4

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    encoding TEXT,
    n_forms INTEGER NOT NULL,
    n_indicators INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_sha256 ON files(sha256);
CREATE TABLE IF NOT EXISTS forms (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    form_type TEXT NOT NULL,
    year INTEGER,
    period_start TEXT,
    period_end TEXT,
    project_name TEXT,
    department TEXT,
    unit TEXT,
    goal_expected TEXT,
    goal_actual TEXT,
    goal_overall TEXT,
    goal_annual TEXT,
    total_score REAL,
    grade TEXT,
    execution_rate REAL,
    first_line INTEGER NOT NULL,
    last_line INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS forms_file ON forms(file_id);
CREATE INDEX IF NOT EXISTS forms_project ON forms(project_name);
CREATE INDEX IF NOT EXISTS forms_year_type ON forms(year, form_type);
CREATE INDEX IF NOT EXISTS forms_unit ON forms(unit);
CREATE TABLE IF NOT EXISTS indicators (
    id INTEGER PRIMARY KEY,
    form_id INTEGER NOT NULL REFERENCES forms(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    level1 TEXT NOT NULL,
    level2 TEXT NOT NULL,
    name TEXT NOT NULL,
    target_raw TEXT,
    target_op TEXT,
    target_number REAL,
    target_unit TEXT,
    target_kind TEXT,
    plan_raw TEXT,
    actual_raw TEXT,
    actual_number REAL,
    actual_unit TEXT,
    actual_kind TEXT,
    weight REAL,
    score REAL,
    deviation TEXT,
    line INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS indicators_form ON indicators(form_id);
CREATE INDEX IF NOT EXISTS indicators_name ON indicators(name);
CREATE TABLE IF NOT EXISTS issues (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    form_id INTEGER REFERENCES forms(id) ON DELETE CASCADE,
    line INTEGER,
    severity TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS issues_file ON issues(file_id);
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS llm_answers (
    prompt_version TEXT NOT NULL,
    model TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (prompt_version, model, input_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS decisions (
    id TEXT PRIMARY KEY,
    decision TEXT NOT NULL CHECK (decision IN ('accepted', 'dismissed')),
    note TEXT,
    reviewer TEXT,
    decided_at TEXT NOT NULL
) WITHOUT ROWID;
"""


class StoreError(Exception):
    pass


# Another jixiao writing the same corpus (a second ingest, index, serve) holds its write lock for one
# file's transaction: wait for it this long before saying the corpus is busy.
BUSY_SECONDS = 60.0


class Store:
    dialect = "sqlite"

    def __init__(self, path: str | Path, create: bool = False):
        if location.is_postgres(path):
            self._open_postgres(path, create)
            return
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(f"no corpus at {self.path}: run `jixiao ingest PATH... --db {self.path}` first")
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"{self.path} is a directory, not a corpus file")
        # A corpus that cannot be written (file or folder read-only) is opened read-only: the reading
        # commands work, and a writing one fails with StoreError from require_writable().
        self.read_only = self.path.exists() and not _writable(self.path)
        self.conn = None
        try:
            self.conn = _connect(self.path, self.read_only)
            self.conn.execute("PRAGMA foreign_keys = ON")
            version = self._schema_version()  # before anything is written: a newer corpus stays untouched
            if not self.read_only:
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
                if version != SCHEMA_VERSION or self.get_meta("corpus_version") is None:
                    self._migrate()
        except sqlite3.DatabaseError as e:
            if self.conn is not None:
                self.conn.close()
            raise StoreError(trouble(self.path, e)) from None
        except StoreError:
            self.conn.close()
            raise

    def _open_postgres(self, db: str | Path, create: bool) -> None:
        """The same schema and migrations in a PostgreSQL database (index/pg.py adapts the SQL)."""
        try:
            from jixiao.index import pg
        except ImportError:
            raise StoreError("--db postgresql://… needs psycopg: pip install 'jixiao[scale]'") from None
        self.dialect = "postgresql"
        self.path = location.shown(db)  # the DSN without its password: what messages and stats show
        self.read_only = False
        self.conn = None
        try:
            self.conn = pg.Connection(location.dsn(db), BUSY_SECONDS)
        except ImportError:
            raise StoreError("--db postgresql://… needs psycopg: pip install 'jixiao[scale]'") from None
        except sqlite3.DatabaseError as e:
            raise StoreError(trouble(self.path, e)) from None
        try:
            # A standby or a read-only role: reading commands work, writing ones say why they cannot.
            self.read_only = bool(self.conn.execute(
                "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'").fetchone()[0])
            version = self._schema_version()
            if version is None and not create:
                raise StoreError(f"no corpus in {self.path}: run `jixiao ingest PATH... --db {self.path}` first")
            if not self.read_only and (version != SCHEMA_VERSION or self.get_meta("corpus_version") is None):
                self._migrate()
        except sqlite3.DatabaseError as e:
            self.conn.close()
            raise StoreError(trouble(self.path, e)) from None
        except StoreError:
            self.conn.close()
            raise

    def require_writable(self, command: str) -> None:
        """Raise StoreError when the corpus was opened read-only."""
        if self.read_only:
            raise StoreError(f"{self.path} is read-only (the file or its folder cannot be written): "
                             f"{command} needs to write to the corpus; reading commands still work")

    def _schema_version(self) -> int | None:
        """The schema the corpus was written with; None for a new, empty file. Reads only."""
        pg = self.dialect == "postgresql"
        has_meta = self.conn.execute(
            "SELECT to_regclass('meta') IS NOT NULL" if pg else
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if has_meta and has_meta[0]:
            row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row and str(row[0]).isdigit() else 0
            newest = version if pg else max(version, self.conn.execute("PRAGMA user_version").fetchone()[0])
            if newest > SCHEMA_VERSION:
                raise StoreError(f"{self.path} was written by a newer jixiao (corpus schema {newest}, this "
                                 f"jixiao reads up to {SCHEMA_VERSION}): upgrade jixiao; the corpus was not changed")
            return version
        tables = self.conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()" if pg else
            "SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        if tables:
            raise StoreError(f"{self.path} holds other tables but no jixiao corpus (give the DSN a schema of its "
                             "own: ?options=-csearch_path%3Djixiao)" if pg else
                             f"{self.path} is an SQLite file but not a jixiao corpus")
        if self.read_only:
            raise StoreError(f"{self.path} is an empty read-only file, not a jixiao corpus")
        return None

    def _migrate(self) -> None:
        with self.transaction():
            # Statement by statement: executescript() would commit behind the transaction's back.
            for stmt in _DDL.split(";"):
                if stmt.strip():
                    if self.dialect == "postgresql":
                        from jixiao.index import pg
                        stmt = pg.ddl(stmt)
                    self.conn.execute(stmt)
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                              (str(SCHEMA_VERSION),))
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")  # what tools other than jixiao read
            self.conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('corpus_version', '0')")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; any exception, KeyboardInterrupt included, rolls back."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")  # may fail too (a full disk): rolled back like the rest
        except BaseException:
            if self.conn.in_transaction:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite rolled back itself (an I/O error); the original error says why
            raise

    # --- files ---------------------------------------------------------------------------------

    def file_by_path(self, path: str) -> tuple[int, str] | None:
        return self.conn.execute("SELECT id, sha256 FROM files WHERE path = ?", (path,)).fetchone()

    def file_by_hash(self, sha256: str) -> str | None:
        row = self.conn.execute("SELECT path FROM files WHERE sha256 = ? LIMIT 1", (sha256,)).fetchone()
        return row[0] if row else None

    def replace_file(self, path: str, sha256: str, size: int, encoding: str | None,
                     forms: list[Form], issues: list[Issue], on_form=None) -> int:
        """Store a file's forms, replacing what the same path held before, in one transaction."""
        n_ind = sum(len(f.indicators) for f in forms)
        with self.transaction() as c:
            c.execute("DELETE FROM files WHERE path = ?", (path,))
            file_id = c.execute(
                "INSERT INTO files(path, sha256, size, encoding, n_forms, n_indicators, ingested_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (path, sha256, size, encoding, len(forms), n_ind,
                 datetime.now(timezone.utc).isoformat(timespec="seconds")),
            ).lastrowid
            for issue in issues:
                self._insert_issue(c, file_id, None, issue)
            for seq, form in enumerate(forms):
                self._insert_form(c, file_id, seq, form)
                if on_form is not None:
                    on_form(seq)
            # Indexes record the version they were built from, so a changed corpus is noticed.
            c.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'corpus_version'")
        return file_id

    # --- settings and versions -----------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    @property
    def corpus_version(self) -> int:
        return int(self.get_meta("corpus_version") or 0)

    # --- embedding cache -----------------------------------------------------------------------

    def cached_vectors(self, model: str, hashes: list[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for i in range(0, len(hashes), 900):  # SQLite's bound-parameter limit
            chunk = hashes[i:i + 900]
            q = f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({','.join('?' * len(chunk))})"
            out.update(self.conn.execute(q, (model, *chunk)).fetchall())
        return out

    def put_vectors(self, model: str, dim: int, rows: list[tuple[str, bytes]]) -> None:
        if self.read_only:
            return  # a cache: a read-only corpus (review --db) embeds again next time
        with self.transaction() as c:
            c.executemany("INSERT OR IGNORE INTO embeddings(model, text_hash, dim, vector) VALUES (?, ?, ?, ?)",
                          [(model, h, dim, v) for h, v in rows])

    # --- language-model answers ----------------------------------------------------------------

    def llm_answer(self, prompt_version: str, model: str, input_hash: str) -> str | None:
        row = self.conn.execute(
            "SELECT answer_json FROM llm_answers WHERE prompt_version = ? AND model = ? AND input_hash = ?",
            (prompt_version, model, input_hash)).fetchone()
        return row[0] if row else None

    def put_llm_answer(self, prompt_version: str, model: str, input_hash: str, answer_json: str) -> None:
        # Autocommit: each answer is kept the moment it arrives, so an interrupted run loses nothing.
        if self.read_only:
            return  # a cache, as put_vectors
        self.conn.execute(
            "INSERT OR REPLACE INTO llm_answers(prompt_version, model, input_hash, answer_json, created) "
            "VALUES (?, ?, ?, ?, ?)",
            (prompt_version, model, input_hash, answer_json, datetime.now(timezone.utc).isoformat(timespec="seconds")))

    # --- reviewers' decisions ------------------------------------------------------------------
    # Keyed by the stable id of a finding or a group (review/models.py), not by any row of the
    # forms: re-ingesting a file leaves them alone, and a re-review finds them again.

    def decisions(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT id, decision FROM decisions"))

    def decision_rows(self) -> dict[str, dict]:
        return {r[0]: {"id": r[0], "decision": r[1], "note": r[2], "reviewer": r[3], "decided_at": r[4]}
                for r in self.conn.execute("SELECT id, decision, note, reviewer, decided_at FROM decisions")}

    def put_decisions(self, rows: list[dict]) -> None:
        """Each row {id, decision, note?, reviewer?}; decision None removes it. One transaction for all."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.transaction() as c:
            for r in rows:
                if r.get("decision") is None:
                    c.execute("DELETE FROM decisions WHERE id = ?", (r["id"],))
                    continue
                c.execute("INSERT OR REPLACE INTO decisions(id, decision, note, reviewer, decided_at) VALUES (?, ?, ?, ?, ?)",
                          (r["id"], r["decision"], r.get("note") or None, r.get("reviewer") or None, now))

    def _insert_issue(self, c: sqlite3.Connection, file_id: int, form_id: int | None, issue: Issue) -> None:
        c.execute("INSERT INTO issues(file_id, form_id, line, severity, message) VALUES (?, ?, ?, ?, ?)",
                  (file_id, form_id, issue.line, issue.severity, issue.message))

    def _insert_form(self, c: sqlite3.Connection, file_id: int, seq: int, f: Form) -> None:
        form_id = c.execute(
            "INSERT INTO forms(file_id, seq, form_type, year, period_start, period_end, project_name, "
            "department, unit, goal_expected, goal_actual, goal_overall, goal_annual, total_score, grade, "
            "execution_rate, first_line, last_line, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (file_id, seq, f.form_type.value, f.year, f.period_start, f.period_end, f.project_name,
             f.department, f.unit, f.goal.expected, f.goal.actual, f.goal.overall, f.goal.annual,
             f.total_score, f.grade, f.funds.execution_rate if f.funds else None,
             f.source.first_line, f.source.last_line, f.model_dump_json()),
        ).lastrowid
        c.executemany(
            "INSERT INTO indicators(form_id, seq, level1, level2, name, target_raw, target_op, target_number, "
            "target_unit, target_kind, plan_raw, actual_raw, actual_number, actual_unit, actual_kind, weight, "
            "score, deviation, line) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(form_id, i, ind.level1, ind.level2, ind.name,
              *(_value_cols(ind.target)), ind.plan.raw if ind.plan else None,
              *(_value_cols(ind.actual)[:1]), ind.actual.number if ind.actual else None,
              ind.actual.unit if ind.actual else None, ind.actual.kind if ind.actual else None,
              ind.weight, ind.score, ind.deviation, ind.line)
             for i, ind in enumerate(f.indicators)],
        )
        for issue in f.warnings:
            self._insert_issue(c, file_id, form_id, issue)

    # --- reading -------------------------------------------------------------------------------

    def forms(self, where: str = "", params: tuple = ()) -> Iterator[Form]:
        sql = "SELECT data FROM forms " + (f"WHERE {where} " if where else "") + "ORDER BY file_id, seq"
        for (data,) in self.stream(sql, params):
            yield Form.model_validate_json(data)

    def stream(self, sql: str, params: tuple = ()) -> Iterator[tuple]:
        """The rows of a large SELECT, a batch at a time: sqlite3 steps through them anyway; psycopg
        would fetch all of them first unless asked to use a server-side cursor (index/pg.py)."""
        return self.conn.stream(sql, params) if self.dialect == "postgresql" else iter(self.conn.execute(sql, params))

    def form_rows(self, ids: list[int] | None = None) -> Iterator[tuple[int, str]]:
        """(form id, the form's JSON) one at a time off the cursor, in `forms()` order: the streaming
        review validates each itself, so one damaged row is reported and skipped, not fatal.
        `ids`: only these forms (a Ray worker's partition)."""
        where = f"WHERE id IN ({','.join('?' * len(ids))}) " if ids else ""
        yield from self.conn.execute(f"SELECT id, data FROM forms {where}ORDER BY file_id, seq", tuple(ids or ()))

    def form_ids(self) -> list[int]:
        """Every form's id in `forms()` order (ints: 8 bytes a form, what the partitions are cut from)."""
        return [i for (i,) in self.conn.execute("SELECT id FROM forms ORDER BY file_id, seq")]

    def file_issues(self) -> list[Issue]:
        """The stored issues about a file rather than one of its forms (form warnings live in each
        form's data), named by the path its forms were read under, as `Form.source.file` is."""
        rows = self.conn.execute(
            "SELECT coalesce((SELECT json_extract(data, '$.source.file') FROM forms g WHERE g.file_id = i.file_id "
            "ORDER BY seq LIMIT 1), f.path), i.line, i.severity, i.message "
            "FROM issues i JOIN files f ON f.id = i.file_id WHERE i.form_id IS NULL ORDER BY i.file_id, i.line")
        return [Issue(file=p, line=line, severity=sev, message=msg) for p, line, sev, msg in rows]

    def stats(self) -> dict:
        q = lambda sql, *a: self.conn.execute(sql, a).fetchall()  # noqa: E731
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "db": str(self.path),
            "files": one("SELECT count(*) FROM files"),
            "forms": one("SELECT count(*) FROM forms"),
            "indicators": one("SELECT count(*) FROM indicators"),
            "projects": one("SELECT count(DISTINCT project_name || '|' || coalesce(unit, '')) FROM forms"),
            "units": one("SELECT count(DISTINCT unit) FROM forms"),
            "departments": one("SELECT count(DISTINCT department) FROM forms"),
            "warnings": one("SELECT count(*) FROM issues WHERE severity = 'warning'"),
            "by_type_year": [
                {"form_type": t, "year": y, "forms": n, "indicators": ni}
                for t, y, n, ni in q(
                    "SELECT form_type, year, count(*), "
                    "(SELECT count(*) FROM indicators i JOIN forms g ON i.form_id = g.id "
                    " WHERE g.form_type = f.form_type AND g.year IS f.year) "
                    "FROM forms f GROUP BY form_type, year ORDER BY year NULLS FIRST, form_type")
            ],
            "by_level": [
                {"level1": a, "level2": b, "indicators": n}
                for a, b, n in q("SELECT level1, level2, count(*) FROM indicators GROUP BY level1, level2 "
                                 "ORDER BY level1, level2")
            ],
            "top_units": [
                {"unit": u, "forms": n}
                for u, n in q("SELECT unit, count(*) FROM forms GROUP BY unit ORDER BY count(*) DESC, unit NULLS FIRST LIMIT 10")
            ],
        }


def _writable(path: Path) -> bool:
    """The corpus file and its folder (where SQLite keeps its -wal and -shm files) can be written."""
    folder = path.resolve().parent
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK)


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    # Autocommit mode: transactions are opened explicitly, one per file.
    if not read_only:
        return sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_SECONDS)
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    if not os.access(path.resolve().parent, os.W_OK) and not Path(f"{path}-wal").exists():
        # A WAL corpus needs its -shm file, which a read-only folder cannot hold; with no -wal file
        # nobody is writing it (nobody can), so it is read as the immutable file it is.
        uri += "&immutable=1"
    return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_SECONDS)


def trouble(path: Path | None, e: sqlite3.Error) -> str:
    """A clear sentence for what SQLite said about the corpus at `path`."""
    said = str(e)
    path = path or "the corpus"
    if type(e).__name__ == "PgError":  # index/pg.py: what the PostgreSQL server said
        if "lock timeout" in said:
            return (f"{path} is busy: another jixiao is writing to it (waited {BUSY_SECONDS:.0f} s); "
                    "try again when it has finished")
        if "connection" in said or "could not" in said or "authentication" in said:
            return f"cannot reach the corpus {path}: {said}"
        if "read-only" in said or "permission denied" in said:
            return f"cannot write {path}: {said}"
        return f"{path}: PostgreSQL says: {said}"
    if "locked" in said or "busy" in said:
        return (f"{path} is busy: another jixiao is writing to it (waited {BUSY_SECONDS:.0f} s); "
                "try again when it has finished")
    if "full" in said or isinstance(e, sqlite3.OperationalError) and "disk I/O" in said:
        return f"cannot write {path}: the disk is full or the file is too large (SQLite says: {said}); nothing of the last step was stored"
    if "readonly" in said or "read-only" in said:
        return f"cannot write {path}: it is read-only (SQLite says: {said})"
    if "malformed" in said or "not a database" in said or "corrupt" in said:
        return (f"{path} is damaged or not a jixiao corpus (SQLite says: {said}); restore it from a backup, "
                "or ingest the files again into a new corpus")
    return f"{path}: SQLite says: {said}"


def _value_cols(v) -> tuple:
    if v is None:
        return (None, None, None, None, None)
    return (v.raw, v.op, v.number, v.unit, v.kind)


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)
