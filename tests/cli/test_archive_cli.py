"""Long-term validation through the command line: `pakta archive` stores the certificates and the CA's
CRL in a signed pact (PAdES B-LT), and years later an auditor with only the institution's root verifies
it without a CRL file, using the CRL the pact carries as of the attested signing time."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AYU, INSTITUTION, MADE, listing, make_ca, make_identity, one_error, rendered_pact, run_cli
from tests.tsa import TimestampServer, make_tsa, needs_openssl

pytestmark = needs_openssl


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TimestampServer]:
    with TimestampServer(make_tsa(tmp_path_factory.mktemp("tsa"))) as server:
        yield server


def ok(*args: str | Path) -> str:
    code, out, err = run_cli(*args)
    assert code == 0, out + err
    return err


def signatures(pdf: Path, *extra: str | Path) -> tuple[int, dict[str, Any]]:
    code, out, err = run_cli("verify", pdf, "--json", *extra)
    assert code in (0, 1), err
    return code, json.loads(out)["documents"][0]


def said(document: dict[str, Any], index: int, name: str) -> str:
    found = next(c for c in document["signatures"][index]["checks"] if c["name"] == name)
    return " ".join(m["en"] for m in found["messages"])


def test_an_archived_pact_is_verified_years_later_with_only_the_root(tmp_path: Path, tsa: TimestampServer,
                                                                      keys_env: dict[str, str]) -> None:
    ca = make_ca(tmp_path / "ca")
    made = make_identity(tmp_path / "keys", MADE["name"], MADE["nip"], ca, position=MADE["position"])
    pdf = rendered_pact(tmp_path / "pacts")
    # Ayu's certificate ends in a few seconds: by the audit it has long expired
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"],
                        not_after=now + dt.timedelta(seconds=12))
    first, signed = tmp_path / "first.pdf", tmp_path / "signed.pdf"
    ok("sign", pdf, "--key", ayu[0], "--cert", ayu[1], "-o", first, "--tsa", tsa.url)
    ok("sign", first, "--key", made[0], "--cert", made[1], "-o", signed, "--tsa", tsa.url)
    time.sleep(1.1)
    # she moves to another office: her certificate is revoked, for itself, after she signed
    ok("ca", "revoke", "--ca", ca.paths.key.with_suffix(""), ayu[1], "--reason", "affiliation-changed")
    archived = tmp_path / "archived.pdf"
    err = ok("archive", signed, "--crl", ca.paths.crl, "--cert", ca.paths.cert, "--cert", tsa.files.root,
             "-o", archived)
    assert "5 certificates, 1 CRL" in err  # two signers', the TSA's and its root, the CA root
    time.sleep(max(0.0, (now + dt.timedelta(seconds=13) - dt.datetime.now(dt.UTC)).total_seconds()))

    # the auditor has the institution's root and the TSA's, and no CRL file
    code, document = signatures(archived, "--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
    assert code == 0 and document["status"] == "VALID", document["reasons"]
    assert "after the attested signing time" in said(document, 0, "not_revoked")  # from the stored CRL
    assert "it expired on" in said(document, 0, "valid_at_signing_time")
    assert "not revoked according to the CRL issued" in said(document, 1, "not_revoked")
    # the same pact before it was archived: nothing answers for revocation
    code, document = signatures(signed, "--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
    assert code == 0 and "revocation not checked" in said(document, 0, "not_revoked")


def test_archive_refuses_what_it_cannot_keep(tmp_path: Path, tsa: TimestampServer, keys_env: dict[str, str]) -> None:
    ca = make_ca(tmp_path / "ca")
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"])
    pdf = rendered_pact(tmp_path / "pacts")
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run_cli("archive", pdf, "--crl", ca.paths.crl, "-o", out / "a.pdf")
    one_error(code, err, "nothing to archive: no party has signed yet")
    signed = tmp_path / "signed.pdf"
    ok("sign", pdf, "--key", ayu[0], "--cert", ayu[1], "-o", signed)
    code, _, err = run_cli("archive", signed, "--crl", ca.paths.crl, "-o", out / "a.pdf")
    assert code == 0, err
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(signed.read_bytes() + b"\n")
    code, _, err = run_cli("archive", tampered, "--crl", ca.paths.crl, "-o", out / "b.pdf")
    one_error(code, err, "refusing to archive")
    assert listing(out) == ["a.pdf"]


def test_pyhankos_validator_reads_the_archive(tmp_path: Path, tsa: TimestampServer, keys_env: dict[str, str]) -> None:
    """pyHanko finds the store, takes the CRL it holds as its only revocation source (no fetching,
    revocation required), and calls the archive revision signature maintenance."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    ca = make_ca(tmp_path / "ca")
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"])
    pdf = rendered_pact(tmp_path / "pacts", [AYU])
    signed, archived = tmp_path / "signed.pdf", tmp_path / "archived.pdf"
    ok("sign", pdf, "--key", ayu[0], "--cert", ayu[1], "-o", signed, "--tsa", tsa.url)
    ok("ca", "crl", "--ca", ca.paths.key.with_suffix(""))
    ok("archive", signed, "--crl", ca.paths.crl, "--cert", ca.paths.cert, "--cert", tsa.files.root, "-o", archived)
    with archived.open("rb") as handle:
        reader = PdfFileReader(handle)
        store = DocumentSecurityStore.read_dss(reader)
        assert len(list(store.load_certs())) == 4 and len(store.crls) == 1
        context = store.as_validation_context({"trust_roots": [load_cert_from_pemder(str(ca.paths.cert))],
                                               "allow_fetching": False, "revocation_mode": "hard-fail"})
        time_context = store.as_validation_context({"trust_roots": [load_cert_from_pemder(str(tsa.files.root))],
                                                    "allow_fetching": False})
        status = validate_pdf_signature(reader.embedded_signatures[0], context, ts_validation_context=time_context)
    assert status.bottom_line and status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert "signature maintenance" in status.pretty_print_details()
    code, document = signatures(archived, "--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
    assert code == 0 and "not revoked according to the CRL issued" in said(document, 0, "not_revoked")
    # an archive revision in any other form than pakta's is a change after signing, however small
    data = archived.read_bytes()
    assert data.count(b"/Type /DSS") == 1
    other = tmp_path / "other.pdf"
    other.write_bytes(data.replace(b"/Type /DSS", b"/Type /DSX"))
    code, document = signatures(other, "--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
    assert code == 1 and any(r["check"] == "unchanged_after_signing" for r in document["reasons"])


def test_a_party_signs_after_an_archive_and_the_pact_stays_valid(tmp_path: Path, keys_env: dict[str, str]) -> None:
    ca = make_ca(tmp_path / "ca")
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"])
    made = make_identity(tmp_path / "keys", MADE["name"], MADE["nip"], ca, position=MADE["position"])
    pdf = rendered_pact(tmp_path / "pacts")
    first, archived, both = tmp_path / "first.pdf", tmp_path / "archived.pdf", tmp_path / "both.pdf"
    ok("sign", pdf, "--key", ayu[0], "--cert", ayu[1], "-o", first)
    ok("archive", first, "--crl", ca.paths.crl, "-o", archived)
    ok("sign", archived, "--key", made[0], "--cert", made[1], "-o", both)
    code, document = signatures(both, "--trust", ca.paths.cert)
    assert code == 0 and document["status"] == "VALID", document["reasons"]


def test_an_old_crl_appended_by_anyone_never_clears_a_revoked_signer(tmp_path: Path, keys_env: dict[str, str]) -> None:
    """An archive revision needs no key: a forger who signed with a stolen key appends the CA's CRL from
    before the revocation. A CRL the pact stores speaks of its own time, so it clears only a signature a
    trusted authority timestamped before it was issued; it never answers the auditor's revocation check."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from pakta_cli import dssrevision
    from pakta_cli.pdf.reader import Document

    kpu, bawaslu = make_ca(tmp_path / "kpu"), make_ca(tmp_path / "bawaslu", "Badan Pengawas Pemilu Provinsi Bali")
    before = x509.load_pem_x509_crl(bawaslu.paths.crl.read_bytes()).public_bytes(Encoding.DER)  # empty, of today
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], bawaslu, position=AYU["position"])
    pdf = rendered_pact(tmp_path / "pacts", [AYU])
    signed = tmp_path / "signed.pdf"
    ok("sign", pdf, "--key", ayu[0], "--cert", ayu[1], "-o", signed)
    ok("ca", "revoke", "--ca", bawaslu.paths.key.with_suffix(""), ayu[1], "--reason", "key-compromise")
    data = signed.read_bytes()
    doc = Document(data)
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(data + dssrevision.build(dssrevision.before_archiving(doc, len(doc.revisions)), [], [before]))
    trust = ("--trust", kpu.paths.cert, "--trust", bawaslu.paths.cert)

    # the auditor holds KPU's CRL only: Bawaslu's signer cannot be cleared, with or without the stale CRL
    for pact in (signed, forged):
        code, document = signatures(pact, *trust, "--crl", kpu.paths.crl)
        assert code == 1 and document["status"] == "FAIL", pact
        assert "no CRL from the CA that issued this certificate" in said(document, 0, "not_revoked")
    assert "issued before it" in said(signatures(forged, *trust, "--crl", kpu.paths.crl)[1], 0, "not_revoked")
    # the auditor holds no CRL: the stale one does not turn "not checked" into "not revoked"
    code, document = signatures(forged, *trust)
    assert "the CRL the pact archives cannot clear this signature" in said(document, 0, "not_revoked")
    # and the current CRL, from the auditor, says what happened
    code, document = signatures(forged, *trust, "--crl", kpu.paths.crl, "--crl", bawaslu.paths.crl)
    assert code == 1 and "revoked on" in said(document, 0, "not_revoked")


@pytest.mark.parametrize("item", ["junk", "certificate", "certificate, a header MuPDF reads without a space"])
def test_an_archive_stores_only_certificates_and_crls_that_hide_nothing(item: str, tmp_path: Path,
                                                                         keys_env: dict[str, str]) -> None:
    """Anyone may append an archive revision; what it stores must be one DER certificate or CRL, and no
    stored item may carry bytes a repairing reader would take for PDF objects."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    from pakta_cli import dssrevision
    from pakta_cli.pdf.reader import Document

    hidden = b"\n999 0 obj\n<< /Type /Page >>\nendobj\nxref\n0 1\ntrailer\n<< >>\n%%EOF\n"
    if "MuPDF" in item:  # its lexer ends the generation number at `o`: `999 0obj` is a header to it
        hidden = b"\n999 0obj<</Type/Page>>"
    if item == "junk":
        stored = b"0\x82" + hidden
    else:  # a well-formed certificate whose extension holds the same bytes
        key = Ed25519PrivateKey.generate()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Siapa")])
        now = dt.datetime.now(dt.UTC)
        stored = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                  .serial_number(7).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
                  .add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4"), hidden), critical=False)
                  .sign(key, None).public_bytes(Encoding.DER))
    ca = make_ca(tmp_path / "ca")
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"])
    signed = tmp_path / "signed.pdf"
    ok("sign", rendered_pact(tmp_path / "pacts", [AYU]), "--key", ayu[0], "--cert", ayu[1], "-o", signed)
    data = signed.read_bytes()
    doc = Document(data)
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(data + dssrevision.build(dssrevision.before_archiving(doc, len(doc.revisions)), [stored], []))
    assert signatures(signed, "--trust", ca.paths.cert)[1]["status"] == "VALID"
    code, document = signatures(forged, "--trust", ca.paths.cert)
    assert code == 1 and document["status"] == "FAIL"
    assert "revision 3 is not a signature in one of the pact's fields" in " ".join(
        r["en"] for r in document["reasons"])


def test_archive_keeps_the_crls_of_the_pacts_own_cas_and_needs_one_for_each_signer(
        tmp_path: Path, keys_env: dict[str, str]) -> None:
    """A province's folder holds pacts certified by several institutions: each pact keeps the CRLs of the
    CAs that issued what it stores. A pact whose signer's CA gave no CRL is refused, not archived with
    a store that cannot answer for revocation."""
    kpu, bawaslu = make_ca(tmp_path / "kpu"), make_ca(tmp_path / "bawaslu", "Badan Pengawas Pemilu Provinsi Bali")
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], kpu, position=AYU["position"])
    signed, archived = tmp_path / "signed.pdf", tmp_path / "archived.pdf"
    ok("sign", rendered_pact(tmp_path / "pacts", [AYU]), "--key", ayu[0], "--cert", ayu[1], "-o", signed)
    err = ok("archive", signed, "--crl", kpu.paths.crl, "--crl", bawaslu.paths.crl, "-o", archived)
    assert "1 certificate, 1 CRL" in err
    code, _, err = run_cli("archive", signed, "--crl", bawaslu.paths.crl, "-o", tmp_path / "other.pdf")
    one_error(code, err, f"no CRL of {INSTITUTION} (pakta CA), the CA that issued the certificate of {AYU['name']}")
    assert "hint: ask that CA for its current CRL" in err and not (tmp_path / "other.pdf").exists()
