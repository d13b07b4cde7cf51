"""Prompt templates (prompts/*.md) and how document text is put into them.

A template is a Markdown file with a small header and two sections:

    ---
    task: goal_judgement
    version: 1
    ---
    ## system
    …instructions, may use {{fence}}…
    ## user
    …{{document}}…

`prompt_version` ("goal_judgement@1") keys the answer cache: changing a template without bumping
its version would serve answers to the old wording, so the version is required.

Document text is hostile input. It goes into the user message only, inside a fence whose tag
carries a nonce derived from the text itself (`<document-3fa9c2d1>` … `</document-3fa9c2d1>`), so
a document cannot close the fence it sits in; anything inside that looks like a fence tag or one of
our field labels is neutralised. The system message says the fenced text is data and that
instructions inside it are to be ignored. Quotes are checked against the text after normalising
punctuation (answers.py), so the neutralised brackets do not break them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
TASKS = ("goal_judgement", "deviation_judgement", "review_comment")
_HEADER = re.compile(r"\A---\s*\n(?P<head>.*?)\n---\s*\n(?P<body>.*)\Z", re.S)
_SECTION = re.compile(r"^## (system|user)\s*$", re.M)
_FENCE_TAG = re.compile(r"<\s*/?\s*document[^>]*>", re.I)


class PromptError(Exception):
    pass


@dataclass(frozen=True)
class Template:
    task: str
    version: str
    system: str
    user: str
    path: Path

    @property
    def prompt_version(self) -> str:
        return f"{self.task}@{self.version}"

    def render(self, fields: list[tuple[str, str]], nonce: str) -> list[dict]:
        """Chat messages for one input: `fields` are (label, text) pairs put inside the fence."""
        tag = f"document-{nonce}"
        fill = lambda s: s.replace("{{fence}}", tag)  # noqa: E731
        user = fill(self.user).replace("{{document}}", fence(fields, tag))
        return [{"role": "system", "content": fill(self.system).strip()},
                {"role": "user", "content": user.strip()}]


def neutralise(text: str) -> str:
    """Document text that cannot pose as a fence tag or as one of our field labels."""
    text = _FENCE_TAG.sub(lambda m: m.group(0).replace("<", "＜").replace(">", "＞"), text)
    return text.replace("【", "[").replace("】", "]")


def fence(fields: list[tuple[str, str]], tag: str) -> str:
    body = "\n".join(f"【{label}】\n{neutralise(text or '（空）').strip()}" for label, text in fields)
    return f"<{tag}>\n{body}\n</{tag}>"


def parse_template(text: str, path: Path) -> Template:
    m = _HEADER.match(text.replace("\r\n", "\n"))
    if not m:
        raise PromptError(f"{path}: a template starts with a '---' header holding task and version")
    head = dict(line.split(":", 1) for line in m["head"].splitlines() if ":" in line)
    head = {k.strip(): v.strip() for k, v in head.items()}
    if not head.get("task") or not head.get("version"):
        raise PromptError(f"{path}: the header needs 'task:' and 'version:'")
    parts = _SECTION.split(m["body"])
    sections = {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    if set(sections) != {"system", "user"}:
        raise PromptError(f"{path}: a template has a '## system' and a '## user' section")
    if "{{document}}" not in sections["user"]:
        raise PromptError(f"{path}: the user section must place the fenced document with {{{{document}}}}")
    if "{{document}}" in sections["system"]:
        raise PromptError(f"{path}: document text belongs in the user message, not the system message")
    return Template(head["task"], head["version"], sections["system"], sections["user"], path)


def load_template(task: str, directory: Path | None = None) -> Template:
    path = (directory or PROMPTS_DIR) / f"{task}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PromptError(f"{path}: cannot read the prompt template: {e}") from None
    t = parse_template(text, path)
    if t.task != task:
        raise PromptError(f"{path}: the header says task {t.task!r}, the file name says {task!r}")
    return t
