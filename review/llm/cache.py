"""Where the model's answers are kept, keyed by (prompt version, model, input hash).

A re-run asks nothing it asked before: the same question (same template version, same model, same
document text) gets the stored answer. Valid and unusable answers are both kept — at temperature 0
the model would answer the same again; a template change bumps its version and so asks afresh.
A question that failed on its own account (timed out on every try, rejected) is kept under the same
key as `{"status": "failed", "reason", "kind", "timeout", "at"}`, so every cache below remembers
failures without a table of their own; judge.py decides when one is asked again, and an answer
replaces it. An unreachable endpoint is not kept against the questions.

- `StoreCache`: the corpus (`--db`), table llm_answers.
- `FileCache`: a JSON-lines file (`--llm-cache FILE`) for reviews of files without a corpus.
- `MemoryCache`: nothing kept after the run (files reviewed without --db or --llm-cache).

Only the main thread reads and writes a cache (the judging threads hand their answers back), so
none of these needs a lock, and SQLite's connection stays in the thread that opened it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from jixiao.index.store import Store


class AnswerCache(Protocol):
    def get(self, prompt_version: str, model: str, input_hash: str) -> str | None: ...

    def put(self, prompt_version: str, model: str, input_hash: str, answer_json: str) -> None: ...


class MemoryCache:
    def __init__(self) -> None:
        self._d: dict[tuple[str, str, str], str] = {}

    def get(self, prompt_version: str, model: str, input_hash: str) -> str | None:
        return self._d.get((prompt_version, model, input_hash))

    def put(self, prompt_version: str, model: str, input_hash: str, answer_json: str) -> None:
        self._d[(prompt_version, model, input_hash)] = answer_json


class StoreCache:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, prompt_version: str, model: str, input_hash: str) -> str | None:
        return self.store.llm_answer(prompt_version, model, input_hash)

    def put(self, prompt_version: str, model: str, input_hash: str, answer_json: str) -> None:
        self.store.put_llm_answer(prompt_version, model, input_hash, answer_json)


class FileCache(MemoryCache):
    """One JSON object a line, appended (and flushed) as each answer arrives: an interrupted run
    keeps what it was told. A damaged line (a crash mid-write) is skipped, not fatal."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self._d[(row["prompt_version"], row["model"], row["input_hash"])] = row["answer_json"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def put(self, prompt_version: str, model: str, input_hash: str, answer_json: str) -> None:
        super().put(prompt_version, model, input_hash, answer_json)
        row = {"prompt_version": prompt_version, "model": model, "input_hash": input_hash, "answer_json": answer_json}
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
