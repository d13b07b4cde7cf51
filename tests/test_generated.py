"""Generated forms of other years and districts than the samples, read against their ground truth.

testkit.synth writes forms of all three types in the samples' export layout, recombining the
samples' vocabulary, and knows what each form says; testkit.noise then adds export noise that does
not change that meaning.
"""

from __future__ import annotations

import random

import pytest

from testkit.compare import assert_same_forms, form_summary, truth_summary
from testkit.noise import NOISES, apply_all
from testkit.synth import DISTRICTS, FORM_TYPES, generate_corpus, grade_of
from jixiao.forms import parse_text

YEARS = (2021, 2022, 2023, 2025, 2026)  # not the samples' 2024
SAMPLE_DISTRICTS = ("闵行区", "普陀区")
OTHER_DISTRICTS = tuple(d for d in DISTRICTS if d not in SAMPLE_DISTRICTS)
N = 50
KINDS = {"clean": None, **NOISES, "all": apply_all}


@pytest.fixture(scope="module", params=FORM_TYPES)
def corpus(request):
    seed = FORM_TYPES.index(request.param)
    return request.param, generate_corpus(N, seed=seed, form_types=(request.param,), years=YEARS,
                                          districts=OTHER_DISTRICTS)


def test_ground_truth_is_what_was_asked_and_adds_up(corpus):
    form_type, forms = corpus
    assert len(forms) == N
    for text, t in forms:
        assert t.form_type == form_type and t.year in YEARS and t.indicators
        assert not any(d in text for d in SAMPLE_DISTRICTS), t.project_name
        assert t.unit.startswith("上海市") and t.project_name in text
        if form_type == "self_evaluation":
            total = t.funds_total["score"] + sum(i.score for i in t.indicators)
            assert total == pytest.approx(t.total_score, abs=1e-9), t.project_name
            assert sum(i.weight for i in t.indicators) + t.funds_total["weight"] == 100
            assert t.grade == grade_of(t.total_score)
    assert len({t.year for _, t in forms}) > 1 and len({t.unit for _, t in forms}) > 5


@pytest.mark.parametrize("kind", list(KINDS))
def test_generated_forms_read_as_generated(corpus, kind):
    form_type, forms = corpus
    noise = KINDS[kind]
    rng = random.Random(100 + FORM_TYPES.index(form_type))
    text = "".join(noise(t, rng) if noise else t for t, _ in forms)
    got = [form_summary(f) for f in parse_text(text, file=f"{form_type}-{kind}").forms]
    assert_same_forms([truth_summary(t) for _, t in forms], got, f"{N} generated {form_type} forms + {kind}")
