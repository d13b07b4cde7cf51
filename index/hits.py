"""Search hits: what `jixiao search` answers, read from the corpus for the ids a ranking chose."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel

from jixiao.index.items import GOAL_ROLES, Kind, goal_texts
from jixiao.index.store import Store


class GoalText(BaseModel):
    role: str
    text: str
    line: int | None
    score: float | None  # None: not among the candidates ranked (or below --min-score)


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
    # Added with --mode (issue 15): the mode that ranked the hit and both of its scores (None where a
    # mode did not compute one); `score` is the mode's own: dense, lexical or their weighted sum.
    mode: str | None = None
    dense_score: float | None = None
    lexical_score: float | None = None
    # Goals: one hit per form, carrying every goal text of it (expected and actual …); `text`,
    # `role` and `line` are those of its best-scoring text.
    texts: list[GoalText] | None = None


def form_rows(store: Store, form_ids: list[int]) -> dict[int, tuple]:
    if not form_ids:
        return {}
    q = ("SELECT f.id, f.project_name, f.unit, f.department, f.year, f.form_type, fl.path, f.first_line "
         f"FROM forms f JOIN files fl ON fl.id = f.file_id WHERE f.id IN ({','.join('?' * len(form_ids))})")
    return {r[0]: r[1:] for r in store.conn.execute(q, form_ids)}


def make_hits(store: Store, kind: Kind, ranked: list[tuple[int, float]], n: int,
              dense: dict[int, float], lexical: dict[int, float]) -> list[Hit]:
    """The first n hits of `ranked` (id, score), best first; a form's goal texts make one hit."""
    both = lambda i: {"dense_score": dense.get(i), "lexical_score": lexical.get(i)}  # noqa: E731
    if kind == "indicator":
        ranked = ranked[:n]
        q = ("SELECT id, form_id, name, level1, level2, target_raw, actual_raw, line FROM indicators "
             f"WHERE id IN ({','.join('?' * len(ranked))})")
        rows = {r[0]: r[1:] for r in store.conn.execute(q, [i for i, _ in ranked])} if ranked else {}
        forms = form_rows(store, list({r[0] for r in rows.values()}))
        out = []
        for i, s in ranked:
            if i not in rows:
                continue  # removed since the index was built
            fid, name, l1, l2, target, actual, line = rows[i]
            p, u, d, y, t, path, _ = forms[fid]
            out.append(Hit(score=s, kind=kind, text=name, project_name=p, unit=u, department=d, year=y, form_type=t,
                           file=path, line=line, level1=l1, level2=l2, target=target, actual=actual, **both(i)))
        return out
    if kind == "project":
        ranked = ranked[:n]
        forms = form_rows(store, [i for i, _ in ranked])
        return [Hit(score=s, kind=kind, text=forms[i][0] or "", project_name=forms[i][0], unit=forms[i][1],
                    department=forms[i][2], year=forms[i][3], form_type=forms[i][4], file=forms[i][5],
                    line=forms[i][6], **both(i))
                for i, s in ranked if i in forms]
    # Goals: forms in the order of their best text (ids are form id × 4 + role), n of them.
    scores = dict(ranked)
    fids = list(dict.fromkeys(i // 4 for i, _ in ranked))[:n]
    forms = form_rows(store, fids)
    # SQLite reads the goal's lines out of the form's JSON: no need to parse whole forms here.
    q = ("SELECT id, form_type, goal_expected, goal_actual, goal_overall, goal_annual, "
         "json_extract(data, '$.goal.expected_line'), json_extract(data, '$.goal.actual_line') "
         f"FROM forms WHERE id IN ({','.join('?' * len(fids))})")
    rows = {r[0]: r[1:] for r in store.conn.execute(q, fids)} if fids else {}
    out = []
    for fid in fids:
        if fid not in forms or fid not in rows:
            continue  # removed since the index was built
        p, u, d, y, t, path, first = forms[fid]
        form_type, expected, actual, overall, annual, expected_line, actual_line = rows[fid]
        texts = [GoalText(role=role, text=text, line=(actual_line if role == "actual" else expected_line) or first,
                          score=scores.get(fid * 4 + GOAL_ROLES.index(role)))
                 for role, text in goal_texts(form_type, expected, actual, overall, annual).items()]
        top = max((g for g in texts if g.score is not None), key=lambda g: g.score, default=None)
        if top is None:
            continue  # the form's goals changed since the index was built
        out.append(Hit(score=top.score, kind=kind, text=top.text, project_name=p, unit=u, department=d, year=y,
                       form_type=t, file=path, line=top.line, role=top.role, texts=texts,
                       **both(fid * 4 + GOAL_ROLES.index(top.role))))
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
