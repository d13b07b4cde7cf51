"""Issue 17, items 1-3, against the loopback fake server (tests/fake_llm.py): a CPU server too slow
for the concurrency and timeout it is given, the counts of a run whose answers come from the cache,
and questions that failed in an earlier run."""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fake_llm import FakeLLM, Reply, naive_model
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.forms import parse_file
from jixiao.index.store import Store
from jixiao.review.engine import review
from jixiao.review.llm.cache import StoreCache
from jixiao.review.llm.client import ChatClient, LLMError
from jixiao.review.llm.judge import Judge
from jixiao.review.llm.pace import Pace, Slot, Stopped

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SE = EXAMPLES / "putuo_2024_self_evaluation.txt"
JUDGED = ["goal.actual_unresponsive", "goal.actual_copies_expected", "indicator.deviation_contradiction"]
ONE = ["--only", "goal.actual_unresponsive"]  # 2 verdicts and 2 drafted comments
runner = CliRunner()


def only(codes: list[str]) -> list[str]:
    return sum((["--only", c] for c in codes), [])


def llm_args(url: str, *extra: str) -> list[str]:
    return ["--llm-url", url, "--llm-model", "test-model", "--llm-backoff", "0.001", "--no-progress", *extra]


def tokens(n_verdict: int, n_comment: int | None = None):
    """Naive answers `n_verdict` completion tokens long (`n_comment` for the drafted comments)."""
    def respond(req):
        n = n_comment if n_comment is not None and req.task == "review_comment" else n_verdict
        return replace(naive_model(req), usage=(100, n))
    return respond


# The remembered-failure tests' limit: one no prompt answer misses, even on a loaded machine (at
# 0.05 s a busy CI machine timed out answers the fake gives at once); its retries try 2 T and 4 T.
T = 0.25


def slow_comments(req):
    """Verdicts at once; every draft takes 1.5 s, longer than the longest retry (4 T) allows."""
    return replace(naive_model(req), delay=6 * T) if req.task == "review_comment" else naive_model(req)


def summary(out: Path) -> dict:
    return json.loads(out.read_text(encoding="utf-8"))["summary"]["llm"]


def adds_up(u: dict) -> bool:
    return u["questions"] == u["fresh"] + u["cached"] + u["failed"] + u["failed_earlier"] + u["skipped"]


@pytest.fixture(scope="module")
def base():
    return review(parse_file(SE).forms, only=JUDGED, embed=lambda t: None)


# --- item 1: a CPU server ----------------------------------------------------------------------

def test_a_cpu_server_too_slow_for_the_concurrency_gets_fewer_questions_and_longer_timeouts(tmp_path):
    """600 tokens/s shared: an answer of 60 tokens takes 0.1 s alone, 0.2 s two at a time and 0.4 s
    four at a time, all past the 0.075 s timeout. The first wave times out; the run halves the
    concurrency and asks again with twice the limit, then again, and every question gets its answer."""
    out = tmp_path / "r.json"
    with FakeLLM(tokens(60), tokens_per_second=600) as fake:
        res = runner.invoke(app, ["review", str(SE), *only(JUDGED), "--no-llm-comments", "--out", str(out),
                                  *llm_args(fake.url, "--llm-timeout", "0.075", "--llm-concurrency", "4")])
    assert res.exit_code == 0, res.stderr
    u = summary(out)
    assert u["questions"] == u["fresh"] == 10 and u["failed"] == u["unusable"] == 0 and adds_up(u)
    assert u["timeouts"] >= 4 and u["concurrency"] == 1 and u["timeout"] == pytest.approx(0.3)
    assert "concurrency 4→1 after timeouts" in res.stderr and "timeout 0.075→0.3 s" in res.stderr
    asked = Counter(json.dumps(r.fields, sort_keys=True) for r in fake.requests)
    assert len(asked) == 10 and max(asked.values()) >= 2  # the timed-out ones, asked again and answered
    assert all(r.in_flight == 1 for r in fake.requests[-3:])


