"""PAdES signing of one party's field in a pact: one incremental update per signer.

A signature is a standard PDF signature (PAdES baseline B-B): a CMS SignedData with Ed25519
(RFC 8419) in the /Contents of a signature dictionary whose /ByteRange covers the whole file but
that hex string. pyHanko writes the incremental update, the placeholder and the byte range
(`PdfCMSEmbedder`); cryptography makes the Ed25519 signature.

What one signing revision changes (and nothing else; `verify` relies on it):

1. The party's signature field, which in a pakta pact is also its widget annotation
   (`/FT /Sig /T pakta-ROLE-N`), gains `/V` (the signature dictionary) and `/AP << /N stamp >>`.
   Every other entry of that dictionary keeps its value.
2. The /AcroForm dictionary gains `/SigFlags 3` (signatures exist, append only). The first signer
   adds it; later signers find it set and leave the dictionary alone.
3. New objects, reachable only from that field's /V and /AP: the signature dictionary and the
   stamp's form XObject (its two fonts, standard Helvetica and Helvetica-Bold with WinAnsiEncoding,
   are direct dictionaries inside it; the QR code is drawn as vector rectangles, no image).
4. The trailer: a new cross-reference section with /Prev, and the second half of /ID (pyHanko
   draws it at random for every update, as ISO 32000 asks; the first half never changes).

Deliberately not changed: no /Info or XMP update (pyHanko's writer would set ModDate and Producer;
`_RevisionWriter` turns that off), no /Version or /Extensions in the catalog (pyHanko would mark
the file PDF 2.0 with the ESIC and ISO 32002 extensions; the catalog stays as rendered, so the
header keeps saying 1.4), no DSS, no DocMDP or FieldMDP lock, no new fields.

The signature dictionary: /Type /Sig, /Filter /Adobe.PPKLite, /SubFilter /ETSI.CAdES.detached,
/Name = the signer's name (certificate CN), /M = the signing time in the signer's time zone
(e.g. D:20240102093015+08'00'), /ByteRange, /Contents.

The CMS: digest SHA-512 over the byte range (RFC 8419 requires SHA-512 with Ed25519 and signed
attributes); signed attributes content-type (id-data), message-digest and ESS
signing-certificate-v2 (SHA-256 of the signer's certificate, with issuer and serial). The claimed
signing time is /M in the signature dictionary, which the byte range covers: PAdES baseline
(ETSI EN 319 142-1) forbids the CMS signing-time attribute, so it is not there (pyHanko's own
PAdES signer leaves it out too; its validator reads /M). The signer's certificate is embedded,
followed by any --chain certificates (the CA's, for a CA-issued certificate).

Speed: the CMS for one signer is the same bytes every time except the 64-byte message digest and
the 64-byte signature, so it is built once per signer with asn1crypto (`_CmsTemplate`) and patched
per document. No dry run to estimate the size (it is exact), no pyHanko stamp engine (the stamp is
a few lines of PDF operators; the QR matrix is cached per URL). Batches run over processes
(`pakta_cli.batch.run_parallel`), each worker building its template once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pakta_cli.definition.identity import same_name
from pakta_cli.errors import InputError, KeyFileError, PaktaError, SigningError
from pakta_cli.fsutil import atomic_write
from pakta_cli.keyid import key_id
from pakta_cli.keys import (
    Identity,
    check_pair,
    check_signing_certificate,
    check_validity,
    identity_of,
    is_ca,
    load_certificate,
    load_certificates,
    load_private_key,
    read_file,
    signed_by,
)
from pakta_cli.render import DEFINITION_NAME, MANIFEST_NAME
from pakta_cli.stamp import stamp_content, stamp_lines
from pakta_cli.zones import DEFAULT_ZONE, SigningZone, parse_zone

DIGEST = "sha512"
SUBFILTER = "/ETSI.CAdES.detached"
ANY_PDF_FIELD = "pakta-signature"
Match = Literal["key_id", "nip", "name", "any-pdf"]

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
        raise InputError(f"{cert_path}: certificate not found",
                         hint="pass it with --cert (by default the .crt beside the key is used)")
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
                whose = "your certificate" if below is cert else "the chain certificate before it"
                raise KeyFileError(f"{path}: did not issue {whose}",
                                   hint="--chain takes the CA certificate that issued yours (pakta ca issue prints it)")
            chain.append(extra_der)
            below = extra
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    return Credentials(raw, der, tuple(chain))


# --- the CMS, built once per signer -------------------------------------------------------------


class _CmsTemplate:
    """A complete CMS SignedData for one signer with placeholders for the digest and signature.

    Both are fixed-size (SHA-512, Ed25519), and no other signed attribute varies, so the DER of
    every signature this signer makes has the same length and layout: patch two 64-byte holes and
    sign the signed attributes, instead of building and serialising the ASN.1 tree each time.
    """

    def __init__(self, key: Ed25519PrivateKey, cert_der: bytes, chain: Sequence[bytes]) -> None:
        from asn1crypto import algos, cms
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.general import as_signing_certificate_v2

        self._key = key
        cert = asn1_x509.Certificate.load(cert_der)
        digest_hole, signature_hole = os.urandom(64), os.urandom(64)
        attributes = [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "message_digest", "values": [digest_hole]}),
            cms.CMSAttribute({"type": "signing_certificate_v2", "values": [as_signing_certificate_v2(cert)]}),
        ]
        attributes.sort(key=lambda attribute: attribute.dump())  # DER: a SET OF is sorted by encoding
        signer_info = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
                {"issuer": cert.issuer, "serial_number": cert.serial_number})}),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": DIGEST}),
            "signed_attrs": cms.CMSAttributes(attributes),
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "ed25519"}),
            "signature": signature_hole,
        })
        signed_data = cms.SignedData({
            "version": "v1",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": DIGEST})],
            "encap_content_info": {"content_type": "data"},
            "certificates": [cert, *(asn1_x509.Certificate.load(der) for der in chain)],
            "signer_infos": [signer_info],
        })
        der = cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
        signed_attrs = signed_data["signer_infos"][0]["signed_attrs"].dump()
        self._template = der
        self._attrs = self._locate(der, signed_attrs)
        self._digest = self._locate(der, digest_hole)
        self._signature = self._locate(der, signature_hole)
        if not self._attrs[0] < self._digest[0] < self._attrs[1] <= self._signature[0]:
            raise AssertionError("unexpected CMS layout")  # pragma: no cover

    @staticmethod
    def _locate(der: bytes, part: bytes) -> tuple[int, int]:
        start = der.find(part)
        if start < 0 or der.find(part, start + 1) >= 0:
            raise AssertionError("CMS placeholder not unique")  # pragma: no cover
        return start, start + len(part)

    @property
    def size(self) -> int:
        return len(self._template)

    def sign(self, document_digest: bytes) -> bytes:
        buffer = bytearray(self._template)
        buffer[self._digest[0]:self._digest[1]] = document_digest
        start, end = self._attrs
        # The signature covers the signed attributes as a SET (tag 0x31), not as the [0] they are stored as.
        signature = self._key.sign(b"\x31" + bytes(buffer[start + 1:end]))
        buffer[self._signature[0]:self._signature[1]] = signature
        return bytes(buffer)


@dataclass
class _Engine:
    """What signing needs per signer, built once per process and reused for every document."""

    key: Ed25519PrivateKey
    cert: x509.Certificate
    identity: Identity
    key_id: str
    cms: _CmsTemplate


_ENGINES: dict[Credentials, _Engine] = {}


def _engine(credentials: Credentials) -> _Engine:
    engine = _ENGINES.get(credentials)
    if engine is None:
        key = Ed25519PrivateKey.from_private_bytes(credentials.private_key)
        cert = _parse_cert(credentials.certificate)
        engine = _Engine(key, cert, identity_of(cert), key_id(key.public_key()),
                         _CmsTemplate(key, credentials.certificate, credentials.chain))
        _ENGINES.clear()  # one signer per run; never keep more keys in memory than needed
        _ENGINES[credentials] = engine
    return engine


# --- reading the pact ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PactParty:
    """A party as the rendered pact's embedded manifest lists it."""

    field: str
    role: str
    name: str
    nip: str | None = None
    key_id: str | None = None

    def describe(self) -> str:
        pins = []
        if self.nip:
            pins.append(f"NIP {self.nip}")
        if self.key_id:
            pins.append(f"key id {self.key_id}")
        return f"{self.field} {self.name} ({', '.join(pins) if pins else 'no NIP, no key id'})"


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
        raise InputError(f"{source}: not a PDF file")
    try:
        writer = _writer_class()(BytesIO(data), strict=True)
    except Exception as exc:
        raise InputError(f"{source}: damaged or unreadable PDF ({_short(exc)})") from None
    if writer.prev.encrypted:
        raise InputError(f"{source}: encrypted PDF; pakta signs only unencrypted documents",
                         hint="a pact rendered by pakta is never encrypted: sign the original")
    try:
        _ = writer.root["/Pages"]
    except Exception as exc:
        raise InputError(f"{source}: damaged or unreadable PDF ({_short(exc)})") from None
    return writer


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _embedded_file(root: Any, name: str) -> bytes | None:
    try:
        tree = root["/Names"]["/EmbeddedFiles"]
    except (KeyError, TypeError):
        return None
    pending, seen = [tree], 0
    while pending and seen < 10_000:
        seen += 1
        node = pending.pop()
        names = node.get("/Names")
        if names is not None:
            for index in range(0, len(names) - 1, 2):
                if str(names[index]) == name:
                    return bytes(names[index + 1].get_object()["/EF"]["/F"].get_object().data)
        pending.extend(kid.get_object() for kid in node.get("/Kids", ()))
    return None


def read_parties(writer: Any, source: str) -> list[PactParty] | None:
    """The parties of a pakta pact (from its embedded manifest), or None for any other PDF."""
    try:
        raw = _embedded_file(writer.root, MANIFEST_NAME)
    except Exception as exc:
        raise InputError(f"{source}: damaged PDF: cannot read its pakta manifest ({_short(exc)})") from None
    if raw is None:
        return None
    try:
        manifest = json.loads(raw.decode("utf-8"))
        parties = [
            PactParty(str(p["field"]), str(p.get("role", "")), str(p["name"]),
                      str(p["nip"]) if p.get("nip") else None, str(p["key_id"]) if p.get("key_id") else None)
            for p in manifest["parties"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{source}: its embedded pakta manifest is damaged ({_short(exc)})") from None
    return parties


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
        raise InputError(f"{source}: damaged PDF form ({_short(exc)})") from None
    return out


def choose_party(parties: Sequence[PactParty], signed: set[str], *, key: str, nip: str | None,
                 explicit: str | None, source: str, signer: str) -> tuple[PactParty, Match]:
    """Which party this signer is: pinned key id first, then NIP; a name only when asked for.

    A party that pins another key is never signed with this one, even when the NIP matches:
    that is the point of pinning. A party with neither is signed only by a certificate that bears
    its name, so --party cannot put one person's signature in another's block. A key id or NIP that
    fits two parties is refused: one person is never two parties of a pact.
    """
    if explicit is not None:
        wanted = explicit.strip().casefold()
        candidates = [p for p in parties if p.field.casefold() == wanted or p.name.casefold() == wanted]
        if not candidates:
            raise SigningError(f"{source}: no party {explicit!r} in this pact; it expects: "
                               + "; ".join(p.describe() for p in parties),
                               hint="--party takes a party's name or its field (pakta-ROLE-N)")
        party = next((p for p in candidates if p.field not in signed), candidates[0])
        if party.key_id and party.key_id != key:
            raise SigningError(f"{source}: {party.field} ({party.name}) must be signed with key id "
                               f"{party.key_id}; this key is {key}")
        if party.nip and party.nip != nip:
            raise SigningError(f"{source}: {party.field} ({party.name}) has NIP {party.nip}; this certificate "
                               + (f"has NIP {nip}" if nip else "has no NIP"))
        how: Match = "key_id" if party.key_id else "nip" if party.nip else "name"
        if how == "name" and not same_name(signer, party.name):
            raise SigningError(f"{source}: {party.field} is {party.name}'s; this certificate is {signer}'s",
                               hint="a party with no NIP and no key id is signed only by a certificate in its name")
        candidates = [party]
    else:
        candidates = [p for p in parties if p.key_id == key]
        how = "key_id"
        if not candidates and nip:
            by_nip = [p for p in parties if p.nip == nip]
            pinned = [p for p in by_nip if p.key_id]
            candidates = [p for p in by_nip if not p.key_id]
            how = "nip"
            if not candidates and pinned:
                p = pinned[0]
                raise SigningError(f"{source}: {p.field} ({p.name}, NIP {nip}) must be signed with key id "
                                   f"{p.key_id}; this key is {key}",
                                   hint="sign with the key the pact pins, or have the pact rendered again")
        if not candidates:
            who = f"key id {key}" + (f", NIP {nip}" if nip else ", no NIP")
            raise SigningError(
                f"{source}: this signer ({who}) is none of the parties this pact expects: "
                + "; ".join(p.describe() for p in parties),
                hint="a party with no NIP and no key id is signed with --party NAME_OR_FIELD",
            )
    if len(candidates) > 1:
        raise SigningError(f"{source}: this signer's {'key id' if how == 'key_id' else 'NIP'} fits "
                           f"{len(candidates)} parties: " + "; ".join(p.describe() for p in candidates),
                           hint="one person is one party: have the pact rendered again with the right identities")
    unsigned = [p for p in candidates if p.field not in signed]
    if not unsigned:
        party = candidates[0]
        raise SigningError(f"{source}: {party.field} ({party.name}) is already signed",
                           hint="each party signs once; verify the pact with `pakta verify`")
    return unsigned[0], how


# --- the stamp ------------------------------------------------------------------------------------


def _pdf_objects() -> Any:
    """pyHanko's PDF object module, typed loosely: its constructors carry no annotations."""
    from pyhanko.pdf_utils import generic

    return generic


def _stamp_xobject(writer: Any, field_obj: Any, lines: Sequence[tuple[str, bool]], qr_url: str | None) -> Any:
    generic = _pdf_objects()
    pdf_name = generic.pdf_name

    rect = [float(v) for v in field_obj["/Rect"]]
    width, height = abs(rect[2] - rect[0]), abs(rect[3] - rect[1])
    content = stamp_content(width, height, lines, qr_url)

    def font(base: str) -> Any:
        return generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
            pdf_name("/BaseFont"): pdf_name("/" + base), pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding"),
        })

    stream = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, width, height)),
            pdf_name("/Resources"): generic.DictionaryObject({
                pdf_name("/Font"): generic.DictionaryObject({
                    pdf_name("/F1"): font("Helvetica"), pdf_name("/F2"): font("Helvetica-Bold"),
                }),
            }),
            pdf_name("/Filter"): pdf_name("/FlateDecode"),
        },
        encoded_data=zlib.compress(content, 6),
    )
    return writer.add_object(stream)


# --- signing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignOptions:
    party: str | None = None  # --party NAME_OR_FIELD
    any_pdf: bool = False  # allow PDFs pakta did not render (invisible signature, no party)
    zone: SigningZone = field(default_factory=lambda: parse_zone(DEFAULT_ZONE))
    when: dt.datetime | None = None  # the signing time; now when None (tests pin it)


@dataclass(frozen=True)
class Signed:
    pdf: bytes
    field: str
    party: str | None  # the party's name as the pact lists it; None for --any-pdf
    match: Match
    signed_at: dt.datetime
    signer: str
    key_id: str


def sign_pdf(data: bytes, credentials: Credentials, options: SignOptions = SignOptions(),
             source: str = "<pdf>") -> Signed:
    """Sign `data` as the party this signer is; returns the new file (input + one revision)."""
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.sign.fields import SigFieldSpec
    from pyhanko.sign.signers.cms_embedder import PdfCMSEmbedder, SigIOSetup, SigObjSetup
    from pyhanko.sign.signers.pdf_byterange import SignatureObject

    engine = _engine(credentials)
    signed_at = (options.when or dt.datetime.now(dt.UTC)).astimezone(options.zone.tzinfo).replace(microsecond=0)
    check_validity(engine.cert, signed_at, "the signer's certificate")
    writer = _open(data, source)
    parties = read_parties(writer, source)
    if parties is not None:
        from pakta_cli.verify import integrity_problems

        problems = integrity_problems(data, source)
        if problems:  # an official never adds a signature to a pact changed after it was rendered
            raise SigningError(f"{source}: refusing to sign: {problems[0]}",
                               hint="sign the pact as it was rendered (or as the earlier signers left it); "
                                    "`pakta verify` shows everything that is wrong with this one")
    fields = _signature_fields(writer, source)
    party: PactParty | None = None
    if parties is None:
        if not options.any_pdf:
            raise SigningError(f"{source}: not a pact rendered by pakta (it carries no pakta manifest)",
                               hint="to sign another PDF on purpose, pass --any-pdf (an invisible signature)")
        if options.party is not None:
            raise SigningError(f"{source}: not a pakta pact, so it has no party {options.party!r} to sign as",
                               hint="--any-pdf signs invisibly, as nobody's party: leave --party out")
        number = 1
        while f"{ANY_PDF_FIELD}-{number}" in fields:
            number += 1
        field_name = f"{ANY_PDF_FIELD}-{number}"
        how: Match = "any-pdf"
        embedder = PdfCMSEmbedder(new_field_spec=SigFieldSpec(sig_field_name=field_name, on_page=0))
        existing_only = False
    else:
        missing = [p.field for p in parties if p.field not in fields]
        if missing:
            raise InputError(f"{source}: damaged pact: no signature field {missing[0]!r} for its party")
        signed = {name for name, ref in fields.items() if "/V" in ref.get_object()}
        party, how = choose_party(parties, signed, key=engine.key_id, nip=engine.identity.nip,
                                  explicit=options.party, source=source, signer=engine.identity.name)
        field_name = party.field
        embedder = PdfCMSEmbedder()
        existing_only = True

    try:
        process = embedder.write_cms(field_name, writer, existing_fields_only=existing_only)
        field_ref = next(process)
        if party is not None:
            field_obj = field_ref.get_object()
            lines = stamp_lines(engine.identity.name, engine.identity.nip, signed_at, options.zone,
                                engine.key_id)
            field_obj[pdf_name("/AP")] = _ap_dictionary(_stamp_xobject(writer, field_obj, lines, _verify_url(writer)))
        placeholder = SignatureObject(timestamp=signed_at, name=engine.identity.name,
                                      bytes_reserved=2 * engine.cms.size)
        placeholder[pdf_name("/SubFilter")] = pdf_name(SUBFILTER)
        process.send(SigObjSetup(sig_placeholder=placeholder))
        prepared, output = process.send(SigIOSetup(md_algorithm=DIGEST, output=BytesIO()))
        process.send(engine.cms.sign(prepared.document_digest))
    except PaktaError:
        raise
    except Exception as exc:
        raise InputError(f"{source}: cannot sign this PDF ({_short(exc)})") from None
    return Signed(output.getvalue(), field_name, party.name if party else None, how, signed_at,
                  engine.identity.name, engine.key_id)


