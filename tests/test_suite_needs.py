"""What the test suite itself needs from the machine, said before any test runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_without_poppler_the_run_stops_at_once_with_one_line(tmp_path: Path) -> None:
    """Many tests read pacts back with poppler-utils, as a viewer would; without it, one line says so."""
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests"],
                            cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=120,
                            env={"PATH": str(tmp_path), "HOME": str(tmp_path)})  # a PATH without poppler
    assert result.returncode == 4
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Exit: poppler-utils is missing (pdftotext, pdftoppm, pdfinfo, pdfdetach not on PATH)")
    assert "apt-get install poppler-utils" in line
