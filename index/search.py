"""Similarity search over the corpus: `jixiao search` and `jixiao similar`."""

from __future__ import annotations

import difflib
import threading
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from jixiao.forms.models import FORM_TYPE_ZH, FormType
from jixiao.index import faiss_index, hybrid
from jixiao.index.build import corpus_model
from jixiao.index.embed import load_embedder
from jixiao.index.hits import GoalText, Hit, form_rows as _form_rows, make_hits, target_summary  # noqa: F401
from jixiao.index.items import GOAL_ROLES, Kind, indicator_text
from jixiao.index.store import Store
from jixiao.index.vectors import embed_cached
from jixiao.index.vectorstore import FaissStore, is_default, open_vectors


class SearchError(Exception):
    pass


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
    mode: str = "dense"
    min_score: float | None = None
    warnings: list[str] = Field(default_factory=list)


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


def _open(store: Store, db: Path, kind: Kind, model: str | None, vectors: str | None = None):
    """(vector store, its info on `kind`, the embedder): `vectors` is a --vectors SPEC (None: FAISS files)."""
    if not is_default(vectors):
        vs = open_vectors(vectors, db)  # the client is kept per process (index/milvus_store.py)
        info = vs.info(kind)
        return vs, info, _embedder_for(store, db, kind, model, info)
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
        vs = FaissStore(db)
        info = vs.info(kind)
        embedder = _embedder_for(store, db, kind, model, info)
        for k in [k for k in _opened if k[:3] == key[:3]]:
            del _opened[k]
        _opened[key] = (vs, info, embedder)
        return vs, info, embedder


def _embedder_for(store: Store, db: Path, kind: Kind, model: str | None, info: faiss_index.IndexInfo):
    spec = corpus_model(store, model)
    embedder = load_embedder(spec)
    if embedder.model_id != info.model:
        raise SearchError(
            f"the {kind} index was built with {info.model}, not {embedder.model_id}: search without --model, "
            f"or rebuild with `jixiao index --db {db} --rebuild --model {spec}`")
    return embedder


def search(store: Store, db: Path, query: str, kind: Kind = "indicator", n: int = 10,
           filters: Filters | None = None, model: str | None = None, mode: str | None = None,
           min_score: float | None = None, vectors: str | None = None) -> SearchResult:
    """The n texts (goals: forms) most like `query`, ranked in a mode of index/hybrid.py. mode None:
    the kind's default, which falls back to dense, with a warning, on a corpus indexed before lexical
    search. `min_score` drops the texts whose score (the mode's own) is below it."""
    query = (query or "").strip()
    if not query:
        raise SearchError("empty query: give the text to look for, e.g. jixiao search '培训课程出席率'")
    if mode is not None and mode not in hybrid.MODES:
        raise SearchError(f"mode must be one of {', '.join(hybrid.MODES)}, got {mode!r}")
    filters = filters or Filters()
    _check_filters(store, filters)
    allowed = _allowed(store, kind, filters)
    warnings: list[str] = []
    chosen = mode or hybrid.DEFAULT_MODE[kind]
    lex = None
    if chosen != "dense":
        try:
            lex = hybrid.open_lexical(db, kind)
        except faiss_index.IndexError_ as e:
            if mode is not None:
                raise
            chosen = "dense"
            warnings.append(f"{e}; searched in dense mode")
    want = n * len(GOAL_ROLES) if kind == "goal" else n  # a form has up to 4 goal texts: enough for n forms
    depth = max(want, hybrid.CANDIDATES) if chosen == "hybrid" else want
    dense: dict[int, float] = {}
    lexical: dict[int, float] = {}
    model_id, stale = "", False
    if chosen != "lexical":
        vs, info, embedder = _open(store, db, kind, model, vectors)
        qv = embedder.encode([indicator_text(query, "") if kind == "indicator" else query]).astype(np.float32)
        scores, ids = vs.search(kind, qv, depth, allowed, filters.model_dump() if filters.active() else None)
        dense = {int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0}
        model_id, stale = info.model, info.corpus_version != store.corpus_version
    if lex is not None:
        every = lex.normalized_scores(query)
        scores, ids = lex.top(every, depth, allowed)
        lexical = {int(i): float(s) for s, i in zip(scores, ids)}
        stale = stale or lex.corpus_version != store.corpus_version
        model_id = model_id or f"bm25/{lex.tokenizer}"
    if chosen == "hybrid":
        # Both scores of every candidate, exactly: FAISS scores the lexical-only candidates among their
        # ids alone, and the lexical scores of all texts are at hand.
        missing = np.array([i for i in lexical if i not in dense], np.int64)
        if len(missing):
            scores, ids = vs.search(kind, qv, len(missing), missing)
            dense.update({int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0})
        pos = np.minimum(np.searchsorted(lex.ids, np.array(list(dense), np.int64)), max(lex.count - 1, 0))
        for i, p in zip(list(dense), pos):
            lexical[i] = float(every[p]) if lex.count and lex.ids[p] == i else 0.0
        ranked = hybrid.fuse(dense, lexical)
    else:
        ranked = sorted((dense if chosen == "dense" else lexical).items(), key=lambda kv: (-kv[1], kv[0]))
    if min_score is not None:
        ranked = [(i, s) for i, s in ranked if s >= min_score]
    hits = make_hits(store, kind, ranked, n, dense, lexical)
    for h in hits:
        h.mode = chosen
    return SearchResult(query=query, kind=kind, model=model_id, hits=hits,
                        target_summary=target_summary(hits) if kind == "indicator" else [],
                        stale=stale, mode=chosen, min_score=min_score, warnings=warnings)


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


