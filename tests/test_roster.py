"""Rosters as Excel writes them: `,` or `;`, BOM or not; bad cells at file:row:column."""

from __future__ import annotations

from pathlib import Path

import pytest

from pakta_cli.definition.roster import load_roster, output_stem, parse_roster, slugify
from pakta_cli.errors import ValidationError


def test_semicolon_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffNama;NIK;Jabatan\nI Made Ayu;5171044508900003;Ketua PPS\n".encode())
    (entry,) = load_roster(path)
    assert entry.party.name == "I Made Ayu" and entry.party.position == "Ketua PPS"
    assert entry.party.role == "signer" and entry.row == 2


def test_bad_cells_are_reported_by_row_and_column() -> None:
    text = "name,nik,nip\nA,5171044508900003,\nB,123,\n,5171044508900004,19860926201505100\n"
    with pytest.raises(ValidationError) as caught:
        parse_roster(text, "r.csv")
    found = [str(p) for p in caught.value.problems]
    assert found[0] == "r.csv:3:2: NIK must have 16 digits, '123' has 3"
    assert "r.csv:4:1: roster row 4 name must not be empty" in found
    assert any(p.startswith("r.csv:4:3: NIP must have 18 digits") for p in found)


def test_unknown_column_and_missing_name() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_roster("nik,email\n5171044508900003,a@b\n", "r.csv")
    found = [str(p) for p in caught.value.problems]
    assert found[0].startswith("r.csv:1:1: the header row has no 'name' column") or any(
        "unknown column 'email'" in p for p in found
    )
    assert any(p.startswith("r.csv:1:2: unknown column 'email'") for p in found)


def test_duplicate_person_is_refused() -> None:
    with pytest.raises(ValidationError, match="problem"):
        parse_roster("name,nip\nA,198609262015051001\nB,198609262015051001\n", "r.csv")


def test_empty_roster() -> None:
    with pytest.raises(ValidationError):
        parse_roster("", "r.csv")
    with pytest.raises(ValidationError):
        parse_roster("name,nik\n\n", "r.csv")


def test_output_names_are_safe_and_never_reveal_a_nik() -> None:
    (entry,) = parse_roster('name,nik\n"../../etc/Ni Luh ""Ayu"" & Co",5171044508900003\n', "r.csv")
    assert "/" not in entry.stem and ".." not in entry.stem
    assert entry.stem.startswith("etc-ni-luh-ayu-co-")
    assert "5171044508900003" not in entry.stem
    assert output_stem(entry.party) == entry.stem
    assert slugify("Ñoño Ça") == "nono-ca"
