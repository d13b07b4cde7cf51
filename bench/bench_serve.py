"""Latency of `jixiao serve` on a generated corpus of about 100,000 indicator vectors (issue 13).

    python bench/bench_serve.py                    # 10,300 generated forms: ~100,000 indicator rows
    python bench/bench_serve.py --forms 2000 --requests 100

The corpus is built the way bench/bench_review.py builds it (testkit/synth.py forms written as text
files, ingested and indexed as a user would; kept in bench/out/), since a project page needs forms,
not only vectors. The server runs as `jixiao serve` in a subprocess on a free loopback port; once its
startup review is done, a bounded load test (a fixed number of requests per kind, 8 in flight,
threads + urllib, after a warm-up) times, end to end as a client sees it:
- search: GET /api/search (indicator kind, n=10) and the search page /search, queries generated
  like bench_index.py's (the samples' vocabulary recombined, not in the corpus);
- project: the project page /project and GET /api/project of random projects (forms side by side,
  findings, and the 5 most similar projects).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_review import corpus  # noqa: E402
from testkit.texts import mixed_texts  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, float, int]:
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    return status, time.perf_counter() - t, len(body)


def load(urls: list[str], concurrency: int) -> dict:
    t = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        res = list(pool.map(fetch, urls))
    wall = time.perf_counter() - t
    lat = np.array([r[1] for r in res]) * 1000
    return {"requests": len(urls), "errors": sum(r[0] != 200 for r in res), "p50_ms": float(np.percentile(lat, 50)),
            "p95_ms": float(np.percentile(lat, 95)), "max_ms": float(lat.max()), "per_s": len(urls) / wall,
            "kb": float(np.mean([r[2] for r in res]) / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--forms", type=int, default=10300)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--requests", type=int, default=400, help="per kind of request")
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    db = corpus(args.forms, args.seed)
    info = json.loads(Path(str(db) + ".indicator.json").read_text())
    con = sqlite3.connect(db)
    projects = con.execute("SELECT DISTINCT project_name, unit FROM forms WHERE project_name IS NOT NULL").fetchall()
    n_forms = con.execute("SELECT count(*) FROM forms").fetchone()[0]
    con.close()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"corpus {db.name}: {n_forms} forms, {len(projects)} projects, {info['count']} indicator vectors "
          f"({info['index_type']}, nprobe {info.get('nprobe')}), model {info['model']}", flush=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    errs: list[str] = []
    threading.Thread(target=lambda: errs.extend(proc.stderr), daemon=True).start()
    try:
        up = None
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"serve exited {proc.returncode}: {''.join(errs)[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/api/status", timeout=5) as r:
                    st = json.loads(r.read())
                up = up or time.perf_counter() - t0
                if st["state"] in ("ready", "failed"):
                    break
            except OSError:
                pass
            time.sleep(0.5)
        print(f"server answering after {up:.1f} s; startup review {st['state']} in {st['seconds'] or 0:.1f} s "
              f"({st['findings']} findings, {st['projects']} projects)", flush=True)
        rng = random.Random(7)
        queries = mixed_texts(args.requests * 2, seed=99)[: args.requests]
        picks = [projects[rng.randrange(len(projects))] for _ in range(args.requests)]
        api_search = [base + "/api/search?" + urlencode({"q": q, "n": 10}) for q in queries]
        page_search = [base + "/search?" + urlencode({"q": q}) for q in queries]
        page_project = [base + "/project?" + urlencode({"name": p, "unit": u or ""}) for p, u in picks]
        api_project = [base + "/api/project?" + urlencode({"name": p, "unit": u or ""}) for p, u in picks]
        load(api_search[:20] + page_project[:20], 2)  # warm-up: index pages, model, SQLite cache
        rows = {}
        for name, urls in (("search (GET /api/search)", api_search), ("search page (/search?q=)", page_search),
                           ("project page (/project)", page_project), ("project (GET /api/project)", api_project)):
            rows[name] = r = load(urls, args.concurrency)
            print(f"{name:<28} {r['requests']:>5} requests, {r['errors']} errors, concurrency {args.concurrency}: "
                  f"p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, max {r['max_ms']:.0f} ms, "
                  f"{r['per_s']:.1f} req/s, {r['kb']:.0f} KiB", flush=True)
        # The same searches one at a time: what one request costs when nothing waits in line.
        rows["search, one at a time"] = r = load(api_search[: max(50, args.requests // 4)], 1)
        print(f"{'search, one at a time':<28} {r['requests']:>5} requests, {r['errors']} errors, concurrency 1: "
              f"p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, max {r['max_ms']:.0f} ms, {r['per_s']:.1f} req/s", flush=True)
        with open("/proc/loadavg") as f:
            print(f"load average at the end: {f.read().split()[0]} (other jobs on the machine count too)", flush=True)
        out = Path(__file__).resolve().parent / "out" / "bench_serve.json"
        out.write_text(json.dumps({"forms": n_forms, "vectors": info["count"], "concurrency": args.concurrency,
                                   "review_seconds": st["seconds"], "rows": rows}, indent=1))
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
