"""`jixiao review --stream`: findings written one a line as they are produced, with a memory ceiling.

The form checks (catalogue scope "form": one form in, findings out) run form by form over the
store's cursor; each finding goes through the review's own per-finding steps (engine.passes: --only,
--min-severity, --unit/--year/--form-type; the dedup by id; engine.decide: its decision; locate: its
cell in an Office original) and is written and flushed at once. What the stream holds while it runs
does not grow with the forms: the ids seen (12 characters a finding), the money at stake per project
(one float a project) and the parse warnings of the reviewed forms. Findings are also spooled to a
temporary file for the worklist at the end, never kept in memory during the checks.

Then the corpus checks (copies between projects, boilerplate, misplaced rows, links along the years)
run over the forms read again from the store: they compare every form with every other, so they hold
a compact copy of every form (review/compact.py: 7.5 KiB a form instead of 58); their findings join
the same stream a batch at a time.

Last, the worklist (groups, project ranking) cannot stream: it reads the spooled findings back as
slotted records of what it reads (review/worklist_rows.py: 1.3 KiB a finding) and
is written as a separate summary file beside the findings, `X.summary.json` for `--out X.jsonl`:
the report's JSON without `flags` (summary with the ranked projects, groups, orphaned decisions,
parse warnings) and `findings_file`. The .jsonl keeps its contract, one finding a line with the keys
of today's .jsonl; the worklist's fields on a line are not known yet when it is written (`group` null,
`risk` 0: both are in the summary file), and a decision taken on a group reaches its members in the
summary's groups, not on the lines.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, TextIO

from pydantic import ValidationError

from jixiao.forms.models import Form, Issue
from jixiao.review.catalogue import CHECKS, Check, Context
from jixiao.review.decisions import Decision, apply_notes, as_book, orphaned, values as decision_values
from jixiao.review.engine import decide, default_embed, passes, selected, summarize
from jixiao.review.evidence import locate
from jixiao.review.models import SEVERITY_RANK, Finding, ParseWarning, Report
from jixiao.review.parse_warnings import _covers, _warning
from jixiao.review.settings import Settings
from jixiao.review.worklist import money_at_stake, organise
from jixiao.review.worklist_rows import worklist_finding


CORPUS_BATCH = 2_000  # corpus findings located and written at a time


def checks_of(scope: str, only: list[str] | None) -> list[Check]:
    """The registered checks of one scope that --only leaves running, in catalogue order."""
    return [c for c in CHECKS if c.scope == scope and (not only or any(selected(x, only) for x in c.codes))]


@dataclass
class Outcome:
    """What one form gives the stream: plain data, so a Ray worker can send it back."""

    findings: list[Finding] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # each finding's check, by its first code
    money: dict = field(default_factory=dict)
    unit: str | None = None
    year: int | None = None
    form_type: str | None = None
    file: str | None = None
    warnings: list[ParseWarning] = field(default_factory=list)  # its own, and its file's issues on its lines
    covered: list[tuple] = field(default_factory=list)  # those file issues, by (line, message)
    error: str | None = None  # the form could not be read or a check failed on it


def check_form(form: Form, checks: list[Check], settings: Settings,
               file_issues: Mapping[str, list[Issue]] | None = None) -> Outcome:
    """Run the form checks on one form; a failing check makes an error outcome, not a stopped stream."""
    done = Outcome(unit=form.unit, year=form.year, form_type=form.form_type.value, file=form.source.file)
    try:
        for check in checks:
            found = list(check.fn(form, settings))
            done.findings += found
            done.checks += [check.codes[0]] * len(found)
    except Exception as e:  # noqa: BLE001  (any check's bug on any document: reported, the others go on)
        return Outcome(file=form.source.file, error=f"{form.title} ({form.source.file}:{form.source.first_line}): "
                                                    f"a check failed: {type(e).__name__}: {e}")
    locate(done.findings, [form])
    done.money = money_at_stake([form])
    done.warnings = [_warning(w, form) for w in form.warnings if w.severity == "warning"]
    for issue in (file_issues or {}).get(form.source.file, []):
        if _covers(form, issue.line):
            done.warnings.append(_warning(issue, form))
            done.covered.append((issue.line, issue.message))
    return done


def check_rows(rows: Iterable[tuple[int, str]], checks: list[Check], settings: Settings,
               file_issues: Mapping[str, list[Issue]] | None = None) -> Iterator[Outcome]:
    """Outcomes of the store's (id, JSON) rows: a damaged row is reported and skipped."""
    for form_id, data in rows:
        try:
            form = Form.model_validate_json(data)
        except (ValidationError, ValueError) as e:
            yield Outcome(error=f"form {form_id} of the corpus cannot be read: {str(e).splitlines()[0]}")
            continue
        yield check_form(form, checks, settings, file_issues)


