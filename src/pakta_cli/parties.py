"""Who a signer is among a pact's parties: the one rule `pakta sign` chooses by and `pakta verify` checks.

A party is matched, strongest first, by the key id it pins (`key_id:`), else by its NIP, else by its
NIK (ad hoc members: KPPS, PPS, PPK have no NIP), each against what the signer's certificate
carries; a party with none of the three, or whose NIK the certificate does not carry, is matched
by name only, which the verdict calls weak. A
party that pins a key is never signed with another key, even when the NIP matches: that is the
point of pinning. A key id, NIP or NIK that fits two parties is refused: one person is never two
parties of a pact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

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
