"""`jixiao review --stream --ray auto`: the form checks on a local Ray give the single process's findings.

2,000 generated forms (testkit.synth) ingested into a real corpus file; Ray started here with two CPUs,
its workers reading their batches from the corpus file. --only keeps the form checks, the part Ray
runs (the corpus checks are the driver's, the same code either way).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from testkit.synth import write_corpus_files
from jixiao.cli import app

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[scale]' (it is in the test extra)")
runner = CliRunner()


@pytest.fixture(scope="module")
def corpus_2000(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ray-corpus")
    write_corpus_files(folder, 2000, seed=21, per_file=100)
    db = folder / "corpus.db"
    res = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])
    assert res.exit_code == 0, res.output
    return db


def _form_codes() -> list[str]:
    from jixiao.review import engine  # noqa: F401  (registers the checks)
    from jixiao.review.stream import checks_of

    return sorted({c for check in checks_of("form", None) for c in check.codes})


def test_ray_gives_the_same_findings_as_one_process(tmp_path, corpus_2000, local_ray):
    only = [a for code in _form_codes() for a in ("--only", code)]
    one, many = tmp_path / "one.jsonl", tmp_path / "ray.jsonl"
    res = runner.invoke(app, ["review", "--db", str(corpus_2000), *only, "--stream", "--out", str(one)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["review", "--db", str(corpus_2000), *only, "--stream", "--ray", "auto", "--out", str(many)])
    assert res.exit_code == 0, res.output
    lines = many.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 2000 and lines == one.read_text(encoding="utf-8").splitlines()  # same findings, same order
    assert (json.loads((tmp_path / "ray.summary.json").read_text(encoding="utf-8"))["summary"]
            == json.loads((tmp_path / "one.summary.json").read_text(encoding="utf-8"))["summary"])
    # and the same as the review that holds every form
    res = runner.invoke(app, ["review", "--db", str(corpus_2000), *only, "--out", str(tmp_path / "all.json")])
    assert res.exit_code == 0
    flags = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))["flags"]
    assert sorted(f["id"] for f in flags) == sorted(json.loads(line)["id"] for line in lines)
