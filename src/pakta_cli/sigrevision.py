"""The signing revision: the exact bytes `pakta sign` appends to a pact for one party's signature.

pakta owns this layout, byte for byte; it does not drift with a PDF library's writer. `pakta sign`
calls `build` to write a revision, and `pakta verify` calls the same `build` with what the file's
revision states (the certificates, signature and digest of its CMS, its /M) and requires the same
bytes. So a signing revision can hold nothing but a signature: no object, key, comment, white
space or cross-reference entry that pakta would not have written.

What one signing revision holds, in object-number order (everything in pakta's PDF dialect,
`pakta_cli.pdf.writer`):

1. The party's signature field, which in a pakta pact is usually also its widget annotation,
   written again with `/AP << /N stamp >>` and `/V sig` added and every other entry as it was. A
   party that signs in two places (an agreement and its annex) has a field with one widget per
   place: the field gains `/V`, each widget its own `/AP` stamp.
2. The form (/AcroForm) written again with `/SigFlags 3`, by the first signature only.
3. New object /Size: the signature dictionary `<< /ByteRange [0 a b c] /Contents <CMS> /Filter
   /Adobe.PPKLite /M <date> /Name <signer> /SubFilter /ETSI.CAdES.detached /Type /Sig >>`, where
   /Contents is exactly the CMS's DER (`pakta_cli.cms`), no padding, and /ByteRange covers the
   whole file except that hex string.
4. New objects /Size+1 on: the stamp of each widget, a form XObject of the widget's size whose
   operators are `pakta_cli.stamp`'s, uncompressed, its resources the pact's own fonts the form's
   /DR names.
5. A cross-reference table with one subsection per run of object numbers, and the trailer
   `<< /ID [<first> <new>] /Info .. /Prev .. /Root .. /Size .. >>`: the first /ID half as rendered,
   the new half the first 16 bytes of SHA-256(file so far, field name, /M), so it too is a
   function of what came before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cryptography import x509

from pakta_cli import pactfile
from pakta_cli.certificates import identity_of
from pakta_cli.keyid import certificate_key_id
from pakta_cli.pactfile import pact_id
from pakta_cli.pdf import writer
from pakta_cli.pdf.reader import Document, Revision
from pakta_cli.pdf.syntax import Name, PdfError, Ref
from pakta_cli.stamp import StampFonts, StampText, fonts_of, qr_address, stamp_content

# what one signing revision may write: the signature, the form, the field, a widget and a stamp per block
MAX_OBJECTS = 3 + 2 * pactfile.MAX_WIDGETS


class NotAPactField(PdfError):
    """The previous revision does not hold what a signing revision is built on."""


@dataclass(frozen=True)
class Appended:
    """The file as the previous revision left it, as every revision pakta appends (a signature, an
    archive, an archive timestamp) builds on it and carries it on."""

    length: int  # bytes of the file so far; the new revision starts here
    sha256: bytes  # of those bytes
    size: int  # the trailer's /Size
    root: Ref
    info: Ref | None
    first_id: bytes
    xref_offset: int  # where the previous revision's cross-reference section starts

    def trailer(self, tag: bytes, size: int) -> dict[str, Any]:
        """The new revision's trailer: /Root and /Info kept, the first /ID half kept, the new half the
        first 16 bytes of SHA-256(file so far, `tag`), so it too is a function of what came before."""
        new_id = hashlib.sha256(self.sha256 + tag).digest()[:16]
        trailer: dict[str, Any] = {"ID": [self.first_id, new_id], "Prev": self.xref_offset, "Root": self.root,
                                   "Size": size}
        if self.info is not None:
            trailer["Info"] = self.info
        return trailer


def appended_to(doc: Document, revision: int) -> Appended:
    """What revision `revision` of `doc` leaves for the next revision to be appended to."""
    rev = doc.revisions[revision - 1]
    root, info, first_id, size = trailer_facts(rev)
    return Appended(rev.end, hashlib.sha256(doc.data[: rev.end]).digest(), size, root, info, first_id,
                    rev.xref_offset)


@dataclass(frozen=True)
class Before(Appended):
    """The pact as the previous revision left it: all a signing revision is a function of."""

    form: int  # object number of the /AcroForm
    form_dict: Mapping[str, Any]
    field: int  # object number of the party's signature field (also its widget, when it has one)
    field_dict: Mapping[str, Any]
    kids: tuple[tuple[int, Mapping[str, Any]], ...]  # its widgets, when it has several: (number, dictionary)
    verify_url: str | None
    pact_id: str  # the QR code opens verify_url/pact/<pact_id>
    fonts: StampFonts


@dataclass(frozen=True)
class Signer:
    """What the stamp and the signature dictionary say about the signer."""

    name: str  # as the certificate names them (the whole name, not a shortened CN)
    nip: str | None
    key_id: str
    signed_at: dt.datetime  # aware, whole seconds, in the zone the official signed in
    position: str | None = None  # the jabatan, the certificate's title


@dataclass(frozen=True)
class Built:
    """A signing revision: its bytes, and where its /Contents hex string sits in the whole file."""

    data: bytes
    contents_start: int  # offset of `<` in the whole file
    contents_end: int  # offset after `>`
    file_length: int  # the whole file's length with this revision
    objects: dict[int, bytes]  # each object as written (`N 0 obj ... endobj`), by number
    signature: int  # the signature dictionary's object number
    stamps: tuple[int, ...]  # the stamps' object numbers, one per widget

    @property
    def byte_range(self) -> tuple[int, int, int, int]:
        return 0, self.contents_start, self.contents_end, self.file_length - self.contents_end

    def with_contents(self, before_length: int, der: bytes) -> bytes:
        """This revision with `der` in the /Contents placeholder (which must have its exact size)."""
        hex_digits = der.hex().upper().encode("ascii")
        start, end = self.contents_start - before_length + 1, self.contents_end - before_length - 1
        if len(hex_digits) != end - start:
            raise ValueError("the CMS does not have the size reserved for it")
        return self.data[:start] + hex_digits + self.data[end:]


def signer_of(certificate: x509.Certificate, signed_at: dt.datetime) -> Signer:
    """What a stamp says of the holder of `certificate`: the one rule sign draws by and verify checks."""
    person = identity_of(certificate)
    return Signer(person.name, person.nip, certificate_key_id(certificate) or "-", signed_at, person.position)


def pdf_date(moment: dt.datetime) -> bytes:
    """`D:20240102093015+08'00'`: a PDF date in the signer's own offset."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return (moment.strftime("D:%Y%m%d%H%M%S") + f"{sign}{hours:02d}'{rest:02d}'").encode("ascii")


