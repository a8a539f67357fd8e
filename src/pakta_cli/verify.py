"""Signed pact -> frozen Verdict: every check of every signature and of the document, by name.

The verifier works on the file's bytes with its own strict reader (`pakta_cli.pdfscan`) instead of
pyHanko's validator, for two reasons:

- **Strictness.** pyHanko's difference analysis accepts, after an approval signature, form filling
  and new signature fields, and infers that a signature covers the whole file from lengths. A pact
  allows far less: each revision after the rendered one fills exactly one of the pact's own signature
  fields and changes nothing else. That rule is checked here object by object (see `_Revisions`).
- **Speed.** A national audit verifies millions of pacts. Certificate path building, the policy
  machinery and the full document model cost more than the checks themselves; here a pact is parsed
  once, only the objects the checks need are read, and the signature maths is one Ed25519 verify.

Trust is explicit: only the certificates in `Policy.trust`, matched by their bytes or by verifying
the issuer's signature with its key, never by name and never from a system store.

The library never prints: `verify_bytes` returns a Verdict for any input (a file that cannot be read
is a Verdict with a failed `readable` check), and only `pakta_cli.cli.verify` presents it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pakta_cli import pdfscan
from pakta_cli.pdfscan import PdfDict, PdfError, Ref, Stream

if TYPE_CHECKING:
    from cryptography import x509

# the embedded file names, as pakta_cli.render writes them (copied, not imported: importing render
# loads ReportLab, which `pakta verify` never needs unless asked to --reproduce)
DEFINITION_NAME = "pakta-definition.json"
MANIFEST_NAME = "pakta-manifest.json"
LOGO_PREFIX = "pakta-logo-"
SIGNATURE_CHECKS = ("byte_range", "digest", "signature", "trusted", "valid_at_signing_time", "not_revoked", "party",
                    "stamp")
STAMP_KEYS = {"Type", "Subtype", "BBox", "Resources", "Filter", "Length"}
DIGESTS = {"2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384", "2.16.840.1.101.3.4.2.3": "sha512"}
OID_ED25519 = "1.3.101.112"
CLOCK_SLACK = dt.timedelta(minutes=10)  # how far a signer's clock may run ahead, or two stated times differ
OID_DATA = "1.2.840.113549.1.7.1"
OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_SIGNING_TIME = "1.2.840.113549.1.9.5"
OID_SIGNING_CERT_V2 = "1.2.840.113549.1.9.16.2.47"
SUBFILTERS = ("ETSI.CAdES.detached", "adbe.pkcs7.detached")


def _say(indonesian: str, english: str) -> str:
    """Every message an auditor reads is given in Indonesian, then English."""
    return f"{indonesian} / {english}"


# -- the verdict --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str  # a stable id: see SIGNATURE_CHECKS and the document checks in `_verify`
    ok: bool
    detail: str  # words an auditor understands, Indonesian / English

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class SignatureVerdict:
    field: str | None
    party: str | None
    signer: str | None
    key_id: str | None
    signing_time: dt.datetime | None
    match: str  # how the signer was matched to the party: "key_id" | "nip" | "name" (weak) | "none"
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "party": self.party,
            "signer": self.signer,
            "key_id": self.key_id,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "match": self.match,
            "ok": self.ok,
            "checks": [check.to_json() for check in self.checks],
        }


@dataclass(frozen=True)
class Verdict:
    path: str
    signatures: tuple[SignatureVerdict, ...]
    checks: tuple[Check, ...]  # the document's own checks
    parties: tuple[str, ...] = ()  # the names of the parties the embedded manifest says must sign

    @property
    def ok(self) -> bool:
        """VALID only when every check of the document and of every signature holds."""
        return all(check.ok for check in self.checks) and all(sig.ok for sig in self.signatures)

    @property
    def reasons(self) -> tuple[str, ...]:
        """The detail of every failed check, the document's first."""
        failed = [c.detail for c in self.checks if not c.ok]
        for sig in self.signatures:
            failed += [c.detail for c in sig.checks if not c.ok]
        return tuple(failed)

    def check(self, name: str) -> Check | None:
        """The document check called `name`, if it was run."""
        return next((c for c in self.checks if c.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "verdict": "VALID" if self.ok else "FAIL",
            "ok": self.ok,
            "reasons": list(self.reasons),
            "parties": list(self.parties),
            "checks": [check.to_json() for check in self.checks],
            "signatures": [sig.to_json() for sig in self.signatures],
        }


@dataclass(frozen=True)
class Policy:
    """What an auditor trusts and asks for; the same Policy judges every document of a run."""

    trust: tuple[x509.Certificate, ...]
    crls: tuple[x509.CertificateRevocationList, ...] = ()
    definition: bytes | None = None  # canonical definition bytes to compare with
    reproduce: bool = False
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # cryptography's certificates do not pickle; a process pool gets their DER instead
        from cryptography.hazmat.primitives.serialization import Encoding

        return (
            _policy_from_der,
            (
                tuple(c.public_bytes(Encoding.DER) for c in self.trust),
                tuple(c.public_bytes(Encoding.DER) for c in self.crls),
                self.definition,
                self.reproduce,
            ),
        )


@functools.lru_cache(maxsize=8)
def _policy_from_der(trust: tuple[bytes, ...], crls: tuple[bytes, ...], definition: bytes | None,
                     reproduce: bool) -> Policy:
    """Rebuild a Policy in a worker process; cached so a worker keeps its trust memo across chunks."""
    from cryptography import x509

    return Policy(
        tuple(x509.load_der_x509_certificate(der) for der in trust),
        tuple(x509.load_der_x509_crl(der) for der in crls),
        definition,
        reproduce,
    )


def verify_file(path: Path, policy: Policy) -> Verdict:
    """Verify one file; a file that cannot be read is a failed Verdict, not an exception."""
    return _verify_path(path, policy)[0]


def verify_bytes(data: bytes, policy: Policy, *, name: str = "<bytes>") -> Verdict:
    """Verify a PDF given as bytes; never raises for bad PDF input."""
    return _verify(data, policy, name)[0]


# The checks that hold or fail whoever the reader trusts: what an official can ask of a pact before
# adding a signature to it (sign never puts a signature on a pact that was changed after rendering).
INTEGRITY_CHECKS = ("readable", "unchanged_after_signing", "as_rendered", "embedded_hashes",
                    "byte_range", "digest", "signature", "party")


def integrity_problems(data: bytes, name: str = "<bytes>") -> list[str]:
    """Why this pact is not as rendered and signed so far, trust aside; empty when it is."""
    verdict = verify_bytes(data, Policy(()), name=name)
    checks = [*verdict.checks, *(check for sig in verdict.signatures for check in sig.checks)]
    return [check.detail for check in checks if check.name in INTEGRITY_CHECKS and not check.ok]


def _verify_path(path: Path, policy: Policy) -> tuple[Verdict, str | None]:
    try:
        # opened without blocking and checked before reading: a FIFO named x.pdf must not hang a run
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return _unreadable(str(path), _say("bukan berkas biasa", "not a regular file")), None
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read()
        finally:
            os.close(fd)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return _unreadable(str(path), _say("berkas tidak dapat dibaca", f"cannot read the file: {reason}")), None
    return _verify(data, policy, str(path))


def _unreadable(name: str, detail: str) -> Verdict:
    return Verdict(name, (), (Check("readable", False, detail),))


def fully_signed(verdict: Verdict) -> bool:
    """Whether every party the pact names has signed (whatever the other checks say)."""
    check = verdict.check("all_parties_signed")
    return check is not None and check.ok


def verify_paths(
    paths: Sequence[Path], policy: Policy, *, jobs: int, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[int, Verdict, str | None]]:
    """Verify many files over `jobs` processes, yielding (index, verdict, sha256 of the rendered revision).

    The sha256 is what a batch manifest records for the file as rendered, before any signature.
    """
    from pakta_cli.batch import run_parallel

    work = functools.partial(_verify_path_str, policy=policy)
    for index, (verdict, digest) in run_parallel(work, [str(p) for p in paths], jobs=jobs, chunk=16):
        if progress:
            progress(1)
        yield index, verdict, digest


def _verify_path_str(path: str, *, policy: Policy) -> tuple[Verdict, str | None]:
    return _verify_path(Path(path), policy)


# -- a roster's completeness ---------------------------------------------------------------------


@dataclass(frozen=True)
class RosterReport:
    """How a folder of verified pacts compares with the batch manifest `pakta render --roster` wrote."""

    manifest: str
    expected: int
    present: int
    missing: tuple[str, ...]  # listed in the manifest, no file found
    incomplete: tuple[str, ...]  # found, but not every party has signed
    unknown: tuple[str, ...]  # files found that the manifest does not list
    altered: tuple[str, ...]  # named as a listed pact, but its rendered revision is not that pact's bytes
    duplicates: tuple[str, ...]  # more than one file holds the same listed pact

    @property
    def ok(self) -> bool:
        return not (self.missing or self.incomplete or self.unknown or self.altered or self.duplicates)

    def to_json(self) -> dict[str, Any]:
        return {
            "manifest": self.manifest, "ok": self.ok, "expected": self.expected, "present": self.present,
            "missing": list(self.missing), "incomplete": list(self.incomplete), "unknown": list(self.unknown),
            "altered": list(self.altered), "duplicates": list(self.duplicates),
        }


def check_roster(manifest: dict[str, Any], manifest_path: str,
                 results: Sequence[tuple[str, str, bool, str | None]]) -> RosterReport:
    """Compare verified files with a batch manifest.

    `results` holds (path shown, name relative to the folder verified, whether every party signed,
    sha256 of the file as handed to its first signer). A file is a listed pact when those bytes hash
    to that pact's recorded sha256 (the manifest hashes the file as rendered; signing only appends),
    so renamed or moved files are still found; a file that carries a listed pact's name but other
    rendered bytes is reported as altered, not as that pact.
    """
    entries = [p for p in manifest.get("pacts", []) if isinstance(p, dict) and isinstance(p.get("file"), str)]
    by_hash: dict[str, dict[str, Any]] = {str(p.get("sha256")): p for p in entries}
    by_name: dict[str, dict[str, Any]] = {}
    for entry in entries:
        by_name.setdefault(entry["file"], entry)
        by_name.setdefault(Path(entry["file"]).name, entry)
    found: dict[str, list[str]] = {}
    incomplete: list[str] = []
    unknown: list[str] = []
    altered: list[str] = []
    for shown, relative, fully_signed, digest in results:
        found_entry = by_hash.get(digest or "")
        if found_entry is None:
            named = by_name.get(relative) or by_name.get(Path(relative).name)
            (altered if named is not None else unknown).append(shown)
            continue
        entry = found_entry
        found.setdefault(entry["file"], []).append(shown)
        if not fully_signed:
            incomplete.append(shown)
    missing = [e["file"] for e in entries if e["file"] not in found]
    duplicates = [", ".join(files) for files in found.values() if len(files) > 1]
    return RosterReport(
        manifest=manifest_path,
        expected=len(entries),
        present=len(found),
        missing=tuple(missing),
        incomplete=tuple(incomplete),
        unknown=tuple(unknown),
        altered=tuple(altered),
        duplicates=tuple(duplicates),
    )


# -- one document -------------------------------------------------------------------------------


def _verify(data: bytes, policy: Policy, name: str) -> tuple[Verdict, str | None]:
    """Verify one document; whatever happens, the answer is a Verdict (a bug is a FAIL, not a crash).

    In a national audit one strange file must not stop a run over millions; a failure of the
    verifier itself is reported as that document's reason, never as VALID.
    """
    try:
        return _verify_document(data, policy, name)
    except Exception as exc:
        return _unreadable(name, _say("pemeriksaan terhenti karena galat pada pakta",
                                      f"verification stopped by an error in pakta: {type(exc).__name__}: {exc} "
                                      "(please report it)")), None


def _verify_document(data: bytes, policy: Policy, name: str) -> tuple[Verdict, str | None]:
    try:
        doc = pdfscan.Document(data)
        pact = _Pact(doc)
    except (PdfError, RecursionError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        if not data:
            return _unreadable(name, _say("berkas kosong", "the file is empty")), None
        if not data.startswith(b"%PDF-"):
            return _unreadable(name, _say("bukan berkas PDF", "not a PDF file")), None
        return _unreadable(name, _say("PDF rusak atau terpotong", f"damaged or truncated PDF: {exc}")), None
    revisions = _Revisions(doc, pact)
    signatures = tuple(_SignatureCheck(doc, pact, slot, policy).run() for slot in revisions.slots)
    checks = [
        Check("readable", True, _say(f"PDF terbaca, {len(doc.revisions)} revisi",
                                     f"PDF readable, {len(doc.revisions)} revision(s)")),
        _signed_check(signatures),
        _all_parties_check(pact, signatures),
        revisions.check(),
        _rendered_check(pact),
        _embedded_check(pact),
    ]
    if policy.definition is not None:
        checks.append(_definition_check(pact, policy.definition))
    if policy.reproduce:
        checks.append(_reproduce_check(pact, data[: revisions.unsigned_end]))
    unsigned = hashlib.sha256(data[: revisions.unsigned_end]).hexdigest()
    parties = tuple(str(p["name"]) for p in pact.parties)
    return Verdict(name, signatures, tuple(checks), parties), unsigned


def _text(value: Any) -> str:
    """A PDF text string as Python text (UTF-16 with a byte order mark, else PDFDocEncoding ~ Latin-1)."""
    if isinstance(value, bytes):
        if value.startswith(b"\xfe\xff"):
            return value[2:].decode("utf-16-be", "replace")
        if value.startswith(b"\xef\xbb\xbf"):
            return value[3:].decode("utf-8", "replace")
        return value.decode("latin-1")
    return str(value)


@dataclass
class _Field:
    name: str
    widget: int  # object number of the merged field/widget dictionary
    page: int | None


class _Pact:
    """What the rendered revision (the first) holds: catalog, pages, signature fields, embedded files."""

    def __init__(self, doc: pdfscan.Document) -> None:
        self.doc = doc
        first = doc.revisions[0]
        for rev in doc.revisions:
            if "Encrypt" in rev.trailer:
                raise PdfError("the PDF is encrypted; a pakta pact never is")
            if "XRefStm" in rev.trailer:
                raise PdfError("hybrid cross-reference sections are not accepted")
        root = first.trailer.get("Root")
        if not isinstance(root, Ref):
            raise PdfError("the trailer names no document catalog")
        self.root = root
        self.catalog = doc.get(root.num, 1)
        if not isinstance(self.catalog, dict):
            raise PdfError("the document catalog is missing")
        # roles: object number -> what it is, for messages that say what changed
        self.roles: dict[int, tuple[str, Any]] = {root.num: ("catalog", None)}
        info = first.trailer.get("Info")
        if isinstance(info, Ref):
            self.roles[info.num] = ("info", None)
        self.odd_pages: list[int] = []
        self.pages = self._pages()
        self.fields: dict[str, _Field] = {}
        self.prefilled: list[str] = []
        self.acroform: int | None = None
        self._fields()
        self.ambiguous: set[str] = set()  # embedded files a reader could take two ways
        self.files = self._embedded_files()
        for key, role in (("Metadata", "metadata"), ("OCProperties", "ocproperties"), ("Names", "names"),
                          ("Outlines", "outlines"), ("StructTreeRoot", "structure")):
            value = self.catalog.get(key)
            if isinstance(value, Ref):
                self.roles.setdefault(value.num, (role, None))
        self.manifest, self.manifest_problem = self._manifest()

    def get(self, value: Any) -> Any:
        return self.doc.resolve(value, 1)

    @functools.cached_property
    def verify_url(self) -> str | None:
        """The embedded definition's verify_url, which every stamp's QR code encodes."""
        try:
            definition = json.loads(self.files.get(DEFINITION_NAME, b"{}"))
        except ValueError:
            return None
        url = definition.get("verify_url") if isinstance(definition, dict) else None
        return url if isinstance(url, str) else None

    def _pages(self) -> list[int]:
        pages: list[int] = []
        top = self.catalog.get("Pages")
        stack: list[Any] = [top]
        seen: set[int] = set()
        while stack and len(pages) < 10000:
            ref = stack.pop()
            if not isinstance(ref, Ref) or ref.num in seen:
                continue
            seen.add(ref.num)
            node = self.get(ref)
            if not isinstance(node, dict):
                continue
            if node.get("Type") == "Page" and "Kids" in node:
                self.odd_pages.append(ref.num)  # a leaf to viewers, a tree node to a careless reader
            if node.get("Type") == "Pages" or ("Kids" in node and node.get("Type") != "Page"):
                self.roles.setdefault(ref.num, ("pagetree", None))
                kids = self.get(node.get("Kids"))
                if isinstance(kids, list):
                    stack.extend(reversed(kids))
                continue
            pages.append(ref.num)
            number = len(pages)
            self.roles[ref.num] = ("page", number)
            contents = self._mark(node.get("Contents"), "content", number)
            self._mark_each(contents if isinstance(contents, list) else [], "content", number)
            resources = self._mark(node.get("Resources"), "resources", number)
            for value in resources.values() if isinstance(resources, dict) else ():
                inner = self._mark(value, "resources", number)
                self._mark_each(inner.values() if isinstance(inner, dict) else [], "resources", number)
            annots = self._mark(node.get("Annots"), "annots", number)
            self._mark_each(annots if isinstance(annots, list) else [], "annotation", number)
        return pages

    def _mark(self, value: Any, role: str, arg: Any) -> Any:
        """Remember what the object `value` refers to is (the first role found wins); return it resolved."""
        if isinstance(value, Ref):
            self.roles.setdefault(value.num, (role, arg))
        return self.get(value)

    def _mark_each(self, values: Iterable[Any], role: str, arg: Any) -> None:
        for value in values:
            if isinstance(value, Ref):
                self.roles.setdefault(value.num, (role, arg))

    def page_of(self, widget: dict[str, Any]) -> int | None:
        page = widget.get("P")
        if isinstance(page, Ref) and self.roles.get(page.num, ("", None))[0] == "page":
            return int(self.roles[page.num][1])
        return None

    def _fields(self) -> None:
        form_ref = self.catalog.get("AcroForm")
        if isinstance(form_ref, Ref):
            self.acroform = form_ref.num
            self.roles[form_ref.num] = ("acroform", None)
        form = self.get(form_ref)
        if not isinstance(form, dict):
            return
        fields = self.get(form.get("Fields"))
        if not isinstance(fields, list):
            return
        for ref in fields:
            if not isinstance(ref, Ref):
                continue
            widget = self.get(ref)
            if not isinstance(widget, dict):
                continue
            name = _text(widget.get("T", b""))
            self.roles[ref.num] = ("field", name)
            if widget.get("FT") == "Sig" and "Kids" not in widget and name not in self.fields:
                self.fields[name] = _Field(name, ref.num, self.page_of(widget))
                if "V" in widget:
                    self.prefilled.append(name)

    def _embedded_files(self) -> dict[str, bytes]:
        names = self.get(self.catalog.get("Names"))
        files: dict[str, bytes] = {}
        if not isinstance(names, dict):
            return files
        tree = self.get(names.get("EmbeddedFiles"))
        if isinstance(names.get("EmbeddedFiles"), Ref):
            self.roles.setdefault(names["EmbeddedFiles"].num, ("files", None))
        if not isinstance(tree, dict):
            return files
        pairs = self.get(tree.get("Names"))
        if not isinstance(pairs, list):
            return files
        for key, spec_ref in zip(pairs[::2], pairs[1::2], strict=False):
            name = _text(key)
            spec = self.get(spec_ref)
            if isinstance(spec_ref, Ref):
                self.roles[spec_ref.num] = ("file", name)
            if not isinstance(spec, dict):
                continue
            ef = self.get(spec.get("EF"))
            stream_ref = ef.get("F") if isinstance(ef, dict) else None
            stream = self.get(stream_ref)
            if isinstance(stream_ref, Ref):
                self.roles[stream_ref.num] = ("file", name)
            if name in files or (isinstance(ef, dict) and any(not pdfscan.same(v, stream_ref) for v in ef.values())):
                # a second file of the same name, or a /UF stream besides /F: tools differ on which they show
                self.ambiguous.add(name)
            if isinstance(stream, Stream) and name not in files:
                files[name] = self.doc.decode(stream)
        return files

    def _manifest(self) -> tuple[dict[str, Any] | None, str | None]:
        raw = self.files.get(MANIFEST_NAME)
        if raw is None:
            return None, _say("tidak ada manifest pakta di dalam PDF (bukan pakta?)",
                              "no pakta manifest embedded in the PDF (not a pakta pact?)")
        try:
            manifest = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None, _say("manifest pakta rusak", "the embedded pakta manifest is damaged")
        parties = manifest.get("parties") if isinstance(manifest, dict) else None
        if not isinstance(parties, list) or not all(
            isinstance(p, dict) and isinstance(p.get("field"), str) and isinstance(p.get("name"), str) for p in parties
        ):
            return None, _say("manifest pakta tidak lengkap", "the embedded pakta manifest is incomplete")
        return manifest, None

    @property
    def parties(self) -> list[dict[str, Any]]:
        return list(self.manifest["parties"]) if self.manifest else []

    def party(self, field_name: str) -> dict[str, Any] | None:
        return next((p for p in self.parties if p["field"] == field_name), None)

    def describe(self, num: int) -> str:
        """What object `num` is, as `(Indonesian, English)` joined, for change messages."""
        role, arg = self.roles.get(num, ("", None))
        names = {
            "catalog": ("katalog dokumen", "the document catalog"),
            "info": ("info dokumen", "the document info"),
            "pagetree": ("susunan halaman", "the page tree"),
            "acroform": ("formulir (AcroForm)", "the form (AcroForm)"),
            "metadata": ("metadata XMP", "the XMP metadata"),
            "ocproperties": ("status konten opsional", "the optional-content state"),
            "names": ("kamus nama", "the names dictionary"),
            "files": ("daftar lampiran", "the list of embedded files"),
            "outlines": ("kerangka dokumen", "the outline"),
            "structure": ("struktur dokumen", "the structure tree"),
        }
        if role in names:
            return _say(*names[role])
        if role == "page":
            return _say(f"halaman {arg}", f"page {arg}")
        if role == "content":
            return _say(f"isi halaman {arg}", f"content of page {arg}")
        if role == "resources":
            return _say(f"sumber daya halaman {arg}", f"resources of page {arg}")
        if role in ("annots", "annotation"):
            return _say(f"anotasi halaman {arg}", f"an annotation of page {arg}")
        if role == "field":
            return _say(f"kolom {arg}", f"form field {arg}")
        if role == "file":
            return _say(f"lampiran {arg}", f"embedded file {arg}")
        return _say(f"objek {num}", f"object {num}")


# -- revisions: what changed after the rendered one ---------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """One signature: revision `revision` filled `field` with the signature dictionary `sig`."""

    revision: int
    field: str
    sig: int


class _Revisions:
    """Checks that every revision after the rendered one is one signature and nothing else.

    For each incremental update the set of object numbers it defines is split into redefinitions of
    existing objects and new objects. Allowed are exactly: the widget of one not-yet-signed pact
    field, gaining /V (a new signature dictionary) and /AP (its appearance) and nothing else; the
    AcroForm dictionary gaining or changing /SigFlags; and new objects reachable from that /V and /AP
    that nothing older refers to. Everything else is reported as a change after signing.
    """

    def __init__(self, doc: pdfscan.Document, pact: _Pact) -> None:
        self.doc = doc
        self.pact = pact
        self.slots: list[_Slot] = []
        self.changes: list[str] = []
        self._referrers: dict[int, set[int]] = {}
        self._filled: set[str] = set()
        try:
            self._index_references(1, doc.revisions[0].entries)
            for name in pact.prefilled:
                self.changes.append(_say(f"kolom {name} sudah berisi tanda tangan pada revisi yang dirender",
                                         f"field {name} already holds a signature in the rendered revision"))
            for rev in doc.revisions[1:]:
                self._revision(rev)
            self._foreign_signatures()
            tail = doc.data[doc.revisions[-1].end :]
            if tail:  # even white space: a viewer may read a file differently once it has another length
                self.changes.append(_say(f"{len(tail)} bita ditambahkan setelah revisi terakhir",
                                         f"{len(tail)} bytes appended after the last revision"))
        except Exception as exc:  # whatever the structure broke, it is a change to report, not a crash
            self.changes.append(_say("struktur PDF tidak wajar", f"malformed PDF structure: {exc}"))

    @property
    def unsigned_end(self) -> int:
        """Where the document as handed to the first signer ends: the first signature's update starts."""
        if not self.slots:
            return self.doc.revisions[-1].end
        return self.doc.revisions[min(slot.revision for slot in self.slots) - 1].start

    def _foreign_signatures(self) -> None:
        """Signatures in fields that are not the pact's: reported with their own checks, never ignored."""
        doc = self.doc
        root = doc.revisions[-1].trailer.get("Root")
        catalog = doc.resolve(root)
        form = doc.resolve(catalog.get("AcroForm")) if isinstance(catalog, dict) else None
        fields = doc.resolve(form.get("Fields")) if isinstance(form, dict) else None
        known = {slot.sig for slot in self.slots}
        for ref in fields if isinstance(fields, list) else []:
            widget = doc.resolve(ref)
            if not isinstance(widget, dict) or widget.get("FT") != "Sig" or not isinstance(widget.get("V"), Ref):
                continue
            sig = widget["V"].num
            found = doc.entry(sig)
            if sig in known or found is None or found[0] == 1:
                continue
            self.slots.append(_Slot(found[0], _text(widget.get("T", b"")), sig))
        self.slots.sort(key=lambda slot: slot.revision)

    def check(self) -> Check:
        if self.changes:
            return Check("unchanged_after_signing", False, "; ".join(dict.fromkeys(self.changes)))
        return Check("unchanged_after_signing", True, _say("tidak ada perubahan setelah ditandatangani",
                                                           "nothing changed after signing"))

    def _index_references(self, rev: int, entries: Iterable[int]) -> None:
        for num in entries:
            for target in self.doc.refs(num, rev):
                self._referrers.setdefault(target, set()).add(num)

    def _revision(self, rev: pdfscan.Revision) -> None:
        doc, pact, number = self.doc, self.pact, rev.number
        problem = doc.body_problem(rev)
        if problem:
            self.changes.append(_say(f"revisi {number} tidak wajar",
                                     f"revision {number} is malformed: {problem}"))
        before = doc.revisions[number - 2]
        self._trailer(before.trailer, rev.trailer, number)
        new: set[int] = set()
        filled: list[tuple[str, int, PdfDict]] = []
        for num in sorted(rev.free):
            if num == 0:
                continue
            if doc.entry(num, number - 1) is not None:
                self.changes.append(_say(f"{_id(pact.describe(num))} dihapus setelah ditandatangani",
                                         f"{_en(pact.describe(num))} removed after signing"))
        size = rev.trailer.get("Size")
        old_size = before.trailer.get("Size")
        if type(size) is not int or (type(old_size) is int and size < old_size):
            self.changes.append(_say(f"/Size pada revisi {number} tidak wajar", f"bad /Size in revision {number}"))
        packed = sorted(num for num, entry in rev.entries.items() if entry.stream >= 0)
        if packed:  # a signing revision writes plain objects; an object stream there can only hide one
            self.changes.append(_say(f"revisi {number} menyimpan objek {_numbers(packed)} dalam object stream",
                                     f"revision {number} packs object(s) {_numbers(packed)} into an object "
                                     "stream, which a signature never does"))
        for num, entry in sorted(rev.entries.items()):
            old = doc.entry(num, number - 1)
            if old is None:
                if type(size) is int and num >= size:
                    self.changes.append(_say(f"objek {num} di luar /Size", f"object {num} beyond /Size"))
                if num not in rev.structural:
                    new.add(num)
                continue
            if old[1].gen != entry.gen or num in rev.structural:
                self.changes.append(_say(f"{_id(pact.describe(num))} diganti setelah ditandatangani",
                                         f"{_en(pact.describe(num))} replaced after signing"))
                continue
            if self._unchanged(num, number):
                continue  # written again as it was: nothing changed
            fill = self._fill(num, number)
            if fill is not None:
                filled.append(fill)
            elif num == pact.acroform and self._sigflags_only(num, number):
                continue
            else:
                self.changes.append(self._describe_change(num, number))
        if not filled:
            self.changes.append(_say(f"revisi {number} bukan tanda tangan pada kolom pakta",
                                     f"revision {number} is not a signature in one of the pact's fields"))
        elif len(filled) > 1:
            self.changes.append(_say(f"revisi {number} mengisi lebih dari satu kolom tanda tangan",
                                     f"revision {number} fills more than one signature field"))
        reachable: set[int] = set()
        for field_name, _, widget in filled:
            self._filled.add(field_name)
            sig_ref = widget["V"]
            self._reach(sig_ref, new, number, reachable)
            self._reach(widget.get("AP"), new, number, reachable)
            if sig_ref.num in new:
                self.slots.append(_Slot(number, field_name, sig_ref.num))
            else:  # /V names nothing this revision wrote: a stamp drawn with no signature behind it
                self.changes.append(_say(
                    f"revisi {number} mengisi {field_name} tanpa tanda tangan",
                    f"revision {number} fills {field_name} with no signature (its /V is no object of that revision)"))
        for num in sorted(new - reachable):
            self.changes.append(_say(f"objek baru {num} ditambahkan di luar tanda tangan (revisi {number})",
                                     f"new object {num} added outside the signature (revision {number})"))
        for num in sorted(new):
            for source in sorted(self._referrers.get(num, ())):
                self.changes.append(self._describe_hijack(source, num))
        self._index_references(number, rev.entries)

    def _trailer(self, old: PdfDict, new: PdfDict, number: int) -> None:
        allowed = {"Size", "Prev", "Root", "Info", "ID", "Type", "W", "Index", "Filter", "DecodeParms", "Length"}
        for key in sorted(set(new) - allowed):
            self.changes.append(_say(f"trailer revisi {number} memuat /{key}",
                                     f"revision {number}'s trailer adds /{key}"))
        if not pdfscan.same(old.get("Root"), new.get("Root")):
            self.changes.append(_say("akar dokumen (/Root) diganti setelah ditandatangani",
                                     "document root (/Root) replaced after signing"))
        if not pdfscan.same(old.get("Info"), new.get("Info")):
            self.changes.append(_say("info dokumen (/Info) diganti setelah ditandatangani",
                                     "document info (/Info) replaced after signing"))
        old_id, new_id = old.get("ID"), new.get("ID")
        if old_id is not None and not (
            isinstance(new_id, list) and len(new_id) == 2 and isinstance(old_id, list) and old_id
            and pdfscan.same(old_id[0], new_id[0])
        ):
            self.changes.append(_say("ID dokumen diganti setelah ditandatangani", "document ID replaced after signing"))

    def _fill(self, num: int, number: int) -> tuple[str, int, PdfDict] | None:
        """The field name when redefining `num` in revision `number` is signing a pact field, else None."""
        role, name = self.pact.roles.get(num, ("", None))
        if role != "field" or name not in self.pact.fields or self.pact.fields[name].widget != num:
            return None
        if self.pact.manifest is not None and self.pact.party(name) is None:
            return None
        old = self.doc.get(num, number - 1)
        new = self.doc.get(num, number)
        if not isinstance(old, PdfDict) or not isinstance(new, PdfDict) or "V" in old or name in self._filled:
            return None
        if set(new) - set(old) - {"V", "AP"} or set(old) - set(new):
            return None
        if any(not pdfscan.same(old[key], new[key]) for key in old if key != "AP"):
            return None
        sig = new.get("V")
        if not isinstance(sig, Ref) or self.doc.entry(sig.num, number - 1) is not None:
            return None
        appearance = new.get("AP")
        if appearance is not None and not isinstance(appearance, (dict, Ref)):
            return None
        return name, num, new

    def _unchanged(self, num: int, number: int) -> bool:
        old = self.doc.get(num, number - 1)
        new = self.doc.get(num, number)
        if isinstance(old, Stream) and isinstance(new, Stream):
            data = self.doc.data
            return pdfscan.same(old.dict, new.dict) and data[old.start : old.end] == data[new.start : new.end]
        return pdfscan.same(old, new)

    def _sigflags_only(self, num: int, number: int) -> bool:
        old = self.doc.get(num, number - 1)
        new = self.doc.get(num, number)
        if not isinstance(old, PdfDict) or not isinstance(new, PdfDict):
            return False
        keys = (set(old) | set(new)) - {"SigFlags"}
        if any(key not in old or key not in new or not pdfscan.same(old[key], new[key]) for key in keys):
            return False
        flags = new.get("SigFlags")
        return type(flags) is int and 0 <= flags <= 3

    def _reach(self, value: Any, new: set[int], number: int, seen: set[int]) -> None:
        """Mark the new objects `value` leads to (old objects may be referred to, not changed)."""
        stack = list(pdfscan.refs_in(value))
        while stack:
            target = stack.pop()
            if target in new and target not in seen:
                seen.add(target)
                stack.extend(self.doc.refs(target, number))

    def _describe_change(self, num: int, number: int) -> str:
        pact = self.pact
        role, arg = pact.roles.get(num, ("", None))
        old = self.doc.get(num, number - 1)
        new = self.doc.get(num, number)
        keys = _changed_keys(old, new)
        if role == "page":
            if "Annots" in keys:
                before = pact.get(old.get("Annots")) if isinstance(old, dict) else None
                after = self.doc.resolve(new.get("Annots"), number) if isinstance(new, dict) else None
                if isinstance(after, list) and len(after) > (len(before) if isinstance(before, list) else 0):
                    return _say(f"anotasi ditambahkan pada halaman {arg} setelah ditandatangani",
                                f"annotation added on page {arg} after signing")
            if "Contents" in keys or not keys:
                return _say(f"halaman {arg} diubah setelah ditandatangani",
                            f"page {arg} content changed after signing")
            if "Resources" in keys:
                return _say(f"sumber daya halaman {arg} diubah setelah ditandatangani",
                            f"page {arg} resources changed after signing")
            return _say(f"halaman {arg} diubah setelah ditandatangani ({_keys(keys)})",
                        f"page {arg} changed after signing ({_keys(keys)})")
        if role == "content":
            return _say(f"halaman {arg} diubah setelah ditandatangani", f"page {arg} content changed after signing")
        if role == "annots":
            return _say(f"anotasi ditambahkan pada halaman {arg} setelah ditandatangani",
                        f"annotation added on page {arg} after signing")
        if role == "acroform":
            if "Fields" in keys:
                return self._fields_change(old, new, number)
            return _say(f"formulir (AcroForm) diubah setelah ditandatangani ({_keys(keys)})",
                        f"the form (AcroForm) changed after signing ({_keys(keys)})")
        if role == "field":
            is_signature = isinstance(old, dict) and old.get("FT") == "Sig"
            if arg in self._filled or (is_signature and "V" in old):
                return _say(f"tanda tangan pada kolom {arg} diubah setelah ditandatangani",
                            f"signed field {arg} changed after signing")
            if isinstance(new, dict) and "V" in new and new.get("FT") != "Sig":
                if isinstance(old, dict) and "V" in old:
                    return _say(f"isian formulir {arg} diubah setelah ditandatangani",
                                f"form field {arg} value changed after signing")
                return _say(f"isian formulir {arg} diubah setelah ditandatangani",
                            f"form field {arg} filled in after signing")
            if arg in pact.fields and pact.manifest is not None and pact.party(arg) is None:
                return _say(f"kolom {arg} bukan milik pihak mana pun", f"field {arg} belongs to no party")
            return _say(f"kolom {arg} diubah setelah ditandatangani ({_keys(keys)})",
                        f"form field {arg} changed after signing ({_keys(keys)})")
        if role == "catalog":
            if "OCProperties" in keys:
                return _say("status konten opsional diubah setelah ditandatangani",
                            "optional-content state changed after signing")
            if "AcroForm" in keys:
                return _say("formulir (AcroForm) diganti setelah ditandatangani",
                            "the form (AcroForm) replaced after signing")
            return _say(f"katalog dokumen diubah setelah ditandatangani ({_keys(keys)})",
                        f"document catalog changed after signing ({_keys(keys)})")
        what = pact.describe(num)
        return _say(f"{_id(what)} diubah setelah ditandatangani", f"{_en(what)} changed after signing")

    def _fields_change(self, old: Any, new: Any, number: int) -> str:
        before = self.pact.get(old.get("Fields")) if isinstance(old, dict) else None
        after = self.doc.resolve(new.get("Fields"), number) if isinstance(new, dict) else None
        before = before if isinstance(before, list) else []
        after = after if isinstance(after, list) else []
        added = [ref for ref in after if ref not in before]
        if not added:
            return _say("kolom formulir dihapus setelah ditandatangani", "form field removed after signing")
        kinds = {self.doc.resolve(ref, number).get("FT") if isinstance(self.doc.resolve(ref, number), dict)
                 else None for ref in added}
        if "Sig" in kinds:
            return _say("kolom tanda tangan baru ditambahkan setelah ditandatangani",
                        "new signature field added after signing")
        return _say("kolom formulir baru ditambahkan setelah ditandatangani", "new form field added after signing")

    def _describe_hijack(self, source: int, num: int) -> str:
        """A new object an older object already referred to: content added without touching old bytes."""
        role, arg = self.pact.roles.get(source, ("", None))
        if role in ("page", "annots"):
            page = self.pact.get(Ref(source, 0)) if role == "page" else None
            annots = self.pact.get(page.get("Annots")) if isinstance(page, dict) else None
            if role == "annots" or (isinstance(annots, list) and Ref(num, 0) in annots):
                return _say(f"anotasi ditambahkan pada halaman {arg} setelah ditandatangani",
                            f"annotation added on page {arg} after signing")
            return _say(f"halaman {arg} diubah setelah ditandatangani", f"page {arg} content changed after signing")
        if role in ("content", "resources"):
            return _say(f"halaman {arg} diubah setelah ditandatangani", f"page {arg} content changed after signing")
        what = self.pact.describe(source)
        return _say(f"objek {num} yang dirujuk {_id(what)} baru diisi setelah ditandatangani",
                    f"object {num}, referred to by {_en(what)}, defined after signing")


def _numbers(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:5])) + (f" (+{len(numbers) - 5})" if len(numbers) > 5 else "")


