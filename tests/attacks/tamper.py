"""The attacks: each function takes a signed pact's bytes and returns a tampered copy.

Grouped as in the literature on PDF signatures (Mladenov et al., "1 Trillion Dollar Refund", 2019;
Mainka et al., "Shadow Attacks", 2021): changed signed bytes, incremental saving (ISA), signature
wrapping (SWA), universal signature forgery (USF), shadow attacks (hide, replace, hide-and-replace),
and a few of pakta's own (transplanted signatures, truncation).
"""

from __future__ import annotations

import re
import zlib

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject, pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from pakta_cli.render import DEFINITION_NAME
from tests.attacks.pdf import (
    append_compressed_update,
    append_update,
    append_xref,
    der_hex,
    eof_offsets,
    field_number,
    latest,
    next_free,
    overwrite,
    page_number,
    pyhanko_update,
    reader,
    root_number,
    serialize,
    set_byte_range,
    signature,
    startxref,
    stream,
)

# What an attacker would like a pact to say instead; drawn with the page's own font /F1.
DEFACED = b"BT /F1 20 Tf 72 600 Td (PAKTA INI DIBATALKAN) Tj ET"
COVER_BOX = (60, 380, 480, 320)  # x, y, width, height: the body of page 1, below the letterhead


def ref(number: int) -> generic.IndirectObject:
    return generic.IndirectObject(number, 0, None)


# -- bytes changed inside the signed range ---------------------------------------------------------


def object_span(pdf: bytes, number: int, *, newest: bool = False) -> tuple[int, int]:
    """[start, end) of `N 0 obj ... endobj`: as the first revision (the rendered pact) wrote it, or
    the newest text of it anywhere in the file."""
    searched = pdf if newest else pdf[: eof_offsets(pdf)[0]]
    matches = list(re.finditer(rb"(?<![0-9])%d 0 obj\b.*?endobj" % number, searched, re.S))
    if not matches:
        raise ValueError(f"object {number} is not in the file")
    return matches[-1 if newest else 0].span()


def flip_page_content_byte(pdf: bytes) -> bytes:
    """Change one byte in the middle of page 1's content stream: the text the signer saw."""
    contents = latest(pdf, page_number(pdf)).raw_get("/Contents")
    start, end = object_span(pdf, contents.idnum)
    data_start = pdf.index(b"stream", start) + len(b"stream\n")
    middle = (data_start + end) // 2
    old = pdf[middle]
    new = old + 1 if old < ord("t") else ord("!")  # stays an ASCII85 character
    return pdf[:middle] + bytes([new]) + pdf[middle + 1 :]


def embedded_file_number(pdf: bytes, name: str) -> int:
    """The object number of the stream that holds embedded file `name`."""
    names = reader(pdf).root["/Names"]["/EmbeddedFiles"]["/Names"]
    for i in range(0, len(names), 2):
        if str(names[i]) == name:
            return int(names[i + 1]["/EF"].raw_get("/F").idnum)
    raise KeyError(name)


def flip_definition_byte(pdf: bytes, old: bytes, new: bytes) -> bytes:
    """Replace `old` with `new` inside the embedded definition (which pakta stores compressed).

    In a signed pact, the compressed bytes change in place (same length): the signed bytes are no
    longer what was signed. In an unsigned one, the pact is written again as pakta would write it
    with that definition, so only the definition and its manifest hash disagree.
    """
    from pakta_cli.pdf import writer
    from pakta_cli.pdf.reader import Document
    from pakta_cli.pdf.syntax import Stream

    number = embedded_file_number(pdf, DEFINITION_NAME)
    doc = Document(pdf)
    item = doc.get(number)
    assert isinstance(item, Stream)
    if len(doc.revisions) > 1:
        middle = (item.start + item.end) // 2
        return pdf[:middle] + bytes([pdf[middle] ^ 0x55]) + pdf[middle + 1 :]
    text = zlib.decompress(pdf[item.start : item.end])
    assert text.count(old) == 1, old
    changed = zlib.compress(text.replace(old, new))
    rev = doc.revisions[0]
    objects = []
    for num in range(1, rev.trailer["Size"]):
        value = doc.get(num)
        if num == number:
            objects.append(writer.indirect(num, value.dict, changed))
        else:
            objects.append(writer.object_bytes(num, value, pdf))
    return writer.rendered_file(objects, root=rev.trailer["Root"], info=rev.trailer.get("Info"))


