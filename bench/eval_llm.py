"""Agreement of a language model with the labelled goal pairs (bench/data/goal_pairs_llm.jsonl).

Asks the model the question `jixiao review` asks about goal.actual_unresponsive and near-copy
findings (prompts/goal_judgement.md) for every labelled pair, and prints the accuracy, the
agreement per label and the confusion matrix (labels down, verdicts across; "unusable" is an answer
that failed validation twice, "failed" a question that got no answer, in this run or — remembered in
the cache — an earlier one), and where the answers came from: fresh (asked in this run), cached,
failed, failed earlier (not asked again; --llm-retry-failed asks them), and what the run adapted to
on a slow server (fewer questions at once, longer timeouts: review/llm/pace.py).

    python bench/eval_llm.py --llm-url http://127.0.0.1:8080/v1 --llm-model qwen2.5-7b-instruct
    JIXIAO_LLM_URL=https://api.deepseek.com/v1 JIXIAO_LLM_MODEL=deepseek-chat python bench/eval_llm.py --detail

The endpoint comes from --llm-url/--llm-model or JIXIAO_LLM_URL/JIXIAO_LLM_MODEL, the key from
$JIXIAO_LLM_API_KEY. Without an endpoint it says so and exits 0: nothing is measured.
`--llm-cache FILE` keeps the answers, so a re-run with the same model and prompt costs nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

from jixiao.review.llm.cache import FileCache, MemoryCache
from jixiao.review.llm.client import DEFAULT_KEY_ENV, ChatClient
from jixiao.review.llm.judge import Judge, Outcome, Question

PAIRS = Path(__file__).resolve().parent / "data" / "goal_pairs_llm.jsonl"
LABELS = ("met", "partly_met", "not_met", "cannot_tell")
COLUMNS = LABELS + ("unusable", "failed")


def questions(rows: list[dict]) -> list[Question]:
    out = []
    for r in rows:
        name = r["source"].split("#", 1)[1] if "#" in r["source"] and not r["source"].startswith("bench/") else ""
        out.append(Question("goal_judgement", [("项目名称", name), ("预期目标", r["expected"]),
                                               ("实际完成情况", r["actual"])], "实际完成情况"))
    return out


def evaluate(rows: list[dict], judge: Judge) -> dict:
    qs = questions(rows)
    got: dict[int, str] = {}
    index = {id(q): i for i, q in enumerate(qs)}

    def apply(q: Question, o: Outcome) -> None:
        got[index[id(q)]] = o.answer.verdict if o.status == "ok" else "unusable"

    start = time.monotonic()
    judge.ask(qs, apply)
    verdicts = [got.get(i, "failed") for i in range(len(rows))]
    usage, pace = judge.usage, judge.client.pace
    confusion = {label: Counter() for label in LABELS}
    for r, v in zip(rows, verdicts):
        confusion[r["label"]][v] += 1
    right = sum(r["label"] == v for r, v in zip(rows, verdicts))
    answered = sum(v in LABELS for v in verdicts)
    u = judge.client
    return {
        "model": u.model, "pairs": len(rows), "answered": answered, "agree": right,
        "accuracy": round(right / len(rows), 3) if rows else 0.0,
        "accuracy_answered": round(right / answered, 3) if answered else 0.0,
        "per_label": {label: {"pairs": sum(confusion[label].values()), "agree": confusion[label][label]} for label in LABELS},
        "confusion": {label: {c: confusion[label][c] for c in COLUMNS} for label in LABELS},
        "calls": u.calls, "cached": usage.cached, "failed": usage.failed,
        "fresh": usage.fresh, "unusable": usage.unusable, "failed_earlier": usage.failed_earlier,
        "timeouts": pace.timeouts, "concurrency": pace.limit, "timeout": pace.timeout, "adapted": pace.adapted(),
        "prompt_tokens": u.prompt_tokens, "completion_tokens": u.completion_tokens,
        "seconds": round(time.monotonic() - start, 1), "errors": judge.usage.errors,
        "disagreements": [{"id": r["id"], "label": r["label"], "verdict": v} for r, v in zip(rows, verdicts) if r["label"] != v],
    }


def print_result(res: dict, detail: bool) -> None:
    print(f"model {res['model']}: {res['agree']}/{res['pairs']} agree (accuracy {res['accuracy']:.3f}; "
          f"{res['accuracy_answered']:.3f} of the {res['answered']} answered)")
    print(f"{res['fresh']} fresh, {res['cached']} cached, {res['failed']} failed"
          + (f", {res['failed_earlier']} failed earlier (not asked again: --llm-retry-failed)" if res["failed_earlier"] else "")
          + f"; {res['unusable']} unusable; {res['calls']} calls, "
          f"{res['prompt_tokens']}+{res['completion_tokens']} tokens, {res['seconds']} s"
          + (f"; {res['adapted']}" if res["adapted"] else ""))
    print()
    for label in LABELS:
        n, agree = res["per_label"][label]["pairs"], res["per_label"][label]["agree"]
        print(f"{label.ljust(16)}{agree}/{n} agree" + (f" ({agree / n:.3f})" if n else ""))
    print()
    width = max(len(c) for c in COLUMNS) + 1
    print("label \\ verdict".ljust(16) + "".join(c.rjust(width) for c in COLUMNS))
    for label in LABELS:
        print(label.ljust(16) + "".join(str(res["confusion"][label][c]).rjust(width) for c in COLUMNS))
    for e in res["errors"]:
        print(f"warning: {e}", file=sys.stderr)
    if detail:
        print()
        for d in res["disagreements"]:
            print(f"{d['id']}: labelled {d['label']}, model says {d['verdict']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--llm-url", default=os.environ.get("JIXIAO_LLM_URL"))
    ap.add_argument("--llm-model", default=os.environ.get("JIXIAO_LLM_MODEL"))
    ap.add_argument("--llm-key-env", default=DEFAULT_KEY_ENV)
    ap.add_argument("--llm-timeout", type=float, default=120.0)
    ap.add_argument("--llm-concurrency", type=int, default=4)
    ap.add_argument("--llm-cache", type=Path, default=None, help="JSON-lines file keeping the answers")
    ap.add_argument("--llm-retry-failed", action="store_true", help="ask again the pairs that failed in an earlier run")
    ap.add_argument("--pairs", type=Path, default=PAIRS)
    ap.add_argument("--json", type=Path, default=None, help="also write the result here")
    ap.add_argument("--detail", action="store_true", help="list the pairs where the model disagrees")
    a = ap.parse_args(argv)
    if not a.llm_url or not a.llm_model:
        print("no language model configured: set JIXIAO_LLM_URL and JIXIAO_LLM_MODEL (or pass --llm-url and "
              "--llm-model) to measure agreement with the labelled goal pairs; nothing was measured.")
        return 0
    rows = [json.loads(line) for line in a.pairs.read_text(encoding="utf-8").splitlines() if line.strip()]
    client = ChatClient(a.llm_url, a.llm_model, os.environ.get(a.llm_key_env) or None, timeout=a.llm_timeout,
                        concurrency=a.llm_concurrency)
    judge = Judge(client, FileCache(a.llm_cache) if a.llm_cache else MemoryCache(), concurrency=a.llm_concurrency,
                  retry_failed=a.llm_retry_failed)
    res = evaluate(rows, judge)
    print_result(res, a.detail)
    if a.json:
        a.json.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 1 if res["answered"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