def _id(pair: str) -> str:
    """The Indonesian half of an `Indonesian / English` message."""
    return pair.split(" / ", 1)[0]


def _en(pair: str) -> str:
    """The English half of an `Indonesian / English` message."""
    return pair.split(" / ", 1)[1]


def _changed_keys(old: Any, new: Any) -> list[str]:
    if isinstance(old, Stream) and isinstance(new, Stream):
        keys = _changed_keys(old.dict, new.dict)
        old_data = old.dict.get("Length"), old.end - old.start
        return keys if keys or old_data != (new.dict.get("Length"), new.end - new.start) else ["(data)"]
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    return sorted(k for k in set(old) | set(new) if k not in old or k not in new or not pdfscan.same(old[k], new[k]))


def _keys(keys: list[str]) -> str:
    return ", ".join(f"/{k}" if not k.startswith("(") else k for k in keys) or "?"


# -- one signature ------------------------------------------------------------------------------


class _Fail(Exception):
    """A signature check that cannot go on; carries the check name and the reason."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(detail)
        self.name = name
        self.detail = detail


class _SignatureCheck:
    def __init__(self, doc: pdfscan.Document, pact: _Pact, slot: _Slot, policy: Policy) -> None:
        self.doc = doc
        self.pact = pact
        self.slot = slot
        self.policy = policy
        self.results: dict[str, Check] = {}
        self.signer: str | None = None
        self.key_id: str | None = None
        self.signing_time: dt.datetime | None = None
        self.time_conflict: dt.datetime | None = None  # a CMS signing-time far from /M
        self.match = "none"

    def run(self) -> SignatureVerdict:
        try:
            self._run()
        except _Fail as failure:
            self.results.setdefault(failure.name, Check(failure.name, False, failure.detail))
        # ValueError & co. come from asn1crypto and cryptography on malformed containers
        except (PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
            name = next(n for n in SIGNATURE_CHECKS if n not in self.results)
            self.results[name] = Check(name, False, _say("wadah tanda tangan rusak",
                                                         f"damaged signature container: {exc}"))
        first_failure = next((c for c in self.results.values() if not c.ok), None)
        checks = []
        for name in SIGNATURE_CHECKS:
            if name in self.results:
                checks.append(self.results[name])
            else:
                assert first_failure is not None
                checks.append(Check(name, False, _say(f"tidak diperiksa karena {first_failure.name} gagal",
                                                      f"not checked because {first_failure.name} failed")))
        party = self.pact.party(self.slot.field)
        return SignatureVerdict(
            field=self.slot.field,
            party=party["name"] if party else None,
            signer=self.signer,
            key_id=self.key_id,
            signing_time=self.signing_time,
            match=self.match,
            checks=tuple(checks),
        )

    def _ok(self, name: str, detail: str) -> None:
        self.results[name] = Check(name, True, detail)

    def _run(self) -> None:
        rev = self.doc.revisions[self.slot.revision - 1]
        sig = self.doc.get(self.slot.sig, self.slot.revision)
        where = f"{self.slot.field}"
        if not isinstance(sig, PdfDict):
            raise _Fail("byte_range", _say(f"{where}: nilai tanda tangan bukan kamus",
                                           f"{where}: the signature value is not a dictionary"))
        start, stop, length, der = self._byte_range(sig, rev)
        self._ok("byte_range", _say(f"mencakup seluruh berkas hingga revisi {rev.number} kecuali nilai tanda tangan",
                                    f"covers the whole file up to revision {rev.number} except the signature value"))
        try:
            cms = _Cms.parse(der)
        except ValueError as exc:
            raise _Fail("digest", _say("wadah tanda tangan (CMS) rusak",
                                       f"damaged signature container (CMS): {exc}")) from None
        algorithm = DIGESTS.get(cms.digest_algorithm)
        if algorithm is None:
            raise _Fail("digest", _say("algoritme hash tidak didukung", "unsupported digest algorithm"))
        if cms.attributes.get(OID_CONTENT_TYPE) != _OID_DATA_DER:
            raise _Fail("digest", _say("atribut content-type salah", "wrong content-type attribute"))
        self._attempt("digest", lambda: self._digest_ok(cms, algorithm, start, stop, length))

        der = self._signer_certificate(cms)
        try:
            info = _certificate_info(der)
        except Exception as exc:  # cryptography refuses it: ValueError, UnsupportedAlgorithm
            raise _Fail("signature", _say("sertifikat penanda tangan tidak terbaca",
                                          f"the signer's certificate cannot be read: {exc}")) from None
        self.signer = info.name
        self.key_id = info.key_id
        self._attempt("signature", lambda: self._signature(cms, sig, info))
        self.signing_time, source = self._signing_time(cms.attributes.get(OID_SIGNING_TIME), sig)
        issuer = self._attempt("trusted", lambda: self._trusted(info))
        self._attempt("valid_at_signing_time", lambda: self._valid_at(info.certificate, issuer, source))
        if issuer is not None:
            self._attempt("not_revoked", lambda: self._not_revoked(info.certificate, issuer))
        self._attempt("party", lambda: self._party(info))
        self._attempt("stamp", lambda: self._stamp(info))

    def _stamp(self, info: _CertificateInfo) -> None:
        """The signature block shows exactly the stamp pakta draws for what this signature states.

        A stamp is drawn by one signer over a page the others signed; anything else in it (a white
        box, other words, an image) would hide or replace their text, so it is drawn again here from
        the certificate, /M, the key id and the pact's verify_url, and must match to the byte.
        """
        from pakta_cli.definition.identity import normalise
        from pakta_cli.stamp import stamp_content, stamp_lines
        from pakta_cli.zones import zone_of

        def fail(indonesian: str, english: str) -> _Fail:
            return _Fail("stamp", _say(f"{self.slot.field}: {indonesian}", f"{self.slot.field}: {english}"))

        no_stamp = fail("tidak ada cap tanda tangan pakta", "no pakta stamp in the signature block")
        field_info = self.pact.fields.get(self.slot.field)
        widget = self.doc.get(field_info.widget, self.slot.revision) if field_info else None
        if not isinstance(widget, dict):
            raise no_stamp
        appearance = self.doc.resolve(widget.get("AP"), self.slot.revision)
        if not isinstance(appearance, dict) or set(appearance) != {"N"}:
            raise no_stamp
        stream = self.doc.resolve(appearance["N"], self.slot.revision)
        rect = _box(self.doc.resolve(widget.get("Rect"), self.slot.revision))
        if not isinstance(stream, Stream) or rect is None or self.signing_time is None or self.key_id is None:
            raise no_stamp
        width, height = rect[2] - rect[0], rect[3] - rect[1]  # as sign measures it: abs() of the same floats
        form = stream.dict
        bbox = _box(self.doc.resolve(form.get("BBox"), self.slot.revision))
        fonts = self.doc.resolve(form.get("Resources"), self.slot.revision)
        if (set(form) - STAMP_KEYS or form.get("Type", "XObject") != "XObject" or form.get("Subtype") != "Form"
                or bbox is None or any(abs(a - b) > 0.01 for a, b in zip(bbox, (0, 0, width, height), strict=True))
                or not _stamp_fonts(fonts)):
            raise fail("cap tanda tangan bukan cap pakta (bentuk atau sumber dayanya lain)",
                       "the stamp is not pakta's (its form or resources differ)")
        lines = stamp_lines(self.signer or "", normalise(info.nip) if info.nip else None, self.signing_time,
                            zone_of(self.signing_time), self.key_id)
        if self.doc.decode(stream) != stamp_content(width, height, lines, self.pact.verify_url):
            raise fail("cap tanda tangan menggambar hal lain dari cap pakta untuk penanda tangan ini",
                       "the stamp draws something other than pakta's stamp for this signer (it could hide "
                       "or replace what was signed)")
        self._ok("stamp", _say("cap tanda tangan persis cap pakta untuk penanda tangan ini",
                               "the stamp is exactly pakta's stamp for this signer"))

    def _attempt(self, name: str, check: Callable[[], Any]) -> Any:
        """Run one independent check, recording its failure instead of stopping the others.

        A certificate or container odd enough to make a library raise fails that check, with
        the library's words as the reason; it never takes the document's other checks with it.
        """
        try:
            return check()
        except _Fail as failure:
            self.results[failure.name] = Check(failure.name, False, failure.detail)
        except Exception as exc:
            self.results[name] = Check(name, False, _say("tidak dapat diperiksa", f"cannot be checked: {exc}"))
        return None

    def _digest_ok(self, cms: _Cms, algorithm: str, start: int, stop: int, length: int) -> None:
        data = self.doc.data
        hasher = hashlib.new(algorithm)
        view = memoryview(data)
        hasher.update(view[:start])
        hasher.update(view[stop : stop + length])
        claimed = cms.attributes.get(OID_MESSAGE_DIGEST)
        if claimed is None or claimed != _der_octets(hasher.digest()):
            where = self.slot.field
            raise _Fail("digest", _say(f"{where}: isi yang ditandatangani telah diubah (hash {algorithm} tidak cocok)",
                                       f"{where}: the signed bytes were altered ({algorithm} digest mismatch)"))
        self._ok("digest", _say(f"hash {algorithm.upper()} cocok dengan bita yang ditandatangani",
                                f"{algorithm.upper()} digest matches the signed bytes"))

    def _signature(self, cms: _Cms, sig: PdfDict, info: _CertificateInfo) -> None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        where = self.slot.field
        public_key = info.certificate.public_key()
        if cms.signature_algorithm != OID_ED25519 or not isinstance(public_key, Ed25519PublicKey):
            raise _Fail("signature", _say("tanda tangan bukan Ed25519", "the signature is not Ed25519"))
        try:
            # the signature covers the signed attributes as a SET (0x31), not as the [0] they are stored as
            public_key.verify(cms.signature, b"\x31" + cms.signed_attrs[1:])
        except InvalidSignature:
            raise _Fail("signature", _say(f"{where}: tanda tangan Ed25519 tidak sah",
                                          f"{where}: the Ed25519 signature does not verify")) from None
        ess = cms.attributes.get(OID_SIGNING_CERT_V2)
        if ess is None and sig.get("SubFilter") == "ETSI.CAdES.detached":
            raise _Fail("signature", _say("atribut signing-certificate-v2 tidak ada (PAdES mewajibkannya)",
                                          "no signing-certificate-v2 attribute (PAdES requires it)"))
        if ess is not None and not _ess_matches(ess, info.der):
            raise _Fail("signature", _say("sertifikat penanda tangan tidak sama dengan yang ditandatangani",
                                          "the signer certificate is not the one the signature names"))
        self._ok("signature", _say(f"tanda tangan Ed25519 sah (kunci {self.key_id})",
                                   f"Ed25519 signature verifies (key {self.key_id})"))

    def _byte_range(self, sig: PdfDict, rev: pdfscan.Revision) -> tuple[int, int, int, bytes]:
        """Check /ByteRange [0 a b c] and the gap; return (a, b, c, the CMS DER)."""
        data = self.doc.data

        def fail(indonesian: str, english: str) -> _Fail:
            return _Fail("byte_range", _say(f"{self.slot.field}: {indonesian}", f"{self.slot.field}: {english}"))

        if sig.get("Type", "Sig") != "Sig" or sig.get("SubFilter") not in SUBFILTERS:
            raise fail("bukan tanda tangan PAdES/CMS", "not a PAdES/CMS signature dictionary")
        byte_range = sig.get("ByteRange")
        if not (isinstance(byte_range, list) and len(byte_range) == 4 and all(type(x) is int for x in byte_range)):
            raise fail("/ByteRange tidak berbentuk [0 a b c]", "/ByteRange is not [0 a b c]")
        zero, start, stop, length = byte_range
        if zero != 0 or not 0 < start < stop or length < 0:
            raise fail("/ByteRange tidak berbentuk [0 a b c]", "/ByteRange is not [0 a b c]")
        if stop + length not in (rev.eof, rev.end):
            raise fail(f"rentang bita tidak berakhir di akhir revisi {rev.number} (byte {stop + length})",
                       f"the byte range does not end where revision {rev.number} ends (byte {stop + length})")
        found = self.doc.entry(self.slot.sig, rev.number)
        if found is None or found[1].stream >= 0:
            # inside an object stream, /Contents is a place in the decoded stream, not in the file:
            # its offsets could name any hex string in the file while every other reader reads another
            raise fail("kamus tanda tangan berada di dalam object stream",
                       "the signature dictionary is inside an object stream")
        if sig.spans.get("Contents") != (start, stop):
            raise fail("celah /ByteRange bukan /Contents tanda tangan ini",
                       "the /ByteRange gap is not this signature's /Contents")
        gap = data[start + 1 : stop - 1]
        if data[start] != 0x3C or data[stop - 1] != 0x3E or not re.fullmatch(rb"[0-9A-Fa-f]*", gap):
            raise fail("celah berisi selain satu string heksadesimal", "the gap holds more than one hex string")
        der_length = _der_length(gap)
        if der_length is None or 2 * der_length > len(gap) or gap[2 * der_length :].strip(b"0"):
            raise fail("celah berisi data selain CMS dan nol pengisi",
                       "the gap holds more than the CMS and zero padding")
        return start, stop, length, bytes.fromhex(gap[: 2 * der_length].decode("ascii"))

    def _signer_certificate(self, cms: _Cms) -> bytes:
        """The certificate the SignerInfo names (issuer and serial, or subject key identifier)."""
        for der in cms.certificates:
            issuer, serial, ski = _certificate_ids(der)
            if cms.sid_issuer is not None and issuer == cms.sid_issuer and serial == cms.sid_serial:
                return der
            if cms.sid_key_identifier is not None and ski == cms.sid_key_identifier:
                return der
        raise _Fail("signature", _say("sertifikat penanda tangan tidak ada di dalam tanda tangan",
                                      "the signer's certificate is not in the signature"))

    def _signing_time(self, attribute: bytes | None, sig: PdfDict) -> tuple[dt.datetime | None, str]:
        """The time the signer claims: /M (which the byte range covers), else the CMS signing-time
        attribute. Both there and far apart, a signer claims two times: `_valid_at` fails that."""
        claimed = _pdf_date(sig.get("M")) if "M" in sig else None
        stated = _der_time(attribute) if attribute is not None else None
        if claimed is None:
            return stated, "signing-time"
        if stated is not None and abs(stated - claimed) > CLOCK_SLACK:
            self.time_conflict = stated
        return claimed, "/M"

    def _trusted(self, info: _CertificateInfo) -> x509.Certificate | None:
        """The trusted issuer (the certificate itself when trusted directly); fails when there is none,
        and for a certificate not meant for signing documents (a CA's, or one whose key usage forbids
        it): `pakta sign` refuses those, so the verifier does not accept what they make."""
        from pakta_cli.errors import PaktaError
        from pakta_cli.keys import check_signing_certificate

        try:
            check_signing_certificate(info.certificate, "the signer's certificate")
        except PaktaError as exc:
            raise _Fail("trusted", _say("sertifikat penanda tangan bukan untuk menandatangani dokumen",
                                        exc.message)) from None
        issuer = _trust_anchor(self.policy, info)
        if issuer is None:
            raise _Fail("trusted", _say(
                f"sertifikat {self.signer or '?'} (kunci {self.key_id}) tidak dipercaya: bukan sertifikat --trust "
                "dan tidak diterbitkan oleh salah satunya",
                f"certificate of {self.signer or '?'} (key {self.key_id}) is not trusted: it is neither a --trust "
                "certificate nor issued by one"))
        if _der(issuer) == info.der:
            self._ok("trusted", _say("sertifikat penanda tangan sendiri dipercaya (--trust)",
                                     "the signer's certificate is itself trusted (--trust)"))
        else:
            self._ok("trusted", _say(f"diterbitkan oleh CA tepercaya {_common_name(issuer)}",
                                     f"issued by trusted CA {_common_name(issuer)}"))
        return issuer

    def _valid_at(self, certificate: x509.Certificate, issuer: x509.Certificate | None, source: str) -> None:
        when = self.signing_time
        if when is None:
            raise _Fail("valid_at_signing_time", _say("waktu penandatanganan tidak ada", "no signing time"))
        shown = when.strftime("%Y-%m-%d %H:%M:%S UTC")
        if self.time_conflict is not None:
            other = self.time_conflict.strftime("%Y-%m-%d %H:%M:%S UTC")
            raise _Fail("valid_at_signing_time", _say(
                f"dua waktu penandatanganan berbeda: /M {shown}, atribut signing-time {other}",
                f"two signing times disagree: /M says {shown}, the signing-time attribute {other}"))
        if when > dt.datetime.now(dt.UTC) + CLOCK_SLACK:
            raise _Fail("valid_at_signing_time", _say(
                f"waktu penandatanganan {shown} masih di masa depan", f"the signing time {shown} lies in the future"))
        for cert, whose in ((certificate, ("penanda tangan", "signer's")), (issuer, ("CA", "CA"))):
            if cert is None:
                continue
            if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
                raise _Fail("valid_at_signing_time", _say(
                    f"sertifikat {whose[0]} tidak berlaku pada {shown} (berlaku "
                    f"{cert.not_valid_before_utc:%Y-%m-%d} s.d. {cert.not_valid_after_utc:%Y-%m-%d})",
                    f"the {whose[1]} certificate was not valid at {shown} (valid "
                    f"{cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d})"))
        self._ok("valid_at_signing_time", _say(
            f"sertifikat berlaku pada {shown} (waktu menurut penanda tangan, {source})",
            f"certificate valid at {shown} (time as claimed by the signer, {source})"))

    def _not_revoked(self, certificate: x509.Certificate, issuer: x509.Certificate | None) -> None:
        from cryptography.hazmat.primitives.serialization import Encoding

        if issuer is None:
            return
        anchors = [issuer]
        if issuer.public_bytes(Encoding.DER) == certificate.public_bytes(Encoding.DER):
            # trusted directly: a CRL from its issuer still applies when that issuer is trusted too
            anchors = [c for c in self.policy.trust if c.subject == certificate.issuer and c is not issuer]
        checked = []
        for crl in _crls_of(self.policy, anchors, certificate):
            checked.append(crl)
            revoked = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
            if revoked is not None:
                when = revoked.revocation_date_utc.strftime("%Y-%m-%d")
                raise _Fail("not_revoked", _say(
                    f"sertifikat {self.signer} dicabut pada {when} (CRL {_common_name_of(crl.issuer)})",
                    f"certificate of {self.signer} revoked on {when} (CRL of {_common_name_of(crl.issuer)})"))
        if checked:
            latest = max(c.last_update_utc for c in checked)
            self._ok("not_revoked", _say(f"tidak dicabut menurut CRL terbitan {latest:%Y-%m-%d}",
                                         f"not revoked according to the CRL issued {latest:%Y-%m-%d}"))
        elif certificate.issuer == certificate.subject:
            self._ok("not_revoked", _say("sertifikat swa-tanda dipercaya langsung; tidak ada CRL yang berlaku",
                                         "self-signed certificate trusted directly; no CRL applies"))
        elif self.policy.crls:  # revocation was asked for, and cannot be answered for this signer
            issuer_name = _common_name_of(certificate.issuer)
            raise _Fail("not_revoked", _say(
                f"tidak ada --crl dari CA penerbit sertifikat ini ({issuer_name}); pencabutan tidak dapat diperiksa",
                f"no --crl from the CA that issued this certificate ({issuer_name}); revocation cannot be checked"))
        else:
            self._ok("not_revoked", _say("tidak ada CRL dari penerbitnya (--crl); pencabutan tidak diperiksa",
                                         "no CRL from its issuer was given (--crl); revocation not checked"))

    def _party(self, info: _CertificateInfo) -> None:
        from pakta_cli.definition.identity import normalise, same_name

        party = self.pact.party(self.slot.field)
        field_name = self.slot.field
        if party is None:
            raise _Fail("party", _say(f"kolom {field_name} bukan milik pihak mana pun dalam manifest",
                                      f"field {field_name} belongs to no party in the manifest"))
        name = party["name"]
        pinned = party.get("key_id")
        if pinned:
            if pinned != self.key_id:
                raise _Fail("party", _say(
                    f"{field_name} harus ditandatangani kunci {pinned} milik {name}, bukan kunci {self.key_id}",
                    f"{field_name} must be signed by {name}'s key {pinned}, not by key {self.key_id}"))
            self.match = "key_id"
            self._ok("party", _say(f"kunci cocok dengan key_id {name} ({pinned})",
                                   f"key matches {name}'s pinned key id ({pinned})"))
            return
        nip = party.get("nip")
        if nip:
            cert_nip = normalise(info.nip) if info.nip else None
            if cert_nip != normalise(nip):
                raise _Fail("party", _say(
                    f"NIP sertifikat ({cert_nip or 'tidak ada'}) bukan NIP {name} ({nip})",
                    f"the certificate's NIP ({cert_nip or 'none'}) is not {name}'s NIP ({nip})"))
            self.match = "nip"
            self._ok("party", _say(f"NIP sertifikat cocok dengan NIP {name}", f"certificate NIP matches {name}'s NIP"))
            return
        if same_name(self.signer, name):
            self.match = "name"
            self._ok("party", _say(f"hanya nama yang cocok (lemah): {name} tidak menyematkan key_id maupun NIP",
                                   f"matched by name only (weak): {name} has no pinned key id and no NIP"))
            return
        raise _Fail("party", _say(f"penanda tangan {self.signer} bukan {name}", f"signer {self.signer} is not {name}"))


def _der(certificate: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return certificate.public_bytes(Encoding.DER)


@dataclass(frozen=True)
class _CertificateInfo:
    """What the checks need from a signer's certificate, computed once per certificate per process."""

    der: bytes
    certificate: x509.Certificate
    name: str  # CN
    nip: str | None  # subject serialNumber, when there is exactly one
    key_id: str | None  # None when the key is not Ed25519


@functools.lru_cache(maxsize=4096)
def _certificate_info(der: bytes) -> _CertificateInfo:
    """Parse a certificate once: in a batch, a superior or a CA-issued official signs many pacts."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from pakta_cli.keyid import certificate_key_id

    certificate = x509.load_der_x509_certificate(der)
    serials = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    nip = str(serials[0].value) if len(serials) == 1 else None
    try:
        kid = certificate_key_id(certificate)
    except Exception:  # a key type cryptography does not know: no key id, and the signature check fails
        kid = None
    return _CertificateInfo(der, certificate, _common_name(certificate), nip, kid)


def _common_name_of(name: x509.Name) -> str:
    from pakta_cli.keys import display_name

    return display_name(name)


def _common_name(certificate: x509.Certificate) -> str:
    return _common_name_of(certificate.subject)


def _trust_anchor(policy: Policy, info: _CertificateInfo) -> x509.Certificate | None:
    """The --trust certificate that vouches for the signer: itself (same DER) or its issuer (by key).

    The rule is pakta_cli.trust.issuer_chain's (never by name: the issuer's signature over the
    certificate, checked with the trusted key, decides); memoized per certificate for a batch.
    """
    from pakta_cli.trust import issuer_chain

    key = ("anchor", info.der)
    if key not in policy._memo:
        policy._memo[key] = issuer_chain(info.certificate, policy.trust)
    anchor: x509.Certificate | None = policy._memo[key]
    return anchor


def _crls_of(policy: Policy, anchors: list[x509.Certificate],
             certificate: x509.Certificate) -> list[x509.CertificateRevocationList]:
    """The given CRLs issued by one of `anchors` for `certificate`'s issuer, signature checked by key."""
    found = []
    for crl in policy.crls:
        if crl.issuer != certificate.issuer:
            continue
        for anchor in anchors:
            memo_key = ("crl", id(crl), id(anchor))
            if memo_key not in policy._memo:
                policy._memo[memo_key] = anchor.subject == crl.issuer and _crl_signed_by(crl, anchor)
            if policy._memo[memo_key]:
                found.append(crl)
                break
    return found