def test_the_same_server_with_the_pace_held_at_the_given_limits_answers_nothing(base, monkeypatch):
    """The defect as it was: the same load and the same timeout on every retry never succeed."""
    monkeypatch.setattr(Pace, "timed_out", lambda self, slot: None)
    monkeypatch.setattr(Pace, "answered", lambda self, slot, seconds, tokens: None)
    monkeypatch.setattr(Pace, "retry_timeout", lambda self, last: last)
    r = copy.deepcopy(base)
    with FakeLLM(tokens(60), tokens_per_second=600) as fake:
        c = ChatClient(fake.url, "test-model", None, timeout=0.075, retries=2, backoff=0.001)
        u = Judge(c, concurrency=4, comments=False).run(r)
    assert u.fresh == 0 and u.failed == 10 and "did not answer within 0.075 s" in u.errors[0]


def test_a_timed_out_request_is_asked_again_with_a_longer_limit():
    with FakeLLM(lambda req: Reply("{}", delay=0.45)) as fake:
        c = ChatClient(fake.url, "m", None, timeout=0.3, retries=1, backoff=0.001)
        result = c.chat([{"role": "user", "content": "x"}])  # 0.3 s: too short; 0.6 s: enough
    assert result.content == "{}" and len(fake.requests) == 2 and c.pace.timeouts == 1
    assert 0.45 <= result.seconds < 0.6
    with FakeLLM(lambda req: Reply("{}", delay=0.45)) as fake:  # the longest limit is 4× the given one
        c = ChatClient(fake.url, "m", None, timeout=0.05, retries=3, backoff=0.001)
        with pytest.raises(LLMError, match=r"within 0\.05 s \(--llm-timeout\), nor within 0\.1 or 0\.2 s") as e:
            c.chat([{"role": "user", "content": "x"}])
    assert e.value.kind == "timeout" and e.value.timeout == 0.2 and len(fake.requests) == 4


def test_the_timeout_is_sized_from_the_measured_speed_before_the_long_answers_come(base):
    """Verdicts are short (20 tokens), drafts long (150 tokens: 0.15 s at 1000 tokens/s, past the
    0.1 s given). The verdicts measure the speed; the timeout is raised before the drafts go out,
    so not one of them times out."""
    r = copy.deepcopy(base)
    with FakeLLM(tokens(20, 150), tokens_per_second=1000) as fake:
        c = ChatClient(fake.url, "test-model", None, timeout=0.1, retries=0, backoff=0.001)
        u = Judge(c, concurrency=1).run(r)
    assert u.failed == 0 and u.timeouts == 0 and u.fresh == u.questions == 10 + len(r.comments) == 17
    assert fake.count("review_comment") == 7 and all(c.comment for c in r.comments.values())
    assert u.timeout == pytest.approx(0.4) and u.tokens_per_second and 100 < u.tokens_per_second < 1000
    assert u.concurrency == 1 and u.adapted == "timeout 0.1→0.4 s"


def test_pace_halves_once_per_wave_raises_the_timeout_only_and_says_what_it_did():
    p = Pace(8, 10.0, max_tokens=100)  # the longest timeout: 40 s
    for _ in range(8):  # eight requests of one wave time out: one cut, not three
        p.timed_out(Slot(0))
    assert (p.limit, p.timeouts) == (4, 8)
    p.timed_out(Slot(1))  # sent under the new limit: another cut
    assert p.limit == 2 and p.adapted() == "concurrency 8→2 after timeouts"
    for _ in range(3):  # 2 tokens/s: 100 tokens need 75 s with the headroom, past 40 s: fewer at once
        p.answered(Slot(2), 10.0, 20)
    assert p.limit == 1 and p.cut_by == ["timeouts", "speed"] and p.timeout == 10.0
    for _ in range(3):
        p.answered(Slot(3), 10.0, 40)  # 4 tokens/s alone: 37.5 s
    assert p.rate == 4 and p.timeout == 37.5
    assert p.adapted() == "concurrency 8→1 after timeouts and speed, timeout 10→37.5 s"
    for _ in range(6):
        p.answered(Slot(3), 1.0, 100)  # faster now: the timeout is not lowered
    assert p.rate == 100 and p.timeout == 37.5 and p.limit == 1
    p.answered(Slot(2), 100.0, 1)  # sent before the last cut: not the speed at this limit
    assert p.rate == 100
    assert p.retry_timeout(37.5) == 40.0 and p.retry_timeout(1.0) == 37.5


