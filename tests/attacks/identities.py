"""Keys and certificates for the attack suite, made in memory at test time.

Honest identities are built with pakta's own certificate builder, so they carry what pakta puts
in a certificate (CN = name, serialNumber = NIP, title = position, O = institution, C = ID).
An impostor copies everything a person can read in a trusted certificate (subject, serial number,
issuer name, validity, key identifiers) but holds a key of its own: only a verifier that checks
signatures up to a trust root, not names, turns it away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from pakta_cli import ca, certificates, keys, sign
from pakta_cli.sign import Credentials

INSTITUTION = "Komisi Pemilihan Umum Kota Contoh"


@dataclass(frozen=True)
class Identity:
    """A key, its certificate and the certificates between it and a root (not the root itself)."""

    key: Ed25519PrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = field(default=())

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def credentials(self) -> Credentials:
        """What `pakta sign` signs with once it has loaded a key file and its certificate."""
        raw = self.key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption())
        return Credentials(raw, _der(self.cert), tuple(_der(c) for c in self.chain))


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _validity() -> dict[str, dt.datetime]:
    now = certificates.utcnow()
    return {"not_before": now - certificates.BACKDATE, "not_after": now + dt.timedelta(days=365)}


def self_signed(name: str, nip: str | None = None, position: str | None = None,
                institution: str = INSTITUTION) -> Identity:
    """An official's own certificate, as `pakta keys generate` makes it."""
    key = keys.generate_key()
    subject = certificates.Identity(name, nip, position, institution).subject()
    return Identity(key, certificates.build_certificate(key.public_key(), subject, signing_key=key, **_validity()))


def authority(institution: str = INSTITUTION) -> Identity:
    """An institution's root, as `pakta ca init` makes it: what auditors trust."""
    key = keys.generate_key()
    cert = certificates.build_certificate(key.public_key(), ca.ca_subject(institution), signing_key=key, ca=True,
                                  **_validity())
    return Identity(key, cert)


def issued(ca: Identity, name: str, nip: str | None = None, position: str | None = None,
           institution: str = INSTITUTION) -> Identity:
    """An official's certificate issued by `ca`, as `pakta ca issue` makes it."""
    key = keys.generate_key()
    subject = certificates.Identity(name, nip, position, institution).subject()
    cert = certificates.build_certificate(key.public_key(), subject, signing_key=ca.key, issuer=ca.cert, **_validity())
    return Identity(key, cert, (ca.cert,))


def issued_for_another_purpose(ca: Identity, name: str, nip: str | None = None, *, as_ca: bool = False) -> Identity:
    """A certificate the trusted `ca` signed for `name` that may not sign documents: a CA certificate
    (cA = TRUE, keyCertSign) when `as_ca`, else one whose key usage is key agreement only."""
    key = keys.generate_key()
    subject = certificates.Identity(name, nip, None, INSTITUTION).subject()
    usage = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                           "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"), False)
    usage.update({"key_cert_sign": True, "crl_sign": True} if as_ca else {"key_agreement": True})
    validity = _validity()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity["not_before"])
        .not_valid_after(validity["not_after"])
        .add_extension(x509.BasicConstraints(ca=as_ca, path_length=0 if as_ca else None), critical=True)
        .add_extension(x509.KeyUsage(**usage), critical=True)
        .sign(ca.key, None)
    )
    return Identity(key, cert, (ca.cert,))


def _copy(of: x509.Certificate, public_key: Ed25519PublicKey, signing_key: Ed25519PrivateKey) -> x509.Certificate:
    """A certificate with every name, number and date of `of`, for another key, signed by `signing_key`."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(of.subject)
        .issuer_name(of.issuer)
        .public_key(public_key)
        .serial_number(of.serial_number)
        .not_valid_before(of.not_valid_before_utc)
        .not_valid_after(of.not_valid_after_utc)
    )
    for extension in of.extensions:
        if isinstance(extension.value, x509.SubjectKeyIdentifier):
            builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
        elif not isinstance(extension.value, x509.AuthorityKeyIdentifier):
            builder = builder.add_extension(extension.value, extension.critical)
    # the look-alike claims the real issuer's key identifier too: names and ids are not proof
    for extension in of.extensions:
        if isinstance(extension.value, x509.AuthorityKeyIdentifier):
            builder = builder.add_extension(extension.value, extension.critical)
    return builder.sign(signing_key, None)


def impostor(of: x509.Certificate, *, fake_issuer: Identity | None = None) -> Identity:
    """A certificate that copies `of`'s subject (name, NIP), serial number, issuer name, validity and
    extensions but holds a fresh key: self-signed by that key, or signed by `fake_issuer` (a
    look-alike of the real CA)."""
    key = keys.generate_key()
    cert = _copy(of, key.public_key(), fake_issuer.key if fake_issuer else key)
    return Identity(key, cert, (fake_issuer.cert,) if fake_issuer else ())


def lookalike_authority(of: x509.Certificate) -> Identity:
    """A root with the real root's subject, serial number, dates and extensions, and a key of its own."""
    key = keys.generate_key()
    return Identity(key, _copy(of, key.public_key(), key))


# -- signing ----------------------------------------------------------------------------------------


def pakta_sign(pdf: bytes, field_name: str, identity: Identity) -> bytes:
    """Sign one party's field with pakta's own signer, as `pakta sign --party FIELD` does."""
    return sign.sign_pdf(pdf, identity.credentials(), sign.SignOptions(party=field_name)).pdf


def careless_pakta_sign(pdf: bytes, field_name: str, identity: Identity) -> bytes:
    """pakta's signer without its check that the pact is as rendered (`sign` refuses a prepared
    pact): an official with an older or patched pakta, or a tool of the preparer's own."""
    from unittest import mock

    with mock.patch("pakta_cli.verify.integrity_problems", return_value=[]):
        return pakta_sign(pdf, field_name, identity)


# -- signing with pyHanko directly, as an attacker's own tool would --------------------------------


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def pyhanko_signer(identity: Identity) -> signers.SimpleSigner:
    der = identity.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    registry = SimpleCertificateStore()
    registry.register_multiple([_asn1_cert(c) for c in identity.chain])
    return signers.SimpleSigner(
        signing_cert=_asn1_cert(identity.cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=registry,
    )


def pyhanko_sign(pdf: bytes, field_name: str, identity: Identity) -> bytes:
    """Sign `field_name` the way any PAdES tool would: an attacker is not bound to `pakta sign`."""
    meta = signers.PdfSignatureMetadata(field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES)
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    return signers.sign_pdf(writer, meta, signer=pyhanko_signer(identity)).getvalue()
