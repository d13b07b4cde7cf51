"""Compact forms (review/compact.py): the corpus checks find the same things in a fraction of the memory.

The streaming review hands the corpus checks slotted copies of the stored forms; every corpus check
must give the same findings on them as on the validated forms, and evidence from a workbook must still
name its cell (found afterwards from the store).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from testkit.office_export import export_xlsx
from testkit.synth import write_corpus_files
from jixiao.cli import app
from jixiao.index.store import Store
from jixiao.review.catalogue import Context
from jixiao.review.compact import CompactCorpus, CompactForm, locate_from_store
from jixiao.review.engine import default_embed
from jixiao.review.evidence import locate
from jixiao.review.settings import load_settings
from jixiao.review.stream import checks_of

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def _ingest(paths: list[Path], db: Path) -> Store:
    res = runner.invoke(app, ["ingest", *map(str, paths), "--db", str(db)])
    assert res.exit_code == 0, res.output
    return Store(db)


def _corpus_findings(forms: list, store: Store | None = None, placed=None) -> dict[str, list[str]]:
    """Every corpus check's findings as JSON, by check, over the given forms."""
    conf, out = load_settings(), {}
    for check in checks_of("corpus", None):
        found = list(check.fn(forms, conf, Context(embed=default_embed)))
        locate(found, forms)
        if store is not None:
            locate_from_store(found, placed, store, batch=3)  # small batches: a file's forms split across them
        out[check.codes[0]] = sorted(f.model_dump_json() for f in found)
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Store:
    """The samples, one of them as a workbook too, and 300 generated forms."""
    folder = tmp_path_factory.mktemp("compact")
    (folder / "generated").mkdir()
    write_corpus_files(folder / "generated", 300, seed=7, per_file=50)
    xlsx = export_xlsx(EXAMPLES / "putuo_2024_self_evaluation.txt", folder / "putuo.xlsx", one_sheet=True)
    return _ingest([EXAMPLES, folder / "generated", xlsx], folder / "corpus.db")


def test_every_corpus_check_finds_the_same_on_compact_forms(corpus):
    full = list(corpus.forms())
    compact = CompactCorpus.from_rows(corpus.form_rows())
    assert len(compact.forms) == len(full) > 300
    want = _corpus_findings(full)
    got = _corpus_findings(compact.forms, corpus, compact.placed)
    assert sum(map(len, want.values())) > 50  # the corpus has findings of several checks to compare
    assert {k for k, v in want.items() if v} >= {"indicator.table_copied", "link.target_changed"}
    for code in want:
        assert got[code] == want[code], code


def test_workbook_evidence_names_its_cell_through_the_store(corpus):
    compact = CompactCorpus.from_rows(corpus.form_rows())
    assert compact.placed and all(f.endswith("putuo.xlsx") for f in compact.placed)
    assert all(not f.source.places for f in compact.forms)  # left out of the compact copies
    got = _corpus_findings(compact.forms, corpus, compact.placed)
    located = [line for lines in got.values() for line in lines if "putuo.xlsx" in line]
    assert located and all('"location": "Sheet1!' in line.replace('":"', '": "') for line in located)


def test_compact_forms_are_a_fraction_of_the_memory(corpus):
    full = list(corpus.forms())
    compact = [CompactForm(f) for f in full]

    def size(obj, seen: set) -> int:
        if id(obj) in seen or isinstance(obj, (type, int, float, bool)) or obj is None:
            return 0
        seen.add(id(obj))
        n = sys.getsizeof(obj)
        if isinstance(obj, dict):
            n += sum(size(k, seen) + size(v, seen) for k, v in obj.items())
        elif isinstance(obj, (list, tuple, set)):
            n += sum(size(x, seen) for x in obj)
        elif hasattr(obj, "__slots__"):
            n += sum(size(getattr(obj, s, None), seen) for s in obj.__slots__)
        elif hasattr(obj, "__dict__"):
            n += size(obj.__dict__, seen)
            for extra in ("__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"):
                n += size(getattr(obj, extra, None), seen)
        return n

    full_bytes, compact_bytes = size(full, set()), size(compact, set())
    assert compact_bytes < 0.5 * full_bytes, (compact_bytes, full_bytes)


def test_a_damaged_row_is_skipped():
    rows = [(1, "{not json"), (2, '{"form_type": "declaration"}')]  # the second lacks its source
    assert CompactCorpus.from_rows(rows).forms == []