# -- incremental updates that change what a reader shows -------------------------------------------


def replace_page_contents(pdf: bytes, content: bytes = DEFACED) -> bytes:
    """ISA: page 1 gets a new /Contents stream in an update after signing."""
    number, page_no = next_free(pdf), page_number(pdf)
    page = latest(pdf, page_no)
    page[pdf_name("/Contents")] = ref(number)
    return append_update(pdf, {number: stream(content), page_no: serialize(page)})


def append_page_contents(pdf: bytes, content: bytes = DEFACED) -> bytes:
    """ISA: an extra content stream appended to page 1's /Contents array after signing."""
    number, page_no = next_free(pdf), page_number(pdf)
    page = latest(pdf, page_no)
    old = page.raw_get("/Contents")
    kept = list(old) if isinstance(old, ArrayObject) else [old]
    page[pdf_name("/Contents")] = ArrayObject([*kept, ref(number)])
    return append_update(pdf, {number: stream(content), page_no: serialize(page)})


def replace_page_in_object_stream(pdf: bytes, content: bytes = DEFACED) -> bytes:
    """ISA, the PDF 1.5 way: page 1 redefined inside an object stream, listed by an xref stream."""
    number, page_no = next_free(pdf), page_number(pdf)
    page = latest(pdf, page_no)
    page[pdf_name("/Contents")] = ref(number)
    return append_compressed_update(pdf, {page_no: serialize(page)}, {number: stream(content)})


def crop_page(pdf: bytes) -> bytes:
    """Shadow hide: page 1's /CropBox shrunk to the letterhead, so the commitments are not shown."""
    page_no = page_number(pdf)
    page = latest(pdf, page_no)
    page[pdf_name("/CropBox")] = ArrayObject([generic.NumberObject(v) for v in (0, 700, 595, 842)])
    return append_update(pdf, {page_no: serialize(page)})


def add_open_action(pdf: bytes) -> bytes:
    """The catalog gains JavaScript that runs when the pact is opened."""
    catalog = reader(pdf).root
    catalog[pdf_name("/OpenAction")] = DictionaryObject({
        pdf_name("/S"): pdf_name("/JavaScript"), pdf_name("/JS"): pdf_string("app.alert('sah');"),
    })
    return append_update(pdf, {root_number(pdf): serialize(catalog)})


