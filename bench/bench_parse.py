"""Parsing benchmark (issue 2): jixiao's parser against a naive positional one on a noisy corpus.

    python bench/bench_parse.py [--forms 12000] [--seed 0] [--repeat 3] [--keep DIR]

Generates a corpus of mixed forms (testkit.synth) with export noise (testkit.noise.apply_some), writes
it as files of 20–30 forms, UTF-8 and GB18030 mixed, then measures in a fresh worker process pinned
to one CPU: jixiao's parse_file over every file (forms/s, lines/s; median of --repeat passes), peak
memory (ru_maxrss, and the tracemalloc peak of a separate traced pass) and the naive parser's speed;
and the accuracy of both against the ground truth. Prints a markdown table; nothing in it is typed in by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: `bench` is a package of the repo root

from testkit.compare import form_summary, truth_summary  # noqa: E402
from bench.naive import parse_naive  # noqa: E402
from testkit.noise import apply_some, to_gb18030  # noqa: E402
from testkit.synth import generate_corpus  # noqa: E402


def build_corpus(directory: Path, n: int, seed: int) -> dict:
    t0 = time.perf_counter()
    corpus = generate_corpus(n, seed=seed)
    t1 = time.perf_counter()
    rng = random.Random(seed)
    noisy = [apply_some(text, rng) for text, _ in corpus]
    t2 = time.perf_counter()
    files, i, lines, size, gb = 0, 0, 0, 0, 0
    while i < n:
        k = rng.randint(20, 30)
        text = "".join(noisy[i:i + k])
        as_gb = rng.random() < 0.5
        data = to_gb18030(text) if as_gb else text.encode("utf-8")
        (directory / f"forms_{files:04d}.txt").write_bytes(data)
        truth = [truth_summary(t) for _, t in corpus[i:i + k]]
        (directory / f"forms_{files:04d}.truth.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
        files, gb, lines, size, i = files + 1, gb + as_gb, lines + text.count("\n"), size + len(data), i + k
    return {"forms": n, "files": files, "gb18030_files": gb, "lines": lines, "bytes": size,
            "generate_s": t1 - t0, "noise_s": t2 - t1}


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _match(truth: list[dict], got: list[dict], same) -> int:
    """Forms of `truth` that `got` reads right, pairing forms in file order by project name."""
    hits, j = 0, 0
    for t in truth:
        k = next((k for k in range(j, len(got)) if got[k]["project_name"] == t["project_name"]), None)
        if k is not None:
            hits += same(t, got[k])
            j = k + 1
    return hits


def _count_ok(t: dict, g: dict) -> bool:
    return len(t["indicators"]) == len(g["indicators"])


def _total_ok(t: dict, g: dict) -> bool:
    return t["total_score"] is not None and g["total_score"] == t["total_score"]


class Tally:
    """Speed and accuracy of one parser over the corpus."""

    def __init__(self) -> None:
        self.seconds, self.found, self.count_ok, self.total_ok, self.exact = 0.0, 0, 0, 0, 0

    def add(self, truth: list[dict], got: list[dict], exact: bool) -> None:
        self.found += len(got)
        self.count_ok += _match(truth, got, _count_ok)
        self.total_ok += _match(truth, got, _total_ok)
        if exact:
            self.exact += _match(truth, got, lambda t, g: t == g)


def _truth(path: Path) -> list[dict]:
    return json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))


def _timed_passes(files: list[Path], parse, repeat: int, check) -> list[float]:
    """Seconds of each pass of parse(path) over all files; check(path, result) runs after each file of
    the first pass, outside the timed part."""
    passes = []
    for n in range(repeat):
        seconds = 0.0
        for path in files:
            t0 = time.perf_counter()
            result = parse(path)
            seconds += time.perf_counter() - t0
            if n == 0:
                check(path, result)
        passes.append(seconds)
    return passes


def worker(directory: Path, repeat: int) -> dict:
    """Runs in its own process, so that ru_maxrss is the parser's and not the generator's. Only one
    file's results and truth are held at a time, so the memory measured is the parser's working set.
    Timed passes are repeated and the median kept: single passes vary on a shared virtual machine."""
    os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    from jixiao.forms import parse_file

    files = sorted(directory.glob("forms_*.txt"))
    rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # The real exports first, while the parser's caches hold nothing from the synthetic corpus.
    examples = sorted((ROOT / "examples").glob("*.txt"))
    t0 = time.perf_counter()
    example_forms = sum(len(parse_file(p).forms) for _ in range(20) for p in examples)
    examples_s = time.perf_counter() - t0
    example_lines = 20 * sum(p.read_text(encoding="utf-8").count("\n") for p in examples)

    jixiao, naive = Tally(), Tally()
    # Through JSON like the truth, so that tuples and lists compare equal.
    jixiao_passes = _timed_passes(files, parse_file, repeat, lambda path, result: jixiao.add(
        _truth(path), json.loads(json.dumps([form_summary(f) for f in result.forms], ensure_ascii=False)), exact=True))
    rss_parse = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    tracemalloc.start()
    for path in files:
        parse_file(path)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    naive_passes = _timed_passes(files, lambda path: parse_naive(_read(path)), repeat, lambda path, forms: naive.add(
        _truth(path), [{"project_name": f.project_name, "indicators": f.indicators, "total_score": f.total_score}
                       for f in forms], exact=False))
    jixiao.seconds = sorted(jixiao_passes)[repeat // 2]
    naive.seconds = sorted(naive_passes)[repeat // 2]
    return {"cpu_affinity": sorted(os.sched_getaffinity(0)), "repeat": repeat,
            "scored_forms": sum(t["total_score"] is not None for path in files for t in _truth(path)),
            "passes": {"jixiao": jixiao_passes, "naive": naive_passes},
            "examples": {"seconds": examples_s, "forms": example_forms, "lines": example_lines},
            "jixiao": vars(jixiao), "naive": {**vars(naive), "exact": None},
            "rss_import_kb": rss_import, "rss_parse_kb": rss_parse, "tracemalloc_peak": traced_peak}


def _machine() -> list[str]:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    return [f"CPU: {cpu}; {os.cpu_count()} CPUs; RAM {mem / 1024 / 1024:.1f} GiB",
            f"Python {platform.python_version()} on {platform.platform()}",
            f"Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"]


def report(corpus: dict, r: dict, command: str) -> str:
    n, lines = corpus["forms"], corpus["lines"]
    out = [*_machine(), f"Command: `{command}`", "",
           f"Corpus: {n} forms (declaration, tracking, self-evaluation in turn) in {corpus['files']} files of 20–30 "
           f"forms, {corpus['gb18030_files']} of them GB18030, the rest UTF-8; {lines} lines, "
           f"{corpus['bytes'] / 1e6:.1f} MB. Generated in {corpus['generate_s']:.2f} s "
           f"({n / corpus['generate_s']:,.0f} forms/s), noise added in {corpus['noise_s']:.2f} s "
           "(each of the 11 noise kinds with probability 0.35 per form).", "",
           f"Parsing on one core (worker pinned to CPU {r['cpu_affinity']}); 1-minute load average before/after "
           f"the run: {r['load'][0][0]:.2f} / {r['load'][1][0]:.2f} on {os.cpu_count()} CPUs.", "",
           "| parser | time (s, median) | forms/s | lines/s | forms found | indicator count right | "
           f"总分 right ({r['scored_forms']} self-evaluations) | form exactly as generated |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name in ("jixiao", "naive"):
        p = r[name]
        pct = lambda k, of=n: f"{p[k]} ({100 * p[k] / of:.1f}%)" if p[k] is not None else "n/a"  # noqa: E731
        out.append(f"| {name} | {p['seconds']:.2f} | {n / p['seconds']:,.0f} | {lines / p['seconds']:,.0f} | "
                   f"{p['found']} | {pct('count_ok')} | {pct('total_ok', r['scored_forms'])} | {pct('exact')} |")
    e = r["examples"]
    out.append(f"| jixiao on examples/ (the 3 real files, 20 passes, run first) | {e['seconds']:.2f} | "
               f"{e['forms'] / e['seconds']:,.0f} | {e['lines'] / e['seconds']:,.0f} | {e['forms']} | | | |")
    out += ["", f"Time of each of the {r['repeat']} passes (s): "
            + "; ".join(f"{k} " + ", ".join(f"{x:.2f}" for x in v) for k, v in r["passes"].items())]
    out += ["", "Memory of the jixiao worker process:", "",
            "| ru_maxrss after import | ru_maxrss after parsing all files | "
            "tracemalloc peak (second pass, caches already warm) |",
            "|---:|---:|---:|",
            f"| {r['rss_import_kb'] / 1024:.1f} MiB | {r['rss_parse_kb'] / 1024:.1f} MiB | "
            f"{r['tracemalloc_peak'] / 2**20:.1f} MiB |"]
    return "\n".join(out)


def _run(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"bench_parse.py {' '.join(args)} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--forms", type=int, default=12_000, help="number of forms to generate (default 12000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", type=Path, help="write the corpus here and keep it (default: a temp directory)")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes per parser; the median is reported")
    ap.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.generate:
        print(json.dumps(build_corpus(args.generate, args.forms, args.seed)))
        return 0
    if args.worker:
        print(json.dumps(worker(args.worker, args.repeat)))
        return 0
    # Generation and parsing run in separate processes and this one stays small: Linux carries the
    # parent's peak RSS into a spawned child's ru_maxrss, which would otherwise count the generator.
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        corpus = _run("--generate", str(directory), "--forms", str(args.forms), "--seed", str(args.seed))
        result = _run("--worker", str(directory), "--repeat", str(args.repeat))
    result["load"] = (load_before, os.getloadavg())
    command = "python bench/bench_parse.py" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    print(report(corpus, result, command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
