"""What a review produces: findings with their evidence.

The JSON names (`code`, `severity`, `message`, `project_name`, `projects`, `evidence`, `id`) are a
contract: other tools and reviewers' spreadsheets key on them, and on the codes themselves.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, Field, model_serializer

from jixiao.review.decisions import Decision

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
    location: str | None = None  # Office/PDF files: the cell or row in the original ("Sheet1!C14", "Sheet1!14")


class ProjectRef(BaseModel):
    project_name: str | None
    unit: str | None
    year: int | None
    form_type: str
    file: str
    line: int


def _drop_unset(data: dict[str, Any], *names: str) -> dict[str, Any]:
    """Leave out language-model fields that hold nothing: a review without a model writes exactly
    what it wrote before the model existed (issue 5, requirement 6)."""
    for name in names:
        if not data.get(name):
            data.pop(name, None)
    return data


class LLMVerdict(BaseModel):
    """What the language model said about one finding, with what it rests on.

    `verdict` is one of the task's answers (goal: met / partly_met / not_met / cannot_tell;
    deviation: excuses / contradicts / unrelated / cannot_tell), or `unusable` when the model's
    answer failed validation twice and was recorded rather than guessed."""

    verdict: str
    explanation: str
    model: str
    prompt_version: str
    evidence: list[str] = Field(default_factory=list)  # sentences quoted verbatim from the document
    specific: bool | None = None  # goal task: the actual text gives concrete results, not the promise again
    # Whether a quote from the primary text bears on the goal / indicator row (shares its content words
    # or numbers, review/llm/support.py); False: the verdict stands in no relation to what it judged.
    supported: bool | None = None


class ProjectComment(BaseModel):
    """A drafted 审核意见 for one project, written by the model from the project's findings."""

    project_name: str | None
    unit: str | None
    year: int | None
    comment: str  # empty when status is unusable
    finding_ids: list[str] = Field(default_factory=list)  # the findings the comment rests on
    model: str
    prompt_version: str
    status: Literal["ok", "unusable"] = "ok"
    note: str | None = None  # why an answer was unusable


class LLMUsage(BaseModel):
    """What the language model cost in one review run."""

    model: str
    calls: int = 0  # answers received from the endpoint (a question asked again after an invalid answer: two)
    cached: int = 0  # answers taken from the cache, no request made
    failed: int = 0  # tasks with no answer: endpoint unreachable, timed out, refused the request
    unusable: int = 0  # tasks whose answers failed validation twice
    skipped: int = 0  # tasks not asked: --llm-max-calls reached, or the run was interrupted
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    errors: list[str] = Field(default_factory=list)  # the distinct failures, first few
    # questions = fresh + cached + failed + failed_earlier + skipped; unusable counts among fresh and cached.
    questions: int = 0  # tasks this run had (asked, looked up or skipped)
    fresh: int = 0  # tasks answered by the endpoint in this run (valid or unusable)
    failed_earlier: int = 0  # tasks whose failure an earlier run remembered, not asked again (--llm-retry-failed)
    failed_earlier_reason: str | None = None  # the first of those failures, as it was reported then
    concurrency: int | None = None  # questions in flight at the end (lowered after timeouts or a slow server)
    timeout: float | None = None  # seconds allowed per answer at the end (raised to the server's measured speed)
    timeouts: int = 0  # requests that timed out (every try counts)
    tokens_per_second: float | None = None  # completion tokens a second per request, as measured
    adapted: str = ""  # what the run adapted to, e.g. "concurrency 4→1 after timeouts, timeout 120→384 s"


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
    note: str | None = None  # the reviewer's 审核备注 beside the decision (review/decisions.py)
    reviewer: str | None = None  # who decided (--reviewer, JIXIAO_REVIEWER, the 审核人 column, jixiao serve)
    llm: LLMVerdict | None = None  # only when a language model was asked about this finding
    # Set by the worklist pass after the checks (review/worklist.py): the id of the group this finding
    # is folded into (null when it stands alone), and its risk (severity × substance × money at stake).
    group: str | None = None
    risk: float = 0.0

    @model_serializer(mode="wrap")
    def _serialize(self, handler) -> dict[str, Any]:
        return _drop_unset(handler(self), "llm")

    def with_id(self, *subject: object) -> "Finding":
        """A stable id from what the finding is about, not from line numbers: re-exports keep it."""
        key = "|".join(str(x) for x in (self.code, self.project_name, self.unit, self.year, self.form_type, *subject))
        self.id = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
        return self


