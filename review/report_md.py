"""The review report as Markdown: a reviewer's worklist to read, print or paste into a memo.

It opens with the projects ranked by risk, then each unit's recurring failing once, then each
project's problems (riskiest first; several findings of one problem as one item listing them), and
ends with the appendix of low formal findings.

Every string that comes from a document, a decisions file or a model (names, units, messages quoting
the forms, evidence, paths, notes, parse warnings, drafted comments) passes `_one_line` (forms/safe_text.md_text)
or, for paths and ids, `md_code`: reviewers paste the report into wikis that render HTML, so a form's
<script>, [x](javascript:…), remote image or "|" shows as text and never becomes a tag, link or cell.
"""

from __future__ import annotations

from jixiao.review.codes import code_zh, severity_label
from jixiao.review.decisions import decision_text
from jixiao.forms.models import FORM_TYPE_ZH
from jixiao.forms.safe_text import md_code, md_text
from jixiao.review.models import Finding, ParseWarning, Report
from jixiao.review.report_common import (UNADOPTED, UNSUPPORTED, Item, adopted, Section, comments_for, common_folder, layout, llm_line, llm_summary, money_text,
                                         form_type_zh, place, project_title, section_facts, value_text)


def _one_line(text: object) -> str:
    """Document text as Markdown text: one line, its markup and HTML escaped."""
    return md_text(text)


def _finding(f: Finding, indent: str = "", root: str | None = None) -> list[str]:
    out = [f"{indent}- **{severity_label(f.severity)}** {md_code(f.code)}【{code_zh(f.code)}】 {_one_line(f.message)}" + (f"（{_one_line(dec)}）" if (dec := decision_text(f.decision, f.note, f.reviewer)) else "")
           + f" <sub>{_one_line(f.id)}{' · ' + _one_line(FORM_TYPE_ZH.get(f.form_type, f.form_type)) if f.form_type else ''} · 风险 {f.risk:g}</sub>"]
    if f.llm is not None:
        out.append(f"{indent}  - {_one_line(llm_line(f))}" + (UNSUPPORTED if f.llm.supported is False else ""))
    for e in f.evidence:
        out.append(f"{indent}  - {_one_line(e.label)}：{_one_line(value_text(e))} — {md_code(place(e, root))}")
    return out


def _item(item: Item, root: str | None = None) -> list[str]:
    if item.group is None:
        return _finding(item.lead, root=root)
    g = item.group
    out = [f"- **{severity_label(g.severity)}** 〔归并 {len(item.members)} 项〕 {_one_line(g.message)}" + (f"（{_one_line(dec)}）" if (dec := decision_text(g.decision, g.note, g.reviewer)) else "")
           + f" <sub>{_one_line(g.id)} · 风险 {g.risk:g}</sub>"]
    for f in item.members:
        out += _finding(f, "  ", root)
    return out


def _warning(w: ParseWarning, root: str | None, project: bool = False) -> str:
    who = ((f"{w.project_name}（{w.unit or '-'}，{w.year or '-'}年）" if w.project_name else "不属于任何表")
           if project else "")
    kind = form_type_zh(w.form_type)
    return f"- {md_code(place(w, root))} {_one_line(' '.join(x for x in (who, kind) if x))}：{_one_line(w.message)}".replace(" ：", "：")


def _section(report: Report, sec: Section, level: str = "##", root: str | None = None) -> list[str]:
    p = sec.project
    out = ["", f"{level} {_one_line(project_title(p))}" + (f" — 第 {p.rank} 位，风险 {p.risk:g}" if p.rank else "")
           + f" — {_one_line(section_facts(sec))}", ""]
    if sec.warnings:  # what the parser could not read well on this project's forms: findings may rest on it
        out += [f"解析提示（{len(sec.warnings)}）：", ""] + [_warning(w, root) for w in sec.warnings] + [""]
    for c in comments_for(report, p.project_name, p.unit):
        text = c.comment if adopted(c) else f"（{UNADOPTED}）"
        out += [f"> **审核意见（模型草拟，{_one_line(c.model)}，{c.year or '-'}年）**：{_one_line(text)}", ""]
    for g in sec.unit_groups:
        out.append(f"- 另见单位共性问题 {_one_line(g.id)}：{code_zh(g.code)}")
    for item in sec.items:
        out += _item(item, root)
    return out


def to_md(report: Report) -> str:
    s = report.summary
    lay = layout(report)
    root = common_folder(report)
    out = ["# jixiao 审核报告", "",
           f"{s.forms} 张表，{s.findings} 项发现，归并为 {len(lay.unit_groups) + sum(len(x.items) for x in lay.sections + lay.appendix)} 个问题；"
           f"{len(lay.projects)} 个项目按风险排序（风险分 = 严重程度 × 实质/形式 × 涉及金额）。"
           + (f"解析提示 {len(report.parse_warnings)} 条。" if report.parse_warnings else "")
           + (f"文件路径相对于 {md_code(root)}。" if root else ""), "",
           "## 项目风险排序", "", "| 排名 | 项目 | 实施单位 | 年度 | 风险 | 金额（万元） | 实质性发现 | 发现 | 最主要的问题 |",
           "|---:|---|---|---|---:|---:|---:|---:|---|"]
    out += [f"| {p.rank} | {_one_line(p.project_name or '-')} | {_one_line(p.unit or '-')} | {_one_line(p.year or '-')} | {p.risk:g} | "
            f"{money_text(p)} | {p.substantive} | {len(p.findings)} | {_one_line((p.top or '')[:80])} |" for p in lay.projects]
    out += ["", "| 代码 | 问题 | 数量 |", "|---|---|---:|"] + [f"| `{code}` | {code_zh(code)} | {n} |" for code, n in s.by_code.items()]
    out += ["", "| 严重程度 | 数量 |", "|---|---:|"] + [f"| {severity_label(k)} | {n} |" for k, n in s.by_severity.items()]
    if s.llm is not None:
        out += ["", _one_line(llm_summary(report))]
    if lay.unit_groups:
        out += ["", "## 单位共性问题", ""]
        for item in lay.unit_groups:
            out += _item(item, root)
    for sec in lay.sections:
        out += _section(report, sec, root=root)
    if lay.warnings:
        out += ["", f"## 解析提示（其他 {len(lay.warnings)} 条：不属于任何表，或所属项目没有发现）", ""]
        out += [_warning(w, root, project=True) for w in lay.warnings]
    if lay.appendix:
        out += ["", "## 附录：低风险的形式问题", ""]
        for sec in lay.appendix:
            out += _section(report, sec, "###", root)
    if report.orphaned_decisions:  # decisions this run has no finding for: kept, listed for the reviewer
        out += ["", f"## 未匹配的决定（{len(report.orphaned_decisions)} 条：本次没有对应的发现或分组，已保留）", ""]
        out += [f"- {md_code(d.id)} {_one_line(decision_text(d.decision, d.note, d.reviewer))}" for d in report.orphaned_decisions]
    return "\n".join(out) + "\n"
