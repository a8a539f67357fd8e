"""The typed model of a pact: what a definition says once it has been loaded and checked.

Values are frozen so a Pact can be hashed, shared between processes and never changed by accident.
`Pact.to_mapping()` is the canonical form that is embedded in the rendered PDF and hashed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any, Literal

SCHEMA_VERSION = 1
Role = Literal["signer", "superior", "witness"]
ROLES: tuple[Role, ...] = ("signer", "superior", "witness")
PAPERS = ("A4", "F4")
FONTS = ("arial", "times", "bookman")  # the faces pakta_cli.fonts ships
# Arial: the tata naskah dinas guides offices follow set letters in Arial (README.md, "Fonts")
DEFAULT_FONT = "arial"
LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class Institution:
    name: str
    address: str | None = None
    logo: str | None = None  # a path relative to the definition file


@dataclass(frozen=True)
class Party:
    role: Role
    name: str
    nip: str | None = None
    nik: str | None = None
    rank: str | None = None
    position: str | None = None
    unit: str | None = None
    area: str | None = None
    decree: str | None = None
    key_id: str | None = None
    meterai: bool = False  # a Rp10.000 meterai box beside this party's signature
    field_name: str = ""  # the PDF signature field this party signs in; set by the loader

    @property
    def identity_number(self) -> str | None:
        return self.nip or self.nik

    def to_mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "name": self.name}
        for key in ("nip", "nik", "rank", "position", "unit", "area", "decree", "key_id"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.meterai:
            out["meterai"] = True
        return out


@dataclass(frozen=True)
class Target:
    goal: str
    indicator: str
    target: str


@dataclass(frozen=True)
class Program:
    program: str
    budget: int


@dataclass(frozen=True)
class Pact:
    template: str
    institution: Institution
    place: str
    date: dt.date
    parties: tuple[Party, ...]
    language: str = "id"
    paper: str = "A4"
    font: str = DEFAULT_FONT
    title: str | None = None
    number: str | None = None
    context: str | None = None
    commitments: tuple[str, ...] = ()
    closing: str | None = None
    verify_url: str | None = None
    targets: tuple[Target, ...] = ()
    programs: tuple[Program, ...] = ()
    year: int | None = None
    signing_order: str | None = None  # as stated (pactfile.SIGNING_ORDERS); None: the template's default
    base_dir: str = field(default=".", compare=False)  # where relative paths (logo, template) start

    @property
    def beside_roster(self) -> tuple[Party, ...]:
        """The parties that stay when roster rows take the signer's place (superiors, witnesses)."""
        return tuple(p for p in self.parties if p.role != "signer")

    def with_signer(self, signer: Party) -> Pact:
        """The pact as one roster row signs it: that row replaces every `signer` party."""
        return replace(self, parties=assign_field_names((signer, *self.beside_roster)))

    def to_mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = {"pakta": SCHEMA_VERSION, "template": self.template}
        out["language"] = self.language
        out["paper"] = self.paper
        out["font"] = self.font
        institution: dict[str, Any] = {"name": self.institution.name}
        if self.institution.address is not None:
            institution["address"] = self.institution.address
        if self.institution.logo is not None:
            # only the file name: the image itself travels inside the PDF (see render.LOGO_PREFIX)
            institution["logo"] = PurePath(self.institution.logo).name
        out["institution"] = institution
        for key in ("title", "number", "year"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["place"] = self.place
        out["date"] = self.date.isoformat()
        if self.context is not None:
            out["context"] = self.context
        if self.commitments:
            out["commitments"] = list(self.commitments)
        if self.closing is not None:
            out["closing"] = self.closing
        out["parties"] = [p.to_mapping() for p in self.parties]
        if self.signing_order is not None:
            out["signing_order"] = self.signing_order
        if self.targets:
            out["targets"] = [{"goal": t.goal, "indicator": t.indicator, "target": t.target} for t in self.targets]
        if self.programs:
            out["programs"] = [{"program": p.program, "budget": p.budget} for p in self.programs]
        if self.verify_url is not None:
            out["verify_url"] = self.verify_url
        return out


def assign_field_names(parties: tuple[Party, ...]) -> tuple[Party, ...]:
    """Name each party's signature field `pakta-ROLE-N`, stable for a given party list."""
    seen: dict[str, int] = {}
    named = []
    for party in parties:
        seen[party.role] = seen.get(party.role, 0) + 1
        named.append(replace(party, field_name=f"pakta-{party.role}-{seen[party.role]}"))
    return tuple(named)
