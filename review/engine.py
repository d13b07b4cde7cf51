"""Running the catalogue over forms: findings, stable ids, reviewers' decisions, filters."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Mapping

from jixiao.forms.models import Form
from jixiao.review import checks_corpus, checks_execution, checks_goal, checks_goal_corpus, checks_goal_text, checks_indicator, checks_link, checks_misplaced, checks_numbers, checks_project_mismatch, checks_rows  # noqa: F401  (register the checks)
from jixiao.review.catalogue import CHECKS, Context
from jixiao.review.decisions import Decision, apply_notes, as_book, orphaned
from jixiao.review.decisions import read_file as read_decisions_file, values as decision_values
from jixiao.review.evidence import locate
from jixiao.review.models import SEVERITY_RANK, Finding, Report, Summary
from jixiao.review.settings import Settings, load_settings
from jixiao.review.worklist import organise


def load_decisions(path: str | Path | None) -> dict[str, str]:
    """{id: "accepted"|"dismissed"} from a decisions file (review/decisions.py reads every kind and
    keeps notes and reviewers too); no path or a missing file: none (`jixiao review` warns about it)."""
    if not path or not Path(path).exists():
        return {}
    return decision_values(read_decisions_file(path))


def default_embed(texts: list[str]):
    from jixiao.index.embed import load_embedder

    return load_embedder().encode(texts)


def selected(code: str, only: list[str]) -> bool:
    """`--only` names codes, or families with a trailing *: "goal.*"."""
    return any(code == o or (o.endswith("*") and code.startswith(o[:-1])) for o in only)


def passes(f: Finding, only: list[str] | None, min_severity: str, focus=None) -> bool:
    """The report's filters on one finding: --only, --min-severity, --unit/--year/--form-type (review/stream.py too)."""
    return ((not only or selected(f.code, only)) and SEVERITY_RANK[f.severity] >= SEVERITY_RANK[min_severity]
            and (focus is None or focus.finding(f)))


def decide(f: Finding, book: Mapping[str, Decision]) -> None:
    """A finding's own decision from the book; group decisions and notes come with the worklist pass."""
    f.decision = book[f.id].decision if f.id in book else None


def review(forms: list[Form], settings: Settings | None = None, only: list[str] | None = None,
           min_severity: str = "low", decisions: Mapping[str, str | Decision] | None = None,
           embed=None, focus=None) -> Report:
    """`focus` (review/selection.py): the checks see every form, the report keeps the findings about the selected ones."""
    settings = settings or load_settings()
    book = as_book(decisions)  # {id: Decision}: decision, note, reviewer
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
    produced = {f.id for f in findings}  # before the filters: a decision on a filtered-out finding is not a fixed one
    findings = [f for f in findings if passes(f, only, min_severity, focus)]
    seen: set[str] = set()
    unique = []
    for f in findings:
        if f.id in seen:  # the same subject reported twice (e.g. two identical rows) is one finding
            continue
        seen.add(f.id)
        decide(f, book)
        unique.append(f)
    locate(unique, forms)  # Office/PDF files: evidence names its cell or row ("Sheet1!C14")
    # Grouping and ranking are one pass after the checks: the checks stay pure, one finding each.
    groups, projects = organise(unique, forms, settings, decision_values(book))
    apply_notes(unique, groups, book)
    lost = orphaned(book, unique, groups)  # kept and carried in the report, never dropped
    unique.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.project_name or "", f.code))
    summary = summarize(unique, forms=len(forms), settings=settings.source, projects=projects, groups=len(groups),
                        orphaned_decisions=len(lost),
                        decisions_outside_selection=sum(1 for d in lost if d.id in produced))
    return Report(summary=summary, flags=unique, groups=groups, orphaned_decisions=lost)


def summarize(flags: list[Finding], **rest) -> Summary:
    """The counts of a list of findings (by code, severity, decision) and whatever else the summary holds."""
    return Summary(findings=len(flags), by_code=dict(sorted(Counter(f.code for f in flags).items())),
                   by_severity={s: n for s in ("high", "medium", "low") if (n := sum(f.severity == s for f in flags))},
                   decisions=dict(Counter(f.decision for f in flags if f.decision)), **rest)
