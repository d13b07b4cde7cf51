"""Findings as the worklist pass reads them, for the streaming review's summary at the end.

The streaming review writes every finding as it comes and spools it; the worklist (groups, risk,
ranking) then reads all of them back at once. As validated `Finding`s with their evidence that is
9 KiB a finding: the 100,000 generated forms of bench_scale.py give over a million findings, 9 GB.
The worklist reads a few attributes (review/worklist.py: code, severity, message, project, the
projects a finding joins, the first evidence with a file and the row's 三级指标), so it gets slotted
records of those, with the strings every finding repeats (codes, units, files) shared and each
project reference built once. About a tenth of the memory; the groups and ranking are the same
(tests/test_stream_review.py compares the summary with the report's).
"""

from __future__ import annotations

import json
import sys
from typing import NamedTuple

from jixiao.review.models import ProjectRef


class EvidenceRow(NamedTuple):
    label: str
    text: str | None
    file: str | None
    line: int | None


def _i(s: str | None) -> str | None:
    return sys.intern(s) if s else s


class WorklistFinding:
    """What review/worklist.py and review/decisions.py read and set on a finding."""

    __slots__ = ("id", "code", "severity", "message", "project_name", "unit", "year", "form_type", "projects",
                 "evidence", "decision", "note", "reviewer", "group", "risk", "llm")

    def __init__(self, data: dict, refs: dict[tuple, ProjectRef]) -> None:
        self.id, self.code, self.severity = data["id"], _i(data["code"]), _i(data["severity"])
        self.message = data["message"]
        self.project_name, self.unit = _i(data.get("project_name")), _i(data.get("unit"))
        self.year, self.form_type = data.get("year"), _i(data.get("form_type"))
        self.projects = [_ref(p, refs) for p in data.get("projects") or ()]
        evidence = data.get("evidence") or ()
        first = next((e for e in evidence if e.get("file")), None)
        row = next((e for e in evidence if e.get("label") == "三级指标" and e.get("text")), None)
        self.evidence = [EvidenceRow(_i(e["label"]), e.get("text"), _i(e.get("file")), e.get("line"))
                         for e in evidence if e is first or e is row]
        self.decision, self.note, self.reviewer = data.get("decision"), data.get("note"), data.get("reviewer")
        self.group, self.risk, self.llm = None, 0.0, None


def _ref(p: dict, refs: dict[tuple, ProjectRef]) -> ProjectRef:
    key = (p.get("project_name"), p.get("unit"), p.get("year"), p.get("form_type"), p.get("file"), p.get("line"))
    ref = refs.get(key)
    if ref is None:
        ref = refs[key] = ProjectRef(**{k: _i(v) if isinstance(v, str) else v for k, v in p.items()})
    return ref


def worklist_finding(line: str, refs: dict[tuple, ProjectRef]) -> WorklistFinding:
    """One spooled finding's JSON line as the worklist reads it; `refs` shares project references."""
    return WorklistFinding(json.loads(line), refs)
