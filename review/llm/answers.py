"""The model's answers, one pydantic model per task, and how a reply becomes one.

An answer is only accepted when it is what was asked for: a JSON object of the task's shape whose
quoted evidence really stands in the document. A verdict without support, a quote the document
does not contain, or a quote of an instruction planted in the document makes the answer invalid;
the judge then asks once more and otherwise records it as unusable. Nothing is guessed.
"""

from __future__ import annotations

import json
import re
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from jixiao.review.evidence import normalise

MIN_QUOTE = 4  # normalised characters; "完成" alone occurs everywhere and proves nothing
# Sentences that address a model rather than report on a project: a document that says them is
# trying to steer the verdict, and quoting them as support is a sign it worked.
_INSTRUCTION = re.compile(
    r"忽略(以上|上述|之前|前面|所有|全部)|无视(以上|上述)|(请|直接)?(输出|回答|返回)\s*[\"“]?\s*(met|not_met|partly_met|cannot_tell|"
    r"contradicts|excuses|unrelated|json)|你(现在)?是|system\s*prompt|ignore\s+(all|the|previous|above)|disregard",
    re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")


class InvalidAnswer(ValueError):
    pass


def looks_like_instruction(text: str) -> bool:
    return bool(_INSTRUCTION.search(text or ""))


def extract_json(content: str) -> dict:
    """The JSON object in a reply, tolerating what servers wrap around it: ```json fences, a
    reasoning model's <think> block, a sentence before or after."""
    text = re.sub(r"<think>.*?</think>", "", content or "", flags=re.S).strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise InvalidAnswer(f"the reply is not a JSON object: {_short(content)!r}")
    try:
        data = json.loads(text[start:end + 1])
    except json.JSONDecodeError as e:
        raise InvalidAnswer(f"the reply is not valid JSON ({e.msg}): {_short(content)!r}") from None
    if not isinstance(data, dict):
        raise InvalidAnswer("the reply is not a JSON object")
    return data


def _short(text: str, n: int = 120) -> str:
    text = (text or "").strip()
    return text[:n] + ("…" if len(text) > n else "")


class _Judgement(BaseModel):
    """Shared by the two judging tasks: a verdict, why, and verbatim quotes that support it."""

    model_config = ConfigDict(extra="ignore")
    explanation: str = Field(min_length=2, max_length=600)
    evidence: list[str] = Field(default_factory=list, max_length=8)

    SUPPORTED: ClassVar[tuple[str, ...]] = ()  # verdicts that must quote the primary text

    @field_validator("explanation")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @model_validator(mode="after")
    def _quotes(self, info: ValidationInfo) -> "_Judgement":
        ctx = info.context or {}
        fields: dict[str, str] = ctx.get("fields", {})
        primary: str = ctx.get("primary", "")
        texts = {label: normalise(t) for label, t in fields.items() if t}
        in_primary = False
        for q in self.evidence:
            nq = normalise(q)
            if len(nq) < min(MIN_QUOTE, max(1, len(texts.get(primary, "")))):
                raise ValueError(f"evidence quote {q!r} is too short to support anything")
            where = [label for label, t in texts.items() if nq in t]
            if not where:
                raise ValueError(f"evidence quote {q!r} does not occur in the document; quote it word for word")
            if looks_like_instruction(q):
                raise ValueError(f"evidence quote {q!r} is an instruction written into the document, not a fact about the project")
            in_primary = in_primary or primary in where
        verdict = getattr(self, "verdict")
        if verdict in self.SUPPORTED and not in_primary:
            raise ValueError(f"verdict {verdict!r} needs at least one sentence quoted from 【{primary}】")
        return self


class GoalVerdict(_Judgement):
    """Task a: does the actual text say whether the goal was met?"""

    verdict: Literal["met", "partly_met", "not_met", "cannot_tell"]
    specific: bool | None = None  # concrete results, not the promise again or a bare claim
    SUPPORTED: ClassVar[tuple[str, ...]] = ("met", "partly_met", "not_met")


class DeviationVerdict(_Judgement):
    """Task b: does the deviation text contradict the row's claim of reaching its target?"""

    verdict: Literal["excuses", "contradicts", "unrelated", "cannot_tell"]
    SUPPORTED: ClassVar[tuple[str, ...]] = ("excuses", "contradicts")


class CommentAnswer(BaseModel):
    """Task c: a drafted 审核意见 and the findings it rests on."""

    model_config = ConfigDict(extra="ignore")
    comment: str = Field(min_length=10, max_length=800)
    finding_ids: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> "CommentAnswer":
        self.comment = self.comment.strip()
        ids = set((info.context or {}).get("ids", ()))
        unknown = [i for i in self.finding_ids if i not in ids]
        if ids and unknown:
            raise ValueError(f"finding_ids {unknown} are not in the list; use the ids in square brackets")
        if len(_CJK.findall(self.comment)) < 10:
            raise ValueError("the comment must be written in Chinese")
        return self


ANSWERS: dict[str, type[BaseModel]] = {
    "goal_judgement": GoalVerdict,
    "deviation_judgement": DeviationVerdict,
    "review_comment": CommentAnswer,
}


def parse_answer(task: str, content: str, context: dict) -> BaseModel:
    """The validated answer of `task` in a reply, or InvalidAnswer saying what is wrong with it."""
    data = extract_json(content)
    try:
        return ANSWERS[task].model_validate(data, context=context)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(x) for x in err['loc']) or 'answer'}: {err['msg']}" for err in e.errors()[:3])
        raise InvalidAnswer(problems) from None
