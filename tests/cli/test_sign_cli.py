"""`pakta sign` run as an official runs it: one pact, many pacts, and every way it must refuse.

Each refusal is checked the same way: exit code 2, one `error:` line saying why, the input
byte-for-byte unchanged, and no output (not even a temporary file) left behind.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.conftest import (
    AYU,
    MADE,
    PASSPHRASE,
    WITNESS,
    listing,
    make_ca,
    make_identity,
    one_error,
    rendered_pact,
    run_cli,
    sha256,
)
from tests.test_sign import assert_valid, validate

run = run_cli


@pytest.fixture
def signer(tmp_path: Path) -> tuple[Path, Path]:
    return make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], stem="ayu")


def test_sign_one_pact(tmp_path: Path, pact: Path, signer: tuple[Path, Path], keys_env: dict[str, str]) -> None:
    before = sha256(pact)
    out = tmp_path / "signed.pdf"
    code, _, err = run("sign", pact, "--key", signer[0], "-o", out)  # the certificate: the key's sibling
    assert code == 0, err
    assert f"signed {pact} as pakta-signer-1 ({AYU['name']}, matched by NIP) -> {out}" in err
    assert sha256(pact) == before
    assert_valid(validate(out.read_bytes(), signer[1]), 1)
    (sig,) = PdfFileReader(io.BytesIO(out.read_bytes())).embedded_signatures
    assert str(sig.sig_object["/M"]).endswith("+08'00'")  # PAKTA_TIMEZONE=WITA from keys_env


def test_warns_about_a_key_others_can_read(tmp_path: Path, pact: Path, signer: tuple[Path, Path],
                                          keys_env: dict[str, str]) -> None:
    signer[0].chmod(0o644)
    code, _, err = run("sign", pact, "--key", signer[0], "-o", tmp_path / "s.pdf")
    assert code == 0, err
    assert f"warning: {signer[0]} can be read by other users" in err


def test_two_parties_sign_in_turn(tmp_path: Path, pact: Path, signer: tuple[Path, Path],
                                  made: tuple[Path, Path], keys_env: dict[str, str]) -> None:
    first, second = tmp_path / "1.pdf", tmp_path / "2.pdf"
    assert run("sign", pact, "--key", signer[0], "-o", first)[0] == 0
    code, _, err = run("sign", first, "--key", made[0], "-o", second, "--timezone", "WIT")
    assert code == 0, err
    assert "as pakta-superior-1" in err
    assert_valid(validate(second.read_bytes(), signer[1], made[1]), 2)
    sigs = PdfFileReader(io.BytesIO(second.read_bytes())).embedded_signatures
    assert str(sigs[1].sig_object["/M"]).endswith("+09'00'")


def test_party_option_for_a_party_without_nip(tmp_path: Path, keys_env: dict[str, str]) -> None:
    pdf = rendered_pact(tmp_path / "p", [AYU, WITNESS], signing_order="any")  # the witness signs first
    pair = make_identity(tmp_path / "k", WITNESS["name"])
    code, _, err = run("sign", pdf, "--key", pair[0], "-o", tmp_path / "x.pdf")
    one_error(code, err, "is none of the parties this pact expects: pakta-signer-1 (Ni Luh Ayu Sukmawati")
    assert f'hint: {WITNESS["name"]} has no NIP, NIK or key id in this pact: sign with --party "{WITNESS["name"]}"' \
        in " ".join(err.split())
    code, _, err = run("sign", pdf, "--key", pair[0], "-o", tmp_path / "x.pdf", "--party", "pakta-witness-1")
    assert code == 0, err
    assert "matched by name only (weak)" in err and "verifiers will call this match weak" in err


def test_party_option_refuses_a_certificate_in_another_name(tmp_path: Path, keys_env: dict[str, str]) -> None:
    pdf = rendered_pact(tmp_path / "p", [AYU, WITNESS])
    before = sha256(pdf)
    other = make_identity(tmp_path / "k", "Ni Made Ayu Kusumawati")
    code, _, err = run("sign", pdf, "--key", other[0], "-o", tmp_path / "x.pdf", "--party", "pakta-witness-1")
    one_error(code, err, f"pakta-witness-1 ({WITNESS['name']}): signer Ni Made Ayu Kusumawati is not {WITNESS['name']}")
    assert not (tmp_path / "x.pdf").exists() and sha256(pdf) == before


def test_any_pdf(tmp_path: Path, signer: tuple[Path, Path], keys_env: dict[str, str]) -> None:
    from reportlab.pdfgen.canvas import Canvas

    letter = tmp_path / "letter.pdf"
    canvas = Canvas(str(letter))
    canvas.drawString(72, 700, "Surat undangan")
    canvas.save()
    code, _, err = run("sign", letter, "--key", signer[0], "-o", tmp_path / "out.pdf")
    one_error(code, err, "not a pact rendered by pakta")
    assert "--any-pdf" in err and not (tmp_path / "out.pdf").exists()
    code, _, err = run("sign", letter, "--key", signer[0], "-o", tmp_path / "out.pdf", "--any-pdf",
                       "--party", "pakta-signer-1")
    one_error(code, err, "not a pakta pact, so it has no party 'pakta-signer-1' to sign as")
    code, _, err = run("sign", letter, "--key", signer[0], "-o", tmp_path / "out.pdf", "--any-pdf")
    assert code == 0, err
    assert_valid(validate((tmp_path / "out.pdf").read_bytes(), signer[1]), 1)


def test_in_place(pact: Path, signer: tuple[Path, Path], keys_env: dict[str, str]) -> None:
    before = sha256(pact)
    code, _, err = run("sign", pact, "--key", signer[0], "--in-place")
    assert code == 0, err
    assert sha256(pact) != before
    assert_valid(validate(pact.read_bytes(), signer[1]), 1)
    assert listing(pact.parent) == [pact.name]


def test_output_choice_is_required_and_checked(tmp_path: Path, pact: Path, signer: tuple[Path, Path],
                                               keys_env: dict[str, str]) -> None:
    code, _, err = run("sign", pact, "--key", signer[0])
    one_error(code, err, "say where the signed PDFs go")
    other = rendered_pact(tmp_path / "q", name="other.pdf")
    code, _, err = run("sign", pact, other, "--key", signer[0], "-o", tmp_path / "o.pdf")
    one_error(code, err, "-o names one output file")
    code, _, err = run("sign", pact, "--key", signer[0], "-o", tmp_path / "o.pdf", "--in-place")
    one_error(code, err, "choose one of -o OUT.pdf, --out-dir DIR and --in-place")
    fifo = tmp_path / "fifo.pdf"
    os.mkfifo(fifo)  # --force replaces files, never a FIFO or a device
    code, _, err = run("sign", pact, "--key", signer[0], "-o", fifo, "--force")
    one_error(code, err, f"{fifo}: is not a regular file")


def test_chain_must_be_the_ca_that_issued_the_certificate(tmp_path: Path, pact: Path,
                                                         keys_env: dict[str, str]) -> None:
    authority = make_ca(tmp_path / "ca")
    other = make_ca(tmp_path / "other", "KPU Kabupaten Lain")
    pair = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], authority, stem="ayu")
    self_signed = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], stem="self")
    for key, chain, whose in ((pair[0], other.paths.cert, "your certificate"),
                              (self_signed[0], authority.paths.cert, "your certificate"),
                              (pair[0], self_signed[1], "your certificate")):
        code, _, err = run("sign", pact, "--key", key, "--chain", chain, "-o", tmp_path / "o.pdf")
        one_error(code, err, f"{chain}: did not issue {whose}")
        assert not (tmp_path / "o.pdf").exists()
    code, _, err = run("sign", pact, "--key", pair[0], "--chain", authority.paths.cert, "-o", tmp_path / "o.pdf")
    assert code == 0, err


# --- refusals: exit 2, one line, input untouched, nothing left behind -----------------------------


def _encrypted(pdf: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(pdf))
    writer.encrypt("kata sandi", "pemilik")
    with open(pdf, "wb") as handle:
        writer.write(handle)


def _rsa_key(tmp_path: Path, signer: tuple[Path, Path]) -> list[str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "keys" / "rsa.key"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(PASSPHRASE)))
    return ["--key", str(path), "--cert", str(signer[1])]


def _other_cert(tmp_path: Path, signer: tuple[Path, Path]) -> list[str]:
    other = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], stem="other")
    return ["--key", str(signer[0]), "--cert", str(other[1])]


def _dated(days_from: int, days_to: int) -> Callable[[Path, tuple[Path, Path]], list[str]]:
    def make(tmp_path: Path, signer: tuple[Path, Path]) -> list[str]:
        now = dt.datetime.now(dt.UTC)
        pair = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], stem="dated",
                             not_before=now + dt.timedelta(days=days_from), not_after=now + dt.timedelta(days=days_to))
        return ["--key", str(pair[0])]
    return make


def _with_key(tmp_path: Path, signer: tuple[Path, Path]) -> list[str]:
    return ["--key", str(signer[0])]


CASES: dict[str, tuple[Callable[[Path, tuple[Path, Path]], list[str]], Callable[[Path], None] | None, str]] = {
    "wrong passphrase": (_with_key, None, "wrong passphrase for this key"),
    "key not Ed25519": (_rsa_key, None, "not an Ed25519 key (it is an RSA 2048-bit key)"),
    "key and certificate apart": (_other_cert, None, "do not belong together"),
    "certificate expired": (_dated(-30, -1), None, "certificate expired on"),
    "certificate not yet valid": (_dated(2, 30), None, "certificate not valid yet"),
    "not a PDF": (_with_key, lambda p: p.write_bytes(b"Ini bukan PDF\n"), "not a PDF file"),
    "encrypted PDF": (_with_key, _encrypted, "encrypted PDF"),
    "corrupt PDF": (_with_key, lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
                    "damaged or unreadable PDF"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_refusals(case: str, tmp_path: Path, pact: Path, signer: tuple[Path, Path],
                  monkeypatch: pytest.MonkeyPatch, keys_env: dict[str, str]) -> None:
    make_args, spoil, message = CASES[case]
    args = make_args(tmp_path, signer)
    if spoil:
        spoil(pact)
    if case == "wrong passphrase":
        monkeypatch.setenv("PAKTA_PASSPHRASE", "bukan kata sandinya")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before_pact, before_out = sha256(pact), listing(tmp_path)
    code, _, err = run("sign", pact, *args, "-o", out_dir / "signed.pdf")
    one_error(code, err, message)
    assert sha256(pact) == before_pact
    assert listing(tmp_path) == before_out
    # the same refusal for a batch leaves no output folder behind either
    code, _, err = run("sign", pact, *args, "--out-dir", tmp_path / "batch")
    assert code == 2 and message in err
    assert sha256(pact) == before_pact and not (tmp_path / "batch").exists()


def test_output_exists(tmp_path: Path, pact: Path, signer: tuple[Path, Path], keys_env: dict[str, str]) -> None:
    out = tmp_path / "signed.pdf"
    out.write_bytes(b"an earlier signed pact")
    code, _, err = run("sign", pact, "--key", signer[0], "-o", out)
    one_error(code, err, f"{out}: already exists")
    assert out.read_bytes() == b"an earlier signed pact"
    assert listing(tmp_path) == sorted(["keys", "keys/ayu.crt", "keys/ayu.key", "pacts", "pacts/pakta.pdf",
                                        "signed.pdf"])
    code, _, err = run("sign", pact, "--key", signer[0], "-o", out, "--force")
    assert code == 0, err
    assert_valid(validate(out.read_bytes(), signer[1]), 1)


def test_already_signed_and_not_a_party(tmp_path: Path, pact: Path, signer: tuple[Path, Path],
                                        keys_env: dict[str, str]) -> None:
    once = tmp_path / "once.pdf"
    assert run("sign", pact, "--key", signer[0], "-o", once)[0] == 0
    before = sha256(once)
    code, _, err = run("sign", once, "--key", signer[0], "-o", tmp_path / "twice.pdf")
    one_error(code, err, "pakta-signer-1 (Ni Luh Ayu Sukmawati) is already signed")
    stranger = make_identity(tmp_path / "keys", "Orang Lain", "199001012015011001", stem="stranger")
    code, _, err = run("sign", once, "--key", stranger[0], "-o", tmp_path / "twice.pdf")
    one_error(code, err, "is none of the parties this pact expects")
    assert sha256(once) == before and not (tmp_path / "twice.pdf").exists()


def test_a_pact_changed_after_rendering_or_signing_is_not_signed(tmp_path: Path, pact: Path, signer: tuple[Path, Path],
                                                                  made: tuple[Path, Path],
                                                                  keys_env: dict[str, str]) -> None:
    """An official never adds a signature to a pact someone changed: before the first signature
    (a comment laid over the text) or after it (the superior must not co-sign the change)."""
    from tests.attacks import tamper

    changed = tmp_path / "changed.pdf"
    changed.write_bytes(tamper.covering_annotation(pact.read_bytes()))
    code, _, err = run("sign", changed, "--key", signer[0], "-o", tmp_path / "out.pdf")
    one_error(code, err, f"{changed}: refusing to sign: ")
    assert "annotation added on page 1" in err and "pakta verify" in err
    once = tmp_path / "once.pdf"
    assert run("sign", pact, "--key", signer[0], "-o", once)[0] == 0
    changed.write_bytes(tamper.covering_annotation(once.read_bytes()))
    before = sha256(changed)
    code, _, err = run("sign", changed, "--key", made[0], "-o", tmp_path / "out.pdf")
    one_error(code, err, f"{changed}: refusing to sign: ")
    assert sha256(changed) == before and not (tmp_path / "out.pdf").exists()


# --- batches --------------------------------------------------------------------------------------


def test_batch_one_bad_file(tmp_path: Path, signer: tuple[Path, Path], keys_env: dict[str, str]) -> None:
    pdfs = [rendered_pact(tmp_path / "in", name=f"{i}.pdf") for i in range(3)]
    bad = tmp_path / "in" / "rusak.pdf"
    bad.write_bytes(b"%PDF-1.4\n garbage")
    code, out, err = run("sign", *pdfs, bad, "--key", signer[0], "--out-dir", tmp_path / "out")
    assert code == 2
    assert "error: 1 of 4 pacts not signed; the others were" in err
    # piped: one tab-separated line per pact, whole file names, nothing drawn
    rows = [line.split("\t") for line in out.splitlines()]
    assert [row[:2] for row in rows] == [[str(pdf), "signed"] for pdf in pdfs] + [[str(bad), "FAILED"]]
    assert all(len(row) == 5 for row in rows) and rows[0][4] == str(tmp_path / "out" / "0.pdf")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["0.pdf", "1.pdf", "2.pdf"]
    for pdf in pdfs:
        assert_valid(validate((tmp_path / "out" / pdf.name).read_bytes(), signer[1]), 1)


def test_batch_json_and_one_prompt(tmp_path: Path, signer: tuple[Path, Path],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAKTA_PASSPHRASE", raising=False)
    pdfs = [rendered_pact(tmp_path / "in", name=f"{i}.pdf") for i in range(3)]
    code, out, err = run("sign", *pdfs, "--key", signer[0], "--in-place", "--json", input=PASSPHRASE.decode() + "\n")
    assert code == 0, err
    assert "Passphrase for key" in err and "Passphrase" not in out  # the prompt never mixes with the data
    results = json.loads(out)
    assert [r["ok"] for r in results] == [True, True, True]
    assert {r["field"] for r in results} == {"pakta-signer-1"} and {r["match"] for r in results} == {"nip"}


def test_batch_over_processes_with_the_ca(tmp_path: Path) -> None:
    """The real command in a subprocess, enough pacts for two worker processes, a CA-issued key."""
    authority = make_ca(tmp_path / "ca")
    pair = make_identity(tmp_path / "keys", MADE["name"], MADE["nip"], authority, stem="made")
    staff = [{"role": "signer", "name": f"Staf {i:02d}", "nip": f"1990010120150110{i:02d}"} for i in range(1, 27)]
    # in any order, so the superior signs before the staff (the processes and the CA are the point here)
    pdfs = [rendered_pact(tmp_path / "in", [person, MADE], name=f"{i:02d}.pdf", signing_order="any")
            for i, person in enumerate(staff)]
    env = {**os.environ, "PAKTA_PASSPHRASE": PASSPHRASE.decode(), "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pakta_cli", "sign", *map(str, pdfs), "--key", str(pair[0]), "--chain",
         str(authority.paths.cert), "--out-dir", str(tmp_path / "out"), "--jobs", "2"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "signed 26 pacts" in result.stderr
    for pdf in pdfs[:3]:
        statuses = validate((tmp_path / "out" / pdf.name).read_bytes(), authority.paths.cert)
        assert_valid(statuses, 1)
        assert statuses[0].signing_cert.subject.native["serial_number"] == MADE["nip"]
