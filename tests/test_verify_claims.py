"""What a signer claims and `pakta verify` must not take on trust: the signing time, the purpose of a
certificate, a field that looks signed, and the files a folder holds.

Regression tests for the fourth audit (its reproducers, ported): a signing time in the future, two
signing times that disagree, a CA-issued certificate meant for TLS or carrying a critical extension
pakta does not know, an unsigned revision that draws a stamp in the superior's field, and folders
with links (to another folder, in a loop) or a FIFO named like a pact. Each case asserts the verdict
is not valid, which check fails, and the English words of its reason; the honest case proves the
signing-time check is not vacuous.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name

from pakta_cli import certificates, keys, sign
from pakta_cli.ca import CertificateAuthority
from pakta_cli.verify import Verdict
from tests import test_attacks
from tests.attacks import identities, more
from tests.attacks.identities import Identity
from tests.attacks.pdf import append_update, field_number, latest, next_free, serialize
from tests.conftest import (
    AYU,
    INSTITUTION,
    MADE,
    PASSPHRASE,
    listing,
    make_identity,
    one_error,
    rendered_pact,
    run_cli,
    sha256,
    signed_pact,
)
from tests.test_attacks import NIP, SIGNER, SUPERIOR, TWO_PARTIES, assert_rejected, rendered, verdict

# the attack suite's people and pact, shared
putu, made_atasan, unsigned = test_attacks.putu, test_attacks.made_atasan, test_attacks.unsigned


def failing(v: Verdict, name: str) -> str:
    """The detail of the failed check `name` (the document's or a signature's); fails when it held."""
    checks = [*v.checks, *(c for s in v.signatures for c in s.checks)]
    details = [c.detail for c in checks if c.name == name and not c.ok]
    assert details, f"{name!r} did not fail: {v.reasons}"
    return "; ".join(details)


def assert_fails_saying(v: Verdict, name: str, words: str) -> None:
    """Not valid, `name` failed, and its reason (as auditors read it) says `words`."""
    assert_rejected(v, name)
    assert words in failing(v, name), v.reasons
    assert any(words in reason for reason in v.reasons), v.reasons


def assert_signature_itself_holds(v: Verdict) -> None:
    """The signature's bytes, digest and key are sound: the attack is in what it claims, not in its math."""
    for sig in v.signatures:
        held = {c.name: c.ok for c in sig.checks}
        assert held.get("byte_range") and held.get("digest") and held.get("signature"), v.reasons


def check_of(v: Verdict, field: str, name: str) -> bool:
    sig = next(s for s in v.signatures if s.field == field)
    return next(c.ok for c in sig.checks if c.name == name)


def utc(moment: dt.datetime) -> bytes:
    return moment.strftime("(D:%Y%m%d%H%M%SZ)").encode()


# -- the signing time -----------------------------------------------------------------------------


def _future_by_pakta_sign(pdf: bytes, identity: Identity, when: dt.datetime) -> bytes:
    """pakta's own signer with a pinned time: the certificate is still valid then, so it signs."""
    return sign.sign_pdf(pdf, identity.credentials(), sign.SignOptions(party=SIGNER, when=when)).pdf


def _future_by_hand(pdf: bytes, identity: Identity, when: dt.datetime) -> bytes:
    """A revision written by hand, in pakta's own layout, with that /M, as the audit's reproducer does."""
    return more.sign_with(pdf, SIGNER, identity, signed_at=when)


@pytest.mark.parametrize("make", [_future_by_pakta_sign, _future_by_hand], ids=["pakta sign", "by hand"])
def test_signing_time_in_the_future_fails(make: Callable[[bytes, Identity, dt.datetime], bytes],
                                          unsigned: bytes, putu: Identity) -> None:
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=300)
    assert putu.cert.not_valid_before_utc <= when <= putu.cert.not_valid_after_utc  # the certificate is no excuse
    v = verdict(make(unsigned, putu, when), putu)
    assert_fails_saying(v, "valid_at_signing_time", "lies in the future")
    assert_signature_itself_holds(v)


def test_signing_time_now_is_valid_at_signing_time(unsigned: bytes, putu: Identity) -> None:
    v = verdict(test_attacks.sign(unsigned, SIGNER, putu), putu)
    assert v.ok, v.reasons
    assert check_of(v, SIGNER, "valid_at_signing_time")


