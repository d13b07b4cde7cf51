"""indicator.misplaced: an indicator filed under a category it does not belong to.

Two kinds of evidence. Name rules catch what needs no corpus (a 满意度 row outside 满意度指标, a
预算执行率 row outside 成本指标). The neighbour vote catches the rest: the row's name is embedded
with every other 三级指标 name in the corpus and the reference names in indicator_exemplars.toml;
when the nearest names that measure the same kind of thing (a count is compared with counts, a rate
of accuracy with such rates: see head()), filed by other projects, sit almost all under another
category and almost none under this row's, the row is reported with those neighbours as its evidence.

A count of people under 效益指标 (…人数, …人次) is never voted out: the people a project reached or
put in work are its outcome, and the counts nearest to it are mostly outputs (慰问人数, 培训人次).

Categories are compared as 成本指标 / 产出指标-数量 / 产出指标-质量 / 产出指标-时效 / 效益指标 /
满意度指标: the four 效益 二级指标 (经济, 社会, 生态, 可持续影响) overlap in honest use, so a vote
between them would report judgement calls, not filing errors.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np

from jixiao.forms.models import Form, Indicator
from jixiao.review.catalogue import Context, corpus_check
from jixiao.review.evidence import finding, ind_evidence, normalise, project_key
from jixiao.review.models import Evidence
from jixiao.review.settings import Settings

EXEMPLARS = Path(__file__).resolve().parent / "indicator_exemplars.toml"

# Name patterns that belong to one category; a row of that kind filed elsewhere is misplaced.
_EXPECTED: list[tuple[re.Pattern, str, str | None]] = [
    (re.compile(r"(满意度|满意率)$"), "满意度指标", None),  # 满意度调查开展次数 is a count, not a satisfaction
    (re.compile(r"预算执行率|资金执行率|成本控制|成本节约|费用控制"), "成本指标", None),
    # A name that measures a time or a deadline (…时间, …时限, 按时…率): every such row of the samples
    # is a 时效指标 (the one filed under 质量指标, 平台上线应用时间, is a real finding).
    (re.compile(r"及时性|及时率|时效|(时间|时限|期限|耗时)$|按时\S*率"), "产出指标", "时效指标"),
]
_SPLIT_LEVEL2 = {"产出指标"}  # level 1s whose level 2s are told apart (see the module's docstring)


def category(level1: str | None, level2: str | None) -> str | None:
    """The class a row is compared in: a level 1, or level 1-level 2 where level 2s are distinct."""
    if not level1:
        return None
    if level1 in _SPLIT_LEVEL2 and level2:
        return f"{level1}/{level2}"
    return level1


def _compatible(own: str, other: str) -> bool:
    """A row filed only under 产出指标 (no level 2) agrees with any 产出指标/… vote."""
    return own == other or other.startswith(own + "/") or own.startswith(other + "/")


def _rule(ind: Indicator) -> str | None:
    name = _stem(ind.name)
    for pattern, l1, l2 in _EXPECTED:
        if pattern.search(name) and (ind.level1 != l1 or (l2 and ind.level2 != l2)):
            want = f"{l1}/{l2}" if l2 else l1
            return f"“{ind.name}”应属{want}，却列在{ind.level1}/{ind.level2}下"
    if ind.level1 == "满意度指标" and not re.search(r"满意|好评|认可|认同", ind.name):
        return f"“{ind.name}”不是满意度，却列在满意度指标下"
    notes = [n for n in ind.notes if "二级指标栏写的是一级指标" in n or "写在二级指标栏" in n]
    if notes:
        return f"“{ind.name}”的指标类别填写错位（{notes[0]}）"
    return None


@dataclass
class _Name:
    text: str  # as first written
    owners: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # category → project keys
    where: dict[str, tuple[Form, Indicator] | int] = field(default_factory=dict)  # category → one example (a form's row, or a line of the reference list)


def exemplars() -> list[tuple[str, str, str, int]]:
    """(name, level 1, level 2, line in indicator_exemplars.toml): a reference name is evidence too,
    and a reviewer checks it where it is written."""
    text = EXEMPLARS.read_text(encoding="utf-8")
    lines = text.splitlines()
    data = tomllib.loads(text)
    out = []
    for l1, l2s in data.items():
        for l2, names in l2s.items():
            for name in names:
                line = next((n for n, x in enumerate(lines, 1) if f'"{name}"' in x and not x.startswith(f'"{name}"')), 0)
                out.append((name, l1, l2, line))
    return out


def _names(forms: list[Form]) -> dict[str, _Name]:
    names: dict[str, _Name] = {}
    for name, l1, l2, line in exemplars():
        entry = names.setdefault(normalise(name), _Name(name))
        cat = category(l1, l2)
        entry.owners[cat].add(f"参考样例:{name}")
        entry.where.setdefault(cat, line)
    for form in forms:
        pk = project_key(form)
        for ind in form.indicators:
            cat = category(ind.level1, ind.level2)
            key = normalise(ind.name)
            if not key or not cat:
                continue
            entry = names.setdefault(key, _Name(ind.name))
            entry.owners[cat].add(pk)
            entry.where.setdefault(cat, (form, ind))
    return names


def _neighbours(vectors: np.ndarray, k: int, heads: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each name's k nearest among the names of its head (itself first): only those vote (see
    head()), and a name nobody else files still finds the nearest counts when a count, however far
    its nearest names overall are of other kinds."""
    from jixiao.review.neardup import knn  # FAISS: exact up to its flat limit, tuned IVF above

    scores = np.zeros((len(heads), k + 1), dtype=np.float32)
    ids = np.full((len(heads), k + 1), -1, dtype=np.int64)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, h in enumerate(heads):
        groups[h].append(i)
    for members in groups.values():
        idx = np.asarray(members, dtype=np.int64)
        s, j, _ = knn(np.ascontiguousarray(vectors[idx]), k, 0.0)
        scores[idx, :s.shape[1]] = s
        ids[idx, :j.shape[1]] = np.where(j >= 0, idx[np.maximum(j, 0)], -1)
    return scores, ids


