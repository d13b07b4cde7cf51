"""One comparable shape for a parsed form and for a generated form's ground truth.

Parsed forms are read by attribute only (no import of jixiao), so the benchmark and the tests can
share this without the generator depending on the parser.
"""

from __future__ import annotations

import re
from dataclasses import asdict

_WS = re.compile(r"\s+")


def _ws(text: str | None) -> str | None:
    # Exports put stray spaces into values ("≥ 4500.00(名)"); they carry no meaning.
    return _WS.sub("", text) if text else None


def _indicator(level1, level2, name, target, plan, actual, weight, score, deviation) -> dict:
    return {"level1": level1, "level2": level2, "name": name, "target": _ws(target), "plan": _ws(plan),
            "actual": _ws(actual), "weight": weight, "score": score, "deviation": _ws(deviation)}


def form_summary(form) -> dict:
    """What a reviewer relies on in a parsed jixiao Form."""
    raw = lambda v: v.raw if v is not None else None  # noqa: E731
    total = None
    if form.funds is not None:
        row = next((r for r in form.funds.rows if r.key == "total"), None)
        if row is not None:
            total = {k: round(v.value, 6) for k, v in row.values.items() if v.value is not None}
    judgement = (form.judgement.budget_completion, form.judgement.goal_completion) if form.judgement else None
    return {
        "form_type": form.form_type.value, "year": form.year, "project_name": form.project_name,
        "department": form.department, "unit": form.unit,
        "indicators": [_indicator(i.level1, i.level2, i.name, raw(i.target), raw(i.plan), raw(i.actual),
                                  i.weight, i.score, i.deviation) for i in form.indicators],
        "total_score": form.total_score, "grade": form.grade, "funds_total": total, "judgement": judgement,
    }


def truth_summary(truth) -> dict:
    """The same shape for a testkit.synth.TruthForm."""
    d = asdict(truth)
    d["indicators"] = [_indicator(**i) for i in d["indicators"]]
    d["funds_total"] = {k: round(v, 6) for k, v in d["funds_total"].items()}
    d["judgement"] = tuple(d["judgement"]) if d["judgement"] else None
    return d


def first_difference(a: dict, b: dict) -> str | None:
    """A short description of where two summaries part, for assertion messages."""
    for key in a:
        if key == "indicators":
            continue
        if a[key] != b.get(key):
            return f"{key}: {a[key]!r} != {b.get(key)!r}"
    ia, ib = a["indicators"], b["indicators"]
    for n, (x, y) in enumerate(zip(ia, ib)):
        if x != y:
            diff = {k: (x[k], y[k]) for k in x if x[k] != y[k]}
            return f"indicator {n} ({x['name']}): {diff}"
    if len(ia) != len(ib):
        extra = ia[len(ib):] or ib[len(ia):]
        return f"{len(ia)} indicators != {len(ib)}; first extra: {extra[0]['name']!r}"
    return None


def assert_same_forms(expected: list[dict], got: list[dict], context: str = "") -> None:
    """Equal summaries, form by form, failing with the first field where they part."""
    __tracebackhide__ = True  # pytest: report the failure at the test that called this
    assert len(got) == len(expected), f"{context}: {len(got)} forms read, {len(expected)} expected: " \
        f"{[f['project_name'] for f in got]} vs {[f['project_name'] for f in expected]}"
    for n, (e, g) in enumerate(zip(expected, got)):
        assert e == g, f"{context}: form {n} {e['project_name']!r}: {first_difference(e, g)}"
