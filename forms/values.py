"""Parsing of indicator values (年度指标值, 实际完成值) and plain amounts.

Targets are written as operator + number + unit (`≥90.00(%)`, `=40.00(班次)`, `≥ 4500.00(名)`),
bare (`100%`, `985米`, `116822`), or as words (及时, 提升, 建立健全, 11月底). Actuals follow the same
notation without the operator, or say 达成指标 / 部分达成指标并具有一定效果.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from jixiao.forms.models import Value

# Longest spellings first so that "大于等于" is not read as "大于".
_OPS: list[tuple[str, str]] = [
    ("大于等于", "≥"), ("小于等于", "≤"), ("不低于", "≥"), ("不少于", "≥"), ("不小于", "≥"),
    ("不高于", "≤"), ("不超过", "≤"), ("不大于", "≤"), ("不多于", "≤"), ("至少", "≥"),
    ("达到", "≥"), ("大于", ">"), ("高于", ">"), ("超过", ">"), ("小于", "<"), ("低于", "<"),
    (">=", "≥"), ("=>", "≥"), ("<=", "≤"), ("=<", "≤"), ("≧", "≥"), ("≦", "≤"),
    ("≥", "≥"), ("≤", "≤"), (">", ">"), ("<", "<"), ("=", "="), ("达", "≥"),
]
_OP_RE = "|".join(re.escape(k) for k, _ in _OPS)
_OP_MAP = dict(_OPS)
_NUM_RE = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_VALUE_RE = re.compile(
    rf"^(?P<op>{_OP_RE})?(?P<num>{_NUM_RE})"
    rf"(?:\((?P<u1>[^()\d]{{1,10}})\)|(?P<u2>[^\d()]{{1,6}}))?$"
)
_SUFFIX_OPS = {"及以上": "≥", "以上": "≥", "及以下": "≤", "以下": "≤", "以内": "≤", "之内": "≤"}
_SUFFIX_OP = re.compile(r"(及以上|以上|及以下|以下|以内|之内)$")
_NUMBER_ONLY = re.compile(rf"^{_NUM_RE}$")
_DATE_HINT = re.compile(r"\d+\s*(?:年|月|日|季度)|月底|月初|月中|年底|年末|年初|上半年|下半年|重阳节|春节|国庆")
_WS = re.compile(r"\s+")
_DASHES = {"-", "—", "–", "－", "/", "／", "——", "无", "N/A", "n/a"}
# A number of 15 digits or more before the point is not an amount any form holds (a national budget in 元
# has 14): past 15 digits a float no longer holds it exactly, a 400-digit one is infinity, and products
# of such numbers overflow in the checks. Such a cell stays text (number None, raw kept).
MAX_MAGNITUDE = 1e15
MIN_MAGNITUDE = 1e-9  # the smallest non-zero number that is one; smaller ones stay text too

ACHIEVED_WORDS = {
    "达成指标": "reached",
    "已达成": "reached",
    "达成": "reached",
    "已完成": "reached",
    "完成": "reached",
    "部分达成指标并具有一定效果": "partial",
    "部分达成": "partial",
    "部分达成指标": "partial",
    "未达成指标": "not_reached",
    "未达成": "not_reached",
    "未完成": "not_reached",
}


def _norm(text: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", text))


_norm_cached = lru_cache(maxsize=16384)(_norm)


def norm(text: str) -> str:
    """NFKC, no whitespace: the comparison form of a short cell."""
    return _norm_cached(text) if len(text) <= 24 else _norm(text)


def parse_number(text: str | None) -> float | None:
    """A plain amount or score ("3,013.00", "8.54"); placeholders such as "-" give None."""
    if text is None:
        return None
    s = norm(text).rstrip("%")
    if not s or s in _DASHES:
        return None
    if _NUMBER_ONLY.match(s):
        return to_number(s)
    return None


def to_number(digits: str) -> float | None:
    """The float of a matched number ("1,094,910.00"), or None when it does not fit (see MAX_MAGNITUDE)."""
    x = float(digits.replace(",", ""))
    if not abs(x) < MAX_MAGNITUDE:  # inf and nan fail the test too
        return None
    if abs(x) < MIN_MAGNITUDE and (x != 0 or digits.strip("+-0,.")):
        return None  # 0.000…01 with hundreds of zeros: a division by it overflows (or it underflowed to 0)
    return x


def is_number(text: str) -> bool:
    return parse_number(text) is not None


def is_placeholder(text: str) -> bool:
    return norm(text) in _DASHES


def parse_value(raw: str | None) -> Value | None:
    """Parse a target or actual cell into operator, number and unit, or a qualitative word."""
    if raw is not None and len(raw) > 24:
        return _parse_value(raw)  # sentences are not worth caching
    return _parse_value_cached(raw)


def _parse_value(raw: str | None) -> Value | None:
    if raw is None:
        return None
    raw = raw.strip()
    if not raw:
        return None
    s = norm(raw).replace("％", "%")
    m = _VALUE_RE.match(s)
    suffix_op = None
    sm = _SUFFIX_OP.search(s)
    if sm and sm.start() > 0 and (not m or m.group("u2") and _SUFFIX_OP.search(m.group("u2"))):
        m2 = _VALUE_RE.match(s[: sm.start()])  # "90%以上" is ≥90%, "5天以内" is ≤5天
        if m2 and not m2.group("op"):
            m, suffix_op = m2, _SUFFIX_OPS[sm.group(0)]
    if m and to_number(m.group("num")) is None:
        m = None  # a number too large to be one: the cell is read as text
    if m:
        unit = m.group("u1") or m.group("u2")
        if unit is not None:
            unit = unit.strip()
        # "11月底", "2024年重阳节前" have the number-then-word shape of a value with a bare
        # unit, but they are dates. A unit in brackets, "1.00(年)", is a duration.
        if not (m.group("u2") and _DATE_HINT.match(m.group("num") + unit)):
            op = m.group("op")
            return Value(
                raw=raw,
                op=_OP_MAP[op] if op else suffix_op,
                number=to_number(m.group("num")),
                unit=unit or None,
                kind="numeric",
            )
    achieved = ACHIEVED_WORDS.get(s)
    kind = "date" if _DATE_HINT.search(s) else "qualitative"
    return Value(raw=raw, word=s, kind=kind, achievement=achieved)


_parse_value_cached = lru_cache(maxsize=16384)(_parse_value)


def looks_like_value(text: str) -> bool:
    """True when a cell is written in value notation (number with operator or unit)."""
    v = parse_value(text)
    return v is not None and v.kind == "numeric"
