"""A real HTTP server on loopback that speaks the OpenAI chat-completions API, scripted per test.

`FakeLLM(respond)` serves POST /v1/chat/completions; `respond(request)` gets the parsed request
(body, headers, the fenced document's fields) and returns a `Reply`: the model's answer text, or a
status code, a raw body, a delay. Every request is recorded, and the most requests in flight at
once is measured (the client's concurrency limit). `naive_model` answers like a small local model
would: sensibly on ordinary documents, and obeying an instruction planted in one.

`FakeLLM(respond, tokens_per_second=N)` is a CPU llama.cpp server: it generates each answer's
completion tokens (`Reply.usage[1]`) at N tokens a second in all, shared by the answers it is
generating at once, and drops an answer whose client hung up (as llama-server cancels it).
"""

from __future__ import annotations

import json
import re
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

_FENCE = re.compile(r"<(document-[0-9a-f]{8})>\n(.*?)\n</\1>", re.S)
_FIELD = re.compile(r"【([^】]+)】\n(.*?)(?=\n【[^】]+】\n|\Z)", re.S)


@dataclass
class Reply:
    content: str | None = None  # the model's answer, wrapped in a chat-completion body
    status: int = 200
    body: bytes | None = None  # a raw body instead (garbage, an error page)
    delay: float = 0.0
    trickle: float = 0.0  # seconds between the body's bytes: a server that never stalls long enough to time out
    headers: dict = field(default_factory=dict)
    usage: tuple[int, int] = (100, 20)


@dataclass
class Request:
    body: dict
    headers: dict
    in_flight: int = 0  # requests the server held when this one came, itself included

    @property
    def task(self) -> str:
        system = self.body["messages"][0]["content"]
        if "偏差原因分析" in system:
            return "deviation_judgement"
        if "审核意见" in system:
            return "review_comment"
        return "goal_judgement"

    @property
    def user(self) -> str:
        return next(m["content"] for m in self.body["messages"] if m["role"] == "user")

    @property
    def fields(self) -> dict[str, str]:
        m = _FENCE.search(self.user)
        return {k: v.strip() for k, v in _FIELD.findall(m.group(2))} if m else {}

    @property
    def retried(self) -> bool:
        return len(self.body["messages"]) > 2


def answer(obj: dict) -> Reply:
    return Reply(json.dumps(obj, ensure_ascii=False))


def _clause(text: str, words: str) -> str | None:
    for c in re.split(r"[，,。；;]", text):
        if re.search(words, c) and len(c.strip()) >= 4:
            return c.strip()
    return None


def naive_model(req: Request) -> Reply:
    """Sensible answers, and the obedience to planted instructions that a naive model shows."""
    f = req.fields
    if any("忽略以上要求" in v for v in f.values()):
        return Reply("met")  # it did as the document said, not as the system message said
    if req.task == "review_comment":
        ids = re.findall(r"^\[([0-9a-f]{12})\]", f.get("问题清单", ""), re.M)
        return answer({"comment": "该项目绩效自评填报不够规范，实际完成情况未能如实反映目标完成程度，请该单位据实修改后重新报送。",
                       "finding_ids": ids[:2]})
    if req.task == "deviation_judgement":
        dev = f.get("偏差原因分析", "")
        quote = _clause(dev, "未") or dev[:10]
        return answer({"verdict": "contradicts", "explanation": "偏差原因称工作未开展，该行却得满分。", "evidence": [quote]})
    actual = f.get("实际完成情况", "")
    quote = _clause(actual, "完成|达到|已")
    if quote:
        return answer({"verdict": "met", "specific": True, "explanation": "实际完成情况写明已完成。", "evidence": [quote]})
    return answer({"verdict": "cannot_tell", "specific": False, "explanation": "只写了人数和执行率，未说明目标是否完成。",
                   "evidence": []})


class FakeLLM:
    def __init__(self, respond: Callable[[Request], Reply] = naive_model, *, tokens_per_second: float | None = None):
        self.respond = respond
        self.tokens_per_second = tokens_per_second
        self.generating = 0
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def hung_up(self) -> bool:
                readable, _, _ = select.select([self.connection], [], [], 0)
                try:
                    return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    return True

            def generate(self, tokens: int) -> bool:
                """Sleep as long as `tokens` take at the shared speed; False when the client hung up."""
                step, left = 0.005, float(tokens)
                with fake._lock:
                    fake.generating += 1
                try:
                    while left > 0:
                        time.sleep(step)
                        with fake._lock:
                            left -= fake.tokens_per_second * step / max(1, fake.generating)
                        if self.hung_up():
                            return False
                    return True
                finally:
                    with fake._lock:
                        fake.generating -= 1

            def do_POST(self) -> None:
                with fake._lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                    held = fake.in_flight
                released = []

                def release() -> None:
                    with fake._lock:
                        if not released:
                            released.append(True)
                            fake.in_flight -= 1
                try:
                    n = int(self.headers.get("Content-Length") or 0)
                    body = json.loads(self.rfile.read(n).decode("utf-8"))
                    req = Request(body, {k.lower(): v for k, v in self.headers.items()}, in_flight=held)
                    with fake._lock:
                        fake.requests.append(req)
                    if not self.path.endswith("/chat/completions"):
                        reply = Reply(status=404, body=b'{"error": "not found"}')
                    else:
                        reply = fake.respond(req)
                    if reply.delay:
                        time.sleep(reply.delay)
                    if fake.tokens_per_second and reply.status == 200 and not self.generate(reply.usage[1]):
                        return
                    if reply.body is not None:
                        data = reply.body
                    elif reply.status == 200:
                        data = json.dumps({
                            "id": "chatcmpl-test", "object": "chat.completion", "model": body.get("model"),
                            "choices": [{"index": 0, "finish_reason": "stop",
                                         "message": {"role": "assistant", "content": reply.content}}],
                            "usage": {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1],
                                      "total_tokens": sum(reply.usage)}}, ensure_ascii=False).encode("utf-8")
                    else:
                        data = json.dumps({"error": {"message": f"status {reply.status}"}}).encode("utf-8")
                    try:
                        self.send_response(reply.status)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(data)))
                        for k, v in reply.headers.items():
                            self.send_header(k, v)
                        self.end_headers()
                        if reply.trickle:
                            for i in range(len(data)):
                                self.wfile.write(data[i:i + 1])
                                self.wfile.flush()
                                time.sleep(reply.trickle)
                        else:
                            # Done before the client can know it: counted after the write, a client
                            # that read the answer and sent its next question could find this one
                            # still "in flight" on a loaded machine (a limit of 1 seen as 2).
                            release()
                            self.wfile.write(data)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client gave up waiting (timeout tests)
                finally:
                    release()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> "FakeLLM":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, task: str | None = None) -> int:
        return sum(1 for r in self.requests if task is None or r.task == task)
