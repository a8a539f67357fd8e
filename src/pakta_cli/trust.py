"""Trust roots, an institution's own small CA, and revocation (CRL).

What an auditor trusts is a certificate, never a name: either an official's own (self-signed)
certificate, or the root certificate of an institution's CA. `issuer_chain` accepts a certificate
only when it *is* a trust root (same key and same bytes) or when a trust root that is a CA signed it
(its Ed25519 signature over the certificate's TBS bytes checks out with the root's key). A copy of a
certificate with the same subject, serial and issuer name but another key is therefore turned away.
One level of CA is all pakta makes (path length 0), so one level is all it follows.

The CA (`pakta ca ...`) is three files beside each other:

    PREFIX.key  the CA's private key (encrypted PKCS#8, mode 0600; kept offline by the institution)
    PREFIX.crt  the root certificate auditors trust (`pakta verify --trust PREFIX.crt`)
    PREFIX.crl  the revocation list auditors pass along (`--crl PREFIX.crl`); `ca init` writes an
                empty one so the auditor's command never changes when a certificate is revoked

A CRL counts only when its signature checks out with the key of the trust root that issued it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

from pakta_cli.errors import InputError, KeyFileError
from pakta_cli.fsutil import atomic_write, read_file
from pakta_cli.keyid import key_id
from pakta_cli.keys import (
    BACKDATE,
    CN_MAX,
    COUNTRY,
    MIN_PASSPHRASE,
    build_certificate,
    check_validity,
    encode_private_key,
    format_time,
    identity_of,
    identity_of_name,
    is_ca,
    load_certificate,
    load_private_key,
    make_identity,
    parse_certificates,
    parse_failure,
    refuse_folder_prefix,
    shorten,
    signed_by,
    utcnow,
    write_files,
)

CA_DAYS = 3650
CRL_DAYS = 365  # a CRL's nextUpdate; `pakta ca crl` signs a fresh one any time
CERT_EXTENSIONS = (".crt", ".pem", ".cer", ".der")
REASONS: dict[str, x509.ReasonFlags] = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key-compromise": x509.ReasonFlags.key_compromise,
    "affiliation-changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation-of-operation": x509.ReasonFlags.cessation_of_operation,
    "certificate-hold": x509.ReasonFlags.certificate_hold,
}


# --- trust roots ----------------------------------------------------------------------------------


def load_trust(paths: Sequence[Path]) -> list[x509.Certificate]:
    """Trust roots from files (one or more PEM certificates, or one DER) and folders of such files.

    A folder contributes its *.crt, *.pem, *.cer and *.der files (not recursively). Duplicates
    (same DER) are kept once. An empty result is an error: trusting nothing verifies nothing.
    """
    roots: list[x509.Certificate] = []
    seen: set[bytes] = set()
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in CERT_EXTENSIONS)
            if not files:
                raise InputError(f"{path}: no certificates (*.crt, *.pem) in this folder")
        elif path.exists():
            files = [path]
        else:
            raise InputError(f"{path}: trust file not found")
        for file in files:
            for cert in parse_certificates(file.read_bytes(), file):
                der = cert.public_bytes(serialization.Encoding.DER)
                if der not in seen:
                    seen.add(der)
                    roots.append(cert)
    if not roots:
        raise InputError("no trust roots given", hint="pass --trust CERT_OR_FOLDER")
    return roots


def issuer_chain(cert: x509.Certificate, roots: Sequence[x509.Certificate]) -> x509.Certificate | None:
    """The trust root that `cert` is (same key and same DER) or that issued it, else None.

    Issued means: the root may issue (`may_issue`) and its key verifies the certificate's signature.
    Names are never compared, so a look-alike with the right subject and issuer name but signed by
    another key is not trusted.
    """
    der = cert.public_bytes(serialization.Encoding.DER)
    for root in roots:
        if root.public_bytes(serialization.Encoding.DER) == der and root.public_key() == cert.public_key():
            return root
    for root in roots:
        if may_issue(root) and signed_by(cert, root.public_key()):
            return root
    return None


def may_issue(root: x509.Certificate) -> bool:
    """Whether a trusted certificate vouches for the certificates it signed: only an institution's CA.

    That is a CA certificate (basicConstraints cA) whose key usage allows signing certificates and
    does not allow signing documents, and that names no person (no serialNumber, where pakta puts a
    NIP). A person's certificate given to `--trust` is trusted as that person only, whatever CA
    rights it also claims: otherwise an official could issue certificates in other parties' names.
    """
    if not is_ca(root) or root.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER):
        return False
    try:
        usage = root.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.key_cert_sign and not usage.digital_signature and not usage.content_commitment)


# --- revocation ---------------------------------------------------------------------------------


def parse_crl(data: bytes, source: Path | str) -> x509.CertificateRevocationList:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except ValueError as exc:
        raise InputError(f"{source}: not a certificate revocation list ({parse_failure(exc)})") from None


def crl_issuer(crl: x509.CertificateRevocationList, roots: Sequence[x509.Certificate]) -> x509.Certificate | None:
    """The trust root whose key signed this CRL (checked by signature, not by name)."""
    for root in roots:
        public_key = root.public_key()
        if isinstance(public_key, Ed25519PublicKey) and crl.is_signature_valid(public_key):
            return root
    return None


def load_crls(paths: Sequence[Path], roots: Sequence[x509.Certificate] = ()) -> list[x509.CertificateRevocationList]:
    """CRLs (PEM or DER) whose signature verifies with the key of one of the trust roots.

    `roots` is needed: a CRL signed by nobody the auditor trusts proves nothing, so one that no trust
    root signed is an error rather than silently ignored.
    """
    crls: list[x509.CertificateRevocationList] = []
    for path in paths:
        crl = parse_crl(read_file(path, "CRL"), path)
        if crl_issuer(crl, roots) is None:
            raise InputError(f"{path}: this CRL is not signed by any of the trusted certificates",
                             hint="pass the CA certificate that issued it with --trust")
        crls.append(crl)
    return crls


@dataclass(frozen=True)
class Revocation:
    """What the CRLs that may speak for a certificate say of it."""

    entry: x509.RevokedCertificate | None  # the entry that revokes it, if one does
    crl: x509.CertificateRevocationList | None  # the CRL holding that entry
    checked: tuple[x509.CertificateRevocationList, ...]  # every CRL that may speak for it

    @property
    def reason(self) -> str | None:
        return revocation_reason(self.entry) if self.entry is not None else None


def revocation(cert: x509.Certificate, roots: Sequence[x509.Certificate],
               crls: Sequence[x509.CertificateRevocationList]) -> Revocation:
    """What the given CRLs say of `cert`: a CRL speaks for it only when it names the certificate's
    issuer and its signature checks out with the key of a trusted CA that signed the certificate.

    `roots` are the auditor's trust roots; a certificate trusted directly (itself a root) is still
    subject to a CRL of a trusted CA that issued it.
    """
    issuers = [root for root in roots if may_issue(root) and root.subject == cert.issuer
               and signed_by(cert, root.public_key())]
    checked = []
    for crl in crls:
        if crl.issuer != cert.issuer or not any(_crl_signed_by(crl, issuer) for issuer in issuers):
            continue
        checked.append(crl)
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is not None:
            return Revocation(entry, crl, tuple(checked))
    return Revocation(None, None, tuple(checked))


def _crl_signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    public_key = issuer.public_key()
    try:
        return isinstance(public_key, Ed25519PublicKey) and bool(crl.is_signature_valid(public_key))
    except Exception:  # a key type the CRL's algorithm does not take
        return False


def revocation_reason(entry: x509.RevokedCertificate) -> str | None:
    try:
        reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        return None
    for name, flag in REASONS.items():
        if flag == reason:
            return name
    return str(reason.value)


# --- the institution's CA -----------------------------------------------------------------------


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
        raise InputError("--institution must not be empty")
    if days < 1:
        raise InputError("--days must be at least 1")
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE:
        raise KeyFileError(f"the passphrase must have at least {MIN_PASSPHRASE} characters")
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
        raise InputError(f"{prefix}: no CA here (expected {paths.key.name} and {paths.cert.name})",
                         hint="create one with `pakta ca init -o PREFIX --institution NAME`")
    cert = load_certificate(paths.cert)
    if not is_ca(cert):
        raise KeyFileError(f"{paths.cert}: not a CA certificate", hint="--ca takes the PREFIX given to `pakta ca init`")
    key = load_private_key(paths.key, passphrase)
    if key.public_key() != cert.public_key():
        raise KeyFileError(f"{paths.key} and {paths.cert} do not belong together")
    check_validity(cert, utcnow(), paths.cert)
    return CertificateAuthority(paths, key, cert)


def read_request(path: Path) -> tuple[x509.Name, Ed25519PublicKey]:
    """The subject and key an official asks to be certified, from a certificate or a CSR.

    Either must be signed by the key it names (a self-signed certificate from `pakta keys generate`
    or a CSR), so nobody can have someone else's public key certified in their own name.
    """
    data = read_file(path, "certificate or request")
    if b"CERTIFICATE REQUEST-----" in data or _looks_like_der_csr(data):
        try:
            csr = (x509.load_pem_x509_csr(data) if b"-----BEGIN" in data else x509.load_der_x509_csr(data))
        except ValueError as exc:
            raise InputError(f"{path}: not a certificate signing request ({parse_failure(exc)})") from None
        public_key = csr.public_key()
        if not isinstance(public_key, Ed25519PublicKey):
            raise KeyFileError(f"{path}: the request's key is not Ed25519")
        if not csr.is_signature_valid:
            raise KeyFileError(f"{path}: the request's signature does not check out with its own key")
        return csr.subject, public_key
    cert = parse_certificates(data, path)[0]
    public_key = cert.public_key()
    if not isinstance(public_key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: the certificate's key is not Ed25519")
    if not signed_by(cert, public_key):
        raise KeyFileError(
            f"{path}: not signed by its own key, so it does not prove the official holds the key",
            hint="issue from the self-signed certificate `pakta keys generate` wrote, or from a CSR",
        )
    if is_ca(cert):
        raise KeyFileError(f"{path}: is a CA certificate; the CA issues certificates to officials only")
    return cert.subject, public_key


def _looks_like_der_csr(data: bytes) -> bool:
    if data.startswith(b"-----"):
        return False
    try:
        x509.load_der_x509_csr(data)
    except ValueError:
        return False
    return True


def issue(ca: CertificateAuthority, request: Path, *, days: int = 730) -> x509.Certificate:
    """An official's certificate with the requested identity, signed by the CA.

    It never outlives the CA's own certificate, since nothing it signs could be trusted after that.
    """
    if days < 1:
        raise InputError("--days must be at least 1")
    subject, public_key = read_request(request)
    named = identity_of_name(subject)
    try:  # the identity is checked as `keys generate` checks it, and written the way pakta writes it
        identity = make_identity(named.name if subject.get_attributes_for_oid(NameOID.COMMON_NAME) else "",
                                 _raw_nip(subject), named.position, named.institution, named.unit)
    except InputError as exc:
        raise InputError(f"{request}: the request's identity: {exc.message}") from None
    if public_key == ca.key.public_key():
        raise KeyFileError(f"{request}: this is the CA's own key; officials sign with their own keys")
    now = utcnow()
    not_after = min(now + dt.timedelta(days=days), ca.cert.not_valid_after_utc)
    return build_certificate(public_key, identity.subject(), signing_key=ca.key, issuer=ca.cert,
                             not_before=now - BACKDATE, not_after=not_after)


def _raw_nip(subject: x509.Name) -> str | None:
    values = subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(values[0].value) if values else None


def read_crl(ca: CertificateAuthority) -> x509.CertificateRevocationList | None:
    if not ca.paths.crl.exists():
        return None
    crl = parse_crl(read_file(ca.paths.crl, "CRL"), ca.paths.crl)
    if not crl.is_signature_valid(ca.cert.public_key()):  # type: ignore[arg-type]
        raise InputError(f"{ca.paths.crl}: not signed by this CA ({ca.paths.cert})",
                         hint="move the stray file away; `pakta ca crl` writes a new, empty list")
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


def revoke(ca: CertificateAuthority, cert_path: Path, *, reason: str | None = None) -> Revoked:
    """Add a certificate this CA issued to PREFIX.crl (signed anew, CRL number + 1)."""
    cert = load_certificate(cert_path)
    if not signed_by(cert, ca.cert.public_key()):
        raise KeyFileError(f"{cert_path}: was not issued by this CA ({ca.paths.cert})",
                           hint="a self-signed certificate is revoked by no longer trusting it")
    if cert.public_key() == ca.cert.public_key():
        raise KeyFileError(f"{cert_path}: is the CA's own certificate; stop distributing it instead")
    flag = None
    if reason is not None:
        flag = REASONS.get(reason.lower().replace("_", "-"))
        if flag is None:
            raise InputError(f"unknown reason {reason!r}", hint=f"one of: {', '.join(REASONS)}")
    old = read_crl(ca)
    entries = list(old) if old is not None else []
    for entry in entries:
        if entry.serial_number == cert.serial_number:
            raise InputError(f"{cert_path}: already revoked on {format_time(entry.revocation_date_utc)}")
    now = utcnow()
    builder = x509.RevokedCertificateBuilder().serial_number(cert.serial_number).revocation_date(now)
    if flag is not None and flag != x509.ReasonFlags.unspecified:
        builder = builder.add_extension(x509.CRLReason(flag), critical=False)
    entries.append(builder.build())
    crl = _build_crl(ca, entries, number=_crl_number(old) + 1, now=now)
    atomic_write(ca.paths.crl, crl.public_bytes(serialization.Encoding.PEM), force=True, mode=0o644)
    public_key = cert.public_key()
    return Revoked(cert.serial_number, identity_of(cert).describe(),
                   key_id(public_key) if isinstance(public_key, Ed25519PublicKey) else None, len(entries))


def refresh_crl(ca: CertificateAuthority) -> x509.CertificateRevocationList:
    """Sign the CA's CRL again with today's dates (same entries, CRL number + 1)."""
    old = read_crl(ca)
    crl = _build_crl(ca, list(old) if old is not None else [], number=_crl_number(old) + 1, now=utcnow())
    atomic_write(ca.paths.crl, crl.public_bytes(serialization.Encoding.PEM), force=True, mode=0o644)
    return crl
