"""Reviewers' decisions on findings and groups: read from any file a reviewer hands back, kept, never lost.

A decision is keyed by the stable id of a finding or a group (review/models.py), so it survives
re-runs. It may come from a JSON file ({id: "采纳"} or {id: {decision, note, reviewer}}), an earlier
.json report, a .xlsx report whose 决定/审核备注 columns the reviewer filled in, a .csv report, or the
corpus (table `decisions`, written by `jixiao serve` and by `jixiao review --db --decisions FILE`).
A decision whose finding does not appear in a run (fixed since, another threshold, `--only`) is not
dropped: the report carries it as orphaned, so writing the report back over its decisions file loses
nothing, and the next run that finds the finding applies it again.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Literal, Mapping

from pydantic import BaseModel

from jixiao.forms.safe_text import csv_unsafe

if TYPE_CHECKING:  # models.py imports Decision from here
    from jixiao.review.models import Finding, FindingGroup

DecisionValue = Literal["accepted", "dismissed"]
# What a reviewer may type in 决定. The dropdown of the workbook offers the first Chinese word of each.
ACCEPTED_WORDS = ("采纳", "已采纳", "确认", "accepted")
DISMISSED_WORDS = ("排除", "已排除", "不采纳", "dismissed")
DECISION_ZH = {"accepted": "采纳", "dismissed": "排除"}
_WORDS = {w: "accepted" for w in ACCEPTED_WORDS} | {w: "dismissed" for w in DISMISSED_WORDS}
ALLOWED_TEXT = "采纳/已采纳/确认 或 排除/已排除/不采纳（也可填 accepted/dismissed）"

# Headers of the id, decision, note and reviewer columns in .xlsx and .csv reports, Chinese first.
ID_HEADERS = ("id", "编号", "发现编号")
DECISION_HEADERS = ("决定", "decision")
NOTE_HEADERS = ("审核备注", "note")
REVIEWER_HEADERS = ("审核人", "reviewer")
DECIDED_AT_HEADERS = ("决定时间", "decided_at")


class Decision(BaseModel):
    """One reviewer's decision on one finding or group. `decision` is None for a note written
    before deciding (kept like a decision, so the note is not lost either)."""

    id: str
    decision: DecisionValue | None = None
    note: str | None = None
    reviewer: str | None = None
    decided_at: str | None = None
    source: str | None = None  # where it was read: a file's path, or "corpus"


def normalise(value: object) -> DecisionValue | None:
    """采纳/已采纳/确认 → accepted, 排除/已排除/不采纳 → dismissed, the English words in any case;
    empty → None (undecided). Anything else raises ValueError (the caller names where it stood)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    hit = _WORDS.get(text) or _WORDS.get(text.lower())
    if hit is None:
        raise ValueError(f"决定 must be {ALLOWED_TEXT}, got {text!r}")
    return hit  # type: ignore[return-value]


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _entry(fid: object, decision: object, note: object, reviewer: object, where: str, source: str,
           decided_at: object = None) -> Decision | None:
    """One row of a file as a Decision, or None when it holds neither a decision nor a note."""
    fid = _text(fid)
    try:
        value = normalise(decision)
    except ValueError as e:
        raise ValueError(f"{where}: {e}") from None
    note = _text(note)
    if value is None and note is None:
        return None
    if fid is None:
        raise ValueError(f"{where}: a decision without an id")
    return Decision(id=fid, decision=value, note=note, reviewer=_text(reviewer), decided_at=_text(decided_at),
                    source=source)


# --- reading files ------------------------------------------------------------------------------

