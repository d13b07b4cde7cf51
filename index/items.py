"""What the three indexes hold, read from the corpus store.

- indicator: one entry per indicator row; id = indicators.id; text = the 三级指标 name, with its
  二级指标 when the name alone is too short to mean anything ("满意度" → "满意度（服务对象满意度指标）").
- goal: one entry per goal text of a form (expected, actual, and a declaration's overall/annual
  when they differ); id = forms.id × 4 + role.
- project: one entry per form; id = forms.id; its vector is composed from the form's goal and
  indicator vectors (see vectors.project_vectors), so it needs no text of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Literal

from jixiao.index.store import Store

Kind = Literal["indicator", "goal", "project"]
KINDS: tuple[Kind, ...] = ("indicator", "goal", "project")
GOAL_ROLES = ("expected", "actual", "overall", "annual")
SHORT_NAME = 4  # characters; shorter names get their 二级指标 as context


@dataclass(slots=True)
class Item:
    id: int
    form_id: int
    text: str  # what is embedded
    shown: str  # what a reviewer sees


def indicator_text(name: str, level2: str) -> str:
    return f"{name}（{level2}）" if len(name) <= SHORT_NAME and level2 else name


def indicator_items(store: Store) -> Iterator[Item]:
    for iid, form_id, name, level2 in store.conn.execute(
            "SELECT id, form_id, name, level2 FROM indicators WHERE name != '' ORDER BY id"):
        yield Item(iid, form_id, indicator_text(name, level2), name)


def goal_texts(form_type: str, expected: str | None, actual: str | None, overall: str | None,
               annual: str | None) -> dict[str, str]:
    """The goal texts of a form that the goal index holds, by role."""
    texts = {"expected": expected, "actual": actual, "overall": overall, "annual": annual}
    if form_type == "declaration":
        # A declaration's expected text *is* its annual (or overall) goal: index each text once.
        texts["expected"] = None if expected in (annual, overall) else expected
        texts["overall"] = None if overall == annual else overall
    return {role: texts[role] for role in GOAL_ROLES if texts[role]}


def goal_items(store: Store) -> Iterator[Item]:
    for form_id, form_type, expected, actual, overall, annual in store.conn.execute(
            "SELECT id, form_type, goal_expected, goal_actual, goal_overall, goal_annual FROM forms ORDER BY id"):
        for role, text in goal_texts(form_type, expected, actual, overall, annual).items():
            yield Item(form_id * 4 + GOAL_ROLES.index(role), form_id, text, text)


def goal_role(item_id: int) -> str:
    return GOAL_ROLES[item_id % 4]


def items(store: Store, kind: Kind) -> Iterator[Item]:
    if kind == "indicator":
        return indicator_items(store)
    if kind == "goal":
        return goal_items(store)
    raise ValueError(f"{kind} items have no text of their own")
