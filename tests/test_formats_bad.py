"""Issue 12: bad Office files get a clear message naming the file, and never stop the other files.

Behaviour on a huge workbook: the size of the sheet data is read from the ZIP directory before anything
is parsed; over forms.read_xlsx.MAX_SHEET_XML (200 MB of sheet XML, ~20,000 forms) the file is refused
with "workbook too large", and sheet data packed more than 200:1 (over 100 MB) is refused as a ZIP bomb.
Generating a real ~100 MB workbook is not fast enough for a test: the limit is lowered instead.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from testkit.office_export import export_xlsx
from jixiao.cli import app
from jixiao.forms import read_xlsx
from jixiao.forms.parser import parse_file
from jixiao.index.store import Store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def _workbook_bytes(value: str = "项目名称") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _encrypted(path: Path) -> Path:
    """An encrypted OOXML file: an OLE container holding an EncryptedPackage stream."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        OOXMLFile = None
    if OOXMLFile is not None:
        out = io.BytesIO()
        OOXMLFile(io.BytesIO(_workbook_bytes())).encrypt("secret", out)
        path.write_bytes(out.getvalue())
    else:  # what the reader looks at: the OLE signature and the stream's name in the directory
        header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
        entry = "EncryptedPackage".encode("utf-16-le").ljust(64, b"\x00")
        path.write_bytes(header + entry + b"\x00" * 448)
    return path


def _bad_files(tmp: Path) -> dict[str, Path]:
    good = export_xlsx(EXAMPLES / "minhang_2024_tracking.txt", tmp / "good_source.xlsx", one_sheet=True).read_bytes()
    files = {
        "encrypted": _encrypted(tmp / "locked.xlsx"),
        "truncated": tmp / "truncated.xlsx",
        "garbled": tmp / "garbled.xlsx",
        "noform": tmp / "notes.xlsx",
        "renamed": tmp / "renamed.xlsx",
        "empty": tmp / "empty.xlsx",
    }
    files["truncated"].write_bytes(good[: len(good) // 2])
    damaged = bytearray(good)
    damaged[3000:3200] = b"x" * 200  # inside a compressed part: the ZIP directory is intact, the data is not
    files["garbled"].write_bytes(bytes(damaged))
    files["noform"].write_bytes(_workbook_bytes("会议纪要：本次会议讨论了预算编制工作。"))
    files["renamed"].write_text("项目名称\t办公经费\n", encoding="utf-8")
    files["empty"].write_bytes(b"")
    (tmp / "good_source.xlsx").unlink()
    return files


EXPECTED = {
    "encrypted": "password-protected",
    "truncated": "damaged ZIP container",
    "garbled": "damaged",
    "noform": "no performance form found",
    "renamed": "bytes are not a xlsx file",
    "empty": "empty file",
}


def test_messages_name_the_file(tmp_path):
    for kind, path in _bad_files(tmp_path).items():
        result = parse_file(path)
        assert result.failed, kind
        errors = [str(i) for i in result.issues if i.severity == "error"]
        assert any(str(path) in m and EXPECTED[kind] in m for m in errors), (kind, errors)


def test_ingest_goes_on_exits_1_and_stores_nothing_from_bad_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    files = _bad_files(folder)
    good = export_xlsx(EXAMPLES / "minhang_2024_tracking.txt", folder / "good.xlsx", one_sheet=False)
    (folder / "~$good.xlsx").write_bytes(b"\x00lock")  # Office's lock file: not collected
    db = tmp_path / "c.db"
    res = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "--format", "json"])
    assert res.exit_code == 1
    reports = {Path(r["path"]).name: r for r in json.loads(res.stdout)}
    assert "~$good.xlsx" not in reports
    assert reports["good.xlsx"]["status"] == "stored" and reports["good.xlsx"]["forms"] == 4
    for kind, path in files.items():
        r = reports[path.name]
        assert r["status"] == "failed" and path.name in r["error"] and EXPECTED[kind] in r["error"], (kind, r)
    with Store(db) as store:
        stored = {f.source.file for f in store.forms()}
        forms = list(store.forms())
    assert stored == {str(good)}
    assert all(f.source.places for f in forms)  # the places travel into the corpus


def test_huge_workbook_is_refused_before_reading(tmp_path, monkeypatch):
    path = export_xlsx(EXAMPLES / "putuo_2024_self_evaluation.txt", tmp_path / "big.xlsx", one_sheet=True)
    monkeypatch.setattr(read_xlsx, "MAX_SHEET_XML", 10_000)
    result = parse_file(path)
    assert result.failed and not result.forms
    assert any(str(path) in str(i) and "workbook too large" in i.message for i in result.issues)


def test_zip_bomb_is_refused(tmp_path):
    """150 MB of one repeated row packed into a few hundred kB."""
    path = tmp_path / "bomb.xlsx"
    good = _workbook_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with dst.open(info.filename, "w") as out:
                    out.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
                    for _ in range(150_000_000 // len(row)):
                        out.write(row)
                    out.write(b"</sheetData></worksheet>")
            else:
                dst.writestr(info, src.read(info.filename))
    result = parse_file(path)
    assert result.failed
    assert any("ZIP bomb" in i.message and str(path) in str(i) for i in result.issues)


@pytest.mark.parametrize("suffix", [".docx", ".pdf", ".xls"])
def test_wrong_bytes_for_the_suffix(tmp_path, suffix):
    path = tmp_path / f"x{suffix}"
    path.write_text("just text", encoding="utf-8")
    result = parse_file(path)
    assert result.failed and any(f"named {suffix}" in i.message for i in result.issues)


def test_a_zip_that_is_no_office_file(tmp_path):
    path = tmp_path / "forms.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    result = parse_file(path)
    assert result.failed and any("neither an Excel" in i.message for i in result.issues)
