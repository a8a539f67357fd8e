"""An official's certificate: the identity it names, how pakta writes one, and when it may sign.

A key belongs to one person, so everything here is about making it hard to sign in someone else's
name by accident or on purpose. The certificate carries the identity (CN = name, serialNumber =
NIP, title = position, O = institution, OU = unit, C = ID) and may only sign documents: key usage
digitalSignature + nonRepudiation, not a CA. It is self-signed until an institution CA (see
`ca.py`) issues one. Sign, verify and the CA all read certificates through this module; it needs
no ASN.1 toolkit beyond cryptography's, so `pakta verify` does not load one. Every failure is a
`KeyFileError` with one line a person can act on ("not an X.509 certificate", "expired on ...").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

from pakta_cli import identity_numbers as id_numbers
from pakta_cli import printable
from pakta_cli.errors import InputError, KeyFileError
from pakta_cli.fsutil import read_file
from pakta_cli.i18n import N_, _

DEFAULT_DAYS = 730  # an official's certificate: two election seasons
MAX_DAYS = 36_500  # a hundred years; far enough, and clear of the year 9999 X.509 can write
BACKDATE = dt.timedelta(minutes=5)  # tolerate a signer's clock that is a little behind the issuer's
COUNTRY = "ID"
NIK_PREFIX = "PNOID-"  # serialNumber of a person with a NIK and no NIP (ETSI EN 319 412-1 semantics)
# Extended key usages under which a certificate may sign a document (pakta's own carry none):
# any purpose, document signing (RFC 9336), e-mail protection (S/MIME, often used for documents),
# Microsoft's and Adobe's document-signing purposes.
DOCUMENT_SIGNING_PURPOSES = frozenset({"2.5.29.37.0", "1.3.6.1.5.5.7.3.36", "1.3.6.1.5.5.7.3.4",
                                       "1.3.6.1.4.1.311.10.3.12", "1.2.840.113583.1.1.5"})


@dataclass(frozen=True)
class Identity:
    """Who a certificate names; `nip` is digits only (the form definitions store)."""

    name: str
    nip: str | None = None
    position: str | None = None
    institution: str | None = None
    unit: str | None = None
    nik: str | None = None  # digits only; written only for a person with no NIP

    def subject(self) -> x509.Name:
        """The X.509 subject pakta writes for this identity (C = ID always).

        The NIP is the serialNumber as it is (18 digits); a person with no NIP but a NIK (an ad hoc
        member) gets serialNumber `PNOID-` + NIK, ETSI EN 319 412-1's form for a national personal
        number, so that they match their own roster pact by NIK.
        """
        attributes = person_name_attributes(self.name)
        if self.nip:
            attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, self.nip))
        elif self.nik:
            attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, NIK_PREFIX + self.nik))
        if self.position:
            attributes.append(x509.NameAttribute(NameOID.TITLE, self.position))
        if self.institution:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.institution))
        if self.unit:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, self.unit))
        attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY))
        return x509.Name(attributes)

    def describe(self) -> str:
        """`Name (NIP 19860926 201505 1 001)` or `Name (NIK 7322********1991)`, as messages name a person."""
        if self.nip:
            return f"{self.name} (NIP {id_numbers.group_nip(self.nip)})"
        return f"{self.name} (NIK {id_numbers.mask_nik(self.nik)})" if self.nik else self.name


# X.509 caps a common name at 64 (RFC 5280 ub-common-name; cryptography counts UTF-8 bytes); an
# official's name with every academic title ("Prof. Dr. Ir. H. ..., S.H., M.H., M.Kn.") can be
# longer. Then the CN holds the name shortened, and the full name goes in the `name` attribute
# (2.5.4.41, no such cap), which pakta reads first: the stamp, /Name and party matching all see
# the whole name.
CN_MAX = 64
NAME_OID = x509.ObjectIdentifier("2.5.4.41")
ELLIPSIS = "…"


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def shorten(text: str, limit: int = CN_MAX) -> str:
    """`text` cut at a word boundary to at most `limit` UTF-8 bytes, with an ellipsis when cut."""
    if _size(text) <= limit:
        return text
    room = limit - _size(ELLIPSIS)
    cut = text
    while _size(cut) > room:
        cut = cut[:-1]
    words = cut.rsplit(" ", 1)[0].rstrip(" ,.") if " " in cut else cut
    return (words or cut) + ELLIPSIS


def person_name_attributes(name: str) -> list[x509.NameAttribute[str]]:
    """CN = the name (shortened if it must be), plus the full name when the CN cannot hold it."""
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, shorten(name))]
    if _size(name) > CN_MAX:
        attributes.append(x509.NameAttribute(NAME_OID, name))
    return attributes


def _name_value(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def display_name(name: x509.Name) -> str:
    """The name a subject or issuer is called by: the full name, else the CN, else the whole DN."""
    return _name_value(name, NAME_OID) or _name_value(name, NameOID.COMMON_NAME) or name.rfc4514_string()


def identity_of(cert: x509.Certificate) -> Identity:
    """The identity a certificate's subject names; the NIP is returned as digits only."""
    return identity_of_name(cert.subject)


