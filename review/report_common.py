"""What every report format shares: the rows of a finding, the language model's lines, and the
worklist's layout (projects by risk, groups shown once, the appendix).

The writers (report.py for json/jsonl/csv, report_md, report_html, report_xlsx) import from here and
never from each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jixiao.review.models import Evidence, Finding, FindingGroup, ProjectRisk, Report
from jixiao.review.worklist import in_appendix, projects_of, rank_projects

CSV_COLUMNS = ["id", "code", "severity", "decision", "project_name", "unit", "year", "form_type", "message",
               "evidence", "where", "projects", "group", "risk"]
LLM_COLUMNS = ["llm_verdict", "llm_explanation"]  # only in reports where a model was asked
VERDICT_ZH = {"met": "已完成", "partly_met": "部分完成", "not_met": "未完成", "cannot_tell": "无法判断",
              "contradicts": "矛盾", "excuses": "说明合理", "unrelated": "无关", "unusable": "回答不可用"}


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


def place(e: Evidence) -> str:
    """Where evidence stands, for people: `file:line` for text exports, `file Sheet1!C14` for Office/PDF files."""
    if not e.file:
        return ""
    return f"{e.file} {e.location}" if e.location else f"{e.file}:{e.line}"


def _where(f: Finding) -> str:
    seen = []
    for e in f.evidence:
        w = place(e)
        if w and w not in seen:
            seen.append(w)
    return "\n".join(seen)


def csv_rows(report: Report) -> list[dict]:
    rows = [{
        "id": f.id, "code": f.code, "severity": f.severity, "decision": f.decision or "",
        "project_name": f.project_name or "", "unit": f.unit or "", "year": f.year or "",
        "form_type": f.form_type or "", "message": f.message, "evidence": _evidence_text(f), "where": _where(f),
        "projects": "\n".join(f"{p.project_name}（{p.unit}，{p.year}，{p.form_type}）" for p in f.projects),
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
    return (f"语言模型 {u.model}：{u.calls} 次调用，{u.cached} 条取自缓存，{u.failed} 条失败，{u.unusable} 条回答不可用，"
            f"{u.skipped} 条未问；{u.prompt_tokens}+{u.completion_tokens} tokens，{u.seconds:g} 秒。")


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


@dataclass
class Layout:
    projects: list[ProjectRisk]  # every project, by risk
    unit_groups: list[Item]  # one unit's recurring failing: shown once, before the projects
    sections: list[Section]  # the projects' own problems, by project risk
    appendix: list[Section]  # low formal findings, by project


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
    return Layout(projects=list(projects), unit_groups=unit_items,
                  sections=[main[k] for k in sorted(main)], appendix=[appendix[k] for k in sorted(appendix)])


def project_title(p: ProjectRisk) -> str:
    return f"{p.project_name or '(多个项目)'}（{p.unit or '-'}，{p.year or '-'}年）"


def money_text(p: ProjectRisk) -> str:
    return f"{p.money:,.2f}" if p.money is not None else ""
