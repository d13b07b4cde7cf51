"""The parser's warnings as a report carries them: each with the project of the form it concerns.

A reviewer must see, next to a project's findings, that its year was not read or a row was shifted:
a finding (or its absence) may rest on it. Warnings come from the forms themselves (`Form.warnings`,
kept whole in the corpus too) and from the file (a continuation page with no form before it, rows of
no form), which are tied to the form whose lines hold them, or to none.
"""

from __future__ import annotations

from collections import defaultdict

from jixiao.forms.models import Form, Issue
from jixiao.review.models import ParseWarning


def _covers(form: Form, line: int | None) -> bool:
    if line is None:
        return False
    spans = form.source.spans or [(form.source.first_line, form.source.last_line)]
    return any(a <= line <= b for a, b in spans)


def _warning(issue: Issue, form: Form | None) -> ParseWarning:
    if form is None:
        return ParseWarning(file=issue.file, line=issue.line, message=issue.message)
    return ParseWarning(file=issue.file, line=issue.line, location=form.source.places.get(issue.line) if issue.line else None,
                        project_name=form.project_name, unit=form.unit, year=form.year,
                        form_type=form.form_type.value, message=issue.message)


def gather(forms: list[Form], file_issues: list[Issue]) -> list[ParseWarning]:
    """The warnings of `forms` and those of their files (`file_issues`: issues about a file, not a
    form, with `file` as the forms name it). A file none of whose forms is reviewed adds nothing."""
    out = [_warning(w, form) for form in forms for w in form.warnings if w.severity == "warning"]
    by_file: dict[str, list[Form]] = defaultdict(list)
    for form in forms:
        by_file[form.source.file].append(form)
    for issue in file_issues:
        if issue.severity != "warning" or issue.file not in by_file:
            continue
        out.append(_warning(issue, next((f for f in by_file[issue.file] if _covers(f, issue.line)), None)))
    order = {name: k for k, name in enumerate(by_file)}  # files in the order they were read
    return sorted(out, key=lambda w: (order.get(w.file, len(order)), w.line or 0))