def text_string(text: str) -> bytes:
    """A PDF text string: ASCII as it is, anything else as UTF-16BE with its byte order mark."""
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        return b"\xfe\xff" + text.encode("utf-16-be")


def _rect_size(rect: Any) -> tuple[int | Decimal, int | Decimal]:
    if not isinstance(rect, list) or len(rect) != 4 or not all(type(v) in (int, Decimal) for v in rect):
        raise NotAPactField("the signature field has no /Rect of four numbers")
    return abs(rect[2] - rect[0]), abs(rect[3] - rect[1])


def build(before: Before, field_name: str, signer: Signer, contents: bytes, qr_mask: int | None = None) -> Built:
    """The signing revision for `signer` in the field `before.field`, with `contents` as the CMS.

    `qr_mask` is the QR code's mask when it is already known (the verifier reads it from the stamp).
    """
    said = StampText(signer.name, signer.position, signer.nip, signer.signed_at, signer.key_id)
    address = qr_address(before.verify_url, before.pact_id)
    sig_num = before.size
    widgets = before.kids or ((before.field, before.field_dict),)
    stamps = tuple(range(sig_num + 1, sig_num + 1 + len(widgets)))
    when = pdf_date(signer.signed_at)
    fixed: dict[int, bytes] = {}
    for (num, widget_dict), stamp_num in zip(widgets, stamps, strict=True):
        width, height = _rect_size(widget_dict.get("Rect"))
        drawing = stamp_content(float(width), float(height), said, address, before.fonts, qr_mask)
        stamp = {"Type": Name("XObject"), "Subtype": Name("Form"), "BBox": [0, 0, width, height],
                 "Resources": before.fonts.resources}
        widget = dict(widget_dict)
        widget["AP"] = {"N": Ref(stamp_num, 0)}
        if not before.kids:
            widget["V"] = Ref(sig_num, 0)
        fixed[num] = writer.indirect(num, widget)
        fixed[stamp_num] = writer.indirect(stamp_num, stamp, drawing)
    if before.kids:
        field = dict(before.field_dict)
        field["V"] = Ref(sig_num, 0)
        fixed[before.field] = writer.indirect(before.field, field)
    if before.form_dict.get("SigFlags") != pactfile.SIG_FLAGS:
        form = dict(before.form_dict)
        form["SigFlags"] = pactfile.SIG_FLAGS
        fixed[before.form] = writer.indirect(before.form, form)
    trailer = before.trailer(field_name.encode("utf-8") + b"\0" + when, stamps[-1] + 1)
    sig = {"Type": Name("Sig"), "Filter": Name(pactfile.SIG_FILTER), "SubFilter": Name(pactfile.SIG_SUBFILTER),
           "M": when, "Name": text_string(signer.name), "Contents": contents}
    data, chunks, start, end = with_byte_range(fixed, sig_num, sig, trailer, before.length)
    return Built(data, start, end, before.length + len(data), chunks, sig_num, stamps)


