"""pakta's PDF dialect: exactly one way to write each value, object and revision.

Every byte of a pact is written by this module: the rendered revision (ReportLab draws it, then
`pakta_cli.render` writes its objects again through `rendered_file`) and each signing revision
(`pakta_cli.sigrevision`). Because there is one way to write each thing, a pact's bytes are a
function of its objects, and the verifier can demand that a file equals what this module would
write for the objects it holds (`pakta_cli.pdf.canonical`). That closes, as a class, the tricks by
which one PDF reader sees other objects than another: comments, odd white space, a keyword without
its end of line, escapes, generations, cross-reference sections that a viewer would "repair".

The dialect (the README's "canonical form" section says the same for auditors):

- header `%PDF-1.7` LF `%` E2 E3 CF D3 LF;
- `N 0 obj` LF value LF `endobj` LF, or for a stream `N 0 obj` LF dict LF `stream` LF data LF
  `endstream` LF `endobj` LF, with `/Length` a direct integer;
- dictionaries `<< /Key value /Key value >>` with keys sorted by their bytes (empty: `<< >>`);
  arrays `[a b c]` (empty: `[]`); names `/Name` with every byte outside `!`..`~`, every delimiter
  and `#` written `#XX`; strings always hex `<4142>` in capitals (so no string can hold a keyword);
  integers in plain decimal; reals as fixed-point decimals with no trailing zeros (`12.5`, `12.0`);
  `true`, `false`, `null`; references `N 0 R` (generation 0 only);
- a cross-reference table `xref` LF, subsections `FIRST COUNT` LF of 20-byte entries ending in
  space LF, then `trailer` LF dict LF `startxref` LF offset LF `%%EOF` LF.

Python floats are refused: a real is a Decimal, so no platform's float formatting can change a byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from pakta_cli.pdf.syntax import Name, PdfDict, PdfError, Ref, Stream

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
FREE_HEAD = b"0000000000 65535 f \n"
_NAME_RAW = frozenset(range(0x21, 0x7F)) - frozenset(b"()<>[]{}/%#")
_NAME_BYTES = [bytes([b]) if b in _NAME_RAW else b"#%02X" % b for b in range(256)]


class NotWritable(PdfError):
    """A value this dialect has no way to write (a float, a generation other than 0, a stray type)."""


def name(text: str) -> bytes:
    """`/Name`, each byte outside the regular characters written `#XX`."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        raise NotWritable(f"name {text!r} is not Latin-1") from None
    return b"/" + b"".join(_NAME_BYTES[b] for b in raw)


def real(value: Decimal) -> bytes:
    """A fixed-point decimal with at least one digit on each side of the point, no trailing zeros."""
    if not value.is_finite():
        raise NotWritable(f"{value} is not a number a PDF can hold")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0")
    if text.endswith("."):
        text += "0"
    elif "." not in text:
        text += ".0"
    if text == "-0.0":
        text = "0.0"
    return text.encode("ascii")


def value(item: Any) -> bytes:
    """The one way this dialect writes `item` (see the module docstring)."""
    kind = type(item)
    if kind is Ref:
        if item.gen != 0:
            raise NotWritable(f"reference {item} has generation {item.gen}")
        return b"%d 0 R" % item.num
    if kind is Name:
        return name(item)
    if kind is int:
        return b"%d" % item
    if kind is bytes:
        return b"<" + bytes(item).hex().upper().encode("ascii") + b">"
    if kind is PdfDict or kind is dict:
        return dictionary(item)
    if kind is list or kind is tuple:
        return b"[" + b" ".join(value(x) for x in item) + b"]"
    if kind is Decimal:
        return real(item)
    if item is True:
        return b"true"
    if item is False:
        return b"false"
    if item is None:
        return b"null"
    raise NotWritable(f"no way to write a {kind.__name__} in a pact")


def dictionary(entries: Mapping[str, Any]) -> bytes:
    if not entries:
        return b"<< >>"
    parts = [b"<<"]
    for key in sorted(entries, key=lambda k: k.encode("latin-1", "replace")):
        parts += [b" ", name(key), b" ", value(entries[key])]
    parts.append(b" >>")
    return b"".join(parts)


