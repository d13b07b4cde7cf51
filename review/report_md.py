"""The review report as Markdown: a reviewer's worklist to read, print or paste into a memo.

It opens with the projects ranked by risk, then each unit's recurring failing once, then each
project's problems (riskiest first; several findings of one problem as one item listing them), and
ends with the appendix of low formal findings.
"""

from __future__ import annotations

from jixiao.review.codes import code_zh
from jixiao.review.models import Finding, Report
from jixiao.review.report_common import (Item, Section, comments_for, layout, llm_line, llm_summary, money_text, place,
                                         project_title, value_text)


def _one_line(text: str) -> str:
    return text.replace("\n", " ").replace("|", "｜")


def _finding(f: Finding, indent: str = "") -> list[str]:
    out = [f"{indent}- **{f.severity}** `{f.code}` {f.message}" + (f"（{f.decision}）" if f.decision else "")
           + f" <sub>{f.id} · 风险 {f.risk:g}</sub>"]
    if f.llm is not None:
        out.append(f"{indent}  - {_one_line(llm_line(f))}")
    for e in f.evidence:
        out.append(f"{indent}  - {e.label}：{_one_line(value_text(e))} — `{place(e)}`")
    return out


def _item(item: Item) -> list[str]:
    if item.group is None:
        return _finding(item.lead)
    g = item.group
    out = [f"- **{g.severity}** 〔归并 {len(item.members)} 项〕 {g.message}" + (f"（{g.decision}）" if g.decision else "")
           + f" <sub>{g.id} · 风险 {g.risk:g}</sub>"]
    for f in item.members:
        out += _finding(f, "  ")
    return out


def _section(report: Report, sec: Section, level: str = "##") -> list[str]:
    p = sec.project
    out = ["", f"{level} {project_title(p)}" + (f" — 第 {p.rank} 位，风险 {p.risk:g}" if p.rank else ""), ""]
    for c in comments_for(report, p.project_name, p.unit):
        text = c.comment if c.status == "ok" else "（模型的回答不符合要求，未采用）"
        out += [f"> **审核意见（模型草拟，{c.model}，{c.year or '-'}年）**：{_one_line(text)}", ""]
    for g in sec.unit_groups:
        out.append(f"- 另见单位共性问题 {g.id}：{code_zh(g.code)}")
    for item in sec.items:
        out += _item(item)
    return out


def to_md(report: Report) -> str:
    s = report.summary
    lay = layout(report)
    out = ["# jixiao 审核报告", "",
           f"{s.forms} 张表，{s.findings} 项发现，归并为 {len(lay.unit_groups) + sum(len(x.items) for x in lay.sections + lay.appendix)} 个问题；"
           f"{len(lay.projects)} 个项目按风险排序（风险分 = 严重程度 × 实质/形式 × 涉及金额）。", "",
           "## 项目风险排序", "", "| 排名 | 项目 | 实施单位 | 年度 | 风险 | 金额（万元） | 实质性发现 | 发现 | 最主要的问题 |",
           "|---:|---|---|---|---:|---:|---:|---:|---|"]
    out += [f"| {p.rank} | {_one_line(p.project_name or '-')} | {_one_line(p.unit or '-')} | {p.year or '-'} | {p.risk:g} | "
            f"{money_text(p)} | {p.substantive} | {len(p.findings)} | {_one_line((p.top or '')[:80])} |" for p in lay.projects]
    out += ["", "| 代码 | 数量 |", "|---|---:|"] + [f"| `{code}` | {n} |" for code, n in s.by_code.items()]
    out += ["", "| 严重程度 | 数量 |", "|---|---:|"] + [f"| {k} | {n} |" for k, n in s.by_severity.items()]
    if s.llm is not None:
        out += ["", llm_summary(report)]
    if lay.unit_groups:
        out += ["", "## 单位共性问题", ""]
        for item in lay.unit_groups:
            out += _item(item)
    for sec in lay.sections:
        out += _section(report, sec)
    if lay.appendix:
        out += ["", "## 附录：低风险的形式问题", ""]
        for sec in lay.appendix:
            out += _section(report, sec, "###")
    return "\n".join(out) + "\n"
