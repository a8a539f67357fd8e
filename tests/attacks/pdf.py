"""Byte-level PDF surgery for the attack suite.

Two ways to change a signed PDF:
- in place, keeping every offset (`overwrite`): the signed bytes change, the file still parses;
- by appending an incremental update (`append_update` by hand with a classic xref table, or
  `pyhanko_update` when pyHanko's writer says it more simply): the signed bytes stay as they were,
  and a reader that resolves objects through the newest xref sees the attacker's objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF")


# -- reading ---------------------------------------------------------------------------------------


def reader(pdf: bytes) -> PdfFileReader:
    return PdfFileReader(BytesIO(pdf), strict=False)


def startxref(pdf: bytes, revision: int = -1) -> int:
    """The offset of a revision's xref section (default: the newest), from its `startxref`."""
    found = _STARTXREF.findall(pdf)
    if not found:
        raise ValueError("no startxref in this PDF")
    return int(found[revision])


def eof_offsets(pdf: bytes) -> list[int]:
    """Where each revision ends: just after each `%%EOF` and its line end, first revision first."""
    ends = []
    for match in re.finditer(rb"%%EOF(\r\n|\r|\n)?", pdf):
        ends.append(match.end())
    return ends


def serialize(obj: generic.PdfObject) -> bytes:
    """PDF syntax for one object, as pyHanko writes it (references as `N G R`)."""
    out = BytesIO()
    obj.write_to_stream(out, None)
    return out.getvalue()


def latest(pdf: bytes, number: int) -> generic.PdfObject:
    """Object `number` as the newest revision defines it."""
    return reader(pdf).get_object(generic.Reference(number, 0))


def page_number(pdf: bytes, index: int = 0) -> int:
    """The object number of page `index` (0 is the first page)."""
    ref, _ = reader(pdf).find_page_for_modification(index)
    return int(ref.idnum)


def field_number(pdf: bytes, name: str) -> int:
    """The object number of the form field (for pakta, the merged field and widget) called `name`."""
    for ref in reader(pdf).root["/AcroForm"]["/Fields"]:
        if str(ref.get_object().get("/T")) == name:
            return int(ref.idnum)
    raise KeyError(name)


def root_number(pdf: bytes) -> int:
    return int(reader(pdf).trailer.raw_get("/Root").idnum)


def next_free(pdf: bytes) -> int:
    """The first object number no revision uses yet (the trailer's /Size)."""
    return int(reader(pdf).trailer["/Size"])


def stream(data: bytes, **entries: str) -> bytes:
    """The body of a stream object: `<< entries /Length n >> stream ... endstream`.

    Entries are written as given, e.g. `stream(b"...", Type="/XObject", Subtype="/Form")`.
    """
    head = b" ".join(b"/%s %s" % (key.encode(), value.encode()) for key, value in entries.items())
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (head, len(data), data)


# -- signatures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureBytes:
    """Where one signature sits in the file: its /ByteRange values and the text that holds them,
    and the `<hex>` gap between the two signed ranges."""

    field: str
    byte_range: tuple[int, int, int, int]
    byte_range_text: tuple[int, int]  # [start, end) of `[a b c d]` including the brackets
    gap: tuple[int, int]  # [start, end) of `<...>`, i.e. (a + b, c)

    @property
    def contents_hex(self) -> tuple[int, int]:
        """[start, end) of the hex digits inside the angle brackets."""
        return self.gap[0] + 1, self.gap[1] - 1

    @property
    def covered_end(self) -> int:
        """Where the signed bytes end: the end of the revision the signature signs."""
        return self.byte_range[2] + self.byte_range[3]


def signatures(pdf: bytes) -> dict[str, SignatureBytes]:
    """Every signature in the file by field name, located from pyHanko's reading of it."""
    found = {}
    for sig in reader(pdf).embedded_signatures:
        values = tuple(int(v) for v in sig.sig_object["/ByteRange"])
        a, b, c, d = values
        pattern = rb"/ByteRange\s*(\[\s*%d\s+%d\s+%d\s+%d\s*\])" % (a, b, c, d)
        match = re.search(pattern, pdf)
        if match is None:
            raise ValueError(f"cannot find the /ByteRange text of {sig.field_name}")
        found[sig.field_name] = SignatureBytes(
            field=sig.field_name,
            byte_range=(a, b, c, d),
            byte_range_text=match.span(1),
            gap=(a + b, c),
        )
    return found