# Words that name no measure by themselves (保障, 情况, 效果 …): the measured word is the last four
# characters (健全情况, 安全保障), else 雇员队伍稳定性保障 and 援外干部工作保障 would be one kind.
_GENERIC_HEADS = {"情况", "程度", "效果", "水平", "工作", "建设", "指标", "效率", "能力", "保障"}
# Measured words that are one kind of measure however they are spelled: counts, deadlines, satisfaction.
_HEAD_FAMILIES = [
    # People who reached an outcome (就业人数, 受益人数, 成功招聘人数): an honest 效益 measure that output
    # counts ending in 人数 (慰问人数, 聘请数量) must not vote out; they are a kind of their own.
    ("成效人数", re.compile(r"((就业|创业|受益|脱贫|增收|参保|留用|录用|获奖|晋升|获证|取证)|成功\S{0,6})(人数|人次)$")),
    # Events that should not happen (有责投诉数, 重大故障数, 群体性事件发生数, target 0): a 效益 or a
    # quality, never an output delivered.
    ("事件数", re.compile(r"(发生|投诉|故障|事故|差错|隐患|违规|违法|信访|上访)\S{0,3}(数|数量)$")),
    # …数 is a count (岗位数, 机构数, 来电数), but not 指数, 分数, 系数, 倍数, 参数 (no counts) nor 天数 (a span)
    ("数量", re.compile(r"(数量|[^指分系倍参函天]数|人次|场次|班次|批次|户次|件次)$")),
    ("时效", re.compile(r"(及时性|及时率|时间|时限|时效|期限)$")),
    ("满意度", re.compile(r"(满意度|满意率)$")),
]
OUTCOME_COUNT = "成效人数"


def _stem(name: str) -> str:
    """The name without what trails its last Chinese character: 群众满意度（%） ends on 满意度."""
    return re.sub(r"[^\u4e00-\u9fff]+$", "", normalise(name))


@lru_cache(maxsize=1 << 16)
def head(name: str) -> str:
    """The measured word a 三级指标 name ends on (及时率, 准确率, 人次, 满意度 …): Chinese puts the head
    last, and it is what decides the category. 宣传活动开展次数 and 宣传活动内容 embed close together
    but are a count and a quality; names whose heads differ never vote for each other. A rate, a
    property or a degree is its last three characters: 执行率 and 运行率, 健全性 and 安全性 measure
    different things."""
    n = _stem(name)
    for family, pattern in _HEAD_FAMILIES:
        if pattern.search(n):
            return family
    if n[-2:] in _GENERIC_HEADS:
        return n[-4:]
    return n[-3:] if n[-1:] in "率性度" else n[-2:]


_VOTER_CAP = 50  # voters are counted up to here: a vote needs a few (misplaced_min_sources), not all


