"""A team's corpus on PostgreSQL (issue 14, item 3): `--db postgresql://…` holds the same schema as
the SQLite file, and every command reads and writes it the same way. The examples are ingested into
a fresh database (created for this module, dropped after it) and into a SQLite file; stats, the
stored forms, reviews, searches and decisions must agree.

The server: $JIXIAO_TEST_PG (.ci/run starts one), else a throw-away cluster started here; without
either (no PostgreSQL installed) the tests skip and say so."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.index.store import SCHEMA_VERSION, Store

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'jixiao[scale]')")
from testkit.pg_server import fresh_database, server  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# Cheap checks (no embedding) for the review comparisons; one full review is compared too.
ONLY = ["--only", "goal.actual_copies_expected", "--only", "indicator.vacuous_target",
        "--only", "funds.budget_cut_inflates_rate", "--only", "goal.missing"]
runner = CliRunner()


def cli(*args: str, env: dict | None = None):
    res = runner.invoke(app, list(args), env=env)
    assert res.exit_code == 0, (args, res.stdout, res.stderr)
    return res


def as_json(*args: str, env: dict | None = None):
    return json.loads(cli(*args, "--format", "json", env=env).stdout)


@pytest.fixture(scope="module")
def pg_server():
    with server() as (kind, value):
        if kind == "skip":
            pytest.skip(value)
        yield value


@pytest.fixture(scope="module")
def corpora(pg_server, tmp_path_factory):
    """(DSN, SQLite file, seconds to ingest into each) for the examples, ingested once."""
    folder = tmp_path_factory.mktemp("pg")
    sqlite = folder / "corpus.db"
    with fresh_database(pg_server) as dsn:
        seconds = {}
        for db in (dsn, str(sqlite)):
            start = time.perf_counter()
            cli("ingest", str(EXAMPLES), "--db", db)
            seconds[db] = time.perf_counter() - start
        print(f"\ningest examples/: SQLite {seconds[str(sqlite)]:.2f} s, PostgreSQL {seconds[dsn]:.2f} s")
        yield dsn, sqlite, folder


def test_same_stats_and_forms_as_sqlite(corpora):
    dsn, sqlite, _ = corpora
    on_pg, on_sqlite = as_json("stats", "--db", dsn), as_json("stats", "--db", str(sqlite))
    assert on_pg.pop("db") == dsn and on_sqlite.pop("db") == str(sqlite)
    assert on_pg == on_sqlite and on_pg["forms"] > 0 and on_pg["indicators"] > 0
    with Store(dsn) as pg, Store(sqlite) as lite:
        assert pg.dialect == "postgresql" and lite.dialect == "sqlite"
        assert [f.model_dump_json() for f in pg.forms()] == [f.model_dump_json() for f in lite.forms()]
        assert pg.file_issues() == lite.file_issues()
        assert pg.get_meta("schema_version") == str(SCHEMA_VERSION)


def test_reingest_changes_nothing(corpora):
    dsn, _, _ = corpora
    with Store(dsn) as s:
        before, version = s.stats(), s.corpus_version
    reports = as_json("ingest", str(EXAMPLES), "--db", dsn)
    assert reports and {r["status"] for r in reports} == {"unchanged"}
    with Store(dsn) as s:
        assert s.stats() == before and s.corpus_version == version


def test_review_gives_the_same_findings(corpora):
    dsn, sqlite, _ = corpora
    for args in (ONLY, []):  # the cheap checks, then every check (embedding included)
        on_pg = as_json("review", "--db", dsn, *args)
        on_sqlite = as_json("review", "--db", str(sqlite), *args)
        assert on_pg["flags"] and on_pg == on_sqlite


def test_decisions_are_shared(corpora, tmp_path):
    dsn, _, _ = corpora
    flags = as_json("review", "--db", dsn, *ONLY)["flags"]
    target, other = flags[0]["id"], flags[-1]["id"]
    alice, bob = Store(dsn), Store(dsn)  # two reviewers' connections to the team's corpus
    try:
        alice.put_decisions([{"id": target, "decision": "dismissed", "note": "口径一致", "reviewer": "赵审核"}])
        assert bob.decision_rows()[target] | {"decided_at": None} == {
            "id": target, "decision": "dismissed", "note": "口径一致", "reviewer": "赵审核", "decided_at": None}
    finally:
        alice.close()
        bob.close()
    # A decisions file given to the review is stored in the corpus; a later run applies both.
    decisions = tmp_path / "d.json"
    decisions.write_text(json.dumps({other: "采纳"}, ensure_ascii=False), encoding="utf-8")
    cli("review", "--db", dsn, *ONLY, "--decisions", str(decisions), "--out", str(tmp_path / "r.json"))
    by_id = {f["id"]: f for f in as_json("review", "--db", dsn, *ONLY)["flags"]}
    assert (by_id[target]["decision"], by_id[target]["note"]) == ("dismissed", "口径一致")
    assert by_id[other]["decision"] == "accepted"
    with Store(dsn) as s:
        assert s.decisions() == {target: "dismissed", other: "accepted"}
        s.put_decisions([{"id": target, "decision": None}, {"id": other, "decision": None}])
        assert s.decisions() == {}


def test_index_and_search_on_postgres(corpora, tmp_path):
    dsn, sqlite, _ = corpora
    env = {"JIXIAO_INDEX_DIR": str(tmp_path / "idx")}
    reports = as_json("index", "--db", dsn, env=env)
    assert {r["kind"]: r["status"] for r in reports} == {"indicator": "built", "goal": "built", "project": "built"}
    made = sorted(p.name for p in (tmp_path / "idx").iterdir())
    assert "corpus.indicator.faiss" in made and "corpus.goal.bm25.npz" in made
    assert not list(Path.cwd().glob("postgres*"))  # nothing named after the DSN in the working folder
    cli("index", "--db", str(sqlite))
    for mode in ("dense", "lexical", "hybrid"):
        q = ["培训课程出席率", "-n", "5", "--mode", mode]
        on_pg = as_json("search", *q, "--db", dsn, env=env)
        assert on_pg["hits"] and on_pg == as_json("search", *q, "--db", str(sqlite))
    filtered = ["就业", "-k", "goal", "--year", "2024", "--unit", "上海市普陀区人力资源和社会保障局", "-n", "3"]
    assert as_json("search", *filtered, "--db", dsn, env=env) == as_json("search", *filtered, "--db", str(sqlite))
    assert as_json("similar", "信息系统运维费", "--db", dsn, env=env) == as_json("similar", "信息系统运维费", "--db", str(sqlite))
    again = as_json("index", "--db", dsn, env=env)
    assert {r["status"] for r in again} == {"up-to-date"}


def test_an_older_schema_is_migrated(pg_server):
    """A corpus written at schema 3 (before decisions) gains the table and keeps its forms."""
    with fresh_database(pg_server) as dsn:
        cli("ingest", str(EXAMPLES / "minhang_2024_tracking.txt"), "--db", dsn)
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute("DROP TABLE decisions")
            c.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
            forms = c.execute("SELECT count(*) FROM forms").fetchone()[0]
        with Store(dsn) as s:
            assert s.get_meta("schema_version") == str(SCHEMA_VERSION) and s.decisions() == {}
            assert s.stats()["forms"] == forms > 0


def test_a_newer_schema_is_left_alone(pg_server):
    with fresh_database(pg_server) as dsn:
        cli("ingest", str(EXAMPLES / "minhang_2024_tracking.txt"), "--db", dsn)
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f"UPDATE meta SET value = '{SCHEMA_VERSION + 1}' WHERE key = 'schema_version'")
        res = runner.invoke(app, ["stats", "--db", dsn])
        assert res.exit_code == 1 and "newer jixiao" in res.stderr


def test_missing_corpus_and_unreachable_server_are_said(pg_server):
    with fresh_database(pg_server) as dsn:
        res = runner.invoke(app, ["stats", "--db", dsn])
        assert res.exit_code == 1 and "no corpus in" in res.stderr and "jixiao ingest" in res.stderr
    closed = "postgresql://nobody:secret@127.0.0.1:1/none"
    res = runner.invoke(app, ["stats", "--db", closed])
    assert res.exit_code == 1 and res.stderr.startswith("Error") and "cannot reach" in res.stderr
    assert "secret" not in res.stderr  # the password is never shown


def test_workbench_on_postgres_shares_decisions(corpora):
    """`jixiao serve --db postgresql://…`: the workbench reviews the team's corpus, and a decision made
    in it is what the next reviewer's `jixiao review --db` sees."""
    from jixiao.web.service import Workbench

    dsn, _, _ = corpora
    wb = Workbench(Path(dsn))  # the CLI hands the workbench a Path, which folds the DSN's `//`
    wb.wait(120)
    assert wb.state == "ready", wb.error
    fid = next(f.id for f in wb.report.flags if f.code in ONLY)
    try:
        wb.decide([{"id": fid, "decision": "dismissed", "note": "团队复核", "reviewer": "孙"}])
        flags = {f["id"]: f for f in as_json("review", "--db", dsn, *ONLY)["flags"]}
        assert (flags[fid]["decision"], flags[fid]["note"]) == ("dismissed", "团队复核")
        with Store(dsn) as s:
            assert s.decisions()[fid] == "dismissed"
    finally:
        wb.decide([{"id": fid, "decision": None}])


