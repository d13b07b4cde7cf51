"""A wrong `--ray ADDRESS` is one clear message and exit 1 in seconds: Ray itself retries a head that
does not answer for minutes before it gives up."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jixiao.cli import app

ray = pytest.importorskip("ray", reason="--ray needs the 'scale' extra (pip install 'jixiao[scale]')")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


@pytest.fixture()
def dead_address() -> str:
    """host:port of a port that was just free: nothing listens there."""
    if ray.is_initialized():
        pytest.skip("a Ray left running in this process by another test would be joined instead")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"127.0.0.1:{port}"


@pytest.mark.parametrize("command", ["ingest", "index", "review"])
def test_a_head_that_does_not_answer_is_one_message_and_exit_1(tmp_path, dead_address, command):
    db = tmp_path / "c.db"
    if command != "ingest":
        assert runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db)]).exit_code == 0
    args = {"ingest": ["ingest", str(EXAMPLES), "--db", str(db)],
            "index": ["index", "--db", str(db)],
            "review": ["review", "--db", str(db), "--stream", "--out", str(tmp_path / "r.jsonl")]}[command]
    started = time.monotonic()
    res = runner.invoke(app, [*args, "--ray", dead_address])
    assert time.monotonic() - started < 30
    assert res.exit_code == 1, res.output
    assert f"--ray {dead_address}: nothing answers at {dead_address}" in res.stderr
    assert "Traceback" not in res.output + res.stderr
    assert not (tmp_path / "r.jsonl").exists()  # nothing started before the address was checked


def test_an_address_without_a_port_is_refused(tmp_path):
    if ray.is_initialized():
        pytest.skip("a Ray left running in this process by another test would be joined instead")
    res = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(tmp_path / "c.db"), "--ray", "headnode"])
    assert res.exit_code == 1 and "not a Ray address (host:port or ray://host:port): 'headnode'" in res.stderr
