"""The labelled paraphrase set stays valid against the parser's output (targets exist verbatim)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_paraphrase_set_is_valid():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "check_paraphrase_set.py")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.rstrip().endswith("OK")
