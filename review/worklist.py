"""The reviewer's worklist: one pass after the checks folds findings into problems and ranks projects.

A reviewer reads projects, not codes. Three foldings make each problem appear once:
- same problem: two codes about one thing (tracking.execution_lag and tracking.optimistic_judgement
  on one form; goal.boilerplate_shared and goal.project_mismatch about one copied goal);
- unit: one unit's identical failing on several forms ("某单位 11 张自评表的实际完成情况均照抄预期目标");
- form: several rows of one form with the same fault (five vacuous targets are one finding listing rows).
Findings keep their own ids and gain `group`; a decision on a group applies to its members.

Risk: a finding weighs its severity, whether it is about substance or form (review/codes.py), and the
money at stake on its project (the largest budget on the project's forms, in 万元, on a log scale: a
10,000 万元 project's lag matters more than a 2 万元 one's). A project's risk adds its problems; a group
counts once, with a little for each further member, so eleven copies of one boilerplate do not outrank
one large project spending a fifth of its budget by September.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from typing import Iterable

from jixiao.forms.models import FORM_TYPE_ZH, Form, FormType
from jixiao.review.codes import code_zh, substantive
from jixiao.review.models import SEVERITY_RANK, Finding, FindingGroup, ProjectRef, ProjectRisk
from jixiao.review.settings import Settings

ProjectKey = tuple[str | None, str | None, int | None]  # (project_name, unit, year)
_FUNDS_SKIP = {"execution_rate", "weight", "score"}
_NAMES_SHOWN = 6


def money_at_stake(forms: Iterable[Form]) -> dict[ProjectKey, float]:
    """The largest amount (万元) on each project's total funds rows: what a wrong judgement puts at risk."""
    out: dict[ProjectKey, float] = {}
    for form in forms:
        if not form.funds:
            continue
        amounts = [v.value for row in form.funds.rows if row.key in ("total", "project_total")
                   for col, v in row.values.items() if col not in _FUNDS_SKIP and v.value is not None]
        if amounts:
            key = (form.project_name, form.unit, form.year)
            out[key] = max(out.get(key, 0.0), max(amounts))
    return out


def money_factor(amount: float | None) -> float:
    # 1 with nothing known, about 2 at 10 万元, 3 at 100 万元, 5 at 10,000 万元: money counts, but a
    # hundred times the money is not a hundred times the reviewer's attention.
    return 1.0 + math.log10(1.0 + max(amount or 0.0, 0.0))


def projects_of(f: Finding) -> list[ProjectKey]:
    keys: list[ProjectKey] = []
    if f.project_name is not None or not f.projects:
        keys.append((f.project_name, f.unit, f.year))
    for p in f.projects:
        k = (p.project_name, p.unit, p.year)
        if k not in keys:
            keys.append(k)
    return keys


def finding_risk(f: Finding, money: dict[ProjectKey, float], s: Settings) -> float:
    weight = s[f"worklist.weight_{f.severity}"] * (1.0 if substantive(f.code) else s["worklist.formal_factor"])
    amount = max((money.get(k, 0.0) for k in projects_of(f)), default=0.0)
    return round(weight * money_factor(amount), 2)


def in_appendix(f: Finding) -> bool:
    return f.severity == "low" and not substantive(f.code)


def _form_zh(form_type: str | None) -> str:
    return FORM_TYPE_ZH[FormType(form_type)] if form_type in FormType._value2member_map_ else "表"


def _gid(*parts: object) -> str:
    return "g" + hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:11]


def _row_name(f: Finding) -> str | None:
    """The indicator a row finding is about (its 三级指标 evidence: level1/level2/name)."""
    ev = next((e for e in f.evidence if e.label == "三级指标" and e.text), None)
    return ev.text.rsplit("/", 1)[-1] if ev else None


def _listed(names: list[str]) -> str:
    names = list(dict.fromkeys(n for n in names if n))
    shown = "、".join(f"“{n}”" for n in names[:_NAMES_SHOWN])
    return shown + (f"等 {len(names)} 项" if len(names) > _NAMES_SHOWN else "")


def _ref(f: Finding) -> ProjectRef:
    ev = next((e for e in f.evidence if e.file), None)
    return ProjectRef(project_name=f.project_name, unit=f.unit, year=f.year, form_type=f.form_type or "",
                      file=ev.file if ev else "", line=(ev.line or 0) if ev else 0)