def read_file(path: str | Path) -> dict[str, Decision]:
    """Every decision (and note) in a file, by id. Raises ValueError naming the file and the row."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from jixiao.review.report_xlsx import read_decision_rows  # openpyxl is only needed for this path

        return _by_id(read_decision_rows(p))
    if suffix == ".csv":
        return _by_id(_read_csv(p))
    try:
        text = p.read_text(encoding="utf-8-sig")
        # A .jsonl report is one finding a line.
        data = [json.loads(x) for x in text.splitlines() if x.strip()] if suffix == ".jsonl" else json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{p}: not a decisions file (JSON, or a .json, .xlsx or .csv report): {e}") from None
    return _by_id(_read_json(data, p))


def _by_id(rows: Iterable[Decision]) -> dict[str, Decision]:
    out: dict[str, Decision] = {}
    for d in rows:  # later rows win: a finding's own decision is read after its group's
        out[d.id] = merge(out.get(d.id), d)
    return out


def _objects(items: list, p: Path, where, shape: str) -> list[Decision]:
    """Decisions from a list of {id, decision, note, reviewer, decided_at} objects; `where(n)` names item n."""
    rows = []
    for n, it in enumerate(items):
        if not isinstance(it, dict):
            raise ValueError(f"{p}: {where(n)} must be {shape}")
        d = _entry(it.get("id"), it.get("decision"), it.get("note"), it.get("reviewer"),
                   f"{p}: {where(n)} (id {it.get('id')!r})", str(p), it.get("decided_at"))
        if d:
            rows.append(d)
    return rows


def _read_json(data: Any, p: Path) -> list[Decision]:
    src = str(p)
    if isinstance(data, dict) and "flags" in data:  # a report: groups first, so a member's own decision wins
        rows: list[Decision] = []
        for part in ("groups", "orphaned_decisions", "flags"):
            items = data.get(part) or []
            if not isinstance(items, list):
                raise ValueError(f"{p}: {part} must be a list")
            rows += _objects(items, p, lambda n: f"{part}[{n}]", "an object")
        return rows
    if isinstance(data, dict) and isinstance(data.get("decisions"), list):  # GET /api/decisions
        data = data["decisions"]
    if isinstance(data, list):
        return _objects(data, p, lambda n: f"item {n}", "an object {id, decision, note, reviewer}")
    if not isinstance(data, dict):
        raise ValueError(f"{p}: decisions must be a JSON object {{id: decision}}, a list or a report")
    rows = []
    for fid, v in data.items():
        where = f"{p}: id {fid!r}"
        d = (_entry(fid, v.get("decision"), v.get("note"), v.get("reviewer"), where, src, v.get("decided_at"))
             if isinstance(v, dict) else _entry(fid, v, None, None, where, src))
        if d:
            rows.append(d)
    return rows


def find_columns(header: list[str]) -> dict[str, int] | None:
    """Where id, decision, note, reviewer and decided_at stand in a header row (None: not a decisions table)."""
    cols = {}
    for key, names in (("id", ID_HEADERS), ("decision", DECISION_HEADERS), ("note", NOTE_HEADERS),
                       ("reviewer", REVIEWER_HEADERS), ("decided_at", DECIDED_AT_HEADERS)):
        at = next((header.index(h) for h in names if h in header), None)
        if at is not None:
            cols[key] = at
    return cols if "id" in cols and "decision" in cols else None


def rows_of_table(rows: Iterable[tuple], where: str, source: str, first_row: int = 2) -> list[Decision] | None:
    """The decisions of one table (its first row the header), or None when it has no id and 决定 columns."""
    rows = iter(rows)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    cols = find_columns(header)
    if cols is None:
        return None

    def cell(row: tuple, key: str) -> object:
        at = cols.get(key)
        return row[at] if at is not None and at < len(row) else None

    out = []
    for n, row in enumerate(rows, first_row):
        d = _entry(cell(row, "id"), cell(row, "decision"), cell(row, "note"), cell(row, "reviewer"),
                   f"{where} row {n}", source, cell(row, "decided_at"))
        if d:
            out.append(d)
    return out


def _read_csv(p: Path) -> list[Decision]:
    with p.open(encoding="utf-8-sig", newline="") as fh:
        # A cell the report guarded against formulas ('=…) reads back as the reviewer wrote it.
        rows = rows_of_table((tuple(csv_unsafe(c) for c in r) for r in csv.reader(fh)), str(p), str(p))
    if rows is None:
        raise ValueError(f"{p}: no 'id' and '决定' columns")
    return rows


# --- combining ----------------------------------------------------------------------------------

def merge(base: Decision | None, new: Decision) -> Decision:
    """`new` over `base` for one id: its decision where it has one, its note where it has one; a
    reviewer's name goes with the decision it signed."""
    if base is None:
        return new
    decision = new.decision or base.decision
    same = decision == base.decision
    return Decision(id=new.id, decision=decision, note=new.note if new.note is not None else base.note,
                    reviewer=new.reviewer or (base.reviewer if same else None),
                    decided_at=base.decided_at if same and new.decided_at is None else new.decided_at,
                    source=new.source or base.source)