def replace_signature_appearance(pdf: bytes, field: str, text: str = "Ditandatangani oleh: Orang Lain") -> bytes:
    """The signed field's visible stamp swapped for another after signing (the signature is untouched)."""
    widget_no, number = field_number(pdf, field), next_free(pdf)
    widget = latest(pdf, widget_no)
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    width, height = int(x2 - x1), int(y2 - y1)
    appearance = stream(
        b"BT /Helv 9 Tf 4 %d Td (%s) Tj ET" % (height // 2, text.encode("latin-1")),
        Type="/XObject", Subtype="/Form", BBox=f"[0 0 {width} {height}]",
        Resources="<< /Font << /Helv << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>",
    )
    widget[pdf_name("/AP")] = DictionaryObject({pdf_name("/N"): ref(number)})
    return append_update(pdf, {widget_no: serialize(widget), number: appearance})


def copy_signature_into_field(pdf: bytes, source: str, target: str) -> bytes:
    """A party's signature dictionary copied, byte for byte, as the value of another party's field:
    both fields now hold a signature that verifies, over the first revision's bytes."""
    start, end = object_span(pdf, _signature_number(pdf, source), newest=True)
    body = re.match(rb"\d+ 0 obj\s(.*)\sendobj", pdf[start:end], re.S)
    assert body is not None
    widget_no, number = field_number(pdf, target), next_free(pdf)
    widget = latest(pdf, widget_no)
    widget[pdf_name("/V")] = ref(number)
    return append_update(pdf, {widget_no: serialize(widget), number: body.group(1)})


def _signature_number(pdf: bytes, field: str) -> int:
    return int(latest(pdf, field_number(pdf, field)).raw_get("/V").idnum)


def skip_signed_revision(pdf: bytes, content: bytes = DEFACED) -> bytes:
    """An update chained (/Prev) to the rendered revision's xref, past the signed one: the signature
    stays in the file, but the revision chain a reader follows no longer contains it."""
    first = startxref(pdf, 0)
    rendered = pdf[: eof_offsets(pdf)[0]]
    number, page_no = next_free(pdf), page_number(rendered)
    page = latest(rendered, page_no)
    page[pdf_name("/Contents")] = ref(number)
    return append_update(pdf, {number: stream(content), page_no: serialize(page)}, prev=first)


def replace_embedded_definition(pdf: bytes, definition: bytes) -> bytes:
    """ISA: the embedded definition's stream redefined by object number after signing."""
    number = embedded_file_number(pdf, DEFINITION_NAME)
    body = stream(definition, Type="/EmbeddedFile", Subtype="/application#2Fjson",
                  Params=f"<< /Size {len(definition)} >>")
    return append_update(pdf, {number: body})


# -- signature wrapping ----------------------------------------------------------------------------


def wrap_byte_range(pdf: bytes, field: str, extra: bytes = b"") -> bytes:
    """SWA: copy the signed second range to the end of the file and point /ByteRange at the copy.

    The hashed bytes are exactly the signed ones, so digest and signature still check out; but the
    bytes a reader parses between the two ranges (the old second range, with its /ByteRange, xref
    and trailer, then `extra`) are now outside the signature, free for the attacker to change.
    """
    a, b, c, d = signature(pdf, field).byte_range
    shown = set_byte_range(pdf, field, b"[%d %d %d %d]" % (a, b, len(pdf) + len(extra), d))
    return shown + extra + pdf[c : c + d]


def _revision_objects(pdf: bytes, start: int, end: int) -> dict[int, bytes]:
    """The objects written between two offsets, as `append_update` bodies (raw bytes kept)."""
    found = {}
    for match in re.finditer(rb"(?<![0-9])(\d+) 0 obj\s(.*?)\sendobj", pdf[start:end], re.S):
        found[int(match.group(1))] = match.group(2)
    return found


def append_signed_revision_copy(pdf: bytes, content: bytes = DEFACED) -> bytes:
    """ISA + SWA: an update that writes every object of the signing revision again, byte for byte
    (so the newest revision holds the signature dictionary, /Contents and /ByteRange unchanged),
    together with new content for page 1."""
    ends = eof_offsets(pdf)
    objects = _revision_objects(pdf, ends[-2], startxref(pdf))
    number, page_no = next_free(pdf), page_number(pdf)
    page = latest(pdf, page_no)
    page[pdf_name("/Contents")] = ref(number)
    objects.update({number: stream(content), page_no: serialize(page)})
    return append_update(pdf, objects)


def duplicate_file(pdf: bytes) -> bytes:
    """The whole signed file appended to itself: bytes after the signed revision that no xref names."""
    return pdf + pdf


def _hide_in_gap(pdf: bytes, field: str, objects: bytes) -> tuple[bytes, int]:
    """Put `objects` (PDF object text) inside the field's /Contents gap, where no signed range
    covers them; returns the new file and where `objects` start.

    If the signer left zero padding after the CMS, the objects go there, as the string value of an
    extra key so the signature dictionary still parses. pakta sizes /Contents exactly, leaving no
    padding: then the gap is widened by moving the signed second range (`wrap_byte_range`).
    """
    sig = signature(pdf, field)
    start, end = sig.gap
    head = b"<" + der_hex(pdf, sig) + b"> /Pakta (\n"
    if len(head) + len(objects) + 1 <= end - start:
        return overwrite(pdf, start, end, head + objects + b")"), start + len(head)
    return wrap_byte_range(pdf, field, objects), len(pdf)


def objects_in_gap(pdf: bytes, field: str) -> bytes:
    """The /Contents gap (outside the signed ranges) carries PDF objects besides the hex string."""
    return _hide_in_gap(pdf, field, b"99 0 obj\n<< /Type /Page /Contents 100 0 R >>\nendobj\n")[0]


def page_hidden_in_gap(pdf: bytes, field: str, content: bytes = DEFACED) -> bytes:
    """SWA: a replacement page 1 and its content stream hidden in the unsigned /Contents gap, and
    an update that is only an xref table pointing page 1 at them: no new object after %%EOF."""
    page_no, number = page_number(pdf), next_free(pdf)
    page = latest(pdf, page_no)
    page[pdf_name("/Contents")] = ref(number)
    page_text = b"%d 0 obj\n%s\nendobj\n" % (page_no, serialize(page))
    stream_text = b"%d 0 obj\n%s\nendobj\n" % (number, stream(content))
    hidden, at = _hide_in_gap(pdf, field, page_text + stream_text)
    return append_xref(hidden, {page_no: at, number: at + len(page_text)})


# -- universal signature forgery: the signature dictionary itself is broken ------------------------


def contents_replaced(pdf: bytes, field: str, new: bytes) -> bytes:
    """The field's `<hex>` gap overwritten with `new` (padded with spaces to the same length)."""
    start, end = signature(pdf, field).gap
    return overwrite(pdf, start, end, new)


def empty_contents(pdf: bytes, field: str) -> bytes:
    return contents_replaced(pdf, field, b"<>")


def zeroed_contents(pdf: bytes, field: str) -> bytes:
    start, end = signature(pdf, field).gap
    return contents_replaced(pdf, field, b"<" + b"0" * (end - start - 2) + b">")


def _key_start(pdf: bytes, key: bytes, before: int) -> int:
    at = pdf.rfind(key, 0, before)
    if at < 0:
        raise ValueError(f"no {key!r} before offset {before}")
    return at


def without_contents(pdf: bytes, field: str) -> bytes:
    """The /Contents key and its value blanked out: a signature dictionary with no signature."""
    start, end = signature(pdf, field).gap
    return overwrite(pdf, _key_start(pdf, b"/Contents", start), end, b"")


def without_byte_range(pdf: bytes, field: str) -> bytes:
    start, end = signature(pdf, field).byte_range_text
    return overwrite(pdf, _key_start(pdf, b"/ByteRange", start), end, b"")


def byte_range_zero(pdf: bytes, field: str) -> bytes:
    return set_byte_range(pdf, field, b"[0 0 0 0]")


def byte_range_negative(pdf: bytes, field: str) -> bytes:
    """The second range written as an offset from the end, as Python slices read negatives."""
    a, b, c, d = signature(pdf, field).byte_range
    return set_byte_range(pdf, field, b"[%d %d %d %d]" % (a, b, c - len(pdf), d))


def byte_range_overlapping(pdf: bytes, field: str) -> bytes:
    """The first range runs over the /Contents gap into the second."""
    a, b, c, d = signature(pdf, field).byte_range
    return set_byte_range(pdf, field, b"[%d %d %d %d]" % (a, c, b, c + d - b))


# -- shadow attacks --------------------------------------------------------------------------------


def _helvetica() -> DictionaryObject:
    return DictionaryObject({
        pdf_name("/Type"): pdf_name("/Font"),
        pdf_name("/Subtype"): pdf_name("/Type1"),
        pdf_name("/BaseFont"): pdf_name("/Helvetica"),
    })


def _form_xobject(writer: IncrementalPdfFileWriter, width: int, height: int, text: str) -> generic.IndirectObject:
    """A form XObject: a white box with black text, to draw over what the page says."""
    content = b"1 1 1 rg 0 0 %d %d re f 0 0 0 rg BT /Helv 14 Tf 10 %d Td (%s) Tj ET" % (
        width, height, height - 30, text.encode("latin-1"))
    xobject = generic.StreamObject({
        pdf_name("/Type"): pdf_name("/XObject"),
        pdf_name("/Subtype"): pdf_name("/Form"),
        pdf_name("/BBox"): ArrayObject([generic.NumberObject(v) for v in (0, 0, width, height)]),
        pdf_name("/Resources"): DictionaryObject({
            pdf_name("/Font"): DictionaryObject({pdf_name("/Helv"): _helvetica()}),
        }),
    }, stream_data=content)
    return writer.add_object(xobject)


def add_annotation(writer: IncrementalPdfFileWriter, annotation: DictionaryObject) -> None:
    """Put `annotation` on page 1, in its /Annots array (direct or not), in this update."""
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    annotation[pdf_name("/P")] = page_ref
    added = writer.add_object(annotation)
    annots = page.raw_get("/Annots") if "/Annots" in page else None
    if isinstance(annots, generic.IndirectObject):
        annots.get_object().append(added)
        writer.mark_update(annots)
    else:
        page[pdf_name("/Annots")] = ArrayObject([*(annots or []), added])
        writer.mark_update(page_ref)


def _rect(box: tuple[int, int, int, int]) -> ArrayObject:
    x, y, width, height = box
    return ArrayObject([generic.NumberObject(v) for v in (x, y, x + width, y + height)])


def covering_annotation(pdf: bytes, subtype: str = "/FreeText") -> bytes:
    """Shadow hide-and-replace: a FreeText or Stamp annotation whose appearance is a white box with
    other words, laid over the pact's body after signing."""
    _, _, width, height = COVER_BOX

    def change(writer: IncrementalPdfFileWriter) -> None:
        appearance = _form_xobject(writer, width, height, "Saya MENOLAK seluruh isi pakta ini.")
        annotation = DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name(subtype),
            pdf_name("/Rect"): _rect(COVER_BOX),
            pdf_name("/F"): generic.NumberObject(4),  # printed
            pdf_name("/AP"): DictionaryObject({pdf_name("/N"): appearance}),
            pdf_name("/Contents"): pdf_string("catatan"),
        })
        if subtype == "/FreeText":
            annotation[pdf_name("/DA")] = pdf_string("/Helv 14 Tf 0 g")
        add_annotation(writer, annotation)

    return pyhanko_update(pdf, change)


