"""Which findings and projects the model is asked about, and how its answers join the report.

- goal.actual_unresponsive, and goal.actual_copies_expected when it is a near copy (medium: not
  identical, so the added or changed words might report a real result) → task goal_judgement on the
  finding's 预期目标 and 实际完成情况.
- indicator.deviation_contradiction → task deviation_judgement on the row.
- every project with findings (dismissed ones left out) → task review_comment, drafted from the
  findings' messages and the verdicts of the first two tasks, so it runs after them; a verdict
  whose quotes do not bear on the goal or row (`supported` false, answers.py) is left out of it.

The model never removes, adds or re-grades a finding: its verdict is recorded next to the finding
for the reviewer to weigh, and a finding the model thinks is fine stays in the report.

Questions go out in parallel (a thread pool of `concurrency`, fewer in flight when the server is slow:
pace.py); answers come back to the main thread, which caches each one the moment it arrives, so an
endpoint that dies half way, or a Ctrl-C, keeps every answer already given.

A question that got no answer because of itself — it timed out on every try, or the server rejected
it — is remembered in the cache as a failure (reason, time, the last limit). A later run does not ask
it again, so it does not pay the same timeouts, unless `retry_failed` (--llm-retry-failed), the
failure is older than RETRY_FAILED_AFTER, or it timed out and this run's longest try is longer. An
unreachable endpoint says nothing about the question and is not remembered. An answer replaces it.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from pydantic import BaseModel

from jixiao.review.codes import code_zh
from jixiao.review.llm.answers import ANSWERS, InvalidAnswer, parse_answer
from jixiao.review.llm.cache import AnswerCache, MemoryCache
from jixiao.review.llm.client import ChatClient, LLMError
from jixiao.review.llm.prompts import Template, load_template
from jixiao.review.models import Evidence, Finding, LLMUsage, LLMVerdict, ProjectComment, Report
from jixiao.review.report_common import VERDICT_ZH

SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
MAX_FINDINGS_PER_COMMENT = 30  # a project with more is summarised from its most severe ones
MAX_ERRORS = 5
RETRY_FAILED_AFTER = timedelta(hours=24)  # a remembered failure older than this is asked again


def project_key(f: Finding) -> str:
    """The key of a project's comment in `Report.comments`: 项目名称｜实施单位｜年度."""
    return f"{f.project_name}｜{f.unit or '-'}｜{f.year or '-'}"


