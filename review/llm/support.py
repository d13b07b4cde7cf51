"""Whether a quote the model gave bears on what it judged: a lexical test a reviewer can redo by eye.

A quote bears on a goal (or an indicator row) when, after the words every form uses are taken out,
it shares a pair of adjacent Chinese characters (征地·养老, 公务·用车) or a number (3298, 95%) with
it. For a goal, a sentence about the whole project's outcome (项目未开展, 已全面完成年度目标) bears
on it too: that is what "met"/"not_met" are defined on. Anything else — an execution rate, a head
count, a slogan quoted to judge a goal that names neither — stands in the document but does not
settle the goal, and `bears_on` says so. When the goal has no content left to compare (all generic
words), the test cannot tell and returns None.
"""

from __future__ import annotations

import re

from jixiao.review.evidence import normalise

# Words any goal and any report of it share; taken out, they do not make a quote relevant.
_GENERIC = sorted(set("""
通过项目的实施 通过项目实施 本项目 项目 完成 完成情况 目标 预期 实际 任务 工作 各项 年度 全年 本年度 计划 实施 开展 情况
推进 达到 实现 有效 顺利 全面 进一步 加强 提高 提升 确保 保障 保证 按照 根据 相关 有关 我区 本区 区级 全区 单位 部门
绩效 资金 有序 落实 基本 圆满 良好 整体 主要 进行 做好 取得 成效 效果 指标 年底 截止 截至
""".split()), key=len, reverse=True)
_GENERIC_RE = re.compile("|".join(map(re.escape, _GENERIC)))
_GLUE = re.compile(r"[的地得了和与及并在对等为将已未是有中年月日个各其之也又均共约达至到从于把被]")
_YEAR = re.compile(r"(?:19|20)\d{2}(?=年|$|\D)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_RUN = re.compile(r"[\u4e00-\u9fff]+")
# A sentence on the outcome of the whole project, target or task.
_OUTCOME = re.compile(
    r"(项目|目标|任务|工作|计划)[^，。；,;]{0,8}?(完成|达到|实现|达成|未开展|未启动|未实施|取消|终止|延期|暂停|推迟)"
    r"|(完成|达到|实现|达成)了?[^，。；,;]{0,8}?(目标|任务)")


def content(text: str) -> tuple[set[str], set[str]]:
    """The bigrams and numbers of `text` that say something of its own (generic words, glue and
    years taken out)."""
    t = normalise(text)
    numbers = {n for n in _NUMBER.findall(_YEAR.sub(" ", t)) if len(n.replace(".", "")) >= 2}
    t = _GLUE.sub(" ", _GENERIC_RE.sub(" ", t))
    grams = {run[i:i + 2] for run in _RUN.findall(t) for i in range(len(run) - 1)}
    return grams, numbers


def shared(quote: str, target: str) -> set[str]:
    """What a quote and a target have in common: bigrams and numbers (empty when nothing)."""
    qg, qn = content(quote)
    tg, tn = content(target)
    return (qg & tg) | (qn & tn)


def bears_on(quotes: list[str], target: str, *, outcome: bool = False) -> bool | None:
    """Whether one of `quotes` bears on `target`; None when the target has nothing to compare.
    `outcome`: a sentence about the whole project's outcome counts (goals, not indicator rows)."""
    tg, tn = content(target)
    if not tg and not tn:
        return None
    for q in quotes:
        if shared(q, target) or (outcome and _OUTCOME.search(q)):
            return True
    return False