def comment_annotation(pdf: bytes) -> bytes:
    """A sticky-note comment (/Text) added after signing: small, but a change all the same."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        add_annotation(writer, DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Text"),
            pdf_name("/Rect"): _rect((500, 780, 20, 20)),
            pdf_name("/Contents"): pdf_string("sudah dicek"),
            pdf_name("/Open"): generic.BooleanObject(False),
        }))

    return pyhanko_update(pdf, change)


OCG_TAG = "/PaktaCatatan"


def prepare_hidden_layer(pdf: bytes, content: bytes = DEFACED) -> bytes:
    """Before signing: content on page 1 in an optional-content group that is OFF, so the signer
    sees the honest pact. (The shadow the attacker plants; the reveal comes after signing.)"""

    def change(writer: IncrementalPdfFileWriter) -> None:
        ocg = writer.add_object(DictionaryObject({
            pdf_name("/Type"): pdf_name("/OCG"), pdf_name("/Name"): pdf_string("catatan"),
        }))
        marked = b"/OC %s BDC 1 1 1 rg 60 380 480 320 re f 0 0 0 rg %s EMC" % (OCG_TAG.encode(), content)
        layer = writer.add_object(generic.StreamObject(stream_data=marked))
        resources = DictionaryObject({pdf_name("/Properties"): DictionaryObject({pdf_name(OCG_TAG): ocg})})
        writer.add_stream_to_page(0, layer, resources=resources)
        writer.root[pdf_name("/OCProperties")] = DictionaryObject({
            pdf_name("/OCGs"): ArrayObject([ocg]),
            pdf_name("/D"): DictionaryObject({
                pdf_name("/ON"): ArrayObject(), pdf_name("/OFF"): ArrayObject([ocg]),
            }),
        })
        writer.update_root()

    return pyhanko_update(pdf, change)


def reveal_hidden_layer(pdf: bytes) -> bytes:
    """After signing: the optional-content default state switched, /D /OFF [] and /ON [layer]."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        properties = writer.root["/OCProperties"]
        layers = properties["/OCGs"]
        properties[pdf_name("/D")] = DictionaryObject({
            pdf_name("/ON"): ArrayObject(list(layers.raw_get(i) for i in range(len(layers)))),
            pdf_name("/OFF"): ArrayObject(),
        })
        writer.update_root()

    return pyhanko_update(pdf, change)


