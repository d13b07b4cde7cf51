"""Planted findings and clean look-alikes on single forms, for precision and recall per code.

Each plant takes one parsed form — a real sample form (examples/) or a generated one
(testkit/synth.py, parsed from its text) — and changes it in one precise way: a positive plants a
finding of its code on a known subject; a look-alike makes a confusable but legitimate change
(a rewritten result, a zero complaints target, a deviation that explains a lost point …). The
review then runs on the changed form; only findings that the unchanged form did not already have
count, so the forms' own findings neither help nor hurt.

This file holds the plants of the first twelve codes; testkit/review_fixtures_goal.py and
testkit/review_fixtures_more.py the other within-form codes; testkit/review_fixtures_corpus.py and
testkit/review_fixtures_link.py the corpus codes; testkit/review_real.py the labelled real findings of
the samples.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from testkit.synth import generate_corpus
from jixiao.forms import parse_file, parse_text
from jixiao.forms.models import Form, FormType, Value
from jixiao.forms.values import parse_value
from jixiao.review.evidence import shortfall

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# Generated forms come from districts the samples do not (闵行, 普陀), so no unit is shared with them.
GENERATED_DISTRICTS = ("嘉定区", "松江区", "青浦区", "奉贤区", "金山区", "崇明区", "宝山区", "杨浦区")


@dataclass
class Plant:
    code: str
    positive: bool  # False: a look-alike that must not raise `code`
    describe: str
    apply: Callable[[Form], str | None]  # changes the form in place; returns the subject text, or None if not applicable


@dataclass
class Case:
    """One review before and after a plant: `base` and `changed` are the forms reviewed."""

    code: str
    positive: bool
    describe: str
    source: str  # "samples", "generated" (one form changed) or "corpus" (a corpus, forms changed across it)
    base_key: str  # forms with the same key share one review of `base`
    base: list[Form]
    changed: list[Form]
    subject: str | tuple[str, ...]  # what a finding must name (every string of a tuple)


def names(finding, subject: str | tuple[str, ...]) -> bool:
    """The finding names the subject (every string of a tuple) in its message or its evidence."""
    texts = [finding.message] + [e.text or "" for e in finding.evidence] + [e.label for e in finding.evidence]
    wanted = (subject,) if isinstance(subject, str) else subject
    return all(any(s in t for t in texts) for s in wanted)


def sample_forms() -> list[Form]:
    return [f for p in sorted(EXAMPLES.glob("*.txt")) for f in parse_file(p).forms]


@lru_cache(maxsize=4)
def generated_forms(n: int = 60, seed: int = 11) -> tuple[Form, ...]:
    """`n` generated forms (declaration, tracking, self-evaluation in turn), parsed from their text."""
    return tuple(f for i, (text, _) in enumerate(generate_corpus(n, seed, districts=GENERATED_DISTRICTS))
                 for f in parse_text(text, f"generated-{i:03d}.txt").forms)


def rng_for(form: Form, salt: str = "") -> random.Random:
    """A random source fixed by the form (and the plant), so every run plants the same thing."""
    return random.Random(f"{form.source.file}:{form.source.first_line}:{salt}")


def _rows(form: Form, pred) -> list:
    return [i for i in form.indicators if i.name and pred(i)]


def _v(raw: str) -> Value:
    return parse_value(raw)


def _first(rows):
    return rows[0] if rows else None


# --- goal ---------------------------------------------------------------------------------------

def copy_actual(form: Form) -> str | None:
    if form.form_type == FormType.declaration or not form.goal.expected or len(form.goal.expected) < 30:
        return None
    form.goal.actual = form.goal.expected.rstrip("。") + "，全面完成年度任务。"
    return form.project_name


def rewrite_actual(form: Form) -> str | None:
    if form.form_type == FormType.declaration or not form.goal.expected:
        return None
    form.goal.actual = "全年工作按计划推进，各项任务均已落实，服务对象反映良好，资金使用规范，达到了预期效果。"
    return form.project_name


def drop_expected(form: Form) -> str | None:
    if form.form_type == FormType.declaration or not form.goal.expected:
        return None
    form.goal.expected = None
    return form.project_name


def short_expected(form: Form) -> str | None:
    if form.form_type == FormType.declaration or not form.goal.expected:
        return None
    form.goal.expected = "保障工作正常开展。"
    return form.project_name


def restate_wrong_target(form: Form, right: bool = False) -> str | None:
    if form.form_type == FormType.declaration or not form.goal.expected:
        return None
    form.goal.expected = form.goal.expected.rstrip("。") + "，全年培训人员达1200人。"
    n = 1200 if right else 1500
    form.goal.actual = (form.goal.actual or "").rstrip("。") + f"，全年培训人员1350人，完成指标数（{n}人）的112.50%。"
    return form.project_name


# --- indicators ---------------------------------------------------------------------------------

def rate_in_count_unit(form: Form) -> str | None:
    ind = _first(_rows(form, lambda i: i.name.endswith("率") and i.target and i.target.unit == "%"))
    if ind is None:
        return None
    ind.target = _v("=350.00(人次)")
    return ind.name


def rate_in_percent(form: Form) -> str | None:
    ind = _first(_rows(form, lambda i: i.name.endswith("率") and i.target and i.target.kind == "numeric"))
    if ind is None:
        return None
    ind.target = _v("≥95.00(%)")
    return ind.name


def target_zero_floor(form: Form) -> str | None:
    ind = _first(_rows(form, lambda i: i.target and i.target.kind == "numeric" and i.target.unit == "%"))
    if ind is None:
        return None
    ind.target = _v("≥0.00(%)")
    return ind.name


def zero_complaints(form: Form) -> str | None:
    ind = _first(_rows(form, lambda i: i.target and i.target.kind == "numeric"))
    if ind is None:
        return None
    ind.name, ind.target = "有效投诉数量", _v("=0.00(起)")
    if ind.actual is not None:
        ind.actual = _v("0.00(起)")
    return ind.name


def number_for_word(form: Form) -> str | None:
    ind = _first(_rows(form, lambda i: i.target and i.target.kind == "qualitative" and i.actual is not None
                       and i.target.word not in ("提升", "提高")))
    if ind is None:
        return None
    ind.actual = _v("3.00")
    return ind.name


def reached_for_word(form: Form) -> str | None:
    ind = _first(_rows(form, lambda i: i.target and i.target.kind == "qualitative" and i.actual is not None))
    if ind is None:
        return None
    ind.actual = _v("达成指标") if form.form_type == FormType.self_evaluation else _v(ind.target.raw)
    return ind.name


def _scored(form: Form):
    return _first(_rows(form, lambda i: i.weight and i.score is not None and i.score == i.weight))


def not_done_full_points(form: Form) -> str | None:
    ind = _scored(form)
    if ind is None:
        return None
    ind.deviation = "受机构调整影响，该项工作尚未开展。"
    return ind.name


def not_done_points_lost(form: Form) -> str | None:
    ind = _scored(form)
    if ind is None:
        return None
    ind.deviation = "受机构调整影响，该项工作尚未开展。"
    ind.score = round(ind.weight / 2, 2)
    ind.actual = _v("部分达成指标并具有一定效果")
    return ind.name


def lost_points_silently(form: Form) -> str | None:
    """A point lost on a row whose actual meets its target (the usual rate × weight scoring), no text."""
    ind = _first(_rows(form, lambda i: i.weight and i.score is not None and i.score == i.weight
                       and shortfall(i.target, i.actual) is False))
    if ind is None:
        return None
    ind.score = round(ind.weight - 1, 2)
    ind.deviation = None
    return ind.name


def missed_silently(form: Form) -> str | None:
    """A numeric target missed (four fifths of it done), a point lost, and no deviation text."""
    ind = _first(_rows(form, lambda i: i.weight and i.score is not None and i.score == i.weight and i.target is not None
                       and i.target.kind == "numeric" and i.target.op in (None, "=", "≥") and (i.target.number or 0) >= 5))
    if ind is None:
        return None
    t = ind.target
    ind.actual = _v(f"{round(t.number * 0.8, 2):.2f}" + (f"({t.unit})" if t.unit else ""))
    ind.score = round(ind.weight - 1, 2)
    ind.deviation = None
    return ind.name


def lost_points_explained(form: Form) -> str | None:
    ind = _scored(form)
    if ind is None:
        return None
    ind.score = round(ind.weight - 1, 2)
    ind.deviation = "部分工作因场地调整延期，已于次年一季度完成。"
    return ind.name


def score_above_weight(form: Form) -> str | None:
    ind = _scored(form)
    if ind is None:
        return None
    ind.score = ind.weight + 2
    return ind.name


# --- scores and funds ---------------------------------------------------------------------------

def total_off(form: Form) -> str | None:
    if form.total_score is None:
        return None
    form.total_score = round(form.total_score + 1.5, 2)
    return form.project_name


def scores_moved(form: Form) -> str | None:
    """Points moved from one row to another: the total still adds up."""
    rows = _rows(form, lambda i: i.weight and i.score is not None and i.score >= 1)
    if form.total_score is None or len(rows) < 2:
        return None
    rows[0].score, rows[1].score = rows[0].score - 1, rows[1].score + 1
    rows[1].weight = rows[1].weight + 1
    return form.project_name


def wrong_grade(form: Form) -> str | None:
    if form.total_score is None or not form.grade:
        return None
    form.grade = "良" if form.total_score >= 90 else "优"
    return form.project_name


def boundary_grade(form: Form) -> str | None:
    if form.total_score is None:
        return None
    delta = 90.0 - form.total_score
    form.total_score, form.grade = 90.0, "优"
    if form.funds and form.funds.score is not None:
        form.funds.score = round(form.funds.score + delta, 2)
    return form.project_name


def _total_row(form: Form):
    return next((r for r in form.funds.rows if r.key == "total"), None) if form.funds else None


def rate_off(form: Form) -> str | None:
    row = _total_row(form)
    if row is None or "execution_rate" not in row.values or not row.values.get("spent") or row.values["spent"].value in (None, 0):
        return None
    v = row.values["execution_rate"]
    v.value = round(v.value - 7.0, 2)
    v.raw = f"{v.value:.2f}"
    return row.item


def rate_rounded(form: Form) -> str | None:
    """The rate written with one decimal less: still right."""
    row = _total_row(form)
    if row is None or "execution_rate" not in row.values or row.values["execution_rate"].value is None:
        return None
    v = row.values["execution_rate"]
    v.raw = f"{v.value:.2f}"
    return row.item


PLANTS = [
    Plant("goal.actual_copies_expected", True, "actual = the promise plus a closing clause", copy_actual),
    Plant("goal.actual_copies_expected", False, "actual rewritten in other words", rewrite_actual),
    Plant("goal.missing", True, "expected goal removed", drop_expected),
    Plant("goal.missing", False, "a short but present goal", short_expected),
    Plant("goal.numbers_mismatch", True, "result restates 1500 人 for a promise of 1200 人", restate_wrong_target),
    Plant("goal.numbers_mismatch", False, "result restates the promised 1200 人",
          lambda f: restate_wrong_target(f, right=True)),
    Plant("indicator.unit_mismatch", True, "a rate measured in 人次", rate_in_count_unit),
    Plant("indicator.unit_mismatch", False, "a rate measured in %", rate_in_percent),
    Plant("indicator.vacuous_target", True, "≥0.00(%)", target_zero_floor),
    Plant("indicator.vacuous_target", False, "zero complaints target", zero_complaints),
    Plant("indicator.value_type_mismatch", True, "a number reported for a qualitative target", number_for_word),
    Plant("indicator.value_type_mismatch", False, "达成指标 / the same word reported", reached_for_word),
    Plant("indicator.deviation_contradiction", True, "尚未开展 with full points", not_done_full_points),
    Plant("indicator.deviation_contradiction", False, "尚未开展 with half the points", not_done_points_lost),
    # Issue 11: a point lost while the target was met is the usual rate × weight scoring, not a missing
    # reason (99.29% against ≥90%); the plant that lost a point silently is now a look-alike.
    Plant("indicator.missing_deviation_reason", False, "a point lost, target met, no reason", lost_points_silently),
    Plant("indicator.missing_deviation_reason", True, "a target missed and a point lost, no reason", missed_silently),
    Plant("indicator.missing_deviation_reason", False, "a point lost, reason given", lost_points_explained),
    Plant("indicator.score_inconsistent", True, "score above weight", score_above_weight),
    Plant("indicator.score_inconsistent", False, "a point lost with its reason", lost_points_explained),
    Plant("score.total_mismatch", True, "总分 1.5 too high", total_off),
    Plant("score.total_mismatch", False, "points moved between rows", scores_moved),
    Plant("score.grade_mismatch", True, "grade one step off", wrong_grade),
    Plant("score.grade_mismatch", False, "总分 exactly 90 graded 优", boundary_grade),
    Plant("funds.rate_mismatch", True, "执行率 7 points off", rate_off),
    Plant("funds.rate_mismatch", False, "执行率 rewritten, same value", rate_rounded),
]


def form_cases(plants: list[Plant], n_generated: int = 60) -> Iterator[Case]:
    """A case for every plant on every sample and generated form it applies to (made one at a time)."""
    for source, forms in (("samples", sample_forms()), ("generated", generated_forms(n_generated))):
        for base in forms:
            for plant in plants:
                changed = copy.deepcopy(base)
                subject = plant.apply(changed)
                if subject is not None:
                    yield Case(plant.code, plant.positive, plant.describe, source, f"{source}:{base.source.file}:{base.source.first_line}",
                               [base], [changed], subject)
