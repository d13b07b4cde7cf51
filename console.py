"""The terminal: results on stdout, messages and progress on stderr, one policy for every command.

Document text (project names, goals, file paths) is printed as-is, never read as rich markup, so a
form containing "[red]" or "[/]" cannot restyle or break the output.
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape

# Piped tables keep one row per line (grep-able) instead of folding at 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240, markup=False)
err = Console(stderr=True, soft_wrap=True)


def error(message: object) -> None:
    err.print(f"[red]error[/red] {escape(str(message))}", highlight=False)


def warning(message: object) -> None:
    err.print(f"[yellow]warning[/yellow] {escape(str(message))}", highlight=False)
