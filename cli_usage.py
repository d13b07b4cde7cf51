"""How every `jixiao` command presents itself: usage lines and help as llm and sqlite-utils write them.

Typer writes a required argument as `{paths}...` and adds its Python type (`<list[Path]>`) in the
help; a reader wants `PATH...` and the metavar alone. Commands are built with `Command`, and the
app's context settings give `-h` beside `--help` everywhere.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import click
from typer.core import TyperArgument, TyperCommand, TyperOption

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


class Argument(TyperArgument):
    """An argument shown by its metavar only: `PATH...`, `[PATH]...`, `QUERY`."""

    @property
    def display_name_raw(self) -> str:
        return self.metavar or self.name.upper()

    def display_type(self, ctx: click.Context) -> str:
        return ""  # the metavar says what it is; get_help_record leaves an empty type out

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    def _rich_display_name(self) -> str:
        return self.display_name_raw + ("..." if self.nargs != 1 else "")


class Command(TyperCommand):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for p in self.params:
            if type(p) is TyperArgument:
                p.__class__ = Argument
            elif isinstance(p, TyperOption) and p.metavar is None and not getattr(p, "is_flag", False) and not p.type_descriptor.is_choice:
                # `--db FILE`, `-n N`, `--year YEAR` instead of `<path>`, `<int range>`, `<int>`
                p.metavar = "FILE" if p.type_descriptor.is_path else p.name.upper()
            elif isinstance(p, TyperOption) and p.metavar is None and p.type_descriptor.is_choice and p.multiple:
                # a repeatable choice: `<indicator|goal|project>`, as a single one shows, not `<list[…]>`
                p.metavar = "<" + "|".join(getattr(c, "value", str(c)) for c in p.type_descriptor.choices or ()) + ">"


FORM_TYPE_HELP = "declaration|tracking|self_evaluation, or 申报表|跟踪表|自评表"


def form_type_option(value: str | None) -> str | None:
    """--form-type's callback: the English value or a Chinese name (申报表, 绩效跟踪表 …) → the English value."""
    if value is None:
        return None
    import typer

    from jixiao.forms.models import form_type_named

    t = form_type_named(value)
    if t is None:
        raise typer.BadParameter(f"{value!r} is not a form type: use {FORM_TYPE_HELP}")
    return t.value


class ParseFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    table = "table"


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


def open_store(db: Path):
    """The corpus of --db, or its trouble said in one line and exit 1."""
    import typer

    from jixiao.console import error
    from jixiao.index.store import Store, StoreError

    try:
        return Store(db)
    except StoreError as e:
        error(e)
        raise typer.Exit(1)
