"""What the workbench does, apart from HTTP: search, a project's forms side by side, the review queue
and reviewers' decisions. app.py turns these into pages and JSON; both use the same functions.

The review runs once in a background thread when the server starts (with the corpus's embedding
cache, as `jixiao review --db` does), is kept in memory, and runs again when the corpus version
changes (a re-ingest) or on request. Decisions are written to the corpus (table `decisions`) in one
transaction and applied to the kept review at once, so nothing needs re-running after a decision.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from jixiao.forms.models import FORM_TYPE_ZH, Form
from jixiao.index import search as search_mod
from jixiao.index.store import Store
from jixiao.review.engine import selected, summarize
from jixiao.review.models import SEVERITY_RANK, Finding, Report
from jixiao.review.decisions import normalise
from jixiao.review.worklist import apply_group_decisions

FORM_ORDER = {"declaration": 0, "tracking": 1, "self_evaluation": 2}
FORM_ZH = {t.value: zh for t, zh in FORM_TYPE_ZH.items()}
DECISIONS = ("accepted", "dismissed")
PAGE = 25


class BadRequest(Exception):
    """Bad input from a client: answered with `status` and the message, never a 500."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _clean(text: object) -> str:
    return " ".join(str(text or "").split())


def one_thread_per_request() -> None:
    """A server answers requests in many threads at once; each one's FAISS search and embedding
    should then use one core. With the libraries' default (OpenMP / OpenBLAS teams per calling
    thread), 8 concurrent searches on 2 cores spent their time in spinning thread teams: measured on
    100,805 vectors, p50 2.2 s → 0.11 s (bench/RESULTS.md, issue 13)."""
    import faiss

    faiss.omp_set_num_threads(1)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # only a dependency of a dependency; FAISS's setting is the one that matters most
        pass


