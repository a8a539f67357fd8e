"""Trusted time through the command line: `pakta sign --tsa` against OpenSSL's own timestamp
authority on 127.0.0.1 (tests/tsa.py), and what `pakta verify` says of the tokens.

A token that sign would never accept (over another value, from a certificate not made for time, at a
time far from /M) is made by letting sign take another token than the TSA's (`forged_token`): the
file is then what a hostile or broken signing tool would write, and verify must FAIL it with a reason.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from pakta_cli.ca import CertificateAuthority
from pakta_cli.timestamps import Token
from tests.conftest import AYU, MADE, listing, make_ca, make_identity, one_error, rendered_pact, run_cli
from tests.tsa import TimestampServer, make_tsa, needs_openssl

pytestmark = needs_openssl


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TimestampServer]:
    with TimestampServer(make_tsa(tmp_path_factory.mktemp("tsa"))) as server:
        yield server


@pytest.fixture(autouse=True)
def tsa_behaves(tsa: TimestampServer, keys_env: dict[str, str]) -> None:
    tsa.mode = "ok"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An institution CA and its two officials, issued by it."""
    folder = tmp_path_factory.mktemp("office")
    ca = make_ca(folder / "ca")
    return {
        "ca": ca,
        "ayu": make_identity(folder / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"]),
        "made": make_identity(folder / "keys", MADE["name"], MADE["nip"], ca, position=MADE["position"]),
    }


def sign(pdf: Path, who: tuple[Path, Path], out: Path, *extra: str | Path) -> tuple[int, str, str]:
    return run_cli("sign", pdf, "--key", who[0], "--cert", who[1], "-o", out, *extra)


def verify(pdf: Path, ca: CertificateAuthority, *extra: str | Path) -> tuple[int, dict[str, Any]]:
    code, out, err = run_cli("verify", pdf, "--trust", ca.paths.cert, "--json", *extra)
    assert code in (0, 1), err
    return code, json.loads(out)["documents"][0]


def check(document: dict[str, Any], name: str, index: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in document["signatures"][index]["checks"] if c["name"] == name)
    return found


def english(found: dict[str, Any]) -> str:
    return " ".join(m["en"] for m in found["messages"])


def timestamped(tmp_path: Path, tsa: TimestampServer, office: dict[str, Any], *extra: str) -> Path:
    pdf = rendered_pact(tmp_path / "pacts")
    out = tmp_path / "signed.pdf"
    code, _, err = sign(pdf, office["ayu"], out, "--tsa", tsa.url, *extra)
    assert code == 0, err
    return out


def test_a_timestamped_signature_has_an_attested_time(tmp_path: Path, tsa: TimestampServer,
                                                      office: dict[str, Any]) -> None:
    pdf = rendered_pact(tmp_path / "pacts")
    out = tmp_path / "signed.pdf"
    before = tsa.requests
    code, _, err = sign(pdf, office["ayu"], out, "--tsa", tsa.url)
    assert code == 0, err
    assert "signing time attested by the timestamp authority" in err
    assert tsa.requests == before + 1

    code, document = verify(out, office["ca"], "--tsa-trust", tsa.files.root, "--allow-incomplete")
    assert document["status"] == "INCOMPLETE"  # Made is still to sign; Ayu's signature holds
    signature = document["signatures"][0]
    assert signature["ok"] and signature["time_source"] == "attested by a timestamp authority"
    assert signature["timestamp"]["authority"] == "TSA Uji"
    attested = dt.datetime.fromisoformat(signature["timestamp"]["time"])
    assert abs(attested - dt.datetime.fromisoformat(signature["signing_time"])) < dt.timedelta(minutes=1)
    assert "attested by timestamp authority TSA Uji" in english(check(document, "timestamp"))
    assert "time attested by a timestamp authority" in english(check(document, "valid_at_signing_time"))

    # what a person reads: the time's source under the signer
    code, text, _ = run_cli("verify", out, "--trust", office["ca"].paths.cert, "--tsa-trust", tsa.files.root)
    assert "time attested by TSA Uji" in text

    # the second party signs on top, without a token: each signature says whose word its time is
    both = tmp_path / "both.pdf"
    code, _, err = sign(out, office["made"], both)
    assert code == 0, err
    code, document = verify(both, office["ca"], "--tsa-trust", tsa.files.root)
    assert code == 0 and document["status"] == "VALID"
    assert [s["time_source"] for s in document["signatures"]] == [
        "attested by a timestamp authority", "claimed by the signer"]
    assert "only claimed by the signer" in english(check(document, "timestamp", 1))


def test_the_environment_names_the_authority(tmp_path: Path, tsa: TimestampServer, office: dict[str, Any],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAKTA_TSA_URL", tsa.url)
    pdf = rendered_pact(tmp_path / "pacts")
    code, _, err = sign(pdf, office["ayu"], tmp_path / "signed.pdf")
    assert code == 0 and "attested by the timestamp authority" in err


def test_a_timestamp_is_trusted_only_through_a_timestamp_root(tmp_path: Path, tsa: TimestampServer,
                                                              office: dict[str, Any]) -> None:
    out = timestamped(tmp_path, tsa, office)
    # no certificate trusted for time: the token proves nothing, and says so
    code, document = verify(out, office["ca"], "--allow-incomplete")
    assert code == 1 and document["status"] == "FAIL"
    assert "timestamp authority TSA Uji is not trusted" in english(check(document, "timestamp"))
    assert document["signatures"][0]["time_source"] == "claimed by the signer"
    # another authority's root is no root of this one
    other = make_tsa(tmp_path / "other", name="TSA Lain")
    code, document = verify(out, office["ca"], "--tsa-trust", other.root, "--allow-incomplete")
    assert code == 1 and "TSA Uji is not trusted" in english(check(document, "timestamp"))
    # an official's own certificate never vouches for a time, whatever it claims
    code, document = verify(out, office["ca"], "--tsa-trust", tsa.files.root, "--trust", office["ayu"][1],
                            "--allow-incomplete")
    assert code == 0


# -- the authority fails: sign writes nothing -------------------------------------------------------


@pytest.mark.parametrize(("mode", "said"), [
    ("error", "answered HTTP 500"),
    ("reject", "refused the request (status 2"),
    ("garbage", "is not an RFC 3161 timestamp response"),
    ("other_imprint", "over another message (wrong imprint)"),
    ("other_nonce", "answers another request (wrong nonce)"),
])
def test_a_failing_authority_leaves_nothing_written(tmp_path: Path, tsa: TimestampServer, office: dict[str, Any],
                                                    mode: str, said: str) -> None:
    pdf = rendered_pact(tmp_path / "pacts")
    tsa.mode = mode
    folder = tmp_path / "out"
    folder.mkdir()
    code, _, err = sign(pdf, office["ayu"], folder / "signed.pdf", "--tsa", tsa.url)
    one_error(code, err, said)
    assert f"timestamp authority {tsa.url}" in err
    assert listing(folder) == []


def test_an_authority_that_is_down_or_slow_is_given_up_on_in_bounded_time(tmp_path: Path, tsa: TimestampServer,
                                                                          office: dict[str, Any]) -> None:
    pdf = rendered_pact(tmp_path / "pacts")
    folder = tmp_path / "out"
    folder.mkdir()
    tsa.mode, tsa.delay = "slow", 3.0
    started = time.monotonic()
    code, _, err = sign(pdf, office["ayu"], folder / "signed.pdf", "--tsa", tsa.url, "--tsa-timeout", "0.5")
    one_error(code, err, "no answer within the timeout (tried 3 times)")
    assert time.monotonic() - started < 6  # three attempts of 0.5 s and two pauses, not the TSA's 3 s each
    code, _, err = sign(pdf, office["ayu"], folder / "signed.pdf", "--tsa", "http://127.0.0.1:9/tsa",
                        "--tsa-timeout", "0.5")
    one_error(code, err, "cannot be reached")
    code, _, err = sign(pdf, office["ayu"], folder / "signed.pdf", "--tsa", "file:///etc/passwd")
    one_error(code, err, "is not the http:// or https:// address of a timestamp authority")
    assert listing(folder) == []


def test_an_optional_timestamp_says_loudly_which_pacts_have_none(tmp_path: Path, tsa: TimestampServer,
                                                                 office: dict[str, Any]) -> None:
    folder = tmp_path / "pacts"
    pacts = [rendered_pact(folder, name=f"pakta-{n}.pdf") for n in range(2)]
    # a file name that would reset the terminal and reverse what follows it, were it printed as it is
    pacts.append(rendered_pact(folder, name="pakta-\x1bc\u202e2.pdf"))
    tsa.mode = "error"
    code, _, err = run_cli("sign", *pacts, "--key", office["ayu"][0], "--out-dir", tmp_path / "signed",
                           "--tsa", tsa.url, "--tsa-optional", "--tsa-timeout", "1", "--jobs", "1")
    assert code == 0, err
    assert "WARNING: 3 pacts signed WITHOUT a timestamp" in err
    for pact in pacts[:2]:
        assert f"{pact}: timestamp authority {tsa.url}: it answered HTTP 500" in err
    assert "\x1b" not in err and "\u202e" not in err and "pakta-\\x1bc\\u202e2.pdf" in err
    code, document = verify(tmp_path / "signed" / "pakta-0.pdf", office["ca"], "--allow-incomplete")
    assert document["signatures"][0]["time_source"] == "claimed by the signer"


def test_a_batch_gets_one_token_per_pact(tmp_path: Path, tsa: TimestampServer, office: dict[str, Any]) -> None:
    folder = tmp_path / "pacts"
    pacts = [rendered_pact(folder, name=f"pakta-{n}.pdf") for n in range(4)]
    before = tsa.requests
    code, out, err = run_cli("sign", *pacts, "--key", office["ayu"][0], "--out-dir", tmp_path / "signed",
                             "--tsa", tsa.url, "--json", "--jobs", "2")
    assert code == 0, err
    assert tsa.requests == before + 4
    assert all(row["timestamp"] for row in json.loads(out))
    code, out, err = run_cli("verify", tmp_path / "signed", "--trust", office["ca"].paths.cert, "--tsa-trust",
                             tsa.files.root, "--allow-incomplete")
    assert code == 0, out + err


# -- tokens sign would never take ------------------------------------------------------------------------


@pytest.fixture
def forged_token(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[bytes], bytes]], None]:
    """Make `pakta sign` put `make(signature value)` in the signature instead of the TSA's token."""
    import pakta_cli.sign

    def install(make: Callable[[bytes], bytes]) -> None:
        def request(authority: object, signature: bytes) -> Token:
            return Token(make(signature), dt.datetime.now(dt.UTC), "forged")

        monkeypatch.setattr(pakta_cli.sign, "request_token", request)

    return install


