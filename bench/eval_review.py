"""Precision and recall per review code on planted findings and look-alikes (bench/review_fixtures.py).

    python bench/eval_review.py

For each (plant, sample form) the review runs on the unchanged and the changed form; a finding
counts when it is new. Positive plant: recall counts whether a new finding of its code names the
planted subject. Every new finding of the plant's code that does not name the subject, and every
new finding of the code on a look-alike, is a false positive.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.review_fixtures import planted_cases  # noqa: E402
from jixiao.review.engine import review  # noqa: E402


def _names(finding, subject: str) -> bool:
    return subject in finding.message or any(subject in (e.text or "") for e in finding.evidence)


def evaluate() -> dict[str, dict]:
    stats: dict[str, dict] = defaultdict(lambda: {"tp": 0, "fn": 0, "fp": 0, "positives": 0, "lookalikes": 0, "skipped": 0})
    base_cache: dict[int, list] = {}
    for plant, base, changed, subject in planted_cases():
        key = id(base)
        if key not in base_cache:
            base_cache[key] = review([base]).flags
        before = [f for f in base_cache[key] if f.code == plant.code]
        s = stats[plant.code]
        if any(_names(f, subject) for f in before):
            s["skipped"] += 1  # the sample already has this finding here: a plant cannot be told apart
            continue
        new = [f for f in review([changed], only=[plant.code]).flags if f.id not in {b.id for b in before}]
        if plant.positive:
            s["positives"] += 1
            hit = [f for f in new if _names(f, subject)]
            s["tp" if hit else "fn"] += 1
            s["fp"] += len(new) - len(hit)
        else:
            s["lookalikes"] += 1
            s["fp"] += len(new)
    return stats


def main() -> None:
    stats = evaluate()
    print(f"{'code':<38} {'planted':>7} {'look-alikes':>11} {'skipped':>7} {'TP':>4} {'FN':>4} {'FP':>4} {'precision':>9} {'recall':>7}")
    worst = 1.0
    for code, s in sorted(stats.items()):
        p = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 1.0
        r = s["tp"] / (s["tp"] + s["fn"]) if s["tp"] + s["fn"] else 1.0
        worst = min(worst, p, r)
        print(f"{code:<38} {s['positives']:>7} {s['lookalikes']:>11} {s['skipped']:>7} {s['tp']:>4} {s['fn']:>4} {s['fp']:>4} {p:>9.3f} {r:>7.3f}")
    print(f"lowest precision or recall: {worst:.3f} (aim ≥ 0.9)")


if __name__ == "__main__":
    main()