# --- item 2: what the summary counts ---------------------------------------------------------------

def test_a_fully_cached_run_counts_the_unusable_answers_it_read(tmp_path):
    cache, out = tmp_path / "answers.jsonl", tmp_path / "r.json"

    def broken_goals(req):
        return Reply('{"verdict": "met", "explanation": 已完成}') if req.task == "goal_judgement" else naive_model(req)

    args = ["review", str(SE), *ONE, "--llm-cache", str(cache), "--out", str(out)]
    with FakeLLM(broken_goals) as fake:
        assert runner.invoke(app, [*args, *llm_args(fake.url)]).exit_code == 0
        first = summary(out)
        n = fake.count()
        res = runner.invoke(app, [*args, *llm_args(fake.url)])
    assert res.exit_code == 0 and fake.count() == n
    u = summary(out)
    held = sum(f.get("llm", {}).get("verdict") == "unusable" for f in json.loads(out.read_text())["flags"])
    assert first["unusable"] == u["unusable"] == held == 2
    assert (first["fresh"], first["cached"], u["fresh"], u["cached"], u["calls"]) == (4, 0, 0, 4, 0)
    assert adds_up(first) and adds_up(u)
    assert "4 questions: 0 fresh, 4 cached, 0 failed, 0 skipped; 2 unusable; 0 calls" in res.stderr


def test_fresh_questions_failing_while_the_cache_answers_the_rest_is_not_no_answer(tmp_path, base):
    """The verdicts are cached; the drafts are asked of an endpoint that is down. The report holds
    the cached verdicts, so the run says so and exits 0."""
    cache, out = tmp_path / "answers.jsonl", tmp_path / "r.json"
    args = ["review", str(SE), *ONE, "--llm-cache", str(cache), "--out", str(out)]
    with FakeLLM() as fake:
        assert runner.invoke(app, [*args, "--no-llm-comments", *llm_args(fake.url)]).exit_code == 0
        dead = fake.url
    res = runner.invoke(app, [*args, *llm_args(dead)])
    assert res.exit_code == 0, res.stderr
    assert "no question got an answer" not in res.stderr and "the report has the 2 cached answers" in res.stderr
    u = summary(out)
    assert (u["cached"], u["fresh"], u["failed"], u["questions"]) == (2, 0, 2, 4) and adds_up(u)
    assert "connection refused" in res.stderr
    assert sum("llm" in f for f in json.loads(out.read_text())["flags"]) == 2


# --- item 3: failures remembered ---------------------------------------------------------------

def _records(cache: Path) -> list[dict]:
    return [json.loads(json.loads(line)["answer_json"]) for line in cache.read_text(encoding="utf-8").splitlines()]


def _fail_the_drafts(tmp_path: Path) -> tuple[list[str], Path, Path]:
    tmp_path.mkdir(exist_ok=True)
    cache, out = tmp_path / "answers.jsonl", tmp_path / "r.json"
    args = ["review", str(SE), *ONE, "--llm-cache", str(cache), "--out", str(out)]
    with FakeLLM(slow_comments) as fake:
        res = runner.invoke(app, [*args, *llm_args(fake.url, "--llm-timeout", str(T))])
    assert res.exit_code == 0, res.stderr  # the verdicts were answered
    assert fake.count("review_comment") == 2 * 3  # each draft: T, 2 T, 4 T
    u = summary(out)
    assert (u["fresh"], u["failed"]) == (2, 2)
    return args, cache, out


