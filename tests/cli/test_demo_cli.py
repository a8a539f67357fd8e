"""`pakta demo`: the whole flow runs on the bundled examples in a fresh folder."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pakta_cli.cli.app import app

runner = CliRunner()


def test_demo_renders_signs_verifies_and_catches_the_tamper(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = runner.invoke(app, ["demo", str(folder)])
    assert result.exit_code == 0, result.stderr
    assert "3 dokumen / documents: 3 VALID, 0 INCOMPLETE, 0 FAIL" in result.stdout
    assert "1 dokumen / documents: 0 VALID, 0 INCOMPLETE, 1 FAIL" in result.stdout
    assert "signed pacts/perjanjian-kinerja.pdf in pakta-superior-1" in result.stderr
    assert sorted(p.name for p in (folder / "pacts").iterdir()) == [
        "pakta-integritas.pdf", "perjanjian-kinerja.pdf", "pernyataan-bebas-benturan-kepentingan.pdf"]
    # the auditor's command it prints works on its own
    verify = runner.invoke(app, ["verify", str(folder / "pacts"), "--trust", str(folder / "keys" / "demo-ca.crt")])
    assert verify.exit_code == 0, verify.stdout
    tampered = runner.invoke(app, ["verify", str(folder / "tampered"), "--trust", str(folder / "keys" / "demo-ca.crt")])
    assert tampered.exit_code == 1


def test_demo_needs_a_fresh_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["demo", str(tmp_path)])
    assert result.exit_code == 2
    assert "exists and is not empty" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