def identity_of_name(subject: x509.Name) -> Identity:
    """The identity an X.509 name (a certificate's or a request's subject) gives.

    One serialNumber only: a name with two could be read as either, so it names no NIP or NIK.
    """
    serials = subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    serial = _name_value(subject, NameOID.SERIAL_NUMBER) if len(serials) == 1 else None
    nip = nik = None
    if serial is not None and serial.upper().startswith(NIK_PREFIX):
        nik = id_numbers.normalise(serial[len(NIK_PREFIX):])
    elif serial is not None:
        nip = id_numbers.normalise(serial)
    return Identity(
        name=display_name(subject),
        nip=nip,
        position=_name_value(subject, NameOID.TITLE),
        institution=_name_value(subject, NameOID.ORGANIZATION_NAME),
        unit=_name_value(subject, NameOID.ORGANIZATIONAL_UNIT_NAME),
        nik=nik,
    )


def make_identity(name: str, nip: str | None = None, position: str | None = None,
                  institution: str | None = None, unit: str | None = None, nik: str | None = None) -> Identity:
    """An Identity from what a person typed: blanks dropped, the NIP or NIK checked and normalised.

    A NIK only for a person with no NIP (an ad hoc member): a certificate names one number, and a
    NIK is personal data that a civil servant's certificate has no reason to carry.
    """

    def clean(value: str | None) -> str | None:
        value = value.strip() if value is not None else None
        return value or None

    name_clean = clean(name)
    if name_clean is None:
        raise InputError(_("the name must not be empty"), hint=_("the name as it is printed in the pact"),
                         about="name_empty")
    bad = printable.unprintable(name_clean)
    if bad is not None:  # the stamp prints the name in Helvetica, which cannot show it
        raise InputError(_("the name: {character} cannot be printed in a signature stamp").format(
                             character=printable.describe(bad[1])),
                         hint=_("write the name as the pact prints it (Latin letters)"), about="name_unprintable",
                         character=printable.describe(bad[1]))
    nip_clean = clean(nip)
    if nip_clean is not None:
        problem = id_numbers.nip_problem(nip_clean)
        if problem:
            raise InputError(problem, hint=_("give no NIP for officials who have none (commissioners, ad hoc "
                                             "bodies)"), about="no_nip")
        nip_clean = id_numbers.normalise(nip_clean)
    nik_clean = clean(nik)
    if nik_clean is not None:
        if nip_clean is not None:
            raise InputError(_("a certificate carries a NIP or a NIK, not both"),
                             hint=_("a NIK is for people who have no NIP (ad hoc members); it is personal data"))
        problem = id_numbers.nik_problem(nik_clean)
        if problem:
            raise InputError(problem)
        nik_clean = id_numbers.normalise(nik_clean)
    return Identity(name_clean, nip_clean, clean(position), clean(institution), clean(unit), nik_clean)


def changed_identity(current: Identity, *, name: str | None = None, nip: str | None = None,
                     nik: str | None = None, position: str | None = None, institution: str | None = None,
                     unit: str | None = None) -> Identity:
    """`current` with what a person typed again: each value given replaces its own (a new position
    after a promotion), checked as `make_identity` checks it; a NIP given replaces a NIK, and back."""
    return make_identity(
        name if name is not None else current.name,
        nip if nip is not None else None if nik is not None else current.nip,
        position if position is not None else current.position,
        institution if institution is not None else current.institution,
        unit if unit is not None else current.unit,
        nik if nik is not None else None if nip is not None else current.nik,
    )


# --- reading certificates -----------------------------------------------------------------------


def parse_certificates(data: bytes, source: Path | str) -> list[x509.Certificate]:
    """Every certificate in PEM data (in file order), or the one DER certificate."""
    if not data.strip():
        raise KeyFileError(_("{source}: the file is empty, not a certificate").format(source=source))
    if b"X509 CRL-----" in data and b"-----BEGIN CERTIFICATE-----" not in data:
        raise KeyFileError(_("{source}: is a revocation list (CRL), not a certificate").format(source=source),
                           hint=_("a CRL is given as a revocation list, and the CA that signed it as trusted"),
                           about="crl_needs_issuer")
    try:
        if b"-----BEGIN" in data:
            if b"-----BEGIN CERTIFICATE-----" not in data:
                raise ValueError("no certificate in it")
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        hint = "this looks like a private key: certificates end in .crt" if b"PRIVATE KEY-----" in data else None
        raise KeyFileError(_("{source}: not an X.509 certificate ({exc})").format(
                               source=source, exc=parse_failure(exc)), hint=hint) from None


def parse_failure(exc: Exception) -> str:
    """cryptography's reason in words: its DER parser reports `ParseError { kind: ShortData ... }`."""
    text = str(exc)
    return "neither PEM text nor well-formed DER" if "ParseError" in text or "asn1" in text else text


def load_certificates(path: Path) -> list[x509.Certificate]:
    """All certificates in a file: one DER certificate, or one or more PEM certificates."""
    return parse_certificates(read_file(path, N_("certificate")), path)


