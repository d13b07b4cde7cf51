"""The parser reads noisy exports of the real samples exactly as it reads the clean ones.

Every transform in testkit.noise is meaning-preserving (see its docstrings), so any difference
between the clean and the noisy reading is a parser failure.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from testkit.compare import assert_same_forms, form_summary
from testkit.noise import NOISES, apply_all, to_gb18030
from jixiao.forms import parse_file, parse_text

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FILES = sorted(p.name for p in EXAMPLES.glob("*.txt"))
KINDS = {**NOISES, "all": apply_all}
SEEDS = (0, 1, 2)


def _text(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


def _summaries(text: str) -> list[dict]:
    return [form_summary(f) for f in parse_text(text).forms]


@pytest.fixture(scope="module")
def clean():
    return {name: _summaries(_text(name)) for name in FILES}


def test_samples_are_there(clean):
    # 11 declarations, 4 tracking forms, 24 self-evaluations: the baseline the noisy reads are held to.
    assert {name: len(forms) for name, forms in clean.items()} == {
        "minhang_2024_declaration.txt": 11, "minhang_2024_tracking.txt": 4, "putuo_2024_self_evaluation.txt": 24}


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: f"seed{s}")
@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("name", FILES, ids=lambda n: n.split("_")[-1].removesuffix(".txt"))
def test_noisy_sample_reads_like_clean(clean, name, kind, seed):
    noisy = KINDS[kind](_text(name), random.Random(seed))
    assert_same_forms(clean[name], _summaries(noisy), f"{name} + {kind} (seed {seed})")


@pytest.mark.parametrize("kind", list(NOISES))
def test_each_noise_changes_the_samples(kind):
    # A transform that silently does nothing would make its tests above pass vacuously.
    changed = [name for name in FILES if NOISES[kind](_text(name), random.Random(0)) != _text(name)]
    assert changed, f"{kind} left every sample unchanged"


def test_noise_is_deterministic():
    text = _text("putuo_2024_self_evaluation.txt")
    assert apply_all(text, random.Random(5)) == apply_all(text, random.Random(5))
    assert apply_all(text, random.Random(5)) != apply_all(text, random.Random(6))


@pytest.mark.parametrize("name", FILES, ids=lambda n: n.split("_")[-1].removesuffix(".txt"))
def test_gb18030_file(clean, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(to_gb18030(_text(name)))
    result = parse_file(path)
    assert result.encoding == "gb18030"
    assert_same_forms(clean[name], [form_summary(f) for f in result.forms], f"{name} as GB18030")
