"""`pakta demo`: the whole flow runs on the bundled examples in a fresh folder, and again in its own one;
never in a folder that holds anything it did not make."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from pakta_cli import localtsa
from pakta_cli.cli.app import app
from pakta_cli.demo import MARKER, clear_earlier_demo
from tests.conftest import listing, one_error, run_cli

runner = CliRunner()


def test_demo_renders_signs_verifies_and_catches_the_tamper(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = runner.invoke(app, ["demo", str(folder)])
    assert result.exit_code == 0, result.stderr
    assert "replaced" not in result.stderr
    assert "3 documents: 3 VALID, 0 INCOMPLETE, 0 FAIL" in result.stdout
    assert "1 document: 0 VALID, 0 INCOMPLETE, 1 FAIL" in result.stdout
    assert "signed pacts/perjanjian-kinerja.pdf in pakta-superior-1" in result.stderr
    if localtsa.available():  # the institution's own timestamp authority attests every signing time
        assert "started its timestamp authority" in result.stderr
        assert "time attested by TSA Komisi Pemilihan Umum Kabupaten Kediri" in result.stdout
        # the story gives times as the stamps and verdicts do, in the zone the demo signs in
        assert re.search(r"in pakta-superior-1, time attested \d\d:\d\d:\d\d WIB\n", result.stderr)
        # and the office archives one pact with an archive timestamp (PAdES B-LTA), which verify checks
        assert "in pacts/pakta-integritas.pdf, with an archive timestamp" in result.stderr
        archived = runner.invoke(app, ["verify", str(folder / "pacts" / "pakta-integritas.pdf"), "--trust",
                                       str(folder / "keys" / "demo-ca.crt"), "--json"])
        checks = {c["name"]: c["ok"] for c in json.loads(archived.stdout)["documents"][0]["checks"]}
        assert archived.exit_code == 0 and checks["archive_timestamp"] is True
    assert sorted(p.name for p in (folder / "pacts").iterdir()) == [
        "pakta-integritas.pdf", "perjanjian-kinerja.pdf", "pernyataan-bebas-benturan-kepentingan.pdf"]
    # the auditor's command it prints works on its own
    verify = runner.invoke(app, ["verify", str(folder / "pacts"), "--trust", str(folder / "keys" / "demo-ca.crt")])
    assert verify.exit_code == 0, verify.stdout
    tampered = runner.invoke(app, ["verify", str(folder / "tampered"), "--trust", str(folder / "keys" / "demo-ca.crt")])
    assert tampered.exit_code == 1
    # run again: the demo replaces its own folder, and the result is the same set of files
    made = listing(folder)
    assert MARKER in made and "pacts/pakta-integritas.pdf" in made
    again = runner.invoke(app, ["demo", str(folder)])
    assert again.exit_code == 0, again.stderr
    assert again.stderr.startswith(f"replaced the earlier demo in {folder}/\n")
    assert listing(folder) == made


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    code, out, err = run_cli("demo", tmp_path)
    one_error(code, err, f"{tmp_path}: exists, is not empty and is not a pakta demo folder (it has no .pakta-demo "
                         "marker)")
    assert "hint: pakta demo replaces only a folder it made itself" in err and "Traceback" not in out + err
    assert listing(tmp_path) == ["keep.txt"]
    (tmp_path / MARKER).write_text("not what pakta writes")
    code, _, err = run_cli("demo", tmp_path)
    one_error(code, err, "is not a pakta demo folder")
    assert listing(tmp_path) == [MARKER, "keep.txt"]


def test_demo_refuses_its_own_folder_when_it_holds_more_than_the_demo_made(tmp_path: Path) -> None:
    folder, outside = tmp_path / "demo", tmp_path / "outside"
    (folder / "pacts").mkdir(parents=True)
    (folder / "pacts" / "perjanjian-kinerja.pdf").write_bytes(b"%PDF- the demo's")
    (folder / "pacts" / "mine.pdf").write_bytes(b"%PDF- a clerk's real signed pact")
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    (folder / "keys").symlink_to(outside)
    (folder / MARKER).write_text(json.dumps({"pakta_demo": 1, "made": ["pacts", "pacts/perjanjian-kinerja.pdf"]}))
    before = listing(tmp_path)
    code, _, err = run_cli("demo", folder)
    one_error(code, err, f"{folder}: an earlier pakta demo, but it holds what the demo did not make: keys, "
                         "pacts/mine.pdf")
    assert "hint: move those out of the folder first" in err
    assert listing(tmp_path) == before


def test_clearing_an_earlier_demo_never_follows_a_link_out_of_it(tmp_path: Path) -> None:
    folder, outside = tmp_path / "demo", tmp_path / "outside"
    outside.mkdir()
    (outside / "perjanjian-kinerja.pdf").write_text("not the demo's")
    folder.mkdir()
    (folder / "pacts").symlink_to(outside)  # where the demo made a folder, now a link to someone else's
    (folder / MARKER).write_text(json.dumps({"pakta_demo": 1, "made": ["pacts", "pacts/perjanjian-kinerja.pdf"]}))
    assert clear_earlier_demo(folder)
    assert listing(folder) == [] and listing(outside) == ["perjanjian-kinerja.pdf"]