def signature(pdf: bytes, field: str) -> SignatureBytes:
    return signatures(pdf)[field]


def der_hex(pdf: bytes, sig: SignatureBytes) -> bytes:
    """The hex digits of the CMS blob itself, without the zero padding after it."""
    start, end = sig.contents_hex
    digits = pdf[start:end]
    head = bytes.fromhex(digits[:12].decode())
    if head[1] < 0x80:
        length = 2 + head[1]
    else:
        size = head[1] & 0x7F
        length = 2 + size + int.from_bytes(head[2 : 2 + size], "big")
    return digits[: 2 * length]


# -- changing bytes in place -----------------------------------------------------------------------


def overwrite(pdf: bytes, start: int, end: int, new: bytes, pad: bytes = b" ") -> bytes:
    """Replace pdf[start:end] with `new`, padded to the same length so no offset moves."""
    if len(new) > end - start:
        raise ValueError(f"{len(new)} bytes do not fit in {end - start}")
    return pdf[:start] + new.ljust(end - start, pad) + pdf[end:]


def replace_once(pdf: bytes, old: bytes, new: bytes, start: int = 0, end: int | None = None) -> bytes:
    """Replace the only occurrence of `old` in pdf[start:end] with `new` of the same length."""
    if len(old) != len(new):
        raise ValueError("replace_once keeps offsets: old and new need the same length")
    end = len(pdf) if end is None else end
    at = pdf.find(old, start, end)
    if at < 0 or pdf.find(old, at + 1, end) >= 0:
        raise ValueError(f"{old!r} does not occur exactly once")
    return pdf[:at] + new + pdf[at + len(old) :]


def set_byte_range(pdf: bytes, field: str, text: bytes) -> bytes:
    """Rewrite the field's `/ByteRange [...]` text in place (padded; the array may grow into the
    spaces signers leave after it)."""
    start, end = signature(pdf, field).byte_range_text
    while pdf[end : end + 1] == b" ":
        end += 1
    return overwrite(pdf, start, end, text)


# -- incremental updates ---------------------------------------------------------------------------


def _trailer_entries(pdf: bytes, root: int | None, size: int, prev: int | None = None) -> bytes:
    """`/Size .. /Root .. /Info .. /ID .. /Prev ..` for an update chained to `pdf` (or to the xref
    section at `prev`)."""
    trailer = reader(pdf).trailer
    entries = [b"/Size %d" % size, b"/Root %d 0 R" % (root if root is not None else root_number(pdf))]
    info = trailer.raw_get("/Info") if "/Info" in trailer else None
    if isinstance(info, generic.IndirectObject):
        entries.append(b"/Info %d 0 R" % info.idnum)
    if "/ID" in trailer:
        entries.append(b"/ID " + serialize(trailer["/ID"]))
    entries.append(b"/Prev %d" % (startxref(pdf) if prev is None else prev))
    return b" ".join(entries)


def _xref_section(previous: bytes, offsets: Mapping[int, int], root: int | None, at: int,
                  prev: int | None = None) -> bytes:
    """A classic xref table for `offsets` and a trailer chained to `previous`, placed at `at`."""
    out = bytearray(b"xref\n0 1\n0000000000 65535 f \n")
    numbers = sorted(offsets)
    run: list[int] = []
    for number in [*numbers, -1]:
        if run and number != run[-1] + 1:
            out += b"%d %d\n" % (run[0], len(run))
            out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in run)
            run = []
        run.append(number)
    size = max([next_free(previous), *(n + 1 for n in numbers)])
    out += b"trailer\n<< " + _trailer_entries(previous, root, size, prev) + b" >>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % at
    return bytes(out)


def _line(pdf: bytes) -> bytes:
    return pdf if pdf.endswith(b"\n") else pdf + b"\n"


def append_xref(pdf: bytes, offsets: Mapping[int, int], root: int | None = None) -> bytes:
    """Append a classic xref section (object number -> byte offset) and a trailer with /Prev.

    The objects may already be anywhere in the file: `append_update` writes them just before, an
    attack may point the table at bytes it hid elsewhere.
    """
    out = _line(pdf)
    return out + _xref_section(pdf, offsets, root, len(out))


