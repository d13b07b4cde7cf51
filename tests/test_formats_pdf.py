"""PDF input: every sample form written to .docx and to .xlsx (ruled, as printed forms are), rendered to PDF by
LibreOffice, reads back to the same forms as the text export. A scan (a PDF without a text layer) is refused
with a message that says it needs OCR; OCR itself runs when tesseract with chi_sim is installed.

Forms that do not survive the PDF round trip are listed in KNOWN with the reason, each its own xfail."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

pdfplumber = pytest.importorskip("pdfplumber", reason="pdfplumber is not installed")

from testkit.samples import EXAMPLES, SAMPLES, comparable, differences, export_samples  # noqa: E402
from testkit.render_pdf import available, render_pdf  # noqa: E402
from jixiao.forms import read_pdf  # noqa: E402
from jixiao.forms.grid import read_grid  # noqa: E402
from jixiao.forms.parser import parse_file  # noqa: E402
from jixiao.forms.textio import InputError  # noqa: E402

needs_soffice = pytest.mark.skipif(not available(), reason="LibreOffice (soffice) is not installed: "
                                   "apt-get install libreoffice-writer libreoffice-calc")

FORM_COUNTS = {"minhang_2024_declaration": 11, "minhang_2024_tracking": 4, "putuo_2024_self_evaluation": 24}

# (rendered from, sample, project) -> why that form does not come back identical from the PDF.
KNOWN = {
    ("docx", "putuo_2024_self_evaluation", "就业促进专项资金"):
        "goal.actual: the text's space in '94.04% (指标数90%)' falls where LibreOffice wraps the line; a PDF "
        "does not keep a space at a line end, so the cell reads '94.04%(指标数90%)'",
}

CASES = [(fmt, name, i) for fmt in ("docx", "xlsx") for name in SAMPLES for i in range(FORM_COUNTS[name])]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Each sample rendered to PDF from its .docx and from its .xlsx (one form per sheet)."""
    if not available():
        pytest.skip("LibreOffice (soffice) is not installed")
    tmp = tmp_path_factory.mktemp("pdf")
    files = export_samples(tmp / "office")
    out = {}
    for fmt in ("docx", "xlsx"):
        rendered = render_pdf([files[n][fmt] for n in SAMPLES], tmp / fmt)
        out.update({(fmt, n): p for n, p in zip(SAMPLES, rendered)})
    return out


_parsed: dict = {}


def _forms(path: Path) -> list[dict]:
    if path not in _parsed:
        result = parse_file(path)
        assert not result.failed, result.issues
        _parsed[path] = comparable(result)
    return _parsed[path]


@needs_soffice
@pytest.mark.parametrize("fmt,name", [(f, n) for f in ("docx", "xlsx") for n in SAMPLES])
def test_pdf_form_count_and_names(pdfs, fmt, name):
    want = _forms(EXAMPLES / f"{name}.txt")
    got = _forms(pdfs[(fmt, name)])
    assert len(want) == FORM_COUNTS[name]
    assert [f["project_name"] for f in got] == [f["project_name"] for f in want]


@needs_soffice
@pytest.mark.parametrize("fmt,name,index", CASES, ids=[f"{f}-{n}-{i}" for f, n, i in CASES])
def test_pdf_round_trip(pdfs, request, fmt, name, index):
    want = _forms(EXAMPLES / f"{name}.txt")[index]
    got_all = _forms(pdfs[(fmt, name)])
    assert index < len(got_all), f"form {index} ({want['project_name']}) missing from the PDF"
    got = got_all[index]
    reason = KNOWN.get((fmt, name, want["project_name"]))
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=False))
    assert want == got, differences(want, got)


@needs_soffice
def test_pdf_places(pdfs):
    grid = read_grid(pdfs[("docx", "minhang_2024_tracking")])
    assert [r.no for r in grid.rows] == list(range(1, len(grid.rows) + 1))
    assert all(re.fullmatch(r"第\d+页第\d+行", p) for p in grid.places.values())
    assert grid.rows[0].cells == ["财政项目支出绩效跟踪表"] and grid.places[1] == "第1页第1行"
    form = parse_file(pdfs[("docx", "minhang_2024_tracking")]).forms[0]
    assert form.source.places


def _image_pdf(out: Path, image) -> Path:
    image.convert("RGB").save(out, "PDF", resolution=150)
    return out


def test_scan_needs_ocr(tmp_path):
    from PIL import Image, ImageDraw

    img = Image.new("L", (1240, 1754), 255)
    d = ImageDraw.Draw(img)
    d.rectangle((100, 200, 1100, 600), outline=0, width=3)
    d.line((100, 400, 1100, 400), fill=0, width=3)
    scan = _image_pdf(tmp_path / "扫描件.pdf", img)
    with pytest.raises(InputError) as e:
        read_grid(scan)
    assert "扫描件.pdf" in str(e.value) and "OCR" in str(e.value) and "--ocr" in str(e.value)
    result = parse_file(scan)
    assert result.failed and "--ocr" in result.issues[0].message


def test_not_a_pdf(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n garbage")
    with pytest.raises(InputError):
        read_grid(bad)


def test_join_lines():
    assert read_pdf.join_lines("100.0\n0") == "100.00"
    assert read_pdf.join_lines("上海市闵\n行区") == "上海市闵行区"
    assert read_pdf.join_lines("Line\nbreak") == "Line break"
    assert read_pdf.join_lines(None) == ""


@needs_soffice
@pytest.mark.skipif(read_pdf.tesseract_missing() is not None, reason=str(read_pdf.tesseract_missing()))
def test_ocr_rendered_page(pdfs, tmp_path):
    """Page 1 of the tracking sample rendered from the .xlsx, rasterised at 200 dpi into an image-only PDF:
    OCR gives most of the page's characters back (measured 93% similar when written; asserted ≥ 80%)."""
    src = pdfs[("xlsx", "minhang_2024_tracking")]
    with pdfplumber.open(str(src)) as pdf:
        truth = re.sub(r"\s", "", pdf.pages[0].extract_text())
        scan = _image_pdf(tmp_path / "scan.pdf", pdf.pages[0].to_image(resolution=200).original)
    grid = read_pdf.read(scan, ocr=True)
    got = re.sub(r"\s", "", "".join("".join(r.cells) for r in grid.rows))
    ratio = difflib.SequenceMatcher(None, truth, got, autojunk=False).ratio()
    assert ratio >= 0.8, (ratio, got[:200])
    assert any(r.cells[:2] == ["项目名称", "办公经费补贴"] for r in grid.rows)
    assert grid.warnings and "OCR" in grid.warnings[0].message
