"""The facts every verb shares about a pact file: what it embeds, how its fields are named, how
big a signature block is, what its manifest says.

One home for each fact: render writes them, sign and verify read them, and none of the three keeps
a copy. Nothing here imports ReportLab or a PDF library, so `pakta verify` and `pakta sign` load it
for free.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pakta_cli.i18n import _
from pakta_cli.identity_numbers import mask_nik

DEFINITION_NAME = "pakta-definition.json"
MANIFEST_NAME = "pakta-manifest.json"
LOGO_PREFIX = "pakta-logo-"  # + the logo's file name
MANIFEST_VERSION = 1
FIELD_PREFIX = "pakta-"
ROLES = ("signer", "superior", "witness")  # also the order `sequential` signs in: a role waits for the ones before
SIGNING_ORDERS = ("sequential", "any")

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
# how long before a signature the CRL an archive revision stores may have been issued: a CRL speaks
# of its own time, so an older one cannot say the signer's certificate was not revoked when it signed
ARCHIVED_CRL_TOLERANCE = dt.timedelta(minutes=10)
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


def signing_steps(parties: list[tuple[str, str]], order: str) -> list[list[str]]:
    """The manifest's `signing_order`: the (field, role) parties' fields in the steps they sign in.

    `sequential`: one step per role, in `ROLES` order (the signer makes the statement, the superior
    acknowledges it, the witnesses witness it); parties of one role sign in any order among
    themselves, so one witness who never signs holds up nobody. `any`: one step for everyone.
    Written out in the manifest, so a verifier needs to know neither the rule nor the template.
    """
    if order == "any":
        return [[field for field, _ in parties]] if parties else []
    return [steps for role in ROLES if (steps := [field for field, r in parties if r == role])]


@dataclass(frozen=True)
class Party:
    """A party as the manifest lists it: who must sign, in which field, and at which step."""

    field: str
    role: str
    name: str
    nip: str | None = None
    key_id: str | None = None
    nik: str | None = None  # ad hoc members, who have no NIP, are matched by it
    step: int = 1  # signs after every party of a lower step (the manifest's `signing_order`)

    def describe(self) -> str:
        """`pakta-signer-1 (Name, NIP ...)`, as sign's messages name a party, in the run's language."""
        if self.key_id:
            ident = _("key id {key_id}").format(key_id=self.key_id)
        elif self.nip:
            ident = f"NIP {self.nip}"
        elif self.nik:
            ident = f"NIK {mask_nik(self.nik)}"
        else:
            ident = _("no NIP")
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
    steps = _steps(manifest.get("signing_order"), [p["field"] for p in listed])
    parties = []
    for p in listed:
        nip, kid, nik = p.get("nip"), p.get("key_id"), p.get("nik")
        parties.append(Party(p["field"], str(p.get("role", "")), p["name"], str(nip) if nip else None,
                             str(kid) if kid else None, str(nik) if nik else None, steps[p["field"]]))
    return manifest, tuple(parties)


def _steps(order: Any, fields: list[str]) -> dict[str, int]:
    """Each field's step in the manifest's `signing_order` (none, in a pact rendered before pakta
    recorded one: everyone in one step).

    A signing order must name every party exactly once; anything else is a manifest pakta did not write.
    """
    if order is None:
        return dict.fromkeys(fields, 1)
    if not isinstance(order, list) or not all(isinstance(step, list) and step for step in order):
        raise ManifestError("incomplete")
    listed = [field for step in order for field in step]
    if not all(isinstance(field, str) for field in listed) or sorted(listed) != sorted(fields) \
            or len(set(fields)) != len(fields):
        raise ManifestError("incomplete")
    return {field: number for number, step in enumerate(order, start=1) for field in step}
