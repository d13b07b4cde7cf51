"""`jixiao review --llm-url …`: set up the client, the cache and the judge, run them with a progress
bar on stderr, and say what happened. The command stays about reviewing; this is the model's part.

Exit status (what `assist` returns): 0 when the report holds any of the model's answers, fresh or
cached (some questions may have failed: warnings say which), or nothing needed one; 1 when questions
needed an answer and the report holds none (the endpoint is down, refuses the key, answers garbage,
or every question failed in an earlier run and was not asked again); 130 when interrupted. In every case the report is
written with the deterministic findings and every answer that did arrive; answers are cached as
they arrive, so a re-run asks only what is still missing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jixiao.console import error, warning
from jixiao.index.store import Store
from jixiao.review.llm.cache import AnswerCache, FileCache, MemoryCache, StoreCache
from jixiao.review.llm.client import ChatClient, endpoint_url
from jixiao.review.llm.judge import Judge
from jixiao.review.llm.prompts import PromptError
from jixiao.review.models import LLMUsage, Report


@dataclass
class LLMOptions:
    url: str
    model: str | None
    key_env: str
    timeout: float = 120.0
    retries: int = 2
    backoff: float = 1.0
    concurrency: int = 4
    limit: int | None = None
    comments: bool = True
    cache_file: Path | None = None
    retry_failed: bool = False


def usage_error(o: LLMOptions) -> str | None:
    """What is wrong with the options, before any work is done (exit 2)."""
    if not o.model:
        return "--llm-url needs --llm-model (or JIXIAO_LLM_MODEL): the model name the server knows, e.g. qwen2.5:7b-instruct"
    try:
        endpoint_url(o.url)
    except ValueError as e:
        return str(e)
    if o.timeout <= 0 or o.retries < 0 or o.backoff < 0 or o.concurrency < 1 or (o.limit is not None and o.limit < 0):
        return "--llm-timeout must be > 0, --llm-retries and --llm-backoff ≥ 0, --llm-concurrency ≥ 1, --llm-limit ≥ 0"
    return None


def _cache(o: LLMOptions, store: Store | None) -> tuple[AnswerCache, str]:
    if o.cache_file is not None:
        return FileCache(o.cache_file), str(o.cache_file)
    if store is not None:
        return StoreCache(store), str(store.path)
    return MemoryCache(), ""


def assist(report: Report, o: LLMOptions, store: Store | None, err: Console, show_progress: bool) -> int:
    """Ask the model about `report` in place; returns the exit status of the model's part."""
    client = ChatClient(o.url, o.model or "", os.environ.get(o.key_env) or None, timeout=o.timeout,
                        retries=o.retries, backoff=o.backoff, concurrency=o.concurrency)
    try:
        cache, where = _cache(o, store)
    except OSError as e:
        error(f"{o.cache_file}: cannot use as the answer cache: {e}")
        return 1
    bar = Progress(TextColumn("llm"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err, disable=not show_progress, transient=True)
    try:
        with bar:
            task = bar.add_task("", total=None)
            judge = Judge(client, cache, concurrency=o.concurrency, limit=o.limit, comments=o.comments,
                          progress=lambda n: bar.advance(task, n), retry_failed=o.retry_failed)
            total = judge.total(report)
            bar.update(task, total=total)
            u = judge.run(report)
    except PromptError as e:
        error(e)
        return 1
    for message in u.errors:
        warning(f"llm: {message}")
    if u.failed_earlier:
        warning(f"llm: {u.failed_earlier} question{'s' if u.failed_earlier > 1 else ''} failed in an earlier run "
                f"and {'were' if u.failed_earlier > 1 else 'was'} not asked again"
                + (f" ({u.failed_earlier_reason})" if u.failed_earlier_reason else "") + "; "
                "--llm-retry-failed asks again (so does a longer --llm-timeout after timeouts, or a day's wait)")
    err.print(summary_line(u, where), highlight=False)
    if judge.interrupted:
        err.print("[red]interrupted[/red]: the answers received so far are kept; the report has them", highlight=False)
        return 130
    if u.fresh + u.cached == 0 and u.failed + u.failed_earlier > 0:
        earlier = (f" ({u.failed_earlier} failed in an earlier run and {'were' if u.failed_earlier > 1 else 'was'} "
                   "not asked again)" if u.failed_earlier else "")
        error(f"llm: no question got an answer{earlier}; the report has the findings without the model's verdicts")
        return 1
    if u.fresh == 0 and u.failed > 0:
        warning(f"llm: no fresh answer in this run; the report has the {u.cached} cached "
                f"answer{'s' if u.cached != 1 else ''}")
    return 0


def summary_line(u: LLMUsage, where: str) -> str:
    """fresh + cached + failed + failed earlier + skipped = questions; unusable counts among fresh and cached."""
    line = (f"llm {escape(u.model)}: {u.questions} questions: {u.fresh} fresh, {u.cached} cached, {u.failed} failed, "
            + (f"{u.failed_earlier} failed earlier (not asked again), " if u.failed_earlier else "")
            + f"{u.skipped} skipped; {u.unusable} unusable; {u.calls} calls, "
            f"{u.prompt_tokens}+{u.completion_tokens} tokens, {u.seconds:g} s")
    if u.adapted:
        line += f"; {u.adapted}"
    return line + (f"; answers kept in {escape(where)}" if where else
                   "; answers not kept (use --db or --llm-cache to keep them)")
