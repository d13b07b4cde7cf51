"""Choosing indicator.misplaced's neighbour-vote thresholds on labelled rows.

    python bench/eval_misplaced.py [--generated 600]

Labelled rows: every indicator row of the shipped samples that the name rules leave alone, taken as
filed by its unit (the negative), and the same row moved to one other category, drawn at random
(the positive: what a misfiling looks like to the vote). Two corpora vote: the samples alone (plus
the reference names of review/indicator_exemplars.toml), the small-corpus case; and the samples with
generated forms of other projects (testkit/synth.py), where most units file most names correctly.
A moved row's own project never votes, so its original filing does not give it away.

Prints precision, recall and false alarms per 1,000 correctly filed rows for a grid of thresholds.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from testkit.synth import generate_corpus  # noqa: E402
from jixiao.forms import parse_file  # noqa: E402
from jixiao.forms.parser import parse_text  # noqa: E402
from jixiao.review.checks_misplaced import _compatible, _names, _neighbours, head, _rule, _vote, category, honest, outvoted  # noqa: E402
from jixiao.review.engine import default_embed  # noqa: E402
from jixiao.review.evidence import normalise, project_key  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CLASSES = ["成本指标", "产出指标/数量指标", "产出指标/质量指标", "产出指标/时效指标", "效益指标", "满意度指标"]
GRID_COSINE = (0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90)
GRID_OWN = (0.05, 0.10, 0.20, 0.30)
GRID_SHARE = (0.60, 0.75, 0.90)
GRID_SOURCES = (2, 3, 5)


def decide(name: str, votes: dict[str, float], voters: set, own: str, max_own: float, min_share: float, min_sources: int) -> bool:
    return not honest(name, own) and outvoted(votes, voters, own, min_sources, max_own, min_share) is not None


def labelled_rows(samples, rng):
    rows = []
    for form in samples:
        for ind in form.indicators:
            own = category(ind.level1, ind.level2)
            if not ind.name or not own or _rule(ind):
                continue
            moved = rng.choice([c for c in CLASSES if not _compatible(own, c) and not _compatible(c, own)])
            rows.append((form, ind, own, moved))
    return rows


def evaluate(corpus, rows, k: int = 10) -> list[tuple]:
    names = _names(corpus)
    keys = list(names)
    vectors = np.ascontiguousarray(default_embed([names[x].text for x in keys]), dtype=np.float32)
    scores, ids = _neighbours(vectors, k, [head(x) for x in keys])
    index = {x: i for i, x in enumerate(keys)}
    out = []
    for cos in GRID_COSINE:
        cast = [(ind.name, _vote(index[normalise(ind.name)], project_key(form), scores, ids, keys, names, cos), own, moved)
                for form, ind, own, moved in rows]
        for own_max in GRID_OWN:
            for share in GRID_SHARE:
                for sources in GRID_SOURCES:
                    fp = sum(decide(n, v[0], v[1], own, own_max, share, sources) for n, v, own, _ in cast)
                    tp = sum(decide(n, v[0], v[1], moved, own_max, share, sources) for n, v, _, moved in cast)
                    out.append((cos, own_max, share, sources, tp, fp, len(cast)))
    return out


def report(title: str, results) -> None:
    print(f"\n{title}")
    print(f"{'min_cos':>7} {'max_own':>7} {'min_share':>9} {'sources':>7} {'TP':>5} {'FP':>4} {'rows':>5} {'precision':>9} {'recall':>6} {'FP/1000':>7}")
    for cos, own_max, share, sources, tp, fp, n in results:
        p = tp / (tp + fp) if tp + fp else 1.0
        print(f"{cos:>7.2f} {own_max:>7.2f} {share:>9.2f} {sources:>7} {tp:>5} {fp:>4} {n:>5} {p:>9.3f} {tp / n:>6.3f} {1000 * fp / n:>7.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generated", type=int, default=600, help="generated forms added for the large-corpus case")
    ap.add_argument("--all", action="store_true", help="print the whole grid, not only the settings shipped and the best")
    args = ap.parse_args()
    samples = [f for p in sorted(EXAMPLES.glob("*.txt")) for f in parse_file(p).forms]
    rows = labelled_rows(samples, random.Random(0))
    generated = [f for text, _ in generate_corpus(args.generated, seed=7) for f in parse_text(text, "generated.txt").forms]
    from jixiao.review.settings import load_settings

    s = load_settings()
    shipped = (s["indicator.misplaced_min_cosine"], s["indicator.misplaced_max_own_share"],
               s["indicator.misplaced_min_share"], s["indicator.misplaced_min_sources"])
    for title, corpus in ((f"samples only ({len(samples)} forms) + reference names", samples),
                          (f"samples + {len(generated)} generated forms + reference names", samples + generated)):
        results = evaluate(corpus, rows, s["indicator.misplaced_k"])
        if not args.all:
            def f1(r):
                tp, fp, n = r[4], r[5], r[6]
                return 2 * tp / (2 * tp + fp + (n - tp)) if tp else 0.0
            best = sorted(results, key=f1, reverse=True)[:5]
            results = [r for r in results if r[:4] == shipped] + [r for r in best if r[:4] != shipped]
        report(title + "  (first row: the shipped settings)" if not args.all else title, results)


if __name__ == "__main__":
    main()
