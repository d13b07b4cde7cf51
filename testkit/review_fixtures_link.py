"""Plants along a project's life, on the generated projects of the corpus (testkit/review_fixtures_corpus.py):
declaration → tracking → self-evaluation of 2024, and 2023 → 2024.

The samples have no project filed on two forms by one unit, so these cases are all generated.
"""

from __future__ import annotations

import copy
import random
import re
from typing import Iterator

from testkit import synth
from testkit.review_fixtures import Case
from testkit.review_fixtures_corpus import _case, _index, _renamed, _set_goal, generated_projects, numbers, width
from jixiao.forms.models import Form, Indicator
from jixiao.forms.values import parse_value

LINK = ("link.target_changed", "link.indicator_dropped", "link.indicator_added")
_NUM = re.compile(r"\d+(?:\.\d+)?")
_OTHER_WORD = {"及时": "11月底前", "准确": "基本准确", "规范": "较规范", "合规": "基本合规", "健全": "初步建立", "满足": "基本满足",
               "通过": "已提交验收", "相符": "基本相符", "有效": "基本有效"}


def _changed_target(raw: str) -> str | None:
    """The same indicator promised differently: a number lowered, a word weakened."""
    v = parse_value(raw)
    if v is None:
        return None
    if v.kind == "numeric" and v.number:
        m = _NUM.search(raw)
        n = v.number
        new = n - 5 if v.unit == "%" and n > 50 else (n * 0.8 if n > 1 else n + 1)
        return f"{raw[:m.start()]}{new:.2f}{raw[m.end():]}"
    word = _OTHER_WORD.get(v.word or "")
    return word


def _renotated(raw: str) -> str:
    """The same target in another notation the samples use: ≥95.00(%) → ≥95%, =40.00(班次) → =40(班次), (人) → (名)."""
    v = parse_value(raw)
    if v is None or v.kind != "numeric":
        return raw
    op = "" if v.op == "=" and v.unit == "%" else (v.op or "")
    unit = {"人": "名"}.get(v.unit or "", v.unit or "")
    if unit == "%":
        return f"{op}{v.number:g}%"
    return f"{op} {v.number:g}({unit})" if unit else f"{op}{v.number:g}"


def _rows(form: Form, rng: random.Random, k: int = 2) -> list[int]:
    idx = [i for i, ind in enumerate(form.indicators) if ind.name and ind.target is not None]
    return rng.sample(idx, min(k, len(idx)))


def _subject(form: Form, name: str) -> tuple[str, str]:
    return (f"{form.project_name}：", f"“{name}”")


def along_the_year_cases() -> Iterator[Case]:
    for n, p in enumerate(generated_projects()):
        rng = random.Random(2000 + n)
        for ft in ("tracking", "self_evaluation"):
            form = p[(ft, 2024)]
            k = _index(form)
            for i in _rows(form, rng):
                new = _changed_target(form.indicators[i].target.raw)
                if new:
                    f = copy.deepcopy(form)
                    f.indicators[i].target = parse_value(new)
                    yield _case("link.target_changed", True, f"a target changed on the {ft}", {k: f}, _subject(f, f.indicators[i].name))
                    if ft == "self_evaluation":
                        g = _renamed(f)
                        yield _case("link.target_changed", True, "a target changed, the project renamed on the self-evaluation", {k: g},
                                    _subject(g, g.indicators[i].name))
            for i in _rows(form, rng):
                f = copy.deepcopy(form)
                name = f.indicators.pop(i).name
                yield _case("link.indicator_dropped", True, f"a row dropped on the {ft}", {k: f}, _subject(f, name))
            names = {ind.name for ind in form.indicators}
            for l2 in rng.sample(sorted(synth.VOCAB), 2):
                spare = [v for v in synth.VOCAB[l2] if v[0] not in names]
                if not spare:
                    continue
                name, target = rng.choice(spare)
                l1 = next(a for a, bs in synth.TAXONOMY.items() if l2 in bs)
                f = copy.deepcopy(form)
                f.indicators.append(Indicator(level1=l1, level2=l2, name=name, target=parse_value(target.format(year=2024)),
                                              line=f.indicators[-1].line))
                yield _case("link.indicator_added", True, f"a row added on the {ft}", {k: f}, _subject(f, name))
            # look-alikes, for each of the three codes
            looks = []
            f = copy.deepcopy(form)
            for ind in f.indicators:
                if ind.target is not None:
                    ind.target = parse_value(_renotated(ind.target.raw))
            looks.append(("targets re-written in another notation", f))
            f = copy.deepcopy(form)
            for ind in f.indicators:
                ind.name = width(ind.name) if len(ind.name) > 3 else ind.name
            looks.append(("row names wrapped and in half-width punctuation", f))
            f = copy.deepcopy(form)
            rng.shuffle(f.indicators)
            looks.append(("rows in another order", f))
            looks.append(("the project renamed on one form", _renamed(form)))
            for describe, f in looks:
                for code in LINK:
                    yield _case(code, False, f"{describe} ({ft})", {k: f}, (f"{form.project_name}",))


def _same_table(a: Form, b: Form) -> Form:
    f = copy.deepcopy(b)
    f.indicators = copy.deepcopy(a.indicators)
    for ind, old in zip(f.indicators, b.indicators + [None] * len(f.indicators)):
        if old is not None:
            ind.line = old.line
    return f


def previous_year_cases() -> Iterator[Case]:
    code = "link.copied_from_previous_year"
    for p in generated_projects():
        for ft in ("declaration", "self_evaluation"):
            a, b = p[(ft, 2023)], p[(ft, 2024)]
            k = _index(b)
            goal_subject = (f"{b.project_name}：", "的绩效目标与2023年")
            table_subject = (f"{b.project_name}：", "与2023年完全相同")
            yield _case(code, True, f"last year's goal ({ft})", {k: _set_goal(b, a.goal.expected)}, goal_subject)
            yield _case(code, True, f"last year's goal, punctuation re-typed ({ft})", {k: _set_goal(b, width(a.goal.expected))}, goal_subject)
            yield _case(code, True, f"last year's table, names and targets ({ft})", {k: _same_table(a, b)}, table_subject)
            yield _case(code, True, f"last year's goal and table, the project renamed ({ft})",
                        {k: _renamed(_same_table(a, _set_goal(b, a.goal.expected)))}, (f"{b.project_name}项目：", "与2023年"))
            changed = numbers(a.goal.expected)
            changed = changed[:changed.rfind("，")] + "，并建立健全项目长效管理机制。" if "，" in changed else changed + "并建立健全长效管理机制。"
            yield _case(code, False, f"last year's goal with new numbers and a clause replaced ({ft})", {k: _set_goal(b, changed)},
                        goal_subject)
            f = _same_table(a, b)
            raised = 0
            for ind in f.indicators:
                if ind.target is not None and ind.target.kind == "numeric" and ind.target.number and raised < 2:
                    ind.target = parse_value(numbers(ind.target.raw))
                    raised += 1
            if raised:
                yield _case(code, False, f"last year's rows with targets raised ({ft})", {k: f}, table_subject)
