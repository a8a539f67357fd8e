"""The CMS layout sign writes and verify rebuilds: standard DER that asn1crypto reads, one fixed
size per signer, and a rebuild that refuses every container pakta would not have written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from asn1crypto import cms as asn1_cms
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyhanko.sign import general as _registers_ess_attribute_names  # noqa: F401

from pakta_cli import cms
from pakta_cli.sign import load_credentials
from tests.conftest import AYU, PASSPHRASE, make_ca, make_identity


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Ed25519PrivateKey, tuple[bytes, ...]]:
    folder = tmp_path_factory.mktemp("cms")
    authority = make_ca(folder / "ca")
    key_path, cert_path = make_identity(folder / "k", AYU["name"], AYU["nip"], authority)
    credentials = load_credentials(key_path, PASSPHRASE, cert_path, (authority.paths.cert,))
    return Ed25519PrivateKey.from_private_bytes(credentials.private_key), (credentials.certificate,
                                                                           *credentials.chain)


def signed(key: Ed25519PrivateKey, certificates: tuple[bytes, ...], digest: bytes) -> bytes:
    attributes = cms.signed_attributes(certificates[0], digest)
    return cms.build(certificates, digest, key.sign(cms.to_be_signed(attributes)))


def test_asn1crypto_reads_what_pakta_writes(signer: tuple[Ed25519PrivateKey, tuple[bytes, ...]]) -> None:
    key, certificates = signer
    digest = hashlib.sha512(b"the signed bytes").digest()
    der = signed(key, certificates, digest)
    info = asn1_cms.ContentInfo.load(der)
    assert info["content_type"].native == "signed_data"
    data = info["content"]
    assert [c.chosen.dump() for c in data["certificates"]] == list(certificates)
    (signer_info,) = data["signer_infos"]
    assert signer_info["digest_algorithm"]["algorithm"].native == "sha512"
    assert signer_info["signature_algorithm"]["algorithm"].native == "ed25519"
    attributes = {a["type"].native: a["values"][0] for a in signer_info["signed_attrs"]}
    assert set(attributes) == {"content_type", "message_digest", "signing_certificate_v2"}
    assert attributes["message_digest"].native == digest
    ess = attributes["signing_certificate_v2"]["certs"][0]
    assert ess["cert_hash"].native == hashlib.sha256(certificates[0]).digest()
    # the signature covers the attributes as a SET (0x31), not as the [0] they are stored as
    key.public_key().verify(signer_info["signature"].native, b"\x31" + signer_info["signed_attrs"].dump()[1:])
    # the signed attributes are DER as asn1crypto writes them (the signature covers their encoding)
    as_set = b"\x31" + signer_info["signed_attrs"].dump()[1:]
    assert as_set == asn1_cms.CMSAttributes.load(as_set).dump(force=True)


def test_one_size_per_signer(signer: tuple[Ed25519PrivateKey, tuple[bytes, ...]]) -> None:
    key, certificates = signer
    sizes = {len(signed(key, certificates, bytes([n]) * 64)) for n in range(5)}
    assert sizes == {cms.size(certificates)}


def test_rebuild_accepts_exactly_pakta_layout(signer: tuple[Ed25519PrivateKey, tuple[bytes, ...]]) -> None:
    key, certificates = signer
    der = signed(key, certificates, b"\x07" * 64)
    parts = cms.parse(der)
    assert parts.is_pakta_layout()
    assert parts.signer_certificate() == certificates[0]
    # an unsigned attribute added: still a valid CMS for most readers, not what pakta writes
    info = asn1_cms.ContentInfo.load(der)
    info["content"]["signer_infos"][0]["unsigned_attrs"] = [
        {"type": "signing_time", "values": [asn1_cms.Time({"utc_time": __import__("datetime").datetime.now(
            __import__("datetime").UTC)})]}]
    assert not cms.parse(info.dump(force=True)).is_pakta_layout()
    # a longer length encoding than needed for the outer SEQUENCE (BER, not DER)
    body = der[4:]
    assert der[:2] == b"\x30\x82"
    assert not cms.parse(b"\x30\x84" + len(body).to_bytes(4, "big") + body).is_pakta_layout()


def test_parse_refuses_what_is_no_detached_single_signer_cms() -> None:
    for junk in (b"", b"\x30\x00", b"\x04\x02ab", b"\x30\x03\x06\x01\x00"):
        with pytest.raises(cms.CmsError):
            cms.parse(junk)


def test_certificate_ids_come_from_the_certificate(tmp_path: Path) -> None:
    from cryptography import x509

    _, cert_path = make_identity(tmp_path, "Putu", None, passphrase=None)
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    der = certificate.public_bytes(__import__("cryptography").hazmat.primitives.serialization.Encoding.DER)
    ids = cms.certificate_ids(der)
    assert int.from_bytes(cms.der_items(ids.serial)[0][1], "big", signed=True) == certificate.serial_number
    assert ids.issuer == certificate.issuer.public_bytes()
