"""The labelled goal pairs for measuring a language model, and the script that measures it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fake_llm import FakeLLM

from bench import check_goal_pairs, eval_llm
from jixiao.review.llm.cache import MemoryCache
from jixiao.review.llm.client import ChatClient
from jixiao.review.llm.judge import Judge

ROOT = Path(__file__).resolve().parent.parent


def test_the_labelled_set_is_well_formed():
    rows = check_goal_pairs.load()
    assert check_goal_pairs.problems(rows) == []
    assert sum(r["source"] != "constructed" for r in rows) >= 20  # most come from the samples and the plants


def test_the_check_catches_a_bad_row():
    rows = check_goal_pairs.load()
    bad = [dict(rows[0], label="done"), dict(rows[1], actual=rows[1]["actual"] + "。"), rows[2], rows[2]]
    got = check_goal_pairs.problems(bad)
    assert any("label 'done'" in p for p in got) and any("differ from what the parser reads" in p for p in got)
    assert any("duplicate id" in p for p in got)


def test_eval_says_clearly_when_no_model_is_configured():
    res = subprocess.run([sys.executable, str(ROOT / "bench" / "eval_llm.py")], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, cwd=ROOT)
    assert res.returncode == 0 and "no language model configured" in res.stdout


def test_eval_reports_agreement_and_a_confusion_matrix(tmp_path, capsys):
    rows = check_goal_pairs.load()
    with FakeLLM() as fake:
        judge = Judge(ChatClient(fake.url, "test-model", None, backoff=0.001), MemoryCache())
        res = eval_llm.evaluate(rows, judge)
    assert res["pairs"] == len(rows) and 0 < res["agree"] < len(rows)
    assert sum(sum(row.values()) for row in res["confusion"].values()) == len(rows)
    assert res["confusion"]["not_met"]["unusable"] >= 1  # the naive fake obeys the planted instruction
    eval_llm.print_result(res, detail=True)
    out = capsys.readouterr().out
    assert "label \\ verdict" in out and f"/{len(rows)} agree" in out
    json.dumps(res)


def test_eval_prints_fresh_cached_and_failed_counts_and_per_label_agreement(tmp_path, capsys):
    """A pair whose question times out is remembered: the re-run takes the rest from the cache and
    does not ask that one again."""
    from dataclasses import replace

    from fake_llm import naive_model

    from jixiao.review.llm.cache import FileCache

    rows = check_goal_pairs.load()
    slow = rows[0]["actual"]

    def respond(req):
        reply = naive_model(req)
        return replace(reply, delay=0.5) if req.fields.get("实际完成情况") == slow else reply

    def run() -> dict:
        client = ChatClient(fake.url, "test-model", None, backoff=0.001, timeout=0.05, retries=0)
        return eval_llm.evaluate(rows, Judge(client, FileCache(tmp_path / "answers.jsonl"), concurrency=4))

    with FakeLLM(respond) as fake:
        first = run()
        n = fake.count()
        again = run()
    assert (first["fresh"], first["cached"], first["failed"]) == (len(rows) - 1, 0, 1)
    assert (again["fresh"], again["cached"], again["failed"], again["failed_earlier"]) == (0, len(rows) - 1, 0, 1)
    assert fake.count() == n and again["agree"] == first["agree"] and again["unusable"] == first["unusable"] >= 1
    eval_llm.print_result(again, detail=False)
    out = capsys.readouterr().out
    assert f"0 fresh, {len(rows) - 1} cached, 0 failed, 1 failed earlier" in out
    for label in eval_llm.LABELS:
        per = again["per_label"][label]
        assert f"{label.ljust(16)}{per['agree']}/{per['pairs']} agree" in out
