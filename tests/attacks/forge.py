"""Signing revisions written by hand, starting from exactly what `pakta sign` writes.

`forge` builds the revision pakta's own layout gives for a party's signature
(`pakta_cli.sigrevision`), then lets an attack change one thing: an object's text, the stamp,
entries of the signature dictionary, the CMS, the gap, extra objects. With no change it returns the
very bytes `pakta sign` would (the suite checks that such a forgery verifies), so every attack
differs from an honest signature only where it says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping

from pakta_cli import cms, sigrevision
from pakta_cli.pdf import writer
from pakta_cli.sign import _engine
from pakta_cli.verify import read_pact
from tests.attacks.identities import Identity

# placeholders that the layout loop replaces; each is unique in a pact's signing revision
_BR = [0, 1111111111, 2222222222, 3333333333]
_BR_TEXT = b"[0 1111111111 2222222222 3333333333]"


def body_of(chunk: bytes) -> bytes:
    """The text between `N 0 obj\\n` and `\\nendobj\\n` of an object as the writer wrote it."""
    return chunk[chunk.index(b" obj\n") + 5 : -len(b"\nendobj\n")]


def _wrap(num: int, text: bytes) -> bytes:
    return b"%d 0 obj\n%s\nendobj\n" % (num, text)


def forge(pdf: bytes, field: str, identity: Identity, *, signed_at: dt.datetime | None = None,
          objects: Mapping[int, bytes] | None = None, drop: tuple[int, ...] = (),
          stamp: Callable[[bytes], bytes] | None = None, sig: Callable[[bytes], bytes] | None = None,
          cms_of: Callable[[bytes, Callable[[bytes], bytes]], bytes] | None = None, reserve: int | None = None,
          gap: Callable[[bytes, int], bytes] | None = None,
          trailer: Callable[[dict[str, object]], dict[str, object]] | None = None,
          tail: Callable[[bytes], bytes] | None = None, body: Callable[[bytes], bytes] | None = None) -> bytes:
    """`pdf` plus `identity`'s signature in `field`, as pakta writes it but for the changes asked for.

    `objects`: object number -> body text to write (replacing pakta's or adding one); `drop`: objects
    pakta writes that are left out; `stamp` / `sig`: transform the stamp's / signature dictionary's
    body text (the latter holds the byte range and /Contents placeholders); `cms_of(digest, honest)`
    makes the CMS instead of pakta (`reserve` bytes for it); `gap(hex, size)` writes /Contents' text
    (default: pakta's capitals, zero-padded to `size`); `trailer` changes the trailer's entries;
    `tail(xref_and_trailer)` and `body(objects)` rewrite those bytes of the revision as they are
    (offsets in the table are the writer's: an attack that moves objects keeps them pointing where
    it wants). The signature is made over the result, as the signer's own tool would.
    """
    engine = _engine(identity.credentials())
    when = (signed_at or dt.datetime.now(dt.UTC)).replace(microsecond=0).astimezone(
        dt.timezone(dt.timedelta(hours=7), "WIB"))
    pact = read_pact(pdf)
    doc = pact.doc
    before = sigrevision.before_signing(doc, len(doc.revisions), field, pact.verify_url)
    signer = sigrevision.signer_of(identity.cert, when)
    size = reserve or engine.cms_size
    built = sigrevision.build(before, field, signer, bytes(size))
    chunks = {num: body_of(chunk) for num, chunk in built.objects.items()}
    sig_text = chunks[built.signature]
    sig_text = sig_text.replace(writer.value([0, *built.byte_range[1:]]), _BR_TEXT, 1)
    if stamp is not None:
        for number in built.stamps:
            chunks[number] = stamp(chunks[number])
    if sig is not None:
        sig_text = sig(sig_text)
    chunks[built.signature] = sig_text
    chunks.update(objects or {})
    for num in drop:
        chunks.pop(num, None)
    entries: dict[str, object] = {"ID": [before.first_id, _id(built.data)], "Prev": before.xref_offset,
                                  "Root": before.root, "Size": max([before.size, *chunks]) + 1}
    if before.info is not None:
        entries["Info"] = before.info
    entries = trailer(entries) if trailer else entries
    placeholder = writer.value(bytes(size))
    byte_range = list(_BR)
    for _ in range(8):
        parts, offsets, at = [], {}, len(pdf)
        for num in sorted(chunks):
            text = chunks[num]
            if num == built.signature:
                text = text.replace(_BR_TEXT, writer.value(byte_range), 1)
            chunk = _wrap(num, text)
            offsets[num] = at
            parts.append(chunk)
            at += len(chunk)
        objects_text = b"".join(parts)
        closing = writer.tail(offsets, entries, at, first=False)  # type: ignore[arg-type]
        if body is not None:
            objects_text = body(objects_text)
        if tail is not None:
            closing = tail(closing)
        out = pdf + objects_text + closing
        start = out.index(placeholder, len(pdf))
        stop = start + len(placeholder)
        settled = [0, start, stop, len(out) - stop]
        if settled == byte_range:
            break
        byte_range = settled
    digest = hashlib.sha512(out[:start] + out[stop:]).digest()
    der = engine.cms(digest) if cms_of is None else cms_of(digest, engine.cms)
    hex_digits = der.hex().upper().encode()
    text = gap(hex_digits, len(placeholder)) if gap else b"<" + hex_digits.ljust(2 * size, b"0") + b">"
    assert len(text) == len(placeholder), (len(text), len(placeholder))
    return out[:start] + text + out[stop:]


def _id(data: bytes) -> bytes:
    """The new /ID half pakta's own revision has (forge keeps it, so an honest forgery is exact)."""
    at = data.rindex(b"/ID [<")
    second = data.index(b"> <", at) + 3
    return bytes.fromhex(data[second : data.index(b">", second)].decode())


def cms_parts(der: bytes) -> cms.Parts:
    return cms.parse(der)