def load_certificate(path: Path) -> x509.Certificate:
    """The first (or only) certificate in a PEM or DER file."""
    return load_certificates(path)[0]


def ed25519_public_key(cert: x509.Certificate, source: Path | str) -> Ed25519PublicKey:
    public_key = cert.public_key()
    if not isinstance(public_key, Ed25519PublicKey):
        raise KeyFileError(_("{source}: the certificate's key is not Ed25519 ({kind})").format(
                               source=source, kind=type(public_key).__name__),
                           hint=_("pakta signs with Ed25519 keys made by `pakta keys generate`"))
    return public_key


def certificate_fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def build_certificate(
    public_key: Ed25519PublicKey,
    subject: x509.Name,
    *,
    signing_key: Ed25519PrivateKey,
    issuer: x509.Certificate | None = None,
    not_before: dt.datetime,
    not_after: dt.datetime,
    ca: bool = False,
) -> x509.Certificate:
    """A certificate for `public_key`, self-signed when `issuer` is None.

    An official's certificate may sign documents only (digitalSignature + nonRepudiation, not a CA);
    a CA certificate may sign certificates and CRLs only, with no intermediate below it.
    """
    issuer_name = issuer.subject if issuer is not None else subject
    if ca:
        usage = x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                              data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                              encipher_only=False, decipher_only=False)
    else:
        usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                              data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                              encipher_only=False, decipher_only=False)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    authority = issuer.public_key() if issuer is not None else public_key
    if isinstance(authority, Ed25519PublicKey):
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(authority), critical=False)
    return builder.sign(signing_key, None)


def self_signed_certificate(key: Ed25519PrivateKey, identity: Identity, *, days: int = DEFAULT_DAYS,
                            now: dt.datetime | None = None) -> x509.Certificate:
    now = now or utcnow()
    return build_certificate(key.public_key(), identity.subject(), signing_key=key,
                             not_before=now - BACKDATE, not_after=now + dt.timedelta(days=days))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def signed_by(cert: x509.Certificate, public_key: object) -> bool:
    """Whether this Ed25519 key made the certificate's signature (over its TBS bytes)."""
    if not isinstance(public_key, Ed25519PublicKey):
        return False
    try:
        public_key.verify(cert.signature, cert.tbs_certificate_bytes)
    except Exception:
        return False
    return True


def is_self_signed(cert: x509.Certificate) -> bool:
    """Self-signed by its own key (checked by signature, not by comparing names)."""
    return signed_by(cert, cert.public_key())


def is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def check_validity(cert: x509.Certificate, at: dt.datetime, source: Path | str) -> None:
    """A certificate used outside its validity period is refused, saying which way it is off."""
    if at < cert.not_valid_before_utc:
        raise KeyFileError(_("{source}: certificate not valid yet (valid from {start})").format(
                               source=source, start=format_time(cert.not_valid_before_utc)),
                           hint=_("check this computer's clock, or wait until the certificate starts"))
    if at > cert.not_valid_after_utc:
        raise KeyFileError(_("{source}: certificate expired on {end}").format(
                               source=source, end=format_time(cert.not_valid_after_utc)),
                           hint=_("ask your institution's CA for a new certificate (pakta ca issue)"))


def check_signing_certificate(cert: x509.Certificate, source: Path | str) -> None:
    """Only an end-entity certificate allowed to sign documents signs a pact."""
    ed25519_public_key(cert, source)
    if is_ca(cert):
        raise KeyFileError(_("{source}: is a CA certificate; officials sign pacts with their own key").format(
                               source=source),
                           hint=_("make a personal key with `pakta keys generate` and have the CA issue it"))
    unknown = [ext.oid.dotted_string for ext in cert.extensions
               if ext.critical and isinstance(ext.value, x509.UnrecognizedExtension)]
    if unknown:  # RFC 5280 4.2: a certificate with a critical extension one cannot process is rejected
        raise KeyFileError(_("{source}: the certificate has a critical extension pakta does not know "
                             "({extension})").format(source=source, extension=unknown[0]))
    try:
        purposes = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        pass
    else:
        if not {purpose.dotted_string for purpose in purposes} & DOCUMENT_SIGNING_PURPOSES:
            names = ", ".join(getattr(p, "_name", p.dotted_string) for p in purposes)
            raise KeyFileError(_("{source}: the certificate is for other purposes ({names}), not for "
                                 "signing documents").format(source=source, names=names))
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise KeyFileError(_("{source}: the certificate's key usage does not allow signing documents").format(
                               source=source))


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def build_request(key: Ed25519PrivateKey, identity: Identity) -> x509.CertificateSigningRequest:
    """A certificate signing request (PKCS#10) for `identity`, signed by `key`.

    How an official whose certificate a CA issued asks for a new one for the same key: the
    CA-issued certificate is signed by the CA, so it no longer proves that its holder has the key;
    the request, signed by the key itself, does (`ca.read_request` checks it).
    """
    return x509.CertificateSigningRequestBuilder().subject_name(identity.subject()).sign(key, None)