TEXT_FIELD = "catatan"


def _text_field_appearance(writer: IncrementalPdfFileWriter, text: str) -> generic.IndirectObject:
    _, _, width, height = COVER_BOX
    return _form_xobject(writer, width, height, text)


def prepare_text_field(pdf: bytes, value: str = "Disetujui tanpa catatan.") -> bytes:
    """Before signing: a text form field over the pact's body, showing a harmless value."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        page_ref, _ = writer.find_page_for_modification(0)
        widget = DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): pdf_string(TEXT_FIELD),
            pdf_name("/V"): pdf_string(value),
            pdf_name("/DA"): pdf_string("/Helv 14 Tf 0 g"),
            pdf_name("/Rect"): _rect(COVER_BOX),
            pdf_name("/F"): generic.NumberObject(4),
            pdf_name("/AP"): DictionaryObject({pdf_name("/N"): _text_field_appearance(writer, value)}),
        })
        add_annotation(writer, widget)
        page = page_ref.get_object()
        added = page["/Annots"].raw_get(len(page["/Annots"]) - 1)
        form_ref = writer.root.raw_get("/AcroForm")
        form = form_ref.get_object()
        form["/Fields"].append(added)
        if isinstance(form_ref, generic.IndirectObject):
            writer.mark_update(form_ref)
        else:
            writer.update_root()

    return pyhanko_update(pdf, change)


def change_text_field(pdf: bytes, value: str = "Saya MENOLAK seluruh isi pakta ini.") -> bytes:
    """After signing: the text field's value and appearance replaced (what form filling would do)."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        for field_ref in writer.root["/AcroForm"]["/Fields"]:
            field = field_ref.get_object()
            if str(field.get("/T")) == TEXT_FIELD:
                field[pdf_name("/V")] = pdf_string(value)
                field[pdf_name("/AP")] = DictionaryObject({pdf_name("/N"): _text_field_appearance(writer, value)})
                writer.mark_update(field_ref)
                return
        raise KeyError(TEXT_FIELD)

    return pyhanko_update(pdf, change)


