"""A client for OpenAI-compatible chat-completions endpoints: llama.cpp's llama-server, Ollama,
vLLM, DeepSeek, Qwen (DashScope compatible mode) and the like.

The standard library only (urllib): the model is optional, and an optional feature must not add
a runtime dependency. One `ChatClient` is shared by the judging threads; its counters are locked.

Failures are `LLMError`s that name the endpoint and the cause, never the API key. Timeouts,
connection errors, 5xx and 429 are retried with exponential backoff and jitter; other 4xx are not
(they will not get better). A timed-out request is asked again with twice its limit, and the
requests in flight and the timeout follow the server's measured speed (pace.py). An endpoint that
refuses connections is marked unreachable and later calls fail at once, so a run with a dead server
ends in seconds instead of retrying every task.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from jixiao.review.llm.pace import Pace, Slot, Stopped, seconds

DEFAULT_KEY_ENV = "JIXIAO_LLM_API_KEY"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_RETRY_AFTER = 30.0  # seconds; a server asking for longer is treated as failing this run
# Statuses that reject this request's content (too long for the context, malformed), not the URL or
# the model name (404, 405): only these make a failure the question's own.
QUESTION_REJECTED = {400, 413, 422}


class LLMError(Exception):
    """A call that got no usable HTTP answer. `unreachable`: no later call can succeed either
    (nothing listens there, the host is unknown, the key is refused). `kind` says when the failure
    belongs to the question rather than the server — "timeout" (no answer within `timeout` s on the
    last try) or "rejected" (a 4xx for this request) — so a later run may skip it (judge.py)."""

    def __init__(self, message: str, *, unreachable: bool = False, kind: str | None = None,
                 timeout: float | None = None):
        super().__init__(message)
        self.unreachable = unreachable
        self.kind = kind
        self.timeout = timeout


@dataclass
class ChatResult:
    content: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float = 0.0  # the request that got this answer, from sending to the last byte


def public_url(url: str) -> str:
    """The URL as it may be shown: no user:password, no query string (either could hold a secret)."""
    p = urlsplit(url)
    host = p.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{p.port}" if p.port else "")
    return urlunsplit((p.scheme, netloc, p.path, "", ""))


def endpoint_url(base: str) -> str:
    """`http://127.0.0.1:8080/v1` → `…/v1/chat/completions`; a full endpoint URL is kept as given."""
    base = base.strip()
    p = urlsplit(base)
    if p.scheme not in ("http", "https") or not p.hostname:
        raise ValueError(f"--llm-url must be an http(s) URL such as http://127.0.0.1:8080/v1, got {public_url(base)!r}")
    path = p.path.rstrip("/")
    if not path.endswith("/chat/completions"):
        path += "/chat/completions"
    return urlunsplit((p.scheme, p.netloc, path, p.query, ""))


class ChatClient:
    def __init__(self, url: str, model: str, api_key: str | None = None, *, timeout: float = 120.0,
                 retries: int = 2, backoff: float = 1.0, json_mode: bool = True, max_tokens: int = 1024,
                 give_up_after: int = 3, concurrency: int = 4, max_timeout: float | None = None):
        self.url = endpoint_url(url)
        self.shown_url = public_url(self.url)
        self.model = model
        self._api_key = api_key  # kept private: never in a message, a report or the cache
        self.timeout = timeout  # as given: where the pace starts
        self.pace = Pace(concurrency, timeout, max_tokens=max_tokens, max_timeout=max_timeout)
        self.retries = retries
        self.backoff = backoff
        self.json_mode = json_mode
        self.max_tokens = max_tokens
        host = urlsplit(self.url).hostname or ""
        # A proxy from the environment must not capture a server on this machine.
        handlers = [urllib.request.ProxyHandler({})] if host in _LOOPBACK else []
        self._opener = urllib.request.build_opener(*handlers)
        self._lock = threading.Lock()
        self._unreachable: LLMError | None = None
        # Questions in a row that got no answer after their retries before the run stops asking:
        # a server that times out on everything would otherwise cost timeout × retries per question.
        self.give_up_after = give_up_after
        self._failures_in_a_row = 0
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0

    def __repr__(self) -> str:  # no key in tracebacks or debug prints
        return f"ChatClient({self.shown_url!r}, model={self.model!r})"

    # --- one request -----------------------------------------------------------------------------

    def _body(self, messages: list[dict]) -> bytes:
        body = {"model": self.model, "messages": messages, "temperature": 0, "max_tokens": self.max_tokens,
                "stream": False}
        if self.json_mode:
            # Most servers constrain the output to a JSON object with this; the prompts ask for
            # JSON anyway, so a server that rejects it is asked again without (see chat()).
            body["response_format"] = {"type": "json_object"}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    def _post(self, messages: list[dict], timeout: float) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        req = urllib.request.Request(self.url, data=self._body(messages), headers=headers, method="POST")
        # The socket timeout bounds each wait; the deadline bounds the whole answer, so a server
        # trickling a byte at a time cannot hold a question past its limit.
        deadline = time.monotonic() + timeout
        chunks = []
        with self._opener.open(req, timeout=timeout) as resp:
            while chunk := resp.read1(65536):
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError
        raw = b"".join(chunks)
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise LLMError(f"{self.shown_url} did not answer as a chat-completions API "
                           f"(the body is not JSON: {_snippet(raw)!r})") from None
        if not isinstance(data, dict) or not isinstance(data.get("choices"), list) or not data["choices"]:
            raise LLMError(f"{self.shown_url} did not answer as a chat-completions API "
                           f"(no 'choices' in the answer: {_snippet(raw)!r})")
        return data

    # --- with retries ----------------------------------------------------------------------------

    def chat(self, messages: list[dict]) -> ChatResult:
        """The model's answer text to `messages`. Raises LLMError when no answer could be had."""
        attempt = 0
        limit = self.pace.timeout
        timed_out: list[float] = []  # the limits of the tries that timed out, for the message
        while True:
            if self._unreachable is not None:  # a new exception each time: threads must not share one
                raise LLMError(str(self._unreachable), unreachable=True)
            delay: float | None = None
            slot: Slot | None = None
            try:
                with self.pace.slot() as slot:
                    start = time.monotonic()
                    data = self._post(messages, limit)
                    took = time.monotonic() - start
                break
            except Stopped:
                raise LLMError("the run was interrupted before this question was asked", unreachable=True) from None
            except LLMError as e:  # answered, but not as the API: asking again will not change that
                self._gave_up(e)
                raise
            except urllib.error.HTTPError as e:
                detail = _snippet(_read(e))
                if e.code == 400 and self.json_mode and "response_format" in detail:
                    self.json_mode = False  # an older server: ask for JSON in the prompt only
                    continue
                if e.code in (401, 403):
                    # A refused key will not be accepted by the next question either.
                    error = LLMError(f"{self.shown_url} refused the request (HTTP {e.code}): check the API key "
                                     f"in the environment variable (--llm-key-env); the server said {detail!r}",
                                     unreachable=True)
                    self._gave_up(error)
                    raise error from None
                if e.code != 429 and e.code < 500:
                    error = LLMError(f"{self.shown_url} rejected the request (HTTP {e.code}): {detail!r}; "
                                     "check --llm-url and --llm-model",
                                     kind="rejected" if e.code in QUESTION_REJECTED else None)
                    self._gave_up(error)
                    raise error from None
                error = LLMError(f"{self.shown_url} failed (HTTP {e.code}): {detail!r}")
                delay = _retry_after(e.headers.get("Retry-After") if e.headers else None)
            except (TimeoutError, socket.timeout):
                error = self._timed_out(slot, limit, timed_out)
            except urllib.error.URLError as e:
                reason = e.reason
                if isinstance(reason, (TimeoutError, socket.timeout)):
                    error = self._timed_out(slot, limit, timed_out)
                else:
                    error = LLMError(f"cannot reach {self.shown_url}: {_reason(reason)}; is the model server running?",
                                     unreachable=True)
            except (http.client.HTTPException, ConnectionError, OSError) as e:
                # The connection broke mid-answer (reset, closed, truncated body): worth another try.
                error = LLMError(f"{self.shown_url} dropped the connection: {_reason(e)}")
            if attempt >= self.retries:
                self._gave_up(error)
                raise error
            wait = delay if delay is not None else self.backoff * (2 ** attempt) * random.uniform(0.5, 1.5)
            if delay is not None and delay > MAX_RETRY_AFTER:
                error = LLMError(f"{error} (the server asks to wait {delay:g} s)")
                self._gave_up(error)
                raise error
            time.sleep(wait)
            attempt += 1
            if timed_out and error.kind == "timeout":
                limit = self.pace.retry_timeout(limit)  # the same limit would only time out again
        usage = data.get("usage") or {}
        choice = data["choices"][0] if isinstance(data["choices"][0], dict) else {}
        content = (choice.get("message") or {}).get("content")
        if not isinstance(content, str):
            content = ""  # an empty answer is the model's failure, judged like any invalid answer
        result = ChatResult(content, _int(usage.get("prompt_tokens")), _int(usage.get("completion_tokens")), took)
        self.pace.answered(slot, took, result.completion_tokens)
        with self._lock:
            self._failures_in_a_row = 0
            self.calls += 1
            self.prompt_tokens += result.prompt_tokens
            self.completion_tokens += result.completion_tokens
        return result

    def longest_try(self) -> float:
        """The longest a question may be waited for in this run: its last retry's limit."""
        return min(self.pace.max_timeout, self.pace.timeout * 2 ** self.retries)

    def _timed_out(self, slot: Slot | None, limit: float, timed_out: list[float]) -> LLMError:
        self.pace.timed_out(slot)
        timed_out.append(limit)
        said = f"{self.shown_url} did not answer within {seconds(timed_out[0])} s (--llm-timeout)"
        if len(timed_out) > 1:
            said += f", nor within {' or '.join(seconds(t) for t in sorted(set(timed_out[1:])))} s when asked again"
        return LLMError(said, kind="timeout", timeout=limit)

    def _gave_up(self, error: LLMError) -> None:
        with self._lock:
            self._failures_in_a_row += 1
            if error.unreachable:
                self._unreachable = error
            elif self._failures_in_a_row >= self.give_up_after and self._unreachable is None:
                self._unreachable = LLMError(f"{error}; {self._failures_in_a_row} questions in a row got no answer, "
                                             "the rest of this run does not ask")


def _int(v: object) -> int:
    return v if isinstance(v, int) and v >= 0 else 0


def _read(e: urllib.error.HTTPError) -> bytes:
    try:
        return e.read() or b""
    except Exception:  # the error body is only for the message
        return b""


def _snippet(raw: bytes, n: int = 160) -> str:
    text = raw.decode("utf-8", "replace").strip()
    return text[:n] + ("…" if len(text) > n else "")


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    return str(reason) or type(reason).__name__


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff
