"""Forms per second by input format (the round-trip helpers the format tests share: testkit/samples.py).

    python bench/bench_formats.py [--n 12000] [--pdf-n 1000] [--seed 0] [--compare-pdf-libs]

- text: the generated corpus (testkit/synth.py) as text exports, parsed with parse_file;
- xlsx: the same forms written to .xlsx (testkit/office_export.export_xlsx, one sheet per file), parsed;
- docx: the same forms as .docx (export_docx), parsed;
- pdf: a subset rendered to PDF by LibreOffice from the docx (testkit/render_pdf.py), parsed.
Files hold 100 forms each (the samples hold 4–24), so per-file overhead counts as it does in practice.
Rendering and writing are not timed; parsing is (file read + reader + parser), in one process.

--compare-pdf-libs measures pdfplumber against PyMuPDF on the three samples rendered to PDF:
forms identical to the text export's, and seconds to extract.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: testkit is a package of the repo root
from testkit.samples import EXAMPLES, SAMPLES, comparable, export_samples, rule_docx  # noqa: E402


# --- the benchmark --------------------------------------------------------------------------------

def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _write_texts(pairs, out: Path, per_file: int) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for k in range(0, len(pairs), per_file):
        p = out / f"corpus_{k // per_file:04d}.txt"
        p.write_text("\n\n".join(t for t, _ in pairs[k:k + per_file]) + "\n", encoding="utf-8")
        files.append(p)
    return files


def _time_parse(files: list[Path]) -> tuple[float, int]:
    from jixiao.forms.parser import parse_file

    t = time.perf_counter()
    n = 0
    for f in files:
        r = parse_file(f)
        n += len(r.forms)
    return time.perf_counter() - t, n


def compare_pdf_libs(tmp: Path) -> dict:
    from testkit.render_pdf import render_pdf
    from jixiao.forms import read_pdf
    from jixiao.forms.grid import Grid
    from jixiao.forms.parser import parse_file, parse_grid

    files = export_samples(tmp / "office", formats=("docx",))
    pdfs = render_pdf([files[n]["docx"] for n in SAMPLES], tmp / "pdf")
    out = {}
    for lib in ("pdfplumber", "pymupdf"):
        pages_of = getattr(read_pdf, f"_pages_{lib}")
        same = total = 0
        secs = 0.0
        crashed: list[str] = []
        for name, pdf in zip(SAMPLES, pdfs):
            want = comparable(parse_file(EXAMPLES / f"{name}.txt"))
            t = time.perf_counter()
            pages = pages_of(pdf)
            secs += time.perf_counter() - t
            rows, places = read_pdf.assemble(pages)
            total += len(want)
            try:
                got = comparable(parse_grid(Grid(rows=rows, places=places), str(pdf)))
            except Exception as e:  # the parser failing on what the library made of the file
                crashed.append(f"{name}: {type(e).__name__}: {e}")
                continue
            same += sum(a == b for a, b in zip(want, got)) if len(want) == len(got) else 0
        out[lib] = {"identical": same, "forms": total, "seconds": round(secs, 2), "parser_crashed": crashed}
        print(f"{lib:10s} forms identical {same}/{total}, extraction {secs:.2f} s for 3 PDFs "
              f"{' parser crashed on ' + '; '.join(crashed) if crashed else ''}",
              flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=12_000)
    ap.add_argument("--pdf-n", type=int, default=1_000)
    ap.add_argument("--per-file", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--formats", default="text,xlsx,docx,pdf")
    ap.add_argument("--compare-pdf-libs", action="store_true")
    ap.add_argument("--keep", type=Path, help="write the corpus here instead of a temporary folder")
    a = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    print(_machine())
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmpdir:
        tmp = a.keep or Path(tmpdir)
        if a.compare_pdf_libs:
            compare_pdf_libs(tmp)
            return 0
        from testkit.office_export import export_docx, export_xlsx
        from testkit.synth import generate_corpus

        formats = a.formats.split(",")
        pairs = generate_corpus(a.n, seed=a.seed)
        texts = _write_texts(pairs, tmp / "text", a.per_file)
        results = {}
        if "text" in formats:
            secs, n = _time_parse(texts)
            results["text"] = (n, secs)
        if "xlsx" in formats:
            xs = [export_xlsx(f, tmp / "xlsx" / f"{f.stem}.xlsx", one_sheet=True) for f in texts]
            secs, n = _time_parse(xs)
            results["xlsx"] = (n, secs)
        sub = texts[:max(1, a.pdf_n // a.per_file)]
        if "docx" in formats or "pdf" in formats:
            ds = [rule_docx(export_docx(f, tmp / "docx" / f"{f.stem}.docx")) for f in sub]
            if "docx" in formats:
                secs, n = _time_parse(ds)
                results["docx"] = (n, secs)
            if "pdf" in formats:
                from testkit.render_pdf import available, render_pdf
                if not available():
                    print("pdf: skipped, soffice is not installed")
                else:
                    t = time.perf_counter()
                    ps = render_pdf(ds, tmp / "pdf")
                    print(f"(rendering {len(ps)} docx to PDF took {time.perf_counter() - t:.1f} s, not counted)")
                    secs, n = _time_parse(ps)
                    results["pdf"] = (n, secs)
        for fmt, (n, secs) in results.items():
            print(f"{fmt:5s} {n:6d} forms in {secs:7.2f} s = {n / secs:8.1f} forms/s")
        print(json.dumps({k: round(n / s, 1) for k, (n, s) in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
