"""Document text made harmless for where it is written: a spreadsheet cell, Markdown, a terminal.

The forms come from outside, so a project name, a target or a deviation text may be written to attack
whoever opens the output (issue 16):

- `csv_safe`: a CSV cell beginning with = + - @ tab or CR is a formula to Excel and WPS
  (=HYPERLINK(…), -1+1+cmd|' /C calc'!A0); OWASP's remedy, one leading ', keeps it text. The
  original is the cell without that one quote (=100.00(%) is written '=100.00(%)).
- `md_text` / `md_code`: text in a Markdown document (HTML enabled, as most wikis and renderers
  have it) shows as text only: no tag, link, image, comment, emphasis or table cell break.
- `visible`: control characters (ESC, CSI, other C0/C1) and bidi controls shown as escapes
  (\\x1b, <U+202E>), so a document cannot move the cursor, recolour, clear or reorder a terminal.

Machine formats (JSON, JSON lines) keep the text exactly as it is; CSV only gets the formula guard.
Lives in forms/ because forms/export.py writes CSV too and nothing here may import upwards.
"""

from __future__ import annotations

import re

# OWASP "CSV Injection": the characters a spreadsheet reads as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Bidirectional controls: embeddings/overrides (LRE RLE PDF LRO RLO), isolates (LRI RLI FSI PDI), the
# marks (LRM RLM ALM), and the line/paragraph separators some terminals break lines at.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029"
# C0 controls but newline and tab (rich expands tabs; a newline is a line), DEL, and C1 (0x9b is CSI).
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}]")


def _escape_char(m: re.Match) -> str:
    c = m.group()
    return f"<U+{ord(c):04X}>" if c in BIDI else f"\\x{ord(c):02x}"


def visible(text: str) -> str:
    """Control and bidi-control characters as visible escapes: for text printed to a terminal."""
    return _CONTROL.sub(_escape_char, text)


def csv_safe(value: object) -> object:
    """A CSV cell value that no spreadsheet runs as a formula; numbers and None pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_unsafe(value: str) -> str:
    """What csv_safe was given: the one leading ' taken off a cell it guarded (reading a report back)."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def csv_safe_row(row: dict) -> dict:
    return {k: csv_safe(v) for k, v in row.items()}


# Markdown: every ASCII punctuation character may be backslash-escaped (CommonMark 2.4); these are the
# ones that start or end an inline construct (emphasis, code, link, image, strikethrough, math,
# attributes, a heading's closing #) or a table cell. Block constructs (a leading #, >, -, 1., an HTML
# block, a table) need a line start, and the text never starts a line: newlines become spaces.
# <, > and & become entities: no renderer reads an entity as a tag, and &amp; keeps "&#60;" from
# turning back into "<". "://", "www." and "@" are broken up so that GFM's autolinks find no URL or mail.
# An "_" between letters or digits (cannot_tell, 绩效_2024) can neither open nor close emphasis, and is left.
_MD_PUNCT = re.compile(r"([\\`*\[\]{}#!|~$@]|:(?=//)|(?<![^\W_])_|_(?![^\W_]))")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_LINEBREAK = re.compile(r"\s*[\r\n]+\s*")


def md_text(text: object) -> str:
    """Document text for Markdown prose or a table cell: one line, shown as text by any renderer."""
    s = visible(_LINEBREAK.sub(" ", str(text)))  # a newline could start a block (heading, HTML block, table)
    s = "".join(_HTML.get(c, c) for c in s)
    return _MD_PUNCT.sub(r"\\\1", s).replace("www.", "www\\.").replace("WWW.", "WWW\\.")  # www.x.y: an autolink to GFM renderers


def md_code(text: object) -> str:
    """Document text (a file path, an id) as an inline code span: fenced by more backticks than it holds."""
    s = visible(_LINEBREAK.sub(" ", str(text)))  # not for table cells: GFM splits them even inside code
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s.strip() else ""
    return f"{fence}{pad}{s}{pad}{fence}"
