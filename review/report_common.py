"""What every report format shares: the rows of a finding, the language model's lines, and the
worklist's layout (projects by risk, groups shown once, the appendix).

The writers (report.py for json/jsonl/csv, report_md, report_html, report_xlsx) import from here and
never from each other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from jixiao.forms.models import FORM_TYPE_ZH
from jixiao.review.codes import code_zh, severity_label
from jixiao.review.models import Evidence, Finding, FindingGroup, ParseWarning, ProjectComment, ProjectRisk, Report
from jixiao.review.worklist import in_appendix, projects_of, rank_projects

FORM_TYPE_ORDER = ("declaration", "tracking", "self_evaluation")
CSV_COLUMNS = ["id", "code", "code_name", "severity", "decision", "note", "reviewer", "project_name", "unit", "year", "form_type", "message",
               "evidence", "where", "full_path", "projects", "group", "risk"]
LLM_COLUMNS = ["llm_verdict", "llm_explanation"]  # only in reports where a model was asked
# The header a reviewer reads above each csv_rows key, in .csv and .xlsx alike (the JSON keys stay
# English: they are a contract). 编号 and 决定 are what the decisions readers look for.
COLUMN_ZH = {
    "id": "编号", "code": "代码", "code_name": "问题", "severity": "严重程度", "decision": "决定",
    "note": "审核备注", "reviewer": "审核人", "decided_at": "决定时间",
    "project_name": "项目名称", "unit": "实施单位", "year": "年度", "form_type": "表别", "message": "说明",
    "evidence": "证据", "where": "位置", "full_path": "完整路径", "projects": "涉及项目", "group": "分组", "risk": "风险",
    "llm_verdict": "模型判断", "llm_explanation": "模型说明",
}
VERDICT_ZH = {"met": "已完成", "partly_met": "部分完成", "not_met": "未完成", "cannot_tell": "无法判断",
              "contradicts": "矛盾", "excuses": "说明合理", "unrelated": "无关", "unusable": "回答不可用"}


# What a report says in place of a drafted comment that failed validation, and beside a verdict whose
# quotes do not bear on what it judges (review/llm/support.py).
UNADOPTED = "模型草拟意见未通过校验，未采用"
UNSUPPORTED = "（模型摘录的原文与所判断的目标或指标没有共同内容，此判断未获原文支持，仅供参考）"


def adopted(c: ProjectComment) -> bool:
    """A drafted comment the reports show as written: it passed validation and says something."""
    return c.status == "ok" and bool(c.comment)


def column_label(key: str) -> str:
    return COLUMN_ZH.get(key, key)


def form_type_zh(form_type: str | None) -> str:
    """self_evaluation → 绩效自评表: how reports name a form type to people."""
    return FORM_TYPE_ZH.get(form_type, form_type) if form_type else ""


def has_llm(report: Report) -> bool:
    return report.summary.llm is not None or any(f.llm for f in report.flags) or bool(report.comments)


def llm_line(f: Finding) -> str:
    """The model's verdict as one line a reviewer reads: 模型判断（model）：无法判断 cannot_tell — why."""
    v = f.llm
    if v is None:
        return ""
    quotes = "；".join(f"“{q}”" for q in v.evidence)
    return (f"模型判断（{v.model}）：{VERDICT_ZH.get(v.verdict, v.verdict)} {v.verdict} — {v.explanation}"
            + (f" 依据：{quotes}" if quotes else ""))


def comments_for(report: Report, project_name: str | None, unit: str | None) -> list:
    """The drafted comments of one project (name and unit), one per year."""
    return [c for c in report.comments.values() if c.project_name == project_name and (c.unit or "") == (unit or "")]


def value_text(e: Evidence) -> str:
    """What a piece of evidence says: its text, else its number, else （空）."""
    return e.text if e.text is not None else (f"{e.value:g}" if e.value is not None else "（空）")


def _evidence_text(f: Finding) -> str:
    return "\n".join(f"{e.label}：{value_text(e)}" for e in f.evidence)


def report_files(report: Report) -> list[str]:
    """Every file a report points at (evidence, projects, parse warnings), first mention first."""
    files = [e.file for f in report.flags for e in f.evidence if e.file]
    files += [p.file for f in report.flags for p in f.projects if p.file] + [w.file for w in report.parse_warnings]
    return list(dict.fromkeys(files))


