"""Checks along a project's life: declared → tracked → self-evaluated, and last year → this year."""

from __future__ import annotations

from typing import Iterator

from jixiao.forms.models import FORM_TYPE_ZH, Form, Value
from jixiao.review.catalogue import corpus_check
from jixiao.review.evidence import lexical_similarity, ref, where
from jixiao.review.linking import link_projects, match_indicators
from jixiao.review.models import Evidence, Finding
from jixiao.review.settings import Settings


_SAME_UNIT = {"名": "人"}  # ≥4500.00(名) and ≥4500.00(人) promise the same


def _key(v: Value | None) -> str | None:
    if v is None:
        return None
    if v.kind == "numeric":
        return f"{v.op or '='}{v.number:g}{_SAME_UNIT.get(v.unit or '', v.unit or '')}"
    return v.word


def _link_finding(a: Form, b: Form, code: str, severity: str, message: str, evidence: list[Evidence], *subject) -> Finding:
    f = Finding(code=code, severity=severity, message=message, project_name=b.project_name, unit=b.unit, year=b.year,
                form_type=b.form_type.value, projects=[ref(a), ref(b)], evidence=evidence)
    return f.with_id(a.year, a.form_type.value, *subject)


@corpus_check("link.target_changed", "link.indicator_dropped", "link.indicator_added")
def along_the_year(forms: list[Form], s: Settings, ctx=None) -> Iterator[Finding]:
    for group in link_projects(forms, s["link.name_min_lexical"], ctx.memo if ctx else None):
        by_year: dict[int | None, list[Form]] = {}
        for f in group:
            by_year.setdefault(f.year, []).append(f)
        for year_forms in by_year.values():
            for a, b in zip(year_forms, year_forms[1:]):
                if a.form_type == b.form_type:
                    continue
                pairs, only_a, only_b = match_indicators(a, b, s["link.name_min_lexical"])
                la, lb = FORM_TYPE_ZH[a.form_type], FORM_TYPE_ZH[b.form_type]
                for i, j in pairs:
                    x, y = a.indicators[i], b.indicators[j]
                    if x.target and y.target and _key(x.target) != _key(y.target):
                        yield _link_finding(a, b, "link.target_changed", "medium",
                                            f"{b.project_name}：“{y.name}”的指标值在{la}中为 {x.target.raw}，在{lb}中改为 {y.target.raw}，未说明调整依据。",
                                            [where(a, f"{la} 年度指标值", x.target.raw, x.target.number, x.line),
                                             where(b, f"{lb} 年度指标值", y.target.raw, y.target.number, y.line)], y.name)
                for i in only_a:
                    x = a.indicators[i]
                    yield _link_finding(a, b, "link.indicator_dropped", "medium",
                                        f"{b.project_name}：{la}中的指标“{x.name}”（{x.target.raw if x.target else '无指标值'}）在{lb}中不见了。",
                                        [where(a, f"{la} 三级指标", x.name, line=x.line), where(b, lb, None, line=b.source.first_line)], x.name)
                for j in only_b:
                    y = b.indicators[j]
                    yield _link_finding(a, b, "link.indicator_added", "low",
                                        f"{b.project_name}：{lb}新增了{la}中没有的指标“{y.name}”（{y.target.raw if y.target else '无指标值'}）。",
                                        [where(a, la, None, line=a.source.first_line), where(b, f"{lb} 三级指标", y.name, line=y.line)], y.name)


@corpus_check("link.copied_from_previous_year")
def copied_from_previous_year(forms: list[Form], s: Settings, ctx=None) -> Iterator[Finding]:
    for group in link_projects(forms, s["link.name_min_lexical"], ctx.memo if ctx else None):
        by_type_year = {(f.form_type, f.year): f for f in group if f.year}
        for (form_type, year), b in by_type_year.items():
            a = by_type_year.get((form_type, year - 1))
            if a is None:
                continue
            label = FORM_TYPE_ZH[form_type]
            ga, gb = a.goal.expected, b.goal.expected
            if ga and gb and (sim := lexical_similarity(ga, gb)) >= s["link.same_goal_min_lexical"]:
                yield _link_finding(a, b, "link.copied_from_previous_year", "medium",
                                    f"{b.project_name}：{year}年{label}的绩效目标与{year - 1}年{'相同' if sim >= 0.995 else f'几乎相同（相似度 {sim:.0%}）'}，目标未随年度更新。",
                                    [where(a, f"{year - 1}年 绩效目标", ga, line=a.goal.expected_line),
                                     where(b, f"{year}年 绩效目标", gb, sim, b.goal.expected_line)], "goal")
            pairs, only_a, only_b = match_indicators(a, b, 0.999)
            if a.indicators and not only_a and not only_b and all(
                    _key(a.indicators[i].target) == _key(b.indicators[j].target) for i, j in pairs):
                yield _link_finding(a, b, "link.copied_from_previous_year", "medium",
                                    f"{b.project_name}：{year}年{label}的{len(pairs)}项绩效指标及指标值与{year - 1}年完全相同，指标未随年度更新。",
                                    [where(a, f"{year - 1}年 指标表", f"{len(a.indicators)} 项", line=a.indicators[0].line),
                                     where(b, f"{year}年 指标表", f"{len(b.indicators)} 项", line=b.indicators[0].line)], "table")