def signed(book: Mapping[str, Decision], reviewer: str | None) -> dict[str, Decision]:
    """Decisions imported in this run, with the run's reviewer (--reviewer, JIXIAO_REVIEWER) where a row names none."""
    if not reviewer:
        return dict(book)
    return {k: d if d.reviewer else d.model_copy(update={"reviewer": reviewer}) for k, d in book.items()}


def from_store_rows(rows: Mapping[str, dict]) -> dict[str, Decision]:
    return {k: Decision(**{f: r.get(f) for f in ("id", "decision", "note", "reviewer", "decided_at")}, source="corpus")
            for k, r in rows.items()}


def import_into(stored: Mapping[str, Decision], imported: Mapping[str, Decision]) -> tuple[dict[str, Decision], list[dict]]:
    """The corpus's decisions with a file's over them (the file wins where both decide), and the rows
    to write to the corpus: those the file changed. A note without a decision and without a
    decision in the corpus cannot be stored there (the table holds decisions); it stays in the file."""
    book = dict(stored)
    rows = []
    for fid, d in imported.items():
        old = stored.get(fid)
        new = merge(old, d)
        book[fid] = new
        if new.decision is None:
            continue
        if old is None or (old.decision, old.note, old.reviewer) != (new.decision, new.note, new.reviewer):
            rows.append({"id": fid, "decision": new.decision, "note": new.note, "reviewer": new.reviewer})
    return book, rows


def as_book(decisions: Mapping[str, str | Decision | None] | None) -> dict[str, Decision]:
    """Decisions as {id: Decision}, from the plain {id: "accepted"} that older callers pass too."""
    out: dict[str, Decision] = {}
    for k, v in (decisions or {}).items():
        if isinstance(v, Decision):
            out[k] = v
        elif v is not None:
            out[k] = Decision(id=k, decision=normalise(v))
    return out


def values(book: Mapping[str, Decision]) -> dict[str, str]:
    """{id: "accepted"|"dismissed"} of the decided ones."""
    return {k: d.decision for k, d in book.items() if d.decision}


# --- applying to a review -----------------------------------------------------------------------

def apply_notes(findings: list["Finding"], groups: list["FindingGroup"], book: Mapping[str, Decision]) -> None:
    """Notes and reviewers on the findings and groups (their decisions are set by the engine and the
    worklist). A member that took its group's decision takes the group's note and reviewer too. A
    group decided itself shows its own decision even where a member decided otherwise, so the
    report, read back, still holds it (for members that join the group later)."""
    for f in findings:
        d = book.get(f.id)
        if d is not None:
            f.note, f.reviewer = d.note, d.reviewer
    by_id = {f.id: f for f in findings}
    for g in groups:
        d = book.get(g.id)
        if d is None:
            continue
        g.note, g.reviewer = d.note, d.reviewer
        if d.decision is None:
            continue
        g.decision = d.decision
        for fid in g.members:
            f = by_id[fid]
            own = book.get(fid)
            if own is None or own.decision is None:  # the group's decision reached it (worklist.apply_group_decisions)
                f.note = f.note if f.note is not None else d.note
                f.reviewer = f.reviewer or d.reviewer


def orphaned(book: Mapping[str, Decision], findings: list["Finding"], groups: list["FindingGroup"]) -> list[Decision]:
    """Decisions on ids that no finding or group of this run has, in a stable order."""
    present = {f.id for f in findings} | {g.id for g in groups}
    return sorted((d for k, d in book.items() if k not in present), key=lambda d: d.id)


def decision_text(decision: str | None, note: str | None, reviewer: str | None) -> str:
    """The decision, its note and its reviewer as one phrase beside a finding: 排除 dismissed；审核备注：…；审核人：张."""
    parts = [f"{DECISION_ZH[decision]} {decision}"] if decision else []
    if note:
        parts.append(f"审核备注：{note}")
    if reviewer:
        parts.append(f"审核人：{reviewer}")
    return "；".join(parts)
