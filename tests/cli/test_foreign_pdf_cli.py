"""`pakta verify` of a PDF pakta did not render (signed with `pakta sign --any-pdf`): never VALID,
for the one reason that it is not a pact, with its signatures checked as any PDF signature is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AYU, MADE, make_identity, run_cli

NOT_A_PACT = ("not a pact: pakta did not render this PDF (it carries no pakta manifest); only its signatures were "
              "checked")


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    """An invitation letter made by another program."""
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "undangan.pdf"
    canvas = Canvas(str(path))
    canvas.drawString(72, 700, "Surat undangan rapat pleno")
    canvas.save()
    return path


@pytest.fixture
def signed_letter(tmp_path: Path, letter: Path, keys_env: dict[str, str]) -> tuple[Path, Path]:
    key, cert = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"])
    code, _, err = run_cli("sign", letter, "--key", key, "--any-pdf", "-o", tmp_path / "signed.pdf")
    assert code == 0, err
    return tmp_path / "signed.pdf", cert


def document(*args: str | Path) -> tuple[int, dict[str, Any]]:
    code, out, _ = run_cli("verify", *args, "--json")
    (found,) = json.loads(out)["documents"]
    return code, found


def test_a_foreign_pdf_is_not_a_pact_and_that_is_the_only_reason(signed_letter: tuple[Path, Path]) -> None:
    pdf, cert = signed_letter
    code, out, _ = run_cli("verify", pdf, "--trust", cert)
    assert code == 1
    status, name, parties, signers, reasons = out.rstrip("\n").split("\t")
    assert (status, name, parties) == ("FAIL", str(pdf), "-")
    assert signers.startswith(f"{AYU['name']} [")
    assert reasons == NOT_A_PACT  # nothing that reads like an attack: no "changed after signing", no "as rendered"
    code, found = document(pdf, "--trust", cert)
    assert [c["name"] for c in found["checks"]] == ["readable", "pact"]
    (signature,) = found["signatures"]
    assert [(c["name"], c["ok"]) for c in signature["checks"]] == [
        ("byte_range", True), ("digest", True), ("signature", True), ("timestamp", True), ("trusted", True),
        ("valid_at_signing_time", True), ("not_revoked", True)]
    assert signature["party"] is None and signature["revision"] == 2


def test_its_signatures_still_fail_for_what_any_signature_fails(signed_letter: tuple[Path, Path],
                                                                 tmp_path: Path) -> None:
    pdf, _ = signed_letter
    stranger = make_identity(tmp_path / "others", MADE["name"], MADE["nip"])[1]
    code, out, _ = run_cli("verify", pdf, "--trust", stranger)
    assert code == 1 and NOT_A_PACT in out
    assert f"certificate of {AYU['name']}" in out and "is not trusted" in out
    data = pdf.read_bytes()
    changed = tmp_path / "changed.pdf"  # the page made larger, in the bytes the signature covers
    changed.write_bytes(data.replace(b"/MediaBox [ 0 0 595.2756", b"/MediaBox [ 0 0 612.0000", 1))
    assert changed.read_bytes() != data
    code, out, _ = run_cli("verify", changed, "--trust", signed_letter[1])
    assert code == 1 and NOT_A_PACT in out
    assert "the signed bytes were altered" in out


def test_an_unsigned_foreign_pdf_says_it_holds_no_signature(letter: Path, tmp_path: Path) -> None:
    cert = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"])[1]
    code, out, _ = run_cli("verify", letter, "--trust", cert)
    assert code == 1
    assert out.rstrip("\n").split("\t")[-1] == (
        "not a pact: pakta did not render this PDF (it carries no pakta manifest); and it holds no signature")
