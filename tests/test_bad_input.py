"""Bad input gets a clear message naming the file (and line), and never stops the other files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.forms import parse_file

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def _bad_files(tmp: Path) -> dict[str, Path]:
    se = (EXAMPLES / "putuo_2024_self_evaluation.txt").read_text(encoding="utf-8").splitlines()
    files = {
        "empty": tmp / "empty.txt",
        "binary": tmp / "scan.txt",
        "noform": tmp / "notes.txt",
        "truncated": tmp / "truncated.txt",
        "undecodable": tmp / "broken.txt",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    files["noform"].write_text("会议纪要\n本次会议讨论了预算编制工作。\n", encoding="utf-8")
    # Cut in the middle of the first form's indicator table (line 22 of the export).
    files["truncated"].write_text("\n".join(se[:22]) + "\n", encoding="utf-8")
    files["undecodable"].write_bytes("项目名称\t办公经费\n".encode("utf-8") + b"\x80\x80\xff\n")
    return files


def test_messages_name_file_and_line(tmp_path):
    files = _bad_files(tmp_path)
    msgs = {k: [str(i) for i in parse_file(p).all_issues()] for k, p in files.items()}
    assert any("empty.txt" in m and "empty file" in m for m in msgs["empty"])
    assert any("scan.txt" in m and "binary file" in m and "PNG" in m for m in msgs["binary"])
    assert any("notes.txt" in m and "no performance form found" in m for m in msgs["noform"])
    assert any("broken.txt:2" in m and "neither UTF-8 nor GB18030" in m for m in msgs["undecodable"])
    trunc = parse_file(files["truncated"])
    assert not trunc.failed and len(trunc.forms) == 1
    assert len(trunc.forms[0].indicators) == 6
    assert any(m.startswith(f"{files['truncated']}:22") and "总分" in m for m in map(str, trunc.all_issues()))


def test_ingest_goes_on_and_exits_nonzero(tmp_path):
    files = _bad_files(tmp_path)
    good = tmp_path / "good.txt"
    good.write_bytes((EXAMPLES / "minhang_2024_tracking.txt").read_bytes())
    db = tmp_path / "c.db"
    res = runner.invoke(app, ["ingest", *map(str, files.values()), str(good), "--db", str(db), "--format", "json"])
    assert res.exit_code == 1
    reports = {Path(r["path"]).name: r for r in json.loads(res.stdout)}
    assert reports["good.txt"]["status"] == "stored" and reports["good.txt"]["forms"] == 4
    assert reports["truncated.txt"]["status"] == "stored"  # a half form is kept, with warnings
    assert reports["truncated.txt"]["warnings"]
    for bad in ("empty.txt", "scan.txt", "notes.txt", "broken.txt"):
        assert reports[bad]["status"] == "failed" and bad in reports[bad]["error"]


def test_missing_path_and_empty_folder(tmp_path):
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    res = runner.invoke(app, ["ingest", str(empty), str(tmp_path / "nope.txt"), "--db", str(tmp_path / "c.db")])
    assert res.exit_code == 1
    assert f"{empty}: folder holds no text exports" in res.stderr
    assert f"{tmp_path / 'nope.txt'}: no such file or directory" in res.stderr


def test_query_without_corpus(tmp_path):
    res = runner.invoke(app, ["stats", "--db", str(tmp_path / "none.db")])
    assert res.exit_code == 1
    assert "no corpus at" in res.stderr
    assert not (tmp_path / "none.db").exists()  # reading never creates a corpus


def test_not_a_corpus(tmp_path):
    fake = tmp_path / "x.db"
    fake.write_bytes(b"this is not sqlite at all" * 100)
    res = runner.invoke(app, ["stats", "--db", str(fake)])
    assert res.exit_code == 1 and "not a jixiao corpus" in res.stderr
