"""Precision and recall per review code on the labelled fixture set (bench/eval_review.py) stay at
the aim (≥ 0.9), or, for the codes that fall short, at the floor measured (bench/RESULTS.md, "Review").

The test runs the review for real on a third of each kind of corpus plant and 24 generated forms
(about 25 s); `python bench/eval_review.py` runs the whole set.
"""

from bench.eval_review import evaluate, pr
from jixiao.review.catalogue import all_codes

AIM = 0.9
# (precision, recall) floors of the codes at or below the aim, a little under what the whole set measures.
FLOORS = {
    # Goal vs project name and table (checks_project_mismatch.py; full set: P 0.97, R 0.90, one goal
    # above the aim): a goal pasted from a project outside the corpus, whose topic no other project
    # has, cannot be told from a generic goal (4 of 10 missed). The floor leaves room for one
    # borderline fit to move with another machine's floating point.
    "goal.project_mismatch": (0.9, 0.85),
}


def test_planted_and_real_findings_precision_recall():
    stats = evaluate(n_generated=24, every=3)
    assert set(all_codes()) <= set(stats), set(all_codes()) - set(stats)  # every code has cases
    for code, s in stats.items():
        assert s["positives"] >= 10 and s["lookalikes"] >= 10, (code, s)  # enough cases to mean something
        assert not s.get("missed_domain"), (code, s["missed_domain"])  # DOMAIN.md's real examples are all found
        precision, recall = pr(s)
        p_min, r_min = FLOORS.get(code, (AIM, AIM))
        assert precision >= p_min and recall >= r_min, (code, round(precision, 3), round(recall, 3), s)
