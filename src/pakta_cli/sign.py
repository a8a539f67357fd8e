"""Signing one party's field in a pact: one incremental update per signer, in pakta's own layout.

A signature is a standard PDF signature (PAdES baseline B-B): a CMS SignedData with Ed25519
(RFC 8419) in the /Contents of a signature dictionary whose /ByteRange covers the whole file but
that hex string. pakta writes the whole revision itself (`pakta_cli.sigrevision`, the CMS in
`pakta_cli.cms`), byte for byte as `pakta verify` rebuilds it, and cryptography makes the Ed25519
signature. pyHanko writes only the invisible signature of `--any-pdf`, on PDFs pakta did not render.

Before signing, sign runs every check of `verify` that does not depend on trust: an official never
adds a signature to a pact that was changed after it was rendered or after an earlier signature.

Speed: per signer, the certificate's parts are parsed once (`_Engine`); per document, the pact is
read once by verify's reader, the revision is a few small objects, and the CMS is built around the
one SHA-512 digest and one Ed25519 signature. Batches run over processes (`pakta_cli.parallel`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pakta_cli import cms, sigrevision
from pakta_cli.certificates import (
    Identity,
    check_signing_certificate,
    check_validity,
    identity_of,
    is_ca,
    load_certificate,
    load_certificates,
    signed_by,
)
from pakta_cli.errors import InputError, KeyFileError, OutputExistsError, PaktaError, SigningError
from pakta_cli.fsutil import atomic_write, exclusive, read_file, update_file
from pakta_cli.i18n import N_, _, current
from pakta_cli.identity_numbers import same_name
from pakta_cli.keyid import key_id
from pakta_cli.keys import check_pair, load_private_key
from pakta_cli.pactfile import Party
from pakta_cli.parallel import run_parallel
from pakta_cli.parties import MatchError, candidates, check_title, mask_nik, match_signer
from pakta_cli.pdf.syntax import PdfError
from pakta_cli.timestamps import TOLERANCE, Authority, TimestampError, request_token
from pakta_cli.zones import DEFAULT_ZONE, SigningZone, parse_zone

ANY_PDF_FIELD = "pakta-signature"
Match = Literal["key_id", "nip", "nik", "name", "any-pdf"]

# --- credentials ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """An official's key, certificate and chain, checked to belong together.

    Kept as bytes so a batch can hand them to worker processes; `repr` never shows the key.
    """

    private_key: bytes = field(repr=False)  # the raw 32-byte Ed25519 private key
    certificate: bytes  # DER
    chain: tuple[bytes, ...] = ()  # DER, embedded after the signer's certificate

    @property
    def cert(self) -> x509.Certificate:
        return _parse_cert(self.certificate)

    @property
    def identity(self) -> Identity:
        return identity_of(self.cert)

    @property
    def key_id(self) -> str:
        return _engine(self).key_id


@lru_cache(maxsize=8)
def _parse_cert(der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(der)


def default_cert_path(key_path: Path) -> Path:
    return key_path.with_suffix(".crt")


def load_credentials(key_path: Path, passphrase: bytes | None, cert_path: Path | None = None,
                     chain_paths: Sequence[Path] = (), *, at: dt.datetime | None = None) -> Credentials:
    """Load and check what an official signs with: an Ed25519 key, the certificate made for it
    (default: the key's sibling .crt), valid now, allowed to sign documents, not a CA."""
    cert_path = cert_path or default_cert_path(key_path)
    key = load_private_key(key_path, passphrase)  # first: a missing key is the problem to name
    if not cert_path.exists():
        raise InputError(_("{cert_path}: certificate not found").format(cert_path=cert_path),
                         hint=_("give the certificate made for the key (by default the .crt beside it)"),
                         about="cert_missing")
    cert = load_certificate(cert_path)
    check_signing_certificate(cert, cert_path)
    check_pair(key, cert, key_path, cert_path)
    check_validity(cert, at or dt.datetime.now(dt.UTC), cert_path)
    der = cert.public_bytes(serialization.Encoding.DER)
    chain: list[bytes] = []
    below = cert  # each --chain certificate must be the CA that issued the one before it
    for path in chain_paths:
        for extra in load_certificates(path):
            extra_der = extra.public_bytes(serialization.Encoding.DER)
            if extra_der == der or extra_der in chain:
                continue
            if not is_ca(extra) or not signed_by(below, extra.public_key()):
                whose = _("{path}: did not issue your certificate") if below is cert else \
                    _("{path}: did not issue the chain certificate before it")
                raise KeyFileError(whose.format(path=path),
                                   hint=_("the chain is the CA certificate that issued yours"), about="chain")
            chain.append(extra_der)
            below = extra
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    return Credentials(raw, der, tuple(chain))


# --- the signer, prepared once per process ------------------------------------------------------


@dataclass
class _Engine:
    """What signing needs per signer, built once per process and reused for every document."""

    key: Ed25519PrivateKey
    cert: x509.Certificate
    identity: Identity
    key_id: str
    certificates: tuple[bytes, ...]  # the signer's DER, then the chain
    cms_size: int

    def cms(self, digest: bytes) -> bytes:
        """The CMS SignedData over `digest` (SHA-512 of the signed bytes), in pakta's fixed layout."""
        return cms.build(self.certificates, digest, self.sign(digest))

    def sign(self, digest: bytes) -> bytes:
        """The Ed25519 signature value over the signed attributes for `digest`."""
        return self.key.sign(cms.to_be_signed(cms.signed_attributes(self.certificates[0], digest)))


_ENGINES: dict[Credentials, _Engine] = {}


def _engine(credentials: Credentials) -> _Engine:
    engine = _ENGINES.get(credentials)
    if engine is None:
        key = Ed25519PrivateKey.from_private_bytes(credentials.private_key)
        cert = _parse_cert(credentials.certificate)
        certificates = (credentials.certificate, *credentials.chain)
        engine = _Engine(key, cert, identity_of(cert), key_id(key.public_key()), certificates,
                         cms.size(certificates))
        _ENGINES.clear()  # one signer per run; never keep more keys in memory than needed
        _ENGINES[credentials] = engine
    return engine


# --- which party the signer is ---------------------------------------------------------------------


def choose_party(parties: Sequence[Party], signed: set[str], *, key: str, identity: Identity,
                 explicit: str | None, source: str) -> tuple[Party, Match]:
    """Which party this signer is: pinned key id, then NIP, then NIK; a name only when asked for.

    The rule is `pakta_cli.parties`', the one verify checks by. A party with none of the three is
    signed only with `--party`, and only by a certificate in its name, so one person's signature can
    never fill another's block.
    """
    nip, nik, signer = identity.nip, identity.nik, identity.name
    if explicit is not None:
        wanted = explicit.strip().casefold()
        named = [p for p in parties if p.field.casefold() == wanted or p.name.casefold() == wanted]
        if not named:
            raise SigningError(_("{source}: no party {party!r} in this pact; it expects: {parties}").format(
                source=source, party=explicit, parties="; ".join(p.describe() for p in parties)),
                               hint=_("a party is named by its name or its field (pakta-ROLE-N)"),
                               about="no_such_party")
        party = next((p for p in named if p.field not in signed), named[0])
        try:
            how: Match = match_signer(party, key_id=key, nip=nip, nik=nik, name=signer)
        except MatchError as exc:
            raise SigningError(f"{source}: {party.field} ({party.name}): {exc.said()}",
                               hint=_("a party is signed only with its own key, NIP, NIK or, failing "
                                      "all three, a certificate in its name")) from None
        found = [party]
    else:
        found, kind = candidates(parties, key_id=key, nip=nip, nik=nik)
        pinned = [p for p in found if p.key_id and p.key_id != key]
        if pinned:
            p = pinned[0]
            raise SigningError(_("{source}: {field} ({name}) must be signed with key id {key_id}; "
                                 "this key is {key}").format(
                                   source=source, field=p.field, name=p.name, key_id=p.key_id, key=key),
                               hint=_("sign with the key the pact pins, or have the pact rendered again"))
        if not found:
            who = _("key id {key}").format(key=key) + (f", NIP {nip}" if nip else "") + (
                f", NIK {mask_nik(nik)}" if nik else "")
            if not nip and not nik:
                who += _(", no NIP or NIK")
            weak = [p for p in parties if not (p.key_id or p.nip or p.nik) and same_name(signer, p.name)
                    and p.field not in signed]
            hint = (_("{name} has no NIP, NIK or key id in this pact: the party may be named to sign as (a match "
                      "by name only, which the verdict calls weak)").format(name=weak[0].name) if weak
                    else _("sign with the key of a party of this pact"))
            raise SigningError(_("{source}: this signer ({who}) is none of the parties this pact expects: "
                                 "{parties}").format(source=source, who=who,
                                                     parties="; ".join(p.describe() for p in parties)), hint=hint,
                               about="party_by_name" if weak else None, name=weak[0].name if weak else "")
        assert kind is not None
        how = kind
    if len(found) > 1:
        raise SigningError(_("{source}: this signer's {number} fits {count} parties: {parties}").format(
                               source=source, number=_("key id") if how == "key_id" else how.upper(),
                               count=len(found), parties="; ".join(p.describe() for p in found)),
                           hint=_("one person is one party: have the pact rendered again with the "
                                  "right identities"))
    party = found[0]
    if party.field in signed:
        raise SigningError(_("{source}: {field} ({name}) is already signed").format(
                               source=source, field=party.field, name=party.name),
                           hint=_("each party signs once; verify the pact with `pakta verify`"))
    return party, how


def refuse_out_of_turn(parties: Sequence[Party], signed: set[str], party: Party, source: str) -> None:
    """Nobody signs before every party of an earlier step of the manifest's signing order has.

    `verify` fails a pact signed out of turn, so signing one would only spoil it for everyone.
    """
    waiting = [p for p in parties if p.step < party.step and p.field not in signed]
    if waiting:
        raise SigningError(_("{source}: {earlier} must sign before {field} ({name}): "
                             "this pact is signed in turn (signer, then superior, then witnesses)").format(
                               source=source, earlier='; '.join(p.describe() for p in waiting),
                               field=party.field, name=party.name),
                           hint=_("sign the copy that carries their signature; `pakta verify` shows "
                                  "who has signed"))


# --- signing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignOptions:
    party: str | None = None  # --party NAME_OR_FIELD
    any_pdf: bool = False  # allow PDFs pakta did not render (invisible signature, no party)
    zone: SigningZone = field(default_factory=lambda: parse_zone(DEFAULT_ZONE))
    when: dt.datetime | None = None  # the signing time; now when None (tests pin it)
    tsa: Authority | None = None  # ask this timestamp authority for a token over each signature (PAdES B-T)
    tsa_optional: bool = False  # when it cannot give one, sign without (the outcome says so)


@dataclass(frozen=True)
class Signed:
    pdf: bytes
    field: str
    party: str | None  # the party's name as the pact lists it; None for --any-pdf
    match: Match
    signed_at: dt.datetime
    signer: str
    key_id: str
    attested: dt.datetime | None = None  # the timestamp authority's time, when the signature carries a token
    no_timestamp: str | None = None  # why a signature asked to carry a token (optionally) carries none


def sign_pdf(data: bytes, credentials: Credentials, options: SignOptions = SignOptions(),
             source: str = "<pdf>") -> Signed:
    """Sign `data` as the party this signer is; returns the new file (input + one revision)."""
    from pakta_cli.verify import integrity_problems, read_pact

    engine = _engine(credentials)
    signed_at = (options.when or dt.datetime.now(dt.UTC)).astimezone(options.zone.tzinfo).replace(microsecond=0)
    check_validity(engine.cert, signed_at, "the signer's certificate")
    if not data.startswith(b"%PDF-"):
        raise InputError(_("{source}: not a PDF file").format(source=source))
    try:
        pact = read_pact(data)
    except (PdfError, RecursionError, ValueError) as exc:
        if "encrypted" in str(exc):
            raise InputError(_("{source}: encrypted PDF; pakta signs only unencrypted documents").format(
                                 source=source),
                             hint=_("a pact rendered by pakta is never encrypted: sign the original")) from None
        if options.any_pdf:
            return _sign_foreign(data, engine, options, signed_at, source)
        raise InputError(_("{source}: damaged or unreadable PDF ({exc})").format(
            source=source, exc=_short(exc))) from None
    if pact.manifest is None:
        if not options.any_pdf:
            raise SigningError(_("{source}: not a pact rendered by pakta (it carries no pakta manifest)").format(
                                   source=source),
                               hint=_("another PDF may be signed on purpose, invisibly, as nobody's party"),
                               about="not_a_pact")
        if options.party is not None:
            raise SigningError(_("{source}: not a pakta pact, so it has no party {party!r} to sign as").format(
                                   source=source, party=options.party),
                               hint=_("another PDF is signed invisibly, as nobody's party: name no party"),
                               about="foreign_party")
        return _sign_foreign(data, engine, options, signed_at, source)
    problems = integrity_problems(data, source, pact)
    if problems:  # an official never adds a signature to a pact changed after it was rendered
        raise SigningError(_("{source}: refusing to sign: {reason}").format(
            source=source, reason=problems[0].text(current())),
                           hint=_("sign the pact as it was rendered (or as the earlier signers left "
                                  "it); `pakta verify` shows everything that is wrong with this one"))
    missing = [p.field for p in pact.parties if p.field not in pact.fields]
    if missing:
        raise InputError(_("{source}: damaged pact: no signature field {field!r} for its party").format(
                             source=source, field=missing[0]))
    doc = pact.doc
    signed = {name for name, f in pact.fields.items() if "V" in (doc.get(f.widget) or {})}
    party, how = choose_party(pact.parties, signed, key=engine.key_id, identity=engine.identity,
                              explicit=options.party, source=source)
    try:  # the stamp prints the certificate's title: verify fails one that names another office
        check_title(party, pact.office(party.field), engine.identity.position)
    except MatchError as exc:
        raise SigningError(_("{source}: refusing to sign as {field}: {reason}").format(
                               source=source, field=party.field, reason=exc.said()),
                           hint=_("the stamp prints your certificate's title: ask the CA for a "
                                  "certificate with this position, or have the pact rendered with the "
                                  "position it states")) from None
    refuse_out_of_turn(pact.parties, signed, party, source)
    try:
        before = sigrevision.before_signing(doc, len(doc.revisions), party.field, pact.verify_url)
    except PdfError as exc:
        raise InputError(_("{source}: damaged pact: {exc}").format(source=source, exc=exc)) from None
    signer = sigrevision.signer_of(engine.cert, signed_at)
    made = partial(Signed, field=party.field, party=party.name, match=how, signed_at=signed_at,
                     signer=engine.identity.name, key_id=engine.key_id)
    if options.tsa is None:
        return made(data + _revision(data, before, party.field, signer, engine, None)[0])
    try:
        revision, attested = _revision(data, before, party.field, signer, engine, options.tsa)
    except TimestampError as exc:
        if not options.tsa_optional:
            raise
        return made(data + _revision(data, before, party.field, signer, engine, None)[0], no_timestamp=exc.message)
    return made(data + revision, attested=attested)


def _revision(data: bytes, before: sigrevision.Before, field_name: str, signer: sigrevision.Signer, engine: _Engine,
              tsa: Authority | None) -> tuple[bytes, dt.datetime | None]:
    """The signing revision, and the attested time: with `tsa`, its CMS carries the authority's token
    over the signature value, in the room reserved for one (`pakta_cli.cms.reserved`)."""
    size = cms.reserved(engine.certificates) if tsa is not None else engine.cms_size
    built = sigrevision.build(before, field_name, signer, bytes(size))
    relative_start = built.contents_start - before.length
    relative_end = built.contents_end - before.length
    hasher = hashlib.sha512(data)
    hasher.update(built.data[:relative_start])
    hasher.update(built.data[relative_end:])
    digest = hasher.digest()
    if tsa is None:
        return built.with_contents(before.length, engine.cms(digest)), None
    signature = engine.sign(digest)
    token = request_token(tsa, signature)
    apart = abs(token.time - signer.signed_at)
    if apart > TOLERANCE:
        raise TimestampError(_("timestamp authority {url}: its time ({time:%Y-%m-%d %H:%M:%S} UTC) "
                               "and this computer's clock differ by {apart}; a verifier accepts at "
                               "most {tolerance}").format(
                                 url=tsa.url, time=token.time, apart=_duration(apart),
                                 tolerance=_duration(TOLERANCE)), hint=_("set this computer's clock right (or "
                                                               "use another timestamp authority) and "
                                                               "sign again"))
    try:
        der = cms.padded(cms.build(engine.certificates, digest, signature, token.der), engine.certificates)
    except cms.CmsError as exc:
        raise TimestampError(_("timestamp authority {url}: {exc}").format(url=tsa.url, exc=exc)) from None
    return built.with_contents(before.length, der), token.time


def _duration(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return _("{count} seconds").format(count=seconds)
    if seconds < 7200:
        return _("{count} minutes").format(count=seconds // 60)
    return _("{count} hours").format(count=seconds // 3600)


def _sign_foreign(data: bytes, engine: _Engine, options: SignOptions, signed_at: dt.datetime,
                  source: str) -> Signed:
    """An invisible signature on a PDF pakta did not render (`--any-pdf`), in a new field.

    pyHanko writes this one: a foreign PDF may use any of PDF's structures, which pakta's own
    layout does not cover. `pakta verify` says of such a file that it is not a pact.
    """
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.sign.fields import SigFieldSpec
    from pyhanko.sign.signers.cms_embedder import PdfCMSEmbedder, SigIOSetup, SigObjSetup
    from pyhanko.sign.signers.pdf_byterange import SignatureObject

    if options.tsa is not None:
        raise SigningError(_("{source}: a timestamp is added only to pacts pakta rendered, not to another PDF").format(
                               source=source),
                           hint=_("sign this PDF without a timestamp authority"))
    writer = _open(data, source)
    fields = _signature_fields(writer, source)
    number = 1
    while f"{ANY_PDF_FIELD}-{number}" in fields:
        number += 1
    field_name = f"{ANY_PDF_FIELD}-{number}"
    embedder = PdfCMSEmbedder(new_field_spec=SigFieldSpec(sig_field_name=field_name, on_page=0))
    try:
        process = embedder.write_cms(field_name, writer, existing_fields_only=False)
        next(process)
        placeholder = SignatureObject(timestamp=signed_at, name=engine.identity.name,
                                      bytes_reserved=2 * engine.cms_size)
        placeholder[pdf_name("/SubFilter")] = pdf_name("/ETSI.CAdES.detached")
        process.send(SigObjSetup(sig_placeholder=placeholder))
        prepared, output = process.send(SigIOSetup(md_algorithm=cms.DIGEST, output=BytesIO()))
        process.send(engine.cms(prepared.document_digest))
    except PaktaError:
        raise
    except Exception as exc:
        raise InputError(_("{source}: cannot sign this PDF ({exc})").format(source=source, exc=_short(exc))) from None
    return Signed(output.getvalue(), field_name, None, "any-pdf", signed_at, engine.identity.name, engine.key_id)


# --- PDFs pakta did not render ----------------------------------------------------------------


@lru_cache(maxsize=1)
def _writer_class() -> Any:
    """pyHanko's incremental writer, told to add only what signing needs (see the module docstring)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class _RevisionWriter(IncrementalPdfFileWriter):
        output_version = (1, 0)  # never raise the version: that would rewrite the catalog

        def _update_meta(self) -> None:  # no ModDate/Producer in /Info, no XMP stream
            return None

    return _RevisionWriter


def _open(data: bytes, source: str) -> Any:
    """A pyHanko writer over the PDF, or one clear line about why it cannot be signed."""
    if b"%PDF-" not in data[:1024]:
        raise InputError(_("{source}: not a PDF file").format(source=source))
    try:
        writer = _writer_class()(BytesIO(data), strict=True)
    except Exception as exc:
        raise InputError(_("{source}: damaged or unreadable PDF ({exc})").format(
            source=source, exc=_short(exc))) from None
    if writer.prev.encrypted:
        raise InputError(_("{source}: encrypted PDF; pakta signs only unencrypted documents").format(source=source),
                         hint=_("a pact rendered by pakta is never encrypted: sign the original"))
    try:
        writer.root["/Pages"]  # reading it is the check
    except Exception as exc:
        raise InputError(_("{source}: damaged or unreadable PDF ({exc})").format(
            source=source, exc=_short(exc))) from None
    return writer


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _signature_fields(writer: Any, source: str) -> dict[str, Any]:
    """Field name -> field dictionary, for every top-level /Sig field."""
    out: dict[str, Any] = {}
    try:
        fields = writer.root["/AcroForm"]["/Fields"]
    except KeyError:
        return out
    try:
        for ref in fields:
            obj = ref.get_object()
            if obj.get("/FT") == "/Sig" and "/T" in obj:
                out[str(obj["/T"])] = ref
    except Exception as exc:  # a /Fields that is a name, a field pyHanko cannot parse: a damaged form
        raise InputError(_("{source}: damaged PDF form ({exc})").format(source=source, exc=_short(exc))) from None
    return out


# --- files and batches --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignJob:
    """One input and where its signed copy goes (the input itself for --in-place)."""

    source: Path
    target: Path
    force: bool = False

    @property
    def in_place(self) -> bool:
        return self.source.resolve() == self.target.resolve()


@dataclass(frozen=True)
class SignOutcome:
    source: str
    target: str
    field: str | None = None
    party: str | None = None
    match: Match | None = None
    error: str | None = None
    hint: str | None = None
    sha256: str | None = None
    attested: dt.datetime | None = None
    no_timestamp: str | None = None
    about: str | None = None  # the error's `about`, for the command line's words (`PaktaError`)
    fields: tuple[tuple[str, object], ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def _file_mode(path: Path) -> int:
    if path.exists():
        return path.stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def sign_file(job: SignJob, credentials: Credentials, options: SignOptions) -> Signed:
    """Sign one file into its target without ever losing a signature.

    In place, the pact is read only once this process holds the file's lock, and replaced only if it
    still holds what was read (`pakta_cli.fsutil.update_file`): two officials signing one shared
    pact at the same moment are done one after the other, and each signature lands on the other's.
    Into another file, the output is written to a temporary file and renamed: never half-written,
    never over an existing file unless asked (--force), and then under that file's lock.
    """
    source = str(job.source)
    if job.in_place:
        made: list[Signed] = []

        def sign_current(data: bytes) -> bytes:
            made[:] = [sign_pdf(data, credentials, options, source)]
            return made[0].pdf

        update_file(job.source, sign_current, what="PDF", mode=_file_mode(job.source))
        return made[0]
    if job.target.exists() and not job.force:
        raise OutputExistsError(job.target)
    with exclusive(job.source):  # the input as it is, not mid-way through another signer's update
        data = read_file(job.source, N_("PDF"))
    signed = sign_pdf(data, credentials, options, source)
    atomic_write(job.target, signed.pdf, force=job.force, mode=_file_mode(job.target))
    return signed


def _sign_one(credentials: Credentials, options: SignOptions, job: SignJob) -> SignOutcome:
    """A batch worker: every failure becomes an outcome, so one bad file never stops the others."""
    try:
        signed = sign_file(job, credentials, options)
    except PaktaError as exc:
        return SignOutcome(str(job.source), str(job.target), error=exc.message, hint=exc.hint, about=exc.about,
                           fields=tuple(exc.fields.items()))
    except Exception as exc:  # a bug: report it for this file, keep going with the others
        return SignOutcome(str(job.source), str(job.target), error=f"internal error: {type(exc).__name__}: {exc}")
    return SignOutcome(str(job.source), str(job.target), signed.field, signed.party, signed.match,
                       sha256=hashlib.sha256(signed.pdf).hexdigest(), attested=signed.attested,
                       no_timestamp=signed.no_timestamp)


def sign_files(jobs: Sequence[SignJob], credentials: Credentials, options: SignOptions, *, workers: int,
               progress: Callable[[int], None] | None = None) -> list[SignOutcome]:
    """Sign many files over `workers` processes; outcomes come back in input order."""
    outcomes: list[SignOutcome | None] = [None] * len(jobs)
    for index, outcome in run_parallel(partial(_sign_one, credentials, options), list(jobs), jobs=workers):
        outcomes[index] = outcome
        if progress:
            progress(1)
    return [o for o in outcomes if o is not None]