def _with_signing_time_attribute(identity: Identity, when: dt.datetime) -> Callable[[bytes, Callable[[bytes], bytes]],
                                                                                   bytes]:
    """pakta's CMS with a signing-time attribute saying `when`, re-signed by `identity`'s key."""
    def build(digest: bytes, honest: Callable[[bytes], bytes]) -> bytes:
        content = cms.ContentInfo.load(honest(digest))
        signer = content["content"]["signer_infos"][0]
        attributes = [*signer["signed_attrs"],
                      cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": when})]})]
        attributes.sort(key=lambda a: a.dump())
        signer["signed_attrs"] = cms.CMSAttributes(attributes)
        signer["signature"] = identity.key.sign(signer["signed_attrs"].untag().dump(force=True))
        return bytes(content.dump(force=True))
    return build


@pytest.mark.parametrize("m_after_expiry", [True, False], ids=["/M after expiry", "attribute after expiry"])
def test_two_signing_times_that_disagree_fail(m_after_expiry: bool, unsigned: bytes, putu: Identity) -> None:
    inside = dt.datetime.now(dt.UTC).replace(microsecond=0)
    after_expiry = putu.cert.not_valid_after_utc + dt.timedelta(days=30)
    m_time, attribute_time = (after_expiry, inside) if m_after_expiry else (inside, after_expiry)
    data = more.sign_with(unsigned, SIGNER, putu, cms_of=_with_signing_time_attribute(putu, attribute_time),
                          reserve=8192, signed_at=m_time)
    v = verdict(data, putu)
    assert v.signatures[0].signing_time == m_time  # the /M the signature dictionary carries is the one asked for
    assert_fails_saying(v, "valid_at_signing_time", "two signing times disagree")
    assert_signature_itself_holds(v)


# -- certificates the trusted CA issued for something else ---------------------------------------


def _certificate(subject: x509.Name, issuer: x509.Certificate, issuer_key: Ed25519PrivateKey,
                 *extensions: tuple[x509.ExtensionType, bool]) -> tuple[Ed25519PrivateKey, x509.Certificate]:
    """A fresh key and its end-entity certificate (cA = FALSE) issued by `issuer`, with these extensions."""
    key = keys.generate_key()
    now = certificates.utcnow()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return key, builder.sign(issuer_key, None)


def _issued_with(root: Identity, *extensions: tuple[x509.ExtensionType, bool]) -> Identity:
    """Putu's certificate, issued by `root`, with these extensions."""
    subject = certificates.Identity("Putu Contoh", NIP, "Sekretaris", identities.INSTITUTION).subject()
    key, cert = _certificate(subject, root.cert, root.key, *extensions)
    return Identity(key, cert, (root.cert,))


SERVER_AUTH_ONLY = (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), True)
UNKNOWN_CRITICAL = (x509.UnrecognizedExtension(ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00"), True)

NOT_FOR_SIGNING: dict[str, tuple[tuple[x509.ExtensionType, bool], str]] = {
    "extendedKeyUsage serverAuth only": (SERVER_AUTH_ONLY,
                                         "for other purposes (serverAuth), not for signing documents"),
    "unknown critical extension": (UNKNOWN_CRITICAL, "critical extension pakta does not know"),
}


@pytest.mark.parametrize("case", list(NOT_FOR_SIGNING))
def test_ca_issued_certificate_not_for_signing_documents_is_not_trusted(case: str, unsigned: bytes) -> None:
    extension, words = NOT_FOR_SIGNING[case]
    root = identities.authority()
    holder = _issued_with(root, extension)
    v = verdict(identities.pakta_sign(unsigned, SIGNER, holder), root)
    assert_fails_saying(v, "trusted", words)
    assert_signature_itself_holds(v)


def test_the_same_ca_issued_certificate_without_the_extension_is_valid(unsigned: bytes) -> None:
    """The control case: the certificates above fail for their extension, not for how they were made."""
    root = identities.authority()
    v = verdict(identities.pakta_sign(unsigned, SIGNER, _issued_with(root)), root)
    assert v.ok, v.reasons


@pytest.mark.parametrize("case", list(NOT_FOR_SIGNING))
def test_pakta_sign_refuses_a_certificate_not_for_signing_documents(
    case: str, tmp_path: Path, ca: CertificateAuthority, pact: Path, keys_env: dict[str, str]
) -> None:
    extension, words = NOT_FOR_SIGNING[case]
    subject = certificates.Identity(AYU["name"], AYU["nip"], AYU["position"], INSTITUTION).subject()
    key, cert = _certificate(subject, ca.cert, ca.key, extension)
    folder = tmp_path / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = folder / "ayu.key", folder / "ayu-other-purpose.crt"
    key_path.write_bytes(keys.encode_private_key(key, PASSPHRASE))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    out = tmp_path / "out"
    out.mkdir()
    before, files = sha256(pact), listing(tmp_path)
    code, _, err = run_cli("sign", pact, "--key", key_path, "--cert", cert_path, "-o", out / "signed.pdf")
    one_error(code, err, words)
    assert sha256(pact) == before
    assert listing(tmp_path) == files


# -- a revision that is not a signature -----------------------------------------------------------


def test_unsigned_revision_filling_the_superiors_field_with_a_stamp(putu: Identity, made_atasan: Identity) -> None:
    half = test_attacks.sign(rendered(TWO_PARTIES), SIGNER, putu)
    widget_no, stamp_no = field_number(half, SUPERIOR), next_free(half)
    widget = latest(half, widget_no)
    widget[pdf_name("/V")] = generic.IndirectObject(stamp_no + 50, 0, None)  # no revision defines it
    widget[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): generic.IndirectObject(stamp_no, 0, None)})
    text = b"BT /H 9 Tf 4 50 Td (Ditandatangani secara elektronik oleh Made Atasan) Tj ET"
    stamp = (b"<< /Type /XObject /Subtype /Form /BBox [0 0 175 68] /Resources << /Font << /H << /Type /Font "
             b"/Subtype /Type1 /BaseFont /Helvetica >> >> >> /Length %d >>\nstream\n%s\nendstream") % (len(text), text)
    fake = append_update(half, {widget_no: serialize(widget), stamp_no: stamp})
    v = verdict(fake, putu, made_atasan)
    assert_fails_saying(v, "unchanged_after_signing", f"fills {SUPERIOR} with no signature")