def image_numbers(pdf: bytes) -> list[int]:
    """The object numbers of page 1's image XObjects (the letterhead logo)."""
    resources = latest(pdf, page_number(pdf))["/Resources"]
    xobjects = resources.get("/XObject", {})
    return [int(xobjects.raw_get(k).idnum) for k in xobjects if xobjects[k]["/Subtype"] == "/Image"]


def redefine_image(pdf: bytes) -> bytes:
    """Shadow replace: the logo XObject redefined by object number after signing (same size, all
    black), so the page shows other pixels while the page's own objects are untouched."""
    number = image_numbers(pdf)[0]
    image = latest(pdf, number)
    width, height = int(image["/Width"]), int(image["/Height"])
    body = stream(b"\x00" * (width * height * 3), Type="/XObject", Subtype="/Image", Width=str(width),
                  Height=str(height), ColorSpace="/DeviceRGB", BitsPerComponent="8")
    return append_update(pdf, {number: body})


def swap_root(pdf: bytes, content: bytes = DEFACED) -> bytes:
    """Shadow replace: a new catalog, named by the update's trailer /Root, whose /Pages is a new page
    tree with one new page; every object the signature covers stays where it was."""
    catalog_no, pages_no, page_no, stream_no = range(next_free(pdf), next_free(pdf) + 4)
    catalog = reader(pdf).root
    catalog[pdf_name("/Pages")] = ref(pages_no)
    page = latest(pdf, page_number(pdf))
    page[pdf_name("/Parent")] = ref(pages_no)
    page[pdf_name("/Contents")] = ref(stream_no)
    pages = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page_no
    objects = {catalog_no: serialize(catalog), pages_no: pages, page_no: serialize(page), stream_no: stream(content)}
    assert root_number(pdf) != catalog_no
    return append_update(pdf, objects, root=catalog_no)