def _crl_signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    try:
        return bool(crl.is_signature_valid(issuer.public_key()))  # type: ignore[arg-type]
    except Exception:
        return False


def _ess_matches(attribute: bytes, cert_der: bytes) -> bool:
    """Whether the ESS signing-certificate-v2 attribute (RFC 5035) names this certificate by hash.

    SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, ... }
    ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT sha256, certHash OCTET STRING, ... }
    """
    outer = _der_items(attribute)
    if len(outer) != 1 or outer[0][0] != 0x30:
        return False
    certs = _der_items(outer[0][1])
    if not certs or certs[0][0] != 0x30:
        return False
    ids = _der_items(certs[0][1])
    if not ids or ids[0][0] != 0x30:
        return False
    items = _der_items(ids[0][1])
    algorithm = "sha256"
    if items and items[0][0] == 0x30:  # hashAlgorithm given
        algorithm = DIGESTS.get(_algorithm(items[0][1]), "")
        items = items[1:]
    if not algorithm or not items or items[0][0] != 0x04:
        return False
    return bool(hashlib.new(algorithm, cert_der).digest() == items[0][1])


def _der_items(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """The (tag, content, whole encoding) of each TLV in `data`; raises ValueError on bad DER."""
    items = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise ValueError("truncated DER")
        tag, first = data[pos], data[pos + 1]
        head = 2
        if first < 0x80:
            length = first
        else:
            count = first & 0x7F
            if count == 0 or count > 4:
                raise ValueError("bad DER length")
            length = int.from_bytes(data[pos + 2 : pos + 2 + count], "big")
            head += count
        end = pos + head + length
        if end > len(data):
            raise ValueError("truncated DER")
        items.append((tag, data[pos + head : end], data[pos:end]))
        pos = end
    return items


_OID_DATA_DER = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01"  # the DER of id-data


@dataclass(frozen=True)
class _Cms:
    """The parts of a CMS SignedData (RFC 5652) a pact signature check reads, from its DER.

    A reader of its own rather than asn1crypto's: it takes a fraction of the time (a national audit
    parses millions of these) and keeps asn1crypto out of `pakta verify`'s start-up.
    """

    digest_algorithm: str  # OID
    certificates: tuple[bytes, ...]  # DER
    sid_issuer: bytes | None  # DER of the issuer Name, for an issuerAndSerialNumber SignerIdentifier
    sid_serial: int | None
    sid_key_identifier: bytes | None  # for a subjectKeyIdentifier SignerIdentifier
    signed_attrs: bytes  # the [0] IMPLICIT SET as encoded
    attributes: dict[str, bytes]  # OID -> the DER of its single value
    signature_algorithm: str  # OID
    signature: bytes

    @classmethod
    def parse(cls, der: bytes) -> _Cms:
        top = _der_items(der)
        if len(top) != 1 or top[0][0] != 0x30:
            raise ValueError("not a DER SEQUENCE")
        info = _der_items(top[0][1])
        if len(info) != 2 or info[0][0] != 0x06 or _oid(info[0][1]) != OID_SIGNED_DATA or info[1][0] != 0xA0:
            raise ValueError("not CMS SignedData")
        inner = _der_items(info[1][1])
        if len(inner) != 1 or inner[0][0] != 0x30:
            raise ValueError("bad SignedData")
        items = _der_items(inner[0][1])
        tags = [tag for tag, _, _ in items]
        if tags[:3] != [0x02, 0x31, 0x30] or tags[-1] != 0x31:
            raise ValueError("bad SignedData layout")
        encap = _der_items(items[2][1])
        if not encap or encap[0][0] != 0x06 or _oid(encap[0][1]) != OID_DATA or len(encap) != 1:
            raise ValueError("the signature is not detached (it carries its content)")
        certificates: list[bytes] = []
        for tag, content, _ in items[3:-1]:
            if tag == 0xA0:
                certificates += [whole for kind, _, whole in _der_items(content) if kind == 0x30]
            elif tag != 0xA1:
                raise ValueError("bad SignedData layout")
        signers = _der_items(items[-1][1])
        if len(signers) != 1 or signers[0][0] != 0x30:
            raise ValueError("the container must hold exactly one signer")
        parts = _der_items(signers[0][1])
        if len(parts) < 6 or parts[0][0] != 0x02 or parts[3][0] != 0xA0 or parts[2][0] != 0x30 \
                or parts[4][0] != 0x30 or parts[5][0] != 0x04 or any(tag != 0xA1 for tag, _, _ in parts[6:]):
            raise ValueError("bad SignerInfo")
        sid_issuer = sid_serial = sid_key = None
        if parts[1][0] == 0x30:
            issuer_serial = _der_items(parts[1][1])
            if len(issuer_serial) != 2 or issuer_serial[0][0] != 0x30 or issuer_serial[1][0] != 0x02:
                raise ValueError("bad SignerIdentifier")
            sid_issuer, sid_serial = issuer_serial[0][2], int.from_bytes(issuer_serial[1][1], "big", signed=True)
        elif parts[1][0] == 0x80:
            sid_key = parts[1][1]
        else:
            raise ValueError("bad SignerIdentifier")
        listed = {_algorithm(content) for tag, content, _ in _der_items(items[1][1]) if tag == 0x30}
        if _algorithm(parts[2][1]) not in listed:
            raise ValueError("the signer's digest algorithm is not among the SignedData's digestAlgorithms")
        attributes: dict[str, bytes] = {}
        for tag, content, _ in _der_items(parts[3][1]):
            pair = _der_items(content)
            if tag != 0x30 or len(pair) != 2 or pair[0][0] != 0x06 or pair[1][0] != 0x31:
                raise ValueError("bad signed attribute")
            values = _der_items(pair[1][1])
            oid = _oid(pair[0][1])
            if len(values) != 1 or oid in attributes:
                raise ValueError(f"signed attribute {oid} repeated")
            attributes[oid] = values[0][2]
        return cls(
            digest_algorithm=_algorithm(parts[2][1]),
            certificates=tuple(certificates),
            sid_issuer=sid_issuer,
            sid_serial=sid_serial,
            sid_key_identifier=sid_key,
            signed_attrs=parts[3][2],
            attributes=attributes,
            signature_algorithm=_algorithm(parts[4][1]),
            signature=parts[5][1],
        )


def _algorithm(content: bytes) -> str:
    """The OID of an AlgorithmIdentifier's content."""
    items = _der_items(content)
    if not items or items[0][0] != 0x06:
        raise ValueError("bad AlgorithmIdentifier")
    return _oid(items[0][1])


@functools.lru_cache(maxsize=256)
def _oid(content: bytes) -> str:
    if not content or content[-1] & 0x80:
        raise ValueError("bad OBJECT IDENTIFIER")
    parts: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    first = min(parts[0] // 40, 2)
    return ".".join(str(n) for n in (first, parts[0] - 40 * first, *parts[1:]))


def _der_octets(value: bytes) -> bytes:
    """The DER of an OCTET STRING (short values only: digests)."""
    return bytes((0x04, len(value))) + value if len(value) < 0x80 else b"\x04\x81" + bytes((len(value),)) + value


@functools.lru_cache(maxsize=4096)
def _certificate_ids(der: bytes) -> tuple[bytes | None, int | None, bytes | None]:
    """(issuer Name DER, serial number, subject key identifier) of a certificate, from its DER."""
    try:
        certificate = _der_items(der)
        tbs = _der_items(_der_items(certificate[0][1])[0][1])
        if tbs and tbs[0][0] == 0xA0:  # [0] version
            tbs = tbs[1:]
        serial = int.from_bytes(tbs[0][1], "big", signed=True)
        issuer = tbs[2][2]
    except (ValueError, IndexError):
        return None, None, None
    key_identifier = None
    try:
        from cryptography import x509

        cert = _certificate_info(der).certificate
        key_identifier = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except Exception:  # no such extension, or not a certificate cryptography reads
        key_identifier = None
    return issuer, serial, key_identifier


def _der_time(value: bytes) -> dt.datetime | None:
    """A UTCTime or GeneralizedTime (the signing-time attribute) as an aware UTC datetime."""
    try:
        items = _der_items(value)
        tag, text = items[0][0], items[0][1].decode("ascii")
        if tag == 0x17 and text.endswith("Z") and len(text) == 13:
            year = int(text[:2])
            return dt.datetime.strptime(f"{1900 + year if year >= 50 else 2000 + year}{text[2:12]}",
                                        "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
        if tag == 0x18 and text.endswith("Z") and len(text) == 15:
            return dt.datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    return None


def _der_length(hexdigits: bytes) -> int | None:
    """The total length of the DER SEQUENCE at the start of `hexdigits`, from its header alone."""
    if len(hexdigits) < 4 or hexdigits[:2] != b"30":
        return None
    first = int(hexdigits[2:4], 16)
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(hexdigits) < 4 + 2 * count:
        return None
    return 2 + count + int(hexdigits[4 : 4 + 2 * count], 16)


_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?")


def _pdf_date(value: Any) -> dt.datetime | None:
    if not isinstance(value, bytes):
        return None
    match = _PDF_DATE.match(_text(value))
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    offset = dt.timedelta(0)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace("'", "")
        offset = sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    try:
        # kept in the signer's own offset, so the verdict shows the clock the stamp shows
        return dt.datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                           int(second or 0), tzinfo=dt.timezone(offset))
    except ValueError:
        return None


# -- document checks ----------------------------------------------------------------------------


def _signed_check(signatures: tuple[SignatureVerdict, ...]) -> Check:
    if not signatures:
        return Check("signed", False, _say("belum ada tanda tangan", "not signed at all"))
    return Check("signed", True, _say(f"{len(signatures)} tanda tangan", f"{len(signatures)} signature(s)"))


def _all_parties_check(pact: _Pact, signatures: tuple[SignatureVerdict, ...]) -> Check:
    if pact.manifest is None:
        return Check("all_parties_signed", False, _say(
            "tidak ada manifest pakta; pihak yang wajib menandatangani tidak diketahui",
            "no pakta manifest; the parties who must sign are unknown"))
    signed = {sig.field for sig in signatures}
    missing = [p["name"] for p in pact.parties if p["field"] not in signed]
    if missing:
        names = ", ".join(missing)
        return Check("all_parties_signed", False, _say(f"belum ditandatangani oleh {names}",
                                                       f"not yet signed by {names}"))
    count = len(pact.parties)
    return Check("all_parties_signed", True, _say(f"semua {count} pihak telah menandatangani",
                                                  f"all {count} parties signed"))


def _load_definition(raw: bytes) -> Any:
    """The embedded definition is canonical JSON (pakta_cli.render.canonical_definition)."""
    return json.loads(raw.decode("utf-8"))


# What a rendered pact holds, and nothing more: anything else could act when the file opens, or draw.
CATALOG_KEYS = {"Type", "Pages", "AcroForm", "Lang", "Names", "PageMode"}
FORM_KEYS = {"Fields", "SigFlags"}  # SigFlags: a signing revision adds it
WIDGET_KEYS = {"Type", "Subtype", "FT", "T", "F", "Rect", "P"}
WIDGET_FLAGS = 132  # Print + Locked, as layout.SignatureSpace writes them: never Hidden or NoView
FIELD_MAX = (62 * 72 / 25.4 + 1, 24 * 72 / 25.4 + 1)  # the signature block's room (layout.SIGNATURE_*), in pt


def _rendered_check(pact: _Pact) -> Check:
    """The rendered revision holds only what pakta renders: no scripts or actions, no annotations but the
    pact's signature fields, each the size of a signature block, inside its page, over no other.

    Whoever prepares a pact before the first signature could otherwise plant what a later revision
    springs: a field stretched over the text, whose legitimately signed stamp hides or replaces it.
    """
    problems: list[str] = []

    def problem(indonesian: str, english: str) -> None:
        problems.append(_say(indonesian, english))

    catalog = pact.catalog
    for key in sorted(set(catalog) - CATALOG_KEYS):
        problem(f"katalog memuat /{key}", f"the catalog holds /{key}")
    names = pact.get(catalog.get("Names"))
    for key in sorted(set(names) - {"EmbeddedFiles"} if isinstance(names, dict) else ()):
        problem(f"katalog /Names memuat /{key}", f"the catalog's /Names holds /{key}")
    files = pact.get(names.get("EmbeddedFiles")) if isinstance(names, dict) else None
    if isinstance(files, dict) and set(files) != {"Names"}:  # one flat list, as pakta writes it: no /Kids
        problem("daftar berkas tertanam bukan satu daftar datar", "the embedded files are not one flat list")
    form = pact.get(catalog.get("AcroForm"))
    for key in sorted(set(form) - FORM_KEYS if isinstance(form, dict) else ()):
        problem(f"formulir memuat /{key}", f"the form holds /{key}")
    problem_text = pact.doc.body_problem(pact.doc.revisions[0])
    if problem_text:
        problem(f"isi revisi yang dirender tidak wajar: {problem_text}",
                f"the rendered revision's body is not what its cross-reference table lists: {problem_text}")
    objects = (pact.get(Ref(num, 0)) for num in pact.doc.revisions[0].entries)
    if any(isinstance(value, dict) and "Linearized" in value for value in objects):
        problem("revisi yang dirender memuat kamus linearisasi",
                "the rendered revision holds a linearization dictionary")
    widgets = {field.widget: field for field in pact.fields.values()}
    boxes: dict[int, list[tuple[str, tuple[float, ...]]]] = {}
    placed: set[str] = set()
    for number, page_num in enumerate(pact.pages, start=1):
        page = pact.get(Ref(page_num, 0))
        if not isinstance(page, dict):
            continue
        if "AA" in page:
            problem(f"halaman {number} memuat aksi (/AA)", f"page {number} holds actions (/AA)")
        annots = pact.get(page.get("Annots"))
        for ref in annots if isinstance(annots, list) else []:
            field = widgets.get(ref.num) if isinstance(ref, Ref) else None
            if field is None:
                problem(f"halaman {number} memuat anotasi selain kolom tanda tangan pakta",
                        f"page {number} holds an annotation that is not one of the pact's signature fields")
                continue
            widget = pact.get(ref)
            if "AP" in widget or "AA" in widget or "A" in widget:
                problem(f"kolom {field.name} sudah memuat tampilan atau aksi",
                        f"field {field.name} already holds an appearance or action")
            elif set(widget) - WIDGET_KEYS or widget.get("F") != WIDGET_FLAGS:
                problem(f"kolom {field.name} tidak seperti yang dirender pakta (kunci atau tanda /F lain)",
                        f"field {field.name} is not as pakta renders it (other keys, or other /F flags)")
            box, page_box = _box(pact.get(widget.get("Rect"))), _box(pact.get(page.get("MediaBox")))
            if box is None or page_box is None:
                problem(f"kolom {field.name} atau halamannya tanpa /Rect atau /MediaBox yang wajar",
                        f"field {field.name} or its page has no proper /Rect or /MediaBox")
                continue
            inside = page_box[0] <= box[0] and page_box[1] <= box[1] and box[2] <= page_box[2] \
                and box[3] <= page_box[3]
            if box[2] - box[0] > FIELD_MAX[0] or box[3] - box[1] > FIELD_MAX[1] or not inside:
                problem(f"kolom {field.name} lebih besar dari blok tanda tangan atau di luar halaman",
                        f"field {field.name} is larger than a signature block or lies off its page")
            for other, other_box in boxes.get(number, []):
                if box[0] < other_box[2] and other_box[0] < box[2] and box[1] < other_box[3] \
                        and other_box[1] < box[3]:
                    problem(f"kolom {field.name} menutupi kolom {other}", f"field {field.name} overlaps field {other}")
            boxes.setdefault(number, []).append((field.name, box))
            placed.add(field.name)
    for num in pact.odd_pages:
        problem(f"objek {num} adalah halaman sekaligus simpul pohon halaman (/Kids)",
                f"object {num} is a page that also has /Kids")
    for name in sorted(set(pact.fields) - placed):  # unseen here, its size and place were never checked
        problem(f"kolom {name} tidak ada di /Annots halaman mana pun", f"field {name} is in no page's /Annots")
    if problems:
        return Check("as_rendered", False, "; ".join(dict.fromkeys(problems)))
    return Check("as_rendered", True, _say("revisi yang dirender hanya memuat apa yang dibuat pakta",
                                           "the rendered revision holds only what pakta renders"))


def _stamp_fonts(resources: Any) -> bool:
    """Exactly the two standard fonts the stamp uses, as pakta writes them, and nothing else."""
    if not isinstance(resources, dict) or set(resources) != {"Font"} or not isinstance(resources["Font"], dict):
        return False
    fonts = resources["Font"]
    expected = {"F1": "Helvetica", "F2": "Helvetica-Bold"}
    return set(fonts) == set(expected) and all(
        isinstance(fonts[key], dict) and fonts[key] == {"Type": "Font", "Subtype": "Type1", "BaseFont": base,
                                                         "Encoding": "WinAnsiEncoding"}
        for key, base in expected.items())


def _box(value: Any) -> tuple[float, ...] | None:
    """A PDF rectangle as (left, bottom, right, top), or None when it is not four numbers."""
    if not isinstance(value, list) or len(value) != 4 or not all(type(v) in (int, Decimal) for v in value):
        return None
    x1, y1, x2, y2 = (float(v) for v in value)
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _embedded_check(pact: _Pact) -> Check:
    def fail(indonesian: str, english: str) -> Check:
        return Check("embedded_hashes", False, _say(indonesian, english))

    if pact.manifest is None:
        assert pact.manifest_problem is not None
        return Check("embedded_hashes", False, pact.manifest_problem)
    manifest = pact.manifest
    definition = pact.files.get(DEFINITION_NAME)
    if definition is None:
        return fail("definisi pakta tidak tertanam", "the pact definition is not embedded")
    twice = sorted(pact.ambiguous & {DEFINITION_NAME, MANIFEST_NAME})
    if twice:
        return fail(f"lampiran {twice[0]} tertanam lebih dari sekali (isi mana yang berlaku tidak jelas)",
                    f"embedded file {twice[0]} is embedded more than once (which content counts is unclear)")
    recorded = manifest.get("definition", {}).get("sha256") if isinstance(manifest.get("definition"), dict) else None
    actual = hashlib.sha256(definition).hexdigest()
    if recorded != actual:
        return fail(f"hash definisi tertanam ({actual[:16]}) tidak sama dengan manifest ({str(recorded)[:16]})",
                    f"the embedded definition hashes to {actual[:16]}, the manifest says {str(recorded)[:16]}")
    try:
        mapping = _load_definition(definition)
    except ValueError as exc:  # JSON or UTF-8: the embedded definition is damaged
        return fail("definisi tertanam tidak terbaca", f"the embedded definition does not parse: {exc}")
    if not isinstance(mapping, dict) or not isinstance(mapping.get("parties"), list):
        return fail("definisi tertanam tidak lengkap", "the embedded definition is incomplete")
    expected = []
    counters: dict[str, int] = {}
    for party in mapping["parties"]:
        if not isinstance(party, dict):
            return fail("definisi tertanam tidak lengkap", "the embedded definition is incomplete")
        role = str(party.get("role"))
        counters[role] = counters.get(role, 0) + 1
        field_name = f"pakta-{role}-{counters[role]}"
        expected.append((field_name, role, party.get("name"), party.get("nip"), party.get("key_id")))
    listed = [(p.get("field"), p.get("role"), p.get("name"), p.get("nip"), p.get("key_id")) for p in pact.parties]
    if expected != listed:
        return fail("pihak dalam manifest tidak sama dengan pihak dalam definisi",
                    "the manifest's parties differ from the definition's")
    template = manifest.get("template")
    if not isinstance(template, dict) or template.get("name") != mapping.get("template"):
        return fail("templat dalam manifest tidak sama dengan definisi", "the manifest names another template")
    if set(pact.fields) != {p["field"] for p in pact.parties}:
        return fail("kolom tanda tangan PDF tidak sama dengan pihak dalam manifest",
                    "the PDF's signature fields differ from the manifest's parties")
    return Check("embedded_hashes", True, _say("definisi dan manifest tertanam cocok satu sama lain",
                                               "embedded definition and manifest agree"))


def _definition_check(pact: _Pact, wanted: bytes) -> Check:
    embedded = pact.files.get(DEFINITION_NAME)
    if embedded is None:
        return Check("definition", False, _say("definisi pakta tidak tertanam", "the pact definition is not embedded"))
    if embedded == wanted:
        return Check("definition", True, _say("definisi tertanam sama dengan --definition",
                                              "the embedded definition equals --definition"))
    try:
        mine, theirs = _load_definition(wanted), _load_definition(embedded)
        if isinstance(mine, dict) and isinstance(theirs, dict):
            ours = [p for p in mine.get("parties", []) if isinstance(p, dict)]
            signers = [p for p in theirs.get("parties", []) if isinstance(p, dict) and p.get("role") == "signer"]
            if not any(p.get("role") == "signer" for p in ours) and len(signers) == 1:
                # a roster pact: the given definition has no signer, each pact is one roster row
                expanded = dict(mine)
                expanded["parties"] = [signers[0], *ours]
                if expanded == theirs:
                    return Check("definition", True, _say(
                        "definisi tertanam sama dengan --definition untuk penanda tangan dari daftar",
                        "the embedded definition equals --definition for its roster signer"))
            key = next((k for k in {**mine, **theirs} if mine.get(k) != theirs.get(k)), None)
            if key is not None:
                return Check("definition", False, _say(f"definisi tertanam berbeda dari --definition (bagian {key})",
                                                       f"the embedded definition differs from --definition (at {key})"))
    except Exception:
        pass
    return Check("definition", False, _say("definisi tertanam berbeda dari --definition",
                                           "the embedded definition differs from --definition"))


def _reproduce_check(pact: _Pact, unsigned: bytes) -> Check:
    """Re-render the embedded definition; it must give exactly what the first signer was handed."""
    from pakta_cli import render, templates
    from pakta_cli.errors import PaktaError

    manifest = pact.manifest
    definition = pact.files.get(DEFINITION_NAME)
    if manifest is None or definition is None:
        return Check("reproduces", False, _say("tidak ada definisi untuk dirender ulang", "nothing to re-render"))
    template: dict[str, Any]
    template = manifest["template"] if isinstance(manifest.get("template"), dict) else {}
    source = templates.builtin_source(str(template.get("name")))
    if source is None:
        return Check("reproduces", False, _say(
            f"templat {template.get('name')!r} bukan templat bawaan; tidak dapat dirender ulang",
            f"template {template.get('name')!r} is not built in; cannot re-render"))
    if source.sha256 != template.get("sha256"):
        return Check("reproduces", False, _say(
            f"templat {source.name} versi ini berbeda dari yang dipakai saat render",
            f"this pakta's {source.name} template differs from the one the pact was rendered with"))
    try:
        again = render.reproduce(definition, pact.files)
    except PaktaError as exc:
        return Check("reproduces", False, _say("render ulang gagal", f"re-rendering failed: {exc.message}"))
    except Exception as exc:
        return Check("reproduces", False, _say("render ulang gagal", f"re-rendering failed: {exc}"))
    if again != unsigned:
        return Check("reproduces", False, _say(
            "render ulang definisi tertanam tidak menghasilkan bita yang ditandatangani",
            "re-rendering the embedded definition does not give the signed bytes"))
    return Check("reproduces", True, _say("render ulang menghasilkan bita yang sama persis",
                                          "re-rendering gives exactly the signed bytes"))