# -- folders: links and things that are not files ------------------------------------------------


def _person(folder: Path, person: dict[str, str]) -> tuple[Path, Path]:
    return make_identity(folder, person["name"], person.get("nip"), passphrase=None)


@pytest.fixture
def trust(tmp_path: Path) -> tuple[tuple[Path, Path], list[str]]:
    """Ayu's key, and `--trust` for Ayu and Made."""
    ayu, made = _person(tmp_path / "keys", AYU), _person(tmp_path / "keys", MADE)
    return ayu, ["--trust", str(ayu[1]), "--trust", str(made[1])]


def _half_signed(tmp_path: Path, ayu: tuple[Path, Path], target: Path) -> Path:
    """The default pact signed by Ayu only (Made has not signed), saved as `target`."""
    signing = tmp_path / "signing"
    half = signing / "half.pdf"
    if not half.exists():
        signed_pact(signing, rendered_pact(signing), [ayu], name=half.name, passphrase=None)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(half.read_bytes())
    return target


def _process(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`pakta ARGS` as a process, piped; a hang is a failed test, not a stuck run. The process gets a
    session of its own, so that on a hang its workers (stuck opening a FIFO, say) are ended with it."""
    command = [sys.executable, "-m", "pakta_cli", *map(str, args)]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "400"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                          start_new_session=True) as process:
        try:
            out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"`pakta {' '.join(map(str, args))}` hung: no verdict after 60 seconds")
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def _rows(out: str, name: str) -> list[str]:
    """The output rows of files called `name`, by whatever path the folder walk reached them."""
    return [line for line in out.splitlines() if any(word.endswith(f"/{name}") for word in line.split())]


def test_a_linked_folder_is_followed(tmp_path: Path, trust: tuple[tuple[Path, Path], list[str]]) -> None:
    ayu, trusted = trust
    _half_signed(tmp_path, ayu, tmp_path / "walk" / "real" / "half-signed.pdf")
    top = tmp_path / "walk" / "top"
    top.mkdir()
    (top / "linked").symlink_to("../real", target_is_directory=True)
    code, out, err = run_cli("verify", top, *trusted)
    assert code == 1, out + err
    (row,) = _rows(out, "half-signed.pdf")
    assert str(top / "linked" / "half-signed.pdf") in row and row.startswith("INCOMPLETE\t"), out
    assert f"not yet signed by {MADE['name']}" in out
    assert "1 document: 0 VALID, 1 INCOMPLETE, 0 FAIL" in " ".join(err.split())


def test_a_link_loop_ends_and_each_file_is_verified_once(tmp_path: Path,
                                                         trust: tuple[tuple[Path, Path], list[str]]) -> None:
    ayu, trusted = trust
    folder = tmp_path / "loop"
    _half_signed(tmp_path, ayu, folder / "a.pdf")
    _half_signed(tmp_path, ayu, folder / "sub" / "b.pdf")
    (folder / "again").symlink_to(folder, target_is_directory=True)  # a link to its own parent
    (folder / "sub" / "up").symlink_to("..", target_is_directory=True)
    result = _process("verify", folder, *trusted, "--jobs", "1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert len(_rows(result.stdout, "a.pdf")) == 1, result.stdout
    assert len(_rows(result.stdout, "b.pdf")) == 1, result.stdout
    assert "2 documents: 0 VALID, 2 INCOMPLETE, 0 FAIL" in " ".join(result.stderr.split())


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_fifo_named_like_a_pact_fails_without_hanging(jobs: str, tmp_path: Path,
                                                        trust: tuple[tuple[Path, Path], list[str]]) -> None:
    ayu, trusted = trust
    folder = tmp_path / "fifo"
    _half_signed(tmp_path, ayu, folder / "a.pdf")
    os.mkfifo(folder / "b.pdf")
    result = _process("verify", folder, *trusted, "--jobs", jobs)
    assert result.returncode == 1, result.stdout + result.stderr
    (row,) = _rows(result.stdout, "b.pdf")
    assert row.startswith("FAIL\t") and "not a regular file" in row, result.stdout
    assert len(_rows(result.stdout, "a.pdf")) == 1, result.stdout
    assert "2 documents: 0 VALID, 1 INCOMPLETE, 1 FAIL" in " ".join(result.stderr.split())