def _ap_dictionary(ref: Any) -> Any:
    generic = _pdf_objects()
    return generic.DictionaryObject({generic.pdf_name("/N"): ref})


def _verify_url(writer: Any) -> str | None:
    """The pact's verify_url, read from its embedded definition (the manifest does not carry it).

    The definition is JSON, which is also YAML; YAML is the fallback for pacts that embedded YAML.
    """
    try:
        raw = _embedded_file(writer.root, DEFINITION_NAME)
    except Exception:
        return None
    if not raw:
        return None
    try:
        definition = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        import yaml

        try:
            definition = yaml.safe_load(raw.decode("utf-8", "replace"))
        except yaml.YAMLError:
            return None
    url = definition.get("verify_url") if isinstance(definition, dict) else None
    return url if isinstance(url, str) and url.strip() else None


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
    """Sign one file into its target: temp file then rename, so the input is never half-written
    and nothing is left behind on failure. The target is only replaced when asked (--force or
    --in-place)."""
    source = str(job.source)
    data = read_file(job.source, "PDF")
    in_place = job.in_place
    if not in_place and job.target.exists() and not job.force:
        from pakta_cli.errors import OutputExistsError

        raise OutputExistsError(job.target)
    signed = sign_pdf(data, credentials, options, source)
    mode = _file_mode(job.source if in_place else job.target)
    atomic_write(job.target, signed.pdf, force=in_place or job.force, mode=mode)
    return signed


