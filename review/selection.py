"""`review --unit/--year/--form-type`: which findings a review reports.

The checks always run over every form read (the whole corpus with --db), because the cross-project
checks are only right against all of it: a goal copied from a project of another unit is a copy
whichever unit is being reviewed. The selection then keeps the findings about a selected form: the
finding's own form, or another project's form it names (a copy names both sides), so reviewing one
unit shows what it copied and what was copied from it. A finding about one project over time
(2024's goal repeating 2023's) belongs to its own, later form only.
"""

from __future__ import annotations

import difflib

from pydantic import BaseModel

from jixiao.forms.models import Form
from jixiao.review.models import Finding


class Selection(BaseModel):
    unit: str | None = None
    year: int | None = None
    form_type: str | None = None

    def active(self) -> bool:
        return any(v is not None for v in self.model_dump().values())

    def _matches(self, unit: str | None, year: int | None, form_type: str | None) -> bool:
        return ((self.unit is None or unit == self.unit) and (self.year is None or year == self.year)
                and (self.form_type is None or form_type == self.form_type))

    def form(self, f: Form) -> bool:
        return self._matches(f.unit, f.year, f.form_type.value)

    def finding(self, f: Finding) -> bool:
        # Another project's form named by a finding is one side of a copy, and either side may have
        # copied; the same project's other forms (link.*: last year's goal repeated, a target changed
        # since the declaration) are what the finding's own, later form is measured against.
        return self._matches(f.unit, f.year, f.form_type) or any(
            self._matches(p.unit, p.year, p.form_type) for p in f.projects
            if (p.project_name, p.unit) != (f.project_name, f.unit))

    def problem(self, forms: list[Form]) -> str | None:
        """Why nothing can be selected (a value no form has, with the close ones), or None."""
        if not self.active() or any(self.form(f) for f in forms):
            return None
        for name, value, known in (("unit", self.unit, {f.unit for f in forms if f.unit}),
                                   ("year", self.year, {f.year for f in forms if f.year}),
                                   ("form_type", self.form_type, {f.form_type.value for f in forms})):
            if value is not None and value not in known:
                close = difflib.get_close_matches(str(value), sorted(map(str, known)), n=3, cutoff=0.3)
                hint = f"; did you mean {' / '.join(close)}?" if close else f"; the forms have: {', '.join(sorted(map(str, known))[:8])}"
                return f"no form has {name} = {value!r}{hint}"
        return f"no form has {', '.join(f'{k} = {v!r}' for k, v in self.model_dump().items() if v is not None)} together"
