"""`jixiao search --mode dense|lexical|hybrid`, goal hits grouped by form, -i FILE / -i -, --min-score,
and the lexical index's life beside the FAISS one: through the CLI, on the samples ingested and
indexed once for the module (real SQLite, real FAISS, the real use-m3 model)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.index import faiss_index, hybrid, lexical

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
KINDS = ("indicator", "goal", "project")
HIT_KEYS = {"score", "text", "kind", "project_name", "unit", "department", "year", "form_type", "file", "line", "role",
            "level1", "level2", "target", "actual"}
NEW_KEYS = {"mode", "dense_score", "lexical_score", "texts"}
GOAL = "按计划完成事业人事信息系统及微信公众号运维服务"  # the expected goal of two projects (DOMAIN.md)
runner = CliRunner()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    db = tmp_path_factory.mktemp("modes") / "c.db"
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db)]).exit_code == 0
    res = runner.invoke(app, ["index", "--db", str(db), "-f", "json"])
    assert res.exit_code == 0, res.output
    assert [(r["kind"], r["lexical"]) for r in json.loads(res.stdout)] == [(k, "built") for k in KINDS]
    return db


def run(db: Path, *args: str, input: str | None = None) -> dict:
    res = runner.invoke(app, ["search", *args, "--db", str(db), "-f", "json"], input=input)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def fails(db: Path, args: list[str], code: int, text: str, input: str | None = None) -> None:
    res = runner.invoke(app, ["search", *args, "--db", str(db)], input=input)
    assert res.exit_code == code and text in res.stderr, (args, res.exit_code, res.stderr)
    assert res.stderr.startswith("Error:") or "Error:" in res.stderr.splitlines()[0]


def copy_corpus(db: Path, to: Path, lexical_too: bool) -> Path:
    shutil.copy(db, to)
    for kind in KINDS:
        for src, dst in zip(faiss_index.paths(db, kind), faiss_index.paths(to, kind)):
            shutil.copy(src, dst)
        if lexical_too:
            shutil.copy(lexical.path(db, kind), lexical.path(to, kind))
    return to


def test_index_keeps_lexical_files_beside_faiss(corpus):
    for kind in KINDS:
        assert lexical.path(corpus, kind).name == f"{corpus.name}.{kind}.bm25.npz" and lexical.path(corpus, kind).exists()
    res = runner.invoke(app, ["index", "--db", str(corpus), "-f", "json"])
    assert [(r["status"], r["lexical"], r["embedded"]) for r in json.loads(res.stdout)] == [("up-to-date", "up-to-date", 0)] * 3


def test_every_mode_on_every_kind(corpus):
    queries = {"indicator": "举办培训班的次数", "goal": GOAL, "project": "志丹路4号房屋加固"}
    for kind in KINDS:
        for mode in hybrid.MODES:
            out = run(corpus, queries[kind], "-k", kind, "--mode", mode, "-n", "5")
            assert out["mode"] == mode and 0 < len(out["hits"]) <= 5
            for h in out["hits"]:
                assert HIT_KEYS | NEW_KEYS <= set(h) and h["kind"] == kind and h["mode"] == mode
                if mode == "dense":
                    assert h["lexical_score"] is None and h["score"] == h["dense_score"]
                elif mode == "lexical":
                    assert h["dense_score"] is None and h["score"] == h["lexical_score"] > 0
                else:
                    assert h["score"] == pytest.approx(hybrid.DENSE_WEIGHT * h["dense_score"]
                                                       + (1 - hybrid.DENSE_WEIGHT) * h["lexical_score"], abs=1e-6)
            scores = [h["score"] for h in out["hits"]]
            assert scores == sorted(scores, reverse=True)
    # The place name decides it lexically, and hybrid keeps it on top.
    for mode in ("lexical", "hybrid"):
        assert run(corpus, "志丹路4号房屋加固", "-k", "project", "--mode", mode)["hits"][0]["project_name"] == "志丹路4号房屋整体加固装修及外立面修缮"
    # The default mode is the measured one, per kind.
    for kind in KINDS:
        assert run(corpus, queries[kind], "-k", kind, "-n", "1")["mode"] == hybrid.DEFAULT_MODE[kind]


def test_filters_apply_before_top_k(corpus):
    for mode in ("lexical", "hybrid"):
        everything = run(corpus, "培训课程出席率", "--mode", mode, "-n", "500")["hits"]
        top5_units = {h["unit"] for h in everything[:5]}
        unit = next(h["unit"] for h in everything if h["unit"] not in top5_units)
        of_unit = [h for h in everything if h["unit"] == unit]
        assert len(of_unit) >= 5  # else the check below would prove nothing
        hits = run(corpus, "培训课程出席率", "--mode", mode, "-n", "5", "--unit", unit)["hits"]
        # Five hits of a unit that had none in the unfiltered top five: filtered, then cut.
        assert [(h["file"], h["line"]) for h in hits] == [(h["file"], h["line"]) for h in of_unit[:5]]
        goals = run(corpus, "满意度", "-k", "goal", "--mode", mode, "-n", "100", "--form-type", "declaration")["hits"]
        assert goals and {h["form_type"] for h in goals} == {"declaration"}


def test_a_forms_expected_and_actual_goals_are_one_hit(corpus):
    for mode in hybrid.MODES:
        hits = run(corpus, GOAL, "-k", "goal", "--mode", mode, "-n", "10")["hits"]
        forms = [(h["file"], h["project_name"], h["unit"], h["year"], h["form_type"]) for h in hits]
        assert len(set(forms)) == len(forms) == 10  # no form twice, and still n forms
        top = {h["project_name"]: h for h in hits[:2]}
        assert set(top) == {"信息系统运维费", "就业创业综合服务项目"}
        for h in top.values():
            texts = {t["role"]: t for t in h["texts"]}
            assert set(texts) == {"expected", "actual"} and texts["expected"]["text"] != texts["actual"]["text"]
            assert h["text"] == texts[h["role"]]["text"] and h["score"] == max(t["score"] for t in h["texts"] if t["score"] is not None)
            lines = Path(h["file"]).read_text(encoding="utf-8").splitlines()
            for t in texts.values():  # each text's line is where the form has it
                assert t["text"][:12] in lines[t["line"] - 1]
    res = runner.invoke(app, ["search", GOAL, "-k", "goal", "--db", str(corpus), "-n", "2"])
    assert res.exit_code == 0 and res.stdout.count("actual: ") == 2 and res.stdout.count("expected: ") == 2


def test_query_from_a_file_or_standard_input(corpus, tmp_path):
    expected = run(corpus, GOAL, "-k", "goal", "-n", "3")["hits"]
    f = tmp_path / "q.txt"
    f.write_text("\ufeff" + GOAL + "\n", encoding="utf-8")  # as Notepad saves it
    assert run(corpus, "-i", str(f), "-k", "goal", "-n", "3")["hits"] == expected
    assert run(corpus, "-i", "-", "-k", "goal", "-n", "3", input=GOAL + "\n")["hits"] == expected
    fails(corpus, [GOAL, "-i", str(f)], 2, "not both")
    fails(corpus, [], 2, "no query")
    fails(corpus, ["-i", str(tmp_path / "none.txt")], 1, "cannot read the query")
    fails(corpus, ["-i", "-"], 2, "empty query", input="  \n")


def test_min_score_applies_to_the_modes_score(corpus):
    for mode in hybrid.MODES:
        hits = run(corpus, "培训课程出席率", "--mode", mode, "-n", "10")["hits"]
        cut = (hits[2]["score"] + hits[3]["score"]) / 2
        assert hits[2]["score"] > cut > hits[3]["score"]
        out = run(corpus, "培训课程出席率", "--mode", mode, "-n", "10", "--min-score", str(cut))
        assert out["min_score"] == cut and [h["score"] for h in out["hits"]] == [h["score"] for h in hits if h["score"] >= cut]
    res = runner.invoke(app, ["search", "培训课程出席率", "--db", str(corpus), "--min-score", "2"])
    assert res.exit_code == 0 and "no hits scoring 2.0 or more" in res.stdout


def test_corpus_indexed_before_lexical_search(corpus, tmp_path):
    db = copy_corpus(corpus, tmp_path / "old.db", lexical_too=False)
    assert run(db, "培训课程出席率", "--mode", "dense", "-n", "3")["hits"]
    for mode in ("lexical", "hybrid"):
        fails(db, ["培训课程出席率", "--mode", mode], 1, f"no lexical indicator index beside {db}")
        fails(db, ["培训课程出席率", "--mode", mode], 1, f"run `jixiao index --db {db}`")
    res = runner.invoke(app, ["search", "培训课程出席率", "--db", str(db), "-f", "json"])  # the default mode falls back
    assert res.exit_code == 0 and json.loads(res.stdout)["mode"] == "dense" and "searched in dense mode" in res.stderr
    res = runner.invoke(app, ["index", "--db", str(db), "-f", "json"])
    assert [(r["status"], r["lexical"], r["embedded"]) for r in json.loads(res.stdout)] == [("up-to-date", "built", 0)] * 3
    assert run(db, "培训课程出席率", "-n", "3")["mode"] == "hybrid"


def test_stale_lexical_index_is_reported_and_rebuilt(corpus, tmp_path):
    db = copy_corpus(corpus, tmp_path / "s.db", lexical_too=True)
    extra = tmp_path / "extra.txt"
    extra.write_bytes((FIXTURES / "jingan_2022_mixed.txt").read_bytes())
    assert runner.invoke(app, ["ingest", str(extra), "--db", str(db)]).exit_code == 0
    res = runner.invoke(app, ["search", "参保人数", "--mode", "lexical", "--db", str(db)])
    assert res.exit_code == 0 and "changed after the indicator index was built" in res.stderr
    res = runner.invoke(app, ["index", "--db", str(db), "--kind", "indicator", "-f", "json"])
    assert [r["lexical"] for r in json.loads(res.stdout)] == ["built"]
    res = runner.invoke(app, ["search", "参保人数", "--mode", "lexical", "--db", str(db), "-f", "json"])
    assert "changed after" not in res.stderr and json.loads(res.stdout)["hits"][0]["text"] == "参保人数"