def _vote(u: int, own_project: str, scores: np.ndarray, ids: np.ndarray, keys: list[str],
          names: dict[str, _Name], min_cosine: float) -> tuple[dict[str, float], set[str], list[tuple[int, str, float]]]:
    """Votes per category from the names near `u` (u itself included), counting each other project
    once per name; the row's own project never votes for itself. `voters` holds up to _VOTER_CAP of
    the projects that voted (a name filed by thousands of projects is not copied for every row)."""
    votes: dict[str, float] = defaultdict(float)
    voters: set[str] = set()
    support: list[tuple[int, str, float]] = []
    own_head = head(keys[u])
    for v, cos in zip(ids[u].tolist(), scores[u].tolist()):
        if v < 0 or cos < min_cosine or (v != u and head(keys[v]) != own_head):
            continue
        for cat, owners in names[keys[v]].owners.items():
            n_others = len(owners) - (own_project in owners)
            if n_others:
                votes[cat] += cos * n_others
                support.append((v, cat, cos))
                for p in owners:
                    if len(voters) >= _VOTER_CAP:
                        break
                    if p != own_project:
                        voters.add(p)
    return votes, voters, support


def honest(name: str, own: str) -> bool:
    """A filing the vote never questions: a count of people under 效益 (就业人数, 受益人数, 参加招聘会人次)
    is an honest outcome measure, however many projects file counts ending in 人数 as outputs."""
    return own == "效益指标" and (head(name) == OUTCOME_COUNT or re.search(r"(人数|人次)$", _stem(name)) is not None)


def outvoted(votes: dict[str, float], voters: set[str], own: str, min_sources: int, max_own: float,
             min_share: float) -> tuple[str, float] | None:
    """The category the vote puts a row of category `own` in, and its share of the vote, when enough
    projects vote, hardly any for `own`, and most for that one; None otherwise."""
    total = sum(votes.values())
    if len(voters) < min_sources or not total:
        return None
    own_share = sum(w for c, w in votes.items() if _compatible(own, c)) / total
    best, best_w = max(((c, w) for c, w in votes.items() if not _compatible(own, c)), key=lambda x: x[1], default=(None, 0.0))
    if best is None or own_share > max_own or best_w / total < min_share:
        return None
    return best, best_w / total


def _neighbour_evidence(names: dict[str, _Name], keys: list[str], support, best: str, limit: int = 3) -> list[Evidence]:
    out = []
    for v, cat, cos in sorted((x for x in support if x[1] == best), key=lambda x: -x[2])[:limit]:
        entry = names[keys[v]]
        example = entry.where.get(cat)
        if isinstance(example, int):
            out.append(Evidence(label="相近指标（参考样例）", text=f"{entry.text}（{cat}）", value=round(cos, 3),
                                file=f"jixiao/review/{EXEMPLARS.name}", line=example or 1))
        else:
            form, ind = example
            out.append(Evidence(label=f"相近指标（{len(entry.owners[cat])} 个项目）", text=f"{ind.name}（{ind.level1}/{ind.level2}）",
                                value=round(cos, 3), file=form.source.file, line=ind.line, project_name=form.project_name))
    return out


@corpus_check("indicator.misplaced")
def misplaced(forms: list[Form], s: Settings, ctx: Context) -> Iterator:
    voted: list[tuple[Form, Indicator]] = []
    for form in forms:
        for ind in form.indicators:
            if not ind.name:
                continue
            why = _rule(ind)
            if why:
                yield finding(form, "indicator.misplaced", "low", f"{form.project_name}：{why}。",
                              ind_evidence(form, ind, "level1", "level2"), ind.name)
            elif category(ind.level1, ind.level2):
                voted.append((form, ind))
    if not voted:
        return
    names = _names(forms)
    keys = list(names)
    vectors = np.ascontiguousarray(ctx.embed([names[k].text for k in keys]), dtype=np.float32)
    scores, ids = _neighbours(vectors, s["indicator.misplaced_k"], [head(k) for k in keys])
    index = {k: i for i, k in enumerate(keys)}
    for form, ind in voted:
        own = category(ind.level1, ind.level2)
        if honest(ind.name, own):
            continue
        votes, voters, support = _vote(index[normalise(ind.name)], project_key(form), scores, ids, keys, names,
                                       s["indicator.misplaced_min_cosine"])
        verdict = outvoted(votes, voters, own, s["indicator.misplaced_min_sources"],
                           s["indicator.misplaced_max_own_share"], s["indicator.misplaced_min_share"])
        if verdict is None:
            continue
        best, share = verdict
        near = list(dict.fromkeys(names[keys[v]].text for v, c, _ in sorted(support, key=lambda x: -x[2]) if c == best))
        shown = "、".join(near[:3]) + (f"等{len(near)}个" if len(near) > 3 else "")  # whole names: a cut one misleads
        message = (f"{form.project_name}：“{ind.name}”列在{own}下，而与其最相近的指标（{shown}）"
                   f"{share:.0%}列在{best}下，可能归类错误。")
        yield finding(form, "indicator.misplaced", "low", message,
                      ind_evidence(form, ind, "level1", "level2") + _neighbour_evidence(names, keys, support, best), ind.name)
