"""Goal texts across projects: the same goal used by different projects, a goal that belongs to another."""

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


def _goal_items(forms: list[Form], min_chars: int, owners: list[int]) -> list[tuple[Form, str, str, int | None, int]]:
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
    items = _goal_items(forms, s["boilerplate.min_chars"], project_ids(forms, s["link.name_min_lexical"]))
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


def _bigrams(text: str) -> set[str]:
    t = normalise(text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


@corpus_check("goal.project_mismatch")
def project_mismatch(forms: list[Form], s: Settings, ctx: Context) -> Iterator[Finding]:
    owner = dict(zip(map(id, forms), project_ids(forms, s["link.name_min_lexical"])))  # a renamed project is one project
    named = [f for f in forms if f.project_name and f.goal.expected]
    projects = {}
    for f in forms:
        if f.project_name:
            projects.setdefault(owner[id(f)], f)
    if len(projects) < 2 or not named:
        return
    keys = list(projects)
    name_vecs = ctx.embed([projects[k].project_name for k in keys])
    goal_vecs = ctx.embed([f.goal.expected for f in named])
    sims = goal_vecs @ name_vecs.T
    index = {k: i for i, k in enumerate(keys)}
    for row, f in zip(sims, named):
        own = index[owner[id(f)]]
        order = np.argsort(-row)
        best = next(int(j) for j in order if int(j) != own)
        other = projects[keys[best]]
        margin = float(row[best] - row[own])
        goal_grams = _bigrams(f.goal.expected)
        if margin < s["boilerplate.mismatch_margin"] or \
                len(goal_grams & _bigrams(other.project_name)) <= len(goal_grams & _bigrams(f.project_name)):
            continue
        yield Finding(
            code="goal.project_mismatch", severity="medium",
            message=f"{f.project_name}的绩效目标更像是“{other.project_name}”的目标，与本项目名称不符。",
            project_name=f.project_name, unit=f.unit, year=f.year, form_type=f.form_type.value,
            projects=[ref(f), ref(other)],
            evidence=[Evidence(label="本项目名称", text=f.project_name, value=round(float(row[own]), 3),
                               file=f.source.file, line=f.source.first_line, project_name=f.project_name),
                      Evidence(label="预期目标", text=f.goal.expected, file=f.source.file,
                               line=f.goal.expected_line or f.source.first_line, project_name=f.project_name),
                      Evidence(label="更相符的项目", text=other.project_name, value=round(float(row[best]), 3),
                               file=other.source.file, line=other.source.first_line, project_name=other.project_name)],
        ).with_id(other.project_name)
