"""Building findings and their evidence from parsed forms, and comparing values by parsing."""

from __future__ import annotations

import difflib
import re
import unicodedata

from jixiao.forms.models import FORM_TYPE_ZH, Form, Indicator, Value
from jixiao.review.models import Evidence, Finding, ProjectRef, Severity

_STRIP = re.compile(r"[\s\u3000,，.。;；:：、!！?？\"“”'‘’()（）\[\]【】<>《》\-—_]+")


def normalise(text: str | None) -> str:
    """Width, whitespace and punctuation do not make two texts different."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", text or ""))


def project_key(form: Form) -> str:
    """One project = one name at one implementing unit (width, spacing and punctuation aside)."""
    return f"{normalise(form.project_name)}|{normalise(form.unit)}"


def lexical_similarity(a: str | None, b: str | None) -> float:
    """Character-level similarity of two texts after normalising (difflib's ratio, 0..1)."""
    x, y = normalise(a), normalise(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio()


def containment(a: str | None, b: str | None, min_run: int = 4) -> tuple[float, int]:
    """Share of the shorter text found in the longer one in runs of `min_run`+ characters, and its length."""
    x, y = normalise(a), normalise(b)
    short = min(len(x), len(y))
    if not short:
        return 0.0, 0
    blocks = difflib.SequenceMatcher(None, x, y, autojunk=False).get_matching_blocks()
    return sum(bl.size for bl in blocks if bl.size >= min_run) / short, short


def copy_similarity(a: str | None, b: str | None, s) -> float | None:
    """The similarity that makes `b` a copy of `a` under the settings, or None if it is not one."""
    ratio = lexical_similarity(a, b)
    if ratio >= s["goal.copy_min_lexical"]:
        return ratio
    cont, short = containment(a, b)
    if short >= s["goal.copy_min_chars"] and cont >= s["goal.copy_min_containment"]:
        return cont
    return None


def finding(form: Form, code: str, severity: Severity, message: str, evidence: list[Evidence],
            *subject: object) -> Finding:
    return Finding(code=code, severity=severity, message=message, project_name=form.project_name,
                   unit=form.unit, year=form.year, form_type=form.form_type.value,
                   evidence=evidence).with_id(*subject)


def where(form: Form, label: str, text: str | None = None, value: float | None = None,
          line: int | None = None) -> Evidence:
    # `location` (Sheet1!C14 for an Office/PDF original) is set for every finding at once: engine → locate.
    return Evidence(label=label, text=text, value=value, file=form.source.file,
                    line=line or form.source.first_line, project_name=form.project_name)


def location(form: Form, line: int | None, text: str | None = None) -> str | None:
    """Where a line (and the cell holding `text`, when known) stands in an Office/PDF original; None for text files."""
    src = form.source
    if not src.places or line is None:
        return None
    cells = src.cell_places.get(line)
    if cells and text:
        # 三级指标 evidence reads "level1/level2/name"; corpus evidence "name target"
        for t in (text, text.rsplit("/", 1)[-1], text.split(" ", 1)[0], text.split("（", 1)[0]):
            if t in cells:
                return cells[t]
    return src.places.get(line)


def locate(findings: list[Finding], forms: list[Form]) -> None:
    """Give each piece of evidence from an Office/PDF file its place in the original."""
    by_file: dict[str, list[Form]] = {}
    for f in forms:
        if f.source.places:
            by_file.setdefault(f.source.file, []).append(f)
    if not by_file:
        return
    for finding_ in findings:
        for e in finding_.evidence:
            if e.location is None and e.file in by_file and e.line is not None:
                form = next((f for f in by_file[e.file] if e.line in f.source.places), None)
                if form is not None:
                    e.location = location(form, e.line, e.text)


def ind_evidence(form: Form, ind: Indicator, *fields: str) -> list[Evidence]:
    """The row itself, then the fields the finding is about, each with the row's line."""
    out = [where(form, "三级指标", f"{ind.level1}/{ind.level2}/{ind.name}", line=ind.line)]
    labels = {"target": "年度指标值", "plan": "计划完成值", "actual": "实际完成值", "weight": "分值",
              "score": "得分", "deviation": "偏差原因分析", "level1": "一级指标", "level2": "二级指标"}
    for f in fields:
        v = getattr(ind, f)
        if isinstance(v, Value) or hasattr(v, "raw") and hasattr(v, "number"):  # review/compact.py's values too
            out.append(where(form, labels[f], v.raw, v.number, ind.line))
        elif isinstance(v, (int, float)):
            out.append(where(form, labels[f], None, float(v), ind.line))
        else:
            out.append(where(form, labels[f], v, line=ind.line))
    return out


def ref(form: Form) -> ProjectRef:
    return ProjectRef(project_name=form.project_name, unit=form.unit, year=form.year,
                      form_type=form.form_type.value, file=form.source.file, line=form.source.first_line)


def form_label(form: Form) -> str:
    return f"{form.project_name or '(未命名项目)'}（{form.year or '?'}年{FORM_TYPE_ZH[form.form_type]}）"


def shortfall(target: Value | None, actual: Value | None) -> bool | None:
    """True if the actual falls short of the target, False if it meets it, None if they cannot be compared."""
    if actual is None:
        return None
    if actual.achievement in ("partial", "not_reached"):
        return True
    if actual.achievement == "reached":
        return False
    if target is None or target.kind != "numeric" or actual.kind != "numeric":
        return None
    if target.unit and actual.unit and target.unit != actual.unit:
        return None
    t, a = target.number, actual.number
    op = target.op or "="
    # "=100%" and "=40(班次)" are floors in practice: doing more is not a shortfall.
    if op in ("=", "≥"):
        return a < t - 1e-9
    if op == ">":
        return a <= t
    if op == "≤":
        return a > t + 1e-9
    if op == "<":
        return a >= t
    return None
