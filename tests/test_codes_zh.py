"""Chinese throughout for reviewers (issue 15, item 2): every code described once (review/codes.toml),
`jixiao codes`, the README's generated code table, and reports showing Chinese names, 高/中/低, 绩效…表
and Chinese .csv/.xlsx headers while the JSON keys stay as they were."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.review import engine  # noqa: F401  (registers every check in the catalogue)
from jixiao.review.catalogue import all_codes
from jixiao.review.codes import BEGIN, END, README, with_table
from jixiao.review.report_common import CSV_COLUMNS, column_label

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEV_ZH = {"high": "高", "medium": "中", "low": "低"}
FORM_ZH = {"declaration": "绩效目标申报表", "tracking": "绩效跟踪表", "self_evaluation": "绩效自评表"}
HAN = re.compile(r"[\u4e00-\u9fff]")
runner = CliRunner()


def _codes() -> dict[str, dict]:
    res = runner.invoke(app, ["codes", "--format", "json"])
    assert res.exit_code == 0, res.output
    return {c["code"]: c for c in json.loads(res.stdout)}


def test_codes_json_describes_every_registered_code():
    codes = _codes()
    assert sorted(codes) == all_codes() and len(codes) >= 31
    for code, c in codes.items():
        assert {"code", "name", "severity", "substantive", "meaning", "check"} <= set(c), code
        assert HAN.search(c["name"]) and HAN.search(c["meaning"]) and HAN.search(c["check"]), code
        assert c["severity"] and set(c["severity"]) <= set(SEV_ZH), code
        order = list(SEV_ZH)
        assert c["severity"] == sorted(c["severity"], key=order.index), f"{code}: gravest first"
        assert isinstance(c["substantive"], bool)
    assert len({c["name"] for c in codes.values()}) == len(codes)  # a name tells its code apart
    assert codes["goal.actual_copies_expected"]["name"] == "实际完成情况照抄预期目标"


def test_codes_table_and_help():
    res = runner.invoke(app, ["codes"])
    assert res.exit_code == 0, res.output
    for code, c in _codes().items():
        assert code in res.stdout and c["name"] in res.stdout
    assert "审核要点" in res.stdout and "高（high）" in res.stdout
    help_ = runner.invoke(app, ["codes", "--help"])
    assert help_.exit_code == 0 and "Example: jixiao codes" in help_.stdout
    assert runner.invoke(app, ["codes", "--format", "xml"]).exit_code == 2


def test_readme_code_table_is_generated_and_lists_every_code(tmp_path):
    text = README.read_text(encoding="utf-8")
    assert with_table(text) == text, "README code table is stale: run python -m jixiao.review.codes --readme"
    table = text.split(BEGIN)[1].split(END)[0]
    listed = re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", table, flags=re.M)
    assert sorted(listed) == all_codes()
    codes = _codes()
    assert all(f"| `{code}` | {c['name']} |" in table for code, c in codes.items())
    # The script rewrites a stale table in place and leaves the rest of the file alone.
    stale = tmp_path / "README.md"
    head, rest = text.split(BEGIN)
    stale.write_text(head + BEGIN + "\n| code | finds |\n| `goal.missing` | old |\n" + END + rest.split(END)[1], encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "jixiao.review.codes", "--readme", str(stale)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert stale.read_text(encoding="utf-8") == text


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The samples reviewed once per pair of formats: a file (--out) and the report on stdout (-f)."""
    folder = tmp_path_factory.mktemp("zh")
    for out, fmt in (("r.json", "csv"), ("r.xlsx", "md"), ("r.html", None)):
        res = runner.invoke(app, ["review", str(EXAMPLES), "--out", str(folder / out)] + (["-f", fmt] if fmt else []))
        assert res.exit_code == 0, res.output
        if fmt:
            (folder / f"stdout.{fmt}").write_text(res.stdout, encoding="utf-8")
    return folder, json.loads((folder / "r.json").read_text(encoding="utf-8"))


def test_json_keys_and_values_unchanged(reports):
    _, rep = reports
    assert set(rep) >= {"summary", "flags", "groups"} and rep["flags"]
    for f in rep["flags"]:
        assert {"id", "code", "severity", "message", "project_name", "projects", "evidence", "group", "risk", "form_type"} <= set(f)
        assert f["severity"] in SEV_ZH and (f["form_type"] is None or f["form_type"] in FORM_ZH)
        assert not any(HAN.search(k) for k in f)
    assert set(rep["summary"]["by_severity"]) <= set(SEV_ZH)


def test_severities_given_are_the_catalogues(reports):
    _, rep = reports
    codes = _codes()
    seen = {(f["code"], f["severity"]) for f in rep["flags"]}
    assert {sev for _, sev in seen} == set(SEV_ZH)  # the samples exercise every severity
    assert all(sev in codes[code]["severity"] for code, sev in seen), sorted(x for x in seen if x[1] not in codes[x[0]]["severity"])


