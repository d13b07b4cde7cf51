"""What a review produces: findings with their evidence.

The JSON names (`code`, `severity`, `message`, `project_name`, `projects`, `evidence`, `id`) are a
contract: other tools and reviewers' spreadsheets key on them, and on the codes themselves.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["high", "medium", "low"]
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}


class Evidence(BaseModel):
    """One thing a reviewer checks: a text or a number, and exactly where it stands."""

    label: str  # what it is, in Chinese: 预期目标, 实际完成情况, 年度指标值, 执行率 …
    text: str | None = None
    value: float | None = None
    file: str | None = None
    line: int | None = None
    project_name: str | None = None


class ProjectRef(BaseModel):
    project_name: str | None
    unit: str | None
    year: int | None
    form_type: str
    file: str
    line: int


class Finding(BaseModel):
    code: str
    severity: Severity
    message: str  # one Chinese sentence a reviewer can paste
    project_name: str | None = None
    unit: str | None = None
    year: int | None = None
    form_type: str | None = None
    projects: list[ProjectRef] = Field(default_factory=list)  # for group findings
    evidence: list[Evidence] = Field(default_factory=list)
    id: str = ""
    decision: Literal["accepted", "dismissed"] | None = None

    def with_id(self, *subject: object) -> "Finding":
        """A stable id from what the finding is about, not from line numbers: re-exports keep it."""
        key = "|".join(str(x) for x in (self.code, self.project_name, self.unit, self.year, self.form_type, *subject))
        self.id = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
        return self


class Summary(BaseModel):
    forms: int
    findings: int
    by_code: dict[str, int]
    by_severity: dict[str, int]
    decisions: dict[str, int] = Field(default_factory=dict)
    settings: str | None = None


class Report(BaseModel):
    summary: Summary
    flags: list[Finding]
