"""Who a signer is among a pact's parties: the one rule `pakta sign` chooses by and `pakta verify` checks.

A party is matched, strongest first, by the key id it pins (`key_id:`), else by its NIP, else by its
NIK (ad hoc members: KPPS, PPS, PPK have no NIP), each against what the signer's certificate
carries; a party with none of the three, or whose NIK the certificate does not carry, is matched
by name only, which the verdict calls weak. A
party that pins a key is never signed with another key, even when the NIP matches: that is the
point of pinning. A key id, NIP or NIK that fits two parties is refused: one person is never two
parties of a pact.

Whoever the signer is, the stamp prints the certificate's title as the jabatan, so the title must
name the office the pact gives the party (`check_title`). A CA writes titles longer than a pact's
positions ("Ketua KPU Provinsi Bali" for "Ketua"), so a title and a position name the same office
when they are the same words, case and punctuation aside, once each has dropped its trailing words
that only say where the party serves, as the pact names it: words of the pact's institution and of
the party's unit and area (`place_words`; an election body's acronym stands for its full name,
KPU for Komisi Pemilihan Umum). Everything else is the office, so "Sekretaris" is not "Ketua KPU
Provinsi Bali", "Ketua" is not "Ketua Divisi Hukum" (nor the other way round: a stamp must not
shorten a division head to the chair), "Plt. Ketua" is not "Ketua", and in KPU Provinsi Bali's
pact "Ketua" is neither "Ketua KPU RI" nor "Ketua Bawaslu Provinsi Bali". The place words come from
the pact, never from the certificate under test. A position may end in the capacity the party signs
in ("Sekretaris KPU Kabupaten Kediri selaku Kuasa Pengguna Anggaran"): a title may leave that out,
since the stamp then claims less than the pact, but never add one ("Anggota selaku Ketua"). A party
with no position in the pact, or a certificate with no title, leaves nothing to compare.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pakta_cli.i18n import current
from pakta_cli.identity_numbers import mask_nik, normalise, same_name
from pakta_cli.pactfile import Party

Match = Literal["key_id", "nip", "nik", "name"]
__all__ = ["Match", "MatchError", "candidates", "mask_nik", "match_signer"]


class MatchError(ValueError):
    """A signer who is not this party; the reason in Indonesian and English."""

    def __init__(self, indonesian: str, english: str) -> None:
        super().__init__(english)
        self.indonesian = indonesian
        self.english = english

    def said(self) -> str:
        """The reason in the run's language (`sign`'s refusal; a verdict keeps both)."""
        return self.indonesian if current() == "id" else self.english


def match_signer(party: Party, *, key_id: str | None, nip: str | None, nik: str | None, name: str | None) -> Match:
    """How this signer is `party`, or MatchError saying why not."""
    nik_wanted = party.nik
    if party.key_id:
        if party.key_id != key_id:
            raise MatchError(f"{party.field} harus ditandatangani kunci {party.key_id} milik {party.name}, "
                             f"bukan kunci {key_id}",
                             f"{party.field} must be signed by {party.name}'s key {party.key_id}, not by key {key_id}")
        return "key_id"
    if party.nip:
        if normalise(nip or "") != normalise(party.nip):
            raise MatchError(f"NIP sertifikat ({nip or 'tidak ada'}) bukan NIP {party.name} ({party.nip})",
                             f"the certificate's NIP ({nip or 'none'}) is not {party.name}'s NIP ({party.nip})")
        return "nip"
    if nik_wanted and nik:  # a certificate without a NIK may still match by name, weakly, below
        if normalise(nik) != normalise(nik_wanted):
            shown = mask_nik(nik) if nik else None
            raise MatchError(f"NIK sertifikat ({shown or 'tidak ada'}) bukan NIK {party.name} "
                             f"({mask_nik(nik_wanted)})",
                             f"the certificate's NIK ({shown or 'none'}) is not {party.name}'s NIK "
                             f"({mask_nik(nik_wanted)})")
        return "nik"
    if name is not None and same_name(name, party.name):
        return "name"
    raise MatchError(f"penanda tangan {name} bukan {party.name}", f"signer {name} is not {party.name}")


def candidates(parties: Sequence[Party], *, key_id: str, nip: str | None,
               nik: str | None) -> tuple[list[Party], Match | None]:
    """The parties this signer's key id, NIP or NIK names, strongest kind first (no name matching)."""
    by_key = [p for p in parties if p.key_id == key_id]
    if by_key:
        return by_key, "key_id"
    if nip:
        by_nip = [p for p in parties if p.nip and normalise(p.nip) == normalise(nip)]
        if by_nip:
            return by_nip, "nip"
    if nik:
        by_nik = [p for p in parties if p.nik and normalise(p.nik) == normalise(nik) and not p.nip]
        if by_nik:
            return by_nik, "nik"
    return [], None


