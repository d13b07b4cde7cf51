"""Choose the embedding model by measurement: top-1, top-5 and MRR on the labelled paraphrase set.

    python bench/eval_embeddings.py [--model DIR_OR_NAME ...]

Each query (bench/data/paraphrase_pairs.jsonl) is a reviewer's rewording of one real indicator
name or goal text of the shipped samples. It is ranked against every text of its kind in the
samples plus the hand-written, same-domain distractors (bench/data/paraphrase_distractors.jsonl).
Compared in one run: every built-in offline model, any extra sentence-transformers model given
with --model, and a character n-gram TF-IDF baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from jixiao.forms import parse_file  # noqa: E402
from jixiao.index.embed import BUILTIN, DEFAULT_MODEL, load_embedder  # noqa: E402
from jixiao.index.items import indicator_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"


def load_set() -> tuple[list[dict], dict[str, list[str]], dict[str, str]]:
    pairs = [json.loads(x) for x in (DATA / "paraphrase_pairs.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    distractors = [json.loads(x) for x in (DATA / "paraphrase_distractors.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    corpus: dict[str, set[str]] = {"indicator": set(), "goal": set()}
    shown: dict[str, str] = {}  # embedded text -> the text a pair names as target
    for f in sorted((ROOT / "examples").glob("*.txt")):
        for form in parse_file(f).forms:
            for ind in form.indicators:
                if ind.name:
                    t = indicator_text(ind.name, ind.level2)
                    corpus["indicator"].add(t)
                    shown[t] = ind.name
            for g in (form.goal.expected, form.goal.actual, form.goal.overall, form.goal.annual):
                if g:
                    corpus["goal"].add(g)
                    shown[g] = g
    for d in distractors:
        corpus[d["kind"]].add(d["text"])
        shown.setdefault(d["text"], d["text"])
    return pairs, {k: sorted(v) for k, v in corpus.items()}, shown


def ranks(score: np.ndarray, texts: list[str], shown: dict[str, str], targets: list[str]) -> list[int]:
    out = []
    for row, target in zip(score, targets):
        order = np.argsort(-row, kind="stable")
        out.append(next(i for i, j in enumerate(order, 1) if shown[texts[j]] == target))
    return out


def metrics(r: list[int]) -> dict:
    a = np.array(r)
    return {"n": len(a), "top1": float(np.mean(a == 1)), "top5": float(np.mean(a <= 5)), "mrr": float(np.mean(1 / a))}


def tfidf_scores(queries: list[str], texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    m = vec.fit_transform(texts)
    return (vec.transform(queries) @ m.T).toarray()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="append", default=[], help="extra sentence-transformers folder or cached name")
    args = ap.parse_args()
    pairs, corpus, shown = load_set()
    by_kind = {k: [p for p in pairs if p["kind"] == k] for k in corpus}
    print(f"{len(pairs)} queries ({', '.join(f'{k} {len(v)}' for k, v in by_kind.items())}) against "
          f"{', '.join(f'{len(v)} {k} texts' for k, v in corpus.items())} (samples + distractors)")
    systems = [(m, m) for m in BUILTIN] + [(m, m) for m in args.model] + [("tfidf-char-1-3", None)]
    results = {}
    print(f"{'system':<22} {'kind':<10} {'n':>4} {'top-1':>6} {'top-5':>6} {'MRR':>6} {'texts/s':>8}")
    for label, spec in systems:
        embedder = load_embedder(spec) if spec else None
        all_ranks = []
        for kind, ps in by_kind.items():
            texts = corpus[kind]
            queries = [p["query"] for p in ps]
            t = time.perf_counter()
            if embedder is None:
                score = tfidf_scores(queries, texts)
            else:
                score = embedder.encode(queries) @ embedder.encode(texts).T
            speed = (len(texts) + len(queries)) / (time.perf_counter() - t)
            r = ranks(score, texts, shown, [p["target"] for p in ps])
            all_ranks += r
            m = metrics(r)
            results[(label, kind)] = m
            print(f"{label:<22} {kind:<10} {m['n']:>4} {m['top1']:>6.3f} {m['top5']:>6.3f} {m['mrr']:>6.3f} {speed:>8.0f}")
        m = metrics(all_ranks)
        results[(label, "all")] = m
        print(f"{label:<22} {'all':<10} {m['n']:>4} {m['top1']:>6.3f} {m['top5']:>6.3f} {m['mrr']:>6.3f}")
    base = results[("tfidf-char-1-3", "all")]["mrr"]
    default = results[(DEFAULT_MODEL, "all")]["mrr"]
    print(f"default model {DEFAULT_MODEL}: MRR {default:.3f} vs TF-IDF baseline {base:.3f} "
          f"({'beats' if default > base else 'DOES NOT beat'} the baseline)")
    sys.exit(0 if default > base else 1)


if __name__ == "__main__":
    main()