class FindingGroup(BaseModel):
    """Several findings that are one problem for a reviewer: one unit's recurring failing
    (`kind` "unit"), several rows of one form with the same fault ("form"), or two codes
    about the same copy or the same lag ("same_problem"). Its id is stable, like a finding's;
    a decision on it applies to every member that has none of its own."""

    id: str
    kind: Literal["unit", "form", "same_problem"]
    code: str  # the leading member's code
    codes: list[str]  # every member's code
    severity: Severity
    message: str
    project_name: str | None = None  # None when the members are of several projects
    unit: str | None = None
    year: int | None = None
    form_type: str | None = None
    members: list[str]  # finding ids, leading member first
    projects: list[ProjectRef] = Field(default_factory=list)
    risk: float = 0.0
    substantive: bool = False
    appendix: bool = False  # low and formal: the report's appendix
    decision: Literal["accepted", "dismissed"] | None = None
    note: str | None = None
    reviewer: str | None = None


class ProjectRisk(BaseModel):
    """One project (name, unit, year) in the worklist, with its findings; the summary lists them by risk."""

    project_name: str | None
    unit: str | None
    year: int | None
    risk: float
    findings: list[str]  # ids, riskiest first
    rank: int = 0
    money: float | None = None  # 万元 at stake: the largest budget on the project's forms
    substantive: int = 0  # findings about substance (money, results, copying), not form
    top: str | None = None  # the message of its riskiest finding or group


class Summary(BaseModel):
    forms: int
    findings: int
    by_code: dict[str, int]
    by_severity: dict[str, int]
    decisions: dict[str, int] = Field(default_factory=dict)
    settings: str | None = None
    llm: LLMUsage | None = None
    projects: list[ProjectRisk] = Field(default_factory=list)  # by risk, highest first (contract)
    groups: int = 0  # how many groups the findings were folded into
    orphaned_decisions: int = 0  # decisions on ids no finding or group of this run has (kept in the report)
    # Of those, the ones whose finding this run did produce but left out (--only, --min-severity, --unit/--year/
    # --form-type): out of view, not fixed.
    decisions_outside_selection: int = 0

    @model_serializer(mode="wrap")
    def _serialize(self, handler) -> dict[str, Any]:
        return _drop_unset(handler(self), "llm")


class ParseWarning(BaseModel):
    """A parser warning (an unread year or period, a shifted row, a derived score, a continuation
    page …) with the project of the form it concerns; project fields are null when it concerns no form."""

    file: str
    line: int | None = None
    location: str | None = None  # Office/PDF files: the row in the original ("Sheet1!14")
    project_name: str | None = None
    unit: str | None = None
    year: int | None = None
    form_type: str | None = None
    message: str


class Report(BaseModel):
    summary: Summary
    flags: list[Finding]
    # Drafted 审核意见 keyed by project: "项目名称｜实施单位｜年度" (see review.llm.judge.project_key).
    comments: dict[str, ProjectComment] = Field(default_factory=dict)
    groups: list[FindingGroup] = Field(default_factory=list)
    # Decisions whose finding or group this run did not produce (fixed since, other thresholds,
    # --only): carried so that the report, read back as a decisions file, loses none of them.
    orphaned_decisions: list[Decision] = Field(default_factory=list)
    # What the parser warned about in the forms reviewed, by file and line (review/parse_warnings.py).
    parse_warnings: list[ParseWarning] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _serialize(self, handler) -> dict[str, Any]:
        return _drop_unset(handler(self), "comments", "orphaned_decisions")
