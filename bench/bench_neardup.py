"""The near-duplicate step (review/neardup.py): thresholds on labelled pairs, then speed and memory at 100,000 texts.

    python bench/bench_neardup.py                 # everything; appends a section to bench/RESULTS.md
    python bench/bench_neardup.py --no-append     # print only
    python bench/bench_neardup.py --n 20000 --switch 5000,10000,20000 --no-append   # quicker

1. Labelled pairs (bench/data/neardup_pairs.jsonl: real copies from the samples, small edits of the
   samples' goal texts, reviewer-style rewrites, other goals in the same template): precision and
   recall of the pair rule at the default thresholds and around them, and how well other measures
   (difflib's ratio, bigram/4-gram Dice, cosine alone) separate copies from the rest.
2. Candidate search: exact (faiss.knn, IndexFlatIP's search) against IVF (k-means, nprobe tuning and
   search) on growing subsets: time, and the share of the near-duplicate pairs exact search finds
   (lexical and cosine verified) that IVF finds too; this sets neardup.FLAT_MAX.
3. 100,000 realistic goal texts (testkit/texts.py) with 5,000 planted near copies (pasted, width/spacing
   noise, a short clause added or removed, a number or two words changed, and "add-long": a clause
   longer than a quarter of the text added, a larger edit): near_duplicate_groups against
   sentence-transformers' paraphrase_mining_embeddings on the same vectors, each in a fresh child
   process: time, peak RSS during the call, recall of the planted pairs (neardup: in one group;
   paraphrase mining: the pair reported), and how many reported pairs are not lexical near
   duplicates (trigram Dice below min_lexical), at min_cosine = score threshold 0.70, 0.75, 0.80.
Vectors are embedded once and kept in bench/out/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from testkit.texts import goal_texts, vocabulary  # noqa: E402
from jixiao.review import neardup  # noqa: E402

OUT = ROOT / "bench" / "out"
PAIRS = ROOT / "bench" / "data" / "neardup_pairs.jsonl"
RESULTS = ROOT / "bench" / "RESULTS.md"
LOG: list[str] = []


def say(line: str = "") -> None:
    print(line, flush=True)
    LOG.append(line)


def load1() -> float:
    return os.getloadavg()[0]


def settle(what: str) -> None:
    """Let the previous step's load decay (up to 90 s) before timing, and say what the load was."""
    t = time.perf_counter()
    while load1() >= 1.0 and time.perf_counter() - t < 90:
        time.sleep(5)
    say(f"load average before {what}: {load1():.2f} (1 min) on {os.cpu_count()} CPUs "
        f"(waited {time.perf_counter() - t:.0f}s for it to fall below 1)")


# ---------------------------------------------------------------- 1. labelled pairs

def _dice(a: str, b: str, n: int) -> float:
    ga = Counter(a[i:i + n] for i in range(len(a) - n + 1))
    gb = Counter(b[i:i + n] for i in range(len(b) - n + 1))
    return 2 * sum((ga & gb).values()) / max(1, sum(ga.values()) + sum(gb.values()))


def _ratio(a: str, b: str) -> float:
    a, b = sorted((a, b), key=lambda s: (len(s), s))
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def pr(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, int, int]:
    tp, fp = int((pred & gold).sum()), int((pred & ~gold).sum())
    return tp / max(1, tp + fp), tp / max(1, gold.sum()), tp, fp