# -- signature fields and signatures added or moved ------------------------------------------------


def add_signature_field(pdf: bytes, name: str = "pakta-witness-9") -> bytes:
    """A new, empty signature field added after signing."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        fields.append_signature_field(writer, fields.SigFieldSpec(name, on_page=0, box=(72, 72, 250, 140)))

    return pyhanko_update(pdf, change)


def transplant(donor: bytes, target: bytes, field: str) -> bytes:
    """The CMS of `donor`'s signature written into `target`'s field, keeping target's byte range."""
    der = der_hex(donor, signature(donor, field))
    start, end = signature(target, field).gap
    if len(der) + 2 > end - start:
        raise ValueError("the donor's signature does not fit the target's gap")
    return overwrite(target, start, end, b"<" + der.ljust(end - start - 2, b"0") + b">")


# -- truncation ------------------------------------------------------------------------------------


def truncate_mid_signature(pdf: bytes, field: str) -> bytes:
    start, end = signature(pdf, field).contents_hex
    return pdf[: (start + end) // 2]


def truncate_after_first_eof(pdf: bytes) -> bytes:
    """What is left is the rendered, unsigned pact."""
    return pdf[: eof_offsets(pdf)[0]]


def truncate_mid_xref(pdf: bytes) -> bytes:
    at = startxref(pdf)
    return pdf[: at + (len(pdf) - at) // 3]


def truncate_last_byte(pdf: bytes) -> bytes:
    return pdf[:-1]



# -- the CMS container: its certificates are not covered by any signature ---------------------------


def edit_cms(pdf: bytes, field: str, old: bytes, new: bytes) -> bytes:
    """Change the CMS inside the field's /Contents: `old` DER bytes (once) become `new`, same length.

    Only the signed attributes of a CMS are signed; the certificates it carries are not, so anyone
    can rewrite them without touching a signed byte.
    """
    start, end = signature(pdf, field).contents_hex
    der = bytes.fromhex(pdf[start:end].decode("ascii"))
    if len(old) != len(new) or der.count(old) != 1:
        raise ValueError(f"{old.hex()} does not occur exactly once in the CMS")
    return overwrite(pdf, start, end, der.replace(old, new).hex().upper().encode("ascii"))


ED25519_SPKI = bytes.fromhex("06032B6570032100")  # AlgorithmIdentifier id-Ed25519, then BIT STRING (33)
X509_V3 = bytes.fromhex("A003020102")  # [0] EXPLICIT version v3


def certificate_key_type_unknown(pdf: bytes, field: str) -> bytes:
    """The signer certificate carried in the CMS claims a key type no library knows (1.3.101.64)."""
    return edit_cms(pdf, field, ED25519_SPKI, bytes.fromhex("06032B6540032100"))


def certificate_version_invalid(pdf: bytes, field: str) -> bytes:
    """The signer certificate carried in the CMS has X.509 version 19, which does not exist."""
    return edit_cms(pdf, field, X509_V3, bytes.fromhex("A003020112"))
