"""A goal filed under a project it does not belong to: it fits another project's name and content better."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from jixiao.forms.models import Form
from jixiao.review import neardup as nd
from jixiao.review.catalogue import Context, corpus_check
from jixiao.review.checks_goal_corpus import goal_items
from jixiao.review.evidence import normalise, ref
from jixiao.review.linking import name_key, project_ids
from jixiao.review.models import Evidence, Finding
from jixiao.review.owner_lists import OwnerLists, inverse
from jixiao.review.settings import Settings

# Does a goal belong to its own project? A project is described by its name and by its indicator table
# (the 三级指标 say what it does); another project also by its goal texts (the goal's own project's
# other goals are not used: a pasted goal is usually pasted into all of its forms). fit(goal, P) =
# w·cos(goal, P's name) + (1−w)·max cos(goal, P's distinctive indicator names). A goal about nothing
# in particular fits every project about as well as its best one: the crowd, its median fit over a
# fixed sample of projects, says how much a fit stands out. Two ways to report:
# - the goal is a near copy of other projects' goals (the test goal.boilerplate_shared uses): the text
#   is shared, and whose it is is decided first by the names it writes (a holder's name, not its own
#   project's: 宁夏路627号6幢 in 志丹路4号's goal), else by the fits: it belongs to the holder it fits
#   best, if that fit stands out of the crowd (mismatch_copy_specific: a formula does not), and is
#   reported on the holders it fits worse by mismatch_dup_margin (DOMAIN.md: 就业创业综合服务项目
#   carries 信息系统运维费's goal). A text held by more than mismatch_max_holders projects is left to
#   goal.boilerplate_shared;
# - no copy: the goal fits its own project poorly (fit ≤ mismatch_own_max), another project clearly
#   better (by mismatch_margin), and that project's own goals speak of the same thing (cosine ≥
#   mismatch_content_min) or its fit stands out of the crowd by mismatch_specific. A goal pasted from a
#   project outside the corpus, whose topic no project of the corpus has, still looks like a generic
#   goal and is not reported.
# The projects a goal is compared with are those of its _NEAREST nearest goals, of its _NEAREST_ROWS
# nearest project names and indicator names, and its own (matrix products over chunks of distinct goal
# texts); their fits come from the same products, reduced per project with numpy, and only the
# candidate copies are compared character by character.

_CHUNK = 512  # distinct goal texts per matrix product (memory: chunk × distinct indicator names)
_NEAREST = 50  # goals (distinct texts) a goal is compared with, the nearest by cosine
_NEAREST_ROWS = 20  # and the projects of its nearest project names and indicator names
_CROWD = 200  # projects (a fixed sample) a goal's fit to an arbitrary project is taken over


@dataclass
class _Project:
    names: dict[str, Form] = field(default_factory=dict)  # name → the first form that writes it
    rows: dict[str, tuple[Form, int]] = field(default_factory=dict)  # indicator name → where
    goals: dict[str, tuple[Form, int]] = field(default_factory=dict)  # goal text → where


def _mismatch_projects(forms: list[Form], owners: list[int], min_chars: int) -> dict[int, _Project]:
    projects: dict[int, _Project] = {}
    for f, o in zip(forms, owners):
        if not f.project_name:
            continue
        p = projects.setdefault(o, _Project())
        p.names.setdefault(f.project_name, f)
        for ind in f.indicators:
            if ind.name and ind.name.strip():
                p.rows.setdefault(ind.name, (f, ind.line))
        for _, _, text, line, _ in goal_items([f], min_chars, [o]):
            p.goals.setdefault(text, (f, line))
    return projects


def _pairs(text: str) -> set[str]:
    t = name_key(text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


class _Mentions:
    """Which of two projects' names a text writes. A name's distinctive character pairs are those few
    project names have (not 经费, 项目, 专项); of two projects, only the pairs one name has and the other
    lacks tell them apart (志丹路4号…外立面修缮 and 宁夏路627号6幢…外立面修缮 share 外立面修缮)."""

    def __init__(self, plist: list[_Project]):
        names = {n for p in plist for n in p.names}
        df: dict[str, int] = {}
        for n in names:
            for b in _pairs(n):
                df[b] = df.get(b, 0) + 1
        limit = max(3, 0.1 * len(names))
        self.names = [[name_key(n) for n in p.names] for p in plist]
        self.keys = [{b for n in p.names for b in _pairs(n) if df[b] < limit} for p in plist]

    def contrast(self, text_pairs: set[str], a: int, b: int) -> tuple[float, float, str]:
        """(share of a's own pairs the text writes, the same for b, the part of a's name written)."""
        only_a, only_b = self.keys[a] - self.keys[b], self.keys[b] - self.keys[a]
        hit_a = only_a & text_pairs
        share_a = len(hit_a) / len(only_a) if only_a else 0.0
        share_b = len(only_b & text_pairs) / len(only_b) if only_b else 0.0
        written = max((_written(n, hit_a, text_pairs) for n in self.names[a]), key=len)  # the name the text writes most of
        return share_a, share_b, written


def _written(name: str, hit: set[str], text_pairs: set[str]) -> str:
    """The passages of the name the text writes (chains of its character pairs) that hold a deciding
    pair: 信息系统、运维 (信息 and 系统 are in many names, 息系 and 运维 decide), not 息系、运维."""
    runs, start = [], None
    for i in range(len(name)):
        if i < len(name) - 1 and name[i:i + 2] in text_pairs:
            start = i if start is None else start
        elif start is not None:
            runs.append(name[start:i + 1])
            start = None
    return "、".join(r for r in runs if any(r[i:i + 2] in hit for i in range(len(r) - 1)))


@corpus_check("goal.project_mismatch")
def project_mismatch(forms: list[Form], s: Settings, ctx: Context) -> Iterator[Finding]:
    owners = project_ids(forms, s["link.name_min_lexical"], ctx.memo)  # a renamed project is one project
    projects = _mismatch_projects(forms, owners, s["boilerplate.min_chars"])
    if len(projects) < 2:
        return
    keys = list(projects)
    pidx = {k: i for i, k in enumerate(keys)}
    plist = [projects[k] for k in keys]
    # The same project name at another unit is the same kind of project: never "another" one here
    # (two units filing one project with one goal is goal.boilerplate_shared's finding).
    name_keys = [{name_key(n) for n in p.names} for p in plist]
    by_key: dict[str, set[int]] = {}
    for i, ks in enumerate(name_keys):
        for k in ks:
            by_key.setdefault(k, set()).add(i)
    same_name = [set().union(*(by_key[k] for k in ks)) for ks in name_keys]
    kind = [min(x) for x in same_name]  # one number for the projects of one name

    # Distinctive rows: a name in the tables of many projects (预算执行率, 满意度) says nothing of any.
    df: dict[str, int] = {}
    for p in plist:
        for n in {normalise(r) for r in p.rows}:
            df[n] = df.get(n, 0) + 1
    common = max(3, s["boilerplate.mismatch_generic_rows"] * len(plist))
    proj_rows = [[r for r in p.rows if df[normalise(r)] < common] or list(p.rows) for p in plist]

    # The goals judged: each distinct text once, with the projects (and their forms) that carry it.
    carriers: dict[str, dict[int, list[Form]]] = {}
    for f, o in zip(forms, owners):
        if f.project_name and f.goal.expected and normalise(f.goal.expected):
            carriers.setdefault(f.goal.expected, {}).setdefault(pidx[o], []).append(f)
    if not carriers:
        return
    qtexts = list(carriers)
    names = sorted({n for p in plist for n in p.names})
    rows = sorted({r for rs in proj_rows for r in rs})
    goals = sorted({g for p in plist for g in p.goals})
    vecs = np.asarray(ctx.embed(names + rows + goals + qtexts), dtype=np.float32)
    n_vecs, r_vecs, g_vecs, q_vecs = np.split(vecs, np.cumsum([len(names), len(rows), len(goals)]))
    ni, ri, gi = ({t: i for i, t in enumerate(x)} for x in (names, rows, goals))
    name_lists = [[ni[n] for n in p.names] for p in plist]
    row_lists = [[ri[r] for r in rs] for rs in proj_rows]
    by_name, by_rows = OwnerLists(name_lists), OwnerLists(row_lists)
    goal_owners = [[] for _ in goals]
    for j, p in enumerate(plist):
        for g in p.goals:
            goal_owners[gi[g]].append(j)
    by_goal = OwnerLists(goal_owners)  # goal → the projects that write it
    has_rows = by_rows.lengths > 0
    w, n_proj = s["boilerplate.mismatch_name_weight"], len(plist)
    gate = min(s["boilerplate.mismatch_content_min"], s["boilerplate.min_cosine"])
    lookup = (r_vecs, ri, g_vecs, gi, proj_rows)
    dice = nd.LexicalCache()
    mentions = _Mentions(plist)

    name_owners = OwnerLists(inverse(name_lists, len(names)))
    # (an indicator name many projects file points at none of them: left out, and the pairs stay few)
    row_owners = OwnerLists([o if len(o) <= _NEAREST else [] for o in inverse(row_lists, len(rows))])
    crowd_sample = np.arange(0, n_proj, max(1, n_proj // _CROWD), dtype=np.int64)[:_CROWD]

    for c0 in range(0, len(qtexts), _CHUNK):
        texts, q = qtexts[c0:c0 + _CHUNK], q_vecs[c0:c0 + _CHUNK]
        g_cos, n_cos, r_cos = q @ g_vecs.T, q @ n_vecs.T, q @ r_vecs.T

        def fits(pt: np.ndarray, pp: np.ndarray) -> np.ndarray:
            name_sim = by_name.best(n_cos, pt, pp)
            row_sim = by_rows.best(r_cos, pt, pp)
            return np.where(has_rows[pp], w * name_sim + (1 - w) * row_sim, name_sim)

        # How well a text fits a project chosen at random (the median over a fixed sample): a goal
        # about nothing in particular fits every project about as well as its best one.
        st = np.repeat(np.arange(len(texts)), len(crowd_sample))
        crowd = np.median(fits(st, np.tile(crowd_sample, len(texts))).reshape(len(texts), -1), axis=1)
        # Candidates of each text: the projects of its nearest goals (at most _NEAREST, at `gate` or
        # closer: a goal shared by a thousand projects is one goal), and its own projects.
        if g_cos.shape[1] > _NEAREST:
            near = np.argpartition(-g_cos, _NEAREST, axis=1)[:, :_NEAREST]
            ti, col = np.nonzero(np.take_along_axis(g_cos, near, axis=1) >= gate)
            gj = near[ti, col]
        else:
            ti, gj = np.nonzero(g_cos >= gate)
        pos, cand = by_goal.expand(gj)
        own_t = [k for k, t in enumerate(texts) for _ in carriers[t]]
        own_p = [o for t in texts for o in carriers[t]]
        # ... and the projects whose names or rows come nearest (a goal pasted from a project outside
        # the corpus: no goal of the corpus is near it, a project doing the same thing may be).
        extra_t, extra_p = [], []
        for cos, owners_of in ((n_cos, name_owners), (r_cos, row_owners)):
            k_near = min(_NEAREST_ROWS, cos.shape[1])
            if k_near:
                near = np.argpartition(-cos, k_near - 1, axis=1)[:, :k_near]
                p_pos, p_cand = owners_of.expand(near.ravel())
                extra_t.append(np.repeat(np.arange(len(texts)), k_near)[p_pos])
                extra_p.append(p_cand)
        pair_t = np.concatenate([ti[pos], np.asarray(own_t, dtype=np.int64), *extra_t])
        pair_p = np.concatenate([cand, np.asarray(own_p, dtype=np.int64), *extra_p])
        pair_c = np.concatenate([g_cos[ti, gj][pos], np.full(len(pair_t) - len(pos), -1.0, dtype=np.float32)])
        pairs, inv = np.unique(pair_t * n_proj + pair_p, return_inverse=True)
        goal_sim = np.full(len(pairs), -1.0, dtype=np.float32)
        np.maximum.at(goal_sim, inv, pair_c)
        pt, pp = pairs // n_proj, pairs % n_proj
        fit = fits(pt, pp)
        bounds = np.searchsorted(pt, np.arange(len(texts) + 1))
        for k, text in enumerate(texts):
            a, b = bounds[k], bounds[k + 1]
            copies = _copies(text, gj[ti == k], g_cos[k], goals, by_goal, dice, s)
            if len({kind[p] for p in copies}) > s["boilerplate.mismatch_max_holders"]:
                continue  # a formula many projects use: goal.boilerplate_shared's, belongs to none
            cands = _Candidates(pp[a:b], fit[a:b], goal_sim[a:b], copies, float(crowd[k]), mentions, _pairs(text))
            for own, fs in carriers[text].items():
                verdict = cands.verdict(own, same_name[own], s)
                if verdict is not None:
                    for f in fs:
                        yield _mismatch_finding(f, plist[own], plist[verdict.other], text, q[k], verdict, own, lookup)


def _copies(text: str, near: np.ndarray, g_cos: np.ndarray, goals: list[str], by_goal: OwnerLists,
            dice: nd.LexicalCache, s: Settings) -> dict[int, tuple[str, float]]:
    """Projects with a near copy of the text among its `near` goals (goal.boilerplate_shared's test):
    the closest copy and its lexical similarity. The text's own projects are among them."""
    out: dict[int, tuple[str, float]] = {}
    for j in near[g_cos[near] >= s["boilerplate.min_cosine"]].tolist():
        lex = dice(text, goals[j])
        if lex >= s["boilerplate.min_lexical"]:
            for p in by_goal.cols[by_goal.starts[j]:by_goal.starts[j] + by_goal.lengths[j]].tolist():
                if p not in out or out[p][1] < lex:
                    out[p] = (goals[j], lex)
    return out


@dataclass
class _Candidates:
    """The projects a goal text is compared with (sorted by project number), how well it fits each
    (name and table), how close each one's own goals come, and which of them hold a copy of it."""

    projects: np.ndarray
    fit: np.ndarray
    goal_sim: np.ndarray
    copies: dict[int, tuple[str, float]]
    crowd: float  # how well the text fits a project taken at random
    mentions: _Mentions
    text_pairs: set[str]

    def __post_init__(self):
        self.order = np.argsort(-self.fit, kind="stable")

    def _best(self, excluded: set[int], allowed) -> int | None:
        for i in self.order.tolist():
            p = int(self.projects[i])
            if p not in excluded and allowed(i, p):
                return i
        return None

    def verdict(self, own: int, same_name: set[int], s: Settings) -> _Verdict | None:
        """The project the text belongs to rather than `own`, and why; or None."""
        excluded = same_name | {own}
        fit_own = float(self.fit[np.searchsorted(self.projects, own)])
        if any(p not in excluded for p in self.copies):  # a shared text: whose is it?
            return self._shared(own, excluded, fit_own, s)
        if fit_own > s["boilerplate.mismatch_own_max"]:
            return None
        i = self._best(excluded, lambda i, p: self.goal_sim[i] >= s["boilerplate.mismatch_content_min"]
                       or self.fit[i] - self.crowd >= s["boilerplate.mismatch_specific"])
        if i is None or self.fit[i] - fit_own < s["boilerplate.mismatch_margin"]:
            return None
        return _Verdict(int(self.projects[i]), fit_own, float(self.fit[i]))

    def _shared(self, own: int, excluded: set[int], fit_own: float, s: Settings) -> _Verdict | None:
        # The text writes a holder's name and not its own project's (宁夏路627号6幢 in 志丹路4号's
        # goal): it is that holder's, whatever the fits say; the other way round it is its own.
        margin = s["boilerplate.mismatch_name_margin"]
        holders = [p for p in self.copies if p not in excluded]
        contrasts = {p: self.mentions.contrast(self.text_pairs, p, own) for p in holders}
        named = max(holders, key=lambda p: contrasts[p][0] - contrasts[p][1])
        if contrasts[named][0] - contrasts[named][1] >= margin:
            i = int(np.searchsorted(self.projects, named))
            return _Verdict(named, fit_own, float(self.fit[i]), *self.copies[named], named=contrasts[named][2])
        i = self._best(excluded, lambda i, p: p in self.copies)  # else it belongs where it fits best
        other, fit_other = int(self.projects[i]), float(self.fit[i])
        if contrasts[other][1] - contrasts[other][0] >= margin \
                or fit_other - fit_own < s["boilerplate.mismatch_dup_margin"] \
                or fit_other - self.crowd < s["boilerplate.mismatch_copy_specific"]:
            return None
        return _Verdict(other, fit_own, fit_other, *self.copies[other])


@dataclass
class _Verdict:
    other: int  # the project the text belongs to
    fit_own: float
    fit_other: float
    copied: str | None = None  # the other project's copy of the text, and how close (trigram Dice)
    lex: float | None = None
    named: str | None = None  # the part of the other project's name the text writes, when that decided


def _mismatch_finding(f: Form, own: _Project, other: _Project, text: str, qv: np.ndarray, v: _Verdict, own_i: int,
                      lookup) -> Finding:
    r_vecs, ri, g_vecs, gi, proj_rows = lookup
    copied, lex, fit_own, fit_other = v.copied, v.lex, v.fit_own, v.fit_other
    other_name, other_form = next(iter(other.names.items()))
    if copied is None:  # the other project's goal closest to this one
        copied = max(other.goals, key=lambda g: float(g_vecs[gi[g]] @ qv))
    goal_form, goal_line = other.goals[copied]
    rows = sorted(proj_rows[own_i], key=lambda r: -float(r_vecs[ri[r]] @ qv))[:2]
    how = ("与该项目的目标" + ("相同" if lex >= 0.995 else "几乎相同")) if lex is not None \
        else "与本项目名称和指标都不相符，与该项目的目标内容相近"
    if v.named:
        how += f"，且写的是该项目的名称（“{v.named}”）"
    evidence = [
        Evidence(label="预期目标", text=text, file=f.source.file, line=f.goal.expected_line or f.source.first_line,
                 project_name=f.project_name),
        Evidence(label="本项目名称（目标与本项目名称和指标的相符度）", text=f.project_name, value=round(fit_own, 3),
                 file=f.source.file, line=_name_line(f), project_name=f.project_name)]
    if rows:
        rf, rl = own.rows[rows[0]]
        evidence.append(Evidence(label="本项目与目标最接近的指标（余弦）", text="；".join(rows),
                                 value=round(float(r_vecs[ri[rows[0]]] @ qv), 3),
                                 file=rf.source.file, line=rl, project_name=rf.project_name))
    evidence += [
        Evidence(label="更相符的项目（目标与该项目名称和指标的相符度）", text=other_name, value=round(fit_other, 3),
                 file=other_form.source.file, line=_name_line(other_form), project_name=other_name)]
    if v.named:
        evidence.append(Evidence(label="目标中写到的该项目名称", text=v.named, file=f.source.file,
                                 line=f.goal.expected_line or f.source.first_line, project_name=f.project_name))
    evidence += [
        Evidence(label="该项目的目标" + ("（字面相似度）" if lex is not None else "（余弦）"), text=copied,
                 value=round(lex if lex is not None else float(g_vecs[gi[copied]] @ qv), 3),
                 file=goal_form.source.file, line=goal_line, project_name=goal_form.project_name)]
    return Finding(
        code="goal.project_mismatch", severity="medium",
        message=(f"{f.project_name}的绩效目标更像是“{other_name}”的目标：{how}；目标与该项目名称和指标的相符度"
                 f"{fit_other:.2f}，与本项目{fit_own:.2f}。"),
        project_name=f.project_name, unit=f.unit, year=f.year, form_type=f.form_type.value,
        projects=[ref(f), ref(other_form)], evidence=evidence,
    ).with_id(normalise(text)[:40])  # the goal and where it is filed: the same finding when a better-fitting project appears


def _name_line(f: Form) -> int:
    return f.lines.get("project_name") or f.source.first_line
