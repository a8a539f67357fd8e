"""Attacks for `tests/test_attacks_prepared.py`: what a PDF 1.5 writer can hide in a signing
revision, and what a preparer can plant in a pact before the first signature.

- `signing_revision`: a party's field signed with pakta's own CMS in a revision written by hand and
  closed with a cross-reference *stream*, as a PDF 1.5 tool writes one; the attacks add an object
  stream to it (with a header that two readers read two ways, or an honest one), or encode the
  cross-reference stream with a predictor pakta does not read.
- `prepared`: the rendered pact changed before anyone signs it and rewritten by pyHanko as one
  revision, so the change looks rendered; `sign_as_pakta` then signs it the way `pakta sign` does.

Every key is made in memory by the test that asks for it; nothing here reads a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject, pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from pakta_cli.sign import _engine
from tests.attacks import more
from tests.attacks.identities import Identity
from tests.attacks.pdf import (
    _trailer_entries,
    append_compressed_update,
    latest,
    next_free,
    page_number,
    pyhanko_update,
    serialize,
    single_revision,
    stream,
)
from tests.attacks.tamper import COVER_BOX, add_annotation, object_span, ref

# What viewers show on page 1 once the attack works: a white box over the body and other words.
OVERLAY = b"q 1 1 1 rg 50 300 510 420 re f Q BT /F1 28 Tf 80 600 Td (PAKTA INI DIBATALKAN) Tj ET"
# signing_revision numbers the signature dictionary next_free(pdf) and the stamp next_free(pdf) + 1;
# an attack's own objects start here
EXTRA = 2


def first_extra(pdf: bytes) -> int:
    """The first object number an attack may use for its own objects in `signing_revision`."""
    return next_free(pdf) + EXTRA


# -- cross-reference streams and their predictors ----------------------------------------------------


def tiff_predicted(data: bytes, row: int) -> bytes:
    """TIFF predictor 2 (one 8-bit colour): each byte of a row minus the byte before it."""
    out = bytearray()
    for at in range(0, len(data), row):
        line = data[at : at + row]
        out += bytes([line[0]]) + bytes((line[i] - line[i - 1]) & 0xFF for i in range(1, len(line)))
    return bytes(out)


def png_sub_predicted(data: bytes, row: int, pixel: int) -> bytes:
    """PNG predictor, filter type 1 (Sub) on every row: each byte minus the one `pixel` bytes before.

    `pixel` is what /Colors and /BitsPerComponent make a pixel (3 for /Colors 3, 2 for 16 bits): a
    reader that takes a pixel for one byte, as if /Colors 1 /BitsPerComponent 8, decodes other rows.
    """
    out = bytearray()
    for at in range(0, len(data), row):
        line = data[at : at + row]
        out += b"\x01" + bytes((line[i] - (line[i - pixel] if i >= pixel else 0)) & 0xFF for i in range(len(line)))
    return bytes(out)


def png_up_predicted(data: bytes, row: int) -> bytes:
    """PNG predictor, filter type 2 (Up) on every row: what pakta reads (and pyHanko writes)."""
    out, previous = bytearray(), bytes(row)
    for at in range(0, len(data), row):
        line = data[at : at + row]
        out += b"\x02" + bytes((line[i] - previous[i]) & 0xFF for i in range(len(line)))
        previous = line
    return bytes(out)


@dataclass(frozen=True)
class XrefEncoding:
    """How `signing_revision` writes its cross-reference stream: the /W field widths, and, if
    `parms` is given, Flate with these /DecodeParms over the rows run through `predict(rows, row)`."""

    widths: tuple[int, int, int] = (1, 4, 2)
    parms: bytes | None = None
    predict: Callable[[bytes, int], bytes] | None = None


PLAIN_XREF = XrefEncoding()


def _row(widths: tuple[int, int, int], *fields: int) -> bytes:
    return b"".join(value.to_bytes(width, "big") for value, width in zip(fields, widths, strict=True))


def _xref_stream(pdf: bytes, rows: Mapping[int, tuple[int, int, int]], xref_no: int, xref: XrefEncoding) -> bytes:
    numbers = sorted(rows)
    data = b"".join(_row(xref.widths, *rows[n]) for n in numbers)
    widths = " ".join(map(str, xref.widths))
    entries = {"Type": "/XRef", "W": f"[{widths}]", "Index": "[" + " ".join(f"{n} 1" for n in numbers) + "]"}
    if xref.parms is not None:
        if xref.predict is not None:
            data = xref.predict(data, sum(xref.widths))
        data = zlib.compress(data)
        entries.update(Filter="/FlateDecode", DecodeParms=xref.parms.decode())
    text = stream(data, **entries)
    return text.replace(b"<< ", b"<< " + _trailer_entries(pdf, None, xref_no + 1) + b" ", 1)


# -- a signing revision written by hand, closed with a cross-reference stream --------------------------


def signing_revision(pdf: bytes, field: str, identity: Identity, *, objects: Mapping[int, bytes] | None = None,
                     packed: Mapping[int, tuple[int, int]] | None = None, sig_entries: bytes = b"",
                     xref: XrefEncoding = PLAIN_XREF) -> bytes:
    """`field` signed by `identity`'s key, its objects exactly as `pakta sign` writes them (widget,
    signature dictionary plus `sig_entries`, stamp), but closed the PDF 1.5 way: with a
    cross-reference stream encoded as `xref`, and `objects` (number -> the text between `N 0 obj`
    and `endobj`, numbered from `first_extra(pdf)`) written alongside. `packed` names the objects
    stored inside one of those objects, an object stream: number -> (object stream, index).

    With no `objects`, only the closing tells it from `pakta sign`'s own revision.
    """
    from pakta_cli import sigrevision
    from pakta_cli.pdf import writer as pakta_writer
    from pakta_cli.verify import read_pact
    from tests.attacks.forge import body_of as object_body

    engine = _engine(identity.credentials())
    size = 2 * engine.cms_size
    pact = read_pact(pdf)
    before = sigrevision.before_signing(pact.doc, len(pact.doc.revisions), field, pact.verify_url)
    signed_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    built = sigrevision.build(before, field, sigrevision.signer_of(identity.cert, signed_at),
                              bytes(engine.cms_size))
    objects, packed = dict(objects or {}), dict(packed or {})
    body = {num: object_body(chunk) for num, chunk in built.objects.items()}
    sig = body[built.signature].replace(pakta_writer.value([0, *built.byte_range[1:]]), more.BYTE_RANGE_SLOT)
    if sig_entries:
        sig = sig[: -len(b" >>")] + b" " + sig_entries + b" >>"
    body[built.signature] = sig
    body.update(objects)
    xref_no = max(body) + 1
    placeholder = b"<" + b"0" * size + b">"
    out = bytearray(pdf)
    rows: dict[int, tuple[int, int, int]] = {}
    for number, text in sorted(body.items()):
        rows[number] = (1, len(out), 0)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, text)
    for number, (container, index) in packed.items():
        rows[number] = (2, container, index)
    xref_at = len(out)
    rows[xref_no] = (1, xref_at, 0)
    out += b"%d 0 obj\n%s\nendobj\nstartxref\n%d\n%%%%EOF\n" % (xref_no, _xref_stream(pdf, rows, xref_no, xref),
                                                             xref_at)
    # the byte range around the placeholder, then pakta's CMS over it
    start = out.index(placeholder, len(pdf))
    stop = start + len(placeholder)
    slot = out.index(more.BYTE_RANGE_SLOT, len(pdf))
    numbers = b"[0 %d %d %d]" % (start, stop, len(out) - stop)
    out[slot : slot + len(more.BYTE_RANGE_SLOT)] = numbers.ljust(len(more.BYTE_RANGE_SLOT))
    digest = hashlib.sha512(bytes(out[:start] + out[stop:])).digest()
    out[start:stop] = b"<" + engine.cms(digest).hex().upper().encode().ljust(size, b"0") + b">"
    return bytes(out)


def rendered_text(pdf: bytes, number: int) -> bytes:
    """Object `number` exactly as the rendered revision wrote it (between `obj` and `endobj`)."""
    start, end = object_span(pdf, number)
    match = re.match(rb"\d+ 0 obj(.*)endobj", pdf[start:end], re.S)
    assert match is not None
    return match.group(1).strip()


def object_stream(objects: Mapping[int, bytes], header: bytes | None = None, *, at: Mapping[int, int] | None = None,
                  parms: bytes | None = None, predict: Callable[[bytes, int], bytes] | None = None) -> bytes:
    """An object stream holding `objects` (number -> text), each at offset `at[number]` from /First
    (default: one after the other). `header` replaces the honest `N offset ...` header. With `parms`,
    the data is Flate-compressed after `predict(data, len(data))` (one row) with these /DecodeParms,
    where `@COLUMNS` stands for the row's length."""
    offsets = dict(at or {})
    data = b""
    for number, text in objects.items():
        if number in offsets:
            data = data.ljust(offsets[number], b" ")
        offsets[number] = len(data)
        data += text + b"\n"
    head = header if header is not None else b" ".join(b"%d %d" % (n, offsets[n]) for n in objects) + b"\n"
    entries = {"Type": "/ObjStm", "N": str(len(objects)), "First": str(len(head))}
    raw = head + data
    if parms is not None:
        raw = zlib.compress(predict(raw, len(raw)) if predict else raw)
        entries.update(Filter="/FlateDecode", DecodeParms=parms.replace(b"@COLUMNS", b"%d" % len(head + data)).decode())
    return stream(raw, **entries)


