"""Whether a file's bytes are exactly pakta's PDF dialect (`pakta_cli.pdf.writer`), and where not.

The verifier's rule is that a valid pact holds only bytes pakta writes. For the rendered revision
that means: the file is exactly what `writer.rewrite` writes for the objects its cross-reference
table lists (objects 1..N, in order, nothing before, between or after them but the dialect's own
syntax). Then every reader that parses the file, whether it trusts the table or rebuilds one by
scanning, finds the same objects pakta read, because there is nothing else to find.

Stream data is the one place the dialect does not fix (compressed page content, fonts, images,
embedded files). `hidden_structure` makes sure no stream holds something a repairing reader
would take for structure: an object header, `endstream`, `endobj`, `xref`, `trailer`, `%%EOF`.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

from pakta_cli.pdf import writer
from pakta_cli.pdf.reader import Document, Revision
from pakta_cli.pdf.syntax import PdfDict, PdfError, Ref, Stream, same

# What a reader that rebuilds a cross-reference table by scanning looks for (poppler, MuPDF and
# pdf.js each scan for some of these): none may appear inside a stream's data.
# an object header, its parts apart by white space or a comment (a PDF comment is white space to a
# parser), or a keyword a repairing reader looks for; MuPDF's lexer ends a number at any other byte,
# so it reads `7 0obj` as a header too: between the generation and `obj` white space is optional
_GAP = rb"(?:[\x00\t\n\x0c\r ]|%[^\r\n]*+[\r\n])"
_STRUCTURE = re.compile(rb"(?<![0-9])\d+" + _GAP + rb"++\d+" + _GAP + rb"*+obj(?![A-Za-z0-9])"
                        rb"|endobj|stream|xref|trailer|%%EOF")


@dataclass(frozen=True)
class Deviation:
    """Where a file first differs from pakta's dialect, and why, in words for a message."""

    offset: int
    reason: str


def rewrite_rendered(data: bytes) -> tuple[bytes, Deviation | None]:
    """A one-revision PDF (ReportLab's) written again in pakta's dialect, objects and numbers kept, and
    where any of its streams holds PDF structure (`hidden_structure`: the same data in either file)."""
    doc = Document(data)
    if len(doc.revisions) != 1:
        raise PdfError("a rendered pact has one revision")
    rev = doc.revisions[0]
    size = rev.trailer.get("Size")
    root, info = rev.trailer.get("Root"), rev.trailer.get("Info")
    if type(size) is not int or not isinstance(root, Ref) or not (info is None or isinstance(info, Ref)):
        raise PdfError("the rendered trailer is not as expected")
    if set(rev.entries) != set(range(1, size)):
        raise PdfError("the rendered objects are not numbered 1..N")
    starts = sorted((entry.offset, num) for num, entry in rev.entries.items())
    ends = {num: end for (_, num), (end, _) in zip(starts, [*starts[1:], (rev.xref_offset, 0)], strict=True)}
    chunks = []
    for num in range(1, size):
        # the fonts and most of the form are the same objects in every pact a template renders
        source = data[rev.entries[num].offset : ends[num]]
        written = _REWRITTEN.get(source)
        if written is None:
            written = writer.object_bytes(num, doc.get(num, 1), data)
            if len(_REWRITTEN) >= _CANONICAL_MAX:
                _REWRITTEN.clear()
            _REWRITTEN[source] = written
        chunks.append(written)
    return writer.rendered_file(chunks, root=root, info=info), hidden_structure(doc, rev)


_REWRITTEN: dict[bytes, bytes] = {}  # ReportLab's text of an object -> pakta's, for objects every pact shares


def rendered_deviation(doc: Document) -> Deviation | None:
    """Where the rendered revision is not exactly `writer.rewrite` of its own objects, or None."""
    rev = doc.revisions[0]
    data = doc.data
    size = rev.trailer.get("Size")
    root, info = rev.trailer.get("Root"), rev.trailer.get("Info")
    if type(size) is not int or not isinstance(root, Ref) or not (info is None or isinstance(info, Ref)) \
            or set(rev.entries) != set(range(1, size)) or rev.free != {0: 65535}:
        return Deviation(rev.xref_offset, "its cross-reference table does not list objects 1 to N, each once")
    bounds = [rev.entries[num].offset for num in range(1, size)] + [rev.xref_offset]
    try:
        chunks = [_object_chunk(doc, num, bounds[num - 1], bounds[num]) for num in range(1, size)]
        expected = writer.rendered_file(chunks, root=root, info=info)
    except PdfError as exc:  # NotWritable, or an object that does not parse
        return Deviation(0, str(exc))
    actual = data[: rev.end]
    if expected == actual:
        return None
    return Deviation(_first_difference(expected, actual), "its bytes are not the ones pakta writes for its objects")


_STREAM_TAIL = b"\nendstream\nendobj\n"
_CANONICAL: dict[bytes, int] = {}  # object text (a stream's up to its data) already found in pakta's form
_CANONICAL_MAX = 1024


