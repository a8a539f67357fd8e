"""More attacks for `tests/test_attacks_more.py`: what the first suite did not try.

Each function takes a signed pact's bytes (and sometimes a field name) and returns a tampered
copy, built at test time with the helpers of `tests.attacks.pdf` or pyHanko's incremental writer,
the tool an attacker would pick. Grouped as: changes to the signed field's widget, to the catalog
and the document-level dictionaries, to the cross-reference structure itself, and signatures
whose dictionary or CMS is not what `pakta sign` writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zlib
from collections.abc import Callable

from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject, pdf_name, pdf_string

from pakta_cli.sign import _engine
from tests.attacks.forge import forge
from tests.attacks.identities import Identity
from tests.attacks.pdf import (
    _line,
    _trailer_entries,
    append_compressed_update,
    append_update,
    field_number,
    latest,
    next_free,
    page_number,
    reader,
    root_number,
    serialize,
    startxref,
    stream,
)
from tests.attacks.tamper import DEFACED, object_span, ref

# -- the signed field's widget -----------------------------------------------------------------------


def _widget_update(pdf: bytes, field: str, change: Callable[[generic.DictionaryObject], None]) -> bytes:
    number = field_number(pdf, field)
    widget = latest(pdf, number)
    change(widget)
    return append_update(pdf, {number: serialize(widget)})


def widget_rect_moved(pdf: bytes, field: str) -> bytes:
    """The signed widget's /Rect moved over the pact's body: the stamp now covers other words."""
    def change(widget: generic.DictionaryObject) -> None:
        widget[pdf_name("/Rect")] = ArrayObject([generic.NumberObject(v) for v in (60, 500, 540, 700)])
    return _widget_update(pdf, field, change)


def widget_hidden(pdf: bytes, field: str) -> bytes:
    """The signed widget's /F gains the hidden flag (2): the stamp disappears."""
    def change(widget: generic.DictionaryObject) -> None:
        widget[pdf_name("/F")] = generic.NumberObject(2)
    return _widget_update(pdf, field, change)


def widget_mk_added(pdf: bytes, field: str) -> bytes:
    """/MK (appearance characteristics: border and background colour) added to the signed widget."""
    def change(widget: generic.DictionaryObject) -> None:
        widget[pdf_name("/MK")] = DictionaryObject({pdf_name("/BG"): ArrayObject([generic.NumberObject(1)] * 3)})
    return _widget_update(pdf, field, change)


def widget_second_appearance(pdf: bytes, field: str) -> bytes:
    """The signed widget's /AP gains a /D (pressed) appearance besides the stamp."""
    number = field_number(pdf, field)
    widget = latest(pdf, number)
    stamp = widget["/AP"].raw_get("/N")
    new_no = next_free(pdf)
    widget[pdf_name("/AP")] = DictionaryObject({pdf_name("/N"): stamp, pdf_name("/D"): ref(new_no)})
    box = stream(b"BT /F1 9 Tf 4 20 Td (Orang Lain) Tj ET", Type="/XObject", Subtype="/Form",
                 BBox="[0 0 100 60]")
    return append_update(pdf, {number: serialize(widget), new_no: box})


def stamp_redefined_in_place(pdf: bytes, field: str) -> bytes:
    """The stamp's form XObject (object number kept) redefined: other words in the same box."""
    stamp = latest(pdf, field_number(pdf, field))["/AP"].raw_get("/N")
    content = zlib.compress(b"BT /F1 9 Tf 4 20 Td (Ditandatangani oleh Orang Lain) Tj ET")
    body = stream(content, Type="/XObject", Subtype="/Form", BBox="[0 0 175 68]", Filter="/FlateDecode",
                  Resources="<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>")
    return append_update(pdf, {stamp.idnum: body})


def widget_moved_to_new_page(pdf: bytes, field: str) -> bytes:
    """A new page 2 is added and the signed widget moved onto it (/P and /Annots)."""
    number = field_number(pdf, field)
    page_no, pages_no = page_number(pdf), int(reader(pdf).root.raw_get("/Pages").idnum)
    new_page, content = next_free(pdf), next_free(pdf) + 1
    page = latest(pdf, page_no)
    page[pdf_name("/Annots")] = ArrayObject()
    pages = latest(pdf, pages_no)
    pages[pdf_name("/Kids")] = ArrayObject([*pages["/Kids"], ref(new_page)])
    pages[pdf_name("/Count")] = generic.NumberObject(len(pages["/Kids"]))
    widget = latest(pdf, number)
    widget[pdf_name("/P")] = ref(new_page)
    body = b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Annots [%d 0 R] >>" % (
        pages_no, content, number)
    return append_update(pdf, {number: serialize(widget), page_no: serialize(page), pages_no: serialize(pages),
                               new_page: body, content: stream(DEFACED)})