class Candidate(BaseModel):
    """A project a name could mean: its name and unit, with the years and form types it has in the corpus."""

    project_name: str | None
    unit: str | None
    years: list[int]
    form_types: list[str]
    forms: int

    def label(self) -> str:
        years = "、".join(map(str, self.years)) or "年度不详"
        types = "、".join(FORM_TYPE_ZH[FormType(t)] for t in self.form_types)
        return f"{self.project_name}（{self.unit or '单位不详'}） {years} {types}"


class AmbiguousProject(SearchError):
    """A name that several projects answer to; `candidates` lists them so the caller can show them."""

    def __init__(self, text: str, candidates: list[Candidate]):
        self.headline = (f"{text!r} matches several projects ({len(candidates)}); pick one with --unit, --year, "
                         "--form-type or \"名称（单位）\"")
        self.candidates = candidates
        super().__init__(f"{self.headline}: " + "; ".join(c.label() for c in candidates))


def _split_unit(text: str) -> tuple[str, str] | None:
    """"名称（单位）" or "名称(单位)": the name and the unit in the last parentheses, if any."""
    closing = text[-1:]
    if closing not in ("）", ")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += text[i] in "）)"
        depth -= text[i] in "（("
        if depth == 0:
            name, unit = text[:i].strip(), text[i + 1:-1].strip()
            return (name, unit) if name and unit else None
    return None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_project(store: Store, text: str, unit: str | None | object = ANY_UNIT, year: int | None = None,
                 form_type: str | None = None) -> tuple[str | None, str | None, list[int]]:
    """The project (name, unit) that TEXT names, and the ids of its forms within the filters.

    TEXT is tried as the exact name, then as "名称（单位）" (the way jixiao prints a project), then as a
    part of the name (and of the unit). A project is its name and unit: its forms of several years
    and types are one project unless --year / --form-type narrow them. Several projects matching is
    an error listing them (AmbiguousProject), never a silent pick."""
    text = (text or "").strip()
    if not text:
        raise SearchError("empty project name: give the name, e.g. jixiao similar '信息系统运维费'")
    cond, params = [], []
    if unit is not ANY_UNIT:
        cond.append("unit IS ?")
        params.append(unit)
    for col, value in (("year", year), ("form_type", form_type)):
        if value is not None:
            cond.append(f"{col} = ?")
            params.append(value)

    def rows(where: str, args: tuple) -> list[tuple]:
        q = "SELECT id, project_name, unit, year, form_type FROM forms WHERE " + " AND ".join([where, *cond])
        return store.conn.execute(q, (*args, *params)).fetchall()

    split = _split_unit(text)
    tiers = [("project_name = ?", (text,))]
    if split:
        tiers.append(("project_name = ? AND unit = ?", split))
    tiers.append(("project_name LIKE ? ESCAPE '\\'", (_like(text),)))
    if split:
        tiers.append(("project_name LIKE ? ESCAPE '\\' AND unit LIKE ? ESCAPE '\\'", tuple(map(_like, split))))
    found = next((r for where, args in tiers if (r := rows(where, args))), [])
    if not found:
        raise SearchError(_not_found(store, text, unit, year, form_type))
    by_project: dict[tuple, list[tuple]] = {}
    for r in found:
        by_project.setdefault((r[1], r[2]), []).append(r)
    if len(by_project) > 1:
        raise AmbiguousProject(text, [_candidate(k, v) for k, v in sorted(by_project.items(), key=str)])
    (name, unit_), = by_project
    return name, unit_, [r[0] for r in found]