def append_update(pdf: bytes, objects: Mapping[int, bytes], root: int | None = None,
                  prev: int | None = None) -> bytes:
    """Append an incremental update by hand: each `objects` value is the text between `N 0 obj`
    and `endobj`; a classic xref table and a trailer with /Prev (and /Root = `root` if given) follow.
    /Prev is the newest xref section's offset, or `prev` to chain the update to an older one.

    The bytes before the update are left exactly as they were, so every signature's byte range
    still covers what it signed: only a verifier that compares revisions notices the change.
    """
    out = bytearray(_line(pdf))
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    return bytes(out) + _xref_section(pdf, offsets, root, len(out), prev)


def single_revision(pdf: bytes) -> bytes:
    """The file rewritten by pyHanko as one revision, then in pakta's own PDF dialect: what an
    attacker hands a signer when the shadow content must look as if pakta had rendered it. Its
    bytes are in pakta's form, so only what the objects say can give the attack away."""
    from pakta_cli.pdf import canonical
    from pakta_cli.pdf.syntax import PdfError

    out = BytesIO()
    copy_into_new_writer(reader(pdf), writer_kwargs={"stream_xrefs": False}).write(out)
    try:
        return canonical.rewrite_rendered(out.getvalue())[0]
    except PdfError:  # objects pyHanko numbered with gaps: pakta's form cannot hold them
        return out.getvalue()


def pyhanko_update(pdf: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    """Append an incremental update written by pyHanko: `change` edits the writer's objects."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    change(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def append_compressed_update(pdf: bytes, packed: Mapping[int, bytes], plain: Mapping[int, bytes] | None = None,
                             root: int | None = None) -> bytes:
    """Append an update the PDF 1.5 way: the objects of `packed` (no streams) inside one object
    stream, `plain` objects as usual, and a cross-reference *stream* instead of a table.

    A verifier that reads only classic tables, or looks only at objects written out in the open,
    would not see what this update changes.
    """
    plain = dict(plain or {})
    objstm_no = max([next_free(pdf), *(n + 1 for n in (*packed, *plain))])
    xref_no = objstm_no + 1
    offsets, at = [], 0
    for body in packed.values():
        offsets.append(at)
        at += len(body) + 1
    header = b" ".join(b"%d %d" % (n, off) for n, off in zip(packed, offsets, strict=True)) + b"\n"
    data = header + b"".join(body + b"\n" for body in packed.values())
    plain[objstm_no] = stream(data, Type="/ObjStm", N=str(len(packed)), First=str(len(header)))
    out = bytearray(_line(pdf))
    rows = {}
    for number, body in sorted(plain.items()):
        rows[number] = b"\x01" + len(out).to_bytes(4, "big") + b"\x00\x00"
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    for index, number in enumerate(packed):
        rows[number] = b"\x02" + objstm_no.to_bytes(4, "big") + index.to_bytes(2, "big")
    xref_at = len(out)
    rows[xref_no] = b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00"
    numbers = sorted(rows)
    index_text = " ".join(f"{n} 1" for n in numbers)
    xref = stream(b"".join(rows[n] for n in numbers), Type="/XRef", W="[1 4 2]", Index=f"[{index_text}]")
    xref = xref.replace(b"<< ", b"<< " + _trailer_entries(pdf, root, xref_no + 1) + b" ", 1)
    out += b"%d 0 obj\n%s\nendobj\n" % (xref_no, xref)
    return bytes(out) + b"startxref\n%d\n%%%%EOF\n" % xref_at


def many_objects(pdf: bytes, count: int) -> bytes:
    """`pdf` with an update of `count` small objects (arrays of twenty numbers): cheap to make, slow to parse."""
    body, offsets = bytearray(pdf), []
    for number in range(1000, 1000 + count):
        offsets.append(len(body))
        body += b"%d 0 obj\n[0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19]\nendobj\n" % number
    at = len(body)
    body += b"xref\n1000 %d\n" % count + b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    prev = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    body += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        1000 + count, root_number(pdf), prev, at)
    return bytes(body)
