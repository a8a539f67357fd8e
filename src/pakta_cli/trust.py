"""The verifier's trust policy: which certificates an auditor trusts, and revocation (CRL).

What an auditor trusts is a certificate, never a name: either an official's own (self-signed)
certificate, or the root certificate of an institution's CA. `issuer_chain` accepts a certificate
only when it *is* a trust root (same key and same bytes) or when a trust root that is a CA signed it
(its Ed25519 signature over the certificate's TBS bytes checks out with the root's key). A copy of a
certificate with the same subject, serial and issuer name but another key is therefore turned away.
One level of CA is all pakta makes (path length 0), so one level is all it follows.

A CRL counts only when its signature checks out with the key of the trust root that issued it.
Revocation works at two levels, because a key can sit in more than one certificate (an official's
self-signed one from before the CA, a CA certificate issued twice, one from another CA):

- a CRL entry revokes its certificate (by serial, on the issuer's CRL), for any reason;
- every entry `pakta ca revoke` writes also carries the revoked certificate's key (its
  SubjectPublicKeyInfo, in a non-critical entry extension under `REVOKED_KEY_OID`). When the reason
  is about the key (`KEY_REASONS`: key compromise, a hold, or no reason at all, which RFC 5280 says
  tells nothing, so the key cannot be assumed safe), a trusted CA's CRL revokes that key everywhere
  it appears: any certificate of it, from any issuer, a self-signed trust root included. A reason
  about the certificate (superseded, affiliation changed, cessation of operation, privilege
  withdrawn) revokes that certificate only, so re-issuing a key and revoking the old certificate
  as superseded, or an official who moves to another institution's CA with her key, stays valid.

Only a trust root that may issue (`may_issue`: a CA) speaks of keys. Such a CA could name a key it
never certified; that can only make a verdict fail, never pass. Other validators (OpenSSL, pyHanko)
ignore the non-critical extension and revoke by serial only.
Nothing here writes a file: running a CA (`pakta ca ...`) is `ca.py`'s job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.x509.oid import NameOID

from pakta_cli.certificates import (
    is_ca,
    parse_certificates,
    parse_failure,
    signed_by,
)
from pakta_cli.errors import InputError
from pakta_cli.fsutil import read_file
from pakta_cli.i18n import N_, _

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
                raise InputError(_("{path}: no certificates (*.crt, *.pem) in this folder").format(path=path))
        elif path.exists():
            files = [path]
        else:
            raise InputError(_("{path}: trust file not found").format(path=path))
        for file in files:
            for cert in parse_certificates(file.read_bytes(), file):
                der = cert.public_bytes(serialization.Encoding.DER)
                if der not in seen:
                    seen.add(der)
                    roots.append(cert)
    if not roots:
        raise InputError(_("no trust roots given"), hint=_("name the certificates to trust"), about="no_trust")
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
        hint = _("a CRL is the PREFIX.crl file pakta ca crl writes, or a CA's published revocation list")
        if b"-----BEGIN CERTIFICATE-----" in data:
            raise InputError(_("{source}: a certificate, not a certificate revocation list").format(source=source),
                             hint=hint) from None
        raise InputError(_("{source}: not a certificate revocation list ({exc})").format(
                             source=source, exc=parse_failure(exc)), hint=hint) from None


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
        crl = parse_crl(read_file(path, N_("CRL")), path)
        if crl_issuer(crl, roots) is None:
            raise InputError(_("{path}: this CRL is not signed by any of the trusted certificates").format(
                                 path=path),
                             hint=_("trust the CA certificate that issued it"), about="crl_issuer_untrusted")
        crls.append(crl)
    return crls


# A private OID (2.25 = a UUID as an integer, X.667: no registration needed) for the CRL entry
# extension that names the revoked certificate's key: its DER SubjectPublicKeyInfo, whole, so
# that a person reading the CRL (`pakta keys show`) sees the key id pakta names keys by.
REVOKED_KEY_OID = x509.ObjectIdentifier("2.25.120483084557442214715820024076432341389")
# Reasons that say something is wrong with the key itself; None is an entry with no reason code.
KEY_REASONS: frozenset[x509.ReasonFlags | None] = frozenset(
    {None, x509.ReasonFlags.unspecified, x509.ReasonFlags.key_compromise, x509.ReasonFlags.certificate_hold})


def revoked_key_extension(public_key: Ed25519PublicKey) -> x509.UnrecognizedExtension:
    """The CRL entry extension that names the key of the certificate being revoked."""
    return x509.UnrecognizedExtension(REVOKED_KEY_OID, _spki(public_key))


def _spki(public_key: object) -> bytes:
    if not isinstance(public_key, Ed25519PublicKey):
        return b""  # pakta's CAs certify Ed25519 keys only; any other key is in no key entry
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def revoked_key(entry: x509.RevokedCertificate) -> Ed25519PublicKey | None:
    """The key a CRL entry names (`REVOKED_KEY_OID`), or None: no such extension, or not a key."""
    try:
        value = entry.extensions.get_extension_for_oid(REVOKED_KEY_OID).value
    except (x509.ExtensionNotFound, ValueError):  # ValueError: an entry whose extensions do not parse
        return None
    if not isinstance(value, x509.UnrecognizedExtension):
        return None
    try:
        public_key = serialization.load_der_public_key(value.value)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    return public_key if isinstance(public_key, Ed25519PublicKey) else None


def revokes_key(entry: x509.RevokedCertificate) -> bool:
    """Whether this entry's reason is about the key, so every certificate of that key is revoked."""
    try:
        reason: x509.ReasonFlags | None = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        reason = None
    return reason in KEY_REASONS


