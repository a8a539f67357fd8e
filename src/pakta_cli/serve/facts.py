"""What a verification page shows of a pact besides its verdict: what its embedded definition says.

A verdict names the parties and the signers; a person scanning a printed pact also wants to see
which document it is (title, institution, number, place and date) and each party's position, to
compare with the paper in their hand. Those facts come from the definition the pact embeds, read
as `pakta verify` reads it, and are only shown next to the verdict that judges them.

A NIK is personal data (UU 27/2022): a page never shows one whole, only `5171********0003`.
`mask_nik` is applied to everything a page or the archive API prints, not only to the NIK field,
so a NIK typed into a name or a position is masked too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pakta_cli.verify import read_pact

# A NIK standing alone: 16 digits with no letter or digit on either side (a NIP has 18, a pact id
# is 32 hex digits, so neither is taken for one).
NIK = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{8}(\d{4})(?![0-9A-Za-z])")
TITLES = {
    "pakta-integritas": "Pakta Integritas",
    "pernyataan-bebas-benturan-kepentingan": "Pernyataan Bebas Benturan Kepentingan",
    "perjanjian-kinerja": "Perjanjian Kinerja",
}
MAX_TEXT = 300  # a field longer than this is cut on the page: the signed original has it whole


def mask_nik(text: str) -> str:
    """`5171044509860003` -> `5171********0003`, wherever a NIK stands alone in `text`."""
    return NIK.sub(r"\1********\2", text)


def masked(value: Any) -> Any:
    """A JSON value with every NIK in its strings masked (for what the archive API returns)."""
    if isinstance(value, str):
        return mask_nik(value)
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class PartyFacts:
    field: str
    role: str  # signer | superior | witness
    name: str
    nip: str | None
    nik: str | None  # masked
    position: str | None


@dataclass(frozen=True)
class Facts:
    title: str | None
    institution: str | None
    number: str | None
    place: str | None
    date: str | None  # YYYY-MM-DD as the definition gives it
    pages: int
    parties: tuple[PartyFacts, ...]


def facts_of(data: bytes) -> Facts | None:
    """The facts a readable pact states about itself; None for a file that is not a readable pact."""
    try:
        pact = read_pact(data)
    except Exception:  # the verdict already says why it cannot be read
        return None
    definition = pact.definition or {}
    listed = definition.get("parties")
    positions = [_text(p.get("position")) if isinstance(p, dict) else None
                 for p in (listed if isinstance(listed, list) else [])]
    if len(positions) != len(pact.parties):  # the embedded_hashes check says why; show no positions
        positions = [None] * len(pact.parties)
    parties = tuple(
        PartyFacts(p.field, p.role, _text(p.name) or "?", _text(p.nip), mask_nik(p.nik) if p.nik else None,
                   position)
        for p, position in zip(pact.parties, positions, strict=True)
    )
    institution = definition.get("institution")
    template = _text(definition.get("template"))
    return Facts(
        title=_text(definition.get("title")) or TITLES.get(template or "", template),
        institution=_text(institution.get("name")) if isinstance(institution, dict) else None,
        number=_text(definition.get("number")),
        place=_text(definition.get("place")),
        date=_text(definition.get("date")),
        pages=len(pact.pages),
        parties=parties,
    )


def _text(value: Any) -> str | None:
    if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
        return None
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
