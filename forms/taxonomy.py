"""The national indicator taxonomy (一级指标 / 二级指标) and fuzzy matching of exported label cells.

Text exports wrap and split label cells ("服务 对象 满意 度指 标", "时效" + "指标" on the next page,
"满意度指 标"), so matching works on a whitespace-free key and accepts a truncated label as long as
it is the beginning of exactly one known label.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

TAXONOMY: dict[str, tuple[str, ...]] = {
    "成本指标": ("经济成本指标", "社会成本指标", "生态环境成本指标"),
    "产出指标": ("数量指标", "质量指标", "时效指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
}

# When a row names a level 1 but no level 2, the level 2 most forms use under it.
DEFAULT_LEVEL2: dict[str, str] = {
    "成本指标": "经济成本指标",
    "产出指标": "数量指标",
    "效益指标": "社会效益指标",
    "满意度指标": "服务对象满意度指标",
}

PARENT: dict[str, str] = {l2: l1 for l1, l2s in TAXONOMY.items() for l2 in l2s}

# Spellings seen in forms of other templates and years, mapped to the canonical label.
_ALIASES: dict[str, str] = {
    "生态环境效益指标": "生态效益指标",
    "生态成本指标": "生态环境成本指标",
    "可持续影响": "可持续影响指标",
    "可持续发展指标": "可持续影响指标",
    "服务对象满意度": "服务对象满意度指标",
    "满意度": "满意度指标",
    "经济成本": "经济成本指标",
    "社会成本": "社会成本指标",
}

_POINTS = re.compile(r"[(（]\d+(?:\.\d+)?分[)）]$")
_CHARS = set("".join(TAXONOMY) + "".join(l2 for v in TAXONOMY.values() for l2 in v))
_WS = re.compile(r"\s+")


def _key(text: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", text)).strip(":：")


_key_cached = lru_cache(maxsize=16384)(_key)


def label_key(text: str) -> str:
    """Whitespace-free, width-normalised form of a cell for label comparison."""
    # Labels and values repeat across thousands of forms; sentences do not, and would only churn the cache.
    return _key_cached(text) if len(text) <= 24 else _key(text)


class LabelMatch(NamedTuple):
    level: int  # 1 or 2
    label: str  # canonical taxonomy label
    exact: bool  # False when the cell was only the beginning of the label


@lru_cache(maxsize=4096)
def match_label(text: str, context_level1: str | None = None) -> LabelMatch | None:
    """Match a cell against the taxonomy: exact, alias, or an unambiguous truncated prefix."""
    if len(text) > 30:  # the longest label, spaced out by wrapping, is shorter
        return None
    key = label_key(text)
    if "分" in key:  # "产出指标(50分)", "满意度指标（10分）": the label with its points (Anhui, Sichuan)
        key = _POINTS.sub("", key) or key
    if not key:
        return None
    if key in TAXONOMY:
        return LabelMatch(1, key, True)
    if key in PARENT:
        return LabelMatch(2, key, True)
    # Aliases and labels without "指标" are also ordinary words ("满意度" is a common 三级指标
    # name), so they are not exact: the row reader accepts them only when a name follows.
    if key in _ALIASES:
        canon = _ALIASES[key]
        return LabelMatch(1 if canon in TAXONOMY else 2, canon, key.endswith("指标"))
    if not key.endswith("指标") and key + "指标" in PARENT:
        return LabelMatch(2, key + "指标", False)
    if not key.endswith("指标") and key + "指标" in TAXONOMY:
        return LabelMatch(1, key + "指标", False)
    if len(key) < 2:
        return None
    l1 = [t for t in TAXONOMY if t.startswith(key)]
    l2 = [t for t in PARENT if t.startswith(key)]
    if l1 and not l2 and len(l1) == 1:
        return LabelMatch(1, l1[0], False)
    if l2 and not l1:
        if len(l2) > 1 and context_level1:
            l2 = [t for t in l2 if PARENT[t] == context_level1] or l2
        if len(l2) == 1:
            return LabelMatch(2, l2[0], False)
    return None


def is_label_fragment(text: str) -> bool:
    """True for stray pieces of vertically printed labels ("标", "度指标", "满 意 度 指 标 标")."""
    key = label_key(text)
    return bool(key) and all(ch in _CHARS for ch in key)


def label_char_share(texts: list[str]) -> float:
    """Share of characters that belong to taxonomy labels: near 1 for vertical-label debris."""
    key = "".join(label_key(t) for t in texts)
    return sum(ch in _CHARS for ch in key) / len(key) if key else 0.0


def resolve_levels(
    labels: list[LabelMatch], inherited: tuple[str | None, str | None]
) -> tuple[str, str, list[str]]:
    """Decide (level1, level2) for a row from the labels it shows and those inherited from above.

    Returns the pair and notes describing any repair, so a reviewer can see what the form said.
    """
    notes: list[str] = []
    l1s = [m.label for m in labels if m.level == 1]
    l2s = [m.label for m in labels if m.level == 2]
    inh1, inh2 = inherited
    if l2s:
        l2 = l2s[-1]
        l1 = PARENT[l2]
        shown = l1s[-1] if l1s else None
        if shown and shown != l1:
            notes.append(f"二级指标“{l2}”不属于一级指标“{shown}”，按分类归入“{l1}”")
        elif shown is None and inh1 != l1:
            # The first row of a block with its level-1 cell left empty (or the merged cell's text
            # printed lower down): the level 2 names its level 1, but the reader should know.
            above = f"（上一行为“{inh1}”）" if inh1 else ""
            notes.append(f"未填一级指标{above}，按二级指标“{l2}”归入“{l1}”")
        return l1, l2, notes
    if l1s:
        l1 = l1s[-1]
        if len(l1s) > 1:
            # A level-1 word sits in the level-2 column (e.g. 成本指标 under 效益指标): the
            # later, more specific cell names the category the row is really filed under.
            notes.append(f"二级指标栏写的是一级指标“{l1}”（一级指标栏为“{l1s[0]}”）")
            return l1, DEFAULT_LEVEL2[l1], notes
        if l1 == inh1 and inh2 and PARENT.get(inh2) == l1:
            return l1, inh2, notes
        notes.append(f"未填二级指标，按“{DEFAULT_LEVEL2[l1]}”处理")
        return l1, DEFAULT_LEVEL2[l1], notes
    if inh1 and inh2:
        return inh1, inh2, notes
    if inh1:
        notes.append(f"未填二级指标，按“{DEFAULT_LEVEL2[inh1]}”处理")
        return inh1, DEFAULT_LEVEL2[inh1], notes
    notes.append("未填一级、二级指标，无法从上文继承")
    return "", "", notes
