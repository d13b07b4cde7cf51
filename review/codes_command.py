"""`jixiao codes`: every finding code with what it means to a reviewer (review/codes.toml)."""

from __future__ import annotations

import json
import sys
from enum import Enum

import typer
from rich.table import Table

from jixiao.console import out
from jixiao.review.codes import SEVERITY_ZH, catalogue


class CodesFormat(str, Enum):
    table = "table"
    json = "json"


def codes_cmd(
    fmt: CodesFormat = typer.Option(CodesFormat.table, "--format", "-f", help="table (for people) or json (a list of {code, name, severity, substantive, meaning, check, finds})."),
) -> None:
    """List every finding code: its Chinese name, severities, substantive or formal, what it means (含义)
    and what a reviewer should check before accepting it (审核要点).

    Example: jixiao codes

    Example: jixiao codes --format json | jq -r '.[] | select(.substantive) | .code'
    """
    codes = list(catalogue().values())
    if fmt == CodesFormat.json:
        sys.stdout.write(json.dumps([c.model_dump() for c in codes], ensure_ascii=False, indent=2) + "\n")
        return
    t = Table(show_edge=False, box=None, header_style="bold", show_lines=True)
    for c in ("代码", "名称", "严重程度", "性质", "含义", "审核要点"):
        t.add_column(c, overflow="fold")
    for c in codes:
        t.add_row(c.code, c.name, "/".join(f"{SEVERITY_ZH[s]}（{s}）" for s in c.severity),
                  "实质" if c.substantive else "形式", c.meaning, c.check)
    out.print(t, highlight=False)
