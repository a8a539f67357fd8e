"""Keys and certificates for the attack suite, made in memory at test time.

Honest identities carry the names pakta puts in a certificate (CN = name, serialNumber = NIP,
title = position, O = institution, C = ID). An impostor copies everything a person can read in a
trusted certificate (subject, serial number, issuer name, validity) but holds a key of its own:
only a verifier that checks signatures up to a trust root, not names, turns it away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
VALIDITY = (NOW - dt.timedelta(days=30), NOW + dt.timedelta(days=365))


@dataclass(frozen=True)
class Identity:
    """A key, its certificate and the certificates between it and a root (not the root itself)."""

    key: Ed25519PrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = field(default=())

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def person_name(name: str, nip: str | None = None, position: str | None = None,
                institution: str = "Komisi Pemilihan Umum Kota Contoh") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if nip:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, nip))
    if position:
        attributes.append(x509.NameAttribute(NameOID.TITLE, position))
    attributes += [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, institution),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
    ]
    return x509.Name(attributes)


def _certificate(subject: x509.Name, issuer: x509.Name, public_key: object, signing_key: Ed25519PrivateKey,
                 *, ca: bool, serial: int | None = None,
                 validity: tuple[dt.datetime, dt.datetime] = VALIDITY) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
    )
    return builder.sign(signing_key, None)


def self_signed(name: str, nip: str | None = None, position: str | None = None) -> Identity:
    """An official's own certificate, trusted when the auditor trusts it directly."""
    key = Ed25519PrivateKey.generate()
    subject = person_name(name, nip, position)
    return Identity(key, _certificate(subject, subject, key.public_key(), key, ca=False))


def authority(name: str = "KPU Kota Contoh Root CA") -> Identity:
    """An institution's root: the certificate auditors trust, which issues officials' certificates."""
    key = Ed25519PrivateKey.generate()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Komisi Pemilihan Umum Kota Contoh"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
    ])
    return Identity(key, _certificate(subject, subject, key.public_key(), key, ca=True))


def issued(ca: Identity, name: str, nip: str | None = None, position: str | None = None) -> Identity:
    """An official's certificate issued by `ca`."""
    key = Ed25519PrivateKey.generate()
    cert = _certificate(person_name(name, nip, position), ca.cert.subject, key.public_key(), ca.key, ca=False)
    return Identity(key, cert, (ca.cert,))


def impostor(of: x509.Certificate, *, fake_issuer: Identity | None = None) -> Identity:
    """A certificate that copies `of`'s subject, serial number, issuer name and validity but holds a
    fresh key. Self-signed by that key, or signed by `fake_issuer` (a look-alike of the real CA)."""
    key = Ed25519PrivateKey.generate()
    signing_key = fake_issuer.key if fake_issuer else key
    cert = _certificate(
        of.subject, of.issuer, key.public_key(), signing_key, ca=False, serial=of.serial_number,
        validity=(of.not_valid_before_utc, of.not_valid_after_utc),
    )
    return Identity(key, cert, (fake_issuer.cert,) if fake_issuer else ())


def lookalike_authority(of: x509.Certificate) -> Identity:
    """A root with the real root's subject and serial number and a key of its own."""
    key = Ed25519PrivateKey.generate()
    cert = _certificate(of.subject, of.subject, key.public_key(), key, ca=True, serial=of.serial_number,
                        validity=(of.not_valid_before_utc, of.not_valid_after_utc))
    return Identity(key, cert)


# -- signing with pyHanko directly -----------------------------------------------------------------


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
