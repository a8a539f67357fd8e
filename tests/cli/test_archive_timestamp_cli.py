"""PAdES B-LTA through the command line: `pakta archive --tsa` adds an archive timestamp over the pact
and what it stores. Years later it proves every signature before it existed at the attested time, so
a signer without a timestamp of their own whose certificate is revoked afterwards still stands; and
the archive timestamp is pakta's own layout, so nothing else can ride in with it."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_archive_cli import ok, said, signatures
from tests.conftest import AYU, MADE, listing, make_ca, make_identity, one_error, rendered_pact, run_cli
from tests.tsa import TimestampServer, make_tsa, needs_openssl

pytestmark = needs_openssl


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TimestampServer]:
    with TimestampServer(make_tsa(tmp_path_factory.mktemp("tsa"))) as server:
        yield server


def check(document: dict[str, Any], name: str) -> str:
    found = next(c for c in document["checks"] if c["name"] == name)
    return " ".join(m["en"] for m in found["messages"])


def signed_by_ayu(tmp_path: Path) -> tuple[Any, tuple[Path, Path], Path]:
    """A pact Ayu signed without a timestamp of her own, and her CA."""
    ca = make_ca(tmp_path / "ca")
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"])
    pdf = rendered_pact(tmp_path / "pacts", [AYU])
    signed = tmp_path / "signed.pdf"
    ok("sign", pdf, "--key", ayu[0], "--cert", ayu[1], "-o", signed)
    return ca, ayu, signed


def test_an_archive_timestamp_keeps_a_signature_valid_after_its_certificate_is_revoked(
        tmp_path: Path, tsa: TimestampServer, keys_env: dict[str, str]) -> None:
    ca, ayu, signed = signed_by_ayu(tmp_path)
    ok("ca", "crl", "--ca", ca.paths.key.with_suffix(""))  # fresh: issued now, just before the archive timestamp
    lta, lt = tmp_path / "lta.pdf", tmp_path / "lt.pdf"
    err = ok("archive", signed, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", lta)
    assert re.search(r"archive timestamp \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by TSA Uji", err), err
    ok("archive", signed, "--crl", ca.paths.crl, "-o", lt)
    # later she leaves the office; the CA revokes her certificate for that (a second on: CRLs count seconds)
    time.sleep(1.1)
    ok("ca", "revoke", "--ca", ca.paths.key.with_suffix(""), ayu[1], "--reason", "affiliation-changed")
    trust = ("--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)

    code, document = signatures(lta, *trust, "--crl", ca.paths.crl)
    assert code == 0 and document["status"] == "VALID", document["reasons"]
    assert "after the archive timestamp" in said(document, 0, "not_revoked")
    assert "this signature stands" in said(document, 0, "not_revoked")
    assert "the archive timestamp proves the signature existed by" in said(document, 0, "timestamp")
    assert "is attested to have existed at" in check(document, "archive_timestamp")
    assert document["signatures"][0]["time_source"] == "claimed by the signer"
    assert document["signatures"][0]["existed_by"]["authority"] == "TSA Uji"
    # the auditor with no CRL at all: the CRL the archive stores answers, as of the archive timestamp
    code, document = signatures(lta, *trust)
    assert code == 0 and "not revoked according to the CRL issued" in said(document, 0, "not_revoked")
    # the table says by when it existed
    code, out, _ = run_cli("verify", lta, *trust, "--crl", ca.paths.crl)
    assert code == 0 and "existed by" in out and "archive timestamp of TSA Uji" in out
    assert "(affiliation-changed), after the timestamp: the signature stands" in out
    # without the archive timestamp, only her word dates the signature: revoked is revoked
    code, document = signatures(lt, *trust, "--crl", ca.paths.crl)
    assert code == 1 and "revoked on" in said(document, 0, "not_revoked")


def test_in_2029_a_pact_signed_without_a_timestamp_verifies_with_only_the_roots(
        tmp_path: Path, tsa: TimestampServer, keys_env: dict[str, str]) -> None:
    """The auditor's case: the official signed without a TSA, the office archived with one, and by the
    audit her certificate has expired. The archive timestamp dates the signature before the expiry,
    and the CRL the archive stores answers for revocation: no --crl, only the two roots."""
    ca = make_ca(tmp_path / "ca")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"],
                        not_after=now + dt.timedelta(seconds=10))
    signed, lta = tmp_path / "signed.pdf", tmp_path / "lta.pdf"
    ok("sign", rendered_pact(tmp_path / "pacts", [AYU]), "--key", ayu[0], "--cert", ayu[1], "-o", signed)
    ok("ca", "crl", "--ca", ca.paths.key.with_suffix(""))
    ok("archive", signed, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", lta)
    time.sleep(max(0.0, (now + dt.timedelta(seconds=11) - dt.datetime.now(dt.UTC)).total_seconds()))

    code, document = signatures(lta, "--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
    assert code == 0 and document["status"] == "VALID", document["reasons"]
    assert "after the archive timestamp proves the signature existed" in said(document, 0, "valid_at_signing_time")
    assert "not revoked according to the CRL issued" in said(document, 0, "not_revoked")
    # the same pact archived without a timestamp: only her word dates the signature before the expiry
    code, document = signatures(signed, "--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
    assert "only the signer's word dates the signature" in said(document, 0, "valid_at_signing_time")


def test_a_key_revoked_for_compromise_is_judged_by_the_date_it_leaked(
        tmp_path: Path, tsa: TimestampServer, keys_env: dict[str, str]) -> None:
    """The archive timestamp proves when the signature existed, never that the key was safe: a key
    revoked for compromise with no date keeps none of its signatures; with a date after the archive
    timestamp, the signature it proves earlier stands."""
    ca, ayu, signed = signed_by_ayu(tmp_path)
    lta = tmp_path / "lta.pdf"
    ok("archive", signed, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", lta)
    trust = ("--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
    saved = ca.paths.crl.read_bytes()
    ok("ca", "revoke", "--ca", ca.paths.key.with_suffix(""), ayu[1], "--reason", "key-compromise")
    code, document = signatures(lta, *trust, "--crl", ca.paths.crl)
    assert code == 1 and "no date since which the key is unsafe" in said(document, 0, "not_revoked")
    ca.paths.crl.write_bytes(saved)
    time.sleep(1.1)  # the key leaked after the archive timestamp (CRLs count seconds)
    since = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    err = ok("ca", "revoke", "--ca", ca.paths.key.with_suffix(""), ayu[1], "--reason", "key-compromise",
             "--compromised-since", since)
    assert "except for signatures a timestamp authority dates before" in err
    code, document = signatures(lta, *trust, "--crl", ca.paths.crl)
    assert code == 0 and "after the archive timestamp" in said(document, 0, "not_revoked"), document["reasons"]


def test_an_archive_timestamp_must_be_trusted_and_over_this_pact(tmp_path: Path, tsa: TimestampServer,
                                                                keys_env: dict[str, str]) -> None:
    ca, ayu, signed = signed_by_ayu(tmp_path)
    lta = tmp_path / "lta.pdf"
    ok("archive", signed, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", lta)
    # an auditor who does not trust the authority gets no unvouched date: the pact fails, and says why
    code, document = signatures(lta, "--trust", ca.paths.cert)
    assert code == 1 and document["status"] == "FAIL"
    assert "pakta-archive-1: timestamp authority TSA Uji is not trusted" in check(document, "archive_timestamp")
    code, _, err = run_cli("verify", lta, "--trust", ca.paths.cert)
    assert code == 1 and "hint: a timestamp authority was not trusted" in err and "--tsa-trust" in err
    # an official's certificate never vouches for a time: given as a TSA root, it is refused, not ignored
    code, _, err = run_cli("verify", lta, "--trust", ca.paths.cert, "--tsa-trust", ayu[1])
    one_error(code, err, "neither a CA's certificate nor a timestamp authority's")

    # another pact's archive timestamp moved into this one, in exactly pakta's layout: over other bytes
    other = rendered_pact(tmp_path / "other", [AYU], verify_url="https://cek.example.go.id")
    other_signed, other_lta = tmp_path / "other-signed.pdf", tmp_path / "other-lta.pdf"
    ok("sign", other, "--key", ayu[0], "--cert", ayu[1], "-o", other_signed)
    ok("archive", other_signed, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", other_lta)
    token = re.compile(rb"/Contents <([0-9A-F]+)> /Filter /Adobe\.PPKLite /SubFilter /ETSI\.RFC3161")
    (mine,), (theirs,) = token.findall(lta.read_bytes()), token.findall(other_lta.read_bytes())
    assert len(mine) == len(theirs)
    moved = tmp_path / "moved.pdf"
    moved.write_bytes(lta.read_bytes().replace(mine, theirs))
    code, document = signatures(moved, "--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
    assert code == 1 and "over other bytes than those before it" in check(document, "archive_timestamp")

    # the archive timestamp's revision in any other form than pakta's is a change after signing
    data = lta.read_bytes()
    named = b"/T <%s>" % b"pakta-archive-1".hex().upper().encode()
    for old, new in ((b"/Rect [0 0 0 0]", b"/Rect [0 0 9 9]"), (named, named[:-2] + b"2>")):
        assert data.count(old) == 1
        changed = tmp_path / "changed.pdf"
        changed.write_bytes(data.replace(old, new))
        code, document = signatures(changed, "--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
        assert code == 1 and any(r["check"] == "unchanged_after_signing" for r in document["reasons"]), new


def test_a_party_signs_after_an_archive_timestamp_and_a_renewal_adds_another(
        tmp_path: Path, tsa: TimestampServer, keys_env: dict[str, str]) -> None:
    ca = make_ca(tmp_path / "ca")
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"])
    made = make_identity(tmp_path / "keys", MADE["name"], MADE["nip"], ca, position=MADE["position"])
    pdf = rendered_pact(tmp_path / "pacts")
    first, lta, both, renewed = (tmp_path / f"{name}.pdf" for name in ("first", "lta", "both", "renewed"))
    ok("sign", pdf, "--key", ayu[0], "--cert", ayu[1], "-o", first)
    ok("archive", first, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", lta)
    ok("sign", lta, "--key", made[0], "--cert", made[1], "-o", both)
    trust = ("--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
    code, document = signatures(both, *trust)
    assert code == 0 and document["status"] == "VALID", document["reasons"]
    assert [s["existed_by"] is not None for s in document["signatures"]] == [True, False]
    # a renewal, years on: another store and another archive timestamp over everything, the first included
    ok("ca", "crl", "--ca", ca.paths.key.with_suffix(""))
    err = ok("archive", both, "--crl", ca.paths.crl, "--cert", tsa.files.root, "--tsa", tsa.url, "-o", renewed)
    assert "archive timestamp" in err
    code, document = signatures(renewed, *trust)
    assert code == 0 and document["status"] == "VALID", document["reasons"]
    assert "pakta-archive-1" in check(document, "archive_timestamp")
    assert "pakta-archive-2" in check(document, "archive_timestamp")
    assert all(s["existed_by"] is not None for s in document["signatures"])


def test_archive_writes_nothing_when_the_timestamp_authority_fails(tmp_path: Path, tsa: TimestampServer,
                                                                  keys_env: dict[str, str]) -> None:
    ca, _, signed = signed_by_ayu(tmp_path)
    out = tmp_path / "out"
    before = signed.read_bytes()
    tsa.mode = "error"
    try:
        code, _, err = run_cli("archive", signed, "--crl", ca.paths.crl, "--tsa", tsa.url, "--out-dir", out)
    finally:
        tsa.mode = "ok"
    one_error(code, err, "it answered HTTP 500")
    assert not out.exists() and signed.read_bytes() == before
    # a batch: the first pact's failure names it, and the rest are not tried against a TSA that is down
    copies = [tmp_path / f"copy-{index}.pdf" for index in range(3)]
    for copy in copies:
        copy.write_bytes(before)
    tsa.mode = "error"
    try:
        code, _, err = run_cli("archive", *copies, "--crl", ca.paths.crl, "--tsa", tsa.url, "--in-place")
    finally:
        tsa.mode = "ok"
    assert code == 2 and f"error: {copies[0]}: timestamp authority" in err, err
    assert "so 2 more pacts were not tried" in err and "error: 3 of 3 pacts not archived" in err
    assert all(copy.read_bytes() == before for copy in copies)
    code, _, err = run_cli("archive", signed, "--crl", ca.paths.crl, "--tsa", "ftp://tsa.example", "--in-place")
    one_error(code, err, "is not the http:// or https:// address of a timestamp authority")
    assert signed.read_bytes() == before and listing(tmp_path).count("signed.pdf") == 1


def test_pyhanko_validates_the_archive_timestamp(tmp_path: Path, tsa: TimestampServer,
                                                 keys_env: dict[str, str]) -> None:
    """pyHanko reads pakta's archive timestamp as a PDF document timestamp over the whole file, from a
    TSA it trusts, and still finds each signature before it whole, with only signing-maintenance
    changes after it."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    ca, _, signed = signed_by_ayu(tmp_path)
    lta = tmp_path / "lta.pdf"
    ok("archive", signed, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", lta)
    with lta.open("rb") as handle:
        reader = PdfFileReader(handle)
        (stamp,) = reader.embedded_timestamp_signatures
        assert stamp.field_name == "pakta-archive-1"
        status = validate_pdf_timestamp(stamp, ValidationContext(trust_roots=[load_cert_from_pemder(
            str(tsa.files.root))]))
        assert status.intact and status.valid and status.trusted
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        store = DocumentSecurityStore.read_dss(reader)
        context = store.as_validation_context({"trust_roots": [load_cert_from_pemder(str(ca.paths.cert))],
                                               "allow_fetching": False, "revocation_mode": "hard-fail"})
        (signature,) = reader.embedded_regular_signatures
        checked = validate_pdf_signature(signature, context)
        assert checked.bottom_line, checked.pretty_print_details()
        assert checked.modification_level is not None
        assert checked.modification_level <= ModificationLevel.LTA_UPDATES
    code, out, _ = run_cli("verify", lta, "--trust", ca.paths.cert, "--tsa-trust", tsa.files.root, "--json")
    assert code == 0 and json.loads(out)["documents"][0]["status"] == "VALID"


# -- the token is the last revision's, outside every byte range: anyone may change it -----------------

ARCHIVE_TOKEN = re.compile(rb"/Contents <([0-9A-F]+)> /Filter /Adobe\.PPKLite /SubFilter /ETSI\.RFC3161")


def with_token(pdf: bytes, edit: Any) -> bytes:
    """`pdf` with its last archive token replaced by `edit(token)`, padded as pakta pads it (so the
    revision is still exactly pakta's layout and only the token can be judged)."""
    from pakta_cli.cms import der_length

    found = list(ARCHIVE_TOKEN.finditer(pdf))[-1]
    raw = bytes.fromhex(found.group(1).decode("ascii"))
    token = edit(raw[: der_length(found.group(1)[:12])])
    hexed = (token + bytes(len(raw) - len(token))).hex().upper().encode("ascii")
    return pdf[: found.start(1)] + hexed + pdf[found.end(1) :]


def with_certificate(token: bytes, extra: bytes) -> bytes:
    """`token` with `extra` added to the certificates it carries (they are outside the TSA's signature)."""
    from pakta_cli.cms import der_items, tlv

    (outer,) = der_items(token)
    kind, explicit = der_items(outer[1])
    (signed,) = der_items(explicit[1])
    parts = [tlv(0xA0, b"".join(sorted([extra, *(item[2] for item in der_items(content))]))) if tag == 0xA0
             else whole for tag, content, whole in der_items(signed[1])]
    return tlv(0x30, kind[2] + tlv(0xA0, tlv(0x30, b"".join(parts))))


def tsa_certificate(token: bytes) -> Any:
    from cryptography import x509
    from rfc3161_client import decode_timestamp_response

    from pakta_cli.cms import tlv
    from pakta_cli.timestamps import _certificates

    response = decode_timestamp_response(tlv(0x30, b"\x30\x03\x02\x01\x00" + token))
    return next(c for c in _certificates(response) if c.issuer != c.subject and isinstance(c, x509.Certificate))


def made_up_tsa(issuer: Any, serial: int) -> bytes:
    """A certificate nobody issued: that issuer and serial, the name of a national TSA, the timeStamping
    usage, and a key of its own (DER)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(65537, 2048)
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA Nasional Palsu")]))
            .issuer_name(issuer).serial_number(serial).public_key(key.public_key())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(key, hashes.SHA256()).public_bytes(Encoding.DER))


@pytest.mark.parametrize("extra", ["another name", "an unreadable version"])
def test_a_certificate_added_to_the_archive_token_never_names_its_authority(
        extra: str, tmp_path: Path, tsa: TimestampServer, keys_env: dict[str, str]) -> None:
    """A certificate with the TSA certificate's issuer and serial but another name (a made-up national
    TSA) could lend its name and usage to the token; one cryptography cannot read must not stop the
    verifier. Either is a damaged token, the same in every process."""
    import os
    import subprocess
    import sys

    from cryptography.hazmat.primitives.serialization import Encoding

    ca, _, signed = signed_by_ayu(tmp_path)
    lta = tmp_path / "lta.pdf"
    ok("archive", signed, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", lta)

    def add(token: bytes) -> bytes:
        real = tsa_certificate(token)
        if extra == "an unreadable version":  # X.509 v2, which cryptography refuses to read
            der = real.public_bytes(Encoding.DER)
            return with_certificate(token, der.replace(b"\xa0\x03\x02\x01\x02", b"\xa0\x03\x02\x01\x01", 1))
        return with_certificate(token, made_up_tsa(real.issuer, real.serial_number))

    forged = tmp_path / "forged.pdf"
    forged.write_bytes(with_token(lta.read_bytes(), add))
    trust = ["--trust", str(ca.paths.cert), "--tsa-trust", str(tsa.files.root)]
    for seed in ("1", "2", "3"):  # rfc3161-client hands the certificates over as a set: its order varies
        run = subprocess.run([sys.executable, "-m", "pakta_cli", "verify", str(forged), "--json", *trust],
                             capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED=seed))
        document = json.loads(run.stdout)["documents"][0]
        assert run.returncode == 1 and document["status"] == "FAIL", seed
        said_now = check(document, "archive_timestamp")
        assert "Palsu" not in json.dumps(document) and "please report it" not in json.dumps(document)
        assert ("does not carry the certificate its authority signed" in said_now if extra == "another name"
                else "damaged" in said_now), said_now


def test_sign_and_archive_refuse_to_build_on_a_damaged_archive_timestamp(
        tmp_path: Path, tsa: TimestampServer, keys_env: dict[str, str]) -> None:
    """Once a signature or another archive covers a damaged archive token, the pact can never be VALID
    again: both refuse, as they refuse a signature's own damaged token."""
    ca = make_ca(tmp_path / "ca")
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"])
    made = make_identity(tmp_path / "keys", MADE["name"], MADE["nip"], ca, position=MADE["position"])
    first, lta = tmp_path / "first.pdf", tmp_path / "lta.pdf"
    ok("sign", rendered_pact(tmp_path / "pacts"), "--key", ayu[0], "--cert", ayu[1], "-o", first)
    ok("archive", first, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", lta)
    for name, edit in (("junk", lambda token: b"\x30\x03\x02\x01\x01"),
                       ("another pact's", lambda token: _another_token(tmp_path, ca, ayu, tsa))):
        damaged = tmp_path / f"{name}.pdf"
        damaged.write_bytes(with_token(lta.read_bytes(), edit))
        before = damaged.read_bytes()
        code, _, err = run_cli("sign", damaged, "--key", made[0], "--cert", made[1], "--in-place")
        one_error(code, err, "refusing to sign")
        code, _, err = run_cli("archive", damaged, "--crl", ca.paths.crl, "--tsa", tsa.url, "--in-place")
        one_error(code, err, "refusing to archive")
        assert damaged.read_bytes() == before, name


def _another_token(tmp_path: Path, ca: Any, ayu: tuple[Path, Path], tsa: TimestampServer) -> bytes:
    """A genuine archive token from the same TSA, over another pact."""
    from pakta_cli.cms import der_length

    other, signed, archived = tmp_path / "other", tmp_path / "other-signed.pdf", tmp_path / "other-lta.pdf"
    if not archived.exists():
        ok("sign", rendered_pact(other, [AYU], verify_url="https://cek.example.go.id"), "--key", ayu[0],
           "--cert", ayu[1], "-o", signed)
        ok("archive", signed, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", archived)
    hexed = ARCHIVE_TOKEN.findall(archived.read_bytes())[-1]
    return bytes.fromhex(hexed.decode("ascii"))[: der_length(hexed[:12])]


def test_a_signer_reference_changed_to_match_a_made_up_certificate_fails(
        tmp_path: Path, tsa: TimestampServer, keys_env: dict[str, str]) -> None:
    """The token names its signer by issuer and serial outside the TSA's signature, and OpenSSL finds it by
    names compared case-folded: one letter's case changed there, and a made-up certificate with exactly
    that issuer, would be the only exact match. The certificate the TSA signed as its own (its ESS
    attribute) is the one that counts, and a reference two certificates could answer fails."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    ca, _, signed = signed_by_ayu(tmp_path)
    lta = tmp_path / "lta.pdf"
    ok("archive", signed, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", lta)

    def relabel(token: bytes) -> bytes:
        real = tsa_certificate(token)
        at = token.rindex(b"TSA Uji Root CA")  # the SignerInfo comes last: its issuer, not a certificate's
        token = token[:at] + b"tSA Uji Root CA" + token[at + len(b"tSA Uji Root CA") :]
        issuer = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                            x509.NameAttribute(NameOID.COMMON_NAME, "tSA Uji Root CA")])
        return with_certificate(token, made_up_tsa(issuer, real.serial_number))

    forged = tmp_path / "forged.pdf"
    forged.write_bytes(with_token(lta.read_bytes(), relabel))
    code, document = signatures(forged, "--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
    assert code == 1 and "Palsu" not in json.dumps(document)
    assert "does not carry the certificate its authority signed" in check(document, "archive_timestamp")


def test_the_root_a_timestamp_is_trusted_through_is_the_one_its_chain_ends_at(
        tmp_path: Path, tsa: TimestampServer, keys_env: dict[str, str]) -> None:
    """A trusted root anyone adds to a token's certificates, or one that merely shares a name, vouches
    for nothing: the verdict names the root each link of the chain was checked against by key."""
    from cryptography import x509

    national = make_tsa(tmp_path / "national", name="TSA Nasional")
    ca, _, signed = signed_by_ayu(tmp_path)
    lta = tmp_path / "lta.pdf"
    ok("archive", signed, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", lta)
    root = x509.load_pem_x509_certificate(national.root.read_bytes())
    from cryptography.hazmat.primitives.serialization import Encoding

    carried = tmp_path / "carried.pdf"
    carried.write_bytes(with_token(lta.read_bytes(), lambda token: with_certificate(
        token, root.public_bytes(Encoding.DER))))
    for pact in (lta, carried):
        code, document = signatures(pact, "--trust", ca.paths.cert, "--tsa-trust", national.root,
                                    "--tsa-trust", tsa.files.root)
        assert code == 0, document["reasons"]
        said_now = check(document, "archive_timestamp")
        assert "trusted through TSA Uji Root CA" in said_now and "Nasional" not in said_now, said_now


def test_archive_says_when_its_crl_is_too_old_for_the_archive_timestamp(
        tmp_path: Path, tsa: TimestampServer, keys_env: dict[str, str]) -> None:
    """A signature without its own timestamp is cleared by the stored CRL only when that CRL was issued at
    most 10 minutes before the archive timestamp: archive says so when it is older, and verify then
    leaves revocation unchecked rather than cleared."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from pakta_cli.sign import SignOptions, load_credentials, sign_pdf
    from tests.conftest import PASSPHRASE

    ca = make_ca(tmp_path / "ca")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"],
                        not_before=now - dt.timedelta(days=1))
    signed = tmp_path / "signed.pdf"
    pdf = rendered_pact(tmp_path / "pacts", [AYU])
    earlier = SignOptions(when=now - dt.timedelta(minutes=4))  # the CA's certificate dates from 5 minutes ago
    signed.write_bytes(sign_pdf(pdf.read_bytes(), load_credentials(ayu[0], PASSPHRASE, ayu[1]), earlier).pdf)
    old_crl = tmp_path / "old.crl"  # 11 minutes ago: fresh enough for the signature, too old for the archive
    old_crl.write_bytes(x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject)
                        .last_update(now - dt.timedelta(minutes=11)).next_update(now + dt.timedelta(days=30))
                        .sign(ca.key, None).public_bytes(Encoding.PEM))
    lta = tmp_path / "lta.pdf"
    err = ok("archive", signed, "--crl", old_crl, "--tsa", tsa.url, "-o", lta)
    assert "was issued more than 10 minutes before the archive timestamp" in err
    code, document = signatures(lta, "--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
    assert code == 0 and "cannot clear this signature" in said(document, 0, "not_revoked"), document["reasons"]
    # with a CRL issued now, the note is not said, and the stored CRL answers
    ok("ca", "crl", "--ca", ca.paths.key.with_suffix(""))
    err = ok("archive", signed, "--crl", ca.paths.crl, "--tsa", tsa.url, "-o", tmp_path / "fresh.pdf")
    assert "minutes before the archive timestamp" not in err
    code, document = signatures(tmp_path / "fresh.pdf", "--trust", ca.paths.cert, "--tsa-trust", tsa.files.root)
    assert code == 0 and "not revoked according to the CRL issued" in said(document, 0, "not_revoked")
