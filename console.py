"""The terminal: results on stdout, messages and progress on stderr, one policy for every command.

Document text (project names, goals, file paths) is printed as-is, never read as rich markup, so a
form containing "[red]" or "[/]" cannot restyle or break the output; its control and bidi-control
characters (ESC, CSI, RLO …) are shown as escapes (\\x1b, <U+202E>: forms/safe_text.visible) by both
consoles, so a document cannot move the cursor, recolour or reorder the terminal. Machine output
(JSON, CSV) is written to stdout directly, not through these consoles, and keeps the text as it is.

Width: on a terminal, the terminal's width (rich reads it, or COLUMNS when exported), so tables fold
their long text columns to fit. Not a terminal: COLUMNS when set (a CI log, `COLUMNS=100 jixiao … | less`);
otherwise rows are not folded at all, one table row per line, so `grep` finds whole rows.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console
from rich.markup import escape
from rich.segment import Segment
from rich.table import Table

from jixiao.forms.safe_text import visible

UNFOLDED = 10_000  # a pipe without COLUMNS: wide enough that no row folds


def width(stream) -> int | None:
    """The width tables are laid out in; None lets rich measure the terminal."""
    try:
        if stream.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or fake stream
        pass
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else UNFOLDED


class SafeConsole(Console):
    """A console that prints control and bidi characters of its text as visible escapes."""

    def render_str(self, text: str, **kwargs):
        # Every str printed, every str cell and title of a table passes here, before it is measured,
        # so tables keep their layout with the (wider) escapes.
        return super().render_str(visible(text), **kwargs)

    def _render_buffer(self, buffer) -> str:
        # The last guard, for text that reached rich as a Text (a progress bar's description): plain
        # segments only; the cursor moves of progress bars are control segments and pass.
        return super()._render_buffer(seg if seg.control or not seg.text else Segment(visible(seg.text), seg.style)
                                      for seg in buffer)


# emoji=False: ":red_circle:" in a document is text, not an emoji.
out = SafeConsole(soft_wrap=True, width=width(sys.stdout), markup=False, emoji=False)
err = SafeConsole(stderr=True, soft_wrap=True, width=width(sys.stderr), emoji=False)


def table(*columns: str, wide: dict[str, int] | None = None, title: str | None = None) -> Table:
    """A borderless table whose `wide` columns (long text: names, paths, messages) fold and share, by
    their ratio, the width the other columns leave; the other columns keep each value on one line."""
    t = Table(show_edge=False, box=None, header_style="bold", title=title, title_justify="left")
    for c in columns:
        if c in (wide or {}):
            t.add_column(c, overflow="fold", ratio=wide[c], min_width=4)
        else:
            t.add_column(c, no_wrap=True)
    return t


def show(t: Table, console: Console | None = None) -> None:
    """Print a table within the console's width: stretched to the width (so the ratios apply) only
    when its rows are wider, else at its natural width, as a pipe without COLUMNS always is."""
    console = console or out
    natural = console.measure(t, options=console.options.update_width(UNFOLDED)).maximum  # measure() clamps to the width
    t.expand = natural > console.width
    console.print(t, highlight=False, soft_wrap=False)  # soft wrapping would lay the columns out unevenly


def error(message: object) -> None:
    """The one error style: "Error: …" on one line of stderr (exit codes: see cli.py)."""
    text = " ".join(line.strip() for line in str(message).splitlines() if line.strip())
    err.print(f"[bold red]Error:[/bold red] {escape(text)}", highlight=False)


def warning(message: object) -> None:
    err.print(f"[yellow]warning[/yellow] {escape(str(message))}", highlight=False)


def write_out(text: str) -> None:
    """Machine output (json, jsonl, csv) on stdout, ending with a newline."""
    sys.stdout.write(text)
    if text and not text.endswith("\n"):
        sys.stdout.write("\n")


def file_line(path: str, line: int | None) -> str:
    """file:line for people: relative to the working directory when the file is under it."""
    rel = os.path.relpath(path)
    return f"{path if rel.startswith('..') else rel}:{line or ''}"