def with_byte_range(fixed: Mapping[int, bytes], sig_num: int, sig: dict[str, Any], trailer: Mapping[str, Any],
                    start_at: int) -> tuple[bytes, dict[int, bytes], int, int]:
    """A revision of the objects `fixed` and the signature dictionary `sig` (object `sig_num`) from file
    offset `start_at`, its /ByteRange covering all but `sig`'s /Contents: (bytes, objects, where the
    /Contents hex string starts and ends in the whole file). Shared by every revision that signs."""
    contents = sig["Contents"]
    byte_range = [0, 0, 0, 0]
    for _ in range(8):  # the byte range's digits move what follows them; a few rounds settle it
        sig["ByteRange"] = byte_range
        chunks = dict(fixed)
        chunks[sig_num] = writer.indirect(sig_num, sig)
        body, offsets, at = writer.laid_out(chunks, start_at)
        data = body + writer.tail(offsets, trailer, at, first=False)
        start = offsets[sig_num] + chunks[sig_num].index(b" /Contents <") + len(b" /Contents ")
        end = start + 2 + 2 * len(contents)
        settled = [0, start, end, start_at + len(data) - end]
        if settled == byte_range:
            return data, chunks, start, end
        byte_range = settled
    raise AssertionError("the byte range did not settle")  # pragma: no cover


def trailer_facts(rev: Revision) -> tuple[Ref, Ref | None, bytes, int]:
    """/Root, /Info, the first /ID half and /Size: what every revision pakta appends carries on."""
    trailer = rev.trailer
    root, info, ident, size = trailer.get("Root"), trailer.get("Info"), trailer.get("ID"), trailer.get("Size")
    if not isinstance(root, Ref) or not (info is None or isinstance(info, Ref)) or type(size) is not int \
            or not isinstance(ident, list) or len(ident) != 2 or not isinstance(ident[0], bytes):
        raise NotAPactField("the trailer is not a pact's")
    return root, info, ident[0], size


def before_signing(doc: Document, revision: int, field_name: str, verify_url: str | None) -> Before:
    """What revision `revision` of `doc` leaves for a signature in `field_name` to be built on."""
    appended = appended_to(doc, revision)
    catalog = doc.get(appended.root.num, revision)
    form_ref = catalog.get("AcroForm") if isinstance(catalog, dict) else None
    form = doc.get(form_ref.num, revision) if isinstance(form_ref, Ref) else None
    fields = form.get("Fields") if isinstance(form, dict) else None
    if not isinstance(form_ref, Ref) or not isinstance(form, dict) or not isinstance(fields, list):
        raise NotAPactField("the pact has no signature form")
    for ref in fields:
        field = doc.get(ref.num, revision) if isinstance(ref, Ref) else None
        if isinstance(field, dict) and field.get("T") == field_name.encode("latin-1"):
            if "V" in field:
                raise NotAPactField(f"field {field_name} is already signed")
            kids = []
            for kid in field.get("Kids", []) if isinstance(field.get("Kids"), list) else []:
                widget = doc.get(kid.num, revision) if isinstance(kid, Ref) else None
                if not isinstance(widget, dict):
                    raise NotAPactField(f"a widget of field {field_name} is not a dictionary")
                kids.append((kid.num, widget))
            if len(kids) > pactfile.MAX_WIDGETS:
                raise NotAPactField(f"field {field_name} has more than {pactfile.MAX_WIDGETS} widgets")
            if "Kids" in field and not kids:
                raise NotAPactField(f"field {field_name} has no widgets")
            rendered = doc.data[: doc.revisions[0].end]
            return Before(**vars(appended), form=form_ref.num, form_dict=form, field=ref.num, field_dict=field,
                          kids=tuple(kids), verify_url=verify_url, pact_id=pact_id(rendered),
                          fonts=fonts_of(doc, form, revision))
    raise NotAPactField(f"the pact has no signature field {field_name}")