@dataclass(frozen=True)
class KeyRevocation:
    """A trusted CA's CRL entry that revokes a key (through a certificate of it that the CA issued)."""

    entry: x509.RevokedCertificate
    crl: x509.CertificateRevocationList
    ca: x509.Certificate


def revoked_keys(roots: Sequence[x509.Certificate],
                 crls: Sequence[x509.CertificateRevocationList]) -> dict[bytes, KeyRevocation]:
    """Every key the CRLs of trusted CAs revoke, by its DER SubjectPublicKeyInfo; the earliest entry
    wins, so a verdict says when the key was first revoked. Worked out once per run (`Policy`)."""
    found: dict[bytes, KeyRevocation] = {}
    for crl in crls:
        ca = next((root for root in roots if may_issue(root) and _crl_signed_by(crl, root)), None)
        if ca is None:
            continue
        for entry in crl:
            public_key = revoked_key(entry) if revokes_key(entry) else None
            if public_key is None:
                continue
            spki = _spki(public_key)
            known = found.get(spki)
            if known is None or entry.revocation_date_utc < known.entry.revocation_date_utc:
                found[spki] = KeyRevocation(entry, crl, ca)
    return found


@dataclass(frozen=True)
class Revocation:
    """What the CRLs that may speak for a certificate say of it."""

    entry: x509.RevokedCertificate | None  # the entry that revokes it, if one does
    crl: x509.CertificateRevocationList | None  # the CRL holding that entry
    checked: tuple[x509.CertificateRevocationList, ...]  # every CRL that may speak for it by serial
    by_key: KeyRevocation | None = None  # set when the entry revoked another certificate of its key

    @property
    def reason(self) -> str | None:
        return revocation_reason(self.entry) if self.entry is not None else None


def revocation(cert: x509.Certificate, roots: Sequence[x509.Certificate],
               crls: Sequence[x509.CertificateRevocationList],
               keys: Mapping[bytes, KeyRevocation] | None = None) -> Revocation:
    """What the given CRLs say of `cert`: its own entry, on a CRL that names the certificate's issuer
    and whose signature checks out with the key of a trusted CA that signed the certificate; else
    (or when its own entry's reason is not about the key) the entry by which a trusted CA revoked
    its key (`keys`, from `revoked_keys`; worked out here when not given).

    `roots` are the auditor's trust roots; a certificate trusted directly (itself a root) is still
    subject to a CRL of a trusted CA that issued it, and to any trusted CA that revoked its key.
    """
    issuers = [root for root in roots if may_issue(root) and root.subject == cert.issuer
               and signed_by(cert, root.public_key())]
    checked = tuple(crl for crl in crls
                    if crl.issuer == cert.issuer and any(_crl_signed_by(crl, issuer) for issuer in issuers))
    spki = _spki(cert.public_key())
    by_key = (keys if keys is not None else revoked_keys(roots, crls)).get(spki) if spki else None
    for crl in checked:
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is not None and (by_key is None or revokes_key(entry)):
            return Revocation(entry, crl, checked)  # its own entry, unless its key was revoked too
    if by_key is not None:
        return Revocation(by_key.entry, by_key.crl, checked, by_key=by_key)
    return Revocation(None, None, checked)


def _crl_signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    public_key = issuer.public_key()
    try:
        return isinstance(public_key, Ed25519PublicKey) and bool(crl.is_signature_valid(public_key))
    except Exception:  # a key type the CRL's algorithm does not take
        return False


def invalidity_date(entry: x509.RevokedCertificate) -> dt.datetime | None:
    """The date since which the key is known or suspected to be unsafe (RFC 5280 5.3.2), if given."""
    try:
        value = entry.extensions.get_extension_for_class(x509.InvalidityDate).value
    except (x509.ExtensionNotFound, ValueError):
        return None
    return value.invalidity_date_utc


def revocation_reason(entry: x509.RevokedCertificate) -> str | None:
    try:
        reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        return None
    for name, flag in REASONS.items():
        if flag == reason:
            return name
    return str(reason.value)
