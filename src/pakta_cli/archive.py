"""Keeping signed pacts checkable for years (PAdES B-LT): `pakta archive` stores in the pact the
certificates and the CA's CRLs its signatures need, so an auditor in 2029 with only the institution's
root certificate verifies it without a CRL file: the CRL the pact carries answers as of the signing
(with a timestamp, as of the attested time; see the README's revocation table).

The revision it appends is pakta's own layout (`pakta_cli.dssrevision`), which `verify` rebuilds
byte for byte. With a timestamp authority, a second revision follows (`pakta_cli.tsrevision`): a
document timestamp over everything before it (PAdES B-LTA), which proves the signatures and the
stored CRLs existed at the attested time, and lets a signature without its own timestamp be judged
by that time when its certificate is revoked later.

Before writing, archive runs the checks of `verify` that do not depend on trust, as sign does: a pact
changed after signing is never archived as if it were whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pakta_cli import cms, dssrevision, pactfile, tsrevision
from pakta_cli.errors import InputError, OutputExistsError, SigningError
from pakta_cli.fsutil import atomic_write, exclusive, read_file, update_file
from pakta_cli.i18n import N_, _, current
from pakta_cli.pdf.syntax import PdfDict, PdfError, Ref

if TYPE_CHECKING:
    from pakta_cli.timestamps import Authority, Token


@dataclass(frozen=True)
class Archived:
    pdf: bytes
    certificates: int
    crls: int
    timestamp: Token | None = None  # the archive timestamp, when a timestamp authority gave one
    # CAs whose stored CRL is older than the archive timestamp allows: it will not answer for the
    # signatures without a timestamp of their own (pactfile.ARCHIVED_CRL_TOLERANCE)
    stale: tuple[str, ...] = ()


def load_crls(paths: Sequence[Path]) -> list[bytes]:
    """The CRLs to store, as DER (PEM or DER files)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from pakta_cli.trust import parse_crl

    return [parse_crl(read_file(path, N_("CRL")), path).public_bytes(Encoding.DER) for path in paths]


