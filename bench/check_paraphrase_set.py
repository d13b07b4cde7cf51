"""Validate the labelled paraphrase set used to choose an embedding model.

Loads bench/data/paraphrase_pairs.jsonl and bench/data/paraphrase_distractors.jsonl, parses the
shipped examples with jixiao's own parser and checks that

- every pair's target is byte-identical to a parsed text of its kind (indicator: an indicator name;
  goal: a goal.expected or goal.actual text), and its source "file:line" is one place it occurs;
- ids are unique and their prefix matches the kind; no target is used more than twice;
- the counts reach the minimums (pairs overall and per kind, distractors);
- no query equals its target (or any parsed text of its kind);
- every distractor names a `near` text that exists in the corpus, and is not itself a corpus text,
  a query, or a duplicate of another distractor.

Prints counts per kind and exits with status 1 if anything is wrong.

    python bench/check_paraphrase_set.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from jixiao.forms import parse_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"
PAIRS = DATA / "paraphrase_pairs.jsonl"
DISTRACTORS = DATA / "paraphrase_distractors.jsonl"

MIN_PAIRS = 170
MIN_PER_KIND = {"indicator": 110, "goal": 45}
MIN_DISTRACTORS = 120
MAX_TARGET_USES = 2
KINDS = ("indicator", "goal")
ID_PREFIX = {"indicator": "ind-", "goal": "goal-"}
PAIR_KEYS = {"id", "kind", "query", "target", "source"}
DISTRACTOR_KEYS = {"kind", "text", "near"}


def corpus() -> dict[str, dict[str, set[str]]]:
    """kind -> text -> set of "file:line" where the parser found it."""
    out: dict[str, dict[str, set[str]]] = {k: defaultdict(set) for k in KINDS}
    files = sorted(EXAMPLES.glob("*.txt"))
    if not files:
        raise SystemExit(f"no examples found in {EXAMPLES}")
    for path in files:
        for form in parse_file(path).forms:
            for ind in form.indicators:
                if ind.name:
                    out["indicator"][ind.name].add(f"{path.name}:{ind.line}")
            goal = form.goal
            for text, line in ((goal.expected, goal.expected_line), (goal.actual, goal.actual_line)):
                if text:
                    out["goal"][text].add(f"{path.name}:{line}")
    return out


def load_jsonl(path: Path, problems: list[str]) -> list[dict]:
    if not path.exists():
        problems.append(f"{path}: missing")
        return []
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{path.name}:{n}: not JSON ({e})")
                continue
            if not isinstance(obj, dict):
                problems.append(f"{path.name}:{n}: not a JSON object")
                continue
            obj["_line"] = n
            rows.append(obj)
    return rows


def check_pairs(pairs: list[dict], texts: dict, problems: list[str]) -> None:
    ids = Counter(p.get("id") for p in pairs)
    for dup, n in ids.items():
        if n > 1:
            problems.append(f"pairs: id {dup!r} used {n} times")
    uses = Counter((p.get("kind"), p.get("target")) for p in pairs)
    for (kind, target), n in uses.items():
        if n > MAX_TARGET_USES:
            problems.append(f"pairs: {kind} target {target!r} used {n} times (max {MAX_TARGET_USES})")
    for p in pairs:
        where = f"pairs line {p['_line']} ({p.get('id')})"
        missing = PAIR_KEYS - p.keys()
        if missing:
            problems.append(f"{where}: missing keys {sorted(missing)}")
            continue
        kind, query, target, source = p["kind"], p["query"], p["target"], p["source"]
        if kind not in KINDS:
            problems.append(f"{where}: unknown kind {kind!r}")
            continue
        if not str(p["id"]).startswith(ID_PREFIX[kind]):
            problems.append(f"{where}: id does not start with {ID_PREFIX[kind]!r}")
        if not isinstance(query, str) or not query.strip():
            problems.append(f"{where}: empty query")
            continue
        if target not in texts[kind]:
            problems.append(f"{where}: target is not a parsed {kind} text: {target!r}")
            continue
        if source not in texts[kind][target]:
            problems.append(f"{where}: source {source!r} is not where the target occurs "
                            f"({', '.join(sorted(texts[kind][target]))})")
        if query.strip() == target.strip():
            problems.append(f"{where}: query equals its target")
        elif query in texts[kind]:
            problems.append(f"{where}: query is itself a corpus {kind} text: {query!r}")


def check_distractors(dis: list[dict], pairs: list[dict], texts: dict, problems: list[str]) -> None:
    seen: Counter = Counter((d.get("kind"), d.get("text")) for d in dis)
    for (kind, text), n in seen.items():
        if n > 1:
            problems.append(f"distractors: {kind} {text!r} listed {n} times")
    queries = {(p.get("kind"), p.get("query")) for p in pairs}
    for d in dis:
        where = f"distractors line {d['_line']}"
        missing = DISTRACTOR_KEYS - d.keys()
        if missing:
            problems.append(f"{where}: missing keys {sorted(missing)}")
            continue
        kind, text, near = d["kind"], d["text"], d["near"]
        if kind not in KINDS:
            problems.append(f"{where}: unknown kind {kind!r}")
            continue
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: empty text")
            continue
        if near not in texts[kind]:
            problems.append(f"{where}: near is not a parsed {kind} text: {near!r}")
        if text in texts[kind] or text.strip() in texts[kind]:
            problems.append(f"{where}: distractor is identical to a corpus {kind} text: {text!r}")
        if text == near:
            problems.append(f"{where}: distractor equals its near text")
        if (kind, text) in queries:
            problems.append(f"{where}: distractor is identical to a query: {text!r}")


def main() -> int:
    problems: list[str] = []
    texts = corpus()
    pairs = load_jsonl(PAIRS, problems)
    dis = load_jsonl(DISTRACTORS, problems)
    check_pairs(pairs, texts, problems)
    check_distractors(dis, pairs, texts, problems)

    pair_kinds = Counter(p.get("kind") for p in pairs)
    dis_kinds = Counter(d.get("kind") for d in dis)
    if len(pairs) < MIN_PAIRS:
        problems.append(f"pairs: {len(pairs)} < {MIN_PAIRS}")
    for kind, minimum in MIN_PER_KIND.items():
        if pair_kinds[kind] < minimum:
            problems.append(f"pairs: {pair_kinds[kind]} {kind} pairs < {minimum}")
    if len(dis) < MIN_DISTRACTORS:
        problems.append(f"distractors: {len(dis)} < {MIN_DISTRACTORS}")

    # Informational summary: counts, spread over files, difficulty labels.
    print(f"corpus: {len(texts['indicator'])} distinct indicator names, {len(texts['goal'])} distinct goal texts")
    print(f"pairs: {len(pairs)} total")
    for kind in KINDS:
        ps = [p for p in pairs if p.get("kind") == kind]
        files = Counter(str(p.get("source", "")).split(":")[0] for p in ps)
        diff = Counter(p.get("difficulty", "-") for p in ps)
        targets = {p.get("target") for p in ps}
        print(f"  {kind:9s} {len(ps):4d} pairs, {len(targets)} distinct targets; "
              f"files: {dict(sorted(files.items()))}; difficulty: {dict(sorted(diff.items()))}")
    print(f"distractors: {len(dis)} total ({', '.join(f'{k} {dis_kinds[k]}' for k in KINDS)})")

    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for msg in problems:
            print(f"  {msg}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