def issues_by_file(file_issues: list[Issue]) -> dict[str, list[Issue]]:
    out: dict[str, list[Issue]] = defaultdict(list)
    for i in file_issues:
        if i.severity == "warning":
            out[i.file].append(i)
    return out


class Stream:
    """The per-finding steps of engine.review, one finding at a time, and the summary at the end."""

    def __init__(self, sinks: list[TextIO], settings: Settings, only: list[str] | None = None,
                 min_severity: str = "low", decisions: Mapping[str, str | Decision] | None = None, focus=None,
                 file_issues: list[Issue] | None = None, on_error: Callable[[str], None] | None = None):
        self.sinks, self.settings, self.only, self.min_severity, self.focus = sinks, settings, only, min_severity, focus
        self.book = as_book(decisions)
        self.on_error = on_error or (lambda message: None)
        self.file_issues = issues_by_file(file_issues or [])
        self.seen: set[str] = set()
        self.produced: set[str] = set()  # before the filters, as engine.review counts them
        self.money: dict = {}
        self.forms = 0  # the forms reviewed (selected), as the report's summary counts them
        self.errors = 0
        self._forms_seen = 0  # every form, read or not: a finding's place in review's order
        self._place = {c.codes[0]: k for k, c in enumerate(CHECKS)}  # the catalogue's order, review's
        self.warnings: list[ParseWarning] = []
        self._files: list[str] = []  # files with a reviewed form, in reading order
        self._covered: set[tuple] = set()
        self._spool = tempfile.TemporaryFile("w+", encoding="utf-8")

    def take(self, findings: Iterable[Finding], checks: Iterable[str]) -> None:
        """Findings of one form (or one corpus check), with the check of each (by its first code)."""
        for f, code in zip(findings, checks):
            check = self._place[code]
            self.produced.add(f.id)
            if not passes(f, self.only, self.min_severity, self.focus) or f.id in self.seen:
                continue
            self.seen.add(f.id)
            decide(f, self.book)
            d = self.book.get(f.id)
            if d is not None:
                f.note, f.reviewer = d.note, d.reviewer
            line = f.model_dump_json() + "\n"
            for sink in self.sinks:
                sink.write(line)
                sink.flush()  # a reader of the file sees each finding as soon as it exists
            self._spool.write(f"{check}\t{self._forms_seen}\t{line}")

    def add(self, outcome: Outcome) -> None:
        """One form's outcome: its findings into the stream, its money and warnings into the summary."""
        self._forms_seen += 1
        if outcome.error is not None:
            self.errors += 1
            self.on_error(outcome.error)
            return
        self.take(outcome.findings, outcome.checks)
        for key, amount in outcome.money.items():
            self.money[key] = max(self.money.get(key, 0.0), amount)
        if self.focus is None or self.focus._matches(outcome.unit, outcome.year, outcome.form_type):
            self.forms += 1
            self.warnings += outcome.warnings
            self._covered.update((outcome.file, *k) for k in outcome.covered)
            if outcome.file not in self._files:
                self._files.append(outcome.file)

    def corpus(self, forms: list, embed=None, relocate: Callable[[list[Finding]], None] | None = None) -> None:
        """The corpus checks over every form (what they still hold), into the same stream. `relocate`:
        finds the evidence's cells when the forms are compact ones without them (review/compact.py)."""
        ctx = Context(embed=embed or default_embed)
        for check in checks_of("corpus", self.only):
            # A batch at a time, not a check's whole list: link.target_changed alone gives 400,000
            # findings on 100,000 generated forms, 3.5 GB held at once as validated Findings.
            found = iter(check.fn(forms, self.settings, ctx))  # a list from a check would restart islice
            while batch := list(itertools.islice(found, CORPUS_BATCH)):
                locate(batch, forms)
                if relocate is not None:
                    relocate(batch)
                self.take(batch, [check.codes[0]] * len(batch))

    def finish(self) -> Report:
        """The worklist over the spooled findings: the report without streaming's limits, for the summary."""
        self._spool.seek(0)
        # Back in engine.review's order (check by check, form by form within one): the worklist breaks
        # its ties by order, so the groups and the ranking come out the same as review's.
        rows, refs = [], {}
        for k, line in enumerate(self._spool):
            check, form, data = line.split("\t", 2)
            rows.append((int(check), int(form), k, worklist_finding(data, refs)))
        self._spool.close()
        rows.sort(key=lambda r: r[:3])
        findings = [r[3] for r in rows]
        del rows
        groups, projects = organise(findings, [], self.settings, decision_values(self.book), money=self.money)
        apply_notes(findings, groups, self.book)
        lost = orphaned(self.book, findings, groups)
        findings.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.project_name or "", f.code))
        for file in self._files:  # file issues on no reviewed form's lines, as parse_warnings.gather keeps them
            self.warnings += [_warning(i, None) for i in self.file_issues.get(file, [])
                              if (file, i.line, i.message) not in self._covered]
        order = {name: k for k, name in enumerate(self._files)}
        self.warnings.sort(key=lambda w: (order.get(w.file, len(order)), w.line or 0))
        summary = summarize(findings, forms=self.forms, settings=self.settings.source, projects=projects,
                            groups=len(groups), orphaned_decisions=len(lost),
                            decisions_outside_selection=sum(1 for d in lost if d.id in self.produced))
        # Not validated: the flags are worklist records (review/worklist_rows.py), for the counts on the
        # terminal; the findings themselves are in the lines already written, and the summary file
        # leaves the flags out.
        return Report.model_construct(summary=summary, flags=findings, groups=groups, orphaned_decisions=lost,
                                      parse_warnings=self.warnings, comments={})


