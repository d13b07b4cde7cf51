"""Hostile inputs for the tests: named cases, each writing one file, made from the shipped examples.

A case is a name, a family and a function giving the file's bytes. To add one, append a `Case` to
CASES (or a loop that appends many); the tests pick cases by family, so a new case of an existing
family is tested without touching a test:

    CASES.append(Case("text.formula_in_name", "text", lambda: _sub(SELF_EVALUATION, "就业", "=HYPERLINK(…)")))

Families: "number" (absurd numbers in cells), "separator" (the tab separators garbled). Text attacks
in names and goals (formula injection, HTML, control characters) belong to a family "text" (issue 16,
item 5). Files that are not regular files (a FIFO, a device) are made by the tests themselves.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _example(name: str, lines: int | None = None) -> str:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    return "".join(text.splitlines(keepends=True)[:lines]) if lines else text


# Small bases keep the tests fast: two self-evaluations (a funds table with 执行率 and 得分, indicators
# with targets, actuals, weights and scores) and the four tracking forms.
SELF_EVALUATION = _example("putuo_2024_self_evaluation.txt", 65)
TRACKING = _example("minhang_2024_tracking.txt")
BASES = {"self_evaluation": SELF_EVALUATION, "tracking": TRACKING}


@dataclass(frozen=True)
class Case:
    name: str  # unique; the file is named after it
    family: str
    make: Callable[[], str | bytes]
    suffix: str = ".txt"

    def write(self, folder: Path) -> Path:
        path = Path(folder) / f"{self.name}{self.suffix}"
        data = self.make()
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path


# --- absurd numbers ---------------------------------------------------------------------------

ABSURD_NUMBERS = {
    "1e308": "1e308",
    "400_digits": "9" * 400,
    "400_digits_decimal": "9" * 400 + ".99",
    "nan": "NaN",
    "inf": "inf",
    "minus_inf": "-inf",
    "1e-400": "1e-400",
    "tiny_decimal": "0." + "0" * 400 + "1",
    "16_digits": "1234567890123456",
}
# A number in a cell: 103.15, 90.00 in ≥90.00(%), 10 — not the digits of a date or a name.
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d年月日])")


def replace_numbers(text: str, value: str, every: int = 1) -> str:
    """Every `every`-th number of the text replaced by `value` (1: all of them)."""
    count = -1

    def sub(m: re.Match) -> str:
        nonlocal count
        count += 1
        return value if count % every == 0 else m.group()

    return _NUMBER.sub(sub, text)


# --- garbled separators -----------------------------------------------------------------------

def _mixed(text: str, seed: int = 16) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice([" ", "  ", "   ", "\u3000", "｜", " ｜ "]) if c == "\t" else c for c in text)


GARBLES: dict[str, Callable[[str], str]] = {
    "spaces": lambda t: t.replace("\t", "  "),
    "fullwidth_spaces": lambda t: t.replace("\t", "\u3000"),
    "fullwidth_bar": lambda t: t.replace("\t", "｜"),
    "mixed": _mixed,
}


# --- the cases --------------------------------------------------------------------------------

CASES: list[Case] = []
for _base, _text in BASES.items():
    for _label, _value in ABSURD_NUMBERS.items():
        CASES.append(Case(f"number.{_label}.all.{_base}", "number",
                          lambda t=_text, v=_value: replace_numbers(t, v)))
        if _base == "self_evaluation":  # one cell in three: the others keep the form readable
            CASES.append(Case(f"number.{_label}.some.{_base}", "number",
                              lambda t=_text, v=_value: replace_numbers(t, v, every=3)))
    for _label, _garble in GARBLES.items():
        CASES.append(Case(f"separator.{_label}.{_base}", "separator", lambda t=_text, g=_garble: g(t)))


def cases(family: str | None = None) -> list[Case]:
    return [c for c in CASES if family is None or c.family == family]


def write(folder: Path, family: str | None = None) -> list[Path]:
    """Write the cases of a family (all cases when None) into `folder`; their paths, in CASES order."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return [c.write(folder) for c in cases(family)]