@dataclass
class Question:
    task: str
    fields: list[tuple[str, str]]  # (label, text) put inside the fence
    primary: str  # the label whose text a verdict must quote
    finding: Finding | None = None
    key: str | None = None  # project key, for comments
    findings: list[Finding] = field(default_factory=list)  # what a comment rests on

    @property
    def context(self) -> dict:
        return {"fields": dict(self.fields), "primary": self.primary,
                "ids": [f.id for f in self.findings]}

    @property
    def input_hash(self) -> str:
        data = json.dumps({"task": self.task, "fields": self.fields}, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass
class Outcome:
    status: str  # ok | unusable | failed (a remembered failure: never attached to the report)
    answer: BaseModel | None = None
    reason: str | None = None
    at: datetime | None = None  # failed: when
    timeout: float | None = None  # failed by timing out: the limit of the last try

    def to_json(self) -> str:
        return json.dumps({"status": self.status, "reason": self.reason,
                           "answer": self.answer.model_dump() if self.answer else None}, ensure_ascii=False)


def failure_json(e: LLMError) -> str:
    return json.dumps({"status": "failed", "reason": str(e), "kind": e.kind, "timeout": e.timeout,
                       "at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "answer": None},
                      ensure_ascii=False)


def _text(evidence: list[Evidence], *labels: str) -> str | None:
    for e in evidence:
        if e.label in labels or any(e.label.endswith(label) for label in labels):
            return e.text if e.text is not None else (f"{e.value:g}" if e.value is not None else None)
    return None


def goal_question(f: Finding) -> Question | None:
    expected, actual = _text(f.evidence, "预期目标"), _text(f.evidence, "实际完成情况")
    if not expected or not actual:
        return None
    return Question("goal_judgement", [("项目名称", f.project_name or ""), ("预期目标", expected),
                                       ("实际完成情况", actual)], "实际完成情况", finding=f)


def deviation_question(f: Finding) -> Question | None:
    deviation = _text(f.evidence, "偏差原因分析")
    if not deviation:
        return None
    row = [("项目名称", f.project_name or ""), ("指标", _text(f.evidence, "三级指标") or "")]
    for label in ("年度指标值", "实际完成值", "分值", "得分"):
        v = _text(f.evidence, label)
        if v is not None:
            row.append((label, v))
    return Question("deviation_judgement", row + [("偏差原因分析", deviation)], "偏差原因分析", finding=f)


def comment_question(key: str, findings: list[Finding]) -> Question:
    f0 = findings[0]
    shown = findings[:MAX_FINDINGS_PER_COMMENT]
    lines = []
    for f in shown:
        # The check's Chinese name, not its code: a code in the list ends up in the comment.
        line = f"[{f.id}] 严重程度{SEVERITY_ZH.get(f.severity, f.severity)} {code_zh(f.code)}：{f.message}"
        # A verdict whose quotes do not bear on the goal is not settled: the comment does without it.
        if f.llm and f.llm.verdict != "unusable" and f.llm.supported is not False:
            line += f"（模型判断：{VERDICT_ZH.get(f.llm.verdict, f.llm.verdict)}，{f.llm.explanation}）"
        lines.append(line)
    about = f"{f0.project_name}（实施单位：{f0.unit or '未填'}，{f0.year or '年度未知'}年）"
    return Question("review_comment", [("项目", about), ("问题清单", "\n".join(lines))], "问题清单",
                    key=key, findings=shown)


def questions_for(report: Report) -> tuple[list[Question], dict[str, list[Finding]]]:
    """The judging questions, and the projects (key → findings) that get a drafted comment."""
    judging: list[Question] = []
    projects: dict[str, list[Finding]] = {}
    for f in report.flags:
        q = None
        if f.code == "goal.actual_unresponsive" or (f.code == "goal.actual_copies_expected" and f.severity != "high"):
            q = goal_question(f)
        elif f.code == "indicator.deviation_contradiction":
            q = deviation_question(f)
        if q is not None:
            judging.append(q)
        if f.project_name and f.decision != "dismissed":
            projects.setdefault(project_key(f), []).append(f)
    return judging, projects


def _hint(reason: str) -> str:
    """What was wrong with an answer, told back to the model without repeating document text."""
    return re.sub(r"(['\"]).*?\1", "…", reason)[:300]


def retry_message(e: InvalidAnswer) -> str:
    """The user turn after an invalid answer: a short Chinese instruction naming what is missing
    (the English detail stays in the log and the report)."""
    return (f"上一个回答不符合要求：{e.hint or _hint(str(e))}"
            "请只依据围栏内的数据重新作答，只输出一个 JSON 对象。")


class Judge:
    def __init__(self, client: ChatClient, cache: AnswerCache | None = None, *, concurrency: int = 4,
                 limit: int | None = None, comments: bool = True, prompts_dir: Path | None = None,
                 progress: Callable[[int], None] | None = None, retry_failed: bool = False,
                 retry_after: timedelta = RETRY_FAILED_AFTER):
        self.client = client
        self.cache = cache if cache is not None else MemoryCache()
        self.concurrency = max(1, concurrency)
        client.pace.set_concurrency(self.concurrency)  # the ceiling; the pace may go lower
        self.retry_failed = retry_failed
        self.retry_after = retry_after
        self._failures: list[tuple[Question, LLMError]] = []  # rejections to remember, see _remember
        self.budget = limit  # questions that may still go to the model; cached answers are free
        self.comments = comments
        self.templates: dict[str, Template] = {t: load_template(t, prompts_dir) for t in ANSWERS}
        self.progress = progress or (lambda n: None)
        self.usage = LLMUsage(model=client.model)
        self.interrupted = False

    # --- one question, in a worker thread ---------------------------------------------------------

    def _ask(self, q: Question) -> Outcome:
        template = self.templates[q.task]
        messages = template.render(q.fields, nonce=q.input_hash[:8])
        reason = ""
        for attempt in range(2):  # an invalid answer is asked again once, then recorded as unusable
            content = self.client.chat(messages).content
            try:
                return Outcome("ok", parse_answer(q.task, content, q.context))
            except InvalidAnswer as e:
                reason = str(e)
                messages = messages + [
                    {"role": "assistant", "content": content[:2000]},
                    {"role": "user", "content": retry_message(e)}]
        return Outcome("unusable", reason=reason)

    # --- the main thread: cache, dispatch, collect ------------------------------------------------

    def _cached(self, q: Question) -> Outcome | None:
        raw = self.cache.get(self.templates[q.task].prompt_version, self.client.model, q.input_hash)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            if data["status"] == "unusable":
                return Outcome("unusable", reason=data.get("reason"))
            if data["status"] == "failed":
                at = datetime.fromisoformat(data["at"])
                timeout = data.get("timeout") if data.get("kind") == "timeout" else None
                return Outcome("failed", reason=data.get("reason"), at=at, timeout=timeout)
            return Outcome("ok", ANSWERS[q.task].model_validate(data["answer"], context=q.context))
        except (ValueError, KeyError, TypeError):
            return None  # stored under other rules: ask again

    def _ask_again(self, failure: Outcome) -> bool:
        """Whether a failure remembered from an earlier run is asked again in this one."""
        if self.retry_failed or failure.at is None or failure.at.tzinfo is None:
            return True
        if datetime.now(timezone.utc) - failure.at > self.retry_after:
            return True
        return failure.timeout is not None and self.client.longest_try() > failure.timeout

    def _fail(self, message: str) -> None:
        self.usage.failed += 1
        if message not in self.usage.errors and len(self.usage.errors) < MAX_ERRORS:
            self.usage.errors.append(message)

    def ask(self, questions: list[Question], apply: Callable[[Question, Outcome], None]) -> None:
        todo = []
        for q in questions:
            self.usage.questions += 1
            hit = self._cached(q)
            if hit is not None and hit.status == "failed":
                if not self._ask_again(hit):
                    self.usage.failed_earlier += 1
                    if hit.reason and not self.usage.failed_earlier_reason:
                        self.usage.failed_earlier_reason = hit.reason
                    self.progress(1)
                    continue
                hit = None
            if hit is not None:
                self.usage.cached += 1
                self.usage.unusable += hit.status == "unusable"
                apply(q, hit)
                self.progress(1)
            elif self.interrupted or (self.budget is not None and self.budget <= 0):
                self.usage.skipped += 1
                self.progress(1)
            else:
                if self.budget is not None:
                    self.budget -= 1
                todo.append(q)
        if not todo:
            return
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="jixiao-llm")
        futures: dict[Future, Question] = {pool.submit(self._ask, q): q for q in todo}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    self._collect(futures[fut], fut, apply)
        except KeyboardInterrupt:
            self.interrupted = True
            self.client.pace.stop()
            for fut in pending:
                fut.cancel()
            self.usage.skipped += len(pending)
        finally:
            pool.shutdown(wait=not self.interrupted, cancel_futures=True)
            self._remember()

    def _remember(self) -> None:
        """Keep this run's rejections once some other question got an answer: when every request is
        rejected, the setup is at fault (a model name the server does not know), and remembering
        would skip every question once it is fixed. Until then they wait (the next `ask` may answer)."""
        if self.client.calls == 0:
            return
        for q, e in self._failures:
            self._put(q, failure_json(e))
        self._failures = []

    def _put(self, q: Question, answer_json: str) -> None:
        self.cache.put(self.templates[q.task].prompt_version, self.client.model, q.input_hash, answer_json)

    def _collect(self, q: Question, fut: Future, apply: Callable[[Question, Outcome], None]) -> None:
        self.progress(1)
        try:
            outcome = fut.result()
        except LLMError as e:
            self._fail(str(e))
            if e.kind == "timeout" and not e.unreachable:
                self._put(q, failure_json(e))  # kept at once, as answers are
            elif e.kind is not None and not e.unreachable:
                self._failures.append((q, e))
            return
        except Exception as e:  # a bug in one answer's handling must not lose the others
            self._fail(f"{type(e).__name__}: {e}")
            return
        self.usage.fresh += 1
        if outcome.status == "unusable":
            self.usage.unusable += 1
        self._put(q, outcome.to_json())
        apply(q, outcome)

    # --- attaching answers ------------------------------------------------------------------------

    def _verdict(self, q: Question, o: Outcome) -> None:
        version = self.templates[q.task].prompt_version
        if o.status != "ok":
            q.finding.llm = LLMVerdict(verdict="unusable", model=self.client.model, prompt_version=version,
                                       explanation=f"模型的回答两次均不符合要求，未采用（{o.reason}）。")
            return
        a = o.answer
        q.finding.llm = LLMVerdict(verdict=a.verdict, explanation=a.explanation, model=self.client.model,
                                   prompt_version=version, evidence=list(a.evidence),
                                   specific=getattr(a, "specific", None), supported=getattr(a, "supported", None))

    def _comment(self, report: Report) -> Callable[[Question, Outcome], None]:
        def apply(q: Question, o: Outcome) -> None:
            f0 = q.findings[0]
            common = dict(project_name=f0.project_name, unit=f0.unit, year=f0.year, model=self.client.model,
                          prompt_version=self.templates[q.task].prompt_version)
            if o.status != "ok":
                report.comments[q.key] = ProjectComment(comment="", status="unusable", note=o.reason, **common)
            else:
                report.comments[q.key] = ProjectComment(comment=o.answer.comment,
                                                        finding_ids=list(o.answer.finding_ids), **common)
        return apply

    def run(self, report: Report) -> LLMUsage:
        """Ask, attach the answers to `report` (findings' `llm`, `comments`, `summary.llm`), return the usage."""
        start = time.monotonic()
        judging, projects = questions_for(report)
        try:
            self.ask(judging, self._verdict)
            if self.comments:
                # Built after the verdicts: a comment weighs what the model said about each finding.
                asks = [comment_question(k, fs) for k, fs in projects.items()]
                self.ask(asks, self._comment(report))
                report.comments = dict(sorted(report.comments.items()))
        finally:
            self.usage.calls = self.client.calls
            self.usage.prompt_tokens = self.client.prompt_tokens
            self.usage.completion_tokens = self.client.completion_tokens
            pace = self.client.pace
            self.usage.concurrency, self.usage.timeout, self.usage.timeouts = pace.limit, pace.timeout, pace.timeouts
            self.usage.tokens_per_second = round(pace.rate, 1) if pace.rate is not None else None
            self.usage.adapted = pace.adapted()
            self.usage.seconds = round(time.monotonic() - start, 2)
            report.summary.llm = self.usage
        return self.usage

    def total(self, report: Report) -> int:
        """How many questions a run will ask or look up (for a progress bar)."""
        judging, projects = questions_for(report)
        return len(judging) + (len(projects) if self.comments else 0)