def _object_chunk(doc: Document, num: int, start: int, end: int) -> bytes:
    """Object `num` as pakta writes it (`writer.object_bytes`), given the file's bytes for it at [start, end).

    Most objects of a pact (fonts, their widths and descriptors, the form) are the same text in
    every pact: text already found to be exactly what the writer writes is taken as it is, without
    parsing and writing it again. Anything else is parsed and written, and compared by the caller.
    """
    data = doc.data
    chunk = data[start:end] if 0 <= start < end <= len(data) else b""
    at = chunk.find(b"\nstream\n")
    key = chunk if at < 0 else chunk[: at + 8]
    length = _CANONICAL.get(key)
    if length is not None and (at < 0 or (len(chunk) == len(key) + length + len(_STREAM_TAIL)
                                          and chunk.endswith(_STREAM_TAIL))):
        return chunk
    item = doc.get(num, 1)
    written = writer.object_bytes(num, item, data)
    if written == chunk:
        if len(_CANONICAL) >= _CANONICAL_MAX:
            _CANONICAL.clear()
        _CANONICAL[key] = item.end - item.start if isinstance(item, Stream) else -1
    return written


def hidden_structure(doc: Document, rev: Revision) -> Deviation | None:
    """A PDF keyword or object header inside the data of a stream of revision `rev`, or None."""
    data = doc.data
    for num in sorted(rev.entries):
        entry = rev.entries[num]
        if entry.stream >= 0:
            continue
        try:
            item = doc.read_entry(num, entry, rev.number)
        except PdfError:
            continue  # reported by whoever reads it
        if isinstance(item, Stream):
            at = _structure_in(data[item.start : item.end])
            if at is not None:
                found = _STRUCTURE.search(data, item.start + at, item.end)
                assert found is not None
                return Deviation(found.start(), f"the data of stream object {num} holds "
                                                f"{found.group()[:20].decode('latin-1')!r}, which a "
                                                "reader repairing the file would take for PDF structure")
    return None


@lru_cache(maxsize=64)
def _structure_in(raw: bytes) -> int | None:
    """Where PDF structure starts in a stream's raw bytes, or None; remembered, since the largest
    streams of a pact (its font programs) are the same bytes in every pact."""
    found = _STRUCTURE.search(raw)
    return found.start() if found is not None else None


def _first_difference(a: bytes, b: bytes) -> int:
    low, high = 0, min(len(a), len(b))
    while low < high:  # binary search on equal prefixes: fast for a long common start
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def same_rendering(original: bytes, again: bytes) -> bool:
    """Whether two rendered revisions are the same objects, each stream the same data once inflated.

    Byte equality is the proof `verify` asks of a re-rendering; but deflate is not one algorithm's
    output: zlib-ng (Fedora's zlib since 40) and hardware deflaters write other, equally valid bytes
    for the same data. So when the bytes differ, the two are compared object by object: the same
    numbers, dictionaries equal but for /Length, each stream inflating to the same data, and each
    of the original's deflated streams one complete zlib stream with nothing after it (how readers
    treat trailing bytes differs; how they inflate a complete stream does not). `original` must
    already be in pakta's form (`rendered_deviation`), so equal objects mean equal bytes around the
    streams, and its /ID is the hash of its own bytes (`writer.file_id`), so it is left out.
    """
    try:
        first, second = Document(original), Document(again)
    except PdfError:
        return False
    ours, theirs = first.revisions, second.revisions
    if len(ours) != 1 or len(theirs) != 1 or set(ours[0].entries) != set(theirs[0].entries) \
            or not same(_but(ours[0].trailer, "ID"), _but(theirs[0].trailer, "ID")):  # the /ID hashes the bytes
        return False
    try:
        for num in sorted(ours[0].entries):
            mine, other = first.get(num, 1), second.get(num, 1)
            if isinstance(mine, Stream) and isinstance(other, Stream):
                if not same(_but(mine.dict, "Length"), _but(other.dict, "Length")) \
                        or first.decode(mine) != second.decode(other) \
                        or not _whole_zlib(original[mine.start : mine.end], mine.dict):  # inflated within budget
                    return False
            elif isinstance(mine, Stream) or isinstance(other, Stream) or not same(mine, other):
                return False
    except PdfError:
        return False
    return True


def _but(value: PdfDict, left_out: str) -> dict[str, object]:
    return {key: item for key, item in value.items() if key != left_out}


def _whole_zlib(raw: bytes, value: PdfDict) -> bool:
    """A stream that is not deflated is compared as it is; a deflated one must end where its data ends."""
    if value.get("Filter") is None:
        return True
    inflater = zlib.decompressobj()
    try:
        while raw:  # inflated in pieces: only the end of the stream matters here, not its data
            inflater.decompress(raw, 1 << 20)
            raw = inflater.unconsumed_tail
    except zlib.error:
        return False
    return inflater.eof and not inflater.unused_data


def holds_pdf_structure(data: bytes) -> bool:
    """Whether `data` holds what a PDF reader would take for a document or its objects: a file a pact
    carries verbatim (its logo) must not be a second PDF that a viewer opens when it is saved."""
    return b"%PDF" in data or _structure_in(data) is not None
