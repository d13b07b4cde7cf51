"""The review under export noise: do the samples' findings survive the ways real exports differ?

    python bench/review_noise.py [--seeds 3]

Each shipped sample is rewritten with each kind of meaning-preserving noise of testkit/noise.py (wrapped
cells, shifted columns, half-width punctuation, thousands separators, page breaks that repeat or split
a row, stray label fragments, markup, the name above its row …) and with all of them at once; the
noisy text is parsed and the three files are reviewed together, as the clean ones are. A finding is
the same finding when its id is (ids come from what a finding is about, not from line numbers).

Prints, per kind of noise: the clean run's findings kept, those lost, and findings the clean run does
not have (spurious), with the codes involved; then a few examples of each. The noise keeps every form,
name, row and number a careful reader sees, so every lost or added finding is the tool's doing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.eval_review import MemoEmbed  # noqa: E402
from testkit.noise import NOISES, apply_all  # noqa: E402
from testkit.samples import sample_texts  # noqa: E402
from jixiao.forms import parse_text  # noqa: E402
from jixiao.review.engine import review  # noqa: E402


def reviewed(texts: dict[str, str], embed) -> dict[str, object]:
    """Finding id → finding, for the files' texts parsed and reviewed together."""
    forms = [f for name, text in texts.items() for f in parse_text(text, name).forms]
    return {f.id: f for f in review(forms, embed=embed).flags}


def compare(clean: dict, noisy: dict) -> tuple[int, list, list]:
    kept = len(clean.keys() & noisy.keys())
    lost = [clean[k] for k in clean.keys() - noisy.keys()]
    added = [noisy[k] for k in noisy.keys() - clean.keys()]
    return kept, lost, added


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--examples", type=int, default=3, help="lost and added findings shown per kind of noise")
    args = ap.parse_args()
    t0 = time.perf_counter()
    embed = MemoEmbed()
    texts = sample_texts()
    clean = reviewed(texts, embed)
    print(f"clean: {len(clean)} findings on {len(texts)} files")
    print(f"{'noise':<24} {'runs':>4} {'kept':>6} {'lost':>5} {'added':>5}  codes lost / added")
    totals = Counter()
    shown = []
    for kind, noise in list(NOISES.items()) + [("all at once", apply_all)]:
        kept = lost_n = added_n = 0
        lost_codes, added_codes = Counter(), Counter()
        for seed in range(args.seeds):
            rng = random.Random(seed)
            noisy = reviewed({name: noise(text, rng) for name, text in texts.items()}, embed)
            k, lost, added = compare(clean, noisy)
            kept, lost_n, added_n = kept + k, lost_n + len(lost), added_n + len(added)
            lost_codes.update(f.code for f in lost)
            added_codes.update(f.code for f in added)
            shown += [(kind, "lost", f) for f in lost[:args.examples]] + [(kind, "added", f) for f in added[:args.examples]]
        runs = args.seeds * len(clean)
        totals.update(kept=kept, runs=runs, lost=lost_n, added=added_n)
        codes = " / ".join(", ".join(f"{c} {n}" for c, n in x.most_common(3)) or "-" for x in (lost_codes, added_codes))
        print(f"{kind:<24} {args.seeds:>4} {kept / runs:>6.1%} {lost_n:>5} {added_n:>5}  {codes}")
    print(f"{'total':<24} {'':>4} {totals['kept'] / totals['runs']:>6.1%} {totals['lost']:>5} {totals['added']:>5}"
          f"  ({time.perf_counter() - t0:.0f} s)")
    for kind, what, f in shown[:40]:
        print(f"  {kind}: {what} {f.code} — {f.message[:110]}")


if __name__ == "__main__":
    main()
