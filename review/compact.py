"""Forms as the corpus checks read them, in about a tenth of the memory, for the streaming review.

The corpus checks (copies between projects, boilerplate, misplaced rows, links along the years) compare
every form with every other, so they hold the whole corpus at once. A validated `Form` costs about
58 KiB in memory (10,000 generated forms: 580 MiB; its JSON is 6 KiB): forty-odd pydantic objects a
form, each with its own dict. The checks only read attributes, so they get the same attributes on
slotted objects instead, with the label strings shared (sys.intern) and the parts no corpus check
reads left out: the funds table, the judgement, the warnings and the Office places (the evidence's
cells are found afterwards, from the store, for the forms that have them: `locate_from_store`).

Every form still passes pydantic's validation on the way in (a damaged row is skipped as before);
only the object kept is smaller. The findings are the same (tests/test_compact.py compares them).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import Iterable, NamedTuple

from pydantic import ValidationError

from jixiao.forms.models import FORM_TYPE_ZH, Form, Value
from jixiao.review.evidence import locate
from jixiao.review.models import Finding


def _i(s: str | None) -> str | None:
    return sys.intern(s) if s else s


class CompactValue(NamedTuple):
    raw: str
    op: object
    number: float | None
    unit: str | None
    word: str | None
    kind: str
    achievement: str | None


def _value(v: Value | None) -> CompactValue | None:
    if v is None:
        return None
    return CompactValue(v.raw, v.op, v.number, _i(v.unit), _i(v.word), v.kind, v.achievement)


class CompactIndicator:
    __slots__ = ("level1", "level2", "name", "target", "plan", "actual", "weight", "score", "deviation",
                 "level1_raw", "level2_raw", "extra", "notes", "line")

    def __init__(self, ind) -> None:
        self.level1, self.level2, self.name = _i(ind.level1), _i(ind.level2), ind.name
        self.target, self.plan, self.actual = _value(ind.target), _value(ind.plan), _value(ind.actual)
        self.weight, self.score, self.deviation = ind.weight, ind.score, ind.deviation
        self.level1_raw, self.level2_raw = _i(ind.level1_raw), _i(ind.level2_raw)
        self.extra = dict(ind.extra) if ind.extra else {}
        self.notes = list(ind.notes) if ind.notes else []
        self.line = ind.line


class CompactGoal:
    __slots__ = ("expected", "actual", "overall", "annual", "expected_line", "actual_line")

    def __init__(self, g) -> None:
        self.expected, self.actual, self.overall, self.annual = g.expected, g.actual, g.overall, g.annual
        self.expected_line, self.actual_line = g.expected_line, g.actual_line


class CompactSource:
    __slots__ = ("file", "first_line", "last_line", "encoding", "spans", "places", "cell_places")

    def __init__(self, s) -> None:
        self.file, self.first_line, self.last_line, self.encoding = _i(s.file), s.first_line, s.last_line, _i(s.encoding)
        self.spans = list(s.spans)
        self.places: dict = {}  # left out: locate_from_store finds the cells afterwards
        self.cell_places: dict = {}


class CompactForm:
    __slots__ = ("form_type", "year", "period_start", "period_end", "project_name", "department", "department_raw",
                 "unit", "project_nature", "project_category", "start_date", "end_date", "funds", "goal",
                 "indicators", "total_score", "max_score", "grade", "judgement", "corrective_measures", "source",
                 "lines", "warnings")

    def __init__(self, f: Form) -> None:
        self.form_type, self.year = f.form_type, f.year
        self.period_start, self.period_end = f.period_start, f.period_end
        self.project_name, self.department, self.department_raw = f.project_name, _i(f.department), _i(f.department_raw)
        self.unit, self.project_nature, self.project_category = _i(f.unit), _i(f.project_nature), _i(f.project_category)
        self.start_date, self.end_date = f.start_date, f.end_date
        self.funds = None  # no corpus check reads the funds table or the judgement
        self.judgement = None
        self.goal = CompactGoal(f.goal)
        self.indicators = [CompactIndicator(x) for x in f.indicators]
        self.total_score, self.max_score, self.grade = f.total_score, f.max_score, _i(f.grade)
        self.corrective_measures = f.corrective_measures
        self.source = CompactSource(f.source)
        self.lines = dict(f.lines)
        self.warnings: list = []

    @property
    def title(self) -> str:
        return f"{self.project_name or '(未命名项目)'} · {FORM_TYPE_ZH[self.form_type]} · {self.year or '?'}"


class CompactCorpus:
    """The compact forms of a store, and which stored forms carry Office places, by file."""

    def __init__(self) -> None:
        self.forms: list[CompactForm] = []
        self.placed: dict[str, list[int]] = defaultdict(list)  # file → ids of its forms with places

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, str]]) -> "CompactCorpus":
        out = cls()
        for form_id, data in rows:
            try:
                form = Form.model_validate_json(data)
            except (ValidationError, ValueError):
                continue  # the form checks already reported it
            out.forms.append(CompactForm(form))
            if form.source.places:
                out.placed[form.source.file].append(form_id)
        return out


def locate_from_store(findings: list[Finding], placed: dict[str, list[int]], store, batch: int = 500) -> None:
    """Give evidence from Office/PDF forms its cell, reading only those forms back, a batch at a time."""
    files = {e.file for f in findings for e in f.evidence if e.location is None and e.file in placed}
    ids = sorted(i for file in files for i in placed[file])
    for k in range(0, len(ids), batch):
        forms = []
        for _, data in store.form_rows(ids[k:k + batch]):
            try:
                forms.append(Form.model_validate_json(data))
            except (ValidationError, ValueError):
                continue
        locate(findings, forms)
