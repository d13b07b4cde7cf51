"""Linking a project's forms across its declaration, tracking form and self-evaluation, and across years.

Two forms belong to one project when they come from the same implementing unit (or one leaves it
blank) and their names are the same after normalising, or alike enough that a rename is the likely
story ("征地养老管理信息系统(2024年运维)" / "征地养老管理信息系统(2025年运维)"). Forms of different units
are never linked: two units filing the same project name is a finding of its own (copied goals).
"""

from __future__ import annotations

import re
from collections import defaultdict

from jixiao.forms.models import Form
from jixiao.review.evidence import lexical_similarity, normalise

_YEARS = re.compile(r"20\d{2}年?度?")


def name_key(name: str | None) -> str:
    """A project name as compared across years: normalised, without its years (…(2024年运维))."""
    return normalise(_YEARS.sub("", name or ""))


def _name_key(form: Form) -> str:
    return name_key(form.project_name)


def link_projects(forms: list[Form], min_name: float = 0.85, memo: dict | None = None) -> list[list[Form]]:
    """Groups of forms that are one project; each group sorted by year, then declaration → self-evaluation.

    `memo` (a review's Context.memo: one review, one list of forms) keeps the groups for the next
    check that asks: five corpus checks link the same forms."""
    if memo is not None:
        key = ("link_projects", min_name)
        if key not in memo:
            memo[key] = _link_projects(forms, min_name)
        return [list(g) for g in memo[key]]
    return _link_projects(forms, min_name)


def _link_projects(forms: list[Form], min_name: float) -> list[list[Form]]:
    by_unit: dict[str, list[Form]] = defaultdict(list)
    for f in forms:
        if f.project_name:
            by_unit[normalise(f.unit)].append(f)
    groups: list[list[Form]] = []
    for unit_forms in by_unit.values():
        keys: list[tuple[str, list[Form]]] = []
        for f in unit_forms:
            k = _name_key(f)
            for key, members in keys:
                if key == k or lexical_similarity(key, k) >= min_name:
                    members.append(f)
                    break
            else:
                keys.append((k, [f]))
        groups.extend(members for _, members in keys)
    order = {"declaration": 0, "tracking": 1, "self_evaluation": 2}
    return [sorted(g, key=lambda f: (f.year or 0, order[f.form_type.value])) for g in groups]


def project_ids(forms: list[Form], min_name: float = 0.85, memo: dict | None = None) -> list[int]:
    """Each form's project as a number: forms that link_projects puts in one group share it (a
    project renamed between its forms stays one project); a form without a name is its own."""
    ids = {id(f): n for n, group in enumerate(link_projects(forms, min_name, memo)) for f in group}
    extra = len(ids)
    out = []
    for f in forms:
        if id(f) not in ids:
            ids[id(f)] = extra = extra + 1
        out.append(ids[id(f)])
    return out


def match_indicators(a: Form, b: Form, min_name: float = 0.8) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Rows matched by name (each used once), rows only in `a`, rows only in `b`."""
    pairs, used = [], set()
    for i, x in enumerate(a.indicators):
        best, bj = 0.0, -1
        for j, y in enumerate(b.indicators):
            if j not in used:
                sim = 1.0 if normalise(x.name) == normalise(y.name) else lexical_similarity(x.name, y.name)
                if sim > best:
                    best, bj = sim, j
        if best >= min_name:
            used.add(bj)
            pairs.append((i, bj))
    only_a = [i for i in range(len(a.indicators)) if i not in {p for p, _ in pairs}]
    only_b = [j for j in range(len(b.indicators)) if j not in used]
    return pairs, only_a, only_b
