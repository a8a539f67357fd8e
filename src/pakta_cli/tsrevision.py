"""The archive-timestamp revision: the exact bytes `pakta archive --tsa` appends right after an archive
revision (PAdES B-LTA). It holds a document timestamp: an RFC 3161 token over every byte before it, so
the signatures, and the certificates and CRLs the archive stores, are proven to have existed at the
time a timestamp authority attests, whatever the signers' clocks said.

Like a signing revision (`pakta_cli.sigrevision`) and an archive revision (`pakta_cli.dssrevision`),
it is pakta's own layout, byte for byte: `pakta verify` rebuilds it from the token its /Contents
holds and requires the same bytes. What one archive-timestamp revision holds, in object-number order:

1. The pact's first page written again with the new field added at the end of its /Annots, every
   other entry as it was. The field is an invisible widget (a zero /Rect, no appearance), where PDF
   readers and pyHanko look for signature fields.
2. The form (/AcroForm) written again with the new field added at the end of /Fields.
3. New object /Size: the field, which is also its widget: `<< /F 132 /FT /Sig /P <first page>
   /Rect [0 0 0 0] /Subtype /Widget /T <pakta-archive-N> /Type /Annot /V <timestamp> >>`, N counting
   the pact's archive timestamps from 1.
4. New object /Size+1: the timestamp, `<< /ByteRange [0 a b c] /Contents <token> /Filter /Adobe.PPKLite
   /SubFilter /ETSI.RFC3161 /Type /DocTimeStamp >>`. /Contents is the token's DER followed by zeros
   up to `ROOM` bytes: the token is asked for after the byte range is fixed, so its room is reserved.
5. A cross-reference table and the trailer `<< /ID [<first> <new>] /Info .. /Prev .. /Root .. /Size
   .. >>`, the new /ID half the first 16 bytes of SHA-256(file so far, "DocTimeStamp").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pakta_cli import pactfile
from pakta_cli.cms import TOKEN_ROOM, der_length
from pakta_cli.pdf import writer
from pakta_cli.pdf.reader import Document
from pakta_cli.pdf.syntax import Name, PdfDict, PdfError, Ref
from pakta_cli.sigrevision import Appended, appended_to, text_string, with_byte_range

ROOM = TOKEN_ROOM  # bytes /Contents reserves for the token
SUBFILTER = "ETSI.RFC3161"
FIELD_PREFIX = f"{pactfile.FIELD_PREFIX}archive-"  # + N: never a party's field, whose role is one of ROLES
MAX_TIMESTAMPS = 16  # archive timestamps one pact holds: one per renewal, every few years
OBJECTS = 4  # what one archive-timestamp revision writes: the page, the form, the field, the timestamp
_PAGE_DEPTH = 8  # levels of page tree between the catalog and the first page


class NotATimestamp(PdfError):
    """A revision that is not an archive-timestamp revision pakta writes, or a pact it cannot be added to."""


@dataclass(frozen=True)
class Before(Appended):
    """The pact as the previous revision left it: all an archive-timestamp revision is a function of."""

    page: int  # the first page's object number
    page_dict: Mapping[str, Any]
    form: int
    form_dict: Mapping[str, Any]
    number: int  # N of the new field pakta-archive-N


@dataclass(frozen=True)
class Built:
    """An archive-timestamp revision, and what its token must be over."""

    data: bytes
    contents_start: int  # offset of `<` in the whole file
    contents_end: int  # offset after `>`
    field: int
    timestamp: int  # the timestamp dictionary's object number

    def covered(self, before: bytes) -> bytes:
        """The bytes the token attests (`before` is the file up to this revision): all but /Contents."""
        whole_start = self.contents_start - len(before)
        return before + self.data[:whole_start] + self.data[self.contents_end - len(before) :]

    def with_token(self, before_length: int, token: bytes) -> bytes:
        """This revision with `token` in its reserved /Contents."""
        start = self.contents_start - before_length + 1
        return self.data[:start] + contents(token).hex().upper().encode("ascii") + self.data[start + 2 * ROOM :]


def contents(token: bytes) -> bytes:
    """The /Contents of a timestamp holding `token`: its DER, then zeros up to `ROOM` bytes."""
    if len(token) > ROOM:
        raise NotATimestamp(f"the timestamp token is larger than the {ROOM} bytes reserved for it")
    return token + bytes(ROOM - len(token))


def field_name(number: int) -> str:
    return f"{FIELD_PREFIX}{number}"


def before_timestamping(doc: Document, revision: int) -> Before:
    """What revision `revision` of `doc` leaves for an archive timestamp to be built on."""
    appended = appended_to(doc, revision)
    catalog = doc.get(appended.root.num, revision)
    if not isinstance(catalog, dict):
        raise NotATimestamp("the document has no catalog")
    form_ref = catalog.get("AcroForm")
    form = doc.get(form_ref.num, revision) if isinstance(form_ref, Ref) else None
    fields = form.get("Fields") if isinstance(form, dict) else None
    if not isinstance(form_ref, Ref) or not isinstance(form, dict) or not isinstance(fields, list) \
            or not all(isinstance(ref, Ref) for ref in fields):
        raise NotATimestamp("the pact has no signature form")
    stamped = 0  # each archive timestamp's field goes at the end of /Fields: count them from the end
    for ref in reversed(fields[-MAX_TIMESTAMPS:]):
        field = doc.get(ref.num, revision)
        name = field.get("T") if isinstance(field, dict) else None
        if not (isinstance(name, bytes) and name.startswith(FIELD_PREFIX.encode("ascii"))):
            break
        stamped += 1
    if stamped >= MAX_TIMESTAMPS:
        raise NotATimestamp(f"the pact already holds {MAX_TIMESTAMPS} archive timestamps")
    page, page_dict = _first_page(doc, catalog, revision)
    return Before(**vars(appended), page=page, page_dict=page_dict, form=form_ref.num, form_dict=form,
                  number=stamped + 1)


def _first_page(doc: Document, catalog: Mapping[str, Any], revision: int) -> tuple[int, Mapping[str, Any]]:
    node_ref = catalog.get("Pages")
    for _ in range(_PAGE_DEPTH):
        node = doc.get(node_ref.num, revision) if isinstance(node_ref, Ref) else None
        if not isinstance(node, dict):
            break
        if node.get("Type") == "Page":
            annots = node.get("Annots", [])
            if not isinstance(annots, list):
                raise NotATimestamp("the first page's /Annots is not an array in the page")
            assert isinstance(node_ref, Ref)
            return node_ref.num, node
        kids = node.get("Kids")
        node_ref = kids[0] if isinstance(kids, list) and kids else None
    raise NotATimestamp("the pact has no first page")


def build(before: Before, token: bytes) -> Built:
    """The archive-timestamp revision after `before` holding `token` (zeros: a placeholder to ask for one)."""
    field_num, stamp_num = before.size, before.size + 1
    field_ref = Ref(field_num, 0)
    page = dict(before.page_dict)
    page["Annots"] = [*before.page_dict.get("Annots", []), field_ref]
    form = dict(before.form_dict)
    form["Fields"] = [*before.form_dict["Fields"], field_ref]
    form["SigFlags"] = pactfile.SIG_FLAGS
    field = {"Type": Name("Annot"), "Subtype": Name("Widget"), "FT": Name("Sig"), "F": pactfile.WIDGET_FLAGS,
             "P": Ref(before.page, 0), "Rect": [0, 0, 0, 0], "T": text_string(field_name(before.number)),
             "V": Ref(stamp_num, 0)}
    fixed = {before.page: writer.indirect(before.page, page), before.form: writer.indirect(before.form, form),
             field_num: writer.indirect(field_num, field)}
    stamp: dict[str, Any] = {"Type": Name("DocTimeStamp"), "Filter": Name(pactfile.SIG_FILTER),
                             "SubFilter": Name(SUBFILTER), "Contents": contents(token)}
    trailer = before.trailer(b"DocTimeStamp", stamp_num + 1)
    data, _, start, end = with_byte_range(fixed, stamp_num, stamp, trailer, before.length)
    return Built(data, start, end, field_num, stamp_num)


@dataclass(frozen=True)
class Stated:
    """What an archive-timestamp revision states: its token, and the field and timestamp it adds."""

    token: bytes
    field: int
    timestamp: int


def tokens(doc: Document) -> list[bytes]:
    """The token of every archive-timestamp revision of `doc` (one pakta verified), oldest first."""
    found = []
    for rev in doc.revisions[1:]:
        try:
            found.append(stated(doc, rev.number).token)
        except PdfError:
            continue
    return found


def stated(doc: Document, revision: int) -> Stated:
    """The token of the one new timestamp field revision `revision` adds; NotATimestamp when it adds none."""
    rev = doc.revisions[revision - 1]
    if len(rev.entries) != OBJECTS:
        raise NotATimestamp("not the four objects of an archive timestamp")
    field_num, stamp_num = sorted(rev.entries)[-2:]
    field = doc.get(field_num, revision)
    stamp = doc.get(stamp_num, revision)
    if doc.entry(field_num, revision - 1) is not None or not isinstance(field, dict) \
            or field.get("V") != Ref(stamp_num, 0) or not isinstance(stamp, PdfDict) \
            or stamp.get("Type") != "DocTimeStamp" or not isinstance(stamp.get("Contents"), bytes):
        raise NotATimestamp("no archive timestamp in this revision")
    raw = stamp["Contents"]
    length = der_length(raw[:6].hex().encode("ascii"))
    if length is None or not 0 < length <= ROOM:
        raise NotATimestamp("the archive timestamp's /Contents is not one token")
    return Stated(raw[:length], field_num, stamp_num)