# -- object streams in a signing revision ---------------------------------------------------------------

HIDDEN_AT = 1000  # where, inside the object stream, viewers find the rewritten page 1


def page_behind_commented_header(pdf: bytes, field: str, identity: Identity, content: bytes = OVERLAY) -> bytes:
    """The party's own, valid signature, in a revision that also puts page 1 in an object stream whose
    header is `P %1\\nHIDDEN_AT`: a reader that takes every run of digits for a number reads (P, 1),
    where an unchanged copy of page 1 sits; a PDF tokenizer skips the comment and reads (P, 1000),
    where page 1 has a second content stream that whites out the body and writes other words. The
    new content stream hangs off the signature dictionary (/Prop_Build), so it counts as reachable
    from the signature."""
    page_no = page_number(pdf)
    overlay_no, objstm_no = first_extra(pdf), first_extra(pdf) + 1
    page = latest(pdf, page_no)
    page[pdf_name("/Contents")] = ArrayObject([page.raw_get("/Contents"), ref(overlay_no)])
    header = b"%d %%1\n%d\n" % (page_no, HIDDEN_AT)
    data = (b" " + rendered_text(pdf, page_no)).ljust(HIDDEN_AT, b" ") + serialize(page) + b"\n"
    objstm = stream(header + data, Type="/ObjStm", N="1", First=str(len(header)))
    return signing_revision(pdf, field, identity, objects={overlay_no: stream(content), objstm_no: objstm},
                            packed={page_no: (objstm_no, 0)},
                            sig_entries=b"/Prop_Build << /App << /Name /pakta /Extra %d 0 R >> >>" % overlay_no)


