"""Similarity search over the corpus: `jixiao search` and `jixiao similar`."""

from __future__ import annotations

import difflib
import threading
from collections import Counter
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from jixiao.index import faiss_index
from jixiao.index.build import corpus_model
from jixiao.index.embed import load_embedder
from jixiao.index.items import Kind, goal_role, indicator_text
from jixiao.index.store import Store
from jixiao.index.vectors import embed_cached


class SearchError(Exception):
    pass


class Hit(BaseModel):
    score: float
    kind: str
    text: str
    project_name: str | None
    unit: str | None
    department: str | None
    year: int | None
    form_type: str
    file: str
    line: int | None
    role: str | None = None  # goals: expected, actual, overall, annual
    level1: str | None = None
    level2: str | None = None
    target: str | None = None
    actual: str | None = None


class Filters(BaseModel):
    year: int | None = None
    form_type: str | None = None
    department: str | None = None
    unit: str | None = None

    def active(self) -> bool:
        return any(v is not None for v in self.model_dump().values())


class SearchResult(BaseModel):
    query: str
    kind: str
    model: str
    hits: list[Hit]
    target_summary: list[dict] = Field(default_factory=list)  # indicator searches only
    stale: bool = False


def _check_filters(store: Store, f: Filters) -> None:
    for col, value in (("year", f.year), ("form_type", f.form_type), ("department", f.department), ("unit", f.unit)):
        if value is None:
            continue
        if store.conn.execute(f"SELECT 1 FROM forms WHERE {col} = ? LIMIT 1", (value,)).fetchone():
            continue
        known = [str(r[0]) for r in store.conn.execute(f"SELECT DISTINCT {col} FROM forms WHERE {col} IS NOT NULL")]
        close = difflib.get_close_matches(str(value), known, n=3, cutoff=0.3)
        hint = f"; did you mean {' / '.join(close)}?" if close else f"; the corpus has: {', '.join(sorted(known)[:8])}"
        raise SearchError(f"no form in the corpus has {col} = {value!r}{hint}")


def _allowed(store: Store, kind: Kind, f: Filters) -> np.ndarray | None:
    if not f.active():
        return None
    where = " AND ".join(f"f.{c} = ?" for c, v in f.model_dump().items() if v is not None)
    params = tuple(v for v in f.model_dump().values() if v is not None)
    if kind == "indicator":
        rows = store.conn.execute(f"SELECT i.id FROM indicators i JOIN forms f ON f.id = i.form_id WHERE {where}", params)
        return np.array([r[0] for r in rows], dtype=np.int64)
    fids = np.array([r[0] for r in store.conn.execute(f"SELECT f.id FROM forms f WHERE {where}", params)], dtype=np.int64)
    if kind == "goal":
        return (fids[:, None] * 4 + np.arange(4)[None, :]).ravel()
    return fids


# Open indexes, keyed by the index files' mtimes: a command searches once, but a server (jixiao serve)
# searches thousands of times, and reading a 200 MB index per search cost more than the search. A
# rebuilt index (`jixiao index`) has new mtimes and is read again.
_opened: dict[tuple, tuple] = {}
_opened_lock = threading.Lock()


def _open(store: Store, db: Path, kind: Kind, model: str | None):
    idx_path, meta_path = faiss_index.paths(db, kind)
    try:
        stamp = (idx_path.stat().st_mtime_ns, meta_path.stat().st_mtime_ns)
    except OSError:
        stamp = None  # no index: faiss_index.load says to run `jixiao index`
    key = (str(Path(db).resolve()), kind, model, stamp)
    if stamp is not None and (hit := _opened.get(key)) is not None:
        return hit
    with _opened_lock:
        if stamp is not None and (hit := _opened.get(key)) is not None:
            return hit
        index, info = faiss_index.load(db, kind)
        spec = corpus_model(store, model)
        embedder = load_embedder(spec)
        if embedder.model_id != info.model:
            raise SearchError(
                f"the {kind} index was built with {info.model}, not {embedder.model_id}: search without --model, "
                f"or rebuild with `jixiao index --db {db} --rebuild --model {spec}`")
        for k in [k for k in _opened if k[:3] == key[:3]]:
            del _opened[k]
        _opened[key] = (index, info, embedder)
        return index, info, embedder


def _form_rows(store: Store, form_ids: list[int]) -> dict[int, tuple]:
    if not form_ids:
        return {}
    q = ("SELECT f.id, f.project_name, f.unit, f.department, f.year, f.form_type, fl.path, f.first_line "
         f"FROM forms f JOIN files fl ON fl.id = f.file_id WHERE f.id IN ({','.join('?' * len(form_ids))})")
    return {r[0]: r[1:] for r in store.conn.execute(q, form_ids)}


