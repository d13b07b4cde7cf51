"""End to end at scale (issue 14): ingest, index, review of N generated forms, default against Ray + Milvus Lite.

    python bench/bench_scale.py --forms 2000
    python bench/bench_scale.py --forms 100000 --modes default ray-milvus --out bench/out/scale

Modes, each step a `jixiao` command in its own subprocess:
- default:    jixiao ingest DIR --db A.db; jixiao index --db A.db; jixiao review --db A.db --out A.csv
- ray-milvus: jixiao ingest DIR --db B.db; jixiao index --db B.db --vectors milvus-lite:B.milvus.db;
              jixiao review --db B.db --stream --ray auto --vectors milvus-lite:B.milvus.db --out B.jsonl
Each mode has its OWN corpus file, so each pays its own embedding: the embedding cache lives in the
corpus (model, text), and sharing one corpus would make the second mode's index step nearly free.
The same generated text files (testkit/synth.py, as bench_stream.py / bench_review.py write them) feed both.

Per step: wall seconds; peak RSS of the largest single process of the step (getrusage RUSAGE_CHILDREN
of a wrapper that runs only that step); and the peak of the SUM of RSS over the step's whole process
tree, sampled from /proc every 0.2 s (Ray's raylet / workers and Milvus Lite's server are other
processes: this is the honest figure for (b)). The ratio (b)/(a) per step is printed in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FORMS_PER_FILE = 100
STEPS = ("ingest", "index", "review")


def jixiao() -> list[str]:
    exe = Path(sys.executable).with_name("jixiao")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jixiao"]


def write_forms(n: int, seed: int, folder: Path) -> None:
    from testkit.synth import write_corpus_files

    done = folder / ".done"
    if done.exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    write_corpus_files(folder, n, seed, FORMS_PER_FILE)
    done.write_text("ok")


def _tree_rss_kib(root: int) -> int:
    """Sum of VmRSS over root and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{d}/status") as f:
                kib = next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
        rss[int(d)] = kib
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def measure(cmd: list[str], log: Path) -> dict:
    """Run cmd in a wrapper process of its own; its seconds, largest-process and process-tree peaks."""
    wrapper = [sys.executable, __file__, "--wrap", str(log), "--", *cmd]
    t = time.perf_counter()
    proc = subprocess.Popen(wrapper, stdout=subprocess.PIPE, text=True)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss_kib(proc.pid))
            stop.wait(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, _ = proc.communicate()
    stop.set()
    th.join()
    seconds = time.perf_counter() - t
    r = json.loads(out.strip().splitlines()[-1])
    if r["rc"] != 0:
        raise SystemExit(f"step failed (exit {r['rc']}): {' '.join(cmd)}; see {log}")
    return {"seconds": round(seconds, 1), "max_process_mib": round(r["maxrss_kib"] / 1024),
            "tree_peak_mib": round(peak[0] / 1024)}


def wrap(log: str, cmd: list[str]) -> None:
    with open(log, "w") as f:
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode
    print(json.dumps({"rc": rc, "maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))


def commands(mode: str, d: Path, forms: Path) -> dict[str, list[str]]:
    j = jixiao()
    db = str(d / "corpus.db")
    if mode == "default":
        return {"ingest": [*j, "ingest", str(forms), "--db", db],
                "index": [*j, "index", "--db", db],
                "review": [*j, "review", "--db", db, "--out", str(d / "review.csv")]}
    vec = f"milvus-lite:{d / 'vectors.milvus.db'}"
    return {"ingest": [*j, "ingest", str(forms), "--db", db],
            "index": [*j, "index", "--db", db, "--vectors", vec],
            "review": [*j, "review", "--db", db, "--stream", "--ray", "auto", "--vectors", vec,
                       "--out", str(d / "review.jsonl")]}


def count_findings(d: Path) -> int | None:
    if (d / "review.jsonl").exists():
        with open(d / "review.jsonl", encoding="utf-8") as f:
            return sum(1 for line in f if line.strip())
    if (d / "review.csv").exists():
        import csv

        csv.field_size_limit(sys.maxsize)  # a group finding's cells pass csv's 128 KiB default at 100,000 forms
        with open(d / "review.csv", encoding="utf-8-sig", newline="") as f:
            return max(0, sum(1 for _ in csv.reader(f)) - 1)
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forms", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "out" / "scale"))
    ap.add_argument("--modes", nargs="+", choices=("default", "ray-milvus"), default=["default", "ray-milvus"])
    ap.add_argument("--wrap", help=argparse.SUPPRESS)
    ap.add_argument("cmd", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.wrap:
        wrap(args.wrap, args.cmd)
        return
    n, out = args.forms, Path(args.out)
    forms = out / f"forms-{n}-{args.seed}"
    t = time.perf_counter()
    write_forms(n, args.seed, forms)
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{n} generated forms (seed {args.seed}) in {forms} ({time.perf_counter() - t:.0f} s to generate)")
    print("# each mode has its own corpus file: each pays its own embedding (the cache is per corpus)", flush=True)
    results: dict[str, dict] = {}
    for mode in args.modes:
        d = out / f"{mode}-{n}-{args.seed}"
        shutil.rmtree(d, ignore_errors=True)  # a fresh corpus: no cached embeddings, no old vectors
        d.mkdir(parents=True)
        results[mode] = {}
        for step, cmd in commands(mode, d, forms).items():
            r = measure(cmd, d / f"{step}.log")
            results[mode][step] = r
            print(f"{mode:>11} {step:>7} {r['seconds']:>9} s  largest process {r['max_process_mib']:>6} MiB"
                  f"  process tree {r['tree_peak_mib']:>6} MiB   ({' '.join(cmd[1:])})", flush=True)
        results[mode]["findings"] = count_findings(d)
    print()
    print(f"{'step':>7} | " + " | ".join(f"{m} s, max proc MiB, tree MiB" for m in args.modes)
          + (" | ratio (b)/(a) s, max proc, tree" if len(args.modes) == 2 else ""))
    for step in STEPS:
        cells = [f"{results[m][step]['seconds']}, {results[m][step]['max_process_mib']}, {results[m][step]['tree_peak_mib']}"
                 for m in args.modes]
        if len(args.modes) == 2:
            a, b = (results[m][step] for m in args.modes)
            cells.append(", ".join(f"{b[k] / a[k]:.2f}" if a[k] else "-" for k in ("seconds", "max_process_mib", "tree_peak_mib")))
        print(f"{step:>7} | " + " | ".join(cells))
    print("findings: " + ", ".join(f"{m} {results[m]['findings']}" for m in args.modes))
    (out / f"bench_scale-{n}-{args.seed}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