def _group(kind: str, gid: str, members: list[Finding], message: str) -> FindingGroup:
    lead = members[0]
    refs: dict[tuple, ProjectRef] = {}  # one unit's group can hold thousands of members: no pairwise scan
    for f in members:
        for r in (f.projects or [_ref(f)]):
            refs.setdefault((r.project_name, r.unit, r.year, r.form_type), r)
    names = {f.project_name for f in members}
    risks = sorted((f.risk for f in members), reverse=True)
    return FindingGroup(
        id=gid, kind=kind, code=lead.code, codes=sorted({f.code for f in members}),
        severity=max((f.severity for f in members), key=SEVERITY_RANK.__getitem__), message=message,
        project_name=lead.project_name if len(names) == 1 else None,
        unit=lead.unit if len({f.unit for f in members}) == 1 else None,
        year=lead.year if len({f.year for f in members}) == 1 else None,
        form_type=lead.form_type if len({f.form_type for f in members}) == 1 else None,
        members=[f.id for f in members], projects=list(refs.values()),
        risk=round(risks[0] + 0.1 * sum(risks[1:]), 2),
        substantive=any(substantive(f.code) for f in members), appendix=all(in_appendix(f) for f in members))


def _same_problem(findings: list[Finding]) -> list[list[Finding]]:
    """Pairs of codes that report one problem twice."""
    out: list[list[Finding]] = []
    by_form: dict[tuple, dict[str, Finding]] = defaultdict(dict)
    for f in findings:
        by_form[(f.project_name, f.unit, f.year, f.form_type)].setdefault(f.code, f)
    for codes in by_form.values():
        if "tracking.execution_lag" in codes and "tracking.optimistic_judgement" in codes:
            out.append([codes["tracking.execution_lag"], codes["tracking.optimistic_judgement"]])
    # A goal pasted from another project: boilerplate_shared names both holders, project_mismatch says
    # whose it is. One copy, one problem: the mismatch (which says who copied) leads.
    shared = [f for f in findings if f.code == "goal.boilerplate_shared"]
    for m in (f for f in findings if f.code == "goal.project_mismatch"):
        pair = {(p.project_name, p.unit) for p in m.projects} or {(m.project_name, m.unit)}
        for b in shared:
            if pair <= {(p.project_name, p.unit) for p in b.projects}:
                out.append([m, b])
                break
    merged: list[list[Finding]] = []
    taken: dict[str, int] = {}
    for members in out:  # a boilerplate finding matched by two mismatches is one group of three
        at = next((taken[f.id] for f in members if f.id in taken), None)
        if at is None:
            taken.update({f.id: len(merged) for f in members})
            merged.append(list(members))
        else:
            for f in members:
                if f.id not in taken:
                    taken[f.id] = at
                    merged[at].append(f)
    return merged


