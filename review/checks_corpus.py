"""Checks across forms of different projects: copied indicator tables."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from typing import Iterator

import numpy as np

from jixiao.forms.models import Form
from jixiao.review.catalogue import corpus_check
from jixiao.review.evidence import form_label, normalise, ref, where
from jixiao.review.linking import project_ids
from jixiao.review.models import Evidence, Finding
from jixiao.review.settings import Settings


# Rows every form carries (预算执行率, a 满意度, 成本控制有效性): a match on them says nothing of a copy.
# Corpus frequency (table.generic_share) finds such names only in a corpus large enough to have
# many projects, and only as written: 预算执行利率, 办事人员满意度 are each one project's spelling.
_BOILERPLATE = re.compile(r"(预算|资金|经费|支出)\S{0,4}执行利?率$|^执行率$|满意[度率]$|成本控制|费用控制|预算成本")


def _same_unit(a: Form, b: Form) -> bool:
    """Both forms filed by one 实施单位 (an unknown unit is no one's)."""
    x, y = normalise(a.unit), normalise(b.unit)
    return bool(x) and x == y


def _label(form: Form) -> str:
    return f"{form_label(form)}［{form.unit or '实施单位未填'}］"


class _NameSimilarity:
    """difflib's ratio of two normalised names (0.0 where its upper bounds already fall below
    `min_lex`), remembered: the same names meet in many pairs of tables (a corpus's tables share
    most of their vocabulary)."""

    def __init__(self, min_lex: float, limit: int = 500_000):  # about 70 MB at the limit
        self.min_lex, self.limit, self.memo = min_lex, limit, {}

    def __call__(self, x: str, y: str) -> float:
        sim = self.memo.get((x, y))
        if sim is None:
            m = difflib.SequenceMatcher(None, x, y, autojunk=False)
            # upper bounds of ratio(): most pairs are decided without the full alignment
            sim = 0.0 if m.real_quick_ratio() < self.min_lex or m.quick_ratio() < self.min_lex else m.ratio()
            if len(self.memo) >= self.limit:  # memory stays bounded on a corpus of very many names
                self.memo.clear()
            self.memo[(x, y)] = sim
        return sim


def _matches(a: list[str], b: list[str], min_lex: float, similarity: _NameSimilarity | None = None) -> list[tuple[int, int, float]]:
    """Rows of table `a` matched to rows of table `b` by normalised name (each used once; "" = not
    counted): (row in a, row in b, similarity). Equal names pair first; difflib only for the rest."""
    similarity = similarity or _NameSimilarity(min_lex)
    out, used = [], set()
    exact = defaultdict(list)
    for j, y in enumerate(b):
        if y:
            exact[y].append(j)
    rest = []
    for i, x in enumerate(a):
        if not x:
            continue
        if exact.get(x):
            j = exact[x].pop(0)
            used.add(j)
            out.append((i, j, 1.0))
        else:
            rest.append((i, x))
    for i, x in rest:
        best, bj = 0.0, -1
        for j, y in enumerate(b):
            if j in used or not y:
                continue
            sim = similarity(x, y)
            if sim > best:
                best, bj = sim, j
        if best >= min_lex:
            used.add(bj)
            out.append((i, bj, best))
    return out


def _candidates(forms: list[Form], rows: list[list[str]], keys: list[int], s: Settings, ctx) -> set[tuple[int, int]]:
    """Pairs of forms whose tables may be copies: each table's nearest tables by the mean embedding of
    its distinctive row names (FAISS), of different projects. Small corpora: every pair."""
    eligible = [k for k, r in enumerate(rows) if sum(1 for x in r if x) >= s["table.min_shared"]]
    k_near = s["table.candidates_k"]
    if len(eligible) <= k_near + 1:
        return {(i, j) for n, i in enumerate(eligible) for j in eligible[n + 1:] if keys[i] != keys[j]}
    first_text: dict[str, str] = {}
    for k in eligible:
        for ind, x in zip(forms[k].indicators, rows[k]):
            if x:
                first_text.setdefault(x, ind.name)
    names = list(first_text)
    pos = {x: i for i, x in enumerate(names)}
    vecs = np.asarray(ctx.embed([first_text[x] for x in names]), dtype=np.float32)
    tables = np.zeros((len(eligible), vecs.shape[1]), dtype=np.float32)
    for t, k in enumerate(eligible):
        tables[t] = vecs[[pos[x] for x in rows[k] if x]].mean(axis=0)
    tables /= np.maximum(np.linalg.norm(tables, axis=1, keepdims=True), 1e-12)
    from jixiao.review.neardup import knn  # FAISS: exact up to its flat limit, tuned IVF above

    scores, ids, _ = knn(np.ascontiguousarray(tables), k_near, s["table.candidate_min_cosine"])
    pairs = set()
    for t, (row, srow) in enumerate(zip(ids.tolist(), scores.tolist())):
        for u, cos in zip(row, srow):
            if u < 0 or u == t or cos < s["table.candidate_min_cosine"]:
                continue
            i, j = sorted((eligible[t], eligible[u]))
            if keys[i] != keys[j]:
                pairs.add((i, j))
    return pairs


@corpus_check("indicator.table_copied")
def table_copied(forms: list[Form], s: Settings, ctx=None) -> Iterator[Finding]:
    # One project = the forms linking puts together (one unit, names alike): a project renamed
    # between its declaration and its self-evaluation has not copied its own table.
    keys = project_ids(forms, s["link.name_min_lexical"], ctx.memo if ctx else None)
    owners = defaultdict(set)
    for f, key in zip(forms, keys):
        for ind in f.indicators:
            owners[normalise(ind.name)].add(key)
    n_projects = len(set(keys))
    generic = {name for name, who in owners.items()
               if len(who) >= 3 and len(who) >= s["table.generic_share"] * n_projects}
    # Each table's rows as normalised names, generic ones blanked (kept in place: row numbers matter).
    rows = [[nm if (nm := normalise(ind.name)) and nm not in generic and not _BOILERPLATE.search(nm) else ""
             for ind in f.indicators] for f in forms]
    pairs: dict[tuple[int, int], list] = {}
    similarity = _NameSimilarity(s["table.name_min_lexical"])
    for i, j in sorted(_candidates(forms, rows, keys, s, ctx)):
        m = _matches(rows[i], rows[j], s["table.name_min_lexical"], similarity)
        distinctive = min(sum(1 for x in rows[i] if x), sum(1 for y in rows[j] if y))
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
        # High: (almost) a whole table pasted from another unit's project. A unit reusing its own
        # template for its projects, or part of a table, is medium: less grave, and often honest.
        whole_elsewhere = any(len(linked[principal][k]) / max(1, sum(1 for x in rows[k] if x)) >= 0.9
                              and not _same_unit(p, forms[k]) for k in members)
        f = Finding(code="indicator.table_copied", severity="high" if whole_elsewhere else "medium",
                    message=f"{_label(p)}的绩效指标表与{names}的指标表基本相同（{len(linked[principal][members[0]])} 项指标名称一致或几乎一致），指标未按项目实际设置。",
                    project_name=p.project_name, unit=p.unit, year=p.year, form_type=p.form_type.value,
                    projects=[ref(p)] + [ref(forms[k]) for k in members], evidence=evidence)
        yield f.with_id(*sorted(f"{forms[k].project_name}|{forms[k].unit}|{forms[k].year}|{forms[k].form_type.value}" for k in [principal] + members))