def test_an_interrupted_file_leaves_the_corpus_as_it_was(pg_server, monkeypatch):
    """As on SQLite: a file's forms go in one transaction; Ctrl-C in the middle rolls all of it back,
    and the same connection stores the next file whole."""
    from jixiao.index.ingest import ingest

    with fresh_database(pg_server) as dsn:
        with Store(dsn, create=True) as s:
            list(ingest(s, [EXAMPLES / "minhang_2024_tracking.txt"]))
            before = s.stats()
            original, calls = Store._insert_form, {"n": 0}

            def interrupted(self, c, file_id, seq, form):
                calls["n"] += 1
                if calls["n"] == 5:
                    raise KeyboardInterrupt
                return original(self, c, file_id, seq, form)

            monkeypatch.setattr(Store, "_insert_form", interrupted)
            with pytest.raises(KeyboardInterrupt):
                list(ingest(s, [EXAMPLES / "putuo_2024_self_evaluation.txt"]))
            assert s.stats() == before and not s.conn.in_transaction
            monkeypatch.setattr(Store, "_insert_form", original)
            (report,) = ingest(s, [EXAMPLES / "putuo_2024_self_evaluation.txt"])
            assert report.status == "stored" and s.stats()["forms"] == before["forms"] + report.forms


def test_two_writers_at_once_take_turns(pg_server):
    """Two team members ingesting into the corpus at the same moment: both files are stored whole."""
    import threading

    from jixiao.index.ingest import ingest

    files = [EXAMPLES / "putuo_2024_self_evaluation.txt", EXAMPLES / "minhang_2024_declaration.txt"]
    with fresh_database(pg_server) as dsn:
        Store(dsn, create=True).close()
        reports, start = [], threading.Barrier(2)

        def member(path):
            with Store(dsn) as s:
                start.wait()
                reports.extend(ingest(s, [path]))

        threads = [threading.Thread(target=member, args=(f,)) for f in files]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert sorted(r.status for r in reports) == ["stored", "stored"]
        with Store(dsn) as s:
            assert s.stats()["forms"] == sum(r.forms for r in reports) and s.corpus_version == 2


def test_sql_written_for_sqlite_is_adapted():
    """What index/pg.py changes, and what it leaves alone (string literals)."""
    from jixiao.index.pg import adapt, ddl

    assert adapt("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)") == \
        "INSERT INTO meta(key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
    assert adapt("INSERT OR IGNORE INTO meta(key, value) VALUES ('corpus_version', '0')").endswith(
        "VALUES ('corpus_version', '0') ON CONFLICT DO NOTHING")
    assert adapt("SELECT id FROM forms WHERE project_name IS ? AND unit IS NOT ? AND year IS NOT NULL") == \
        "SELECT id FROM forms WHERE project_name IS NOT DISTINCT FROM %s AND unit IS DISTINCT FROM %s AND year IS NOT NULL"
    assert adapt("SELECT json_extract(data, '$.source.file') FROM forms WHERE name LIKE '50%?' ESCAPE '\\'") == \
        "SELECT (data::jsonb #>> '{source,file}') FROM forms WHERE name ILIKE '50%%?' ESCAPE '\\'"
    assert ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB, r REAL, s TEXT) WITHOUT ROWID") == \
        'CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v BYTEA, r DOUBLE PRECISION, s TEXT COLLATE "C")'