def dummy_response(folder: Path, request: Any, when: dt.datetime | None = None) -> Any:
    """pyHanko's test TSA answering `request` with the certificate and key in `folder` (whatever
    that certificate may be used for, and at whatever time it is told)."""
    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    key = serialization.load_pem_private_key((folder / "tsa.key").read_bytes(), None)
    certificate = x509.load_pem_x509_certificate((folder / "tsa.crt").read_bytes())
    stamper = DummyTimeStamper(
        asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        keys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption())), fixed_dt=when)
    return stamper.request_tsa_response(request)


def dummy_token(folder: Path, signature: bytes, *, when: dt.datetime | None = None) -> bytes:
    """A token over `signature` from pyHanko's test TSA (see `dummy_response`)."""
    import hashlib

    from asn1crypto import algos, tsp

    request = tsp.TimeStampReq({"version": 1, "message_imprint": tsp.MessageImprint({
        "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha512"}),
        "hashed_message": hashlib.sha512(signature).digest()}), "nonce": 7, "cert_req": True})
    token: bytes = dummy_response(folder, request, when)["time_stamp_token"].dump()
    return token


def test_a_token_over_another_value_fails(tmp_path: Path, tsa: TimestampServer, office: dict[str, Any],
                                         forged_token: Callable[[Callable[[bytes], bytes]], None]) -> None:
    forged_token(lambda signature: dummy_token(tsa.files.folder, b"another signature value"))
    out = timestamped(tmp_path, tsa, office)
    code, document = verify(out, office["ca"], "--tsa-trust", tsa.files.root, "--allow-incomplete")
    assert code == 1
    assert "the timestamp is over another signature value" in english(check(document, "timestamp"))


