"""The HTML report, rendered by a real headless browser (Debian's chromium) and inspected in its DOM.

The browser tests skip where chromium is missing; CI installs it (apt-get install chromium). The
highlighting and escaping helpers are also tested without a browser.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
from typer.testing import CliRunner

from jixiao.cli import app
from jixiao.forms import parse_file
from jixiao.review.engine import review
from jixiao.review.models import Evidence, Finding, ProjectRef, Report, Summary
from jixiao.review.report import write
from jixiao.review.report_html import _normalise, compare_texts, shared_spans, to_html

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TRACKING = EXAMPLES / "minhang_2024_tracking.txt"
runner = CliRunner()
XSS = "<script>alert(1)</script>"
PWN = "<script>document.body.setAttribute('data-pwned','1')</script>"
IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">"


@pytest.fixture(scope="module")
def sample_report():
    return review([f for p in sorted(EXAMPLES.glob("*.txt")) for f in parse_file(p).forms])


@pytest.fixture(scope="module")
def chromium():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("chromium not installed: apt-get install chromium")
    return exe


def _browser(exe: str, tmp: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp / 'chromium-profile'}"]
    return subprocess.run([exe, *flags, *args, url], capture_output=True, text=True, timeout=120, check=True)


def dump_dom(exe: str, page: Path, fragment: dict | None = None) -> str:
    """The DOM after the page's script ran; `fragment` sets the filters the way a shared link does."""
    url = page.resolve().as_uri() + ("#" + urlencode(fragment) if fragment else "")
    dom = _browser(exe, page.parent, url, "--dump-dom").stdout
    assert "</html>" in dom, dom[-2000:]
    return dom


def _shown(dom: str) -> int:
    m = re.search(r'<b id="shown">(\d+)</b>', dom)
    assert m, "the filter script did not write the visible count"
    return int(m.group(1))


def _article(dom: str, fid: str) -> str:
    m = re.search(rf'<article [^>]*id="f-{fid}"[^>]*>.*?</article>', dom, re.S)
    assert m, fid
    return m.group(0)


def test_browser_renders_the_examples_report(tmp_path, chromium, sample_report):
    page = tmp_path / "r.html"
    res = runner.invoke(app, ["review", str(EXAMPLES), "--out", str(page)])
    assert res.exit_code == 0, res.output
    source = page.read_text(encoding="utf-8")
    # Self-contained: nothing to fetch, so it opens offline.
    assert not re.search(r"<link|\ssrc=|url\(|@import|https?://", source)
    dom = dump_dom(chromium, page)
    s = sample_report.summary
    assert f'<b id="n-forms">{s.forms}</b>' in dom and f'<b id="n-findings">{s.findings}</b>' in dom
    rows = dict(re.findall(r'<tr data-code="([^"]+)">.*?<td class="n">(\d+)</td></tr>', dom))
    assert {c: int(n) for c, n in rows.items()} == s.by_code
    for sev, n in s.by_severity.items():
        assert f'<td class="n" id="n-{sev}">{n}</td>' in dom
    for f in sample_report.flags:
        assert f'id="f-{f.id}"' in dom
    copied = [f for f in sample_report.flags if f.code in ("goal.actual_copies_expected", "indicator.table_copied")]
    assert {f.code for f in copied} == {"goal.actual_copies_expected", "indicator.table_copied"}
    for f in copied:
        assert "<mark>" in _article(dom, f.id), f.id
    identical = next(f for f in copied if f.project_name == "政府购买辅助服务" and f.code == "goal.actual_copies_expected")
    assert "<mark>继续在核定范围内聘用政府购买服务人员" in _article(dom, identical.id)
    # The filter script ran: it wrote the count, and a filter given in the address hides the rest.
    assert _shown(dom) == s.findings
    high = dump_dom(chromium, page, {"sev": "high"})
    assert _shown(high) == s.by_severity["high"]
    assert len(re.findall(r'<article [^>]*data-severity="(?:medium|low)"[^>]*hidden', high)) == s.findings - s.by_severity["high"]
    code = "goal.actual_copies_expected"
    assert _shown(dump_dom(chromium, page, {"code": code})) == s.by_code[code]
    unit = "上海市闵行区事业单位福利中心"  # a group finding counts for every unit it names
    in_unit = [f for f in sample_report.flags if f.severity != "low" and unit in {f.unit, *(p.unit for p in f.projects)}]
    assert 0 < len(in_unit) < s.findings
    assert _shown(dump_dom(chromium, page, {"unit": unit, "sev": "high,medium"})) == len(in_unit)
    shot = tmp_path / "r.png"
    _browser(chromium, tmp_path, page.resolve().as_uri(), f"--screenshot={shot}", "--window-size=1280,1600")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def _hostile_document(tmp_path: Path) -> Path:
    """One tracking form of the examples with script, quotes and markup in its name, unit and goal texts."""
    lines = TRACKING.read_text(encoding="utf-8").splitlines()
    start = next(i for i, x in enumerate(lines) if x.startswith("项目名称") and "政府购买辅助服务" in x)
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("纠偏措施"))
    text = "\n".join(lines[start - 4:end + 1])
    goal = lines[start + 8].strip()
    assert goal.startswith("继续在核定范围内") and goal in lines[start + 8]
    text = (text.replace("政府购买辅助服务", f"{XSS}辅助服务\"双引号\"'单引号'")
            .replace("上海市闵行区事业单位福利中心", "福利<script>alert(2)</script>中心\"&'")
            .replace(goal, goal + PWN + IMG + "</td></tr></table>"))
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "hostile_tracking.txt").write_text(text + "\n", encoding="utf-8")
    return folder