def unchanged_page_in_object_stream(pdf: bytes, field: str, identity: Identity, *, parms: bytes | None = None,
                                    predict: Callable[[bytes, int], bytes] | None = None) -> bytes:
    """The party's own, valid signature, in a revision that also writes page 1 again, exactly as the
    rendered revision has it, inside an honest object stream (optionally with `parms` /DecodeParms)."""
    page_no, objstm_no = page_number(pdf), first_extra(pdf)
    objstm = object_stream({page_no: rendered_text(pdf, page_no)}, parms=parms, predict=predict)
    return signing_revision(pdf, field, identity, objects={objstm_no: objstm}, packed={page_no: (objstm_no, 0)})


def page_copy_in_compressed_update(pdf: bytes) -> bytes:
    """An update after the signatures that writes page 1 again, exactly as the rendered revision has
    it, inside an object stream listed by a cross-reference stream: it changes nothing anyone sees."""
    page_no = page_number(pdf)
    return append_compressed_update(pdf, {page_no: rendered_text(pdf, page_no)})


def signature_object_in_object_stream(pdf: bytes, field: str, identity: Identity) -> bytes:
    """The party's own, valid signature, whose revision keeps one of its own new objects (the
    signature's /Prop_Build application dictionary) in an object stream."""
    app_no, objstm_no = first_extra(pdf), first_extra(pdf) + 1
    objstm = object_stream({app_no: b"<< /Name /pakta >>"})
    return signing_revision(pdf, field, identity, objects={objstm_no: objstm}, packed={app_no: (objstm_no, 0)},
                            sig_entries=b"/Prop_Build << /App %d 0 R >>" % app_no)


# -- pacts prepared before the first signature ---------------------------------------------------------


