"""Near-duplicate groups (review/neardup.py) on the samples' real goal texts, the real default model and FAISS."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from testkit.texts import goal_texts
from jixiao.forms import parse_file
from jixiao.index.embed import load_embedder
from jixiao.review import neardup
from jixiao.review.neardup import Group, lexical_similarity, near_duplicate_groups, normalise, shared_passages

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def embed():
    model = load_embedder("use-m3")
    return lambda texts: model.encode(list(texts))


@pytest.fixture(scope="module")
def goals() -> dict[tuple[str, str, str], str]:
    """(declaration|tracking|self_evaluation, project name, expected|actual) -> goal text, from the samples."""
    out = {}
    for path in sorted(EXAMPLES.glob("*.txt")):
        for form in parse_file(path).forms:
            for kind in ("expected", "actual"):
                if getattr(form.goal, kind):
                    out[(path.stem.split("_", 2)[-1], form.project_name, kind)] = getattr(form.goal, kind)
    return out


def g(goals, form: str, name: str, kind: str) -> str:
    return goals[(form, name, kind)]


def check_invariants(groups: list[Group], texts, vecs, min_lexical, min_cosine) -> None:
    seen = set()
    for gr in groups:
        ids = [gr.principal, *gr.members]
        assert not seen & set(ids), "a text is in two groups"
        seen |= set(ids)
        assert len(gr.members) == len(gr.lexical) == len(gr.cosine) >= 1
        for m, lex, cos in zip(gr.members, gr.lexical, gr.cosine):
            # every member is verified against the principal itself, never through another member
            assert lex == pytest.approx(lexical_similarity(texts[m], texts[gr.principal]))
            assert cos == pytest.approx(float(vecs[m] @ vecs[gr.principal]), abs=1e-5)
            identical = normalise(texts[m]) == normalise(texts[gr.principal])
            assert identical or (lex >= min_lexical and cos >= min_cosine)
        order = [(-lex, -cos) for lex, cos in zip(gr.lexical, gr.cosine)]
        assert order == sorted(order), "members are not most similar first"


def test_normalisation_ignores_width_punctuation_and_wrapped_spaces():
    a = "按计划完成运维服务，系统使用者抽样满意度不低于90%。"
    assert lexical_similarity(a, "按计划完成运维服务,系统使用者抽样满意度不低于90％.") == 1.0
    assert lexical_similarity(a, "按计划完成运维 服务，系统使用者抽样 满意度不低于90%") == 1.0
    assert lexical_similarity(a, "") == 0.0
    assert 0 < lexical_similarity(a, "按计划完成运维服务") < 1


def test_identical_texts_form_one_group(goals, embed):
    t = g(goals, "tracking", "政府购买辅助服务", "expected")
    texts = [g(goals, "declaration", "征地养老费支出", "expected"), t, t.replace("，", ","),
             g(goals, "self_evaluation", "食堂运行经费", "expected"), t[:30] + " " + t[30:], t]
    vecs = embed(texts)
    groups = near_duplicate_groups(texts, vecs, min_lexical=0.7, min_cosine=0.75)
    assert [(gr.principal, sorted(gr.members)) for gr in groups] == [(1, [2, 4, 5])]
    assert groups[0].lexical == [1.0, 1.0, 1.0]
    check_invariants(groups, texts, vecs, 0.7, 0.75)


def test_near_copy_with_clause_added_groups(goals, embed):
    # DOMAIN.md: 就业创业综合服务项目 reports 信息系统运维费's goal, with a sentence added, as its result.
    a = g(goals, "self_evaluation", "信息系统运维费", "expected")
    b = g(goals, "self_evaluation", "就业创业综合服务项目", "actual")
    assert a != b and b.startswith(a[:50])
    texts = [a, g(goals, "self_evaluation", "人事管理业务经费", "expected"), b]
    groups = near_duplicate_groups(texts, embed(texts))
    assert [(gr.principal, gr.members) for gr in groups] == [(0, [2])]
    assert groups[0].lexical[0] > 0.85


def test_rewritten_paraphrase_with_high_cosine_does_not_group(goals, embed):
    # A reviewer's rewording (bench/data/paraphrase_pairs.jsonl, goal-001): same meaning, other words.
    original = g(goals, "declaration", "征地养老费支出", "expected")
    rows = [json.loads(x) for x in (ROOT / "bench/data/paraphrase_pairs.jsonl").open(encoding="utf-8")]
    rewrite = next(r["query"] for r in rows if r["id"] == "goal-001")
    texts = [original, rewrite]
    vecs = embed(texts)
    cos = float(vecs[0] @ vecs[1])
    assert cos >= neardup.MIN_COSINE  # semantically it is a near duplicate, and a candidate
    assert lexical_similarity(original, rewrite) < neardup.MIN_LEXICAL
    assert near_duplicate_groups(texts, vecs) == []
    lex = lexical_similarity(original, rewrite)
    assert near_duplicate_groups(texts, vecs, min_lexical=lex / 2)  # only the lexical check keeps them apart


def test_chain_does_not_merge_through_a_middle_text(goals, embed):
    # Overlapping windows of one long goal: each overlaps its neighbour, not its neighbour's neighbour.
    clauses = [c for c in re.split(r"[，。]", g(goals, "self_evaluation", "普陀区职业技能培训综合监管一件事运营平台建设项目",
                                                "expected")) if c]
    texts = ["，".join(clauses[i:i + 12]) + "。" for i in (0, 3, 6, 9)]
    vecs = embed(texts)
    lex = [[lexical_similarity(a, b) for b in texts] for a in texts]
    assert min(lex[0][1], lex[1][2], lex[2][3]) >= 0.7 > max(lex[0][2], lex[1][3], lex[0][3])
    assert min(float(vecs[i] @ vecs[i + 1]) for i in range(3)) >= 0.75
    groups = near_duplicate_groups(texts, vecs, min_lexical=0.7, min_cosine=0.75)
    # Connected components would give {0, 1, 2, 3}; text 1 has the highest sum and takes its two
    # verified neighbours; 3 is verified against 2 only, which is taken, so 3 stays alone.
    assert lex[1][0] + lex[1][2] > lex[2][1] + lex[2][3]
    assert [(gr.principal, sorted(gr.members)) for gr in groups] == [(1, [0, 2])]
    check_invariants(groups, texts, vecs, 0.7, 0.75)


def test_principal_is_the_most_central_member(goals, embed):
    original = g(goals, "self_evaluation", "信息系统运维费", "expected")
    added = g(goals, "self_evaluation", "就业创业综合服务项目", "actual")  # a sentence added
    removed = original.replace("有效解决系统故障，", "")  # a clause removed
    texts = [added, removed, g(goals, "tracking", "办公经费补贴", "expected"), original]
    vecs = embed(texts)
    groups = near_duplicate_groups(texts, vecs)
    assert len(groups) == 1 and groups[0].principal == 3
    assert groups[0].members == [0, 1]  # the longer text keeps more of the original's trigrams
    assert lexical_similarity(added, removed) < min(groups[0].lexical)
    check_invariants(groups, texts, vecs, neardup.MIN_LEXICAL, neardup.MIN_COSINE)


def test_same_owner_pairs_are_ignored(goals, embed):
    # 政府购买辅助服务: the tracking form's actual pastes its own expected text (one project), and
    # the declaration file of another unit has the same goal.
    texts = [g(goals, "tracking", "政府购买辅助服务", "expected"), g(goals, "tracking", "政府购买辅助服务", "actual"),
             g(goals, "declaration", "政府购买辅助服务", "expected")]
    vecs = embed(texts)
    assert [(gr.principal, gr.members) for gr in near_duplicate_groups(texts, vecs)] == [(0, [1, 2])]
    owners = ["福利中心/政府购买辅助服务", "福利中心/政府购买辅助服务", "社保中心/政府购买辅助服务"]
    assert [(gr.principal, gr.members) for gr in near_duplicate_groups(texts, vecs, same_owner=owners)] == [(0, [2])]
    assert near_duplicate_groups(texts[:2], vecs[:2], same_owner=owners[:2]) == []
    assert near_duplicate_groups(texts[:2], vecs[:2], same_owner=[None, None])  # None: owner unknown
    # near copies, not only identical texts: 就业创业综合服务项目's expected and actual are one project's
    a, b = g(goals, "self_evaluation", "信息系统运维费", "expected"), g(goals, "self_evaluation", "就业创业综合服务项目", "actual")
    texts = [a + "（2023年）", b]
    assert near_duplicate_groups(texts, embed(texts), same_owner=["p", "p"]) == []
    assert near_duplicate_groups(texts, embed(texts), same_owner=["p", "q"])


def test_samples_copies_found_rewrites_not(goals, embed):
    keys = sorted(goals)
    texts = [goals[k] for k in keys]
    vecs = embed(texts)
    groups = near_duplicate_groups(texts, vecs)
    check_invariants(groups, texts, vecs, neardup.MIN_LEXICAL, neardup.MIN_COSINE)
    together = {(keys[a], keys[b]) for gr in groups for a in [gr.principal, *gr.members]
                for b in [gr.principal, *gr.members] if a != b}
    for a, b in [  # DOMAIN.md, "Copied or boilerplate text"
        (("tracking", "政府购买辅助服务", "expected"), ("tracking", "政府购买辅助服务", "actual")),
        (("tracking", "政府购买辅助服务", "expected"), ("declaration", "政府购买辅助服务", "expected")),
        (("declaration", "残疾人就业保障金", "expected"), ("tracking", "残疾人就业保障金", "expected")),
        (("self_evaluation", "信息系统运维费", "expected"), ("self_evaluation", "就业创业综合服务项目", "expected")),
        (("self_evaluation", "信息系统运维费", "expected"), ("self_evaluation", "就业创业综合服务项目", "actual")),
        (("self_evaluation", "志丹路4号房屋整体加固装修及外立面修缮", "expected"),
         ("self_evaluation", "志丹路4号房屋整体加固装修及外立面修缮", "actual")),
    ]:
        assert (a, b) in together, (a, b)
    grouped = {keys[i] for gr in groups for i in [gr.principal, *gr.members]}
    for name in ("人事管理业务经费", "劳动仲裁业务经费", "食堂运行经费", "公车购置经费"):  # results in other words
        assert ("self_evaluation", name, "actual") not in grouped


def test_shared_passages_finds_the_common_run(goals):
    a = g(goals, "self_evaluation", "信息系统运维费", "expected")
    b = g(goals, "self_evaluation", "就业创业综合服务项目", "actual")
    passages = shared_passages(a, b)
    sa, sb, n = passages[0]
    assert (sa, sb) == (0, 0) and n >= 70  # the whole promise up to "不低于90", "，" vs "。" inside
    assert a[sa:sa + n] != b[sb:sb + n]  # "…管理机制，系统…" against "…管理机制。系统…"
    assert a[sa:sa + n].replace("，", "") == b[sb:sb + n].replace("，", "").replace("。", "")
    for sa, sb, n in passages:
        assert normalise(a[sa:sa + n]) == normalise(b[sb:sb + n]) and len(normalise(a[sa:sa + n])) >= 6
    # a wrapped space splits the run, so each passage has one length in both texts
    x, y = "预算执行率有效控制在标准内，资金使用合规", "预算执行率有效控制在标准 内,资金使用合规"
    got = shared_passages(x, y, min_len=3)
    assert got == [(0, 0, 12), (12, 13, 8)]
    assert [(x[i:i + n], y[j:j + n]) for i, j, n in got] == [("预算执行率有效控制在标准", "预算执行率有效控制在标准"),
                                                             ("内，资金使用合规", "内,资金使用合规")]
    assert shared_passages("完全不同的一句话", "另外一段文本内容") == []


def test_deterministic_and_ivf_path_agrees_with_exact(embed, monkeypatch):
    rng = np.random.default_rng(7)
    texts = goal_texts(3000, seed=11)
    for i in rng.choice(3000, size=150, replace=False).tolist():  # near copies: a clause dropped or added
        parts = texts[i].rstrip("。").split("，")
        texts.append("，".join(parts[:-1] if len(parts) > 2 else parts + ["建立健全项目长效管理机制"]) + "。")
    vecs = embed(texts)
    exact = near_duplicate_groups(texts, vecs)
    assert exact == near_duplicate_groups(texts, vecs)
    check_invariants(exact, texts, vecs, neardup.MIN_LEXICAL, neardup.MIN_COSINE)
    monkeypatch.setattr(neardup, "FLAT_MAX", 500)
    _, _, nprobe = neardup.knn(vecs, 20, neardup.MIN_COSINE)
    assert nprobe is not None
    ivf = near_duplicate_groups(texts, vecs)
    assert ivf == near_duplicate_groups(texts, vecs)
    check_invariants(ivf, texts, vecs, neardup.MIN_LEXICAL, neardup.MIN_COSINE)
    pairs = lambda gs: {(gr.principal, m) for gr in gs for m in gr.members}  # noqa: E731
    assert len(pairs(ivf) & pairs(exact)) >= 0.95 * len(pairs(exact))


def test_input_checks_and_empty(embed):
    assert near_duplicate_groups([], np.zeros((0, 512), np.float32)) == []
    vecs = embed(["购置公务用车", "购置公务用车"])
    assert [(gr.principal, gr.members) for gr in near_duplicate_groups(["购置公务用车", "购置公务用车"], vecs)] == [(0, [1])]
    assert near_duplicate_groups(["购置公务用车", "购置公务用车"], vecs, min_chars=10) == []
    assert near_duplicate_groups(["。", "，"], vecs) == []  # nothing left after normalising
    with pytest.raises(ValueError):
        near_duplicate_groups(["a"], vecs)
    with pytest.raises(ValueError):
        near_duplicate_groups(["a", "b"], vecs, same_owner=[1])


def test_lexical_cache_gives_lexical_similarity():
    cache = neardup.LexicalCache()
    texts = ["运维工作完成率达100%，系统使用人员满意度达90%。", "运维工作完成率达100%,系统使用人员满意度达 90%", "系统运维",
             "运维", "", "完成率达100%，完成率达100%。", "完成率达100%。"]
    for a in texts:
        for b in texts:
            assert cache(a, b) == neardup.lexical_similarity(a, b), (a, b)