# -- the catalog and document-level dictionaries ------------------------------------------------------


def _catalog_update(pdf: bytes, change: Callable[[generic.DictionaryObject], dict[int, bytes] | None]) -> bytes:
    catalog = reader(pdf).root
    extra = change(catalog) or {}
    return append_update(pdf, {root_number(pdf): serialize(catalog), **extra})


def info_changed(pdf: bytes) -> bytes:
    """The /Info dictionary (title, author) redefined by object number."""
    info_ref = reader(pdf).trailer.raw_get("/Info")
    info = latest(pdf, info_ref.idnum)
    info[pdf_name("/Title")] = pdf_string("PAKTA INI DIBATALKAN")
    return append_update(pdf, {info_ref.idnum: serialize(info)})


def info_new_object(pdf: bytes) -> bytes:
    """A new /Info dictionary named by the update's trailer."""
    number = next_free(pdf)
    out = append_update(pdf, {number: b"<< /Title (PAKTA INI DIBATALKAN) >>"})
    return re.sub(rb"/Info \d+ 0 R(?=[^\n]*>>\nstartxref\n\d+\n%%EOF\n$)", b"/Info %d 0 R" % number, out)


def metadata_added(pdf: bytes) -> bytes:
    """XMP metadata stream added to the catalog."""
    number = next_free(pdf)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:title>PAKTA INI DIBATALKAN</dc:title></x:xmpmeta>'

    def change(catalog: generic.DictionaryObject) -> dict[int, bytes]:
        catalog[pdf_name("/Metadata")] = ref(number)
        return {number: stream(xmp, Type="/Metadata", Subtype="/XML")}
    return _catalog_update(pdf, change)


def page_labels_added(pdf: bytes) -> bytes:
    def change(catalog: generic.DictionaryObject) -> None:
        catalog[pdf_name("/PageLabels")] = DictionaryObject({pdf_name("/Nums"): ArrayObject([
            generic.NumberObject(0), DictionaryObject({pdf_name("/P"): pdf_string("DIBATALKAN-")})])})
    return _catalog_update(pdf, change)


def names_tree_replaced(pdf: bytes, definition: bytes = b'{"pakta": 1, "parties": []}\n') -> bytes:
    """A new /Names dictionary (new object number) whose embedded files tree lists another
    pakta-definition.json: the catalog is rewritten to name it."""
    spec_no, file_no, names_no = range(next_free(pdf), next_free(pdf) + 3)
    old_names = reader(pdf).root["/Names"]["/EmbeddedFiles"]["/Names"]
    pairs = []
    for i in range(0, len(old_names), 2):
        target = ref(spec_no) if str(old_names[i]) == "pakta-definition.json" else old_names.raw_get(i + 1)
        pairs.append(serialize(old_names[i]) + b" " + serialize(target))
    names = b"<< /EmbeddedFiles << /Names [ %s ] >> >>" % b" ".join(pairs)
    spec = b"<< /Type /Filespec /F (pakta-definition.json) /UF (pakta-definition.json) /EF << /F %d 0 R >> >>" % file_no

    def change(catalog: generic.DictionaryObject) -> dict[int, bytes]:
        catalog[pdf_name("/Names")] = ref(names_no)
        return {names_no: names, spec_no: spec, file_no: stream(definition, Type="/EmbeddedFile")}
    return _catalog_update(pdf, change)


def names_dictionary_redefined(pdf: bytes, definition: bytes = b'{"pakta": 1, "parties": []}\n') -> bytes:
    """The catalog untouched; the /Names dictionary object itself redefined with a new tree."""
    names_ref = reader(pdf).root.raw_get("/Names")
    spec_no, file_no = next_free(pdf), next_free(pdf) + 1
    names = latest(pdf, names_ref.idnum)
    tree = names["/EmbeddedFiles"]["/Names"]
    pairs = b" ".join(serialize(tree[i]) + b" " + (b"%d 0 R" % spec_no if str(tree[i]) == "pakta-definition.json"
                                                   else serialize(tree.raw_get(i + 1))) for i in range(0, len(tree), 2))
    spec = b"<< /Type /Filespec /F (pakta-definition.json) /EF << /F %d 0 R >> >>" % file_no
    return append_update(pdf, {names_ref.idnum: b"<< /EmbeddedFiles << /Names [ %s ] >> >>" % pairs,
                               spec_no: spec, file_no: stream(definition, Type="/EmbeddedFile")})