def test_a_token_from_a_certificate_not_made_for_time_fails(tmp_path: Path, tsa: TimestampServer,
                                                            office: dict[str, Any],
                                                            forged_token: Callable[[Callable[[bytes], bytes]], None]
                                                            ) -> None:
    plain = make_tsa(tmp_path / "plain", name="Bukan TSA", time_stamping=False)
    # a real signing run refuses such an authority
    with TimestampServer(plain) as server:
        from asn1crypto import tsp

        server.reply = lambda query: dummy_response(plain.folder, tsp.TimeStampReq.load(query)).dump()  # type: ignore
        pdf = rendered_pact(tmp_path / "pacts")
        code, _, err = sign(pdf, office["ayu"], tmp_path / "refused.pdf", "--tsa", server.url)
        one_error(code, err, "is not for timestamping")
        assert not (tmp_path / "refused.pdf").exists()
    forged_token(lambda signature: dummy_token(plain.folder, signature))
    out = timestamped(tmp_path, tsa, office)
    code, document = verify(out, office["ca"], "--tsa-trust", plain.root, "--allow-incomplete")
    assert code == 1
    assert "the certificate of Bukan TSA is not for timestamping" in english(check(document, "timestamp"))


def test_a_time_far_from_the_stamps_time_fails(tmp_path: Path, tsa: TimestampServer, office: dict[str, Any],
                                              forged_token: Callable[[Callable[[bytes], bytes]], None]) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    forged_token(lambda signature: dummy_token(tsa.files.folder, signature, when=later))
    out = timestamped(tmp_path, tsa, office)
    code, document = verify(out, office["ca"], "--tsa-trust", tsa.files.root, "--allow-incomplete")
    assert code == 1
    assert "are more than 10 minutes apart" in english(check(document, "timestamp"))


