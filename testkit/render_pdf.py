"""Render Word/Excel files to PDF with LibreOffice headless, as a reviewer's PDF would have been made.

    python testkit/render_pdf.py OUT_DIR FILE.docx [FILE.xlsx ...]

Each run uses its own LibreOffice profile (-env:UserInstallation) so that parallel runs (tests, benches)
do not clash on the shared one. `available()` tells whether soffice is installed; the tests skip without it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


def render_pdf(files: list[Path] | Path, out_dir: Path, timeout: float = 600) -> list[Path]:
    """Convert each file to OUT_DIR/<stem>.pdf in one LibreOffice run; returns the PDFs' paths."""
    files = [Path(files)] if isinstance(files, (str, Path)) else [Path(f) for f in files]
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer libreoffice-calc")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, files)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    pdfs = [out_dir / f"{f.stem}.pdf" for f in files]
    missing = [p for p in pdfs if not p.exists()]
    if proc.returncode != 0 or missing:
        raise RuntimeError(f"soffice failed ({proc.returncode}) for {', '.join(map(str, missing)) or 'files'}: "
                           f"{proc.stderr.strip()[-500:]}")
    return pdfs


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    for p in render_pdf([Path(a) for a in argv[1:]], Path(argv[0])):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