def test_a_question_that_timed_out_is_remembered_and_skipped_until_asked_to_retry(tmp_path):
    args, cache, out = _fail_the_drafts(tmp_path)
    failed = [r for r in _records(cache) if r["status"] == "failed"]
    assert len(failed) == 2 and all(r["kind"] == "timeout" and r["timeout"] == 4 * T for r in failed)
    assert all(f"did not answer within {T:g} s" in r["reason"] for r in failed)
    assert all(datetime.now(timezone.utc) - datetime.fromisoformat(r["at"]) < timedelta(minutes=1) for r in failed)
    with FakeLLM(slow_comments) as fake:  # the same run again: the drafts are not asked, nor timed out again
        res = runner.invoke(app, [*args, *llm_args(fake.url, "--llm-timeout", str(T))])
    assert res.exit_code == 0 and fake.count() == 0
    u = summary(out)
    assert (u["cached"], u["failed_earlier"], u["failed"], u["fresh"]) == (2, 2, 0, 0) and adds_up(u)
    assert "2 failed earlier (not asked again)" in res.stderr and "--llm-retry-failed" in res.stderr
    assert f"did not answer within {T:g} s" in res.stderr  # why, as it was said then
    with FakeLLM() as fake:  # asked to retry, on a server that answers now
        res = runner.invoke(app, [*args, *llm_args(fake.url, "--llm-timeout", str(T), "--llm-retry-failed")])
        assert res.exit_code == 0 and fake.count("review_comment") == 2 and fake.count() == 2
        u = summary(out)
        assert (u["cached"], u["fresh"], u["failed_earlier"]) == (2, 2, 0)
        res = runner.invoke(app, [*args, *llm_args(fake.url, "--llm-timeout", str(T))])
        assert fake.count() == 2 and summary(out)["cached"] == 4  # the answer replaced the failure
    assert len(json.loads(out.read_text())["comments"]) == 2


def test_a_remembered_timeout_is_asked_again_with_a_longer_timeout_or_after_a_day(tmp_path):
    args, cache, out = _fail_the_drafts(tmp_path)
    with FakeLLM() as fake:  # --llm-timeout 2 T allows 8 T, longer than the 4 T that failed
        assert runner.invoke(app, [*args, *llm_args(fake.url, "--llm-timeout", str(2 * T))]).exit_code == 0
    assert fake.count("review_comment") == 2 and summary(out)["fresh"] == 2

    args, cache, out = _fail_the_drafts(tmp_path / "old")
    old = (datetime.now(timezone.utc) - timedelta(hours=25)).isoformat(timespec="seconds")
    lines = [json.loads(line) for line in cache.read_text(encoding="utf-8").splitlines()]
    for row in lines:
        answer = json.loads(row["answer_json"])
        if answer["status"] == "failed":
            row["answer_json"] = json.dumps({**answer, "at": old}, ensure_ascii=False)
    cache.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
    with FakeLLM() as fake:
        assert runner.invoke(app, [*args, *llm_args(fake.url, "--llm-timeout", str(T))]).exit_code == 0
    assert fake.count("review_comment") == 2 and summary(out)["failed_earlier"] == 0


def test_an_unreachable_endpoint_is_not_remembered_against_the_questions(tmp_path):
    cache, out = tmp_path / "answers.jsonl", tmp_path / "r.json"
    args = ["review", str(SE), *ONE, "--llm-cache", str(cache), "--out", str(out)]
    with FakeLLM() as fake:
        dead = fake.url
    res = runner.invoke(app, [*args, *llm_args(dead)])
    assert res.exit_code == 1 and "no question got an answer" in res.stderr
    assert not cache.exists() or not cache.read_text(encoding="utf-8").strip()
    with FakeLLM() as fake:
        assert runner.invoke(app, [*args, *llm_args(fake.url)]).exit_code == 0
    assert fake.count() == 4 and summary(out)["fresh"] == 4