def _sign_one(credentials: Credentials, options: SignOptions, job: SignJob) -> SignOutcome:
    """A batch worker: every failure becomes an outcome, so one bad file never stops the others."""
    try:
        signed = sign_file(job, credentials, options)
    except PaktaError as exc:
        return SignOutcome(str(job.source), str(job.target), error=exc.message, hint=exc.hint)
    except Exception as exc:  # a bug: report it for this file, keep going with the others
        return SignOutcome(str(job.source), str(job.target), error=f"internal error: {type(exc).__name__}: {exc}")
    return SignOutcome(str(job.source), str(job.target), signed.field, signed.party, signed.match,
                       sha256=hashlib.sha256(signed.pdf).hexdigest())


def sign_files(jobs: Sequence[SignJob], credentials: Credentials, options: SignOptions, *, workers: int,
               progress: Callable[[int], None] | None = None) -> list[SignOutcome]:
    """Sign many files over `workers` processes; outcomes come back in input order."""
    from pakta_cli.batch import run_parallel

    outcomes: list[SignOutcome | None] = [None] * len(jobs)
    for index, outcome in run_parallel(partial(_sign_one, credentials, options), list(jobs), jobs=workers):
        outcomes[index] = outcome
        if progress:
            progress(1)
    return [o for o in outcomes if o is not None]


