"""Semantic index and search, with the real default model and real FAISS on the shipped examples."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.index import faiss_index
from jixiao.index.build import build_indexes
from jixiao.index.search import Filters, SearchError, search, similar
from jixiao.index.store import Store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()
HIT_KEYS = {"score", "text", "kind", "project_name", "unit", "department", "year", "form_type"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    db = d / "c.db"
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db)]).exit_code == 0
    res = runner.invoke(app, ["index", "--db", str(db), "-f", "json"])
    assert res.exit_code == 0, res.output
    reports = {r["kind"]: r for r in json.loads(res.stdout)}
    assert {k: r["count"] for k, r in reports.items()} == {"indicator": 365, "goal": 65, "project": 39}
    assert reports["indicator"]["embedded"] < 365  # identical names are embedded once
    return db


def test_reindex_embeds_nothing(corpus):
    res = runner.invoke(app, ["index", "--db", str(corpus), "-f", "json"])
    assert [(r["status"], r["embedded"]) for r in json.loads(res.stdout)] == [("up-to-date", 0)] * 3
    res = runner.invoke(app, ["index", "--db", str(corpus), "--rebuild", "-f", "json"])
    assert [(r["status"], r["embedded"]) for r in json.loads(res.stdout)] == [("built", 0)] * 3


def test_paraphrase_finds_indicator_with_contract(corpus):
    res = runner.invoke(app, ["search", "举办培训班的次数", "--db", str(corpus), "-n", "5", "-f", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["hits"][0]["text"] in ("培训班开展班次", "培训课程出席率")
    assert "培训班开展班次" in [h["text"] for h in out["hits"][:2]]
    for h in out["hits"]:
        assert HIT_KEYS <= set(h) and {"target", "actual"} <= set(h)
    assert sum(s["count"] for s in out["target_summary"]) == 5
    res = runner.invoke(app, ["search", "举办培训班的次数", "--db", str(corpus), "-n", "3", "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 3 and HIT_KEYS <= set(rows[0]) and rows[0]["text"] == out["hits"][0]["text"]


def test_goal_and_project_search(corpus):
    with Store(corpus) as s:
        goals = search(s, corpus, "按计划完成事业人事信息系统及微信公众号运维服务", "goal", 3)
        # Both projects that carry this goal text (DOMAIN.md's boilerplate example) rank first.
        assert {h.project_name for h in goals.hits[:3]} >= {"信息系统运维费", "就业创业综合服务项目"}
        assert goals.hits[0].role in ("expected", "actual") and goals.hits[0].line in (78, 498)
        proj = search(s, corpus, "房屋加固装修工程", "project", 3)
        assert {h.project_name for h in proj.hits} >= {"宁夏路627号6幢房屋加固、外立面修缮及装修", "志丹路4号房屋整体加固装修及外立面修缮"}


def test_filters_restrict_before_top_n(corpus):
    unit = "上海市闵行区事业单位福利中心"  # 4 tracking forms, 39 indicators
    with Store(corpus) as s:
        all_hits = search(s, corpus, "满意度", "indicator", 500, Filters(unit=unit))
        assert len(all_hits.hits) == 39 and {h.unit for h in all_hits.hits} == {unit}
        top = search(s, corpus, "满意度", "indicator", 5, Filters(unit=unit, form_type="tracking", year=2024))
        assert len(top.hits) == 5 and [h.text for h in top.hits] == [h.text for h in all_hits.hits[:5]]
        decl = search(s, corpus, "满意度", "goal", 100, Filters(form_type="declaration"))
        assert len(decl.hits) == 11 and {h.form_type for h in decl.hits} == {"declaration"}


def test_ivf_filtered_search_is_exact(corpus, tmp_path):
    db = tmp_path / "ivf.db"
    shutil.copy(corpus, db)
    with Store(db) as s:
        reports = build_indexes(s, db, kinds=("indicator",), index_type="ivf", rebuild=True)
        assert reports[0].index_type == "ivf" and reports[0].tuned_recall >= 0.95
        _, info = faiss_index.load(db, "indicator")
        assert info.index_type == "ivf"
        f = Filters(unit="上海市闵行区社会保障服务中心")
        ivf = search(s, db, "系统运行稳定", "indicator", 20, f)
    with Store(corpus) as s:
        flat = search(s, corpus, "系统运行稳定", "indicator", 20, f)
    assert [(h.text, h.file, h.line) for h in ivf.hits] == [(h.text, h.file, h.line) for h in flat.hits]


def test_similar_projects(corpus):
    with Store(corpus) as s:
        (me,), hits = similar(s, corpus, "信息系统运维费", 3)
    assert me["project_name"] == "信息系统运维费"
    assert hits[0].project_name == "就业创业综合服务项目"  # DOMAIN.md: it carries this project's goal and table
    assert "运维计划完成率" in hits[0].shared_indicators
    assert all(h.project_name != "信息系统运维费" for h in hits)
    res = runner.invoke(app, ["similar", "宁夏路627号", "--db", str(corpus), "-n", "1", "-f", "json"])
    assert json.loads(res.stdout)["similar"][0]["project_name"] == "志丹路4号房屋整体加固装修及外立面修缮"


def test_clear_errors(corpus, tmp_path):
    def fails(args, text):
        res = runner.invoke(app, args)
        assert res.exit_code == 1 and text in res.stderr, (args, res.stderr)

    fails(["search", "满意度", "--db", str(tmp_path / "none.db")], "no corpus at")
    empty = runner.invoke(app, ["search", "   ", "--db", str(corpus)])  # wrong usage (issue 15): exit 2
    assert empty.exit_code == 2 and "empty query" in empty.stderr
    empty = runner.invoke(app, ["similar", " ", "--db", str(corpus)])
    assert empty.exit_code == 2 and "empty project name" in empty.stderr
    fails(["search", "满意度", "--db", str(corpus), "--unit", "上海市闵行区事业单位福利"], "did you mean 上海市闵行区事业单位福利中心")
    fails(["search", "满意度", "--db", str(corpus), "--year", "2019"], "year = 2019")
    fails(["similar", "不存在的项目", "--db", str(corpus)], "no project named")
    fails(["similar", "征地养老", "--db", str(corpus)], "matches several projects")
    fails(["search", "满意度", "--db", str(corpus), "--model", "tokenlearn-static"], "was built with use-m3")
    fails(["search", "满意度", "--db", str(corpus), "--model", str(tmp_path / "no-such-model")], "does not download models")
    bare = tmp_path / "bare.db"
    shutil.copy(corpus, bare)
    fails(["search", "满意度", "--db", str(bare)], "no indicator index beside")
    fails(["index", "--db", str(corpus), "--model", "tokenlearn-static"], "use --rebuild to switch")


def test_switching_models_needs_rebuild(corpus, tmp_path):
    db = tmp_path / "m.db"
    shutil.copy(corpus, db)
    res = runner.invoke(app, ["index", "--db", str(db), "--model", "tokenlearn-static", "--rebuild", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert {r["model"].split("@")[0] for r in json.loads(res.stdout)} == {"tokenlearn-static"}
    with Store(db) as s:
        hit = search(s, db, "培训课程到课率", "indicator", 1).hits[0]  # the corpus now answers with its new model
        with pytest.raises(SearchError, match="was built with tokenlearn-static"):
            search(s, db, "培训课程到课率", "indicator", 1, model="use-m3")
    assert hit.text == "培训课程出席率"


def _copy_with_indexes(db: Path, to: Path) -> Path:
    shutil.copy(db, to)
    for kind in ("indicator", "goal", "project"):
        for src, dst in zip(faiss_index.paths(db, kind), faiss_index.paths(to, kind)):
            shutil.copy(src, dst)
    return to


def test_stale_index_is_reported(corpus, tmp_path):
    db = _copy_with_indexes(corpus, tmp_path / "s.db")
    extra = tmp_path / "extra.txt"
    extra.write_bytes((Path(__file__).parent / "fixtures" / "jingan_2022_mixed.txt").read_bytes())
    assert runner.invoke(app, ["ingest", str(extra), "--db", str(db)]).exit_code == 0
    res = runner.invoke(app, ["search", "参保人数", "--db", str(db)])
    assert res.exit_code == 0 and "changed after the indicator index was built" in res.stderr
    res = runner.invoke(app, ["index", "--db", str(db), "-f", "json"])
    assert {r["status"] for r in json.loads(res.stdout)} == {"built"}
    with Store(db) as s:
        assert search(s, db, "参保人数", "indicator", 1).hits[0].text == "参保人数"
