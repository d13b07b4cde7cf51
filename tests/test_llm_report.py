"""The model's verdicts and drafted comments in every report format; hostile model text stays text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from fake_llm import FakeLLM, answer, naive_model

from jixiao.forms import parse_file
from jixiao.review.engine import load_decisions, review
from jixiao.review.llm.client import ChatClient
from jixiao.review.llm.judge import Judge
from jixiao.review.report import CSV_COLUMNS, column_label, write
from jixiao.review.report_xlsx import COMMENTS_SHEET

SE = Path(__file__).resolve().parent.parent / "examples" / "putuo_2024_self_evaluation.txt"
HOSTILE = "该项目实际完成情况未如实填报，请据实修改。<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    r = review(parse_file(SE).forms, only=["goal.actual_unresponsive", "indicator.deviation_contradiction", "indicator.unit_mismatch"],
               embed=lambda t: None)

    def respond(req):
        if req.task == "review_comment":
            ids = [line[1:13] for line in req.fields["问题清单"].splitlines()]
            return answer({"comment": HOSTILE, "finding_ids": ids[:1]})
        return naive_model(req)

    with FakeLLM(respond) as fake:
        Judge(ChatClient(fake.url, "test-model", None, backoff=0.001)).run(r)
    folder = tmp_path_factory.mktemp("llm-report")
    for ext in (".json", ".jsonl", ".csv", ".md", ".html", ".xlsx"):
        write(r, folder / f"r{ext}")
    return r, folder


def test_json_has_llm_objects_comments_and_usage(judged):
    r, folder = judged
    data = json.loads((folder / "r.json").read_text(encoding="utf-8"))
    flags = {f["id"]: f for f in data["flags"]}
    for f in r.flags:
        if f.llm:
            assert flags[f.id]["llm"]["verdict"] == f.llm.verdict
            assert {"verdict", "explanation", "model", "prompt_version", "evidence"} <= set(flags[f.id]["llm"])
        else:
            assert "llm" not in flags[f.id]
    assert set(data["comments"]) == set(r.comments) and all(c["comment"] == HOSTILE for c in data["comments"].values())
    assert data["summary"]["llm"]["model"] == "test-model" and data["summary"]["llm"]["calls"] > 0
    lines = [json.loads(line) for line in (folder / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum("llm" in x for x in lines) == sum(f.llm is not None for f in r.flags) > 0


def test_csv_md_and_html_show_verdicts_and_comments(judged):
    r, folder = judged
    rows = list(csv.DictReader(io.StringIO((folder / "r.csv").read_text(encoding="utf-8-sig"))))
    # Chinese headers over the same keys (issue 15): 模型判断, 模型说明 last
    assert list(rows[0]) == [column_label(k) for k in CSV_COLUMNS + ["llm_verdict", "llm_explanation"]]
    assert list(rows[0])[-2:] == ["模型判断", "模型说明"]
    assert {row["模型判断"] for row in rows} >= {"cannot_tell", "contradicts", ""}
    md = (folder / "r.md").read_text(encoding="utf-8")
    assert "模型判断（test-model）：无法判断 cannot_tell" in md and "审核意见（模型草拟，test-model" in md
    assert "语言模型 test-model" in md
    html = (folder / "r.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and 'class="comment"' in html
    assert "模型判断（test-model，goal_judgement@1）" in html and 'id=llm-usage' in html


def test_xlsx_has_verdict_columns_a_comments_sheet_and_decisions_still_round_trip(judged, tmp_path):
    r, folder = judged
    wb = openpyxl.load_workbook(folder / "r.xlsx")
    assert wb.sheetnames[0] == "项目风险" and wb.sheetnames[-2:] == ["汇总", COMMENTS_SHEET] and "发现" in wb.sheetnames
    ws = wb["发现"]
    header = [c.value for c in ws[1]]
    assert header[-2:] == ["模型判断", "模型说明"]
    comments = list(wb[COMMENTS_SHEET].iter_rows(min_row=2, values_only=True))
    assert len(comments) == len(r.comments) and all(row[3] == HOSTILE for row in comments)
    assert "语言模型" in [row[0] for row in wb["汇总"].iter_rows(values_only=True)]
    dec = header.index("决定") + 1
    ws.cell(row=2, column=dec, value="accepted")
    wb.save(tmp_path / "filled.xlsx")
    assert load_decisions(tmp_path / "filled.xlsx") == {ws.cell(row=2, column=1).value: "accepted"}