def common_folder(report: Report) -> str | None:
    """The folder all of a report's files lie in: paths are shown relative to it (the full path stays in a
    tooltip or a column, and in JSON). None when there is none (files in the working folder, mixed
    absolute and relative paths)."""
    files = report_files(report)
    # Evidence may also cite the tool's own data (review/indicator_exemplars.toml, a relative path):
    # the folder is the documents', so only paths of the more common kind (absolute or not) count.
    absolute = sum(os.path.isabs(x) for x in files) * 2 >= len(files)
    folders = {os.path.dirname(x) for x in files if os.path.isabs(x) == absolute}
    if not folders or "" in folders:
        return None
    try:
        root = os.path.commonpath(sorted(folders))
    except ValueError:
        return None
    return root if root and root != os.sep else None


def short_path(path: str | None, root: str | None) -> str:
    """`path` relative to `root` when it lies in it, else as it is."""
    if not path:
        return ""
    if root and path.startswith(root.rstrip(os.sep) + os.sep):
        return path[len(root.rstrip(os.sep)) + 1:]
    return path


def place(e: Evidence | ParseWarning, root: str | None = None) -> str:
    """Where evidence stands, for people: `file:line` for text exports, `file Sheet1!C14` for Office/PDF
    files; the file relative to `root` when given."""
    if not e.file:
        return ""
    name = short_path(e.file, root)
    return f"{name} {e.location}" if e.location else (f"{name}:{e.line}" if e.line else name)


def _where(f: Finding, root: str | None = None) -> str:
    seen = []
    for e in f.evidence:
        w = place(e, root)
        if w and w not in seen:
            seen.append(w)
    return "\n".join(seen)


def _full_paths(f: Finding) -> str:
    return "\n".join(dict.fromkeys([e.file for e in f.evidence if e.file] + [p.file for p in f.projects if p.file]))


def csv_rows(report: Report) -> list[dict]:
    root = common_folder(report)
    rows = [{
        "id": f.id, "code": f.code, "code_name": code_zh(f.code), "severity": severity_label(f.severity), "decision": f.decision or "",
        "note": f.note or "", "reviewer": f.reviewer or "",
        "project_name": f.project_name or "", "unit": f.unit or "", "year": f.year or "",
        "form_type": form_type_zh(f.form_type), "message": f.message, "evidence": _evidence_text(f), "where": _where(f, root),
        "full_path": _full_paths(f),
        "projects": "\n".join(f"{p.project_name}（{p.unit}，{p.year}，{form_type_zh(p.form_type)}）" for p in f.projects),
        "group": f.group or "", "risk": f.risk,
    } for f in report.flags]
    if has_llm(report):
        for row, f in zip(rows, report.flags):
            row["llm_verdict"] = f.llm.verdict if f.llm else ""
            row["llm_explanation"] = llm_line(f)
    return rows


def csv_columns(report: Report) -> list[str]:
    return CSV_COLUMNS + (LLM_COLUMNS if has_llm(report) else [])


def llm_summary(report: Report) -> str:
    u = report.summary.llm
    if u is None:
        return ""
    earlier = f"，{u.failed_earlier} 条此前失败未重问" if u.failed_earlier else ""
    return (f"语言模型 {u.model}：{u.questions} 个问题，{u.fresh} 条本次回答，{u.cached} 条取自缓存，{u.failed} 条失败{earlier}，"
            f"{u.skipped} 条未问；{u.unusable} 条回答不可用；{u.calls} 次调用，{u.prompt_tokens}+{u.completion_tokens} tokens，"
            f"{u.seconds:g} 秒。" + (f"（自动调整：{u.adapted}）" if u.adapted else ""))


@dataclass
class Item:
    """One problem as a report shows it: a finding alone, or a group and its members."""

    members: list[Finding]
    group: FindingGroup | None = None

    @property
    def lead(self) -> Finding:
        return self.members[0]

    @property
    def risk(self) -> float:
        return self.group.risk if self.group else self.lead.risk

    @property
    def message(self) -> str:
        return self.group.message if self.group else self.lead.message


@dataclass
class Section:
    """A project's part of the report: its problems, riskiest first, and the unit patterns it shares."""

    project: ProjectRisk
    items: list[Item] = field(default_factory=list)
    unit_groups: list[FindingGroup] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)  # the parser's, about this project's forms

    @property
    def findings(self) -> int:
        """The project's findings shown here or in the unit patterns it refers to."""
        mine = set(self.project.findings)
        return sum(len(it.members) for it in self.items) + sum(1 for g in self.unit_groups for m in g.members if m in mine)

    @property
    def problems(self) -> int:
        return len(self.items) + len(self.unit_groups)

    @property
    def form_types(self) -> list[str]:
        """The project's form types the section's findings and warnings are about, in template order."""
        key = (self.project.project_name, self.project.unit, self.project.year)
        found = {f.form_type for it in self.items for f in it.members if (f.project_name, f.unit, f.year) == key}
        found |= {p.form_type for it in self.items for f in it.members for p in f.projects
                  if (p.project_name, p.unit, p.year) == key}
        found |= {p.form_type for g in self.unit_groups for p in g.projects if (p.project_name, p.unit, p.year) == key}
        found |= {w.form_type for w in self.warnings}
        return [t for t in FORM_TYPE_ORDER if t in found] + sorted(t for t in found if t and t not in FORM_TYPE_ORDER)


