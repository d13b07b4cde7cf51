"""Peak memory of the form checks: today's review (every form loaded) against `review --stream`.

    python bench/bench_stream.py                          # 2,000, 10,000 and 30,000 forms
    python bench/bench_stream.py --forms 2000 --ray       # and the form checks on a local Ray (2 CPUs)

Forms come from testkit/synth.py, written as text files and ingested into a real corpus file (no
vector index: the form checks need none), kept in bench/out/ for re-runs. Each measurement runs in
its own process, so its peak RSS (getrusage high-water mark) is its own:
- today: `list(store.forms())` then engine.review with --only every form-check code (the checks,
  filters, decisions and the worklist, as `jixiao review --only …` runs them);
- stream: review/stream.py over the store's cursor, findings written to a .jsonl file as they come,
  then the worklist from the spooled findings (what `jixiao review --stream --only …` runs);
- ray (with --ray): the same stream with the form checks in Ray tasks; the RSS is the driver's (the
  workers are other processes: their peak is printed apart from /proc).
The corpus checks are left out: they compare every form with every other and still hold them all
(see review/stream.py); the numbers are the ceiling of the part that streams.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from testkit.synth import write_corpus_files

OUT = Path(__file__).resolve().parent / "out"
FORMS_PER_FILE = 100


def corpus(n: int, seed: int) -> Path:
    """A corpus file of n generated forms, ingested once (no index) and kept."""
    from jixiao.index.ingest import ingest
    from jixiao.index.store import Store

    db = OUT / f"stream-corpus-{n}-{seed}.db"
    done = db.with_suffix(".done")
    if done.exists():
        return db
    for p in OUT.glob(db.name + "*"):  # an interrupted earlier build: start again
        p.unlink()
    folder = OUT / f"stream-corpus-{n}-{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    files = write_corpus_files(folder, n, seed, FORMS_PER_FILE)
    t = time.perf_counter()
    store = Store(db, create=True)
    bad = [r for r in ingest(store, files) if r.error]
    store.close()
    if bad:
        raise SystemExit(f"generated files failed to ingest: {bad[:3]}")
    print(f"ingested {n} forms in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    done.write_text("ok")
    return db


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def form_codes() -> list[str]:
    from jixiao.review.engine import review  # noqa: F401  (registers the checks)
    from jixiao.review.stream import checks_of

    return sorted({c for check in checks_of("form", None) for c in check.codes})


def measure(mode: str, db: Path) -> dict:
    """One mode in this process: seconds, findings, peak RSS."""
    from jixiao.index.store import Store
    from jixiao.review.settings import load_settings
    from jixiao.review.stream import Stream, stream_store

    only, settings = form_codes(), load_settings()
    base = peak_mib()
    store = Store(db)
    t = time.perf_counter()
    if mode == "today":
        from jixiao.review.engine import review

        forms = list(store.forms())
        report = review(forms, settings, only)
        checks_peak = peak_mib()  # today the worklist runs beside the forms: one peak
    else:
        with open(OUT / f"bench-stream-{os.getpid()}.jsonl", "w", encoding="utf-8") as sink:
            stream = Stream([sink], settings, only)
            if mode == "ray":
                import ray

                from jixiao.review.distributed import stream_ray

                ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
                stream_ray(stream, store, settings, only, "auto")
            else:
                stream_store(stream, store, settings, only)
        Path(sink.name).unlink()
        checks_peak = peak_mib()  # the form checks streamed: the ceiling that must not grow
        report = stream.finish()
    seconds = time.perf_counter() - t
    store.close()
    return {"mode": mode, "seconds": round(seconds, 1), "findings": report.summary.findings,
            "forms": report.summary.forms, "peak_rss_mib": round(peak_mib()), "checks_peak_rss_mib": round(checks_peak), "rss_after_imports_mib": round(base)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forms", type=int, nargs="+", default=[2000, 10_000, 30_000])
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--ray", action="store_true", help="measure the Ray path too (needs the 'scale' extra)")
    ap.add_argument("--modes", nargs="+", choices=("today", "stream", "ray"), help="only these (default: today stream)")
    ap.add_argument("--run", help=argparse.SUPPRESS)  # a child: one mode
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run:
        print(json.dumps(measure(args.run, Path(args.db))))
        return
    OUT.mkdir(exist_ok=True)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'forms':>7} {'mode':>6} {'seconds':>8} {'form checks peak MiB':>21} {'whole run peak MiB':>19} {'findings':>9}")
    for n in args.forms:
        db = corpus(n, args.seed)
        for mode in args.modes or ("today", "stream") + (("ray",) if args.ray else ()):
            child = subprocess.run([sys.executable, __file__, "--run", mode, "--db", str(db)], capture_output=True,
                                   text=True, check=True)
            r = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"{n:>7} {mode:>6} {r['seconds']:>8} {r['checks_peak_rss_mib']:>21} {r['peak_rss_mib']:>19} {r['findings']:>9}",
                  flush=True)


if __name__ == "__main__":
    main()
