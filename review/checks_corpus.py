"""Checks across forms of different projects: copied indicator tables (and, next, shared goal texts)."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from jixiao.forms.models import Form
from jixiao.review.catalogue import corpus_check
from jixiao.review.evidence import form_label, lexical_similarity, normalise, project_key, ref, where
from jixiao.review.models import Evidence, Finding
from jixiao.review.settings import Settings


def _label(form: Form) -> str:
    return f"{form_label(form)}［{form.unit or '实施单位未填'}］"


def _matches(a: Form, b: Form, generic: set[str], min_lex: float) -> list[tuple[int, int, float]]:
    """Rows of `a` matched to rows of `b` by name (each used once): (row in a, row in b, similarity)."""
    out, used = [], set()
    for i, x in enumerate(a.indicators):
        nx = normalise(x.name)
        if not nx or nx in generic:
            continue
        best, bj = 0.0, -1
        for j, y in enumerate(b.indicators):
            if j in used:
                continue
            sim = 1.0 if nx == normalise(y.name) else lexical_similarity(x.name, y.name)
            if sim > best:
                best, bj = sim, j
        if best >= min_lex:
            used.add(bj)
            out.append((i, bj, best))
    return out


@corpus_check("indicator.table_copied")
def table_copied(forms: list[Form], s: Settings, ctx=None) -> Iterator[Finding]:
    owners = defaultdict(set)
    for f in forms:
        for ind in f.indicators:
            owners[normalise(ind.name)].add(project_key(f))
    n_projects = len({project_key(f) for f in forms})
    generic = {name for name, who in owners.items()
               if len(who) >= 3 and len(who) >= s["table.generic_share"] * n_projects}
    # Candidates share at least one distinctive name exactly (an inverted index keeps this linear
    # in practice); the lexical matching then decides.
    by_name = defaultdict(list)
    for k, f in enumerate(forms):
        for ind in f.indicators:
            nm = normalise(ind.name)
            if nm and nm not in generic:
                by_name[nm].append(k)
    pairs: dict[tuple[int, int], list] = {}
    for ks in by_name.values():
        for i in ks:
            for j in ks:
                if i < j and project_key(forms[i]) != project_key(forms[j]) and (i, j) not in pairs:
                    a, b = forms[i], forms[j]
                    m = _matches(a, b, generic, s["table.name_min_lexical"])
                    distinctive = min(sum(normalise(x.name) not in generic for x in a.indicators),
                                      sum(normalise(y.name) not in generic for y in b.indicators))
                    ok = len(m) >= s["table.min_shared"] and len(m) >= s["table.min_coverage"] * max(1, distinctive)
                    pairs[(i, j)] = m if ok else []
    linked = defaultdict(dict)
    for (i, j), m in pairs.items():
        if m:
            linked[i][j] = m
            linked[j][i] = [(y, x, sim) for x, y, sim in m]
    # Around a principal: the table with the most verified copies; its members are verified
    # against it directly, so A~B and B~C never put A and C together by chaining.
    done: set[int] = set()
    groups: list[tuple[int, list[int]]] = []
    for principal in sorted(linked, key=lambda k: (-len(linked[k]), k)):
        if principal in done:
            continue
        members = [k for k in linked[principal] if k not in done]
        if not members:
            continue
        done.add(principal)
        done.update(members)
        groups.append((principal, members))
    # A table copied only from a member of another group is reported against that member, as a
    # pair of its own: it is not pulled into the other group.
    for k in sorted(linked):
        if k not in done:
            other = max(linked[k], key=lambda j: (len(linked[k][j]), -j))
            groups.append((other, [k]))
            done.add(k)
    for principal, members in groups:
        p = forms[principal]
        evidence: list[Evidence] = []
        for k in members:
            other = forms[k]
            m = linked[principal][k]
            for x, y, sim in m:
                a, b = p.indicators[x], other.indicators[y]
                evidence.append(where(p, f"{_label(p)} 指标", f"{a.name} {a.target.raw if a.target else ''}".strip(), line=a.line))
                evidence.append(Evidence(label=f"{_label(other)} 指标", text=f"{b.name} {b.target.raw if b.target else ''}".strip(),
                                         value=round(sim, 3), file=other.source.file, line=b.line, project_name=other.project_name))
        names = "、".join(_label(forms[k]) for k in members)
        share = max(len(linked[principal][k]) / max(1, len(forms[k].indicators)) for k in members)
        f = Finding(code="indicator.table_copied", severity="high" if share >= 0.9 else "medium",
                    message=f"{_label(p)}的绩效指标表与{names}的指标表基本相同（{len(linked[principal][members[0]])} 项指标名称一致或几乎一致），指标未按项目实际设置。",
                    project_name=p.project_name, unit=p.unit, year=p.year, form_type=p.form_type.value,
                    projects=[ref(p)] + [ref(forms[k]) for k in members], evidence=evidence)
        yield f.with_id(*sorted(f"{forms[k].project_name}|{forms[k].unit}|{forms[k].year}|{forms[k].form_type.value}" for k in [principal] + members))