def summary_path(out_file: Path) -> Path:
    """Where the worklist of `--stream --out X.jsonl` goes: X.summary.json beside it."""
    return out_file.with_name(out_file.stem + ".summary.json")


def write_summary(report: Report, path: Path, findings_file: Path | None) -> None:
    """The report's JSON without `flags`, written an item at a time: at 10,000 generated forms the
    ranked projects alone are 89 MB as one string (and again as a dict, and again indented)."""
    summary = report.summary.model_copy(update={"projects": []})
    head = {"findings_file": str(findings_file) if findings_file else None,
            **json.loads(report.model_copy(update={"summary": summary, "groups": []}).model_dump_json(exclude={"flags"}))}
    long = {"summary": (head["summary"], {"projects": report.summary.projects}), "groups": report.groups}
    with path.open("w", encoding="utf-8") as out:
        _write_object(out, head, long)


def _write_object(out: TextIO, head: dict, long: dict, depth: int = 1) -> None:
    """`head` as json.dumps(indent=2) writes it, but for its keys in `long`: a list of models written a
    model at a time, or (head, long) of an object inside written the same way."""
    pad = "  " * depth

    def dumped(value) -> str:
        return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + pad)

    for k, (key, value) in enumerate(head.items()):
        out.write(("{\n" if k == 0 else ",\n") + pad + json.dumps(key) + ": ")
        items = long.get(key)
        if isinstance(items, tuple):
            _write_object(out, *items, depth + 1)
        elif items:
            for n, item in enumerate(items):
                out.write(("[\n" if n == 0 else ",\n") + pad + "  "
                          + dumped(json.loads(item.model_dump_json())).replace("\n", "\n  "))
            out.write("\n" + pad + "]")
        else:
            out.write(dumped(value))
    out.write("\n" + "  " * (depth - 1) + "}")


def stream_forms(stream: Stream, forms: Iterable[Form], settings: Settings, only: list[str] | None,
                 file_issues: Mapping[str, list[Issue]] | None = None) -> None:
    """The form checks over forms already read (files given directly), one form at a time."""
    checks = checks_of("form", only)
    for form in forms:
        stream.add(check_form(form, checks, settings, file_issues))


def stream_store(stream: Stream, store, settings: Settings, only: list[str] | None) -> None:
    """The form checks over the store's cursor: one form in memory at a time."""
    for outcome in check_rows(store.form_rows(), checks_of("form", only), settings, stream.file_issues):
        stream.add(outcome)
