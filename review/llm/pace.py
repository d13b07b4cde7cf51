"""How many questions may be in flight at once and how long one may take, fitted to the server.

A CPU llama.cpp server shares a few tokens a second between the requests it holds: four drafts
at once each crawl at a quarter of the speed, and a timeout sized for a GPU endpoint cuts every one
of them. So the limits given on the command line are where a run starts, not what it keeps:

- Concurrency: halved (never below 1) when a request times out, once per wave: requests sent
  before the last cut already counted against the old limit. Also halved while the measured speed
  says an answer of `max_tokens` would not fit in the longest timeout allowed. Never raised again
  in the run: a timeout costs minutes on a slow server, a lower concurrency costs little there.
- Timeout: raised (never lowered, capped at `max_timeout`) to what the measured speed says the
  longest possible answer takes, `max_tokens / tokens per second × SAFETY`. A request that timed
  out is asked again with twice its limit (client.py), capped the same way.

Speed is completion tokens per second of each answered request, measured under the current
concurrency (samples from requests sent under an older limit are dropped when it changes).
"""

from __future__ import annotations

import statistics
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

SAFETY = 1.5  # headroom over the measured speed: prompt processing, a busier moment
SAMPLES = 3  # answers measured before the speed is trusted
MAX_TIMEOUT_FACTOR = 4  # the longest timeout: this many times the one given (--llm-timeout)


class Stopped(Exception):
    """The run stopped (Ctrl-C) while this request waited for a place: it is not sent."""


@dataclass
class Slot:
    epoch: int  # the concurrency limit this request was sent under (bumped on each cut)


class Pace:
    def __init__(self, concurrency: int, timeout: float, *, max_tokens: int = 1024,
                 max_timeout: float | None = None):
        self._cond = threading.Condition()
        self.max_tokens = max_tokens
        self.set_concurrency(concurrency)
        self.start_timeout = self.timeout = timeout
        self.max_timeout = max(timeout, max_timeout if max_timeout is not None else timeout * MAX_TIMEOUT_FACTOR)
        self.timeouts = 0  # requests that timed out (each attempt counts)
        self.cut_by: list[str] = []  # why concurrency was lowered: "timeouts", "speed"
        self._rates: list[float] = []
        self.rate: float | None = None  # completion tokens per second per request, at the current limit

    def set_concurrency(self, n: int) -> None:
        with self._cond:
            self.start_concurrency = self.limit = max(1, n)
            self._in_flight = 0
            self._epoch = 0
            self._stopped = False

    def stop(self) -> None:
        """Send nothing more: the requests waiting for a place raise Stopped (a Ctrl-C must not
        leave worker threads to ask the rest one by one before the process can exit)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    @contextmanager
    def slot(self) -> Iterator[Slot]:
        """Hold one of the `limit` places for the length of one HTTP request."""
        with self._cond:
            while self._in_flight >= self.limit and not self._stopped:
                self._cond.wait()
            if self._stopped:
                raise Stopped
            self._in_flight += 1
            slot = Slot(self._epoch)
        try:
            yield slot
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def retry_timeout(self, last: float) -> float:
        """The limit for asking again after a request got no answer within `last` seconds."""
        with self._cond:
            return min(max(last * 2, self.timeout), self.max_timeout)

    def timed_out(self, slot: Slot | None) -> None:
        with self._cond:
            self.timeouts += 1
            if slot is not None and slot.epoch == self._epoch:
                self._cut("timeouts")

    def answered(self, slot: Slot | None, seconds: float, completion_tokens: int) -> None:
        if slot is None or seconds <= 0 or completion_tokens <= 0:
            return  # a server that reports no usage tells nothing about its speed
        with self._cond:
            if slot.epoch != self._epoch:
                return
            self._rates.append(completion_tokens / seconds)
            if len(self._rates) < SAMPLES:
                return
            self.rate = statistics.median(self._rates[-2 * SAMPLES:])
            needed = SAFETY * self.max_tokens / self.rate
            if needed > self.max_timeout and self.limit > 1:
                self._cut("speed")
                return
            self.timeout = max(self.timeout, min(needed, self.max_timeout))

    def _cut(self, why: str) -> None:
        if self.limit > 1:
            self.limit = max(1, self.limit // 2)
            if why not in self.cut_by:
                self.cut_by.append(why)
        self._epoch += 1
        self._rates = []

    def adapted(self) -> str:
        """What changed, for the summary line: '' when nothing did."""
        parts = []
        if self.limit != self.start_concurrency:
            parts.append(f"concurrency {self.start_concurrency}→{self.limit} after {' and '.join(self.cut_by)}")
        if self.timeout != self.start_timeout:
            parts.append(f"timeout {seconds(self.start_timeout)}→{seconds(self.timeout)} s")
        return ", ".join(parts)


def seconds(t: float) -> str:
    return f"{t:.0f}" if t >= 100 else f"{t:.3g}"