def labelled(embedder) -> None:
    rows = [json.loads(line) for line in PAIRS.open(encoding="utf-8")]
    gold = np.array([r["label"] == "copy" for r in rows])
    va, vb = embedder.encode([r["a"] for r in rows]), embedder.encode([r["b"] for r in rows])
    cos = np.einsum("ij,ij->i", va, vb)
    na, nb = [neardup.normalise(r["a"]) for r in rows], [neardup.normalise(r["b"]) for r in rows]
    lex = np.array([neardup.lexical_similarity(r["a"], r["b"]) for r in rows])
    ident = np.array([x == y for x, y in zip(na, nb)])
    say(f"{len(rows)} labelled pairs: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(
        (r['label'] + ('' if r['kind'] == 'real' else '/' + r['kind'])) for r in rows).items())))
    say()

    def rule(ml: float, mc: float) -> np.ndarray:
        return ident | ((lex >= ml) & (cos >= mc))

    ml0, mc0 = neardup.MIN_LEXICAL, neardup.MIN_COSINE
    p, r, tp, fp = pr(rule(ml0, mc0), gold)
    say(f"defaults min_lexical={ml0} min_cosine={mc0}: precision {p:.3f} ({tp}/{tp + fp}), "
        f"recall {r:.3f} ({tp}/{gold.sum()})")
    for label in ("copy", "rewrite", "different"):
        m = np.array([x["label"] == label for x in rows])
        say(f"  {label:<9} n={m.sum():>3}  grouped {int(rule(ml0, mc0)[m].sum()):>3}   trigram Dice "
            f"min {lex[m].min():.3f} max {lex[m].max():.3f}   cosine min {cos[m].min():.3f} max {cos[m].max():.3f}")
    missed = [rows[i]["id"] for i in np.flatnonzero(gold & ~rule(ml0, mc0))]
    wrong = [rows[i]["id"] for i in np.flatnonzero(~gold & rule(ml0, mc0))]
    say(f"  copies missed: {missed or 'none'}; non-copies grouped: {wrong or 'none'}")
    say()
    say("min_lexical (min_cosine default)  precision recall  |  min_cosine (min_lexical default)  precision recall")
    for ml, mc in zip((0.60, 0.65, 0.70, 0.75, 0.80, 0.85), (0.70, 0.75, 0.80, 0.85, 0.88, 0.90)):
        p1, r1, _, _ = pr(rule(ml, mc0), gold)
        p2, r2, _, _ = pr(rule(ml0, mc), gold)
        say(f"{ml:>11.2f} {p1:>30.3f} {r1:>6.3f}  |  {mc:>10.2f} {p2:>32.3f} {r2:>6.3f}")
    say()
    say("measure (normalised text)   lowest copy  highest non-copy  best threshold  precision  recall")
    measures = {"trigram Dice (neardup)": lex, "bigram Dice": np.array([_dice(x, y, 2) for x, y in zip(na, nb)]),
                "4-gram Dice": np.array([_dice(x, y, 4) for x, y in zip(na, nb)]),
                "difflib ratio": np.array([_ratio(x, y) for x, y in zip(na, nb)]), "cosine alone (use-m3)": cos}
    for name, s in measures.items():
        # the threshold with most correct decisions; ties to the highest (fewest false copies)
        best = max(np.unique(s), key=lambda t: (int(((s >= t) == gold).sum()), t))
        p, r, _, _ = pr(s >= best, gold)
        say(f"{name:<27} {s[gold].min():>11.3f} {s[~gold].max():>17.3f} {best:>15.3f} {p:>10.3f} {r:>7.3f}")


# ---------------------------------------------------------------- corpus with planted copies

SYNONYMS = (("按计划", "根据计划"), ("有效", "切实"), ("保障", "确保"), ("提升", "提高"), ("建立健全", "完善"),
            ("开展", "组织"), ("完成", "落实"), ("不低于", "达到"), ("及时", "按时"), ("满意度", "满意率"))
EDITS = ("pasted", "width", "add", "remove", "numbers", "words", "add-long")


