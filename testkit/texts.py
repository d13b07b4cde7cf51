"""Realistic indicator names and goal sentences, recombined from the shipped samples' vocabulary.

Indicator names are split into an object and a measure at the measure words units use
(…完成率, …满意度, …及时性, …数量 …) and recombined with other objects and with the prefixes forms
use (区级, 年度, 社区 …). Goal texts are recombined from the samples' goal clauses, with their
numbers varied. The space is large enough for a million mostly distinct texts.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MEASURES = ["完成率", "满意度", "及时性", "准确率", "准确性", "覆盖率", "知晓率", "合格率", "通过率", "达标率",
            "规范性", "有效性", "完成及时性", "建设数量", "数量", "次数", "人次", "执行率", "稳定率", "使用率",
            "提升情况", "建立情况", "健全性", "合规性", "相符性", "到位率", "解决率", "发放率", "参与率", "开展情况"]
PREFIXES = ["", "", "", "区级", "年度", "全区", "社区", "街镇", "重点", "全年", "本单位", "各类", "市级", "专项",
            "新增", "日常", "线上", "线下", "基层", "综合"]
_NUM = re.compile(r"\d+(?:\.\d+)?")


@lru_cache(maxsize=1)
def vocabulary() -> tuple[list[str], list[str], list[str]]:
    from jixiao.forms import parse_file

    names, clauses, goals = set(), set(), set()
    for f in sorted(EXAMPLES.glob("*.txt")):
        for form in parse_file(f).forms:
            names.update(i.name for i in form.indicators if i.name)
            for text in (form.goal.expected, form.goal.actual, form.goal.annual, form.goal.overall):
                if text:
                    goals.add(text)
                    clauses.update(c for c in re.split(r"[，,。；;]", text) if 4 <= len(c) <= 40)
    objects = set()
    for n in names:
        for m in MEASURES:
            if n.endswith(m) and len(n) > len(m) + 1:
                objects.add(n[: -len(m)])
                break
        else:
            objects.add(n)
    return sorted(objects), sorted(clauses), sorted(goals)


def _indicator(rng: random.Random, objects: list[str]) -> str:
    obj = rng.choice(objects)
    if rng.random() < 0.35:  # compound objects, as forms write them: 仲裁文书印刷及寄送完成率
        obj = f"{obj}及{rng.choice(objects)[:6]}"
    return rng.choice(PREFIXES) + obj + rng.choice(MEASURES)


def indicator_texts(n: int, seed: int = 0) -> list[str]:
    objects, _, _ = vocabulary()
    rng = random.Random(seed)
    return [_indicator(rng, objects) for _ in range(n)]


def goal_texts(n: int, seed: int = 0) -> list[str]:
    _, clauses, _ = vocabulary()
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = rng.sample(clauses, rng.randint(2, 4))
        text = "，".join(parts) + "。"
        out.append(_NUM.sub(lambda m: str(rng.randint(1, 3000)) if "." not in m.group(0) else f"{rng.uniform(50, 100):.2f}", text))
    return out


def mixed_texts(n: int, seed: int = 0, unique: bool = True) -> list[str]:
    """Two indicator names for each goal text, roughly the corpus's proportion; distinct if `unique`."""
    k = n // 3
    texts = indicator_texts(n - k, seed) + goal_texts(k, seed + 1)
    if unique:
        seen: set[str] = set()
        texts = [t for t in texts if not (t in seen or seen.add(t))]
        extra = seed + 100
        while len(texts) < n:
            for t in goal_texts(n - len(texts), extra):
                if t not in seen:
                    seen.add(t)
                    texts.append(t)
            extra += 1
        texts = texts[:n]
    random.Random(seed + 2).shuffle(texts)
    return texts
