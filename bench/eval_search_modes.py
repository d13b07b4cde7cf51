"""Choose the search mode by measurement: top-1, top-5 and MRR of dense, lexical and hybrid search, per kind.

    python bench/eval_search_modes.py

- indicator, goal: the labelled set of bench/eval_embeddings.py (184 reviewer rewordings of the
  samples' real texts, ranked against every text of their kind plus the same-domain distractors),
  scored with the default model, the real lexical index (index/lexical.py) and the real fusion
  (index/hybrid.py), each over every text.
- project: the 55 goal rewordings again, now looking for the form that holds the reworded goal
  among the samples' 39 forms, through `search()` itself on a corpus ingested and indexed in a
  temporary folder (the project kind has no labelled set of its own: a goal is what a reviewer
  remembers of a project).

Also printed, for the record of the choice: reciprocal rank fusion (k = 60) and the weighted sum at
other weights. Exit 1 when a kind's default mode (hybrid.DEFAULT_MODE) is worse than another mode
on any of top-1, top-5 or MRR.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_embeddings import load_set, metrics, ranks  # noqa: E402
from jixiao.index import hybrid, lexical  # noqa: E402
from jixiao.index.embed import DEFAULT_MODEL, load_embedder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MODES = hybrid.MODES


def _rank_matrix(score: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(-score, axis=1, kind="stable"), axis=1, kind="stable") + 1


def text_scores(kind: str, queries: list[str], texts: list[str], embedder) -> dict[str, np.ndarray]:
    dense = embedder.encode(queries) @ embedder.encode(texts).T
    idx = lexical.build(kind, np.arange(len(texts)), texts, 0)
    lex = np.stack([idx.normalized_scores(q) for q in queries])
    fused = np.zeros_like(dense)
    for r in range(len(queries)):  # the fusion search() uses, over every text
        for i, s in hybrid.fuse(dict(enumerate(dense[r].tolist())), dict(enumerate(lex[r].tolist()))):
            fused[r, i] = s
    out = {"dense": dense, "lexical": lex, "hybrid": fused}
    # Alternatives considered.
    out["rrf-60"] = 1 / (60 + _rank_matrix(dense)) + 1 / (60 + _rank_matrix(lex))
    raw = np.stack([idx.scores(q) for q in queries])
    for w in (0.3, 0.6, 0.7):
        out[f"sum-{w}"] = w * dense + (1 - w) * lex
    out["sum-0.7-maxnorm"] = 0.7 * dense + 0.3 * raw / np.maximum(raw.max(1, keepdims=True), 1e-9)
    return out


def project_ranks(goal_pairs: list[dict]) -> dict[str, list[int]]:
    from typer.testing import CliRunner

    from jixiao.cli import app
    from jixiao.index.search import search
    from jixiao.index.store import Store

    with tempfile.TemporaryDirectory() as d:
        db = Path(d) / "samples.db"
        runner = CliRunner()
        for args in (["ingest", str(ROOT / "examples"), "--db", str(db)], ["index", "--db", str(db)]):
            res = runner.invoke(app, args)
            if res.exit_code:
                raise SystemExit(f"jixiao {' '.join(args)} failed: {res.output}")
        with Store(db) as store:
            goals = {}
            for fl, line, *texts in store.conn.execute(
                    "SELECT fl.path, f.first_line, goal_expected, goal_actual, goal_overall, goal_annual "
                    "FROM forms f JOIN files fl ON fl.id = f.file_id"):
                goals[(fl, line)] = {t for t in texts if t}
            out: dict[str, list[int]] = {m: [] for m in MODES}
            for mode in MODES:
                for p in goal_pairs:
                    hits = search(store, db, p["query"], "project", len(goals), mode=mode).hits
                    rank = next((r for r, h in enumerate(hits, 1) if p["target"] in goals[(h.file, h.line)]), None)
                    out[mode].append(rank or len(goals) + 1)  # lexical: a form sharing no n-gram is not ranked
            return out


def main() -> None:
    pairs, corpus, shown = load_set()
    embedder = load_embedder(DEFAULT_MODEL)
    by_kind = {k: [p for p in pairs if p["kind"] == k] for k in corpus}
    print(f"{len(pairs)} queries ({', '.join(f'{k} {len(v)}' for k, v in by_kind.items())}) against "
          f"{', '.join(f'{len(v)} {k} texts' for k, v in corpus.items())}; project: the {len(by_kind['goal'])} goal "
          f"queries against the samples' forms")
    print(f"model {embedder.model_id}; lexical {lexical.TOKENIZER} (k1 {lexical.K1}, b {lexical.B}); "
          f"hybrid = {hybrid.DENSE_WEIGHT} × dense + {1 - hybrid.DENSE_WEIGHT:g} × lexical")
    results: dict[tuple[str, str], dict] = {}
    alternatives: dict[tuple[str, str], dict] = {}
    for kind, ps in by_kind.items():
        texts = corpus[kind]
        scores = text_scores(kind, [p["query"] for p in ps], texts, embedder)
        for name, score in scores.items():
            m = metrics(ranks(score, texts, shown, [p["target"] for p in ps]))
            (results if name in MODES else alternatives)[(kind, name)] = m
    for mode, r in project_ranks(by_kind["goal"]).items():
        results[("project", mode)] = metrics(r)
    print(f"{'kind':<10} {'mode':<8} {'n':>4} {'top-1':>6} {'top-5':>6} {'MRR':>6}  default")
    failed = []
    for kind in ("indicator", "goal", "project"):
        default = hybrid.DEFAULT_MODE[kind]
        for mode in MODES:
            m = results[(kind, mode)]
            print(f"{kind:<10} {mode:<8} {m['n']:>4} {m['top1']:>6.3f} {m['top5']:>6.3f} {m['mrr']:>6.3f}  "
                  f"{'*' if mode == default else ''}")
        best = results[(kind, default)]
        for mode in MODES:
            worse = [k for k in ("top1", "top5", "mrr") if results[(kind, mode)][k] > best[k] + 1e-12]
            if worse:
                failed.append(f"{kind}: default {default} loses to {mode} on {', '.join(worse)}")
    print("alternatives (not used):")
    for (kind, name), m in alternatives.items():
        print(f"{kind:<10} {name:<16} {m['top1']:.3f} {m['top5']:.3f} {m['mrr']:.3f}")
    for f in failed:
        print("FAIL", f)
    print("every kind's default mode is at least as good as the others" if not failed else "")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