# -- revocation and expiry, judged at the attested time --------------------------------------------------


def revoke(ca: CertificateAuthority, cert: Path, reason: str, *since: str) -> None:
    code, _, err = run_cli("ca", "revoke", "--ca", ca.paths.key.with_suffix(""), cert, "--reason", reason, *since)
    assert code == 0, err


def one_signature(tmp_path: Path, who: tuple[Path, Path], name: str, *extra: str | Path) -> Path:
    pdf = rendered_pact(tmp_path / "pacts", name=f"{name}-unsigned.pdf", signing_order="any")
    code, _, err = sign(pdf, who, tmp_path / f"{name}.pdf", *extra)
    assert code == 0, err
    return tmp_path / f"{name}.pdf"


def signature_of(pdf: Path, ca: CertificateAuthority, tsa: TimestampServer) -> tuple[bool, str]:
    """Whether the one signature holds (the pact is INCOMPLETE, not FAIL) and what not_revoked says."""
    _, document = verify(pdf, ca, "--crl", ca.paths.crl, "--tsa-trust", tsa.files.root, "--allow-incomplete")
    assert document["status"] in ("INCOMPLETE", "FAIL")
    return document["signatures"][0]["ok"], english(check(document, "not_revoked"))


def test_a_certificate_revoked_after_the_attested_time_leaves_the_signature_valid(tmp_path: Path,
                                                                                  tsa: TimestampServer) -> None:
    ca = make_ca(tmp_path / "ca")
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"])
    attested = one_signature(tmp_path, ayu, "attested", "--tsa", tsa.url)
    claimed = one_signature(tmp_path, ayu, "claimed")
    time.sleep(1.1)  # the CRL and the token count whole seconds
    revoke(ca, ayu[1], "superseded")
    ok, said = signature_of(attested, ca, tsa)
    assert ok and "revoked on" in said and "after the attested signing time" in said and "stands" in said
    ok, said = signature_of(claimed, ca, tsa)  # no token: today's strict rule, whatever /M says
    assert not ok and "revoked on" in said
    late = one_signature(tmp_path, ayu, "late", "--tsa", tsa.url)  # the official signs after the revocation
    ok, said = signature_of(late, ca, tsa)
    assert not ok and "before the attested signing time" in said


