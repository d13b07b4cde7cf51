"""The catalogue of checks: adding a kind of finding is adding one function here and its test.

A form check takes one form and the settings and yields findings; a corpus check takes every form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    import numpy as np

from jixiao.forms.models import Form
from jixiao.review.models import Finding
from jixiao.review.settings import Settings

FormCheck = Callable[[Form, Settings], Iterable[Finding]]


@dataclass
class Context:
    """What corpus checks may need beyond the forms: an embedding function (texts → unit vectors), and
    a memo for what several checks derive from the same forms in one review (the projects' links)."""

    embed: Callable[[list[str]], "np.ndarray"]
    memo: dict = field(default_factory=dict)


CorpusCheck = Callable[[list[Form], Settings, Context], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    codes: tuple[str, ...]
    fn: Callable
    scope: str  # "form" or "corpus"


CHECKS: list[Check] = []


def form_check(*codes: str) -> Callable[[FormCheck], FormCheck]:
    def register(fn: FormCheck) -> FormCheck:
        CHECKS.append(Check(codes, fn, "form"))
        return fn
    return register


def corpus_check(*codes: str) -> Callable[[CorpusCheck], CorpusCheck]:
    def register(fn: CorpusCheck) -> CorpusCheck:
        CHECKS.append(Check(codes, fn, "corpus"))
        return fn
    return register


def all_codes() -> list[str]:
    return sorted({c for check in CHECKS for c in check.codes})