def _hostile_report() -> Report:
    """Hostile text in every field the page shows, for what the parser would have cleaned away."""
    bad = f"{XSS}{IMG}</td></tr></table>\"'&amp;"
    ev = [Evidence(label=f"预期目标{bad}", text=f"同一段目标文字，完全相同{bad}", value=1, file=f"a{bad}.txt", line=3),
          Evidence(label=f"实际完成情况{bad}", text=f"同一段目标文字，完全相同{bad}", file="b.txt", line=4)]
    ref = ProjectRef(project_name=bad, unit=bad, year=2024, form_type=bad, file=bad, line=1)
    f = Finding(code="goal.actual_copies_expected", severity="high", message=f"消息{bad}", project_name=bad,
                unit=f"单位{bad}", year=2024, form_type=bad, projects=[ref], evidence=ev, decision="dismissed").with_id()
    return Report(summary=Summary(forms=1, findings=1, by_code={f.code: 1}, by_severity={"high": 1},
                                  decisions={"dismissed": 1}, settings=bad), flags=[f])


def test_hostile_document_text_is_shown_never_run(tmp_path, chromium):
    folder = _hostile_document(tmp_path)
    out = tmp_path / "hostile.json"
    assert runner.invoke(app, ["review", str(folder), "--out", str(out)]).exit_code == 0
    flags = json.loads(out.read_text(encoding="utf-8"))["flags"]
    assert flags and all(XSS in f["project_name"] for f in flags)  # the payload reached the report
    assert any(PWN in (e["text"] or "") for f in flags for e in f["evidence"])
    page = tmp_path / "hostile.html"
    assert runner.invoke(app, ["review", str(folder), "--out", str(page)]).exit_code == 0
    source = page.read_text(encoding="utf-8")
    assert source.count("<script") == 1 and XSS not in source and PWN not in source
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source and "&quot;双引号&quot;" in source
    dom = dump_dom(chromium, page)
    assert 'data-pwned="' not in dom  # the payload's setAttribute never ran (its text is on the page)
    assert dom.count("<script") == 1  # only the page's own script became an element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert _shown(dom) == len(flags)
    hostile_unit = "福利<script>alert(2)</script>中心\"&'"
    assert _shown(dump_dom(chromium, page, {"unit": hostile_unit})) == sum(f["unit"] == hostile_unit for f in flags) > 0
    # Every field at once, including </td> and quotes that the parser would have dropped.
    synthetic = tmp_path / "synthetic.html"
    write(_hostile_report(), synthetic)
    source = synthetic.read_text(encoding="utf-8")
    assert source.count("<script") == 1 and "<img" not in source and "</td></tr></table>\"" not in source
    dom = dump_dom(chromium, synthetic)
    assert 'data-pwned="' not in dom and dom.count("<script") == 1 and "<img" not in dom
    assert _shown(dom) == 1 and "已排除" in dom and 'data-decision="dismissed"' in dom
    assert _shown(dump_dom(chromium, synthetic, {"decision": "none"})) == 0


def test_decisions_are_shown_and_filterable(tmp_path, chromium, sample_report):
    first, second = sample_report.flags[0].id, sample_report.flags[1].id
    decisions = tmp_path / "decisions.json"
    decisions.write_text(json.dumps({first: "accepted", second: "dismissed"}))
    page = tmp_path / "r.html"
    assert runner.invoke(app, ["review", str(EXAMPLES), "--decisions", str(decisions), "--out", str(page)]).exit_code == 0
    dom = dump_dom(chromium, page)
    assert "已采纳 accepted" in _article(dom, first) and "已排除 dismissed" in _article(dom, second)
    assert '<td class="n" id="n-accepted">1</td>' in dom and '<td class="n" id="n-dismissed">1</td>' in dom
    assert _shown(dump_dom(chromium, page, {"decision": "dismissed"})) == 1
    assert _shown(dump_dom(chromium, page, {"decision": "none"})) == len(sample_report.flags) - 2


# Without a browser: what is marked as shared, and that marking never lets markup through.

def test_shared_passages_are_found_in_any_order_and_across_width_and_spaces():
    a, b = "甲乙丙丁戊己庚辛壬癸。子丑寅卯辰巳午未", "子丑寅卯辰巳午未，另加一句。甲乙丙丁戊己庚辛"
    sa, sb = shared_spans(a, b)
    covered = {i for s, e in sa for i in range(s, e)}
    assert covered == set(range(0, 8)) | set(range(11, 19))  # both passages, though swapped in b
    assert len(sb) == 2
    na, _ = _normalise("有效控制在标准 内（ＡＢ）")
    assert na == "有效控制在标准内(ab)"
    left, right = compare_texts(["有效控制在标准 内，其他", "有效控制在标准内；另外"], [(0, 1)])
    assert left == "<mark>有效控制在标准 内</mark>，其他" and right == "<mark>有效控制在标准内</mark>；另外"
    short = compare_texts(["完成率达100", "满意率达100"], [(0, 1)])
    assert "<mark>" not in "".join(short)  # "率达100" is five characters: a set phrase, not a copy


def test_marked_text_is_escaped():
    texts = [f"共同的一段文字{XSS}</td>\"'", f"共同的一段文字{XSS}</td>\"'"]
    out = compare_texts(texts, [(0, 1)])
    assert all("<script" not in t and "</td>" not in t for t in out)
    assert out[0] == "<mark>共同的一段文字&lt;script&gt;alert(1)&lt;/script&gt;&lt;/td&gt;&quot;&#x27;</mark>"
    html = to_html(_hostile_report())
    assert html.count("<script") == 1 and "<img" not in html
