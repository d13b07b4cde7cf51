"""The review of the shipped samples gives the same findings (by id) when the exports carry the noise
real exports do (testkit/noise.py: wrapped cells, shifted columns, half-width punctuation, thousands
separators, page breaks, stray label fragments, markup …), all kinds at once. The per-kind numbers
are printed by bench/review_noise.py."""

from __future__ import annotations

import random

import pytest

from bench.eval_review import MemoEmbed
from testkit.noise import apply_all
from bench.review_noise import compare, reviewed
from testkit.samples import sample_texts


@pytest.mark.parametrize("seed", [0, 1])
def test_findings_survive_export_noise(seed):
    embed = MemoEmbed()
    texts = sample_texts()
    clean = reviewed(texts, embed)
    rng = random.Random(seed)
    noisy_texts = {name: apply_all(text, rng) for name, text in texts.items()}
    assert noisy_texts != texts
    kept, lost, added = compare(clean, reviewed(noisy_texts, embed))
    assert len(clean) > 50 and kept == len(clean)
    assert not lost, [f.message for f in lost]
    assert not added, [f.message for f in added]
