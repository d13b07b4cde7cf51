"""Running the catalogue over forms: findings, stable ids, reviewers' decisions, filters."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from jixiao.forms.models import Form
from jixiao.review import checks_corpus, checks_execution, checks_goal, checks_goal_corpus, checks_goal_text, checks_indicator, checks_link, checks_misplaced, checks_numbers, checks_project_mismatch, checks_rows  # noqa: F401  (register the checks)
from jixiao.review.catalogue import CHECKS, Context
from jixiao.review.evidence import locate
from jixiao.review.models import SEVERITY_RANK, Finding, Report, Summary
from jixiao.review.settings import Settings, load_settings
from jixiao.review.worklist import organise


def load_decisions(path: str | Path | None) -> dict[str, str]:
    """A reviewer's decisions: JSON {id: "accepted"|"dismissed"}, a .json report whose flags carry
    `decision`, or an .xlsx report whose 决定 column the reviewer filled in (the spreadsheet round trip)."""
    if not path:
        return {}
    p = Path(path)
    if not p.exists():
        return {}
    if p.suffix.lower() == ".xlsx":
        from jixiao.review.report_xlsx import read_decisions  # openpyxl is only needed for this path

        return read_decisions(p)
    data = json.loads(p.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "flags" in data:
        # A group's decision reaches its members (review/worklist.py); a member's own decision wins.
        groups = {g["id"]: g["decision"] for g in data.get("groups", []) if g.get("decision")}
        data = groups | {f["id"]: f["decision"] for f in data["flags"] if f.get("decision")}
    bad = {k: v for k, v in data.items() if v not in ("accepted", "dismissed")}
    if bad:
        raise ValueError(f"{p}: decisions must be 'accepted' or 'dismissed', got {next(iter(bad.values()))!r}")
    return data


def default_embed(texts: list[str]):
    from jixiao.index.embed import load_embedder

    return load_embedder().encode(texts)


def selected(code: str, only: list[str]) -> bool:
    """`--only` names codes, or families with a trailing *: "goal.*"."""
    return any(code == o or (o.endswith("*") and code.startswith(o[:-1])) for o in only)


def review(forms: list[Form], settings: Settings | None = None, only: list[str] | None = None,
           min_severity: str = "low", decisions: dict[str, str] | None = None,
           embed=None) -> Report:
    settings = settings or load_settings()
    ctx = Context(embed=embed or default_embed)
    findings: list[Finding] = []
    for check in CHECKS:
        if only and not any(selected(c, only) for c in check.codes):
            continue
        if check.scope == "form":
            for form in forms:
                findings.extend(check.fn(form, settings))
        else:
            findings.extend(check.fn(forms, settings, ctx))
    if only:
        findings = [f for f in findings if selected(f.code, only)]
    findings = [f for f in findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[min_severity]]
    seen: set[str] = set()
    unique = []
    for f in findings:
        if f.id in seen:  # the same subject reported twice (e.g. two identical rows) is one finding
            continue
        seen.add(f.id)
        f.decision = (decisions or {}).get(f.id)
        unique.append(f)
    locate(unique, forms)  # Office/PDF files: evidence names its cell or row ("Sheet1!C14")
    # Grouping and ranking are one pass after the checks: the checks stay pure, one finding each.
    groups, projects = organise(unique, forms, settings, decisions)
    unique.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.project_name or "", f.code))
    summary = summarize(unique, forms=len(forms), settings=settings.source, projects=projects, groups=len(groups))
    return Report(summary=summary, flags=unique, groups=groups)


def summarize(flags: list[Finding], **rest) -> Summary:
    """The counts of a list of findings (by code, severity, decision) and whatever else the summary holds."""
    return Summary(findings=len(flags), by_code=dict(sorted(Counter(f.code for f in flags).items())),
                   by_severity={s: n for s in ("high", "medium", "low") if (n := sum(f.severity == s for f in flags))},
                   decisions=dict(Counter(f.decision for f in flags if f.decision)), **rest)