def _acroform_update(pdf: bytes, key: str, value: generic.PdfObject) -> bytes:
    form_ref = reader(pdf).root.raw_get("/AcroForm")
    form = latest(pdf, form_ref.idnum)
    form[pdf_name(key)] = value
    return append_update(pdf, {form_ref.idnum: serialize(form)})


def need_appearances(pdf: bytes) -> bytes:
    """/AcroForm /NeedAppearances true: viewers regenerate field appearances."""
    return _acroform_update(pdf, "/NeedAppearances", generic.BooleanObject(True))


def default_resources(pdf: bytes) -> bytes:
    return _acroform_update(pdf, "/DR", DictionaryObject({pdf_name("/Font"): DictionaryObject()}))


def sigflags_bad(pdf: bytes) -> bytes:
    """/SigFlags set to a value no signer writes (bit 3 and up)."""
    return _acroform_update(pdf, "/SigFlags", generic.NumberObject(7))


def perms_added(pdf: bytes) -> bytes:
    def change(catalog: generic.DictionaryObject) -> None:
        catalog[pdf_name("/Perms")] = DictionaryObject({pdf_name("/DocMDP"): ref(1)})
    return _catalog_update(pdf, change)


def catalog_aa(pdf: bytes) -> bytes:
    """Catalog additional actions: JavaScript before the document prints."""
    def change(catalog: generic.DictionaryObject) -> None:
        catalog[pdf_name("/AA")] = DictionaryObject({pdf_name("/WP"): DictionaryObject({
            pdf_name("/S"): pdf_name("/JavaScript"), pdf_name("/JS"): pdf_string("app.alert(1)")})})
    return _catalog_update(pdf, change)


def page_aa(pdf: bytes) -> bytes:
    """Page 1 additional actions: JavaScript when the page opens."""
    page_no = page_number(pdf)
    page = latest(pdf, page_no)
    page[pdf_name("/AA")] = DictionaryObject({pdf_name("/O"): DictionaryObject({
        pdf_name("/S"): pdf_name("/JavaScript"), pdf_name("/JS"): pdf_string("app.alert(1)")})})
    return append_update(pdf, {page_no: serialize(page)})


def outlines_added(pdf: bytes) -> bytes:
    outline_no, item_no = next_free(pdf), next_free(pdf) + 1

    def change(catalog: generic.DictionaryObject) -> dict[int, bytes]:
        catalog[pdf_name("/Outlines")] = ref(outline_no)
        return {outline_no: b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count 1 >>" % (item_no, item_no),
                item_no: b"<< /Title (PAKTA INI DIBATALKAN) /Parent %d 0 R >>" % outline_no}
    return _catalog_update(pdf, change)


def _annotation(pdf: bytes, body: bytes) -> bytes:
    page_no, number = page_number(pdf), next_free(pdf)
    page = latest(pdf, page_no)
    page[pdf_name("/Annots")] = ArrayObject([*page.get("/Annots", []), ref(number)])
    return append_update(pdf, {page_no: serialize(page), number: body})


def link_annotation(pdf: bytes) -> bytes:
    """A Link annotation over the body that opens another web page."""
    return _annotation(pdf, b"<< /Type /Annot /Subtype /Link /Rect [60 380 540 700] /Border [0 0 0] "
                            b"/A << /S /URI /URI (https://contoh.invalid/batal) >> >>")


def widget_without_field_type(pdf: bytes) -> bytes:
    """A Widget annotation with no /FT (so not a form field) and an appearance of its own."""
    number = next_free(pdf) + 1
    out = _annotation(pdf, b"<< /Type /Annot /Subtype /Widget /Rect [60 380 540 700] /F 4 /AP << /N %d 0 R >> >>"
                      % number)
    return out  # the appearance object is left dangling on purpose: no reader needs it to refuse


# -- the cross-reference structure ---------------------------------------------------------------------


