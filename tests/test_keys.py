"""Keys, certificates, trust roots, the institution CA and its CRL, as a library."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from pakta_cli.ca import CaPaths, issue, load_ca, refresh_crl, revoke
from pakta_cli.certificates import (
    Identity,
    build_certificate,
    check_validity,
    identity_of,
    load_certificate,
    make_identity,
)
from pakta_cli.errors import InputError, KeyFileError, OutputExistsError
from pakta_cli.keyid import key_id
from pakta_cli.keys import (
    KDF_ITERATIONS,
    check_pair,
    encode_private_key,
    generate_identity,
    key_is_encrypted,
    load_private_key,
)
from pakta_cli.trust import issuer_chain, load_crls, load_trust, revocation, revocation_reason
from tests.conftest import PASSPHRASE, make_ca
from tests.conftest import make_identity as make_test_identity

AYU = Identity("Ni Luh Ayu Sukmawati", "198609262015051001", "Sekretaris", "KPU Provinsi Bali", "Sekretariat")


def test_generate_writes_encrypted_key_0600_and_certificate(tmp_path: Path) -> None:
    new = generate_identity(tmp_path / "ayu", AYU, PASSPHRASE)
    assert new.paths.key == tmp_path / "ayu.key" and new.paths.cert == tmp_path / "ayu.crt"
    assert stat.S_IMODE(new.paths.key.stat().st_mode) == 0o600
    assert new.paths.key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    key = load_private_key(new.paths.key, PASSPHRASE)
    cert = load_certificate(new.paths.cert)
    assert key_id(key.public_key()) == new.key_id
    check_pair(key, cert, "k", "c")


def test_certificate_carries_the_identity(tmp_path: Path) -> None:
    cert = generate_identity(tmp_path / "ayu", AYU, PASSPHRASE).certificate
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == AYU.name
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == AYU.nip
    assert subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Sekretaris"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "KPU Provinsi Bali"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "Sekretariat"
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "ID"
    assert cert.issuer == subject
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert identity_of(cert) == AYU


def test_identity_without_nip_and_grouped_nip(tmp_path: Path) -> None:
    assert make_identity("  Ketua KPU  ", None).nip is None
    assert make_identity("X", "19860926 201505 1 001").nip == "198609262015051001"
    with pytest.raises(InputError, match="18 digits"):
        make_identity("X", "1234")
    with pytest.raises(InputError, match="must not be empty"):
        make_identity("  ", None)
    cert = generate_identity(tmp_path / "k", make_identity("Ketua KPU", None), PASSPHRASE).certificate
    assert not cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    assert identity_of(cert).nip is None


def test_key_uses_a_strong_kdf(tmp_path: Path) -> None:
    new = generate_identity(tmp_path / "ayu", AYU, PASSPHRASE)
    _, _, der = asn1_pem.unarmor(new.paths.key.read_bytes())
    info = asn1_keys.EncryptedPrivateKeyInfo.load(der)
    params = info["encryption_algorithm"]["parameters"]
    assert info["encryption_algorithm"]["algorithm"].native == "pbes2"
    assert params["key_derivation_func"]["parameters"]["iteration_count"].native == KDF_ITERATIONS >= 600_000
    assert params["encryption_scheme"]["algorithm"].native == "aes256_cbc"
    # and any PKCS#8 reader opens it
    serialization.load_pem_private_key(new.paths.key.read_bytes(), PASSPHRASE)


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    first = generate_identity(tmp_path / "ayu", AYU, PASSPHRASE)
    before = first.paths.key.read_bytes()
    with pytest.raises(OutputExistsError):
        generate_identity(tmp_path / "ayu", AYU, PASSPHRASE)
    assert first.paths.key.read_bytes() == before
    second = generate_identity(tmp_path / "ayu", AYU, PASSPHRASE, force=True)
    assert second.key_id != first.key_id


def test_existing_certificate_alone_blocks_both_files(tmp_path: Path) -> None:
    (tmp_path / "ayu.crt").write_text("someone else's")
    with pytest.raises(OutputExistsError):
        generate_identity(tmp_path / "ayu", AYU, PASSPHRASE)
    assert not (tmp_path / "ayu.key").exists()


def test_short_passphrase_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="at least 8"):
        generate_identity(tmp_path / "ayu", AYU, b"short")
    assert list(tmp_path.iterdir()) == []


def test_load_private_key_errors(tmp_path: Path) -> None:
    new = generate_identity(tmp_path / "ayu", AYU, PASSPHRASE)
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        load_private_key(new.paths.key, b"not the passphrase")
    with pytest.raises(KeyFileError, match="needs a passphrase"):
        load_private_key(new.paths.key, None)
    with pytest.raises(KeyFileError, match="is a certificate, not a private key"):
        load_private_key(new.paths.cert, PASSPHRASE)
    with pytest.raises(InputError, match="not found"):
        load_private_key(tmp_path / "missing.key", PASSPHRASE)
    rsa_path = tmp_path / "rsa.key"
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_path.write_bytes(rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    with pytest.raises(KeyFileError, match=r"not an Ed25519 key .*RSA 2048-bit"):
        load_private_key(rsa_path, None)
    ec_path = tmp_path / "ec.key"
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_path.write_bytes(ec_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.BestAvailableEncryption(PASSPHRASE)))
    with pytest.raises(KeyFileError, match=r"not an Ed25519 key .*secp256r1"):
        load_private_key(ec_path, PASSPHRASE)


def test_unencrypted_and_der_keys_load(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    plain = tmp_path / "plain.key"
    plain.write_bytes(encode_private_key(key, None))
    assert not key_is_encrypted(plain)
    assert load_private_key(plain, b"ignored for a plain key").public_key() == key.public_key()
    der = tmp_path / "der.key"
    der.write_bytes(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                      serialization.BestAvailableEncryption(PASSPHRASE)))
    assert key_is_encrypted(der)
    assert load_private_key(der, PASSPHRASE).public_key() == key.public_key()


def test_certificate_pem_and_der(tmp_path: Path) -> None:
    new = generate_identity(tmp_path / "ayu", AYU, PASSPHRASE)
    der = tmp_path / "ayu.der"
    der.write_bytes(new.certificate.public_bytes(serialization.Encoding.DER))
    assert load_certificate(der) == load_certificate(new.paths.cert)
    with pytest.raises(KeyFileError, match=r"not an X\.509 certificate"):
        load_certificate(new.paths.key)


def test_key_and_certificate_must_belong_together(tmp_path: Path) -> None:
    one = generate_identity(tmp_path / "one", AYU, PASSPHRASE)
    two = generate_identity(tmp_path / "two", AYU, PASSPHRASE)
    with pytest.raises(KeyFileError, match="do not belong together"):
        check_pair(load_private_key(one.paths.key, PASSPHRASE), two.certificate, one.paths.key, two.paths.cert)


def test_validity_checks_both_ends(tmp_path: Path) -> None:
    cert = generate_identity(tmp_path / "ayu", AYU, PASSPHRASE, days=10).certificate
    now = dt.datetime.now(dt.UTC)
    check_validity(cert, now, "c")
    with pytest.raises(KeyFileError, match="not valid yet"):
        check_validity(cert, now - dt.timedelta(days=1), "c")
    with pytest.raises(KeyFileError, match="expired on"):
        check_validity(cert, now + dt.timedelta(days=11), "c")


# --- trust roots --------------------------------------------------------------------------------


def test_load_trust_files_folders_and_duplicates(tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    one = generate_identity(tmp_path / "certs" / "one", AYU, PASSPHRASE)
    two = generate_identity(tmp_path / "certs" / "two", AYU, PASSPHRASE)
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(one.paths.cert.read_bytes() + two.paths.cert.read_bytes())
    assert len(load_trust([bundle])) == 2
    assert len(load_trust([tmp_path / "certs"])) == 2  # the .key files in the folder are not read
    assert len(load_trust([bundle, tmp_path / "certs", one.paths.cert])) == 2
    with pytest.raises(InputError, match="not found"):
        load_trust([tmp_path / "missing.crt"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no certificates"):
        load_trust([tmp_path / "empty"])


def test_issuer_chain_by_key_not_by_name(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    _, issued_path = make_test_identity(tmp_path / "k", "Ayu", AYU.nip, authority)
    issued = load_certificate(issued_path)
    assert issuer_chain(issued, [authority.cert]) == authority.cert
    # an impostor CA with the very same name signs a certificate: not trusted
    impostor_key = Ed25519PrivateKey.generate()
    now = dt.datetime.now(dt.UTC)
    impostor_ca = build_certificate(impostor_key.public_key(), authority.cert.subject, signing_key=impostor_key,
                                    not_before=now, not_after=now + dt.timedelta(days=9), ca=True)
    forged = build_certificate(Ed25519PrivateKey.generate().public_key(), issued.subject,
                               signing_key=impostor_key, issuer=impostor_ca,
                               not_before=now, not_after=now + dt.timedelta(days=9))
    assert issuer_chain(forged, [authority.cert]) is None
    assert issuer_chain(forged, [impostor_ca]) == impostor_ca
    # a self-signed certificate is its own root; it does not issue others
    own = generate_identity(tmp_path / "own", AYU, PASSPHRASE)
    assert issuer_chain(own.certificate, [own.certificate]) == own.certificate
    signed_by_official = build_certificate(Ed25519PrivateKey.generate().public_key(), issued.subject,
                                           signing_key=load_private_key(own.paths.key, PASSPHRASE),
                                           issuer=own.certificate, not_before=now,
                                           not_after=now + dt.timedelta(days=9))
    assert issuer_chain(signed_by_official, [own.certificate]) is None
    # same subject and serial, other key: not the trusted certificate
    twin = generate_identity(tmp_path / "twin", AYU, PASSPHRASE)
    assert issuer_chain(twin.certificate, [own.certificate]) is None


# --- the CA ---------------------------------------------------------------------------------------


def test_ca_init_writes_root_and_empty_crl(tmp_path: Path) -> None:
    authority = make_ca(tmp_path, "KPU Kota Denpasar", prefix="kpu")
    paths = CaPaths.for_prefix(tmp_path / "kpu")
    assert stat.S_IMODE(paths.key.stat().st_mode) == 0o600
    cert = load_certificate(paths.cert)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert "KPU Kota Denpasar" in cert.subject.rfc4514_string()
    crls = load_crls([paths.crl], [cert])
    assert len(crls[0]) == 0
    assert authority.cert == cert
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        load_ca(tmp_path / "kpu", b"wrong passphrase")
    with pytest.raises(InputError, match="no CA here"):
        load_ca(tmp_path / "nothing", PASSPHRASE)


def test_ca_issues_the_same_identity_from_a_certificate(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    own = generate_identity(tmp_path / "ayu", AYU, PASSPHRASE)
    cert = issue(authority, own.paths.cert, days=30)
    assert cert.subject == own.certificate.subject
    assert cert.issuer == authority.cert.subject
    assert cert.public_key() == own.certificate.public_key()
    assert issuer_chain(cert, [authority.cert]) == authority.cert
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    longer = issue(authority, own.paths.cert, days=100_000)
    assert longer.not_valid_after_utc <= authority.cert.not_valid_after_utc


def test_ca_issues_from_a_csr_and_checks_proof_of_possession(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    key = Ed25519PrivateKey.generate()
    csr = x509.CertificateSigningRequestBuilder().subject_name(AYU.subject()).sign(key, None)
    csr_path = tmp_path / "ayu.csr"
    csr_path.write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    cert = issue(authority, csr_path)
    assert cert.public_key() == key.public_key() and identity_of(cert) == AYU
    # a certificate for someone else's key, not signed by that key, proves nothing
    now = dt.datetime.now(dt.UTC)
    other = build_certificate(Ed25519PrivateKey.generate().public_key(), AYU.subject(), signing_key=key,
                              not_before=now, not_after=now + dt.timedelta(days=9))
    other_path = tmp_path / "other.crt"
    other_path.write_bytes(other.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(KeyFileError, match="not signed by its own key"):
        issue(authority, other_path)


def test_revoke_adds_to_the_signed_crl(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    _, cert_path = make_test_identity(tmp_path / "k", "Ayu", AYU.nip, authority)
    _, kept_path = make_test_identity(tmp_path / "k", "Made", "197501012000031002", authority)
    revoked = revoke(authority, cert_path, reason="key-compromise")
    assert revoked.count == 1
    crls = load_crls([authority.paths.crl], [authority.cert])
    status = revocation(load_certificate(cert_path), [authority.cert], crls)
    assert status.entry is not None and revocation_reason(status.entry) == "key-compromise"
    assert status.reason == "key-compromise" and status.checked == tuple(crls)
    kept = revocation(load_certificate(kept_path), [authority.cert], crls)
    assert kept.entry is None and kept.checked == tuple(crls)
    # the same CRL says nothing of a certificate when the CA that signed it is not trusted
    assert revocation(load_certificate(cert_path), [], crls).checked == ()
    number = crls[0].extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number == 2
    with pytest.raises(InputError, match="already revoked"):
        revoke(authority, cert_path)
    with pytest.raises(InputError, match="unknown reason"):
        revoke(authority, kept_path, reason="bored")
    refreshed = refresh_crl(authority)
    assert len(refreshed) == 1
    assert refreshed.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 3


def test_revoke_refuses_certificates_of_others(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    own = generate_identity(tmp_path / "ayu", AYU, PASSPHRASE)
    with pytest.raises(KeyFileError, match="not issued by this CA"):
        revoke(authority, own.paths.cert)
    assert len(load_crls([authority.paths.crl], [authority.cert])[0]) == 0


def test_crl_must_be_signed_by_a_trust_root(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    other = make_ca(tmp_path / "other", "Bawaslu")
    with pytest.raises(InputError, match="not signed by any of the trusted"):
        load_crls([authority.paths.crl], [other.cert])
    with pytest.raises(InputError, match="not signed by any of the trusted"):
        load_crls([authority.paths.crl])
    garbage = tmp_path / "bad.crl"
    garbage.write_bytes(b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")
    with pytest.raises(InputError, match="not a certificate revocation list"):
        load_crls([garbage], [authority.cert])