def load_extra_certificates(paths: Sequence[Path]) -> list[bytes]:
    """Certificates to store besides the signatures' own (a CA root, a TSA's root), as DER."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from pakta_cli.certificates import load_certificates

    return [c.public_bytes(Encoding.DER) for path in paths for c in load_certificates(path)]


def archive_pdf(data: bytes, crls: Sequence[bytes], extra: Sequence[bytes] = (), source: str = "<pdf>",
                authority: Authority | None = None) -> Archived:
    """`data` with an archive revision holding its signatures' certificates, `extra` and `crls`, then,
    with an `authority`, an archive timestamp over all of it."""
    from pakta_cli.verify import integrity_problems, read_pact

    if not data.startswith(b"%PDF-"):
        raise InputError(_("{source}: not a PDF file").format(source=source))
    try:
        pact = read_pact(data)
    except (PdfError, RecursionError, ValueError) as exc:
        raise InputError(_("{source}: damaged or unreadable PDF ({exc})").format(source=source, exc=exc)) from None
    if pact.manifest is None:
        raise SigningError(_("{source}: not a pact rendered by pakta (it carries no pakta manifest)").format(
                               source=source))
    problems = integrity_problems(data, source)
    if problems:
        raise SigningError(_("{source}: refusing to archive: {reason}").format(
            source=source, reason=problems[0].text(current())),
                           hint=_("`pakta verify` shows everything that is wrong with this pact"))
    doc = pact.doc
    certificates: list[bytes] = []
    signers: list[bytes] = []
    untimestamped: list[bytes] = []
    latest: dt.datetime | None = None
    for field in pact.fields.values():
        widget = doc.get(field.widget)
        sig = doc.resolve(widget.get("V")) if isinstance(widget, dict) and isinstance(widget.get("V"), Ref) else None
        if not isinstance(sig, PdfDict) or not isinstance(sig.get("Contents"), bytes):
            continue
        contents = sig["Contents"]
        parts = cms.parse(contents[: cms.der_length(contents[:6].hex().encode("ascii")) or 0])
        certificates += parts.certificates
        signers += parts.certificates[:1]
        if parts.timestamp is None:
            untimestamped += parts.certificates[:1]
        if parts.timestamp is not None:
            certificates += _token_certificates(parts.timestamp, source)
        from pakta_cli.verify.revisions import pdf_date

        when = pdf_date(sig.get("M"))
        latest = when if latest is None or (when is not None and when > latest) else latest
    if latest is None:
        raise SigningError(_("{source}: nothing to archive: no party has signed yet").format(source=source))
    for token in tsrevision.tokens(doc):  # a renewal keeps what the earlier archive timestamps need, too
        certificates += _token_certificates(token, source)
    unique = list(dict.fromkeys([*certificates, *extra]))
    kept = _crls_for(unique, signers, crls, latest, source)
    try:
        before = dssrevision.before_archiving(doc, len(doc.revisions))
        archived = data + dssrevision.build(before, unique, kept)
        if authority is None:
            return Archived(archived, len(unique), len(kept))
        from pakta_cli.pdf.reader import Document
        from pakta_cli.timestamps import request_token

        stored = Document(archived)
        placeholder = tsrevision.build(tsrevision.before_timestamping(stored, len(stored.revisions)), b"")
        given = request_token(authority, placeholder.covered(archived))
        return Archived(archived + placeholder.with_token(len(archived), given.der), len(unique), len(kept), given,
                        _stale(kept, untimestamped, given.time))
    except PdfError as exc:
        raise InputError(_("{source}: cannot archive: {exc}").format(source=source, exc=exc)) from None


def _crls_for(stored: Sequence[bytes], signers: Sequence[bytes], crls: Sequence[bytes], latest: dt.datetime,
              source: str) -> list[bytes]:
    """The CRLs this pact keeps: those of a CA that issued a certificate it stores (a batch of pacts from
    several institutions is given all their CAs' CRLs). Every signer's CA must have one, issued after the
    last signature, or the archive could not answer for revocation."""
    from cryptography import x509

    from pakta_cli.certificates import display_name

    issuers = {x509.load_der_x509_certificate(der).issuer for der in stored}
    kept = [der for der in dict.fromkeys(crls) if x509.load_der_x509_crl(der).issuer in issuers]
    for der in kept:
        crl = x509.load_der_x509_crl(der)
        if crl.last_update_utc < latest - pactfile.ARCHIVED_CRL_TOLERANCE:
            raise SigningError(_("{source}: the CRL of {issuer} was issued {issued:%Y-%m-%d %H:%M} UTC, before the "
                                 "last signature ({last:%Y-%m-%d %H:%M} UTC): it cannot say the signer's "
                                 "certificate was not revoked then").format(
                source=source, issuer=crl.issuer.rfc4514_string(), issued=crl.last_update_utc,
                last=latest.astimezone(dt.UTC)), hint=_("ask the CA for a fresh CRL (pakta ca crl)"))
    answered = {x509.load_der_x509_crl(der).issuer for der in kept}
    for der in dict.fromkeys(signers):
        signer = x509.load_der_x509_certificate(der)
        if signer.issuer != signer.subject and signer.issuer not in answered:
            raise SigningError(_("{source}: no CRL of {issuer}, the CA that issued the certificate of {name}: the "
                                 "archive could not answer for its revocation").format(
                source=source, issuer=display_name(signer.issuer), name=display_name(signer.subject)),
                hint=_("ask that CA for its current CRL (pakta ca crl)"))
    return kept


def _stale(crls: Sequence[bytes], untimestamped: Sequence[bytes], attested: dt.datetime) -> tuple[str, ...]:
    """The CAs of signers without a timestamp of their own whose CRL was issued too long before the
    archive timestamp to clear them (verify clears only with a CRL issued at most the tolerance before)."""
    from cryptography import x509

    from pakta_cli.certificates import display_name

    issuers = {x509.load_der_x509_certificate(der).issuer for der in untimestamped}
    return tuple(dict.fromkeys(display_name(crl.issuer) for crl in map(x509.load_der_x509_crl, crls)
                               if crl.issuer in issuers
                               and crl.last_update_utc < attested - pactfile.ARCHIVED_CRL_TOLERANCE))


def _token_certificates(token: bytes, source: str) -> list[bytes]:
    """The certificates a timestamp token carries (the TSA's and its chain), in DER order."""
    try:  # ContentInfo { contentType, [0] SignedData { ..., [0] certificates, ... } }
        items = cms.der_items(token)
        explicit = cms.der_items(items[0][1])[1]
        (signed,) = cms.der_items(explicit[1])
        for tag, content, _whole in cms.der_items(signed[1]):
            if tag == 0xA0:
                return [item[2] for item in cms.der_items(content)]
    except (ValueError, IndexError):
        raise SigningError(_("{source}: refusing to archive: a signature's timestamp token is "
                             "damaged").format(source=source),
                           hint=_("`pakta verify` shows everything that is wrong with this pact")) from None
    return []


def archive_file(source: Path, target: Path, crls: Sequence[bytes], extra: Sequence[bytes], *,
                 force: bool = False, authority: Authority | None = None) -> Archived:
    """Archive one file into `target` (itself, in place, under its lock), never half-written."""
    if source.resolve() == target.resolve():
        made: list[Archived] = []

        def archive_current(data: bytes) -> bytes:
            made[:] = [archive_pdf(data, crls, extra, str(source), authority)]
            return made[0].pdf

        update_file(source, archive_current, what="PDF", mode=source.stat().st_mode & 0o777)
        return made[0]
    if target.exists() and not force:
        raise OutputExistsError(target)
    with exclusive(source):
        data = read_file(source, N_("PDF"))
    archived = archive_pdf(data, crls, extra, str(source), authority)
    atomic_write(target, archived.pdf, force=force)
    return archived