def redefined_same_bytes(pdf: bytes) -> bytes:
    """An update that writes page 1 again exactly as it was: nothing changes, but it signs nothing."""
    start, end = object_span(pdf, page_number(pdf))
    body = re.match(rb"\d+ 0 obj\s(.*)\sendobj", pdf[start:end], re.S)
    assert body is not None
    return append_update(pdf, {page_number(pdf): body.group(1)})


def redefined_other_generation(pdf: bytes) -> bytes:
    """Page 1 written again as generation 1 (`6 1 obj`, listed `00001 n`) with new content."""
    page_no, number = page_number(pdf), next_free(pdf)
    page = latest(pdf, page_no)
    page[pdf_name("/Contents")] = ref(number)
    out = bytearray(_line(pdf))
    page_at = len(out)
    out += b"%d 1 obj\n%s\nendobj\n" % (page_no, serialize(page))
    content_at = len(out)
    out += b"%d 0 obj\n%s\nendobj\n" % (number, stream(DEFACED))
    at = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00001 n \n%d 1\n%010d 00000 n \n" % (
        page_no, page_at, number, content_at)
    out += b"trailer\n<< " + _trailer_entries(pdf, None, number + 1) + b" >>\nstartxref\n%d\n%%%%EOF\n" % at
    return bytes(out)


def freed_then_reused(pdf: bytes) -> bytes:
    """Page 1's content stream freed in one update, then defined again with new content in the next."""
    contents = latest(pdf, page_number(pdf)).raw_get("/Contents").idnum
    out = _line(pdf)
    at = len(out)
    size = next_free(pdf)
    out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n0000000000 00001 f \n" % contents
    out += b"trailer\n<< " + _trailer_entries(pdf, None, size) + b" >>\nstartxref\n%d\n%%%%EOF\n" % at
    return append_update(out, {contents: stream(DEFACED)})


def duplicate_definition(pdf: bytes) -> bytes:
    """One update defines page 1's content stream twice: first with other words, then exactly as it
    was; the table lists the second, so a reader of the table sees no change, a reader that scans
    for objects (as repair does) may take the first."""
    contents = latest(pdf, page_number(pdf)).raw_get("/Contents").idnum
    start, end = object_span(pdf, contents)
    out = bytearray(_line(pdf))
    out += b"%d 0 obj\n%s\nendobj\n" % (contents, stream(DEFACED))
    listed = len(out)
    out += pdf[start:end] + b"\n"
    at = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (contents, listed)
    out += b"trailer\n<< " + _trailer_entries(pdf, None, next_free(pdf)) + b" >>\nstartxref\n%d\n%%%%EOF\n" % at
    return bytes(out)


def _close_with_xref_stream(pdf: bytes, out: bytearray, rows: dict[int, bytes], xref_no: int) -> None:
    """Append to `out` a cross-reference stream for `rows` (number -> W [1 4 2] row) and itself."""
    xref_at = len(out)
    rows[xref_no] = b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00"
    numbers = sorted(rows)
    index_text = " ".join(f"{n} 1" for n in numbers)
    xref = stream(b"".join(rows[n] for n in numbers), Type="/XRef", W="[1 4 2]", Index=f"[{index_text}]")
    xref = xref.replace(b"<< ", b"<< " + _trailer_entries(pdf, None, xref_no + 1) + b" ", 1)
    out += b"%d 0 obj\n%s\nendobj\nstartxref\n%d\n%%%%EOF\n" % (xref_no, xref, xref_at)


def xref_stream_index_lists_missing(pdf: bytes) -> bytes:
    """A cross-reference stream whose /Index lists page 1 (at the offset of its signed text, which the
    update does not write again) besides a new stream: an entry the update's body does not hold."""
    page_no = page_number(pdf)
    start, _ = object_span(pdf, page_no)
    number = next_free(pdf)
    out = bytearray(_line(pdf))
    rows = {page_no: b"\x01" + start.to_bytes(4, "big") + b"\x00\x00",
            number: b"\x01" + len(out).to_bytes(4, "big") + b"\x00\x00"}
    out += b"%d 0 obj\n%s\nendobj\n" % (number, stream(DEFACED))
    _close_with_xref_stream(pdf, out, rows, number + 1)
    return bytes(out)


