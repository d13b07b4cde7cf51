"""goal.project_mismatch alone: its labelled cases (testkit/review_fixtures_corpus.py,
project_mismatch_cases) and the samples' labels (testkit/review_real.py), counted as
bench/eval_review.py counts them, quicker, with what it misses, and how its thresholds were chosen.

    python bench/eval_project_mismatch.py             # P/R, a line per kind of case, each miss and false alarm
    python bench/eval_project_mismatch.py --sweep     # P/R with each threshold moved alone (stable region)
    python bench/eval_project_mismatch.py --half 0    # every other case of each kind (0 or 1): choose on one half,
                                                      # check on the other
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.eval_review import MemoEmbed, _stats, pr, prewarmed  # noqa: E402
from testkit.review_fixtures import names, sample_forms  # noqa: E402
from testkit.review_fixtures_corpus import project_mismatch_cases  # noqa: E402
from testkit.review_real import LABELS, matches  # noqa: E402
from jixiao.review.engine import review  # noqa: E402
from jixiao.review.settings import load_settings  # noqa: E402

CODE = "goal.project_mismatch"
SWEEP = {  # setting: values tried (the default among them)
    "mismatch_name_weight": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0],
    "mismatch_margin": [0.0, 0.04, 0.08, 0.12, 0.16, 0.20, 0.24, 0.28],
    "mismatch_own_max": [0.15, 0.20, 0.25, 0.30, 0.35, 1.0],
    "mismatch_content_min": [0.0, 0.40, 0.45, 0.50, 0.55, 0.60],
    "mismatch_dup_margin": [-0.05, 0.0, 0.02, 0.04, 0.06, 0.08],
    "mismatch_generic_rows": [0.1, 0.25, 0.5, 1.01],
    "mismatch_max_holders": [1, 2, 3, 5, 1000],
    "mismatch_copy_specific": [0.0, 0.10, 0.12, 0.13, 0.14, 0.16, 0.20],
    "mismatch_specific": [0.10, 0.12, 0.14, 0.16, 0.20, 9.0],
    "mismatch_name_margin": [0.3, 0.4, 0.5, 0.6, 0.8, 9.0],
}


def cases(half: int | None = None) -> list:
    seen: dict = defaultdict(int)
    out = []
    for c in project_mismatch_cases():
        seen[(c.positive, c.describe)] += 1
        if half is None or (seen[(c.positive, c.describe)] - 1) % 2 == half:
            out.append(c)
    return out


def evaluate(all_cases: list, embed: MemoEmbed, settings=None) -> tuple[dict, dict, list[str]]:
    """Totals, a line per kind of case, and what went wrong (as bench/eval_review.py counts)."""
    total, detail, wrong = _stats(), defaultdict(_stats), []
    flags = review(sample_forms(), settings=settings, only=[CODE], embed=embed).flags
    for lab in (lab for lab in LABELS if lab.code == CODE):
        hit = any(matches(lab, f) for f in flags)
        if lab.truth is True:
            total["positives"] += 1
            total["tp" if hit else "fn"] += 1
            if not hit:
                wrong.append(f"FN real {lab}")
        elif lab.truth is False and hit:
            total["fp"] += 1
            wrong.append(f"FP real {lab}")
    base_cache: dict = {}
    for case in all_cases:
        if case.base_key not in base_cache:
            base_cache[case.base_key] = review(case.base, settings=settings, only=[CODE], embed=embed).flags
        before = base_cache[case.base_key]
        d = detail[(case.positive, case.describe)]
        if any(names(f, case.subject) for f in before):
            total["skipped"] += 1
            d["skipped"] += 1
            continue
        old = {b.id for b in before}
        new = [f for f in review(case.changed, settings=settings, only=[CODE], embed=embed).flags if f.id not in old]
        hit = [f for f in new if names(f, case.subject)] if case.positive else []
        for x in (total, d):
            x["positives" if case.positive else "lookalikes"] += 1
            if case.positive:
                x["tp" if hit else "fn"] += 1
            x["fp"] += len(new) - len(hit)
        if case.positive and not hit:
            wrong.append(f"FN {case.describe}: {case.subject}")
        for f in new:
            if f not in hit:
                wrong.append(f"FP {case.describe} ({case.subject}): {f.message}")
    return total, detail, wrong


def _with(key: str, value: float):
    s = load_settings()
    s._v["boilerplate"][key] = value
    return s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--half", type=int, choices=(0, 1))
    ap.add_argument("--sweep", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    embed, chosen = MemoEmbed(), cases(args.half)
    chosen = list(prewarmed(chosen, embed))
    if args.sweep:
        defaults = load_settings()
        for key, values in SWEEP.items():
            line = []
            for v in values:
                s, *_ = evaluate(chosen, embed, _with(key, v))
                p, r = pr(s)
                mark = "*" if v == defaults[f"boilerplate.{key}"] else " "
                line.append(f"{v:g}{mark} P{p:.2f} R{r:.2f} (fp {s['fp']})")
            print(f"{key:<22} " + " | ".join(line))
        print(f"{time.perf_counter() - t0:.0f} s")
        return
    total, detail, wrong = evaluate(chosen, embed)
    p, r = pr(total)
    print(f"{CODE}: {total['positives']} positives ({total['skipped']} cases skipped), {total['lookalikes']} look-alikes; "
          f"TP {total['tp']} FN {total['fn']} FP {total['fp']}; precision {p:.3f} recall {r:.3f}  ({time.perf_counter() - t0:.0f} s)")
    for (positive, describe), d in sorted(detail.items(), key=lambda x: (not x[0][0], x[0][1])):
        print(f"  {'pos ' if positive else 'look'} {describe[:66]:<66} n={d['positives'] + d['lookalikes']:>3} "
              f"skip={d['skipped']:>2} TP={d['tp']:>3} FN={d['fn']:>3} FP={d['fp']:>3}")
    for w in wrong:
        print("  " + w)


if __name__ == "__main__":
    main()
