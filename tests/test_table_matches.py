"""indicator.table_copied's row matching: difflib's ratio, remembered per pair of names."""

from __future__ import annotations

import difflib
import random

from jixiao.review.checks_corpus import _BOILERPLATE, _matches, _NameSimilarity
from jixiao.review.evidence import normalise

NAMES = ["培训人次", "培训班次", "举办培训班次", "系统运维完成率", "系统运维工作完成率", "群众满意度", "服务对象满意度",
         "预算执行率", "资金执行率", "补贴发放准确率", "补贴发放及时率", "宣传资料发放份数"]


def test_similarity_is_difflibs_ratio_at_the_floor_and_above_and_below_it_under():
    sim = _NameSimilarity(0.7)
    for x in NAMES:
        for y in NAMES:
            ratio = difflib.SequenceMatcher(None, x, y, autojunk=False).ratio()
            assert sim(x, y) == ratio if ratio >= 0.7 else sim(x, y) < 0.7, (x, y)
    assert len(sim.memo) == len(NAMES) ** 2


def test_memo_stays_bounded():
    sim = _NameSimilarity(0.7, limit=10)
    for x in NAMES:
        for y in NAMES:
            sim(x, y)
    assert len(sim.memo) <= 10


def test_shared_memo_gives_the_matches_of_a_fresh_one():
    rng = random.Random(3)
    shared = _NameSimilarity(0.7)
    for _ in range(200):
        a = rng.sample(NAMES, 6) + [""]
        b = rng.sample(NAMES, 5)
        assert _matches(a, b, 0.7, shared) == _matches(a, b, 0.7)
    # equal names pair first, each row of b used once
    assert _matches(["培训人次", "培训人次"], ["培训人次"], 0.7)[0] == (0, 0, 1.0)


def test_rows_every_form_carries_are_known_by_their_spelling_not_their_frequency():
    carried = ["预算执行率", "预算执行利率", "预算资金执行率", "办事人员满意度", "委托方（用人单位）满意度", "企业满意率", "成本控制有效性",
               "费用控制在预算内", "符合预算成本"]
    own = ["满意度调查开展次数", "满意度测评报告提交及时性", "资金拨付及时率", "补贴发放准确率", "执行情况", "系统运行稳定率", "工作计划执行率"]
    assert all(_BOILERPLATE.search(normalise(n)) for n in carried)
    assert not any(_BOILERPLATE.search(normalise(n)) for n in own)
