"""An institution's own small CA: its three files, issuing officials' certificates, revoking them.

The CA (`pakta ca ...`) is three files beside each other:

    PREFIX.key  the CA's private key (encrypted PKCS#8, mode 0600; kept offline by the institution)
    PREFIX.crt  the root certificate auditors trust (`pakta verify --trust PREFIX.crt`)
    PREFIX.crl  the revocation list auditors pass along (`--crl PREFIX.crl`); `ca init` writes an
                empty one so the auditor's command never changes when a certificate is revoked

One level of CA is all pakta makes (path length 0). What a verifier makes of these files is
`trust.py`'s rule; this module only writes them. Every revocation records the revoked certificate's
key beside its serial, so that a verifier can revoke the key wherever else it appears when the
reason is about the key (key compromise, a hold, or no reason given); for the same reason the CA
never certifies a key its own list revokes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

from pakta_cli.certificates import (
    BACKDATE,
    CN_MAX,
    COUNTRY,
    NIK_PREFIX,
    Identity,
    build_certificate,
    check_validity,
    format_time,
    identity_of,
    identity_of_name,
    is_ca,
    load_certificate,
    make_identity,
    parse_certificates,
    parse_failure,
    shorten,
    signed_by,
    utcnow,
)
from pakta_cli.errors import InputError, KeyFileError
from pakta_cli.fsutil import atomic_write, read_file
from pakta_cli.i18n import N_, _
from pakta_cli.identity_numbers import nik_problem, normalise
from pakta_cli.keyid import key_id
from pakta_cli.keys import MIN_PASSPHRASE, encode_private_key, load_private_key, refuse_folder_prefix, write_files
from pakta_cli.trust import (
    KEY_REASONS,
    REASONS,
    parse_crl,
    revocation_reason,
    revoked_key,
    revoked_key_extension,
    revokes_key,
)

CA_DAYS = 3650
CRL_DAYS = 365  # a CRL's nextUpdate; `pakta ca crl` signs a fresh one any time


@dataclass(frozen=True)
class CaPaths:
    key: Path
    cert: Path
    crl: Path

    @classmethod
    def for_prefix(cls, prefix: Path) -> CaPaths:
        base = prefix.with_suffix("") if prefix.suffix in (".key", ".crt", ".crl") else prefix
        return cls(*(base.with_name(base.name + suffix) for suffix in (".key", ".crt", ".crl")))


@dataclass(frozen=True)
class CertificateAuthority:
    """A loaded CA: its key (decrypted), its root certificate and where its files are."""

    paths: CaPaths
    key: Ed25519PrivateKey
    cert: x509.Certificate


CA_SUFFIX = " (pakta CA)"


def ca_subject(institution: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, shorten(institution, CN_MAX - len(CA_SUFFIX)) + CA_SUFFIX),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, institution),
        x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
    ])


def init_ca(prefix: Path, institution: str, passphrase: bytes | None, *, days: int = CA_DAYS,
            force: bool = False) -> CertificateAuthority:
    """Create PREFIX.key, the root certificate PREFIX.crt and an empty PREFIX.crl."""
    institution = institution.strip()
    if not institution:
        raise InputError(_("the institution's name must not be empty"), about="institution_empty")
    if days < 1:
        raise InputError(_("a certificate is valid for at least one day"), about="days")
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE:
        raise KeyFileError(_("the passphrase must have at least {count} characters").format(
                               count=MIN_PASSPHRASE))
    paths = CaPaths.for_prefix(prefix)
    refuse_folder_prefix(prefix)
    key = Ed25519PrivateKey.generate()
    now = utcnow()
    cert = build_certificate(key.public_key(), ca_subject(institution), signing_key=key,
                             not_before=now - BACKDATE, not_after=now + dt.timedelta(days=days), ca=True)
    ca = CertificateAuthority(paths, key, cert)
    crl = _build_crl(ca, [], number=1, now=now)
    write_files([
        (paths.key, encode_private_key(key, passphrase), 0o600),
        (paths.cert, cert.public_bytes(serialization.Encoding.PEM), 0o644),
        (paths.crl, crl.public_bytes(serialization.Encoding.PEM), 0o644),
    ], force=force)
    return ca


def load_ca(prefix: Path, passphrase: bytes | None) -> CertificateAuthority:
    paths = CaPaths.for_prefix(prefix)
    if not paths.key.exists() and not paths.cert.exists():
        raise InputError(_("{prefix}: no CA here (expected {name} and {cert})").format(
                             prefix=prefix, name=paths.key.name, cert=paths.cert.name),
                         hint=_("create the CA first"), about="no_ca")
    cert = load_certificate(paths.cert)
    if not is_ca(cert):
        raise KeyFileError(_("{cert}: not a CA certificate").format(cert=paths.cert),
                           hint=_("name the CA by the prefix it was created with"), about="ca_prefix")
    key = load_private_key(paths.key, passphrase)
    if key.public_key() != cert.public_key():
        raise KeyFileError(_("{key} and {cert} do not belong together").format(key=paths.key, cert=paths.cert))
    check_validity(cert, utcnow(), paths.cert)
    return CertificateAuthority(paths, key, cert)


@dataclass(frozen=True)
class Request:
    """What an official asks the CA to certify: an identity, checked and written the way pakta
    writes one, and a key the requester proved to hold. `ca issue` shows it before it signs."""

    source: Path
    identity: Identity
    public_key: Ed25519PublicKey

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)


def read_request(path: Path) -> Request:
    """The identity and key an official asks to be certified, from a certificate or a CSR.

    Either must be signed by the key it names (a self-signed certificate from `pakta keys generate`
    or a CSR), so nobody can have someone else's public key certified in their own name. Only the
    identity pakta writes is taken (name, NIP or NIK, title, institution, unit), checked as
    `keys generate` checks it; a request's other attributes are not copied.
    """
    data = read_file(path, N_("certificate or request"))
    if b"CERTIFICATE REQUEST-----" in data or _looks_like_der_csr(data):
        try:
            csr = (x509.load_pem_x509_csr(data) if b"-----BEGIN" in data else x509.load_der_x509_csr(data))
        except ValueError as exc:
            raise InputError(_("{path}: not a certificate signing request ({exc})").format(
                                 path=path, exc=parse_failure(exc))) from None
        public_key = csr.public_key()
        if not isinstance(public_key, Ed25519PublicKey):
            raise KeyFileError(_("{path}: the request's key is not Ed25519").format(path=path))
        if not csr.is_signature_valid:
            raise KeyFileError(_("{path}: the request's signature does not check out with its own key").format(
                                   path=path))
        return Request(path, _requested_identity(csr.subject, path), public_key)
    cert = parse_certificates(data, path)[0]
    public_key = cert.public_key()
    if not isinstance(public_key, Ed25519PublicKey):
        raise KeyFileError(_("{path}: the certificate's key is not Ed25519").format(path=path))
    if not signed_by(cert, public_key):
        raise KeyFileError(
            _("{path}: not signed by its own key, so it does not prove the official holds the key").format(
                path=path),
            hint=_("issue from the self-signed certificate `pakta keys generate` wrote, or from a "
                   "request (`pakta keys csr`)"),
        )
    if is_ca(cert):
        raise KeyFileError(_("{path}: is a CA certificate; the CA issues certificates to officials only").format(
                               path=path))
    return Request(path, _requested_identity(cert.subject, path), public_key)


def _requested_identity(subject: x509.Name, path: Path) -> Identity:
    named = identity_of_name(subject)
    serial = _raw_serial(subject)
    nik = serial[len(NIK_PREFIX):] if serial is not None and serial.upper().startswith(NIK_PREFIX) else None
    try:
        identity = make_identity(named.name if subject.get_attributes_for_oid(NameOID.COMMON_NAME) else "",
                                 None if nik is not None else serial, named.position, named.institution, named.unit)
    except InputError as exc:
        raise InputError(_("{path}: the request's identity: {message}").format(
            path=path, message=exc.message)) from None
    if nik is None:
        return identity
    problem = nik_problem(nik)
    if problem:
        raise InputError(_("{path}: the request's identity: {problem}").format(path=path, problem=problem))
    return replace(identity, nik=normalise(nik))


def _looks_like_der_csr(data: bytes) -> bool:
    if data.startswith(b"-----"):
        return False
    try:
        x509.load_der_x509_csr(data)
    except ValueError:
        return False
    return True


def issue(ca: CertificateAuthority, request: Request | Path, *, days: int = 730) -> x509.Certificate:
    """An official's certificate with the requested identity, signed by the CA.

    It never outlives the CA's own certificate, since nothing it signs could be trusted after that.
    """
    if days < 1:
        raise InputError(_("a certificate is valid for at least one day"), about="days")
    if isinstance(request, Path):
        request = read_request(request)
    if request.public_key == ca.key.public_key():
        raise KeyFileError(_("{source}: this is the CA's own key; officials sign with their own keys").format(
                               source=request.source))
    _refuse_revoked_key(ca, request.public_key, request.source)
    now = utcnow()
    not_after = min(now + dt.timedelta(days=days), ca.cert.not_valid_after_utc)
    return build_certificate(request.public_key, request.identity.subject(), signing_key=ca.key, issuer=ca.cert,
                             not_before=now - BACKDATE, not_after=not_after)


def _refuse_revoked_key(ca: CertificateAuthority, public_key: Ed25519PublicKey, request: Path) -> None:
    """A key this CA revoked for what is wrong with the key is never certified again: every
    certificate of it would be revoked the moment it is issued."""
    crl = read_crl(ca)
    for entry in crl if crl is not None else ():
        if revokes_key(entry) and revoked_key(entry) == public_key:
            why = revocation_reason(entry) or "no reason given"
            raise KeyFileError(_("{request}: key id {key_id} was revoked by this CA on "
                                 "{when} ({why}); it can never be certified again").format(
                                   request=request, key_id=key_id(public_key),
                                   when=format_time(entry.revocation_date_utc), why=why),
                               hint=_("the official makes a new key (pakta keys generate) and asks "
                                      "for its certificate"))


def _raw_serial(subject: x509.Name) -> str | None:
    values = subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(values[0].value) if values else None


def read_crl(ca: CertificateAuthority) -> x509.CertificateRevocationList | None:
    if not ca.paths.crl.exists():
        return None
    crl = parse_crl(read_file(ca.paths.crl, N_("CRL")), ca.paths.crl)
    if not crl.is_signature_valid(ca.cert.public_key()):  # type: ignore[arg-type]
        raise InputError(_("{crl}: not signed by this CA ({cert})").format(crl=ca.paths.crl, cert=ca.paths.cert),
                         hint=_("move the stray file away; `pakta ca crl` writes a new, empty list"))
    return crl


def _crl_number(crl: x509.CertificateRevocationList | None) -> int:
    if crl is None:
        return 0
    try:
        return int(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
    except x509.ExtensionNotFound:
        return 0


def _build_crl(ca: CertificateAuthority, entries: Sequence[x509.RevokedCertificate], *, number: int,
               now: dt.datetime) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(now)
        .next_update(now + dt.timedelta(days=CRL_DAYS))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
    )
    for entry in entries:
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(ca.key, None)


@dataclass(frozen=True)
class Revoked:
    serial: int
    name: str
    key_id: str | None
    count: int  # entries in the CRL after this one
    whole_key: bool  # the reason is about the key: every certificate of it is revoked, not this one only


def revoke(ca: CertificateAuthority, cert_path: Path, *, reason: str | None = None,
           compromised_since: dt.datetime | None = None) -> Revoked:
    """Add a certificate this CA issued to PREFIX.crl (signed anew, CRL number + 1).

    A certificate revoked for a reason about the certificate (superseded...) may be revoked again
    for its key, when the key turns out to have leaked; nothing else is revoked twice.
    `compromised_since` (a reason about the key only) is the entry's invalidity date (RFC 5280
    5.3.2): signatures a timestamp authority dates before it keep their validity.
    """
    cert = load_certificate(cert_path)
    if not signed_by(cert, ca.cert.public_key()):
        raise KeyFileError(_("{cert_path}: was not issued by this CA ({cert})").format(
                               cert_path=cert_path, cert=ca.paths.cert),
                           hint=_("a self-signed certificate is revoked by no longer trusting it"))
    if cert.public_key() == ca.cert.public_key():
        raise KeyFileError(_("{cert_path}: is the CA's own certificate; stop distributing it instead").format(
                               cert_path=cert_path))
    flag = None
    if reason is not None:
        flag = REASONS.get(reason.lower().replace("_", "-"))
        if flag is None:
            raise InputError(_("unknown reason {reason!r}").format(reason=reason), hint=_("one of: {reasons}").format(
                                                                    reasons=', '.join(REASONS)))
    if compromised_since is not None and flag not in KEY_REASONS:
        raise InputError(_("a date since which the key is unsafe is for a reason about the key, not {reason}").format(
                             reason=reason),
                         hint=_("revoke with reason key-compromise"))
    old = read_crl(ca)
    entries = list(old) if old is not None else []
    for index, entry in enumerate(entries):
        if entry.serial_number != cert.serial_number:
            continue
        if flag not in KEY_REASONS or (revokes_key(entry) and revoked_key(entry) is not None):
            raise InputError(_("{cert_path}: already revoked on {when}").format(
                                 cert_path=cert_path, when=format_time(entry.revocation_date_utc)))
        del entries[index]  # revoked for the certificate, now for its key: the entry says so instead
        break
    public_key = cert.public_key()
    now = utcnow()
    builder = x509.RevokedCertificateBuilder().serial_number(cert.serial_number).revocation_date(now)
    if flag is not None and flag != x509.ReasonFlags.unspecified:
        builder = builder.add_extension(x509.CRLReason(flag), critical=False)
    if compromised_since is not None:
        if compromised_since > now:
            raise InputError(_("the key cannot be unsafe since a time still to come ({compromised_since})").format(
                                 compromised_since=format_time(compromised_since)))
        since = compromised_since.astimezone(dt.UTC).replace(tzinfo=None)
        builder = builder.add_extension(x509.InvalidityDate(since), critical=False)
    if isinstance(public_key, Ed25519PublicKey):  # non-critical: other validators revoke by serial only
        builder = builder.add_extension(revoked_key_extension(public_key), critical=False)
    entry = builder.build()
    entries.append(entry)
    crl = _build_crl(ca, entries, number=_crl_number(old) + 1, now=now)
    atomic_write(ca.paths.crl, crl.public_bytes(serialization.Encoding.PEM), force=True, mode=0o644)
    return Revoked(cert.serial_number, identity_of(cert).describe(),
                   key_id(public_key) if isinstance(public_key, Ed25519PublicKey) else None, len(entries),
                   revokes_key(entry) and revoked_key(entry) is not None)


def refresh_crl(ca: CertificateAuthority) -> x509.CertificateRevocationList:
    """Sign the CA's CRL again with today's dates (same entries, CRL number + 1)."""
    old = read_crl(ca)
    crl = _build_crl(ca, list(old) if old is not None else [], number=_crl_number(old) + 1, now=utcnow())
    atomic_write(ca.paths.crl, crl.public_bytes(serialization.Encoding.PEM), force=True, mode=0o644)
    return crl