def test_a_compromised_key_keeps_only_signatures_attested_before_its_compromise(tmp_path: Path,
                                                                                tsa: TimestampServer) -> None:
    ca = make_ca(tmp_path / "ca")
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"], stem="ayu")
    made = make_identity(tmp_path / "keys", MADE["name"], MADE["nip"], ca, position=MADE["position"], stem="made")
    ayu_pact = one_signature(tmp_path, ayu, "ayu", "--tsa", tsa.url)
    made_pact = one_signature(tmp_path, made, "made", "--tsa", tsa.url)
    time.sleep(1.1)
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    revoke(ca, ayu[1], "key-compromise", "--compromised-since", since)  # it leaked after she signed
    revoke(ca, made[1], "key-compromise")  # nobody knows since when
    ok, said = signature_of(ayu_pact, ca, tsa)
    assert ok and "unsafe since" in said and "after the attested signing time" in said
    ok, said = signature_of(made_pact, ca, tsa)
    assert not ok and "with no date since which the key is unsafe" in said
    forged = one_signature(tmp_path, ayu, "forged", "--tsa", tsa.url)  # whoever holds the key now
    ok, said = signature_of(forged, ca, tsa)
    assert not ok and "unsafe since" in said and "before the attested signing time" in said


def test_a_compromise_date_belongs_to_a_reason_about_the_key(tmp_path: Path) -> None:
    ca = make_ca(tmp_path / "ca")
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], ca, position=AYU["position"])
    code, _, err = run_cli("ca", "revoke", "--ca", ca.paths.key.with_suffix(""), ayu[1], "--reason", "superseded",
                           "--compromised-since", "2026-01-01")
    one_error(code, err, "is for a reason about the key, not superseded")
    code, _, err = run_cli("ca", "revoke", "--ca", ca.paths.key.with_suffix(""), ayu[1], "--reason",
                           "key-compromise", "--compromised-since", "kemarin")
    one_error(code, err, "'kemarin' is not a date and time")


def test_an_expired_certificate_counts_at_the_attested_time_and_says_when_the_time_is_only_claimed(
        tmp_path: Path, tsa: TimestampServer) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ayu = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], position=AYU["position"],
                        not_after=now + dt.timedelta(seconds=4))
    attested = one_signature(tmp_path, ayu, "attested", "--tsa", tsa.url)
    claimed = one_signature(tmp_path, ayu, "claimed")
    time.sleep(max(0.0, (now + dt.timedelta(seconds=5) - dt.datetime.now(dt.UTC)).total_seconds()))
    for pdf, source, said in (
        (attested, "attested by a timestamp authority", "(time attested by a timestamp authority); it expired on"),
        (claimed, "claimed by the signer", "only the signer's word dates the signature before then"),
    ):
        code, out, err = run_cli("verify", pdf, "--trust", ayu[1], "--tsa-trust", tsa.files.root, "--json",
                                 "--allow-incomplete")
        assert code == 0, out + err
        signature = json.loads(out)["documents"][0]["signatures"][0]
        assert signature["ok"] and signature["time_source"] == source
        assert said in english(next(c for c in signature["checks"] if c["name"] == "valid_at_signing_time"))


