"""Precision and recall per review code: labelled real findings, planted findings and look-alikes.

    python bench/eval_review.py            # the table per code
    python bench/eval_review.py --detail   # and a line per kind of plant (what misses, what over-fires)

Three sources of cases:
- real: the samples' findings that DOMAIN.md names, and the others a reviewer labelled
  (testkit/review_real.py); the review runs once on all sample forms.
- samples / generated: one precise change to one form, a real sample form or a generated one
  (testkit/review_fixtures.py, testkit/review_fixtures_goal.py, testkit/review_fixtures_more.py). For
  indicator.misplaced, which compares a row with the rows of other projects, the form is changed
  inside the corpus below and the whole corpus reviewed.
- corpus: a change across a corpus of the samples and ten generated projects
  (testkit/review_fixtures_corpus.py; a project's forms along the year and across years: testkit/review_fixtures_link.py).

Counting. For planted cases the review runs on the unchanged and the changed forms; only new
findings count (ids the unchanged forms did not produce). A positive is a TP if a new finding of its
code names the planted subject, an FN otherwise; every other new finding of that code is an FP, and
so is every new finding of the code on a look-alike. A case whose subject the unchanged forms
already report is skipped (it cannot be told apart). For the real set, a labelled finding is a TP if
the review reports it and an FN if not; a reported finding labelled false is an FP; reported
findings nobody labelled are counted apart ("unlabelled") and stay out of precision.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from testkit.review_fixtures import PLANTS, form_cases, names, sample_forms  # noqa: E402
from testkit.review_fixtures_corpus import boilerplate_cases, in_corpus_cases, project_mismatch_cases, table_cases  # noqa: E402
from testkit.review_fixtures_link import along_the_year_cases, previous_year_cases  # noqa: E402
from testkit.review_fixtures_goal import PLANTS as GOAL_PLANTS  # noqa: E402
from testkit.review_fixtures_more import PLANTS as MORE_PLANTS  # noqa: E402
# Issue 11's substantive codes: plants, look-alikes and labels of the samples' real findings, each
# written before its check's thresholds were chosen.
from testkit.review_fixtures_execution import PLANTS as EXECUTION_PLANTS, REAL_LABELS as EXECUTION_LABELS  # noqa: E402
from testkit.review_fixtures_rows import PLANTS as ROWS_PLANTS, REAL_LABELS as ROWS_LABELS, rows_corpus_cases  # noqa: E402
from testkit.review_fixtures_text import PLANTS as TEXT_PLANTS, REAL_LABELS as TEXT_LABELS  # noqa: E402
from testkit.review_real import LABELS as BASE_LABELS, matches  # noqa: E402
from jixiao.review.engine import default_embed, review  # noqa: E402


LABELS = BASE_LABELS + EXECUTION_LABELS + ROWS_LABELS + TEXT_LABELS


class MemoEmbed:
    """The real embedding model, each distinct text embedded once per run."""

    def __init__(self, embed=default_embed):
        self.embed, self.cache = embed, {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            for t, v in zip(missing, np.asarray(self.embed(missing), dtype=np.float32)):
                self.cache[t] = v
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])


def _texts(form) -> list[str]:
    g = form.goal
    return [t for t in (g.expected, g.actual, g.overall, g.annual, form.project_name) if t] + [i.name for i in form.indicators if i.name]


def prewarmed(cases, embed: MemoEmbed, chunk: int = 400):
    """The cases, the new texts of their changed corpora embedded a chunk of cases at a time (one
    model call for many texts instead of one per case: the same vectors, a much shorter run)."""
    buf: list = []

    def flush():
        texts = {t for c in buf if len(c.base) > 1 for b, f in zip(c.base, c.changed) if f is not b for t in _texts(f)}
        embed(sorted(t for t in texts if t not in embed.cache))
        yield from buf
        buf.clear()

    for c in cases:
        buf.append(c)
        if len(buf) >= chunk:
            yield from flush()
    yield from flush()


def _stats() -> dict:
    return {"tp": 0, "fn": 0, "fp": 0, "positives": 0, "lookalikes": 0, "skipped": 0, "sources": set()}


def evaluate_cases(cases, embed=None, stats=None, detail=None) -> dict[str, dict]:
    embed = embed or MemoEmbed()
    stats = stats if stats is not None else defaultdict(_stats)
    base_cache: dict[tuple[str, str], list] = {}
    for case in cases:
        key = (case.base_key, case.code)
        if key not in base_cache:
            base_cache[key] = review(case.base, only=[case.code], embed=embed).flags
        before = base_cache[key]
        s = stats[case.code]
        d = detail[(case.code, case.positive, case.describe)] if detail is not None else _stats()
        if any(names(f, case.subject) for f in before):
            s["skipped"] += 1  # the unchanged forms already have this finding here: a plant cannot be told apart
            d["skipped"] += 1
            continue
        old = {b.id for b in before}
        new = [f for f in review(case.changed, only=[case.code], embed=embed).flags if f.id not in old]
        for x in (s, d):
            x["sources"].add(case.source)
            if case.positive:
                x["positives"] += 1
                hit = [f for f in new if names(f, case.subject)]
                x["tp" if hit else "fn"] += 1
                x["fp"] += len(new) - len(hit)
            else:
                x["lookalikes"] += 1
                x["fp"] += len(new)
    return stats


def evaluate_real(embed=None, stats=None) -> dict[str, dict]:
    """The labelled findings of the samples against one review of all sample forms."""
    stats = stats if stats is not None else defaultdict(_stats)
    flags = review(sample_forms(), embed=embed or MemoEmbed()).flags
    for lab in LABELS:
        s = stats[lab.code]
        hits = [f for f in flags if matches(lab, f)]
        if lab.truth is True:
            s["sources"].add("real")
            s["real"] = s.get("real", 0) + 1
            s["positives"] += 1
            s["tp" if hits else "fn"] += 1
            if not hits:
                s.setdefault("missed", []).append(str(lab))
                if lab.domain:
                    s.setdefault("missed_domain", []).append(str(lab))
        elif lab.truth is False:
            s["fp"] += len(hits)
            s.setdefault("false", []).extend(str(lab) for _ in hits)
    for f in flags:  # reported, but nobody labelled it (or the label says "uncertain"): out of precision
        if all(lab.truth is None for lab in LABELS if matches(lab, f)):
            stats[f.code]["unlabelled"] = stats[f.code].get("unlabelled", 0) + 1
    return stats


def whole_report(flags=None, embed=None) -> dict:
    """The review of the samples as a reviewer reads it: each reported finding labelled true, false,
    debatable, or not labelled at all; precision = true / (true + false)."""
    flags = flags if flags is not None else review(sample_forms(), embed=embed or MemoEmbed()).flags
    out = {"reported": len(flags), "true": 0, "false": 0, "debatable": 0, "unlabelled": 0}
    for f in flags:
        truths = {lab.truth for lab in LABELS if matches(lab, f)}
        key = "true" if True in truths else "false" if False in truths else "debatable" if truths else "unlabelled"
        out[key] += 1
    out["precision"] = round(out["true"] / (out["true"] + out["false"]), 3) if out["true"] + out["false"] else None
    return out


IN_CORPUS = {"indicator.misplaced"}  # checks that compare a form's rows with other projects' rows


def all_cases(n_generated: int = 60, every: int = 1):
    """Every case; `every` > 1 keeps one corpus case in `every` of each kind (the regression test's quicker run)."""
    plants = PLANTS + GOAL_PLANTS + MORE_PLANTS + EXECUTION_PLANTS + ROWS_PLANTS + TEXT_PLANTS
    yield from form_cases([p for p in plants if p.code not in IN_CORPUS], n_generated)
    corpus_cases = [lambda: in_corpus_cases([p for p in plants if p.code in IN_CORPUS]),
                    boilerplate_cases, project_mismatch_cases, table_cases, along_the_year_cases, previous_year_cases,
                    rows_corpus_cases]
    seen: dict[tuple, int] = defaultdict(int)
    for cases in corpus_cases:
        for c in cases():
            kind = (c.code, c.positive, c.describe)
            seen[kind] += 1
            if (seen[kind] - 1) % every == 0:  # one in `every` of each kind of plant
                yield c



def evaluate(n_generated: int = 60, every: int = 1, detail=None) -> dict[str, dict]:
    embed = MemoEmbed()
    stats = evaluate_real(embed)
    return evaluate_cases(prewarmed(all_cases(n_generated, every), embed), embed, stats, detail)


def pr(s: dict) -> tuple[float, float]:
    p = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 1.0
    r = s["tp"] / (s["tp"] + s["fn"]) if s["tp"] + s["fn"] else 1.0
    return p, r


def table(stats: dict, codes: list[str] | None = None) -> str:
    order = ["real", "samples", "generated", "corpus"]
    head = (f"{'code':<36} {'planted':>7} {'of them real':>12} {'look-alikes':>11} {'skipped':>7} {'TP':>5} {'FN':>4} {'FP':>4} "
            f"{'precision':>9} {'recall':>6}  {'unlabelled real':>15}  sources")
    lines = [head]
    for code in codes or sorted(stats):
        s = stats.get(code)
        if s is None:
            lines.append(f"{code:<36} (no cases)")
            continue
        p, r = pr(s)
        src = "+".join(x for x in order if x in s["sources"])
        lines.append(f"{code:<36} {s['positives']:>7} {s.get('real', 0):>12} {s['lookalikes']:>11} {s['skipped']:>7} {s['tp']:>5} "
                     f"{s['fn']:>4} {s['fp']:>4} {p:>9.3f} {r:>6.3f}  {s.get('unlabelled', 0):>15}  {src}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--detail", action="store_true", help="also a line per kind of plant")
    ap.add_argument("--generated", type=int, default=60, help="generated forms for the within-form plants")
    args = ap.parse_args()
    from jixiao.review.catalogue import all_codes

    t0 = time.perf_counter()
    detail = defaultdict(_stats) if args.detail else None
    stats = evaluate(args.generated, 1, detail)
    print(table(stats, all_codes()))
    worst = min(min(pr(s)) for s in stats.values())
    print(f"lowest precision or recall: {worst:.3f} (aim ≥ 0.9); {time.perf_counter() - t0:.0f} s")
    w = whole_report()
    print(f"whole report on the samples: {w['reported']} findings, {w['true']} labelled true, {w['false']} false, "
          f"{w['debatable']} debatable, {w['unlabelled']} unlabelled; precision {w['precision']}")
    missed = [(c, m) for c, s in sorted(stats.items()) for m in s.get("missed", [])]
    if missed:
        print("\nreal findings missed:")
        for c, m in missed:
            print(f"  {c}: {m}")
    if detail is not None:
        print(f"\n{'code':<36} {'kind':<4} {'plant':<62} {'n':>4} {'skip':>4} {'TP':>4} {'FN':>4} {'FP':>4}  sources")
        for (code, positive, describe), d in sorted(detail.items(), key=lambda x: (x[0][0], not x[0][1], x[0][2])):
            n = d["positives"] + d["lookalikes"]
            print(f"{code:<36} {'pos' if positive else 'look':<4} {describe[:62]:<62} {n:>4} {d['skipped']:>4} {d['tp']:>4} "
                  f"{d['fn']:>4} {d['fp']:>4}  {'+'.join(sorted(d['sources']))}")


if __name__ == "__main__":
    main()