def _edit(text: str, kind: str, rng: random.Random, clauses: list[str]) -> str | None:
    parts = text.rstrip("。").split("，")
    if kind == "pasted":
        return text
    if kind == "width":  # half-width commas and a wrapped space, as PDF exports produce
        out = text.replace("，", ",")
        cut = rng.randrange(1, len(out) - 1)
        return out[:cut] + " " + out[cut:]
    if kind in ("add", "add-long"):  # a short clause (at most a quarter of the text), or a longer one
        quarter = len(text) // 4
        pool = [c for c in clauses if c not in parts and (len(c) <= quarter) == (kind == "add")]
        if not pool:
            return None
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(pool))
        return "，".join(parts) + "。"
    if kind == "remove":  # a clause of at most a quarter of the text
        idx = [i for i, c in enumerate(parts) if len(c) <= len(text) // 4]
        if len(parts) < 3 or not idx:
            return None
        del parts[rng.choice(idx)]
        return "，".join(parts) + "。"
    if kind == "numbers":
        nums = list(re.finditer(r"\d+", text))
        if not nums:
            return None
        m = rng.choice(nums)
        v = int(m.group())
        new = max(1, round(v * rng.choice((0.5, 0.8, 1.2, 1.5)))) if v > 3 else v + 1
        return text[:m.start()] + str(new) + text[m.end():]
    if kind == "words":
        hits = [(a, b) for a, b in SYNONYMS if a in text]
        if not hits:
            return None
        out = text
        for a, b in rng.sample(hits, min(2, len(hits))):
            out = out.replace(a, b, 1)
        return out
    raise ValueError(kind)


def corpus(n: int, planted: int, seed: int) -> tuple[list[str], list[tuple[int, int, str]]]:
    """n texts: distinct generated goals plus `planted` edited copies of some of them, shuffled."""
    _, clauses, _ = vocabulary()
    base, seen, extra = [], set(), seed
    while len(base) < n - planted:
        for t in goal_texts(n - planted - len(base), extra):
            if t not in seen:
                seen.add(t)
                base.append(t)
        extra += 1000
    rng = random.Random(seed)
    copies: list[tuple[int, str, str]] = []  # (source, text, edit)
    while len(copies) < planted:
        src = rng.randrange(len(base))
        for _ in range(rng.choice((1, 1, 1, 1, 2, 2, 3))):  # some goals are pasted into several projects
            for kind in rng.sample(EDITS, len(EDITS)):
                t = _edit(base[src], kind, rng, clauses)
                if t is not None:
                    copies.append((src, t, kind))
                    break
    copies = copies[:planted]
    texts = base + [t for _, t, _ in copies]
    order = list(range(len(texts)))
    rng.shuffle(order)
    pos = {old: new for new, old in enumerate(order)}
    pairs = [(pos[src], pos[len(base) + i], kind) for i, (src, _, kind) in enumerate(copies)]
    return [texts[i] for i in order], pairs


def embed_cached(embedder, texts: list[str]) -> tuple[np.ndarray, str]:
    key = hashlib.sha1(("\n".join(texts) + embedder.model_id).encode()).hexdigest()[:12]
    path = OUT / f"neardup-vectors-use-m3-{len(texts)}-{key}.npy"
    if path.exists():
        say(f"vectors read from {path.relative_to(ROOT)}")
        return np.load(path), key
    t = time.perf_counter()
    vecs = np.ascontiguousarray(np.vstack([embedder.encode(texts[i:i + 8192]) for i in range(0, len(texts), 8192)]))
    say(f"embedded {len(texts)} texts in {time.perf_counter() - t:.0f}s; cached in {path.relative_to(ROOT)}")
    OUT.mkdir(exist_ok=True)
    np.save(path, vecs)
    return vecs, key


# ---------------------------------------------------------------- child processes: one method each

def _status_kb(field: str) -> int:
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def child(method: str, corpus_file: str, vectors_file: str, k: int, ml: float, mc: float, out: str) -> None:
    texts = json.loads(Path(corpus_file).read_text(encoding="utf-8"))["texts"]
    vecs = np.load(vectors_file)
    if method == "paraphrase_mining":
        import torch
        from sentence_transformers.util import paraphrase_mining_embeddings
        emb = torch.from_numpy(vecs)
    base = _status_kb("VmRSS:")
    # Reset the peak-RSS mark so VmHWM measures this call only (Linux >= 4.0); sample RSS as a fallback.
    try:
        Path("/proc/self/clear_refs").write_text("5")
        hwm = True
    except OSError:
        hwm = False
    peak, stop = [base], threading.Event()

    def sample() -> None:
        while not stop.wait(0.005):
            peak[0] = max(peak[0], _status_kb("VmRSS:"))
    threading.Thread(target=sample, daemon=True).start()
    t, cpu = time.perf_counter(), time.process_time()
    if method == "neardup":
        groups = neardup.near_duplicate_groups(texts, vecs, min_lexical=ml, min_cosine=mc, k=k)
        result = {"groups": [[g.principal, *g.members] for g in groups],
                  "pairs": [(g.principal, m) for g in groups for m in g.members]}
    else:  # every pair it returns, with its score, so one call serves each threshold
        mined = paraphrase_mining_embeddings(emb, top_k=k, max_pairs=len(texts) * k)
        result = {"pairs": [(s, i, j) for s, i, j in mined if s >= mc]}
    secs, cpu = time.perf_counter() - t, time.process_time() - cpu
    stop.set()
    peak_kb = max(_status_kb("VmHWM:"), peak[0]) if hwm else peak[0]
    result.update({"seconds": secs, "cpu_seconds": cpu, "peak_mb": (peak_kb - base) / 1024, "base_mb": base / 1024})
    Path(out).write_text(json.dumps(result))


def run_child(method: str, mc: float, corpus_file: Path, vectors_file: Path, args) -> dict:
    out = OUT / f"neardup-result-{method}-{mc}.json"
    cmd = [sys.executable, __file__, "--child", method, "--corpus-file", str(corpus_file),
           "--vectors-file", str(vectors_file), "--k", str(args.k), "--out", str(out),
           "--min-lexical", str(args.min_lexical), "--min-cosine", str(mc)]
    subprocess.run(cmd, check=True)
    return json.loads(out.read_text())


# ---------------------------------------------------------------- 2. exact vs IVF candidate search

def switch_point(texts: list[str], vecs: np.ndarray, sizes: list[int], k: int, ml: float, mc: float) -> None:
    say(f"{'distinct texts':>14} {'exact s':>8} {'IVF s':>7} {'nprobe':>6}  IVF recall of the near-duplicate pairs "
        f"exact search finds (lexical >= {ml}, cosine >= {mc})")
    keys = [neardup.normalise(t) for t in texts]
    saved = neardup.FLAT_MAX, neardup.IVF_LISTS
    try:
        for n in sizes:
            first: dict[str, int] = {}
            rows = sorted({first.setdefault(keys[i], i) for i in range(n)})  # distinct, as the step searches them
            x, kk = np.ascontiguousarray(vecs[rows]), [keys[i] for i in rows]

            def verified(i: int, j: int) -> bool:
                return neardup._similarity(kk[i], kk[j]) >= ml

            def pairs(d: np.ndarray, ids: np.ndarray) -> set[tuple[int, int]]:
                return {(min(q, j), max(q, j)) for q, (row, srow) in enumerate(zip(ids.tolist(), d.tolist()))
                        for j, s in zip(row, srow) if j >= 0 and j != q and s >= mc}
            runs = {}
            for name, flat_max in (("exact", len(x)), ("ivf", 0)):
                neardup.FLAT_MAX = flat_max
                t = time.perf_counter()
                d, ids, nprobe = neardup.knn(x, k, mc, verified)
                runs[name] = (time.perf_counter() - t, pairs(d, ids), nprobe)
            truth = {p for p in runs["exact"][1] if verified(*p)}
            got = len(truth & runs["ivf"][1])
            say(f"{len(x):>14} {runs['exact'][0]:>8.2f} {runs['ivf'][0]:>7.2f} {runs['ivf'][2]:>6}  "
                f"{got / max(1, len(truth)):.4f} ({got}/{len(truth)})")
        say()
        say(f"IVF lists at {len(x)} distinct texts (lists per sqrt(n); nprobe tuned as above):")
        say(f"{'lists/sqrt(n)':>14} {'nlist':>6} {'IVF s':>7} {'nprobe':>6}  recall")
        for per in (1.0, 2.0, 4.0):
            neardup.FLAT_MAX, neardup.IVF_LISTS = 0, per
            t = time.perf_counter()
            d, ids, nprobe = neardup.knn(x, k, mc, verified)
            secs = time.perf_counter() - t
            got = len(truth & pairs(d, ids))
            say(f"{per:>14.0f} {int(per * len(x) ** 0.5):>6} {secs:>7.2f} {nprobe:>6}  {got / max(1, len(truth)):.4f}")
    finally:
        neardup.FLAT_MAX, neardup.IVF_LISTS = saved


# ---------------------------------------------------------------- 3. 100k comparison

def compare(texts: list[str], vecs: np.ndarray, planted: list[tuple[int, int, str]], corpus_file: Path,
            vectors_file: Path, args) -> None:
    sweep = sorted({args.min_cosine, *(float(c) for c in args.cosine_sweep.split(",") if c)})
    runs = []
    for mc in sweep:
        settle(f"neardup (min_cosine {mc})")
        runs.append(("neardup", mc, run_child("neardup", mc, corpus_file, vectors_file, args)))
    settle("paraphrase_mining")
    pm = run_child("paraphrase_mining", min(sweep), corpus_file, vectors_file, args)
    for mc in sweep:  # the same call, its pairs cut at each threshold
        runs.append(("paraphrase_mining", mc, {**pm, "pairs": [(i, j) for s, i, j in pm["pairs"] if s >= mc]}))
    kinds = sorted({k for _, _, k in planted}, key=EDITS.index)
    lex = np.array([neardup.lexical_similarity(texts[a], texts[b]) for a, b, _ in planted])
    cos = np.array([float(vecs[a] @ vecs[b]) for a, b, _ in planted])
    ident = np.array([neardup.normalise(texts[a]) == neardup.normalise(texts[b]) for a, b, _ in planted])
    say()
    say(f"{'method':<18} {'cosine':>6} {'seconds':>8} {'CPU s':>6} {'peak MB':>8} {'pairs':>8} {'not lexical':>13} "
        f"{'planted recall':>15}  " + " ".join(f"{k:>8}" for k in kinds))
    for method, mc, res in runs:
        if method == "neardup":
            group_of = {i: gi for gi, g in enumerate(res["groups"]) for i in g}
            hit = [a in group_of and group_of[a] == group_of.get(b) for a, b, _ in planted]
        else:
            got = {(min(a, b), max(a, b)) for a, b in res["pairs"]}
            hit = [(min(a, b), max(a, b)) in got for a, b, _ in planted]
        pairs = res["pairs"]
        not_lex = sum(neardup.lexical_similarity(texts[a], texts[b]) < args.min_lexical for a, b in pairs)
        per = {k: np.mean([h for h, (_, _, kk) in zip(hit, planted) if kk == k]) for k in kinds}
        say(f"{method:<18} {mc:>6.2f} {res['seconds']:>8.1f} {res['cpu_seconds']:>6.0f} {res['peak_mb']:>8.0f} "
            f"{len(pairs):>8} "
            f"{not_lex:>7} ({not_lex / max(1, len(pairs)):>4.0%}) {np.mean(hit):>8.3f} ({sum(hit):>4})  "
            + " ".join(f"{per[k]:>8.3f}" for k in kinds))
    say()
    say("planted pairs that meet the pair rule (identical, or lexical >= min_lexical and cosine >= min_cosine), "
        "i.e. the most neardup can find:")
    for mc in sweep:
        meet = ident | ((lex >= args.min_lexical) & (cos >= mc))
        say(f"  min_cosine {mc:.2f}: {meet.mean():.3f} ({meet.sum()}/{len(planted)})  "
            + " ".join(f"{k} {np.mean([m for m, (_, _, kk) in zip(meet, planted) if kk == k]):.3f}" for k in kinds))
    say(f"  planted pairs with cosine >= {args.min_cosine} but lexical < {args.min_lexical}: "
        f"{int(((cos >= args.min_cosine) & (lex < args.min_lexical) & ~ident).sum())}")
    res = next(res for method, mc, res in runs if method == "neardup" and mc == args.min_cosine)
    group_of = {i: gi for gi, g in enumerate(res["groups"]) for i in g}
    meet = ident | ((lex >= args.min_lexical) & (cos >= args.min_cosine))
    split = Counter(("in two groups", "one in a group", "neither in a group")[2 - (a in group_of) - (b in group_of)]
                    for (a, b, _), m in zip(planted, meet)
                    if m and not (a in group_of and group_of[a] == group_of.get(b)))
    say(f"  at min_cosine {args.min_cosine}, planted pairs meeting the rule but not in one group: "
        f"{sum(split.values())}: " + ", ".join(f"{k} {v}" for k, v in sorted(split.items())))
    ng = next(res for method, mc, res in runs if method == "neardup" and mc == args.min_cosine)["groups"]
    sizes = Counter(map(len, ng))
    say(f"neardup groups at min_cosine {args.min_cosine}: {len(ng)}; texts per group: "
        + ", ".join(f"{s}: {c}" for s, c in sorted(sizes.items())[:6]) + f"; largest {max(sizes, default=0)}")
    say("planted copies per edit: " + ", ".join(f"{k} {c}" for k, c in Counter(k for _, _, k in planted).items()))


def machine() -> list[str]:
    model = next((line.split(":", 1)[1].strip() for line in subprocess.run(
        ["lscpu"], capture_output=True, text=True).stdout.splitlines() if line.startswith("Model name")), "?")
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import faiss
    import sentence_transformers
    import torch
    return [f"CPU: {model}; nproc {os.cpu_count()}; RAM {ram:.1f} GiB; "
            f"Python {platform.python_version()} on {platform.system()}",
            f"faiss {faiss.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
            f"sentence-transformers {sentence_transformers.__version__}",
            f"Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--planted", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--min-lexical", type=float, default=neardup.MIN_LEXICAL)
    ap.add_argument("--min-cosine", type=float, default=neardup.MIN_COSINE)
    ap.add_argument("--switch", default="2000,5000,10000,20000,50000,100000")
    ap.add_argument("--cosine-sweep", default="0.7,0.75,0.8")
    ap.add_argument("--no-append", action="store_true")
    ap.add_argument("--child")
    ap.add_argument("--corpus-file")
    ap.add_argument("--vectors-file")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.corpus_file, args.vectors_file, args.k, args.min_lexical, args.min_cosine,
                     args.out)

    from jixiao.index.embed import load_embedder
    command = "python " + " ".join([str(Path(sys.argv[0]).relative_to(ROOT)) if Path(sys.argv[0]).is_absolute()
                                    else sys.argv[0], *sys.argv[1:]])
    for line in machine():
        say(line)
    say(f"Command: `{command}`")
    say()
    embedder = load_embedder("use-m3")
    say("## Labelled pairs")
    labelled(embedder)
    say()
    texts, planted = corpus(args.n, args.planted, args.seed)
    vecs, key = embed_cached(embedder, texts)
    corpus_file = OUT / f"neardup-corpus-{len(texts)}-{key}.json"
    corpus_file.write_text(json.dumps({"texts": texts}, ensure_ascii=False), encoding="utf-8")
    vectors_file = OUT / f"neardup-vectors-use-m3-{len(texts)}-{key}.npy"
    say(f"corpus: {len(texts)} goal texts ({len(set(texts))} distinct), {len(planted)} planted near copies")
    say()
    say(f"## Candidate search, exact vs IVF (k={args.k})")
    settle("the candidate search")
    switch_point(texts, vecs, [s for s in map(int, args.switch.split(",")) if s <= len(texts)], args.k,
                 args.min_lexical, args.min_cosine)
    say()
    say(f"## {len(texts)} texts: near_duplicate_groups vs paraphrase_mining_embeddings "
        f"(k = top_k = {args.k}; min_cosine = score threshold; min_lexical {args.min_lexical})")
    compare(texts, vecs, planted, corpus_file, vectors_file, args)
    say(f"load average after: {load1():.2f}")
    if not args.no_append:
        section = ["", "## Near-duplicate step (issue 4)", "",
                   "Output of `bench/bench_neardup.py`, as printed:", "", "```", *LOG, "```", ""]
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write("\n".join(section))
        print(f"appended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