def test_pyhankos_validator_reads_the_timestamp(tmp_path: Path, tsa: TimestampServer, office: dict[str, Any]) -> None:
    """The token is a standard signature-timestamp: pyHanko finds it, checks it against the TSA root,
    and reports the attested time, as any PAdES validator would."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    out = timestamped(tmp_path, tsa, office)
    with out.open("rb") as handle:
        signature = PdfFileReader(handle).embedded_signatures[0]
        status = validate_pdf_signature(
            signature, ValidationContext(trust_roots=[load_cert_from_pemder(str(office["ca"].paths.cert))]),
            ts_validation_context=ValidationContext(trust_roots=[load_cert_from_pemder(str(tsa.files.root))]))
    assert status.intact and status.valid and status.trusted
    assert status.timestamp_validity is not None and status.timestamp_validity.valid
    assert status.timestamp_validity.trusted
    _, document = verify(out, office["ca"], "--tsa-trust", tsa.files.root, "--allow-incomplete")
    attested = dt.datetime.fromisoformat(document["signatures"][0]["timestamp"]["time"])
    assert status.timestamp_validity.timestamp == attested


@pytest.mark.parametrize(("token", "name", "said"), [
    (b"\x30\x03\x02\x01\x00", "timestamp", "the timestamp token is damaged"),
    (b"\x30\x82\x4e\x20" + bytes(20000), "timestamp", "larger than the 16384 bytes pakta reserves"),
    (b"\x30\x84\x7f\xff\xff\xff", "digest", "damaged signature container (CMS): truncated DER"),
])
def test_a_hostile_token_fails_with_its_reason(tmp_path: Path, tsa: TimestampServer, office: dict[str, Any],
                                               forged_token: Callable[[Callable[[bytes], bytes]], None],
                                               monkeypatch: pytest.MonkeyPatch, token: bytes, name: str,
                                               said: str) -> None:
    import pakta_cli.cms

    monkeypatch.setattr(pakta_cli.cms, "TOKEN_ROOM", 65536)  # room enough to write the oversized one
    forged_token(lambda signature: token)
    out = timestamped(tmp_path, tsa, office)
    monkeypatch.undo()
    started = time.monotonic()
    code, document = verify(out, office["ca"], "--tsa-trust", tsa.files.root, "--allow-incomplete")
    assert code == 1 and said in english(check(document, name))
    assert time.monotonic() - started < 10


def _with_token(data: bytes, token: bytes) -> bytes:
    """The pact with its last signature's timestamp token replaced: the token lies outside every byte
    range, so anyone who handles the file may do this without a key."""
    from pakta_cli import cms
    from pakta_cli.pdf.reader import Document

    doc = Document(data)
    signature = next(doc.get(num) for num in doc.revisions[-1].entries
                     if isinstance(doc.get(num), dict) and doc.get(num).get("Type") == "Sig")
    start, stop = signature.spans["Contents"]
    gap = data[start + 1: stop - 1]
    parts = cms.parse(bytes.fromhex(gap[: 2 * cms.der_length(gap)].decode()))
    new = cms.padded(cms.build(parts.certificates, parts.message_digest, parts.signature, token), parts.certificates)
    assert len(new.hex()) == len(gap)
    return data[: start + 1] + new.hex().upper().encode() + data[stop - 1:]


def test_nobody_signs_or_archives_over_a_damaged_token(tmp_path: Path, tsa: TimestampServer,
                                                       office: dict[str, Any]) -> None:
    """A later signature would lock a swapped token in for good; an archive would store it: both refuse."""
    pdf = rendered_pact(tmp_path / "pacts", signing_order="any")
    first = tmp_path / "first.pdf"
    assert sign(pdf, office["ayu"], first, "--tsa", tsa.url)[0] == 0
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(_with_token(first.read_bytes(), b"\x30\x03\x02\x01\x00"))
    code, document = verify(damaged, office["ca"])
    assert code == 1 and check(document, "timestamp")["messages"][0]["key"] == "timestamp_damaged"
    before = listing(tmp_path)
    code, _, err = sign(damaged, office["made"], tmp_path / "both.pdf")
    one_error(code, err, "the timestamp token is damaged")
    code, _, err = run_cli("archive", damaged, "--crl", office["ca"].paths.crl, "-o", tmp_path / "archived.pdf")
    one_error(code, err, "refusing to archive: pakta-signer-1: the timestamp token is damaged")
    assert listing(tmp_path) == before  # nothing written
