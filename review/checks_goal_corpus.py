"""Goal texts across projects: the same goal used by different projects (goal.boilerplate_shared)."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from jixiao.forms.models import Form
from jixiao.review.catalogue import Context, corpus_check
from jixiao.review.evidence import form_label, normalise, project_key, ref
from jixiao.review.linking import project_ids
from jixiao.review.models import Evidence, Finding
from jixiao.review.neardup import near_duplicate_groups
from jixiao.review.settings import Settings

_ROLES = (("expected", "预期目标", "expected_line"), ("actual", "实际完成情况", "actual_line"),
          ("overall", "项目总目标", "expected_line"), ("annual", "年度总体目标", "expected_line"))


def goal_items(forms: list[Form], min_chars: int, owners: list[int]) -> list[tuple[Form, str, str, int | None, int]]:
    items = []
    for f, owner in zip(forms, owners):
        seen = set()
        for role, label, line_field in _ROLES:
            text = getattr(f.goal, role)
            if text and len(normalise(text)) >= min_chars and normalise(text) not in seen:
                seen.add(normalise(text))
                items.append((f, label, text, getattr(f.goal, line_field) or f.source.first_line, owner))
    return items


@corpus_check("goal.boilerplate_shared")
def boilerplate_shared(forms: list[Form], s: Settings, ctx: Context) -> Iterator[Finding]:
    # One project = the forms linking puts together (one unit, names alike): a project renamed
    # between its declaration and its self-evaluation is not two projects sharing a goal.
    items = goal_items(forms, s["boilerplate.min_chars"], project_ids(forms, s["link.name_min_lexical"], ctx.memo))
    if len(items) < 2:
        return
    texts = [t for _, _, t, _, _ in items]
    vectors = np.ascontiguousarray(ctx.embed(texts), dtype=np.float32)
    groups = near_duplicate_groups(texts, vectors, min_lexical=s["boilerplate.min_lexical"],
                                   min_cosine=s["boilerplate.min_cosine"], same_owner=[owner for *_, owner in items])
    for g in groups:
        members = [g.principal] + list(g.members)
        forms_in = [items[k][0] for k in members]
        if len({items[k][4] for k in members}) < 2:
            continue
        evidence = []
        for n, k in enumerate(members):
            f, label, text, line, _ = items[k]
            evidence.append(Evidence(label=f"{form_label(f)}［{f.unit or '-'}］ {label}", text=text,
                                     value=None if n == 0 else round(g.lexical[n - 1], 3),
                                     file=f.source.file, line=line, project_name=f.project_name))
        p = forms_in[0]
        names = "、".join(dict.fromkeys(f"{f.project_name}（{f.unit or '-'}）" for f in forms_in))
        identical = all(x >= 0.995 for x in g.lexical)
        units = {normalise(f.unit) for f in forms_in}
        finding = Finding(
            code="goal.boilerplate_shared", severity="high" if identical or len(units) > 1 else "medium",
            message=f"{names}使用了{'相同' if identical else '几乎相同'}的绩效目标文字，目标未按项目分别设定。",
            project_name=p.project_name, unit=p.unit, year=p.year, form_type=p.form_type.value,
            projects=[ref(f) for f in forms_in], evidence=evidence)
        yield finding.with_id(*sorted({project_key(f) + str(f.year) + f.form_type.value for f in forms_in}),
                              normalise(items[g.principal][2])[:40])
