"""Precision and recall per code on planted findings and look-alikes stay at the aim (≥ 0.9)."""

from bench.eval_review import evaluate


def test_planted_findings_precision_recall():
    stats = evaluate()
    assert len(stats) >= 12
    for code, s in stats.items():
        assert s["positives"] >= 15 and s["lookalikes"] >= 15, code  # enough cases to mean something
        precision = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 1.0
        recall = s["tp"] / (s["tp"] + s["fn"])
        assert precision >= 0.9 and recall >= 0.9, (code, s)