def prev_into_signed_range(pdf: bytes) -> bytes:
    """An update whose /Prev names an offset in the middle of the signed revision."""
    signed_from = pdf.rfind(b"%%EOF", 0, startxref(pdf)) + 6
    number = next_free(pdf)
    return append_update(pdf, {number: stream(DEFACED)}, prev=signed_from + 10)


def two_startxref(pdf: bytes) -> bytes:
    """A second `startxref` naming the rendered revision, after the signed one's %%EOF."""
    return _line(pdf) + b"startxref\n%d\n%%%%EOF\n" % startxref(pdf, 0)


def eof_inside_stream(pdf: bytes) -> bytes:
    """An update whose new content stream holds `%%EOF` and a fake trailer in its data."""
    page_no, number = page_number(pdf), next_free(pdf)
    page = latest(pdf, page_no)
    page[pdf_name("/Contents")] = ref(number)
    data = DEFACED + b"\n%%EOF\ntrailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    return append_update(pdf, {number: stream(data), page_no: serialize(page)})


def hybrid_reference(pdf: bytes) -> bytes:
    """A classic update whose trailer names an /XRefStm that redefines page 1 (hybrid-reference file):
    a reader of classic tables sees nothing new, a PDF 1.5 reader sees the new page."""
    page_no, number = page_number(pdf), next_free(pdf)
    page = latest(pdf, page_no)
    page[pdf_name("/Contents")] = ref(number)
    hidden = append_compressed_update(pdf, {page_no: serialize(page)}, {number: stream(DEFACED)})
    xrefstm_at = startxref(hidden)
    body = hidden[len(_line(pdf)):hidden.rfind(b"startxref")]
    out = bytearray(_line(pdf)) + body
    at = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< " + _trailer_entries(pdf, None, next_free(hidden))
    out += b" /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n" % (xrefstm_at, at)
    return bytes(out)


# -- a signer's own revision that also changes something --------------------------------------------


def sign_with(pdf: bytes, field: str, identity: Identity,
              objects: dict[int, bytes] | None = None,
              cms_of: Callable[[bytes, Callable[[bytes], bytes]], bytes] | None = None,
              reserve: int | None = None, signed_at: dt.datetime | None = None) -> bytes:
    """Sign `field` as pakta does (same layout, stamp and CMS), but let the signer's tool also write
    `objects` (number -> body text) in the same revision, replace the CMS (`cms_of(digest, honest)`
    gets the honest CMS maker) with `reserve` bytes of room for it, or claim `signed_at` as /M."""
    return forge(pdf, field, identity, objects=objects, cms_of=cms_of, reserve=reserve, signed_at=signed_at)


def _signed_data(der: bytes) -> cms.SignedData:
    return cms.ContentInfo.load(der)["content"]


def cms_with_two_signers(digest: bytes, honest: Callable[[bytes], bytes]) -> bytes:
    signed = _signed_data(honest(digest))
    signer = signed["signer_infos"][0]
    signed["signer_infos"] = cms.SignerInfos([signer, cms.SignerInfo.load(signer.dump())])
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump(force=True))


def cms_attached(digest: bytes, honest: Callable[[bytes], bytes]) -> bytes:
    signed = _signed_data(honest(digest))
    signed["encap_content_info"] = cms.ContentInfo({"content_type": "data", "content": b"lain"})
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump(force=True))


def cms_sid_other_certificate(other: Identity) -> Callable[[bytes, Callable[[bytes], bytes]], bytes]:
    """The honest certificate stays in the set, but the SignerIdentifier names `other`'s."""
    def build(digest: bytes, honest: Callable[[bytes], bytes]) -> bytes:
        signed = _signed_data(honest(digest))
        other_cert = asn1_x509.Certificate.load(other.cert.public_bytes(serialization.Encoding.DER))
        signed["certificates"] = cms.CertificateSet([*signed["certificates"], other_cert])
        signer = signed["signer_infos"][0]
        signer["sid"] = cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
            {"issuer": other_cert.issuer, "serial_number": other_cert.serial_number})})
        return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump(force=True))
    return build


def cms_sha256_digest_algorithm(digest: bytes, honest: Callable[[bytes], bytes]) -> bytes:
    """digestAlgorithm says SHA-256 while the signed message digest is SHA-512's."""
    signed = _signed_data(honest(digest))
    signed["signer_infos"][0]["digest_algorithm"] = algos.DigestAlgorithm({"algorithm": "sha256"})
    signed["digest_algorithms"] = cms.DigestAlgorithms([algos.DigestAlgorithm({"algorithm": "sha256"})])
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump(force=True))