def _hits(store: Store, kind: Kind, scores: np.ndarray, ids: np.ndarray) -> list[Hit]:
    pairs = [(float(s), int(i)) for s, i in zip(scores, ids) if i >= 0]
    if kind == "indicator":
        q = ("SELECT id, form_id, name, level1, level2, target_raw, actual_raw, line FROM indicators "
             f"WHERE id IN ({','.join('?' * len(pairs))})")
        rows = {r[0]: r[1:] for r in store.conn.execute(q, [i for _, i in pairs])} if pairs else {}
        forms = _form_rows(store, list({r[0] for r in rows.values()}))
        out = []
        for s, i in pairs:
            if i not in rows:
                continue  # removed since the index was built
            fid, name, l1, l2, target, actual, line = rows[i]
            p, u, d, y, t, path, _ = forms[fid]
            out.append(Hit(score=s, kind=kind, text=name, project_name=p, unit=u, department=d, year=y, form_type=t,
                           file=path, line=line, level1=l1, level2=l2, target=target, actual=actual))
        return out
    fids = [i // 4 if kind == "goal" else i for _, i in pairs]
    forms = _form_rows(store, list(set(fids)))
    texts = {}
    if kind == "goal":
        # SQLite reads the goal's lines out of the form's JSON: no need to parse whole forms here.
        q = ("SELECT id, goal_expected, goal_actual, goal_overall, goal_annual, "
             "json_extract(data, '$.goal.expected_line'), json_extract(data, '$.goal.actual_line') "
             f"FROM forms WHERE id IN ({','.join('?' * len(fids))})")
        texts = {r[0]: r[1:] for r in store.conn.execute(q, fids)} if fids else {}
    out = []
    for (s, i), fid in zip(pairs, fids):
        if fid not in forms:
            continue
        p, u, d, y, t, path, first = forms[fid]
        if kind == "goal":
            role = goal_role(i)
            text = texts[fid][("expected", "actual", "overall", "annual").index(role)] or ""
            out.append(Hit(score=s, kind=kind, text=text, project_name=p, unit=u, department=d, year=y,
                           form_type=t, file=path, line=(texts[fid][5] if role == "actual" else texts[fid][4]) or first, role=role))
        else:
            out.append(Hit(score=s, kind=kind, text=p or "", project_name=p, unit=u, department=d, year=y,
                           form_type=t, file=path, line=first))
    return out


def target_summary(hits: list[Hit]) -> list[dict]:
    """How the similar indicators' targets are written, most common first (≥90%: 7, 及时: 2 …)."""
    from jixiao.forms.values import parse_value

    counts: Counter[str] = Counter()
    for h in hits:
        v = parse_value(h.target)
        if v is None:
            key = "(无指标值)"
        elif v.kind == "numeric":
            key = f"{v.op or '='}{v.number:g}{v.unit or ''}"
        else:
            key = v.word or v.raw
        counts[key] += 1
    return [{"target": k, "count": n} for k, n in counts.most_common()]


def search(store: Store, db: Path, query: str, kind: Kind = "indicator", n: int = 10,
           filters: Filters | None = None, model: str | None = None) -> SearchResult:
    query = (query or "").strip()
    if not query:
        raise SearchError("empty query: give the text to look for, e.g. jixiao search '培训课程出席率'")
    filters = filters or Filters()
    _check_filters(store, filters)
    index, info, embedder = _open(store, db, kind, model)
    qtext = indicator_text(query, "") if kind == "indicator" else query
    qv = embedder.encode([qtext]).astype(np.float32)
    scores, ids = faiss_index.search(index, info, qv, n, _allowed(store, kind, filters))
    hits = _hits(store, kind, scores[0], ids[0])
    return SearchResult(query=query, kind=kind, model=info.model, hits=hits,
                        target_summary=target_summary(hits) if kind == "indicator" else [],
                        stale=info.corpus_version != store.corpus_version)


class SimilarProject(BaseModel):
    score: float
    project_name: str | None
    unit: str | None
    department: str | None
    years: list[int]
    form_types: list[str]
    goal_similarity: float | None
    indicator_similarity: float | None
    shared_indicators: list[str]
    file: str
    line: int


def _form_vectors(store: Store, embedder, form_ids: list[int]) -> tuple[np.ndarray | None, np.ndarray | None, list[str]]:
    marks = ",".join("?" * len(form_ids))
    goals = [t for row in store.conn.execute(
        f"SELECT goal_expected, goal_actual, goal_overall, goal_annual FROM forms WHERE id IN ({marks})", form_ids)
        for t in row if t]
    inds = store.conn.execute(f"SELECT name, level2 FROM indicators WHERE form_id IN ({marks}) AND name != ''",
                              form_ids).fetchall()
    gv = embed_cached(store, embedder, goals)[0] if goals else None
    iv = embed_cached(store, embedder, [indicator_text(nm, l2) for nm, l2 in inds])[0] if inds else None
    return gv, iv, [nm for nm, _ in inds]


def _mean_unit(v: np.ndarray | None) -> np.ndarray | None:
    if v is None or not len(v):
        return None
    m = v.mean(0)
    return m / max(float(np.linalg.norm(m)), 1e-12)


ANY_UNIT = object()  # similar(): the project is named by its name alone


def similar(store: Store, db: Path, project: str, n: int = 10, model: str | None = None,
            unit: str | None | object = ANY_UNIT) -> tuple[list[dict], list[SimilarProject]]:
    """Projects most like one; `unit` names it exactly (a name several units use, such as
    政府购买辅助服务, is otherwise refused as ambiguous)."""
    project = (project or "").strip()
    if unit is not ANY_UNIT:
        rows = store.conn.execute("SELECT id, project_name, unit FROM forms WHERE project_name = ? AND unit IS ?",
                                  (project, unit)).fetchall()
        if not rows:
            raise SearchError(f"no project named {project!r} of {unit!r} in the corpus")
    else:
        rows = store.conn.execute("SELECT id, project_name, unit FROM forms WHERE project_name = ?", (project,)).fetchall()
    if not rows:
        rows = store.conn.execute("SELECT id, project_name, unit FROM forms WHERE project_name LIKE ?",
                                  (f"%{project}%",)).fetchall()
    if not rows:
        names = [r[0] for r in store.conn.execute("SELECT DISTINCT project_name FROM forms WHERE project_name IS NOT NULL")]
        close = difflib.get_close_matches(project, names, n=3, cutoff=0.3)
        raise SearchError(f"no project named {project!r} in the corpus" + (f"; did you mean {' / '.join(close)}?" if close else ""))
    keys = {(p, u) for _, p, u in rows}
    if len(keys) > 1:
        listing = "; ".join(f"{p}（{u}）" for p, u in sorted(keys, key=str))
        raise SearchError(f"{project!r} matches several projects: {listing}. Give the full name.")
    (pname, punit), = keys
    index, info, embedder = _open(store, db, "project", model)
    own = [r[0] for r in rows]
    gv, iv, own_names = _form_vectors(store, embedder, own)
    parts = [v for v in (_mean_unit(gv), _mean_unit(iv)) if v is not None]
    header = [{"project_name": pname, "unit": punit, "forms": len(own)}]
    if not parts:  # no goal and no indicator text to compare
        return header, []
    q = np.sum(parts, axis=0)
    q = (q / max(float(np.linalg.norm(q)), 1e-12)).astype(np.float32)[None, :]
    scores, ids = faiss_index.search(index, info, q, min(info.count, n * 5 + len(own) + 10))
    forms = _form_rows(store, [int(i) for i in ids[0] if i >= 0])
    best: dict[tuple, tuple[float, int]] = {}
    for s, i in zip(scores[0], ids[0]):
        if i < 0 or int(i) not in forms:
            continue
        p, u = forms[int(i)][0], forms[int(i)][1]
        if (p, u) == (pname, punit) or (p, u) in best:
            continue
        best[(p, u)] = (float(s), int(i))
        if len(best) >= n:
            break
    out = []
    own_set = set(own_names)
    for (p, u), (s, fid) in best.items():
        same = [r[0] for r in store.conn.execute("SELECT id FROM forms WHERE project_name IS ? AND unit IS ?", (p, u))]
        ogv, oiv, names = _form_vectors(store, embedder, same)
        gsim = float(_mean_unit(gv) @ _mean_unit(ogv)) if gv is not None and ogv is not None else None
        isim = float(np.mean((iv @ oiv.T).max(1))) if iv is not None and oiv is not None else None
        meta = store.conn.execute(f"SELECT DISTINCT year, form_type FROM forms WHERE id IN ({','.join('?' * len(same))})",
                                  same).fetchall()
        _, _, d, _, _, path, first = forms[fid]
        out.append(SimilarProject(score=s, project_name=p, unit=u, department=d,
                                  years=sorted({y for y, _ in meta if y}), form_types=sorted({t for _, t in meta}),
                                  goal_similarity=gsim, indicator_similarity=isim,
                                  shared_indicators=sorted(own_set & set(names)), file=path, line=first))
    return header, out
