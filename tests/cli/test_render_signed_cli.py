"""`pakta render` never destroys a signature: a signed pact is not overwritten, not even with --force.

The signatures are real (made with test keys through `pakta sign`'s library) so the check is held to
what officials actually produce; the byte-level rules of `is_signed` are tested on their own below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pakta_cli import fsutil
from pakta_cli.fsutil import is_signed
from tests.cli.test_render_cli import ROSTER, definition, roster_definition  # noqa: F401 (fixtures)
from tests.conftest import listing, make_identity, run_cli, signed_pact


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, to prove a refused run wrote nothing and changed nothing."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_signed_pact_is_never_rendered_over(definition: Path, tmp_path: Path) -> None:  # noqa: F811
    pdf = definition.parent / "pact.pdf"
    assert run_cli("render", definition, "-o", pdf)[0] == 0
    assert not is_signed(pdf)
    key, cert = make_identity(tmp_path / "keys", "Ni Luh \"Ayu\" & <Putu>", "198609262015051001", passphrase=None)
    signed = signed_pact(definition.parent, pdf, [(key, cert)], name="pact-signed.pdf", passphrase=None)
    assert is_signed(signed)
    before = snapshot(tmp_path)
    for force in ((), ("--force",)):
        code, out, err = run_cli("render", definition, "-o", signed, *force)
        assert code == 2, err
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert errors == [f"error: {signed}: already signed; pakta never overwrites a signed pact, "
                          "not even with --force"]
        assert "hint: move the signed file away" in err and "Traceback" not in out + err
        assert snapshot(tmp_path) == before
    # the unsigned render beside it is still the clerk's to replace
    assert run_cli("render", definition, "-o", pdf, "--force")[0] == 0


def test_a_batch_with_one_signed_pact_writes_nothing(roster_definition: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "out"
    roster = tmp_path / "people.csv"
    assert run_cli("render", roster_definition, "-r", roster, "-o", out)[0] == 0
    target = out / next(p.name for p in sorted(out.glob("i-made-suarjana-*.pdf")))
    key, cert = make_identity(tmp_path / "keys", "I Made Suarjana", passphrase=None)
    signed_pact(out, target, [(key, cert)], name=target.name, party="I Made Suarjana", passphrase=None)
    assert is_signed(target)
    # the clerk fixes a typo in the roster and renders the batch again: every other pact would change
    roster.write_text(ROSTER.replace("Ketua PPS", "Ketua PPS Desa"))
    before = snapshot(out)
    code, _, err = run_cli("render", roster_definition, "-r", roster, "-o", out, "--force")
    assert code == 2, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {target}: already signed; pakta never overwrites a signed pact, "
                      "not even with --force"]
    assert snapshot(out) == before and listing(out) == sorted(before)  # nothing staged, nothing left behind
    # without --force the signed pact is still what is named, not "pass --force"
    code, _, err = run_cli("render", roster_definition, "-r", roster, "-o", out)
    assert code == 2 and "already signed" in err and "--force to overwrite" not in err
    assert snapshot(out) == before


def test_every_signed_pact_of_a_batch_is_named(roster_definition: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "out"
    roster = tmp_path / "people.csv"
    assert run_cli("render", roster_definition, "-r", roster, "-o", out)[0] == 0
    pdfs = sorted(out.glob("*.pdf"))
    for pdf in pdfs[:2]:  # an incremental update is enough to count as signed
        pdf.write_bytes(pdf.read_bytes() + b"\n1 0 obj\n<<>>\nendobj\nstartxref\n0\n%%EOF\n")
    before = snapshot(out)
    code, _, err = run_cli("render", roster_definition, "-r", roster, "-o", out, "--force")
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert sorted(errors) == [f"error: {pdf}: already signed" for pdf in pdfs[:2]]  # in roster order
    assert "2 of the outputs are signed pacts" in err and "move the signed files away" in err
    assert snapshot(out) == before


@pytest.mark.parametrize(("tail", "signed"), [
    (b"", False),
    (b"/ByteRange [0 1 2 3]", True),  # a signature dictionary, even in a single revision
    (b"\nxref\nstartxref\n9\n%%EOF\n", True),  # a second revision
    (b"\n%%EOF\n", True),
])
def test_what_counts_as_signed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tail: bytes, signed: bool) -> None:
    one_revision = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\nxref\n0 1\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n"
    path = tmp_path / "x.pdf"
    path.write_bytes(one_revision + tail)
    assert is_signed(path) is signed
    # the same answer when every token is split across the reader's chunks
    monkeypatch.setattr(fsutil, "_CHUNK", 3)
    assert is_signed(path) is signed


def test_a_file_that_is_not_a_pdf_may_still_be_forced_over(definition: Path) -> None:  # noqa: F811
    target = definition.parent / "notes.pdf"
    target.write_bytes(b"not a pdf at all")
    assert not is_signed(target)
    assert run_cli("render", definition, "-o", target, "--force")[0] == 0
    assert target.read_bytes().startswith(b"%PDF-")
