"""`unchanged_after_signing`: every revision after the rendered one is one pakta signature, exactly.

The rule is byte-exact. For each later revision the verifier finds the pact field it fills and the
signature dictionary it adds, reads what that signature states (its CMS's certificates, digest and
signature, its /M), and builds the revision `pakta sign` would have written for that
(`pakta_cli.sigrevision.build`). The file's revision must be those bytes. Then nothing can hide in
it: no other object, key, annotation, stamp drawing, cross-reference trick or trailing byte.

When the bytes differ, the revision is compared with the expected one object by object, and each
difference is said in words an auditor understands ("halaman 1 diubah setelah ditandatangani /
page 1 changed after signing"), falling back to the byte where they part.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from pakta_cli import cms, dssrevision, sigrevision, tsrevision
from pakta_cli.pdf import writer
from pakta_cli.pdf.canonical import hidden_structure
from pakta_cli.pdf.reader import Document, Revision
from pakta_cli.pdf.syntax import PdfDict, PdfError, Ref, Stream, refs_in, same
from pakta_cli.stamp import qr_mask_drawn
from pakta_cli.verify.pact import Pact, text
from pakta_cli.verify.verdict import Check, Message, say

MAX_CHANGES = 20  # reasons one verdict lists; past that, how many more

_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?")


def pdf_date(value: Any) -> dt.datetime | None:
    """A PDF date string as an aware datetime in the offset it was written in, or None."""
    if not isinstance(value, bytes):
        return None
    match = _PDF_DATE.match(text(value))
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


@dataclass(frozen=True)
class ArchiveTimestamp:
    """An archive timestamp (PAdES B-LTA): revision `revision`'s token over every byte before it but
    its own /Contents, bytes `contents` of the file."""

    revision: int
    token: bytes
    contents: tuple[int, int]
    end: int  # where the revision ends
    timestamp: int  # the timestamp dictionary's object number

    def covered(self, data: bytes) -> bytes:
        return data[: self.contents[0]] + data[self.contents[1] : self.end]


@dataclass(frozen=True)
class Slot:
    """One signature: revision `revision` filled `field` with the signature dictionary `sig`."""

    revision: int
    field: str
    sig: int
    exact: bool  # the revision is exactly what pakta sign writes for this signature
    stamp: Message | None  # why the stamp is not pakta's for this signature; None when it is


def _changed(indonesian: str, english: str) -> Message:
    return say("changed_after_signing", indonesian, english)


class Revisions:
    """Each revision after the rendered one, judged and, when it is not a pakta signature, explained."""

    def __init__(self, doc: Document, pact: Pact) -> None:
        self.doc = doc
        self.pact = pact
        self.slots: list[Slot] = []
        self.changes: list[Message] = []
        self._filled: set[str] = set()
        self.archived: list[dssrevision.Stored] = []  # what each archive revision stores (PAdES B-LT)
        self.timestamps: list[ArchiveTimestamp] = []  # each archive timestamp (PAdES B-LTA)
        self._archived_last = False  # the previous revision is an archive revision: a timestamp may follow
        self._referrers: dict[int, set[int]] | None = None
        try:
            for rev in doc.revisions[1:]:
                self._revision(rev)
            self._foreign_signatures()
            tail = doc.data[doc.revisions[-1].end :]
            if tail:  # even white space: a viewer may read a file differently once it has another length
                self.changes.append(_changed(f"{len(tail)} bita ditambahkan setelah revisi terakhir",
                                             f"{len(tail)} bytes appended after the last revision"))
        except Exception as exc:  # whatever the structure broke, it is a change to report, not a crash
            self.changes.append(say("malformed", "struktur PDF tidak wajar", f"malformed PDF structure: {exc}"))

    @property
    def unsigned_end(self) -> int:
        """Where the document as handed to the first signer ends: the first signature's update starts."""
        if not self.slots:
            return self.doc.revisions[-1].end
        return self.doc.revisions[min(slot.revision for slot in self.slots) - 1].start

    def check(self) -> Check:
        if len(self.changes) > MAX_CHANGES:
            more = len(self.changes) - MAX_CHANGES + 1
            return Check.failed("unchanged_after_signing", *self.changes[: MAX_CHANGES - 1],
                                _changed(f"dan {more} perubahan lain", f"and {more} more changes"))
        if self.changes:
            return Check.failed("unchanged_after_signing", *self.changes)
        return Check.passed("unchanged_after_signing", say("unchanged", "tidak ada perubahan setelah ditandatangani",
                                                           "nothing changed after signing"))

    # -- one revision --------------------------------------------------------------------------------

    def _revision(self, rev: Revision) -> None:
        after_archive, self._archived_last = self._archived_last, False
        if self._archive(rev):
            self._archived_last = True
            return
        if after_archive and self._archive_timestamp(rev):
            return
        filled = self._filling(rev)
        expected: sigrevision.Built | None = None
        why_not: str | None = None
        if filled is not None:
            try:
                expected = self._rebuild(rev, *filled)
            except Exception as exc:  # a container or certificate a library refuses: explained below
                why_not = str(exc) or type(exc).__name__
        actual = self.doc.data[rev.start : rev.end]
        if expected is not None and expected.data == actual:
            assert filled is not None
            self._filled.add(filled[0])
            self.slots.append(Slot(rev.number, filled[0], filled[2], True, None))
            return
        before = len(self.changes)
        if len(rev.entries) > sigrevision.MAX_OBJECTS:
            # not one pakta signature, whatever its objects say: said once, without reading them all
            # (a file of a hundred thousand small objects costs what an honest pact costs)
            self.changes.append(_changed(
                f"revisi {rev.number} menulis {len(rev.entries)} objek; satu tanda tangan pakta menulis paling "
                f"banyak {sigrevision.MAX_OBJECTS}",
                f"revision {rev.number} writes {len(rev.entries)} objects; one pakta signature writes at most "
                f"{sigrevision.MAX_OBJECTS}"))
            stamp = None
        else:
            stamp = self._explain(rev, filled, expected)
        if why_not is not None and len(self.changes) == before:
            self.changes.append(say("not_a_pakta_signature", f"revisi {rev.number} bukan tanda tangan pakta",
                                    f"revision {rev.number} is not a pakta signature: {why_not}"))
        if len(self.changes) == before:  # the same objects, laid out otherwise: name the byte
            where = rev.start + _first_difference(expected.data if expected else b"", actual)
            self.changes.append(say("not_in_pakta_form",
                                    f"revisi {rev.number} bukan bentuk yang ditulis pakta sign (byte {where})",
                                    f"revision {rev.number} is not in the form pakta sign writes (it departs at "
                                    f"byte {where})"))
        if filled is not None and filled[0] not in self._filled:
            self._filled.add(filled[0])
            self.slots.append(Slot(rev.number, filled[0], filled[2], False, stamp))

    def _archive(self, rev: Revision) -> bool:
        """Whether `rev` is exactly the archive revision `pakta archive` writes for what it stores."""
        if len(rev.entries) > 2 + 2 * dssrevision.MAX_ITEMS or not self._filled:
            return False  # an archive follows a signature: before one there is nothing to keep
        try:
            found = dssrevision.stored(self.doc, rev.number)
            expected = dssrevision.build(dssrevision.before_archiving(self.doc, rev.number - 1),
                                         found.certificates, found.crls)
        except (PdfError, ValueError, TypeError, KeyError, IndexError):
            return False
        if expected != self.doc.data[rev.start : rev.end] or hidden_structure(self.doc, rev) is not None:
            return False  # a stored item is any DER its writer chose: it may carry what a repairing reader finds
        self.archived.append(found)
        return True

    def _archive_timestamp(self, rev: Revision) -> bool:
        """Whether `rev` is exactly the archive timestamp `pakta archive --tsa` writes for the token it holds.
        Whether the token is over those bytes, and from whom, is the `archive_timestamp` check's."""
        try:
            found = tsrevision.stated(self.doc, rev.number)
            expected = tsrevision.build(tsrevision.before_timestamping(self.doc, rev.number - 1), found.token)
        except (PdfError, ValueError, TypeError, KeyError, IndexError):
            return False
        if expected.data != self.doc.data[rev.start : rev.end] or hidden_structure(self.doc, rev) is not None:
            return False
        self.timestamps.append(ArchiveTimestamp(rev.number, found.token, (expected.contents_start,
                                                                          expected.contents_end),
                                                rev.end, found.timestamp))
        return True

    def _filling(self, rev: Revision) -> tuple[str, int, int] | None:
        """(field name, widget, signature dictionary) when `rev` fills exactly one unsigned pact field."""
        found = []
        for field in self.pact.fields.values():
            if field.widget not in rev.entries or field.name in self._filled:
                continue
            old = self.doc.get(field.widget, rev.number - 1)
            new = self.doc.get(field.widget, rev.number)
            if isinstance(old, dict) and isinstance(new, dict) and "V" not in old and isinstance(new.get("V"), Ref):
                found.append((field.name, field.widget, new["V"].num))
        if len(found) != 1 or self.doc.entry(found[0][2], rev.number - 1) is not None:
            return None
        name, widget, sig = found[0]
        if self.pact.manifest is not None and self.pact.party(name) is None:
            return None
        return name, widget, sig

    def _rebuild(self, rev: Revision, field_name: str, widget: int, sig_num: int) -> sigrevision.Built:
        """The revision pakta sign writes for the signature `rev` states (see the module docstring)."""
        from cryptography import x509

        sig = self.doc.get(sig_num, rev.number)
        if not isinstance(sig, PdfDict) or not isinstance(sig.get("Contents"), bytes):
            raise ValueError("its signature dictionary holds no /Contents")
        contents = sig["Contents"]
        length = cms.der_length(contents[:6].hex().encode("ascii"))
        parts = cms.parse(contents[: length or 0])
        signed_at = pdf_date(sig.get("M"))
        digest = parts.message_digest
        if signed_at is None or digest is None or not parts.certificates:
            raise ValueError("its signature states no signing time, digest or certificate")
        certificate = x509.load_der_x509_certificate(parts.certificates[0])
        before = sigrevision.before_signing(self.doc, rev.number - 1, field_name, self.pact.verify_url)
        certificates = parts.certificates[: cms.MAX_CERTIFICATES]
        der = cms.build(certificates, digest, parts.signature, parts.timestamp)
        if parts.timestamp is not None:  # a token's room is reserved before it exists: zeros fill the rest
            der = cms.padded(der, certificates)
        return sigrevision.build(before, field_name, sigrevision.signer_of(certificate, signed_at), der,
                                 self._drawn_qr_mask(rev))

    def _drawn_qr_mask(self, rev: Revision) -> int | None:
        """The mask of the QR code the revision's new stamp draws, if it draws one."""
        for num in sorted(rev.entries):
            if self.doc.entry(num, rev.number - 1) is not None:
                continue
            try:
                obj = self.doc.get(num, rev.number)
                if isinstance(obj, Stream) and obj.dict.get("Subtype") == "Form":
                    mask = qr_mask_drawn(self.doc.decode(obj))
                    if mask is not None:
                        return mask
            except PdfError:
                continue
        return None

    # -- saying what differs -------------------------------------------------------------------------

    def _explain(self, rev: Revision, filled: tuple[str, int, int] | None,
                 expected: sigrevision.Built | None) -> Message | None:
        """Messages for each way `rev` departs from `expected` (or from any signature); the stamp's, if any."""
        doc, number = self.doc, rev.number
        stamp_problem: Message | None = None
        if expected is None:
            stamp_problem = say("no_stamp", "tidak ada cap tanda tangan pakta", "no pakta stamp in the signature block")
        hidden = hidden_structure(doc, rev)
        if hidden is not None:
            self.changes.append(_changed(f"revisi {number} menyembunyikan struktur PDF (byte {hidden.offset})",
                                         f"revision {number} hides PDF structure ({hidden.reason})"))
        problem = doc.body_problem(rev)
        if problem:
            self.changes.append(_changed(f"revisi {number} tidak wajar", f"revision {number} is malformed: {problem}"))
        self._trailer(doc.revisions[number - 2].trailer, rev.trailer, number)
        for num in sorted(rev.free):
            if num and doc.entry(num, number - 1) is not None:
                what_id, what_en = self.pact.describe(num)
                self.changes.append(_changed(f"{what_id} dihapus setelah ditandatangani",
                                             f"{what_en} removed after signing"))
        packed = sorted(num for num, entry in rev.entries.items() if entry.stream >= 0)
        if packed:  # a signing revision writes plain objects; an object stream there can only hide one
            self.changes.append(_changed(f"revisi {number} menyimpan objek {_numbers(packed)} dalam object stream",
                                         f"revision {number} packs object(s) {_numbers(packed)} into an object "
                                         "stream, which a signature never does"))
        wanted = expected.objects if expected is not None else {}
        new_objects = {num for num in rev.entries if doc.entry(num, number - 1) is None}
        for num in sorted(set(rev.entries) | set(wanted)):
            if num in rev.structural and num not in wanted:
                continue
            if num not in rev.entries:
                self._missing(num, expected, number)
                continue
            if num not in wanted:
                self._unexpected(num, number, new_objects, filled)
                continue
            try:
                mine = writer.object_bytes(num, doc.get(num, number), doc.data)
            except PdfError:
                mine = b""
            if mine == wanted[num]:
                continue
            assert expected is not None
            if num in expected.stamps:
                stamp_problem = say("stamp_differs",
                                    "cap tanda tangan menggambar hal lain dari cap pakta untuk penanda tangan ini",
                                    "the stamp draws something other than pakta's stamp for this signer (it could "
                                    "hide or replace what was signed)")
            elif num == expected.signature:
                # a byte range elsewhere only follows from another layout: not worth naming on its own
                keys = [key for key in _changed_keys(_parse(wanted[num]), doc.get(num, number)) if key != "ByteRange"]
                if keys:
                    self.changes.append(say("signature_dictionary",
                                            f"kamus tanda tangan pada revisi {number} bukan yang ditulis pakta "
                                            f"({_keys(keys)})",
                                            f"revision {number}'s signature dictionary is not the one pakta writes "
                                            f"({_keys(keys)})"))
            else:
                self.changes.append(self._describe_change(num, number, expected))
        if filled is None:
            self.changes.append(_changed(f"revisi {number} bukan tanda tangan pada kolom pakta",
                                         f"revision {number} is not a signature in one of the pact's fields"))
        elif filled[2] not in rev.entries:  # a stamp drawn with no signature behind it
            self.changes.append(_changed(f"revisi {number} mengisi {filled[0]} tanpa tanda tangan",
                                         f"revision {number} fills {filled[0]} with no signature (its /V is no "
                                         "object of that revision)"))
        self._hijacks(rev, new_objects)
        return stamp_problem

    def _missing(self, num: int, expected: sigrevision.Built | None, number: int) -> None:
        if expected is not None and num in expected.stamps:
            return  # the stamp check says it
        what_id, what_en = self.pact.describe(num)
        self.changes.append(say("not_in_pakta_form",
                                f"revisi {number} tidak menulis {what_id} seperti yang ditulis pakta sign",
                                f"revision {number} does not write {what_en} as pakta sign does"))

    def _unexpected(self, num: int, number: int, new_objects: set[int], filled: tuple[str, int, int] | None) -> None:
        if num in new_objects:
            self.changes.append(_changed(f"objek baru {num} ditambahkan di luar tanda tangan (revisi {number})",
                                         f"new object {num} added outside the signature (revision {number})"))
            return
        if self._unchanged(num, number):
            what_id, what_en = self.pact.describe(num)
            self.changes.append(_changed(f"{what_id} ditulis ulang setelah ditandatangani",
                                         f"{what_en} written again after signing"))
            return
        if filled is None and num == self.pact.acroform and self._sigflags_only(num, number):
            return  # an attacker's revision: say what else it does, not this
        self.changes.append(self._describe_change(num, number, None))

    def _hijacks(self, rev: Revision, new_objects: set[int]) -> None:
        """New objects an older object already referred to: content added without touching old bytes."""
        if not new_objects:
            return
        referrers = self._referrer_index(rev.number)
        for num in sorted(new_objects):
            for source in sorted(referrers.get(num, ())):
                self.changes.append(self._describe_hijack(source, num))

    def _referrer_index(self, upto: int) -> dict[int, set[int]]:
        index: dict[int, set[int]] = {}
        for rev in self.doc.revisions[: upto - 1]:
            for num in rev.entries:
                try:
                    targets = self.doc.refs(num, rev.number)
                except PdfError:
                    continue
                for target in targets:
                    index.setdefault(target, set()).add(num)
        return index

    def _foreign_signatures(self) -> None:
        """Signatures in fields that are not the pact's: reported with their own checks, never ignored."""
        doc = self.doc
        root = doc.revisions[-1].trailer.get("Root")
        catalog = doc.resolve(root)
        form = doc.resolve(catalog.get("AcroForm")) if isinstance(catalog, dict) else None
        fields = doc.resolve(form.get("Fields")) if isinstance(form, dict) else None
        known = {slot.sig for slot in self.slots} | {stamp.timestamp for stamp in self.timestamps}
        for ref in fields if isinstance(fields, list) else []:
            widget = doc.resolve(ref)
            if not isinstance(widget, dict) or widget.get("FT") != "Sig" or not isinstance(widget.get("V"), Ref):
                continue
            sig = widget["V"].num
            found = doc.entry(sig)
            if sig in known or found is None:
                continue
            if found[0] == 1:
                name = text(widget.get("T", b""))
                self.changes.append(_changed(f"kolom {name} sudah berisi tanda tangan pada revisi yang dirender",
                                             f"field {name} already holds a signature in the rendered revision"))
            self.slots.append(Slot(found[0], text(widget.get("T", b"")), sig, False, None))
        self.slots.sort(key=lambda slot: slot.revision)

    def _trailer(self, old: PdfDict, new: PdfDict, number: int) -> None:
        allowed = {"Size", "Prev", "Root", "Info", "ID", "Type", "W", "Index", "Filter", "DecodeParms", "Length"}
        for key in sorted(set(new) - allowed):
            self.changes.append(_changed(f"trailer revisi {number} memuat /{key}",
                                         f"revision {number}'s trailer adds /{key}"))
        if not same(old.get("Root"), new.get("Root")):
            self.changes.append(_changed("akar dokumen (/Root) diganti setelah ditandatangani",
                                         "document root (/Root) replaced after signing"))
        if not same(old.get("Info"), new.get("Info")):
            self.changes.append(_changed("info dokumen (/Info) diganti setelah ditandatangani",
                                         "document info (/Info) replaced after signing"))
        old_id, new_id = old.get("ID"), new.get("ID")
        if old_id is not None and not (
            isinstance(new_id, list) and len(new_id) == 2 and isinstance(old_id, list) and old_id
            and same(old_id[0], new_id[0])
        ):
            self.changes.append(_changed("ID dokumen diganti setelah ditandatangani",
                                         "document ID replaced after signing"))

    def _unchanged(self, num: int, number: int) -> bool:
        old = self.doc.get(num, number - 1)
        new = self.doc.get(num, number)
        if isinstance(old, Stream) and isinstance(new, Stream):
            data = self.doc.data
            return same(old.dict, new.dict) and data[old.start : old.end] == data[new.start : new.end]
        return same(old, new)

    def _sigflags_only(self, num: int, number: int) -> bool:
        old = self.doc.get(num, number - 1)
        new = self.doc.get(num, number)
        if not isinstance(old, PdfDict) or not isinstance(new, PdfDict):
            return False
        keys = (set(old) | set(new)) - {"SigFlags"}
        return all(key in old and key in new and same(old[key], new[key]) for key in keys)

    def _describe_change(self, num: int, number: int, expected: sigrevision.Built | None) -> Message:
        pact = self.pact
        role, arg = pact.roles.get(num, ("", None))
        old = self.doc.get(num, number - 1)
        new = self.doc.get(num, number)
        keys = _changed_keys(old, new)
        if expected is not None and num in expected.objects and role in ("field", "acroform"):
            keys = _changed_keys(_parse(expected.objects[num]), new)  # compared with what pakta writes
        if role == "page":
            if "Annots" in keys:
                before = pact.get(old.get("Annots")) if isinstance(old, dict) else None
                after = self.doc.resolve(new.get("Annots"), number) if isinstance(new, dict) else None
                if isinstance(after, list) and len(after) > (len(before) if isinstance(before, list) else 0):
                    return _changed(f"anotasi ditambahkan pada halaman {arg} setelah ditandatangani",
                                    f"annotation added on page {arg} after signing")
            if "Contents" in keys or not keys:
                return _changed(f"halaman {arg} diubah setelah ditandatangani",
                                f"page {arg} content changed after signing")
            if "Resources" in keys:
                return _changed(f"sumber daya halaman {arg} diubah setelah ditandatangani",
                                f"page {arg} resources changed after signing")
            return _changed(f"halaman {arg} diubah setelah ditandatangani ({_keys(keys)})",
                            f"page {arg} changed after signing ({_keys(keys)})")
        if role == "content":
            return _changed(f"halaman {arg} diubah setelah ditandatangani", f"page {arg} content changed after signing")
        if role == "annots":
            return _changed(f"anotasi ditambahkan pada halaman {arg} setelah ditandatangani",
                            f"annotation added on page {arg} after signing")
        if role == "acroform":
            if "Fields" in keys:
                return self._fields_change(old, new, number)
            return _changed(f"formulir (AcroForm) diubah setelah ditandatangani ({_keys(keys)})",
                            f"the form (AcroForm) changed after signing ({_keys(keys)})")
        if role == "field":
            is_signature = isinstance(old, dict) and old.get("FT") == "Sig"
            if arg in self._filled or (is_signature and "V" in old) or expected is not None:
                return _changed(f"tanda tangan pada kolom {arg} diubah setelah ditandatangani ({_keys(keys)})",
                                f"signed field {arg} changed after signing ({_keys(keys)})")
            if isinstance(new, dict) and "V" in new and new.get("FT") != "Sig":
                if isinstance(old, dict) and "V" in old:
                    return _changed(f"isian formulir {arg} diubah setelah ditandatangani",
                                    f"form field {arg} value changed after signing")
                return _changed(f"isian formulir {arg} diubah setelah ditandatangani",
                                f"form field {arg} filled in after signing")
            if arg in pact.fields and pact.manifest is not None and pact.party(arg) is None:
                return _changed(f"kolom {arg} bukan milik pihak mana pun", f"field {arg} belongs to no party")
            return _changed(f"kolom {arg} diubah setelah ditandatangani ({_keys(keys)})",
                            f"form field {arg} changed after signing ({_keys(keys)})")
        if role == "catalog":
            if "OCProperties" in keys:
                return _changed("status konten opsional diubah setelah ditandatangani",
                                "optional-content state changed after signing")
            if "AcroForm" in keys:
                return _changed("formulir (AcroForm) diganti setelah ditandatangani",
                                "the form (AcroForm) replaced after signing")
            return _changed(f"katalog dokumen diubah setelah ditandatangani ({_keys(keys)})",
                            f"document catalog changed after signing ({_keys(keys)})")
        what_id, what_en = pact.describe(num)
        return _changed(f"{what_id} diubah setelah ditandatangani", f"{what_en} changed after signing")

    def _fields_change(self, old: Any, new: Any, number: int) -> Message:
        before = self.pact.get(old.get("Fields")) if isinstance(old, dict) else None
        after = self.doc.resolve(new.get("Fields"), number) if isinstance(new, dict) else None
        before = before if isinstance(before, list) else []
        after = after if isinstance(after, list) else []
        added = [ref for ref in after if ref not in before]
        if not added:
            return _changed("kolom formulir dihapus setelah ditandatangani", "form field removed after signing")
        kinds = set()
        for ref in added:
            value = self.doc.resolve(ref, number)
            kinds.add(value.get("FT") if isinstance(value, dict) else None)
        if "Sig" in kinds:
            return _changed("kolom tanda tangan baru ditambahkan setelah ditandatangani",
                            "new signature field added after signing")
        return _changed("kolom formulir baru ditambahkan setelah ditandatangani", "new form field added after signing")

    def _describe_hijack(self, source: int, num: int) -> Message:
        role, arg = self.pact.roles.get(source, ("", None))
        if role in ("page", "annots"):
            page = self.pact.get(Ref(source, 0)) if role == "page" else None
            annots = self.pact.get(page.get("Annots")) if isinstance(page, dict) else None
            if role == "annots" or (isinstance(annots, list) and Ref(num, 0) in annots):
                return _changed(f"anotasi ditambahkan pada halaman {arg} setelah ditandatangani",
                                f"annotation added on page {arg} after signing")
            return _changed(f"halaman {arg} diubah setelah ditandatangani", f"page {arg} content changed after signing")
        if role in ("content", "resources"):
            return _changed(f"halaman {arg} diubah setelah ditandatangani", f"page {arg} content changed after signing")
        what_id, what_en = self.pact.describe(source)
        return _changed(f"objek {num} yang dirujuk {what_id} baru diisi setelah ditandatangani",
                        f"object {num}, referred to by {what_en}, defined after signing")


def _parse(chunk: bytes) -> Any:
    """The value of one object as `writer.indirect` wrote it (for naming the keys that differ)."""
    from pakta_cli.pdf.syntax import Lexer

    header = chunk.index(b"obj\n") + 4
    value, _ = Lexer(chunk).value(header)
    return value


def _numbers(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:5])) + (f" (+{len(numbers) - 5})" if len(numbers) > 5 else "")


def _changed_keys(old: Any, new: Any) -> list[str]:
    if isinstance(old, Stream) and isinstance(new, Stream):
        keys = _changed_keys(old.dict, new.dict)
        old_data = old.dict.get("Length"), old.end - old.start
        return keys if keys or old_data != (new.dict.get("Length"), new.end - new.start) else ["(data)"]
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    return sorted(k for k in set(old) | set(new) if k not in old or k not in new or not same(old[k], new[k]))


def _keys(keys: list[str]) -> str:
    return ", ".join(f"/{k}" if not k.startswith("(") else k for k in keys) or "?"


def _first_difference(a: bytes, b: bytes) -> int:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))


__all__ = ["ArchiveTimestamp", "Revisions", "Slot", "pdf_date", "refs_in"]