# -- signature dictionaries written by hand: what pakta sign never writes ------------------------------

BYTE_RANGE_SLOT = b"[0 0000000000 0000000000 0000000000]"


def restamp(honest: bytes, content: bytes) -> bytes:
    """pakta's stamp object (its text between `obj` and `endobj`) drawing `content` instead."""
    head = honest[: honest.index(b"\nstream\n")]
    head = re.sub(rb"/Length \d+", b"/Length %d" % len(content), head)
    return head + b"\nstream\n" + content + b"\nendstream"


def hand_signed(pdf: bytes, field: str, identity: Identity, *, sig_dict: bytes = b"",
                gap: Callable[[bytes, int], bytes] | None = None, width: int = 0,
                stamp: Callable[[bytes], bytes] | None = None) -> bytes:
    """`field` signed by `identity`'s key in a revision built as pakta builds it, but for: `sig_dict`
    entries added to the signature dictionary, `gap(cms_hex, length)` writing the gap's bytes, `width`
    bytes reserved for the CMS instead of its exact size, `stamp(pakta's)` giving the stamp object's
    text. With none of them, this is exactly `pakta sign`'s revision."""
    engine = _engine(identity.credentials())
    add = (lambda text: text[: -len(b" >>")] + b" " + sig_dict + b" >>") if sig_dict else None
    return forge(pdf, field, identity, sig=add, gap=gap, stamp=stamp,
                 reserve=max(engine.cms_size, width // 2) if width else None)


def signature_in_object_stream(pdf: bytes, field: str, identity: Identity) -> bytes:
    """The signature dictionary stored inside an object stream, so its /Contents has no place in
    the file: the gap the /ByteRange leaves is another object's hex string (holding the real CMS),
    placed where the dictionary's /Contents sits *inside the decoded object stream*. A reader that
    takes the offsets of a compressed object for file offsets sees the gap as /Contents; every
    other reader sees a /Contents of zeros, and the CMS as an unrelated string."""
    engine = _engine(identity.credentials())
    size = 2 * engine.cms_size
    widget_no, sig_no = field_number(pdf, field), next_free(pdf)
    hex_no, objstm_no, xref_no = sig_no + 1, sig_no + 2, sig_no + 3
    widget = latest(pdf, widget_no)
    widget[pdf_name("/V")] = ref(sig_no)
    out = bytearray(_line(pdf))
    rows: dict[int, bytes] = {}
    for number, body in ((widget_no, serialize(widget)), (hex_no, b"<" + b"0" * size + b">")):
        rows[number] = b"\x01" + len(out).to_bytes(4, "big") + b"\x00\x00"
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out) - len(b"\nendobj\n") - size - 2
    stop = start + size + 2
    now = dt.datetime.now(dt.UTC).strftime("(D:%Y%m%d%H%M%SZ)").encode()
    head = (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M " + now +
            b" /PaktaCms %d 0 R /ByteRange " % hex_no + BYTE_RANGE_SLOT + b" /Contents ")
    header = b"%d 0\n" % sig_no
    first = len(header)
    pad = start - first - len(head)
    assert pad >= 0
    sig_text = b" " * pad + head + b"<" + b"0" * size + b">" + b" >>"
    objstm = stream(header + sig_text, Type="/ObjStm", N="1", First=str(first))
    rows[objstm_no] = b"\x01" + len(out).to_bytes(4, "big") + b"\x00\x00"
    out += b"%d 0 obj\n%s\nendobj\n" % (objstm_no, objstm)
    rows[sig_no] = b"\x02" + objstm_no.to_bytes(4, "big") + b"\x00\x00"
    _close_with_xref_stream(pdf, out, rows, xref_no)
    numbers_text = (b"[0 %d %d %d]" % (start, stop, len(out) - stop)).ljust(len(BYTE_RANGE_SLOT))
    slot = out.index(BYTE_RANGE_SLOT, len(pdf))
    out[slot : slot + len(BYTE_RANGE_SLOT)] = numbers_text
    digest = hashlib.sha512(bytes(out[:start] + out[stop:])).digest()
    out[start:stop] = b"<" + engine.cms(digest).hex().encode().ljust(size, b"0") + b">"
    return bytes(out)