def plan_jobs(sources: Sequence[Path], *, output: Path | None, out_dir: Path | None, in_place: bool,
              force: bool) -> list[SignJob]:
    """Where each input's signed copy goes, refusing plans that would overwrite by surprise."""
    chosen = sum(x for x in (output is not None, out_dir is not None, in_place))
    if chosen > 1:
        raise InputError("choose one of -o OUT.pdf, --out-dir DIR and --in-place")
    if chosen != 1:
        raise InputError("say where the signed PDFs go: -o OUT.pdf, --out-dir DIR or --in-place",
                         hint="--in-place replaces each input with its signed copy")
    unique: list[Path] = []
    seen: set[Path] = set()
    for source in sources:
        resolved = source.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(source)
    if output is not None:
        if len(unique) != 1:
            raise InputError("-o names one output file; for several PDFs use --out-dir DIR or --in-place")
        if output.resolve() == unique[0].resolve():
            raise InputError(f"{output}: is the input; use --in-place to replace it with the signed copy")
        return [SignJob(unique[0], output, force)]
    if in_place:
        return [SignJob(source, source, True) for source in unique]
    assert out_dir is not None
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a folder")
    targets: dict[Path, Path] = {}
    jobs = []
    for source in unique:
        target = out_dir / source.name
        if target.resolve() in targets:
            raise InputError(f"{targets[target.resolve()]} and {source} would both be written to {target}",
                             hint="sign them into different folders")
        if target.resolve() == source.resolve():
            raise InputError(f"{source}: --out-dir is the folder it is in; use --in-place to replace it")
        targets[target.resolve()] = source
        jobs.append(SignJob(source, target, force))
    return jobs
