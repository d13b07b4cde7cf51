"""Validate the labelled goal pairs used to measure the language model (bench/data/goal_pairs_llm.jsonl).

Each line is {"id", "expected", "actual", "label", "source", "note"}: an expected goal text, an actual
text, and what a reviewer reads in the actual about the goal — met / partly_met / not_met /
cannot_tell (the verdicts of prompts/goal_judgement.md, whose definitions the labels follow). Checks:

- ids unique, labels valid, every label present, at least 40 pairs;
- a pair whose source is "FILE#项目名称" has the expected and actual texts that jixiao's parser reads
  from that project in FILE, byte for byte (so the set follows the samples, not a copy of them);
- constructed pairs say so ("constructed", or the bench/review_fixtures.py plant they come from).

Prints counts and exits with status 1 if anything is wrong.

    python bench/check_goal_pairs.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from jixiao.forms import parse_file

PAIRS = Path(__file__).resolve().parent / "data" / "goal_pairs_llm.jsonl"
LABELS = ("met", "partly_met", "not_met", "cannot_tell")
MIN_PAIRS = 40


def load(path: Path = PAIRS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def problems(rows: list[dict]) -> list[str]:
    out = []
    ids = Counter(r.get("id") for r in rows)
    out += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    parsed: dict[str, dict[str, tuple[str | None, str | None]]] = {}
    for r in rows:
        rid = r.get("id")
        missing = [k for k in ("id", "expected", "actual", "label", "source") if not r.get(k)]
        if missing:
            out.append(f"{rid}: missing {', '.join(missing)}")
            continue
        if r["label"] not in LABELS:
            out.append(f"{rid}: label {r['label']!r} is not one of {', '.join(LABELS)}")
        src = r["source"]
        if "#" in src and not src.startswith("bench/"):
            file, name = src.split("#", 1)
            if file not in parsed:
                path = ROOT / file
                if not path.exists():
                    out.append(f"{rid}: source file {file} does not exist")
                    continue
                parsed[file] = {f.project_name: (f.goal.expected, f.goal.actual) for f in parse_file(path).forms
                                if f.form_type.value != "declaration"}
            if name not in parsed[file]:
                out.append(f"{rid}: no project {name!r} with a goal in {file}")
            elif parsed[file][name] != (r["expected"], r["actual"]):
                out.append(f"{rid}: the texts differ from what the parser reads for {name!r} in {file}")
        elif src != "constructed" and not src.startswith("bench/review_fixtures.py#"):
            out.append(f"{rid}: source {src!r} is neither FILE#项目名称, bench/review_fixtures.py#… nor constructed")
    counts = Counter(r.get("label") for r in rows)
    out += [f"no pair labelled {label}" for label in LABELS if not counts[label]]
    if len(rows) < MIN_PAIRS:
        out.append(f"only {len(rows)} pairs; at least {MIN_PAIRS} are needed")
    return out


def main() -> int:
    rows = load()
    counts = Counter(r.get("label") for r in rows)
    kinds = Counter("constructed" if r.get("source") == "constructed" else
                    "planted" if str(r.get("source", "")).startswith("bench/") else "samples" for r in rows)
    print(f"{len(rows)} pairs: " + ", ".join(f"{label} {counts[label]}" for label in LABELS)
          + " · " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    bad = problems(rows)
    for p in bad:
        print(f"error: {p}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
