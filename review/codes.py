"""What each finding code means to a reviewer, read from review/codes.toml: its Chinese name, the
severities it can take, whether it is about substance, what it means and what to check.

Substantive findings are about money, results and honesty of the record (execution behind the
calendar, budgets cut to flatter the rate, results pasted from promises, goals copied from other
projects, numbers that disagree); formal ones are about how the form is filled in (units, categories,
a missing deviation text). The worklist ranks projects by their substantive findings first, and a
low formal finding goes to the report's appendix.

The same file feeds `jixiao codes`, the Chinese names in every report and the README's code table:
`python -m jixiao.review.codes --readme` rewrites the table between its two marker comments.

Glossary where the two languages meet: substantive 实质性问题 · formal 形式问题 · group 归并 ·
risk 风险分 · appendix 附录 · severity 严重程度 (high 高 · medium 中 · low 低).
"""

from __future__ import annotations

import sys
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

DATA = Path(__file__).with_name("codes.toml")
README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN = "<!-- codes:begin — generated from review/codes.toml by `python -m jixiao.review.codes --readme`; edit that file, not this table -->"
END = "<!-- codes:end -->"
SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}

Severity = Literal["high", "medium", "low"]


class CodeInfo(BaseModel):
    """One code as `jixiao codes --format json` gives it (the keys are a contract: add, never rename)."""

    code: str
    name: str
    severity: list[Severity]  # the severities the check can give, gravest first
    substantive: bool
    meaning: str
    check: str
    finds: str  # in English, for the README


@lru_cache(maxsize=1)
def catalogue() -> dict[str, CodeInfo]:
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    return {code: CodeInfo(code=code, **fields) for code, fields in data.items()}


def code_zh(code: str) -> str:
    """The code's Chinese name; a code missing from codes.toml is named by itself."""
    c = catalogue().get(code)
    return c.name if c else code


def substantive(code: str) -> bool:
    """A code missing from codes.toml counts as formal."""
    c = catalogue().get(code)
    return c.substantive if c else False


def severity_label(severity: str) -> str:
    """high → 高（high）: the Chinese a reviewer reads, then the value the JSON carries."""
    zh = SEVERITY_ZH.get(severity)
    return f"{zh}（{severity}）" if zh else severity


def code_label(code: str) -> str:
    """goal.missing → goal.missing 缺少绩效目标或完成情况."""
    name = code_zh(code)
    return code if name == code else f"{code} {name}"


def readme_table() -> str:
    """The README's code table: every code of codes.toml, in its order."""
    cell = lambda s: s.replace("|", "\\|")  # noqa: E731
    rows = ["| code | 名称 | severity | 实质/形式 | finds |", "|---|---|---|---|---|"]
    for c in catalogue().values():
        sev = " / ".join(f"{s} {SEVERITY_ZH[s]}" for s in c.severity)
        rows.append(f"| `{c.code}` | {cell(c.name)} | {sev} | {'实质' if c.substantive else '形式'} | {cell(c.finds)} |")
    return "\n".join(rows)


def with_table(readme: str) -> str:
    """The README text with the table between the markers replaced by `readme_table()`."""
    head, sep, rest = readme.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"README has no {BEGIN!r} … {END!r} markers")
    return f"{head}{BEGIN}\n{readme_table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    if argv[:1] != ["--readme"]:
        print("usage: python -m jixiao.review.codes --readme [README.md]", file=sys.stderr)
        return 2
    path = Path(argv[1]) if len(argv) > 1 else README
    text = path.read_text(encoding="utf-8")
    new = with_table(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    print(f"{path}: {len(catalogue())} codes{'' if new != text else ' (unchanged)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
