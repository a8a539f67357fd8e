"""A strict reader of PDF file structure, written for the verifier, with a bound on every cost.

Why not pyHanko's or pypdf's reader: the verifier must see a signed pact exactly as its bytes are,
revision by revision, and must refuse what a lenient reader would repair. A lenient reader that
reconstructs a broken cross-reference table, or that ignores bytes no table points to, can show an
auditor something other than what a viewer shows. This reader therefore:

- follows the `startxref` / `/Prev` chain and nothing else (no scanning for `obj` keywords);
- records each revision's exact byte span (from the end of the previous `%%EOF` line to the end of
  its own), so that bytes belonging to no revision are found instead of skipped;
- parses an incremental update's body strictly: only the objects its cross-reference section lists,
  at the offsets it lists, then the section itself; anything else is an error;
- keeps every object of every revision addressable, so two revisions can be compared object by object.

It reads more than pakta writes (cross-reference and object streams, predictors) because the
verifier must explain what an attacker's revision holds, and must check signatures on PDFs pakta
did not render. Every decode, count and chain therefore has a limit (`LIMITS`): a hostile file
fails with a reason after about as much work as an honest file of its size, never stalls a run
over a province's folder. Whether the bytes are in pakta's own form is `pakta_cli.pdf.canonical`'s job.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from pakta_cli.pdf.syntax import WS, Budget, Lexer, Name, PdfDict, PdfError, Ref, Stream, refs_in

_WS = WS
_INTEGER = re.compile(rb"\d+")
_LINE_END = re.compile(rb"\r\n|\r|\n")
_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
_ANY_OBJ_HEADER = re.compile(rb"(?<![0-9])\d+[\x00\t\n\x0c\r ]+\d+[\x00\t\n\x0c\r ]+obj(?![A-Za-z0-9])")
_OBJ_HEADER = re.compile(rb"(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+obj(?!" + _REGULAR + rb")")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(?: \r| \n|\r\n)")
_SUBSECTION = re.compile(rb"(\d+) (\d+)[\x00\t ]*(?:\r\n|\n|\r)")


@dataclass(frozen=True)
class Limits:
    """What one document may cost the reader; far above any pact, far below what hurts a run."""

    revisions: int = 256  # a pact has one per signer; more is a file built to be slow
    objects: int = 20_000  # /Size, and the entries one cross-reference stream may list (a pact: about 50)
    values: int = 100_000  # PDF values (numbers, names, ...) all objects together (a pact: about 4,000)
    decoded: int = 32 << 20  # bytes one stream may inflate to (the largest honest one: a logo)
    structure: int = 4 << 20  # bytes a cross-reference or object stream may inflate to (a pact's: a few KB)
    decoded_total: int = 128 << 20  # bytes all streams of one document may inflate to
    predicted: int = 1 << 20  # bytes all streams of one document may put through a PNG predictor (pure
    # Python, per byte; pakta writes no predicted stream, so only another writer's file has any)
    entries: int = 100_000  # cross-reference entries of all revisions together (a pact: about 100)
    object_stream_items: int = 100_000


LIMITS = Limits()
@dataclass(frozen=True)
class Entry:
    """Where an object of one revision lives: at `offset`, or as item `index` of object stream `stream`."""

    gen: int
    offset: int = -1
    stream: int = -1
    index: int = -1


@dataclass
class Revision:
    """One revision: the rendered file, or one incremental update appended to it."""

    number: int  # 1 for the first (oldest)
    start: int  # first byte of this revision's own section
    eof: int  # the offset just after its %%EOF marker
    end: int  # `eof` plus the end-of-line after it, if any
    xref_offset: int
    trailer: PdfDict
    entries: dict[int, Entry]
    free: dict[int, int]  # object number -> generation, as listed free in this revision
    structural: set[int] = field(default_factory=set)  # the xref stream and object streams themselves


class Document:
    """A PDF as a chain of revisions; objects can be read as of any revision."""

    def __init__(self, data: bytes, limits: Limits = LIMITS) -> None:
        if not data.startswith(b"%PDF-"):
            raise PdfError("not a PDF (the file does not start with %PDF-)")
        self.data = data
        self.limits = limits
        self._decoded_total = 0
        self._predicted_total = 0
        self._entries_total = 0
        self.budget = Budget(limits.values, limits.values)
        self.lexer = Lexer(data, self.budget)
        self._cache: dict[tuple[int, int, int], Any] = {}
        self._parsed: dict[tuple[int, int], tuple[Any, int, int, frozenset[int]]] = {}
        self._objstm: dict[int, tuple[bytes, list[tuple[int, int]], int]] = {}
        self.memo: dict[Any, Any] = {}  # what callers derive from this document's objects, by their own keys
        self.revisions = self._read_chain()
        # object number -> list of (revision number, entry), oldest first
        self._history: dict[int, list[tuple[int, Entry]]] = {}
        for rev in self.revisions:
            for num, entry in rev.entries.items():
                self._history.setdefault(num, []).append((rev.number, entry))

    # -- the revision chain ---------------------------------------------------------------------

    def _read_chain(self) -> list[Revision]:
        data = self.data
        tail = data[-1024:]
        marker = tail.rfind(b"startxref")
        if marker < 0:
            raise PdfError("no startxref near the end of the file (truncated?)")
        pos = len(data) - len(tail) + marker
        offset = self._startxref_value(pos)
        chain: list[Revision] = []
        seen: set[int] = set()
        limit = len(data)
        while True:
            if offset in seen or offset >= limit or offset < 0:
                raise PdfError(f"cross-reference chain goes backwards or loops (offset {offset})")
            seen.add(offset)
            if len(chain) >= self.limits.revisions:
                raise PdfError(f"more than {self.limits.revisions} revisions")
            rev = self._read_xref(offset)
            if rev.eof > limit:
                raise PdfError("revisions overlap")
            chain.append(rev)
            limit = offset
            prev = rev.trailer.get("Prev")
            if prev is None:
                break
            if type(prev) is not int:
                raise PdfError("/Prev is not an offset")
            offset = prev
        chain.reverse()
        for number, rev in enumerate(chain, start=1):
            rev.number = number
            rev.start = chain[number - 2].end if number > 1 else 0
        return chain

    def _startxref_value(self, pos: int) -> int:
        data = self.data
        pos = _WS.match(data, pos + len(b"startxref")).end()  # type: ignore[union-attr]
        match = _INTEGER.match(data, pos)
        if match is None:
            raise PdfError(f"startxref without an offset at byte {pos}")
        return int(match.group())

    def _eof_after(self, pos: int, xref_offset: int) -> tuple[int, int]:
        """Expect `startxref N %%EOF` at `pos`; return the offsets after %%EOF and after its EOL."""
        data = self.data
        pos = _WS.match(data, pos).end()  # type: ignore[union-attr]
        if not data.startswith(b"startxref", pos):
            raise PdfError(f"startxref expected at byte {pos}")
        if self._startxref_value(pos) != xref_offset:
            raise PdfError(f"startxref at byte {pos} does not point to its own cross-reference section")
        pos = _INTEGER.search(data, pos).end()  # type: ignore[union-attr]
        pos = _WS.match(data, pos).end()  # type: ignore[union-attr]
        if not data.startswith(b"%%EOF", pos):
            raise PdfError(f"%%EOF expected at byte {pos} (truncated?)")
        eof = pos + 5
        end = eof
        if data.startswith(b"\r\n", end):
            end += 2
        elif data.startswith(b"\n", end) or data.startswith(b"\r", end):
            end += 1
        return eof, end

    def _read_xref(self, offset: int) -> Revision:
        data = self.data
        if data.startswith(b"xref", offset):
            return self._read_table(offset)
        header = _OBJ_HEADER.match(data, offset)
        if header is None:
            raise PdfError(f"no cross-reference section at byte {offset}")
        return self._read_xref_stream(offset, int(header.group(1)))

    def _count_entries(self, count: int) -> None:
        """Each revision's table may be within limits and a chain of them not: count them all."""
        self._entries_total += count
        if self._entries_total > self.limits.entries:
            raise PdfError(f"the cross-reference sections list more than {self.limits.entries} entries in all "
                           "(a pact's list about a hundred)")

    def _read_table(self, offset: int) -> Revision:
        data = self.data
        pos = _WS.match(data, offset + 4).end()  # type: ignore[union-attr]
        entries: dict[int, Entry] = {}
        free: dict[int, int] = {}
        while True:
            sub = _SUBSECTION.match(data, pos)
            if sub is None:
                break
            first, count = int(sub.group(1)), int(sub.group(2))
            pos = sub.end()
            if first + count > self.limits.objects:
                raise PdfError(f"the cross-reference table at byte {sub.start()} numbers objects up to "
                               f"{first + count - 1}; a pact holds far fewer than {self.limits.objects}")
            if 20 * count > len(data) - pos:
                raise PdfError(f"cross-reference subsection at byte {sub.start()} lists entries it does not hold")
            self._count_entries(count)
            for num in range(first, first + count):
                entry = _XREF_ENTRY.match(data, pos)
                if entry is None:
                    raise PdfError(f"bad cross-reference entry at byte {pos}")
                pos = entry.end()
                if num in entries or num in free:
                    raise PdfError(f"object {num} listed twice in one cross-reference section")
                if entry.group(3) == b"n":
                    entries[num] = Entry(int(entry.group(2)), offset=int(entry.group(1)))
                else:
                    free[num] = int(entry.group(2))
            pos = _WS.match(data, pos).end()  # type: ignore[union-attr]
        if not data.startswith(b"trailer", pos):
            raise PdfError(f"trailer expected at byte {pos}")
        trailer, pos = self.lexer.value(pos + 7)
        if not isinstance(trailer, PdfDict):
            raise PdfError("the trailer is not a dictionary")
        eof, end = self._eof_after(pos, offset)
        return Revision(0, 0, eof, end, offset, trailer, entries, free)

    def _read_xref_stream(self, offset: int, num: int) -> Revision:
        stream, pos = self._parse_indirect(offset, num, resolve_length=False)
        if not isinstance(stream, Stream) or stream.dict.get("Type") != "XRef":
            raise PdfError(f"no cross-reference section at byte {offset}")
        info = stream.dict
        raw = self.decode(stream, self.limits.structure)
        widths = info.get("W")
        size = info.get("Size")
        # the widths poppler accepts (type and generation at most 4 bytes): wider, it rebuilds the table
        # by scanning the file, and would read other objects than this reader does
        if (not isinstance(widths, list) or len(widths) != 3 or not all(type(w) is int for w in widths)
                or not (0 <= widths[0] <= 4 and 0 <= widths[1] <= 8 and 0 <= widths[2] <= 4)
                or type(size) is not int):
            raise PdfError(f"bad cross-reference stream at byte {offset}")
        if not 0 < size <= self.limits.objects:
            raise PdfError(f"cross-reference stream at byte {offset} has /Size {size}; a pact holds far fewer "
                           f"than {self.limits.objects} objects")
        index = info.get("Index", [0, size])
        if not isinstance(index, list) or len(index) % 2 or not all(type(i) is int and i >= 0 for i in index):
            raise PdfError(f"bad /Index in the cross-reference stream at byte {offset}")
        row = sum(widths)
        listed = sum(index[1::2])
        # entries never past /Size (where viewers disagree), and every listed row present in the data:
        # a 200-byte stream must not make this loop run for billions of entries
        if row == 0 or any(first + count > size for first, count in zip(index[::2], index[1::2], strict=True)) \
                or listed * row > len(raw):
            raise PdfError(f"cross-reference stream at byte {offset} lists entries it does not hold, or past /Size")
        self._count_entries(listed)
        entries: dict[int, Entry] = {}
        free: dict[int, int] = {}
        structural = {num}
        cursor = 0
        for first, count in zip(index[::2], index[1::2], strict=True):
            for obj in range(first, first + count):
                fields = []
                at = cursor
                for width in widths:
                    fields.append(int.from_bytes(raw[at : at + width], "big") if width else None)
                    at += width
                cursor += row
                kind = 1 if fields[0] is None else fields[0]
                if obj in entries or obj in free:
                    raise PdfError(f"object {obj} listed twice in one cross-reference section")
                if kind == 0:
                    free[obj] = fields[2] or 0
                elif kind == 1:
                    entries[obj] = Entry(fields[2] or 0, offset=fields[1] or 0)
                elif kind == 2:
                    entries[obj] = Entry(0, stream=fields[1] or 0, index=fields[2] or 0)
                    structural.add(fields[1] or 0)
                else:
                    raise PdfError(f"unknown cross-reference entry type {kind} for object {obj}")
        eof, end = self._eof_after(pos, offset)
        trailer = PdfDict()
        for key, value in info.items():
            trailer[key] = value
        return Revision(0, 0, eof, end, offset, trailer, entries, free, structural)

    # -- objects --------------------------------------------------------------------------------

    def raw(self, num: int, revision: int | None = None) -> bytes:
        """The bytes of object `num` as of `revision`, `N G obj` to `endobj` (empty in an object stream)."""
        found = self.entry(num, revision)
        if found is None or found[1].stream >= 0:
            return b""
        offset = found[1].offset
        _, end = self._parse_indirect(offset, num, rev=revision)
        return self.data[offset:end]

    def _parse_indirect(self, offset: int, num: int, *, gen: int | None = None,
                        resolve_length: bool = True, rev: int | None = None) -> tuple[Any, int]:
        """Parse `num gen obj ... endobj` at `offset`; return the value and the offset after endobj."""
        key = (offset, num)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = self._parse_indirect_uncached(offset, num, resolve_length=resolve_length, rev=rev)
            self._parsed[key] = parsed
        if gen is not None and parsed[2] != gen:
            raise PdfError(f"object {num} is not at byte {offset} where the cross-reference table says")
        return parsed[0], parsed[1]

    def _parse_indirect_uncached(self, offset: int, num: int, *, resolve_length: bool,
                                 rev: int | None) -> tuple[Any, int, int, frozenset[int]]:
        data = self.data
        header = _OBJ_HEADER.match(data, offset)
        if header is None or int(header.group(1)) != num:
            raise PdfError(f"object {num} is not at byte {offset} where the cross-reference table says")
        found: list[int] = []
        value, pos = self.lexer.value(header.end(), found)
        pos = self.lexer.skip(pos)
        if data.startswith(b"stream", pos) and isinstance(value, PdfDict):
            pos += 6
            if data.startswith(b"\r\n", pos):
                pos += 2
            elif data.startswith(b"\n", pos):
                pos += 1
            else:
                raise PdfError(f"stream keyword of object {num} not followed by an end of line")
            length = value.get("Length")
            if isinstance(length, Ref) and resolve_length:
                length = self.get(length.num, rev)
            if type(length) is not int or length < 0 or pos + length > len(data):
                raise PdfError(f"stream of object {num} has no usable /Length")
            start, stop = pos, pos + length
            pos = _WS.match(data, stop).end()  # type: ignore[union-attr]
            if not data.startswith(b"endstream", pos):
                raise PdfError(f"stream of object {num} does not end where its /Length says")
            pos = self.lexer.skip(pos + 9)
            value = Stream(value, start, stop)
        if not data.startswith(b"endobj", pos):
            raise PdfError(f"object {num} at byte {offset} is not closed by endobj")
        return value, pos + 6, int(header.group(2)), frozenset(found)

    def entry(self, num: int, rev: int | None = None) -> tuple[int, Entry] | None:
        """The (revision, entry) defining object `num` as of revision `rev` (default: the last)."""
        history = self._history.get(num)
        if not history:
            return None
        limit = len(self.revisions) if rev is None else rev
        found = None
        for number, entry in history:
            if number > limit:
                break
            found = (number, entry)
        if found is None:
            return None
        # freed in a later revision up to `limit`?
        for later in self.revisions[found[0] : limit]:
            if num in later.free:
                return None
        return found

    def get(self, num: int, rev: int | None = None) -> Any:
        """Object `num` as of revision `rev`; None when it is not defined (as PDF says)."""
        found = self.entry(num, rev)
        if found is None:
            return None
        return self.read_entry(num, found[1], found[0])

    def read_entry(self, num: int, entry: Entry, rev: int) -> Any:
        key = (num, entry.offset, entry.stream * 100000 + entry.index if entry.stream >= 0 else -1)
        if key in self._cache:
            return self._cache[key]
        if entry.stream >= 0:
            value = self._from_object_stream(num, entry, rev)
        else:
            value, _ = self._parse_indirect(entry.offset, num, gen=entry.gen, rev=rev)
        self._cache[key] = value
        return value

    def refs(self, num: int, rev: int | None = None) -> frozenset[int]:
        """The object numbers object `num` (as of revision `rev`) refers to; stream data not included."""
        found = self.entry(num, rev)
        if found is None:
            return frozenset()
        number, entry = found
        value = self.read_entry(num, entry, number)
        if entry.stream >= 0:
            return frozenset(refs_in(value))
        return self._parsed[(entry.offset, num)][3]

    def span(self, num: int, rev: int | None = None) -> tuple[int, int] | None:
        """Where object `num` (as of revision `rev`) is written: `N G obj` to just after `endobj`.

        None when it is not defined or lives inside an object stream (it has no bytes of its own).
        """
        found = self.entry(num, rev)
        if found is None or found[1].stream >= 0:
            return None
        _, end = self._parse_indirect(found[1].offset, num, rev=found[0])
        return found[1].offset, end

    def resolve(self, value: Any, rev: int | None = None) -> Any:
        return self.get(value.num, rev) if isinstance(value, Ref) else value

    def decode(self, stream: Stream, limit: int | None = None) -> bytes:
        """The decoded data of a stream; only the filters pakta's files can hold are accepted.

        At most `limit` bytes (default: `Limits.decoded`), and all streams of the document together
        at most `Limits.decoded_total`: a deflate bomb is refused once it has inflated that far.
        """
        raw = self.data[stream.start : stream.end]
        cap = min(self.limits.decoded if limit is None else limit,
                  self.limits.decoded_total - self._decoded_total)
        filters = stream.dict.get("Filter")
        params = stream.dict.get("DecodeParms")
        if filters is None or filters == []:
            return raw
        if isinstance(filters, Name):
            filters, params = [filters], [params]
        if not isinstance(params, list):
            params = [params] * len(filters)
        for name, parms in zip(filters, params, strict=False):
            if name != "FlateDecode":
                raise PdfError(f"stream filter /{name} is not supported here")
            inflater = zlib.decompressobj()
            try:
                out = inflater.decompress(raw, cap + 1)
            except zlib.error as exc:
                raise PdfError(f"damaged compressed stream: {exc}") from None
            if len(out) > cap:
                raise PdfError(f"a compressed stream inflates to more than {cap} bytes")
            self._decoded_total += len(out)
            raw = out
            if parms is None:
                continue
            if not isinstance(parms, dict) or set(parms) - {"Predictor", "Columns", "Colors", "BitsPerComponent"}:
                raise PdfError("stream /DecodeParms that are not supported here")
            predictor = parms.get("Predictor", 1)
            # only what the supported writers use: none, or PNG prediction of one 8-bit colour
            if parms.get("Colors", 1) != 1 or parms.get("BitsPerComponent", 8) != 8 or type(predictor) is not int \
                    or not (predictor == 1 or 10 <= predictor <= 15):
                raise PdfError("a stream predictor that is not supported here")
            if predictor >= 10:
                columns = parms.get("Columns", 1)
                if type(columns) is not int or columns <= 0:
                    raise PdfError("bad /Columns in a stream predictor")
                self._predicted_total += len(raw)
                if self._predicted_total > self.limits.predicted:
                    raise PdfError(f"predicted streams of more than {self.limits.predicted} bytes in all")
                raw = _unpredict_png(raw, columns)
        return raw

    def _from_object_stream(self, num: int, entry: Entry, rev: int) -> Any:
        if entry.stream not in self._objstm:
            container = self.get(entry.stream, rev)
            if not isinstance(container, Stream) or container.dict.get("Type") != "ObjStm":
                raise PdfError(f"object {num} points into object {entry.stream}, which is not an object stream")
            count, first = container.dict.get("N"), container.dict.get("First")
            if type(count) is not int or type(first) is not int:
                raise PdfError(f"object stream {entry.stream} has no /N or /First")
            data = self.decode(container, self.limits.structure)
            # the header is integers and white space, nothing else: a comment (`%1`) or any other
            # token would let this reader and a viewer's disagree on where an object starts
            header = data[:first]
            if not 0 <= count <= self.limits.object_stream_items or first > len(data) \
                    or not _OBJSTM_HEADER.match(header):
                raise PdfError(f"object stream {entry.stream} has a malformed header")
            numbers = header.split()
            if len(numbers) != 2 * count:
                raise PdfError(f"object stream {entry.stream} has {len(numbers)} header numbers for /N {count}")
            pairs = [(int(numbers[2 * i]), int(numbers[2 * i + 1])) for i in range(count)]
            self._objstm[entry.stream] = (data, pairs, first)
        data, pairs, first = self._objstm[entry.stream]
        if entry.index >= len(pairs) or pairs[entry.index][0] != num:
            raise PdfError(f"object {num} is not where the cross-reference stream says")
        value, _ = Lexer(data, self.budget).value(first + pairs[entry.index][1])
        return value

    # -- an update's body, read strictly ----------------------------------------------------------

    def body_problem(self, rev: Revision) -> str | None:
        """Why revision `rev`'s own bytes hold more or less than its cross-reference section lists.

        The first revision may open with the header comments (`%PDF-1.4`, the binary marker line)
        and nothing else before its first object: a second cross-reference section or a
        linearization dictionary hidden there is what a viewer could read instead of this one.
        """
        data = self.data
        found: dict[int, int] = {}
        pos = rev.start
        if rev.number == 1:
            while data.startswith(b"%", pos) and not data.startswith(b"%%EOF", pos):
                line = _LINE_END.search(data, pos)
                pos = line.end() if line else len(data)
        while True:
            pos = _WS.match(data, pos).end()  # type: ignore[union-attr]
            if pos == rev.xref_offset:
                break
            if pos >= rev.xref_offset:
                return f"unexpected data at byte {pos}"
            header = _OBJ_HEADER.match(data, pos)
            if header is None:
                return f"unexpected data at byte {pos}"
            num = int(header.group(1))
            if num in found:
                return f"object {num} defined twice"
            try:
                _, end = self._parse_indirect(pos, num, rev=rev.number)
            except PdfError as exc:
                return str(exc)
            found[num] = pos
            pos = end
        listed = {num: e.offset for num, e in rev.entries.items() if e.stream < 0}
        if rev.trailer.get("Type") == "XRef":
            found_xref = _OBJ_HEADER.match(data, rev.xref_offset)
            assert found_xref is not None
            found[int(found_xref.group(1))] = rev.xref_offset
            listed.setdefault(int(found_xref.group(1)), rev.xref_offset)
        # an object header inside another object's data (a stream's bytes, a string) is what a viewer
        # that rebuilds a broken cross-reference table would read as the newest definition
        end = rev.xref_offset if rev.trailer.get("Type") != "XRef" else rev.end
        headers = sum(1 for match in _ANY_OBJ_HEADER.finditer(data, rev.start, end))
        if headers > len(found):  # `found` holds the cross-reference stream's own object too
            return "an object header is hidden inside another object's data"
        if found != listed:
            extra = sorted(set(found) - set(listed))
            if extra:
                return f"object {extra[0]} is present but not listed in the cross-reference section"
            elsewhere = sorted(n for n in listed if found.get(n) != listed[n])
            return f"object {elsewhere[0]} is listed at a byte outside this revision"
        for num, entry in rev.entries.items():
            if entry.stream >= 0 and entry.stream not in found:
                return f"object {num} lives in object stream {entry.stream}, which is not part of this revision"
        return None


_OBJSTM_HEADER = re.compile(rb"^[\x00\t\n\x0c\r ]*+(?:\d++[\x00\t\n\x0c\r ]++)*+(?:\d++[\x00\t\n\x0c\r ]*+)?$")


def _unpredict_png(data: bytes, columns: int) -> bytes:
    """Undo PNG row predictors (what xref and object streams use)."""
    row = columns + 1
    if len(data) % row:
        raise PdfError("predicted stream has a partial row")
    out = bytearray()
    prev = bytearray(columns)
    for start in range(0, len(data), row):
        kind = data[start]
        line = bytearray(data[start + 1 : start + row])
        if kind == 1:
            for i in range(1, columns):
                line[i] = (line[i] + line[i - 1]) & 0xFF
        elif kind == 2:
            for i in range(columns):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif kind == 3:
            for i in range(columns):
                left = line[i - 1] if i else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(columns):
                a = line[i - 1] if i else 0
                b = prev[i]
                c = prev[i - 1] if i else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif kind != 0:
            raise PdfError(f"unknown PNG predictor {kind}")
        out += line
        prev = line
    return bytes(out)