def indirect(num: int, item: Any, data: bytes | None = None) -> bytes:
    """`N 0 obj ... endobj` for a value, or for a stream when `data` is given (its /Length is set here)."""
    if data is None:
        return b"%d 0 obj\n" % num + value(item) + b"\nendobj\n"
    entries = dict(item)
    entries["Length"] = len(data)
    return b"%d 0 obj\n" % num + dictionary(entries) + b"\nstream\n" + data + b"\nendstream\nendobj\n"


def object_bytes(num: int, item: Any, file: bytes) -> bytes:
    """`indirect` for a value read from `file` (a `Stream`'s data is sliced from the file as it is)."""
    if isinstance(item, Stream):
        return indirect(num, item.dict, file[item.start : item.end])
    return indirect(num, item)


def xref_table(offsets: Mapping[int, int], *, with_free_head: bool) -> bytes:
    """The cross-reference table for objects at `offsets`: one subsection per run of numbers."""
    numbers = sorted(offsets)
    parts = [b"xref\n"]
    if with_free_head:
        numbers = [0, *numbers]
    runs: list[list[int]] = []
    for num in numbers:
        if runs and runs[-1][-1] == num - 1:
            runs[-1].append(num)
        else:
            runs.append([num])
    for run in runs:
        parts.append(b"%d %d\n" % (run[0], len(run)))
        for num in run:
            parts.append(FREE_HEAD if num == 0 and with_free_head else b"%010d 00000 n \n" % offsets[num])
    return b"".join(parts)


def laid_out(chunks: Mapping[int, bytes], start: int) -> tuple[bytes, dict[int, int], int]:
    """Objects (`indirect`'s bytes) in number order from file offset `start`: the body, each object's
    offset, and where the body ends (where the cross-reference table of an appended revision goes)."""
    offsets: dict[int, int] = {}
    at = start
    for num in sorted(chunks):
        offsets[num] = at
        at += len(chunks[num])
    return b"".join(chunks[num] for num in sorted(chunks)), offsets, at


def tail(offsets: Mapping[int, int], trailer: Mapping[str, Any], xref_offset: int, *, first: bool) -> bytes:
    """Cross-reference table, trailer, startxref and %%EOF of a revision whose xref starts at `xref_offset`."""
    return (xref_table(offsets, with_free_head=first) + b"trailer\n" + dictionary(trailer)
            + b"\nstartxref\n%d\n%%%%EOF\n" % xref_offset)


def file_id(body: bytes) -> bytes:
    """The 16 bytes of a rendered pact's /ID: the start of the SHA-256 of everything before `xref`."""
    return hashlib.sha256(body).digest()[:16]


def rendered_file(objects: Sequence[bytes], *, root: Ref, info: Ref | None) -> bytes:
    """A whole rendered pact: the header, objects 1..N as written by `indirect`, table and trailer."""
    parts = [HEADER]
    offsets: dict[int, int] = {}
    at = len(HEADER)
    for num, chunk in enumerate(objects, start=1):
        offsets[num] = at
        parts.append(chunk)
        at += len(chunk)
    body = b"".join(parts)
    ident = file_id(body)
    trailer: dict[str, Any] = {"ID": [ident, ident], "Root": root, "Size": len(objects) + 1}
    if info is not None:
        trailer["Info"] = info
    return body + tail(offsets, trailer, len(body), first=True)


def rewrite(objects: Iterable[tuple[int, Any]], file: bytes, *, root: Ref, info: Ref | None) -> bytes:
    """Objects 1..N (values as `pakta_cli.pdf.reader` reads them from `file`) written in this dialect."""
    chunks = []
    for expected, (num, item) in enumerate(objects, start=1):
        if num != expected:
            raise NotWritable(f"objects are not numbered 1..N (object {num} where {expected} was due)")
        chunks.append(object_bytes(num, item, file))
    return rendered_file(chunks, root=root, info=info)