@dataclass
class Layout:
    projects: list[ProjectRisk]  # every project, by risk
    unit_groups: list[Item]  # one unit's recurring failing: shown once, before the projects
    sections: list[Section]  # the projects' own problems, by project risk
    appendix: list[Section]  # low formal findings, by project
    # Parse warnings about no project, or about a project with no section: listed on their own.
    warnings: list[ParseWarning] = field(default_factory=list)


def layout(report: Report) -> Layout:
    """Where each finding is shown: exactly once, in a unit pattern, a project's section or the appendix."""
    flags = {f.id: f for f in report.flags}
    groups = {g.id: g for g in report.groups}
    projects = report.summary.projects or rank_projects(report.flags, report.groups)  # a report built by hand
    rank = {(p.project_name, p.unit, p.year): i for i, p in enumerate(projects)}
    main: dict[int, Section] = {}
    appendix: dict[int, Section] = {}
    unit_items: list[Item] = []
    placed: set[str] = set()

    def home(f: Finding) -> int:
        keys = projects_of(f)
        return min((rank[k] for k in keys if k in rank), default=len(projects))

    def put(item: Item, low: bool) -> None:
        at = home(item.lead)
        book = appendix if low else main
        if at not in book:
            book[at] = Section(projects[at] if at < len(projects) else
                               ProjectRisk(project_name=None, unit=None, year=None, risk=0.0, findings=[]))
        book[at].items.append(item)

    for f in report.flags:
        if f.id in placed:
            continue
        g = groups.get(f.group) if f.group else None
        if g is None:
            put(Item([f]), in_appendix(f))
            placed.add(f.id)
            continue
        members = [flags[m] for m in g.members if m in flags]
        placed.update(m.id for m in members)
        if g.kind == "unit" and not g.appendix:
            unit_items.append(Item(members, g))
            for m in members:
                at = home(m)
                if at < len(projects):
                    sec = main.setdefault(at, Section(projects[at]))
                    if g not in sec.unit_groups:
                        sec.unit_groups.append(g)
        else:
            put(Item(members, g), g.appendix)
    for book in (main, appendix):
        for sec in book.values():
            sec.items.sort(key=lambda it: -it.risk)
    unit_items.sort(key=lambda it: -it.risk)
    lay = Layout(projects=list(projects), unit_groups=unit_items,
                 sections=[main[k] for k in sorted(main)], appendix=[appendix[k] for k in sorted(appendix)])
    # A project's parse warnings go to its section (the appendix's when it has no other).
    home_of = {(s.project.project_name, s.project.unit, s.project.year): s for s in lay.appendix + lay.sections
               if s.project.project_name is not None}
    for w in report.parse_warnings:
        sec = home_of.get((w.project_name, w.unit, w.year))
        (sec.warnings if sec is not None else lay.warnings).append(w)
    return lay


def copied_pairs(f: Finding) -> list[tuple[Evidence, Evidence]]:
    """indicator.table_copied's evidence as (this table's row, the other table's row) pairs, aligned."""
    ev = f.evidence
    if f.code != "indicator.table_copied" or len(ev) % 2:
        return []
    return [(ev[k], ev[k + 1]) for k in range(0, len(ev), 2)]


def section_facts(sec: Section) -> str:
    """What a project's heading says after its rank and risk: its form types, problems and findings, and
    its parse warnings: 申报表、自评表 · 2 个问题，3 项发现 · 1 条解析提示."""
    parts = ["、".join(map(form_type_zh, sec.form_types))] if sec.form_types else []
    parts.append(f"{sec.problems} 个问题，{sec.findings} 项发现")
    if sec.warnings:
        parts.append(f"{len(sec.warnings)} 条解析提示")
    return " · ".join(parts)


def project_title(p: ProjectRisk) -> str:
    return f"{p.project_name or '(多个项目)'}（{p.unit or '-'}，{p.year or '-'}年）"


def money_text(p: ProjectRisk) -> str:
    return f"{p.money:,.2f}" if p.money is not None else ""