def test_only_remembered_failures_and_no_answer_exits_1_and_says_why(tmp_path):
    cache, out = tmp_path / "answers.jsonl", tmp_path / "r.json"
    args = ["review", str(SE), *ONE, "--no-llm-comments", "--llm-cache", str(cache), "--out", str(out),
            "--llm-timeout", str(T), "--llm-retries", "0"]
    with FakeLLM(lambda req: replace(naive_model(req), delay=2 * T)) as fake:
        res = runner.invoke(app, [*args, *llm_args(fake.url)])
        assert res.exit_code == 1 and fake.count() == 2
        assert [r["kind"] for r in _records(cache)] == ["timeout", "timeout"]
        res = runner.invoke(app, [*args, *llm_args(fake.url)])
    assert res.exit_code == 1 and fake.count() == 2
    assert "no question got an answer (2 failed in an earlier run and were not asked again)" in res.stderr


def test_a_rejected_question_is_remembered_only_when_others_were_answered(tmp_path):
    cache, out = tmp_path / "answers.jsonl", tmp_path / "r.json"
    args = ["review", str(SE), *ONE, "--no-llm-comments", "--llm-cache", str(cache), "--out", str(out)]
    too_long = Reply(status=400, body=b'{"error": "the request exceeds the available context size"}')
    with FakeLLM(lambda req: too_long) as fake:  # every request rejected: the setup, not the questions
        assert runner.invoke(app, [*args, *llm_args(fake.url)]).exit_code == 1
    assert not cache.exists() or not cache.read_text(encoding="utf-8").strip()

    def one_too_long(req):
        return too_long if req.fields.get("项目名称") == "征地养老费用" else naive_model(req)

    with FakeLLM(one_too_long) as fake:
        assert runner.invoke(app, [*args, *llm_args(fake.url)]).exit_code == 0
        assert [r["status"] for r in _records(cache)].count("failed") == 1
        res = runner.invoke(app, [*args, *llm_args(fake.url)])
    assert res.exit_code == 0 and fake.count() == 2 and "HTTP 400" in res.stderr
    assert (summary(out)["cached"], summary(out)["failed_earlier"]) == (1, 1)


def test_the_corpus_cache_remembers_failures_too(tmp_path):
    base = review(parse_file(SE).forms, only=ONE[1:], embed=lambda t: None)
    with Store(tmp_path / "c.db", create=True) as store, FakeLLM(slow_comments) as fake:
        def judge(**kw):
            return Judge(ChatClient(fake.url, "test-model", None, timeout=T, retries=0, backoff=0.001),
                         StoreCache(store), **kw)
        first = judge().run(copy.deepcopy(base))
        assert (first.fresh, first.failed) == (2, 2)
        again = judge().run(copy.deepcopy(base))
        assert fake.count() == 4 and (again.cached, again.failed_earlier, again.failed) == (2, 2, 0)
        judge(retry_failed=True).run(copy.deepcopy(base))
        assert fake.count("review_comment") == 4


def test_a_stopped_pace_sends_nothing_more():
    """After Ctrl-C a worker waiting for a place must not go on to ask: it gets an error at once."""
    import threading

    p = Pace(1, 1.0)
    got: list[str] = []
    with p.slot():
        def wait_for_a_place():
            try:
                with p.slot():
                    got.append("sent")
            except Stopped:
                got.append("stopped")

        t = threading.Thread(target=wait_for_a_place)
        t.start()
        t.join(0.05)
        assert t.is_alive() and got == []  # one place, held
        p.stop()
        t.join(1.0)
    assert got == ["stopped"]