def group_findings(findings: list[Finding], s: Settings) -> list[FindingGroup]:
    """Fold findings into groups (setting each member's `group`); findings that stand alone keep None."""
    groups: list[FindingGroup] = []
    for members in _same_problem(findings):
        lead, others = members[0], members[1:]
        also = "、".join(dict.fromkeys(f"“{code_zh(f.code)}”（{f.code}）" for f in others if f.code != lead.code))
        message = lead.message + (f" 同一问题另见：{also}。" if also else "")
        groups.append(_group("same_problem", _gid("same", *sorted(f.id for f in members)), members, message))
    grouped = {fid for g in groups for fid in g.members}

    by_unit: dict[tuple, list[Finding]] = defaultdict(list)
    for f in findings:
        # A finding that joins projects of other units (a table copied from another unit) is about
        # that pair, not about this unit's way of filling in forms.
        if f.id not in grouped and f.unit and all(p.unit == f.unit for p in f.projects):
            by_unit[(f.code, f.unit, f.form_type)].append(f)
    for (code, unit, form_type), members in by_unit.items():
        forms = {(f.project_name, f.year) for f in members}
        if len(forms) < s["worklist.unit_min_forms"]:
            continue
        members.sort(key=lambda f: (-f.risk, f.project_name or "", f.id))
        kind_zh = _form_zh(form_type)
        names = _listed([f.project_name or "" for f in members])
        message = (f"{unit}的 {len(forms)} 张{kind_zh}存在同一问题：{code_zh(code)}（{len(members)} 项，涉及 {names}）。"
                   f"首项：{members[0].message}")
        groups.append(_group("unit", _gid("unit", code, unit, form_type), members, message))
        grouped.update(f.id for f in members)

    by_form: dict[tuple, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.id not in grouped:
            by_form[(f.code, f.project_name, f.unit, f.year, f.form_type)].append(f)
    for (code, name, unit, year, form_type), members in by_form.items():
        if len(members) < s["worklist.form_min_findings"]:
            continue
        members.sort(key=lambda f: (-f.risk, f.id))
        rows = [_row_name(f) for f in members]
        what = f"{len(members)} 项指标（{_listed(rows)}）" if all(rows) else f"{len(members)} 处"
        kind_zh = _form_zh(form_type)
        message = f"{name or '(未命名项目)'}（{year or '?'}年{kind_zh}）{what}：{code_zh(code)}。"
        groups.append(_group("form", _gid("form", code, name, unit, year, form_type), members, message))
        grouped.update(f.id for f in members)

    where = {fid: g.id for g in groups for fid in g.members}
    for f in findings:
        f.group = where.get(f.id)
    return groups


def apply_group_decisions(findings: list[Finding], groups: list[FindingGroup], decisions: dict[str, str]) -> None:
    """A decision on a group reaches its undecided members; a group whose members agree shows their decision."""
    by_id = {f.id: f for f in findings}
    for g in groups:
        if decisions.get(g.id):
            for fid in g.members:
                if by_id[fid].decision is None:
                    by_id[fid].decision = decisions[g.id]
        member_decisions = {by_id[fid].decision for fid in g.members}
        g.decision = member_decisions.pop() if len(member_decisions) == 1 else None


def rank_projects(findings: list[Finding], groups: list[FindingGroup]) -> list[ProjectRisk]:
    group_of = {g.id: g for g in groups}
    per_project: dict[ProjectKey, list[Finding]] = defaultdict(list)
    for f in findings:
        for k in projects_of(f):
            per_project[k].append(f)
    ranked: list[ProjectRisk] = []
    for key, fs in per_project.items():
        problems: dict[str, list[Finding]] = defaultdict(list)
        for f in fs:
            problems[f.group or f.id].append(f)
        scored = []
        for pid, members in problems.items():
            rs = sorted((f.risk for f in members), reverse=True)
            g = group_of.get(pid)
            scored.append((rs[0] + 0.1 * sum(rs[1:]), g.message if g else members[0].message))
        scored.sort(key=lambda x: -x[0])
        # The riskiest problem counts whole, each further one half as much as the one before: a
        # project with several grave problems ranks above one with one, but twenty formal flags
        # cannot add up past a single grave one.
        risk = sum(r * 0.5 ** i for i, (r, _) in enumerate(scored))
        best = scored[0][1] if scored else None
        fs.sort(key=lambda f: (-f.risk, f.code, f.id))
        ranked.append(ProjectRisk(project_name=key[0], unit=key[1], year=key[2], risk=round(risk, 2),
                                  findings=[f.id for f in fs], substantive=sum(substantive(f.code) for f in fs), top=best))
    ranked.sort(key=lambda p: (-p.risk, -p.substantive, p.project_name or "", p.unit or "", p.year or 0))
    for i, p in enumerate(ranked, 1):
        p.rank = i
    return ranked


def organise(findings: list[Finding], forms: list[Form], s: Settings,
             decisions: dict[str, str] | None = None,
             money: dict[ProjectKey, float] | None = None) -> tuple[list[FindingGroup], list[ProjectRisk]]:
    """Risk on every finding, the groups, group decisions, and the projects ranked by risk. `money`:
    the money at stake gathered beforehand (the streaming review no longer holds the forms)."""
    money = money if money is not None else money_at_stake(forms)
    for f in findings:
        f.risk = finding_risk(f, money, s)
    groups = group_findings(findings, s)
    apply_group_decisions(findings, groups, decisions or {})
    ranked = rank_projects(findings, groups)
    for p in ranked:
        p.money = money.get((p.project_name, p.unit, p.year))
    groups.sort(key=lambda g: (-g.risk, g.id))
    return groups, ranked