def test_csv_has_chinese_headers_names_severities_and_form_types(reports):
    folder, rep = reports
    rows = list(csv.DictReader(io.StringIO((folder / "stdout.csv").read_text(encoding="utf-8"))))
    header = list(rows[0])
    assert header == [column_label(k) for k in CSV_COLUMNS]
    assert header[:5] == ["编号", "代码", "问题", "严重程度", "决定"]
    assert {"项目名称", "实施单位", "年度", "表别", "说明", "证据", "位置", "涉及项目"} <= set(header)
    assert not any(re.fullmatch(r"[a-z_]+", h) for h in header)  # no English key left as a header
    names = {c: v["name"] for c, v in _codes().items()}
    flags = {f["id"]: f for f in rep["flags"]}
    assert {r["编号"] for r in rows} == set(flags)
    for r in rows:
        f = flags[r["编号"]]
        assert (r["代码"], r["问题"], r["说明"]) == (f["code"], names[f["code"]], f["message"])
        assert r["严重程度"] == f"{SEV_ZH[f['severity']]}（{f['severity']}）"
        assert r["表别"] == FORM_ZH.get(f["form_type"], "")
        assert not re.search(r"，(declaration|tracking|self_evaluation)）", r["涉及项目"])
    assert {r["表别"] for r in rows} == set(FORM_ZH.values())


def test_xlsx_is_chinese_and_decisions_still_import(reports, tmp_path):
    folder, rep = reports
    wb = openpyxl.load_workbook(folder / "r.xlsx")
    ws = wb["发现"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["编号", "代码", "问题", "严重程度", "决定"] and "表别" in header and "id" not in header
    col = {h: i for i, h in enumerate(header)}
    flags = {f["id"]: f for f in rep["flags"]}
    names = {c: v["name"] for c, v in _codes().items()}
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    assert rows
    for r in rows:
        f = flags[r[col["编号"]]]
        assert r[col["问题"]] == names[f["code"]] and r[col["严重程度"]] == f"{SEV_ZH[f['severity']]}（{f['severity']}）"
        assert r[col["表别"]] == FORM_ZH.get(f["form_type"])
    summary = list(wb["汇总"].iter_rows(values_only=True))
    assert ("代码", "问题", "高（high）", "中（medium）", "低（low）", "合计") in summary
    if "分组" in wb.sheetnames:
        groups = wb["分组"]
        assert [c.value for c in groups[1]][0] == "编号"
        assert all(re.fullmatch(r"[高中低]（(high|medium|low)）", v) for (v,) in groups.iter_rows(
            min_row=2, min_col=[c.value for c in groups[1]].index("严重程度") + 1,
            max_col=[c.value for c in groups[1]].index("严重程度") + 1, values_only=True))
    # The reviewer's 决定 is found under 编号; a workbook of the old layout (header "id") still imports.
    first, second = rows[0][col["编号"]], rows[1][col["编号"]]
    ws.cell(row=2, column=col["决定"] + 1, value="accepted")
    wb.save(tmp_path / "filled.xlsx")
    old = openpyxl.Workbook()
    old.active.title = "发现"
    old.active.append(["id", "代码", "严重程度", "决定"])
    old.active.append([second, flags[second]["code"], flags[second]["severity"], "dismissed"])
    old.save(tmp_path / "old.xlsx")
    for path, fid, want in ((tmp_path / "filled.xlsx", first, "accepted"), (tmp_path / "old.xlsx", second, "dismissed")):
        res = runner.invoke(app, ["review", str(EXAMPLES), "--decisions", str(path), "-f", "json"])
        assert res.exit_code == 0, res.output
        assert {f["id"]: f["decision"] for f in json.loads(res.stdout)["flags"]}[fid] == want


def test_md_shows_names_severities_and_form_types(reports):
    folder, rep = reports
    md = (folder / "stdout.md").read_text(encoding="utf-8")
    names = {c: v["name"] for c, v in _codes().items()}
    for f in rep["flags"]:
        assert f"- **{SEV_ZH[f['severity']]}（{f['severity']}）** `{f['code']}`【{names[f['code']]}】" in md, f["id"]
        assert f"<sub>{f['id']} · {FORM_ZH[f['form_type']]} · " in md if f["form_type"] else f"<sub>{f['id']} · 风险" in md
    assert not re.search(r"\*\*(high|medium|low)\*\*", md)
    assert all(f"| {zh}（{sev}） |" in md for sev, zh in SEV_ZH.items())
    assert all(f"| `{code}` | {names[code]} |" in md for code in rep["summary"]["by_code"])


def test_html_shows_names_severities_and_form_types(reports):
    folder, rep = reports
    page = (folder / "r.html").read_text(encoding="utf-8")
    names = {c: v["name"] for c, v in _codes().items()}
    for code in rep["summary"]["by_code"]:
        assert f'<code>{code}</code> <span class="cname">{names[code]}</span>' in page
        assert f'<td><code>{code}</code></td><td>{names[code]}</td>' in page
    badges = re.findall(r'<span class="badge sev-(\w+)">(\S) (\w+)</span> <code>', page)
    assert badges and all(SEV_ZH[a] == zh and a == b for a, zh, b in badges)
    assert all(name in page for name in FORM_ZH.values())