def _candidate(key: tuple, rows: list[tuple]) -> Candidate:
    return Candidate(project_name=key[0], unit=key[1], years=sorted({r[3] for r in rows if r[3]}),
                     form_types=sorted({r[4] for r in rows}), forms=len(rows))


def _not_found(store: Store, text: str, unit, year, form_type) -> str:
    filters = ([] if unit is ANY_UNIT else [f"unit = {unit!r}"]) + [
        f"{k} = {v!r}" for k, v in (("year", year), ("form_type", form_type)) if v is not None]
    if filters:
        try:
            everywhere = find_project(store, text)
        except AmbiguousProject as e:
            return f"no project named {text!r} with {', '.join(filters)}; the name matches: " + "; ".join(
                c.label() for c in e.candidates)
        except SearchError:
            pass
        else:
            rows = store.conn.execute(
                f"SELECT id, project_name, unit, year, form_type FROM forms WHERE id IN ({','.join('?' * len(everywhere[2]))})",
                everywhere[2]).fetchall()
            return (f"no project named {text!r} with {', '.join(filters)}; the name matches: "
                    + _candidate(everywhere[:2], rows).label())
    names = [r[0] for r in store.conn.execute("SELECT DISTINCT project_name FROM forms WHERE project_name IS NOT NULL")]
    close = difflib.get_close_matches((_split_unit(text) or (text,))[0], names, n=3, cutoff=0.3)
    return f"no project named {text!r} in the corpus" + (f"; did you mean {' / '.join(close)}?" if close else "")


def similar(store: Store, db: Path, project: str, n: int = 10, model: str | None = None,
            unit: str | None | object = ANY_UNIT, year: int | None = None,
            form_type: str | None = None, vectors: str | None = None) -> tuple[list[dict], list[SimilarProject]]:
    """Projects most like one, compared with the whole corpus. PROJECT is a name, a part of one, or
    "名称（单位）"; `unit`, `year` and `form_type` pick the project and which of its forms stand for it
    (a name several units use, such as 政府购买辅助服务, is otherwise refused as ambiguous)."""
    pname, punit, own = find_project(store, project, unit, year, form_type)
    vs, info, embedder = _open(store, db, "project", model, vectors)
    gv, iv, own_names = _form_vectors(store, embedder, own)
    parts = [v for v in (_mean_unit(gv), _mean_unit(iv)) if v is not None]
    meta = store.conn.execute(f"SELECT DISTINCT year, form_type FROM forms WHERE id IN ({','.join('?' * len(own))})",
                              own).fetchall()
    header = [{"project_name": pname, "unit": punit, "forms": len(own),
               "years": sorted({y for y, _ in meta if y}), "form_types": sorted({t for _, t in meta})}]
    if not parts:  # no goal and no indicator text to compare
        return header, []
    q = np.sum(parts, axis=0)
    q = (q / max(float(np.linalg.norm(q)), 1e-12)).astype(np.float32)[None, :]
    scores, ids = vs.search("project", q, min(info.count, n * 5 + len(own) + 10))
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
