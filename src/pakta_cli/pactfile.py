"""The facts every verb shares about a pact file: what it embeds, how its fields are named, how
big a signature block is, what its manifest says.

One home for each fact: render writes them, sign and verify read them, and none of the three keeps
a copy. Nothing here imports ReportLab or a PDF library, so `pakta verify` and `pakta sign` load it
for free.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

DEFINITION_NAME = "pakta-definition.json"
MANIFEST_NAME = "pakta-manifest.json"
LOGO_PREFIX = "pakta-logo-"  # + the logo's file name
MANIFEST_VERSION = 1
FIELD_PREFIX = "pakta-"
ROLES = ("signer", "superior", "witness")

# The signature block (layout.SignatureSpace draws it): room for the stamp, in PDF points.
MM = Decimal(72) / Decimal("25.4")
SIGNATURE_WIDTH = float(62 * MM)
SIGNATURE_HEIGHT = float(24 * MM)
MAX_WIDGETS = 8  # places one party signs in (an agreement and its annex: two)
FIELD_MAX = (SIGNATURE_WIDTH + 1, SIGNATURE_HEIGHT + 1)  # a widget may be this big, rounding allowed
WIDGET_FLAGS = 132  # Print + Locked: never Hidden or NoView

# What a signature dictionary says, besides its time, name, byte range and contents.
SIG_FILTER = "Adobe.PPKLite"
SIG_SUBFILTER = "ETSI.CAdES.detached"
SIG_FLAGS = 3  # SignaturesExist + AppendOnly, set by the first signature

# Limits on what a pact embeds: far above any honest one, so a hostile file cannot make a verifier
# inflate gigabytes to read its manifest.
MAX_DEFINITION = 4 << 20
MAX_MANIFEST = 1 << 20
MAX_LOGO = 16 << 20
# Images (the logo, a template's <image>): render refuses more, verify fails more. A logo needs about
# half a million pixels; ten million keep one image's RGB samples (30 MB) within what the reader
# inflates one stream to (pdf.reader.Limits.decoded, 32 MiB), and the samples of all a pact's images
# within what it inflates for one document (Limits.decoded_total, 128 MiB) beside a 16 MiB logo file.
MAX_IMAGE_FILE = MAX_LOGO
MAX_IMAGE_PIXELS = 10_000_000
MAX_IMAGE_SAMPLES = 64 << 20


PACT_ID_LENGTH = 32  # hex digits: the first 128 bits of a SHA-256


def pact_id(rendered: bytes) -> str:
    """A pact's id: the first 128 bits of the SHA-256 of the file as rendered (its first revision).

    Known before anyone signs and the same for every copy and every signature added, so the QR code
    a stamp draws can name the pact, and a verification page can find the signed original by it.
    """
    return hashlib.sha256(rendered).hexdigest()[:PACT_ID_LENGTH]


def field_name(role: str, number: int) -> str:
    """`pakta-signer-1`: the PDF field where the `number`-th party of `role` signs."""
    return f"{FIELD_PREFIX}{role}-{number}"


def field_names(roles: list[str]) -> list[str]:
    """The field of each party, in order, numbered per role as render numbers them."""
    counters: dict[str, int] = {}
    names = []
    for role in roles:
        counters[role] = counters.get(role, 0) + 1
        names.append(field_name(role, counters[role]))
    return names


def canonical_json(value: Any) -> bytes:
    """The manifest's bytes: sorted keys, so the same manifest is always the same bytes."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def definition_json(mapping: dict[str, Any]) -> bytes:
    """The embedded definition's bytes: keys in schema order (the mapping's), JSON, which is YAML.

    The standard library's JSON writer gives the same bytes on every machine, which a YAML emitter
    (C or pure Python, depending on how PyYAML was built) does not promise, and it is ten times faster.
    """
    return json.dumps(mapping, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


@dataclass(frozen=True)
class Party:
    """A party as the manifest lists it: who must sign, and in which field."""

    field: str
    role: str
    name: str
    nip: str | None = None
    key_id: str | None = None
    nik: str | None = None  # ad hoc members, who have no NIP, are matched by it

    def describe(self) -> str:
        if self.key_id:
            ident = f"key id {self.key_id}"
        elif self.nip:
            ident = f"NIP {self.nip}"
        elif self.nik:
            ident = "NIK " + self.nik[:4] + "*" * max(len(self.nik) - 8, 0) + self.nik[-4:]
        else:
            ident = "no NIP"
        return f"{self.field} ({self.name}, {ident})"

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "role": self.role, "name": self.name,
                **({"nip": self.nip} if self.nip else {}), **({"nik": self.nik} if self.nik else {}),
                **({"key_id": self.key_id} if self.key_id else {})}


MAX_JSON_DEPTH = 32  # a definition nests five levels; deeper is a file built to exhaust a reader


def load_json(raw: bytes) -> Any:
    """An embedded JSON attachment (definition or manifest); ValueError when it is not one pakta wrote.

    Also nesting: Python's decoder gives up a thousand levels down with a RecursionError, and
    everything that walks a value afterwards could too, so deeper than `MAX_JSON_DEPTH` is refused.
    """
    try:
        value = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ValueError("nested deeper than any pact") from None
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError("nested deeper than any pact")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return value


class ManifestError(ValueError):
    """An embedded manifest that is not one pakta wrote."""


def read_manifest(raw: bytes) -> tuple[dict[str, Any], tuple[Party, ...]]:
    """The manifest and its parties; ManifestError when it is damaged or incomplete."""
    try:
        manifest = load_json(raw)
    except ValueError:  # UnicodeDecodeError too
        raise ManifestError("damaged") from None
    listed = manifest.get("parties") if isinstance(manifest, dict) else None
    if not isinstance(listed, list) or not all(
        isinstance(p, dict) and isinstance(p.get("field"), str) and isinstance(p.get("name"), str) for p in listed
    ):
        raise ManifestError("incomplete")
    parties = []
    for p in listed:
        nip, kid, nik = p.get("nip"), p.get("key_id"), p.get("nik")
        parties.append(Party(p["field"], str(p.get("role", "")), p["name"], str(nip) if nip else None,
                             str(kid) if kid else None, str(nik) if nik else None))
    return manifest, tuple(parties)