class Workbench:
    def __init__(self, db: Path, model: str | None = None, review_on_start: bool = True):
        self.db = Path(db)
        self.model = model
        self._local = threading.local()
        self._lock = threading.RLock()
        self.report: Report | None = None
        self.groups: dict = {}  # the kept review's groups by id
        self.report_version: int | None = None
        self.state = "idle"  # idle, running, ready, failed
        self.error: str | None = None
        self.review_seconds: float | None = None
        self._thread: threading.Thread | None = None
        with Store(self.db) as s:  # fails early, with the command's message, on a missing corpus
            self.corpus_version = s.corpus_version
        if review_on_start:
            self.start_review()

    # --- the corpus, one connection per thread -----------------------------------------------

    def store(self) -> Store:
        s = getattr(self._local, "store", None)
        if s is None:
            s = self._local.store = Store(self.db)
        return s

    # --- the review ---------------------------------------------------------------------------

    def start_review(self) -> bool:
        """Run the review in the background unless it is running; False when it already was."""
        with self._lock:
            if self.state == "running":
                return False
            self.state = "running"
            self.error = None
            self._thread = threading.Thread(target=self._run_review, name="jixiao-review", daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> None:
        t = self._thread
        if t is not None:
            t.join(timeout)

    def _run_review(self) -> None:
        from jixiao.index.build import corpus_model
        from jixiao.index.embed import load_embedder
        from jixiao.index.vectors import embed_cached
        from jixiao.review.engine import review
        from jixiao.review.parse_warnings import gather as gather_warnings

        t0 = time.perf_counter()
        try:
            with Store(self.db) as store:
                version = store.corpus_version
                forms = list(store.forms())
                embedder = load_embedder(corpus_model(store, self.model))
                lock = threading.Lock()

                def embed(texts):
                    with lock:
                        return embed_cached(store, embedder, texts)[0]

                report = review(forms, decisions=None, embed=embed) if forms else None
                if report is not None:  # what `jixiao review --db` reports beside the findings
                    report.parse_warnings = gather_warnings(forms, store.file_issues())
                decisions = store.decisions()
            by_project: dict[tuple, list[Finding]] = {}
            if report is not None:
                _apply(report, decisions)
                for f in report.flags:
                    keys = {(f.project_name, f.unit)} | {(p.project_name, p.unit) for p in f.projects}
                    for k in keys:
                        by_project.setdefault(k, []).append(f)
                for fs in by_project.values():
                    fs.sort(key=lambda f: -f.risk)
            with self._lock:
                self.report, self.report_version, self._by_project = report, version, by_project
                self.groups = {g.id: g for g in report.groups} if report is not None else {}
                self.review_seconds = time.perf_counter() - t0
                self.state = "ready"
        except Exception as e:  # shown on the pages and in /api/status; the server keeps serving search
            with self._lock:
                self.state, self.error = "failed", f"{type(e).__name__}: {e}"

    def status(self) -> dict:
        version = self.store().corpus_version
        if self.state == "ready" and self.report_version != version:
            self.start_review()  # the corpus changed (re-ingest): review again, keep serving the old one meanwhile
        return {"state": self.state, "error": self.error, "corpus_version": version,
                "reviewed_version": self.report_version, "stale": self.report_version not in (None, version),
                "seconds": self.review_seconds,
                "findings": len(self.report.flags) if self.report else 0,
                "projects": len(self.report.summary.projects) if self.report else 0}

    # --- decisions ----------------------------------------------------------------------------

    def decide(self, rows: list[dict]) -> list[dict]:
        if not rows:
            raise BadRequest("no decision given: send {\"id\": …, \"decision\": \"accepted\"|\"dismissed\"}")
        clean = []
        report = self.report
        known = None
        if report is not None:
            known = {f.id for f in report.flags} | {g.id for g in report.groups}
        for r in rows:
            if not isinstance(r, dict):
                raise BadRequest("each decision is an object {id, decision, note, reviewer}")
            fid = r.get("id")
            if not isinstance(fid, str) or not fid.strip():
                raise BadRequest("a decision needs the id of a finding or a group")
            decision = r.get("decision")
            try:  # 采纳/排除 (and 已采纳, 确认, 已排除, 不采纳) as well as accepted/dismissed
                decision = normalise(decision) if isinstance(decision, str) and decision.strip() else decision
            except ValueError:
                pass  # refused just below, with the API's own message
            if decision not in DECISIONS and decision is not None:
                raise BadRequest(f"decision must be 'accepted' or 'dismissed' (or null to withdraw it), got {decision!r}")
            if known is not None and fid not in known:
                raise BadRequest(f"no finding or group with id {fid!r} in the review", 404)
            note, reviewer = r.get("note"), r.get("reviewer")
            for name, v in (("note", note), ("reviewer", reviewer)):
                if v is not None and not isinstance(v, str):
                    raise BadRequest(f"{name} must be text")
                if v is not None and len(v) > 4000:
                    raise BadRequest(f"{name} is too long (4000 characters at most)")
            clean.append({"id": fid.strip(), "decision": decision, "note": (note or "").strip() or None,
                          "reviewer": (reviewer or "").strip() or None})
        self.store().put_decisions(clean)  # one transaction
        rows_now = self.store().decision_rows()
        with self._lock:
            if self.report is not None:
                _apply(self.report, {k: v["decision"] for k, v in rows_now.items()})
        return [rows_now.get(r["id"], {"id": r["id"], "decision": None}) for r in clean]

    def decision_rows(self) -> dict[str, dict]:
        return self.store().decision_rows()

    # --- search -------------------------------------------------------------------------------

    def search(self, q: str, kind: str = "indicator", n: int = 10, year: int | None = None,
               form_type: str | None = None, department: str | None = None, unit: str | None = None):
        from jixiao.index.embed import EmbeddingError
        from jixiao.index.faiss_index import IndexError_

        if not (q or "").strip():
            raise BadRequest("empty query: type the text to look for")
        if kind not in ("indicator", "goal", "project"):
            raise BadRequest(f"kind must be indicator, goal or project, got {kind!r}")
        if form_type and form_type not in FORM_ORDER:
            raise BadRequest(f"form type must be one of {', '.join(FORM_ORDER)}, got {form_type!r}")
        if not 1 <= n <= 200:
            raise BadRequest("n must be between 1 and 200")
        filters = search_mod.Filters(year=year, form_type=form_type or None, department=department or None, unit=unit or None)
        try:
            return search_mod.search(self.store(), self.db, q, kind, n, filters, self.model)
        except search_mod.SearchError as e:
            raise BadRequest(str(e)) from None
        except (IndexError_, EmbeddingError) as e:
            raise BadRequest(str(e), 409) from None

    def facets(self) -> dict:
        store = self.store()
        key = store.corpus_version
        cached = getattr(self, "_facets", None)
        if cached and cached[0] == key:
            return cached[1]
        c = store.conn
        col = lambda name: [r[0] for r in c.execute(  # noqa: E731
            f"SELECT DISTINCT {name} FROM forms WHERE {name} IS NOT NULL ORDER BY {name} LIMIT 500")]
        value = {"years": col("year"), "departments": col("department"), "units": col("unit")}
        self._facets = (key, value)
        return value

    # --- a project ----------------------------------------------------------------------------

    def project(self, name: str, unit: str | None, similar_n: int = 5, dump: bool = True,
                evidence: int | None = None) -> dict:
        """The project's forms side by side, its findings and similar projects; `dump=False` keeps the
        findings as objects for the page (a finding about a copied table can carry thousands of
        evidence rows: serialising them all only to show the first few cost most of the page's time)."""
        name = (name or "").strip()
        if not name:
            raise BadRequest("no project named: give ?name=项目名称 (and &unit=实施单位)")
        store = self.store()
        if unit:
            rows = store.conn.execute("SELECT f.data, fl.path FROM forms f JOIN files fl ON fl.id = f.file_id "
                                      "WHERE f.project_name = ? AND f.unit = ?", (name, unit)).fetchall()
        else:
            rows = store.conn.execute("SELECT f.data, fl.path FROM forms f JOIN files fl ON fl.id = f.file_id "
                                      "WHERE f.project_name = ?", (name,)).fetchall()
        if not rows:
            raise BadRequest(f"no project named {name!r}" + (f" of {unit!r}" if unit else "") + " in the corpus", 404)
        forms = [Form.model_validate_json(d) for d, _ in rows]
        units = sorted({f.unit or "" for f in forms})
        if not unit and len(units) > 1:
            raise BadRequest(f"{name!r} is the name of projects of several units ({'、'.join(units)}): give &unit=", 400)
        unit = forms[0].unit
        forms.sort(key=lambda f: (f.year or 0, FORM_ORDER.get(f.form_type.value, 9), f.source.first_line))
        columns = [{"form_type": f.form_type.value, "form_zh": FORM_ZH.get(f.form_type.value, f.form_type.value),
                    "year": f.year, "file": f.source.file, "line": f.source.first_line,
                    "period": f"{f.period_start or ''}–{f.period_end or ''}" if f.period_start else None,
                    "total_score": f.total_score, "grade": f.grade,
                    "execution_rate": f.funds.execution_rate if f.funds else None} for f in forms]
        findings = self.findings_of(name, unit)
        # The cells a finding's evidence points at, among this project's own lines only (a finding
        # about a unit's recurring failing can carry thousands of other forms' rows).
        own_lines = {(f.source.file, ln) for f in forms
                     for ln in [f.goal.expected_line, f.goal.actual_line, *(i.line for i in f.indicators)] if ln}
        marks: dict[tuple[str, int], list[str]] = {}
        for f in findings:
            for e in f.evidence:
                key = (e.file, e.line)
                if key in own_lines:
                    ids = marks.setdefault(key, [])
                    if f.id not in ids:
                        ids.append(f.id)
        goals = []
        for role, label in (("overall", "项目总目标"), ("annual", "年度总体目标"), ("expected", "预期目标"), ("actual", "实际完成情况")):
            cells, prev = [], None
            for f in forms:
                text = getattr(f.goal, role)
                line = getattr(f.goal, f"{role}_line", None) if role in ("expected", "actual") else None
                changed = bool(text) and prev is not None and _clean(text) != _clean(prev)
                cells.append({"text": text, "changed": changed, "line": line,
                              "flags": marks.get((f.source.file, line), []) if line else []})
                if text:
                    prev = text
            if any(c["text"] for c in cells):
                goals.append({"role": role, "label": label, "cells": cells})
        order: list[str] = []
        by_name: dict[str, list] = {}
        for i, f in enumerate(forms):
            for ind in f.indicators:
                key = ind.name or f"{ind.level2}（无名称）"
                if key not in by_name:
                    by_name[key] = [None] * len(forms)
                    order.append(key)
                if by_name[key][i] is None:
                    by_name[key][i] = ind
        indicators = []
        for key in order:
            cells, prev = [], None
            first = next(ind for ind in by_name[key] if ind is not None)
            for i, ind in enumerate(by_name[key]):
                if ind is None:
                    cells.append(None)
                    continue
                target = ind.target.raw if ind.target else None
                changed = prev is not None and _clean(target) != _clean(prev)
                cells.append({"target": target, "plan": ind.plan.raw if ind.plan else None,
                              "actual": ind.actual.raw if ind.actual else None, "weight": ind.weight,
                              "score": ind.score, "deviation": ind.deviation, "line": ind.line,
                              "changed": changed, "flags": marks.get((forms[i].source.file, ind.line), [])})
                prev = target
            indicators.append({"name": key, "level1": first.level1, "level2": first.level2, "cells": cells,
                               "absent": any(c is None for c in cells)})
        similar, similar_error = [], None
        try:
            similar = [h.model_dump() for h in self.similar(name, unit, similar_n)]
        except Exception as e:  # a missing index must not take the project page down
            similar_error = str(e)
        return {"project_name": name, "unit": unit, "department": forms[0].department,
                "forms": columns, "goals": goals, "indicators": indicators,
                "findings": [_dump(f, evidence) for f in findings] if dump else findings, "review": self.state,
                "similar": similar, "similar_error": similar_error}

    def similar(self, name: str, unit: str | None, n: int = 5) -> list:
        """`jixiao similar` for the project of this name *and* unit (a name several units use is
        otherwise ambiguous)."""
        return search_mod.similar(self.store(), self.db, name, n, self.model, unit=unit)[1]

    def findings_of(self, name: str, unit: str | None) -> list[Finding]:
        return list(getattr(self, "_by_project", {}).get((name, unit), []))

    # --- the queue ----------------------------------------------------------------------------

    def queue(self, unit: str | None = None, code: str | None = None, severity: str | None = None,
              decision: str | None = None, page: int = 1, size: int = PAGE, dump: bool = True) -> dict:
        if severity and severity not in SEVERITY_RANK:
            raise BadRequest(f"severity must be high, medium or low, got {severity!r}")
        if decision and decision not in (*DECISIONS, "undecided"):
            raise BadRequest(f"decision must be accepted, dismissed or undecided, got {decision!r}")
        if page < 1:
            raise BadRequest("page starts at 1")
        report = self.report
        status = self.status()
        if report is None:
            return {"status": status, "projects": [], "total": 0, "page": page, "pages": 0, "groups": {}}
        selected = self._filtered(report, unit, code, severity, decision)
        by_id = {f.id: f for f in selected}
        projects = []
        for p in report.summary.projects:
            ids = [i for i in p.findings if i in by_id]
            if ids:
                projects.append((p, ids))
        pages = max(1, -(-len(projects) // size))
        chunk = projects[(page - 1) * size: page * size]
        groups = self.groups
        out = []
        for p, ids in chunk:
            fs = [by_id[i] for i in ids]
            gids = list(dict.fromkeys(f.group for f in fs if f.group))
            gs = [groups[g] for g in gids if g in groups]
            out.append({**p.model_dump(), "findings": [f.model_dump() for f in fs] if dump else fs,
                        "groups": [g.model_dump() for g in gs] if dump else gs})
        return {"status": status, "projects": out, "total": len(projects), "findings": len(selected),
                "page": page, "pages": pages,
                "codes": sorted(report.summary.by_code), "units": sorted({f.unit for f in report.flags if f.unit})[:1000]}

    @staticmethod
    def _filtered(report: Report, unit, code, severity, decision) -> list[Finding]:

        out = []
        for f in report.flags:
            if unit and f.unit != unit and not any(p.unit == unit for p in f.projects):
                continue
            if code and not selected(f.code, [code]):
                continue
            if severity and SEVERITY_RANK[f.severity] < SEVERITY_RANK[severity]:
                continue
            if decision and (f.decision or "undecided") != decision:
                continue
            out.append(f)
        return out

    def export(self, unit=None, code=None, severity=None, decision=None) -> Report:
        """The queue as it is filtered, as a Report the existing writers take."""
        report = self.report
        if report is None:
            raise BadRequest("the review is still running: try again in a moment", 503)
        flags = self._filtered(report, unit, code, severity, decision)
        ids = {f.id for f in flags}
        groups = [g for g in report.groups if any(m in ids for m in g.members)]
        projects = [p.model_copy(update={"findings": [i for i in p.findings if i in ids]})
                    for p in report.summary.projects if any(i in ids for i in p.findings)]
        s = report.summary
        summary = summarize(flags, forms=s.forms, settings=s.settings, llm=s.llm, projects=projects, groups=len(groups))
        # A unit's export keeps that unit's forms' warnings; a warning about no form (a file's) only the
        # whole export, as the unit of a file's other lines is not known.
        warnings = [w for w in report.parse_warnings if unit is None or w.unit == unit]
        return Report(summary=summary, flags=flags, groups=groups, parse_warnings=warnings,
                      comments={k: c for k, c in report.comments.items() if set(c.finding_ids) & ids})


def _dump(f: Finding, evidence: int | None) -> dict:
    """A finding as JSON; with `evidence`, at most that many evidence rows (and project references),
    with `evidence_total` and `projects_total` saying how many there are."""
    if evidence is None or (len(f.evidence) <= evidence and len(f.projects) <= evidence):
        return f.model_dump()
    d = f.model_copy(update={"evidence": f.evidence[:evidence], "projects": f.projects[:evidence]}).model_dump()
    d["evidence_total"], d["projects_total"] = len(f.evidence), len(f.projects)
    return d


def _apply(report: Report, decisions: dict[str, str]) -> None:
    """Decisions onto a kept review, as `review(decisions=…)` would have set them."""
    for f in report.flags:
        f.decision = decisions.get(f.id)
    for g in report.groups:
        g.decision = None
    apply_group_decisions(report.flags, report.groups, decisions)
    report.summary.decisions = dict(Counter(f.decision for f in report.flags if f.decision))
