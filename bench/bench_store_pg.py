"""The corpus store on SQLite and on PostgreSQL (issue 14, item 3): ingest and read-back times.

    python bench/bench_store_pg.py [--forms 5000] [--dsn postgresql://…]

Generated forms (testkit/synth.py, 100 per file) and the examples are ingested into a fresh SQLite file
and a fresh PostgreSQL database (CREATE DATABASE, dropped afterwards). Without --dsn or $JIXIAO_TEST_PG
a throw-away local cluster is started (.ci/postgres; Debian's postgresql package). Reported per
backend: the whole ingest (parse + store), the store's part alone (the files parsed once beforehand,
then written with Store.replace_file), reading every form back, and stats().
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from testkit.synth import generate_corpus  # noqa: E402
from jixiao.forms.grid import read_grid  # noqa: E402
from jixiao.forms.parser import parse_grid  # noqa: E402
from jixiao.index.ingest import collect, ingest  # noqa: E402
from jixiao.index.store import Store  # noqa: E402
from testkit.pg_server import fresh_database, server  # noqa: E402

FORMS_PER_FILE = 100


def measure(db: str, files: list[Path], parsed: list) -> dict:
    out: dict = {}
    t = time.perf_counter()
    with Store(db, create=True) as s:
        bad = [r for r in ingest(s, files) if r.error]
        out["ingest_s"] = round(time.perf_counter() - t, 2)
        assert not bad, bad[:2]
        t = time.perf_counter()
        for i, (path, forms, issues) in enumerate(parsed):  # the same forms again, under new paths: written
            s.replace_file(f"{path}#again", f"again-{i}", 0, "utf-8", forms, issues)
        out["store_only_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        out["forms_read"] = sum(1 for _ in s.forms())
        out["read_all_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        st = s.stats()
        out["stats_s"] = round(time.perf_counter() - t, 3)
        out["forms"], out["indicators"] = st["forms"], st["indicators"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--forms", type=int, default=5000)
    ap.add_argument("--dsn", default=os.environ.get("JIXIAO_TEST_PG"))
    args = ap.parse_args()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = tmp / "forms"
        folder.mkdir()
        corpus = generate_corpus(args.forms, seed=3)
        for i in range(0, len(corpus), FORMS_PER_FILE):
            (folder / f"generated_{i // FORMS_PER_FILE:04d}.txt").write_text(
                "".join(text for text, _ in corpus[i:i + FORMS_PER_FILE]), encoding="utf-8")
        results = {}
        for name, src in (("examples", ROOT / "examples"), (f"generated {args.forms}", folder)):
            files, _ = collect([src])
            parsed = []
            for f in files:
                r = parse_grid(read_grid(f), str(f))
                parsed.append((str(f), r.forms, r.issues))
            dsn = args.dsn
            if dsn is None:
                kind, dsn = stack.enter_context(server())
                if kind == "skip":
                    raise SystemExit(dsn)
                args.dsn = dsn
            with fresh_database(dsn) as pg:
                results[name] = {"sqlite": measure(str(tmp / f"{len(results)}.db"), files, parsed),
                                 "postgresql": measure(pg, files, parsed)}
            r = results[name]
            print(f"{name}: ingest SQLite {r['sqlite']['ingest_s']} s, PostgreSQL {r['postgresql']['ingest_s']} s; "
                  f"store only {r['sqlite']['store_only_s']} / {r['postgresql']['store_only_s']} s; "
                  f"read all {r['sqlite']['read_all_s']} / {r['postgresql']['read_all_s']} s", file=sys.stderr)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_store_pg.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