def prepared(pdf: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    """The rendered pact changed by `change` and rewritten by pyHanko as one revision: what a preparer
    hands the first signer, with the change looking as if pakta had rendered it."""
    return single_revision(pyhanko_update(pdf, change))


def sign_as_pakta(pdf: bytes, field: str, identity: Identity) -> bytes:
    """`field` signed exactly as `pakta sign` signs it (same stamp, same CMS, one revision), but
    without its refusal to sign a pact that is not as rendered: an older pakta, or any PAdES tool,
    signs what it is handed, so the verifier must judge the pact on its own."""
    from tests.attacks.forge import forge

    return forge(pdf, field, identity)


def _javascript(script: str) -> DictionaryObject:
    return DictionaryObject({pdf_name("/S"): pdf_name("/JavaScript"), pdf_name("/JS"): pdf_string(script)})


def open_action(writer: IncrementalPdfFileWriter) -> None:
    """The catalog gains JavaScript that runs when the pact is opened."""
    writer.root[pdf_name("/OpenAction")] = _javascript(
        "if (new Date() > new Date(2027, 0, 1)) this.getOCGs()[0].state = true;")
    writer.update_root()


def catalog_additional_actions(writer: IncrementalPdfFileWriter) -> None:
    """The catalog gains /AA: JavaScript that runs before the pact prints."""
    writer.root[pdf_name("/AA")] = DictionaryObject({pdf_name("/WP"): _javascript("app.alert('sah');")})
    writer.update_root()


def names_javascript(writer: IncrementalPdfFileWriter) -> None:
    """The catalog's /Names dictionary gains a /JavaScript name tree: document-level scripts that
    run when the pact opens, beside the embedded definition."""
    names_ref = writer.root.raw_get("/Names")
    names = names_ref.get_object()
    names[pdf_name("/JavaScript")] = DictionaryObject({pdf_name("/Names"): ArrayObject([
        pdf_string("pakta"), writer.add_object(_javascript("app.alert('sah');"))])})
    if isinstance(names_ref, generic.IndirectObject):
        writer.mark_update(names_ref)
    else:
        writer.update_root()


def _field_ref(writer: IncrementalPdfFileWriter, name: str) -> generic.IndirectObject:
    for field_ref in writer.root["/AcroForm"]["/Fields"]:
        if str(field_ref.get_object().get("/T")) == name:
            return field_ref
    raise KeyError(name)


def _numbers(*values: float) -> ArrayObject:
    return ArrayObject([generic.NumberObject(v) if float(v).is_integer() else generic.FloatObject(v)
                        for v in values])


def widget_rect(field: str, rect: Callable[[tuple[float, ...], tuple[float, ...]], tuple[float, ...]]
                ) -> Callable[[IncrementalPdfFileWriter], None]:
    """`field`'s widget gets the /Rect `rect(own_rect, other_rects[0])` (the other: another field's)."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        target = _field_ref(writer, field)
        others = [f for f in writer.root["/AcroForm"]["/Fields"] if f.idnum != target.idnum]
        own = tuple(float(v) for v in target.get_object()["/Rect"])
        other = tuple(float(v) for v in others[0].get_object()["/Rect"])
        target.get_object()[pdf_name("/Rect")] = _numbers(*rect(own, other))
        writer.mark_update(target)

    return change


BODY = (40, 250, 570, 760)  # the body of page 1: what a stamp in a field this big would cover


def covering_the_body(own: tuple[float, ...], other: tuple[float, ...]) -> tuple[float, ...]:
    return BODY


def on_the_other_block(own: tuple[float, ...], other: tuple[float, ...]) -> tuple[float, ...]:
    """A signature block's size, moved onto the other party's block (half a block to the right)."""
    x1, y1, x2, y2 = other
    shift = (x2 - x1) / 2
    return (x1 + shift, y1, x2 + shift, y2)


def widget_entry(field: str, key: str, value: Callable[[IncrementalPdfFileWriter], generic.PdfObject]
                 ) -> Callable[[IncrementalPdfFileWriter], None]:
    """`field`'s widget gains `key` = `value(writer)` before anyone signs."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        target = _field_ref(writer, field)
        target.get_object()[pdf_name(key)] = value(writer)
        writer.mark_update(target)

    return change


def fake_stamp(writer: IncrementalPdfFileWriter) -> DictionaryObject:
    """An /AP dictionary whose normal appearance already reads as a signature stamp."""
    xobject = generic.StreamObject({
        pdf_name("/Type"): pdf_name("/XObject"),
        pdf_name("/Subtype"): pdf_name("/Form"),
        pdf_name("/BBox"): _numbers(0, 0, 175, 68),
        pdf_name("/Resources"): DictionaryObject({pdf_name("/Font"): DictionaryObject({
            pdf_name("/H"): DictionaryObject({
                pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica")})})}),
    }, stream_data=b"BT /H 8 Tf 4 50 Td (Ditandatangani secara elektronik oleh Made Atasan) Tj ET")
    return DictionaryObject({pdf_name("/N"): writer.add_object(xobject)})


def uri_action(writer: IncrementalPdfFileWriter) -> DictionaryObject:
    """An /A action: clicking the signature block opens another web page."""
    return DictionaryObject({pdf_name("/S"): pdf_name("/URI"), pdf_name("/URI"): pdf_string("https://contoh.invalid/")})


def annotation(subtype: str) -> Callable[[IncrementalPdfFileWriter], None]:
    """Page 1 gains an annotation of `subtype` over the body (not a form field), before anyone signs."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        x, y, width, height = COVER_BOX
        annot = DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name(subtype),
            pdf_name("/Rect"): _numbers(x, y, x + width, y + height),
            pdf_name("/Contents"): pdf_string("catatan"),
        })
        if subtype == "/FreeText":
            annot[pdf_name("/DA")] = pdf_string("/Helv 14 Tf 0 g")
        if subtype == "/Link":
            annot[pdf_name("/A")] = uri_action(writer)
        add_annotation(writer, annot)  # it sets /P

    return change


def page_with_kids(writer: IncrementalPdfFileWriter) -> None:
    """Page 1 (a /Type /Page leaf to every viewer) also gets /Kids with an empty page: a reader that
    takes any node with /Kids for a tree node never checks page 1's annotations."""
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    dummy = writer.add_object(DictionaryObject({pdf_name("/Type"): pdf_name("/Page"),
                                                pdf_name("/MediaBox"): page["/MediaBox"],
                                                pdf_name("/Parent"): page_ref}))
    page[pdf_name("/Kids")] = ArrayObject([dummy])
    writer.mark_update(page_ref)


def field_off_the_annots(field: str) -> Callable[[IncrementalPdfFileWriter], None]:
    """`field` stays in /AcroForm /Fields (with /P page 1) but leaves page 1's /Annots."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
        page = page_ref.get_object()
        page[pdf_name("/Annots")] = ArrayObject([a for a in page["/Annots"] if str(a.get_object()["/T"]) != field])
        writer.mark_update(page_ref)

    return change


# -- the rendered file rewritten by hand, object by object ---------------------------------------------


def objects_of(pdf: bytes) -> dict[int, bytes]:
    """Object number -> the text between `N 0 obj` and `endobj`, for a single-revision pakta render."""
    return {int(m.group(1)): m.group(2) for m in re.finditer(rb"(?m)^(\d+) 0 obj\n(.*?)\nendobj\n", pdf, re.S)}


def _in_pakta_form(text: bytes) -> bytes:
    """An object's text as pakta's writer writes it, when it is a plain value (streams stay as given)."""
    from pakta_cli.pdf import writer as pakta_writer
    from pakta_cli.pdf.syntax import Lexer, PdfError

    if b"stream\n" in text:
        return text
    try:
        value, end = Lexer(text).value(0)
        return pakta_writer.value(value) if not text[end:].strip() else text
    except PdfError:  # not a value, or one pakta's writer has no way to write (generation 1): as given
        return text


def rewritten(pdf: bytes, changes: Mapping[int, bytes] | None = None, add: Mapping[int, bytes] | None = None,
              *, before_objects: bytes = b"") -> bytes:
    """The render as one revision again, in pakta's own form, with objects replaced or added (each
    written as pakta writes a value), and `before_objects` between the header and the first object
    (where a linearization dictionary would stand)."""
    from pakta_cli.pdf import writer as pakta_writer
    from pakta_cli.pdf.reader import Document

    trailer = Document(pdf).revisions[0].trailer
    objects = {**objects_of(pdf), **(changes or {}), **(add or {})}
    chunks = [b"%d 0 obj\n%s\nendobj\n" % (n, _in_pakta_form(objects[n])) for n in sorted(objects)]
    assert sorted(objects) == list(range(1, len(objects) + 1)), "objects must be numbered 1..N"
    out = pakta_writer.rendered_file(chunks, root=trailer["Root"], info=trailer.get("Info"))
    if before_objects:
        out = single_revision_bytes_with(out, before_objects)
    return out


def single_revision_bytes_with(pdf: bytes, inserted: bytes) -> bytes:
    """`pdf` with `inserted` after its header, every offset in its table moved to match."""
    header = len(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    out = pdf[:header] + inserted + pdf[header:]
    moved = re.sub(rb"(?m)^(\d{10}) 00000 n ", lambda m: b"%010d 00000 n " % (int(m.group(1)) + len(inserted)), out)
    at = moved.rindex(b"startxref\n") + len(b"startxref\n")
    end = moved.index(b"\n", at)
    return moved[:at] + b"%d" % (int(moved[at:end]) + len(inserted)) + moved[end:]


def object_with(pdf: bytes, needle: bytes) -> int:
    """The number of the render's one object whose text holds `needle`."""
    (number,) = [n for n, text in objects_of(pdf).items() if needle in text]
    return number
