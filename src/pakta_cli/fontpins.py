"""The fonts a pact may hold: exactly the subsets pakta embeds, known by fingerprint.

A viewer paints a letter with the glyph the embedded font program draws for it, through the
character map it picks from that program; text extraction reads /ToUnicode instead. A preparer who
swaps a font's outlines, adds a second character map or changes /Widths can therefore make every
viewer, or only some, paint other words than the pact (or a signer's stamp) says, while every
byte pakta checks elsewhere stays in place. So a font is accepted only when it is one pakta writes.

Render embeds each face in fixed subsets (`pakta_cli.fonts`): the same letters at the same codes in
every pact, so each subset of each shipped face is one font program, one /ToUnicode, one /Widths.
Its fingerprint covers all of them and the descriptor; only the six-letter subset tag (which
differs with the order a pact uses its subsets in) and the obsolete /Name are left out.
`fonts/pins.json` lists the fingerprints of every subset of every shipped face; a test keeps it
equal to what ReportLab embeds, so this check needs neither ReportLab nor the font files.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from pakta_cli.pdf.reader import Document
from pakta_cli.pdf.syntax import PdfError, Ref, Stream

MAX_PROGRAM = 4 << 20  # a subset of a shipped face is under 100 KB
MAX_CMAP = 256 << 10
_TAG = re.compile(r"^[A-Z]{6}\+")


def fingerprint(doc: Document, ref: Ref, revision: int) -> str:
    """The fingerprint of the font object `ref` as of `revision` (PdfError when it is no font pakta writes)."""
    font = doc.get(ref.num, revision)
    if not isinstance(font, dict):
        raise PdfError("the font is not a dictionary")
    base = font.get("BaseFont")
    if not isinstance(base, str) or not _TAG.match(base):
        raise PdfError("the font's /BaseFont has no subset tag")
    descriptor_ref, cmap_ref = font.get("FontDescriptor"), font.get("ToUnicode")
    descriptor = doc.get(descriptor_ref.num, revision) if isinstance(descriptor_ref, Ref) else None
    cmap = doc.get(cmap_ref.num, revision) if isinstance(cmap_ref, Ref) else None
    program_ref = descriptor.get("FontFile2") if isinstance(descriptor, dict) else None
    program = doc.get(program_ref.num, revision) if isinstance(program_ref, Ref) else None
    if not isinstance(descriptor, dict) or not isinstance(cmap, Stream) or not isinstance(program, Stream):
        raise PdfError("the font has no descriptor, /ToUnicode or TrueType program")
    if descriptor.get("FontName") != base:
        raise PdfError("the font's descriptor names another font")
    untagged = base[7:].encode("latin-1", "replace")
    summary = {
        "font": {k: v for k, v in font.items() if k not in ("Name", "FontDescriptor", "ToUnicode", "BaseFont")},
        "descriptor": {k: v for k, v in descriptor.items() if k not in ("FontFile2", "FontName")},
        "program": {k: v for k, v in program.dict.items() if k not in ("Length", "Filter")},
        "cmap": {k: v for k, v in cmap.dict.items() if k not in ("Length", "Filter")},
    }
    digest = hashlib.sha256(untagged + b"\0" + _text(summary).encode("utf-8") + b"\0")
    digest.update(hashlib.sha256(doc.decode(program, MAX_PROGRAM)).digest())
    # the CMap names its font, tag and all: the tag is taken out as from /BaseFont
    digest.update(hashlib.sha256(doc.decode(cmap, MAX_CMAP).replace(base.encode("latin-1"), b"SUBSET")).digest())
    return digest.hexdigest()


def _text(value: Any) -> str:
    """A value as text, dictionaries in key order, each scalar with its type (a name is not a string)."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{key!r}:{_text(value[key])}" for key in sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_text(item) for item in value) + "]"
    return f"{type(value).__name__}:{value!r}"


@cache
def pins() -> dict[str, str]:
    """Fingerprint -> which face and subset it is (`fonts/pins.json`)."""
    data: dict[str, str] = json.loads((resources.files("pakta_cli") / "fonts" / "pins.json").read_text("utf-8"))
    return data


_SEEN: dict[bytes, str] = {}  # the objects' own bytes -> their fingerprint, for fonts met before
_SEEN_MAX = 256


def pinned(doc: Document, ref: Ref, revision: int) -> str | None:
    """What `ref` is when it is a font pakta embeds ("LiberationSans-Bold, subset 1"), else None.

    Every pact holds the same few font subsets, byte for byte: a font whose objects are the bytes of
    one fingerprinted before is not decoded and hashed again.
    """
    try:
        key = _objects_key(doc, ref, revision)
        found = _SEEN.get(key)
        if found is None:
            found = fingerprint(doc, ref, revision)
            if len(_SEEN) >= _SEEN_MAX:
                _SEEN.clear()
            _SEEN[key] = found
        return pins().get(found)
    except PdfError:
        return None


def _objects_key(doc: Document, ref: Ref, revision: int) -> bytes:
    """A digest of the bytes of the font, its descriptor, program and character map as the file holds them."""
    digest = hashlib.sha256(doc.raw(ref.num, revision))
    font = doc.get(ref.num, revision)
    parts = [font.get("FontDescriptor"), font.get("ToUnicode")] if isinstance(font, dict) else []
    descriptor = doc.resolve(parts[0], revision) if parts else None
    if isinstance(descriptor, dict):
        parts.append(descriptor.get("FontFile2"))
    for part in parts:
        digest.update(b"\0" + (doc.raw(part.num, revision) if isinstance(part, Ref) else b""))
    return digest.digest()
