"""The review report as one self-contained HTML page: opens offline, from a mail or a USB stick.

Summary by code and severity, a section per project, each finding with its evidence, copied texts
side by side with the shared passages marked, and filters (code, severity, unit, decision, text).
Document text is hostile input: every piece of it goes through `esc`, and a Content-Security-Policy
that admits only this page's own script and style (by hash) keeps a missed escape from running.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from itertools import combinations

from jixiao.forms.models import FORM_TYPE_ZH
from jixiao.review.decisions import decision_text
from jixiao.review.models import Evidence, Finding, FindingGroup, ParseWarning, Report
from jixiao.review.codes import SEVERITY_ZH, code_zh
from jixiao.review.report_common import UNADOPTED, UNSUPPORTED, VERDICT_ZH, Item, adopted, Section, comments_for, has_llm, layout, llm_summary, money_text, place, project_title
from jixiao.review.report_common import common_folder, form_type_zh, section_facts, short_path

MIN_SHARED = 6  # normalised characters; shorter common runs are set phrases (完成率达100%), not copying
MAX_COMPARE = 20000  # SequenceMatcher is quadratic at worst; beyond this a text is shown unmarked
MAX_COLUMNS = 6  # a boilerplate shared by more projects shows the first six side by side
# Codes whose evidence texts are copies of each other; other findings quote texts that differ by nature.
COMPARE_CODES = {"goal.actual_copies_expected", "goal.boilerplate_shared", "indicator.table_copied"}
SEVERITIES = ("high", "medium", "low")
DECISION_ZH = {"accepted": "已采纳", "dismissed": "已排除"}

CSS = """
*{box-sizing:border-box}[hidden]{display:none!important}
body{font:14px/1.55 system-ui,"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header.top{background:#24292f;color:#fff;padding:14px 24px}header.top h1{margin:0;font-size:20px}
main{max-width:1280px;margin:0 auto;padding:16px 24px}
#filters{position:sticky;top:0;z-index:2;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:12px 0;display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center}
#filters select,#filters input[type=search]{max-width:260px;font:inherit}#count{margin-left:auto;font-weight:600}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top;text-align:left}
th{background:#eaeef2}td.n{text-align:right;font-variant-numeric:tabular-nums}#by-code tr[data-code]{cursor:pointer}
#by-code tr[data-code]:hover{background:#ddf4ff}.summary{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
section.project{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:16px 0;padding:4px 16px 12px}
section.project h2{font-size:17px;margin:10px 0 4px}h2 small{font-weight:normal;color:#57606a;margin-left:8px}
article.finding{border-left:4px solid #8c959f;padding:6px 12px;margin:10px 0;background:#fafbfc}
article.sev-high{border-color:#cf222e}article.sev-medium{border-color:#d4a72c}
article.dec-dismissed{opacity:.55}article.dec-dismissed .msg{text-decoration:line-through}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;background:#6e7781}
.badge.sev-high{background:#cf222e}.badge.sev-medium{background:#9a6700}.badge.dec-accepted{background:#1a7f37}
.badge.dec-dismissed{background:#57606a}.fid,.meta,.where{color:#57606a;font-size:12px}.fid{float:right;font-family:monospace}.cname{font-weight:600}
.msg{margin:4px 0}.txt{white-space:pre-wrap;word-break:break-all}table.ev{width:100%;font-size:13px}
table.cmp{width:100%;table-layout:fixed;margin:6px 0;font-size:13px}table.cmp th{font-weight:600;font-size:12px}
mark{background:#ffdf5d;padding:0}details summary{cursor:pointer;color:#0969da;font-size:13px}
div.group{border:1px solid #d0d7de;border-left:4px solid #8c959f;border-radius:4px;padding:6px 12px;margin:10px 0;background:#fff}
div.group.sev-high{border-left-color:#cf222e}div.group.sev-medium{border-left-color:#d4a72c}.group>.msg{font-weight:600}
#ranking table{width:100%;background:#fff}#ranking td.msg{font-size:12px;color:#57606a}.see{font-size:13px;color:#57606a}
details.appendix>summary{font-size:17px;font-weight:600;margin:16px 0}section.units h2{font-size:17px}
td,th,.msg,.where,h2,li{overflow-wrap:anywhere}section.project h2 small{display:inline-block}
.pw{background:#fff8e1;border:1px solid #e3b341;border-radius:4px;padding:4px 12px;margin:8px 0;font-size:13px}.pw ul{margin:4px 0;padding-left:20px}
@media print{#filters{display:none}details{display:block}}
"""

# Only in reports where a language model was asked: a review without one is byte-for-byte as before.
LLM_CSS = """
.llm{margin:4px 0;padding:4px 8px;background:#eef6ff;border-radius:4px;font-size:13px}.llm q{color:#57606a}
.llm.v-unusable{background:#f6f8fa;color:#57606a}.comment{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:6px 12px;margin:8px 0}
.comment .who{color:#57606a;font-size:12px}.comment .unadopted,.llm .unsupported{color:#57606a;font-style:italic}
"""

JS = """
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var all = function (sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); };
  var findings = all("article.finding"), sections = all(".hideable"), sevs = all("input[name=sev]");
  var code = $("f-code"), unit = $("f-unit"), decision = $("f-decision"), q = $("f-q");
  function units(a) { try { return JSON.parse(a.getAttribute("data-units") || "[]"); } catch (e) { return []; } }
  function save() {
    var p = new URLSearchParams();
    if (code.value) p.set("code", code.value);
    if (unit.value) p.set("unit", unit.value);
    if (decision.value) p.set("decision", decision.value);
    if (q.value) p.set("q", q.value);
    var on = sevs.filter(function (c) { return c.checked; }).map(function (c) { return c.value; });
    if (on.length !== sevs.length) p.set("sev", on.join(","));
    var h = p.toString();
    // The filters live in the address (#...), so a reviewer can send a link to a filtered view.
    try { history.replaceState(null, "", h ? "#" + h : location.pathname + location.search); } catch (e) {}
  }
  function load() {
    var p = new URLSearchParams(location.hash.slice(1));
    if (p.has("code")) code.value = p.get("code");
    if (p.has("unit")) unit.value = p.get("unit");
    if (p.has("decision")) decision.value = p.get("decision");
    if (p.has("q")) q.value = p.get("q");
    if (p.has("sev")) { var s = p.get("sev").split(","); sevs.forEach(function (c) { c.checked = s.indexOf(c.value) >= 0; }); }
  }
  function apply() {
    var want = {}, text = q.value.trim().toLowerCase(), shown = 0;
    sevs.forEach(function (c) { want[c.value] = c.checked; });
    findings.forEach(function (a) {
      var ok = want[a.getAttribute("data-severity")] &&
        (!code.value || a.getAttribute("data-code") === code.value) &&
        (!unit.value || units(a).indexOf(unit.value) >= 0) &&
        (!decision.value || (a.getAttribute("data-decision") || "none") === decision.value) &&
        (!text || a.textContent.toLowerCase().indexOf(text) >= 0);
      a.hidden = !ok;
      if (ok) shown++;
    });
    // A project, group or appendix with nothing left to show is hidden with its heading.
    sections.forEach(function (s) { s.hidden = !s.querySelector("article.finding:not([hidden])"); });
    $("shown").textContent = String(shown);
    save();
  }
  [code, unit, decision].forEach(function (el) { el.addEventListener("change", apply); });
  sevs.forEach(function (el) { el.addEventListener("change", apply); });
  q.addEventListener("input", apply);
  $("f-reset").addEventListener("click", function () {
    code.value = unit.value = decision.value = q.value = "";
    sevs.forEach(function (c) { c.checked = true; });
    apply();
  });
  all("#by-code tr[data-code]").forEach(function (tr) {
    tr.addEventListener("click", function () { code.value = tr.getAttribute("data-code"); apply(); });
  });
  load();
  apply();
})();
"""


def esc(x: object) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _normalise(text: str) -> tuple[str, list[int]]:
    """Text as compared (NFKC, lower case, no whitespace) and, per character, its index in `text`.

    Exports mix full- and half-width punctuation and wrap cells with spaces ("有效控制在标准 内"); a copy
    must not escape notice because of either.
    """
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for n in unicodedata.normalize("NFKC", ch).lower():
            if not n.isspace():
                chars.append(n)
                origin.append(i)
    return "".join(chars), origin


def shared_spans(a: str, b: str, min_len: int = MIN_SHARED) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(start, end) spans of a and of b that lie in a common substring of at least `min_len` characters.

    get_matching_blocks only finds passages in the same order in both texts; a copy with its clauses
    reordered is common, so what is left of `a` is searched again with find_longest_match.
    """
    sm = SequenceMatcher(None, a, b, autojunk=False)  # autojunk would discard frequent CJK characters
    in_a: list[tuple[int, int]] = []
    in_b: list[tuple[int, int]] = []
    gaps, pos = [], 0
    for m in sm.get_matching_blocks():
        if m.size >= min_len:
            in_a.append((m.a, m.a + m.size))
            in_b.append((m.b, m.b + m.size))
            gaps.append((pos, m.a))
            pos = m.a + m.size
    gaps.append((pos, len(a)))
    while gaps:
        lo, hi = gaps.pop()
        if hi - lo < min_len:
            continue
        m = sm.find_longest_match(lo, hi, 0, len(b))
        if m.size >= min_len:
            in_a.append((m.a, m.a + m.size))
            in_b.append((m.b, m.b + m.size))
            gaps += [(lo, m.a), (m.a + m.size, hi)]
    return in_a, in_b


def _marked(text: str, spans: list[tuple[int, int]], origin: list[int]) -> str:
    """`text` escaped, with the characters behind the normalised `spans` wrapped in <mark>."""
    on = [False] * len(text)
    for s, e in spans:
        for k in range(s, e):
            on[origin[k]] = True
    for i in range(1, len(text) - 1):  # whitespace inside a shared passage belongs to it
        if not on[i] and text[i].isspace() and on[i - 1]:
            j = i
            while j < len(text) and text[j].isspace():
                j += 1
            if j < len(text) and on[j]:
                on[i:j] = [True] * (j - i)
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and on[j] == on[i]:
            j += 1
        out.append(f"<mark>{esc(text[i:j])}</mark>" if on[i] else esc(text[i:j]))
        i = j
    return "".join(out)


def compare_texts(texts: list[str], pairs: list[tuple[int, int]]) -> list[str]:
    """Each text as escaped HTML, marking what it shares with the texts it is paired with."""
    norm = [_normalise(t) for t in texts]
    spans: list[list[tuple[int, int]]] = [[] for _ in texts]
    for i, j in pairs:
        if max(len(norm[i][0]), len(norm[j][0])) <= MAX_COMPARE:
            a, b = shared_spans(norm[i][0], norm[j][0])
            spans[i] += a
            spans[j] += b
    return [_marked(t, spans[k], norm[k][1]) for k, t in enumerate(texts)]


def _where(e: Evidence | ParseWarning, root: str | None = None, cls: str = "where") -> str:
    """Where evidence stands, relative to the report's folder, the full path in a tooltip: a <span>."""
    return f'<span class="{cls}" title="{esc(e.file)}">{esc(place(e, root))}</span>' if e.file else ""


def _value(e: Evidence) -> str:
    return f"{e.value:g}" if e.value is not None else ""


def _comparison(f: Finding, root: str | None = None) -> str:
    items = [e for e in f.evidence if e.text]
    if f.code not in COMPARE_CODES or len(items) < 2:
        return ""
    labels = [e.label for e in items]
    # indicator.table_copied lists rows as (this table, that table) pairs, so its labels repeat;
    # a text shared by several projects lists each once and is shown as columns.
    paired = (len(items) > 2 and len(items) % 2 == 0 and len(set(labels)) < len(labels)
              and all(labels[k] != labels[k + 1] for k in range(0, len(items), 2)))
    if not paired:
        items = items[:MAX_COLUMNS]
    pairs = [(k, k + 1) for k in range(0, len(items), 2)] if paired else list(combinations(range(len(items)), 2))
    marked = compare_texts([e.text or "" for e in items], pairs)
    cell = lambda k: f'<td><div class="txt">{marked[k]}</div><div>{_where(items[k], root)}</div></td>'  # noqa: E731
    if not paired:
        head = "".join(f"<th>{esc(e.label)}</th>" for e in items)
        return f'<table class="cmp"><tr>{head}</tr><tr>{"".join(cell(k) for k in range(len(items)))}</tr></table>'
    rows, last = [], None
    for i, j in pairs:
        if (labels[i], labels[j]) != last:  # a new partner table gets its own heading row
            last = (labels[i], labels[j])
            rows.append(f"<tr><th>{esc(labels[i])}</th><th>{esc(labels[j])}</th></tr>")
        rows.append(f"<tr>{cell(i)}{cell(j)}</tr>")
    return f'<table class="cmp">{"".join(rows)}</table>'


def _units(f: Finding) -> list[str]:
    return sorted({u for u in [f.unit, *(p.unit for p in f.projects)] if u})


def _note(note: str | None, reviewer: str | None) -> str:
    """The reviewer's 审核备注 and name beside the decision badge."""
    text = decision_text(None, note, reviewer)
    return f' <span class="meta note-text">{esc(text)}</span> ' if text else ""


def _orphans(report: Report) -> str:
    """Decisions this run has no finding or group for: kept in the report, listed at the end."""
    if not report.orphaned_decisions:
        return ""
    rows = "".join(f'<tr><td class="fid">{esc(d.id)}</td><td>{esc(decision_text(d.decision, None, None))}</td>'
                   f'<td>{esc(d.note or "")}</td><td>{esc(d.reviewer or "")}</td></tr>' for d in report.orphaned_decisions)
    return (f'<details id="orphaned-decisions"><summary>未匹配的决定（{len(report.orphaned_decisions)}：本次没有对应的发现或分组，已保留）'
            f'</summary><table><tr><th>id</th><th>决定</th><th>审核备注</th><th>审核人</th></tr>{rows}</table></details>')


def _finding(f: Finding, root: str | None = None) -> str:
    sev = f.severity
    dec = f'<span class="badge dec-{esc(f.decision)}">{esc(DECISION_ZH[f.decision])} {esc(f.decision)}</span>' if f.decision else ""
    dec += _note(f.note, f.reviewer)
    meta = " · ".join(esc(x) for x in (f.year, FORM_TYPE_ZH.get(f.form_type, f.form_type), f.unit) if x)
    projects = ""
    if f.projects:
        lis = "".join(f"<li>{esc(p.project_name)}（{esc(p.unit)}，{esc(p.year)}，{esc(FORM_TYPE_ZH.get(p.form_type, p.form_type))}）"
                      f' <span class="where" title="{esc(p.file)}">{esc(short_path(p.file, root))}:{esc(p.line)}</span></li>' for p in f.projects)
        projects = f'<ul class="projects">{lis}</ul>'
    comparison = _comparison(f, root)
    ev_rows = "".join(f'<tr><td>{esc(e.label)}</td><td class="txt">{esc(e.text)}</td><td class="n">{esc(_value(e))}</td>'
                      f'<td>{_where(e, root)}</td></tr>' for e in f.evidence)
    evidence = (f'<details class="evidence"{"" if comparison else " open"}><summary>证据（{len(f.evidence)}）</summary>'
                f'<table class="ev"><tr><th>标签</th><th>文本</th><th>数值</th><th>位置</th></tr>{ev_rows}</table></details>')
    llm = ""
    if f.llm is not None:
        v = f.llm
        quotes = "".join(f" <q>{esc(q)}</q>" for q in v.evidence)
        unsupported = f' <span class="unsupported">{UNSUPPORTED}</span>' if v.supported is False else ""
        llm = (f'<p class="llm v-{esc(v.verdict)}">模型判断（{esc(v.model)}，{esc(v.prompt_version)}）：'
               f'<b>{esc(VERDICT_ZH.get(v.verdict, v.verdict))}</b> <code>{esc(v.verdict)}</code> — {esc(v.explanation)}{quotes}'
               f'{unsupported}</p>')
    return (f'<article class="finding sev-{esc(sev)} dec-{esc(f.decision or "none")}" id="f-{esc(f.id)}" data-code="{esc(f.code)}" '
            f'data-severity="{esc(sev)}" data-decision="{esc(f.decision or "none")}" '
            f'data-units="{esc(json.dumps(_units(f), ensure_ascii=False))}">'
            f'<div><span class="badge sev-{esc(sev)}">{esc(SEVERITY_ZH.get(sev, sev))} {esc(sev)}</span> '
            f'<code>{esc(f.code)}</code> <span class="cname">{esc(code_zh(f.code))}</span> {dec}<span class="fid">{esc(f.id)}</span></div>'
            f'<p class="msg">{esc(f.message)}</p>{llm}<div class="meta">{meta}</div>{projects}{comparison}{evidence}</article>')


def _summary(report: Report) -> str:
    s = report.summary
    per = Counter((f.code, f.severity) for f in report.flags)
    head = "".join(f"<th>{esc(SEVERITY_ZH[v])} {v}</th>" for v in SEVERITIES)
    rows = "".join(f'<tr data-code="{esc(code)}"><td><code>{esc(code)}</code></td><td>{esc(code_zh(code))}</td>'
                   + "".join(f'<td class="n">{per[(code, v)] or ""}</td>' for v in SEVERITIES)
                   + f'<td class="n">{n}</td></tr>' for code, n in s.by_code.items())
    total = "".join(f'<td class="n" id="n-{v}">{s.by_severity.get(v, 0)}</td>' for v in SEVERITIES)
    undecided = s.findings - sum(s.decisions.get(d, 0) for d in DECISION_ZH)
    decisions = "".join(f'<tr><td>{esc(DECISION_ZH[d])} {d}</td><td class="n" id="n-{d}">{s.decisions.get(d, 0)}</td></tr>'
                        for d in DECISION_ZH) + f'<tr><td>未处理</td><td class="n" id="n-undecided">{undecided}</td></tr>'
    return (f'<section id="summary"><p>共 <b id="n-forms">{s.forms}</b> 张表，<b id="n-findings">{s.findings}</b> 项发现'
            f'{"（设置：" + esc(s.settings) + "）" if s.settings else ""}。点击代码可只看该类发现。</p>'
            f'{"<p id=llm-usage>" + esc(llm_summary(report)) + "</p>" if s.llm else ""}<div class="summary">'
            f'<table id="by-code"><tr><th>代码</th><th>问题</th>{head}<th>合计</th></tr>{rows}'
            f'<tr><th colspan="2">合计</th>{total}<td class="n"><b>{s.findings}</b></td></tr></table>'
            f'<table id="decisions"><tr><th>决定</th><th>数量</th></tr>{decisions}</table></div></section>')


def _filters(report: Report) -> str:
    codes = "".join(f'<option value="{esc(c)}">{esc(c)} {esc(code_zh(c))}（{n}）</option>' for c, n in report.summary.by_code.items())
    units = sorted({u for f in report.flags for u in _units(f)})
    unit_opts = "".join(f'<option value="{esc(u)}">{esc(u)}</option>' for u in units)
    sevs = "".join(f'<label><input type="checkbox" name="sev" value="{v}" checked> {SEVERITY_ZH[v]} {v}</label>' for v in SEVERITIES)
    dec = "".join(f'<option value="{v}">{t}</option>' for v, t in (("none", "未处理"), ("accepted", "已采纳"), ("dismissed", "已排除")))
    return (f'<div id="filters"><select id="f-code" aria-label="代码"><option value="">全部代码</option>{codes}</select>{sevs}'
            f'<select id="f-unit" aria-label="实施单位"><option value="">全部单位</option>{unit_opts}</select>'
            f'<select id="f-decision" aria-label="决定"><option value="">全部决定</option>{dec}</select>'
            f'<input type="search" id="f-q" placeholder="搜索文字" aria-label="搜索"><button type="button" id="f-reset">重置</button>'
            f'<span id="count">显示 <b id="shown"></b> / <span id="total">{len(report.flags)}</span> 项</span></div>')


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _comments(report: Report, project_name: str | None, unit: str | None) -> str:
    """The project's drafted 审核意见 (one per year), above its findings."""
    out = []
    for c in comments_for(report, project_name, unit):
        shown = adopted(c)
        text = esc(c.comment) if shown else f'<span class="unadopted" title="{esc(c.note or "")}">{UNADOPTED}</span>'
        # No 依据 without findings to name: an unadopted draft rests on nothing.
        basis = f'，依据 {esc(", ".join(c.finding_ids))}' if shown and c.finding_ids else ""
        out.append(f'<div class="comment"><div class="who">审核意见（模型草拟，{esc(c.model)}，{esc(c.year or "-")}年{basis}）'
                   f'</div><div class="txt">{text}</div></div>')
    return "".join(out)


def _group(item: Item, root: str | None = None) -> str:
    g: FindingGroup = item.group
    dec = f'<span class="badge dec-{esc(g.decision)}">{esc(DECISION_ZH[g.decision])} {esc(g.decision)}</span>' if g.decision else ""
    dec += _note(g.note, g.reviewer)
    return (f'<div class="group hideable sev-{esc(g.severity)}" id="g-{esc(g.id)}"><div><span class="badge sev-{esc(g.severity)}">'
            f'{esc(SEVERITY_ZH.get(g.severity, g.severity))} {esc(g.severity)}</span> 归并 {len(item.members)} 项 {dec}'
            f'<span class="fid">{esc(g.id)} · 风险 {esc(f"{g.risk:g}")}</span></div><p class="msg">{esc(g.message)}</p>'
            f'<details><summary>逐项发现与证据（{len(item.members)}）</summary>{"".join(_finding(f, root) for f in item.members)}</details></div>')


def _item(item: Item, root: str | None = None) -> str:
    return _group(item, root) if item.group else _finding(item.lead, root)


def _warnings(warnings: list[ParseWarning], root: str | None) -> str:
    """A project's parse warnings, above its findings: a finding (or its absence) may rest on them."""
    if not warnings:
        return ""
    lis = "".join(f'<li>{_where(w, root)} {esc(form_type_zh(w.form_type))}：{esc(w.message)}</li>'
                  for w in warnings)
    return f'<div class="pw"><b>解析提示（{len(warnings)}）</b><ul>{lis}</ul></div>'


def _about(report: Report, root: str | None, loose: bool) -> str:
    """Where the paths start, and how many parse warnings the report carries."""
    parts = []
    if report.parse_warnings:
        parts.append(f'解析提示 <b id="n-parse-warnings">{len(report.parse_warnings)}</b> 条，列在所属项目下'
                     + ('，其余见<a href="#parse-warnings">解析提示</a>' if loose else "") + "。")
    if root:
        parts.append(f'文件路径相对于 <code id="root" title="{esc(root)}">{esc(root)}</code>（完整路径见悬停提示）。')
    return f'<p class="see">{"".join(parts)}</p>' if parts else ""


def _loose_warnings(warnings: list[ParseWarning], root: str | None) -> str:
    """Parse warnings about no form, or about a project without findings: one table after the projects."""
    if not warnings:
        return ""
    rows = "".join(f'<tr><td>{_where(w, root)}</td><td>{esc(w.project_name or "不属于任何表")}</td><td>{esc(w.unit or "")}</td>'
                   f'<td>{esc(w.year or "")}</td><td>{esc(form_type_zh(w.form_type))}</td><td>{esc(w.message)}</td></tr>'
                   for w in warnings)
    return (f'<section class="project" id="parse-warnings"><h2>解析提示<small>其他 {len(warnings)} 条：不属于任何表，或所属项目没有发现</small></h2>'
            f'<table class="ev"><tr><th>位置</th><th>项目</th><th>实施单位</th><th>年度</th><th>表类型</th><th>提示</th></tr>{rows}</table></section>')


def _section(report: Report, sec: Section, prefix: str = "p", root: str | None = None) -> str:
    p = sec.project
    anchor = f' id="{prefix}-{p.rank}"' if p.rank else ""
    risk = f"第 {p.rank} 位 · 风险 {p.risk:g}" + (f" · {money_text(p)} 万元" if p.money is not None else "") if p.rank else ""
    see = ""
    if sec.unit_groups:
        links = "、".join(f'<a href="#g-{esc(g.id)}">{esc(code_zh(g.code))}</a>' for g in sec.unit_groups)
        see = f'<p class="see">另见单位共性问题：{links}</p>'
    facts = " · ".join(x for x in (risk, section_facts(sec)) if x)
    return (f'<section class="project hideable"{anchor} data-risk="{esc(f"{p.risk:g}")}"><h2>{esc(project_title(p))}<small>{esc(facts)}</small></h2>'
            f'{_comments(report, p.project_name, p.unit)}{_warnings(sec.warnings, root)}{see}'
            f'{"".join(_item(it, root) for it in sec.items)}</section>')


def _ranking(lay) -> str:
    main = {sec.project.rank for sec in lay.sections}
    rows = "".join(f'<tr><td class="n">{p.rank}</td><td><a href="#{"p" if p.rank in main else "a"}-{p.rank}">{esc(p.project_name or "-")}</a></td>'
                   f'<td>{esc(p.unit or "-")}</td><td>{esc(p.year or "-")}</td><td class="n">{esc(f"{p.risk:g}")}</td>'
                   f'<td class="n">{esc(money_text(p))}</td><td class="n">{p.substantive}</td><td class="n">{len(p.findings)}</td>'
                   f'<td class="msg">{esc((p.top or "")[:90])}</td></tr>' for p in lay.projects)
    return ('<section id="ranking"><h2>项目风险排序</h2><p class="see">风险分 = 严重程度 × 实质/形式 × 涉及金额；'
            '同一问题只计一次。</p><table id="projects"><tr><th>排名</th><th>项目</th><th>实施单位</th><th>年度</th><th>风险</th>'
            f'<th>金额（万元）</th><th>实质性发现</th><th>发现</th><th>最主要的问题</th></tr>{rows}</table></section>')


def to_html(report: Report) -> str:
    lay = layout(report)
    root = common_folder(report)
    units = ""
    if lay.unit_groups:
        units = f'<section class="units hideable"><h2>单位共性问题</h2>{"".join(_group(it, root) for it in lay.unit_groups)}</section>'
    sections = "".join(_section(report, sec, root=root) for sec in lay.sections) + _loose_warnings(lay.warnings, root)
    appendix = ""
    if lay.appendix:
        n = sum(len(it.members) for sec in lay.appendix for it in sec.items)
        appendix = (f'<details class="appendix hideable" id="appendix"><summary>附录：低风险的形式问题（{n}）</summary>'
                    f'{"".join(_section(report, sec, "a", root) for sec in lay.appendix)}</details>')
    css = CSS + (LLM_CSS if has_llm(report) else "")
    # No network at all (default-src 'none'), and only this page's own script and style may run.
    csp = (f"default-src 'none'; script-src 'sha256-{_sha256(JS)}'; style-src 'sha256-{_sha256(css)}'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    return ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>jixiao 审核报告</title>'
            f'<style>{css}</style></head><body><header class="top"><h1>jixiao 审核报告</h1></header><main>'
            f'{_ranking(lay)}{_summary(report)}{_about(report, root, bool(lay.warnings))}{_filters(report)}'
            '<noscript><p>筛选需要启用 JavaScript；所有发现均已列出。</p></noscript>'
            f'{units}{sections}{appendix}{_orphans(report)}</main><script>{JS}</script></body></html>\n')