# Election bodies (domain.md) and the republic by acronym and full name: a title may say either where
# the pact says the other ("Ketua KPU Provinsi Bali" in the Komisi Pemilihan Umum Provinsi Bali).
ACRONYMS = {
    "ri": "republik indonesia",
    "kpu": "komisi pemilihan umum", "kip": "komisi independen pemilihan",
    "bawaslu": "badan pengawas pemilihan umum", "panwaslu": "panitia pengawas pemilihan umum",
    "panwaslih": "panitia pengawas pemilihan", "panwascam": "panitia pengawas pemilihan umum kecamatan",
    "ppk": "panitia pemilihan kecamatan", "pps": "panitia pemungutan suara",
    "kpps": "kelompok penyelenggara pemungutan suara", "pkd": "pengawas kelurahan desa",
    "ptps": "pengawas tempat pemungutan suara", "dkpp": "dewan kehormatan penyelenggara pemilu",
}
ABBREVIATIONS = {"prov": "provinsi", "kab": "kabupaten", "kec": "kecamatan", "kel": "kelurahan", "ds": "desa"}
JOINERS = frozenset({"pada", "di"})  # "Sekretaris pada KPU Kota Denpasar"
CAPACITY = frozenset({"selaku", "sebagai"})  # "..., selaku Kuasa Pengguna Anggaran": in the capacity of


@dataclass(frozen=True)
class Office:
    """The position (jabatan) a pact gives a party, and the names of where it serves (the pact's
    institution, the party's unit and area), whose words a certificate's title may add or leave out."""

    position: str | None
    where: tuple[str, ...] = ()


def _words(text: str) -> list[str]:
    """Lower-case words, abbreviations written out, numbers without leading zeros (TPS 001 = TPS 1)."""
    words = re.findall(r"[^\W_]+", text.casefold())
    return [str(int(w)) if w.isdecimal() and w.isascii() else ABBREVIATIONS.get(w, w) for w in words]


def place_words(office: Office) -> frozenset[str]:
    """The words that say where the party serves, as the pact names it, with the election bodies'
    acronyms and full names standing for each other."""
    place = set(JOINERS).union(*(_words(where) for where in office.where))
    for acronym, name in ACRONYMS.items():
        full = set(name.split())
        if acronym in place:
            place |= full
        elif full <= place:
            place.add(acronym)
    return frozenset(place)


def office_words(words: Sequence[str], place: frozenset[str]) -> tuple[str, ...]:
    """The words of a title (`_words`) that name the office: all but its trailing place words (never
    the first)."""
    end = len(words)
    while end > 1 and words[end - 1] in place:
        end -= 1
    return tuple(words[:end])


def check_title(party: Party, office: Office | None, title: str | None) -> bool:
    """Whether the certificate's title was compared with the party's position and names the same
    office (True), or there was nothing to compare (False); MatchError when it names another office."""
    if office is None or not office.position or not title:
        return False
    place = place_words(office)
    held = office_words(_words(title), place)
    position = _words(office.position)
    cut = next((i for i, word in enumerate(position) if word in CAPACITY and i > 0), len(position))
    if held not in (office_words(position, place), office_words(position[:cut], place)):
        raise MatchError(f"jabatan pada sertifikat ({title}) bukan jabatan {party.name} dalam pakta "
                         f"({office.position})",
                         f"the certificate's title ({title}) is not {party.name}'s position in the pact "
                         f"({office.position})")
    return True
