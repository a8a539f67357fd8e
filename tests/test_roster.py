"""Rosters as offices keep them: Excel workbooks and the CSV Excel saves; bad cells at file:row:column."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from pakta_cli.definition import workbook
from pakta_cli.definition.loader import PARTY_FIELDS
from pakta_cli.definition.roster import HEADERS, load_roster, output_stem, parse_roster, slugify
from pakta_cli.errors import InputError, ValidationError
from tests.workbooks import write_workbook

NIK = "7322122203685356"
NIK2 = "7322125209907713"
NIP = "198609262015051001"


def problems(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_roster(text, "r.csv")
    return [str(p) for p in caught.value.problems]


def test_semicolon_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffNama;NIK;Jabatan\nI Made Ayu;5171044508900003;Ketua PPS\n".encode())
    roster = load_roster(path)
    (entry,) = roster.entries
    assert entry.party.name == "I Made Ayu" and entry.party.position == "Ketua PPS"
    assert entry.party.role == "signer" and entry.row == 2
    assert roster.notices == ()


def test_bad_cells_are_reported_by_row_and_column() -> None:
    found = problems("name,nik,nip\nA,5171044508900003,\nB,123,\n,5171044508900004,19860926201505100\n")
    assert found[0] == "r.csv:3:2: NIK must have 16 digits, '123' has 3"
    assert "r.csv:4:1: roster row 4 name must not be empty" in found
    assert any(p.startswith("r.csv:4:3: NIP must have 18 digits") for p in found)


def test_unknown_columns_are_ignored_with_one_notice_that_names_them() -> None:
    roster = parse_roster("No,Nama,Email,HP,Jabtan\n1,Ayu,a@b,0812,Ketua\n", "r.csv")
    assert roster.entries[0].party.position is None
    assert roster.notices == ("r.csv: columns pakta does not use are ignored: 'No' (1), 'Email' (3), 'HP' (4), "
                              "'Jabtan' (5, not 'Jabatan'?)",)


def test_a_header_without_a_name_column() -> None:
    assert problems("nik,email\n5171044508900003,a@b\n") == [
        "r.csv:1:1: the header row has no name column (Nama, Nama Lengkap, name)"]


@pytest.mark.parametrize(("header", "field"), [
    ("Nama Lengkap", "name"), ("NAMA", "name"), ("nama_lengkap", "name"), ("Nama  Lengkap.", "name"),
    ("NIK", "nik"), ("No. KTP", "nik"), ("N.I.P.", "nip"), ("Pangkat/Golongan", "rank"),
    ("pangkat / golongan", "rank"), ("Jabatan", "position"), ("Unit Kerja", "unit"), ("UNIT-KERJA", "unit"),
    ("No. SK", "decree"), ("Nomor SK", "decree"), ("nomor_sk", "decree"), ("Key ID", "key_id"),
])
def test_usual_indonesian_headers_are_understood(header: str, field: str) -> None:
    values = {"name": "Ayu", "nik": NIK, "nip": NIP, "rank": "Penata (III/c)", "position": "Ketua",
              "unit": "Sekretariat", "decree": "12/PP.04-SD/2023", "key_id": "3f2a9c0d1b7e4a55"}
    name_column = "" if field == "name" else "Nama,"
    name_value = "" if field == "name" else "Ayu,"
    roster = parse_roster(f'{name_column}"{header}"\n{name_value}"{values[field]}"\n', "r.csv")
    assert getattr(roster.entries[0].party, field) == values[field]
    assert roster.notices == ()


def test_every_party_field_has_a_header() -> None:
    assert set(PARTY_FIELDS) <= set(HEADERS)


def test_area_columns_join_smallest_first_with_their_labels() -> None:
    text = ("Nama,Kecamatan,Desa/Kelurahan,TPS\n"
            "A,Baebunta Selatan,Desa Bali Sari,2\n"
            "B,Kec. Baebunta,Sumber Wangi,TPS 014\n"
            "C,Baebunta Selatan,,\n"
            "D,,,\n")
    areas = [e.party.area for e in parse_roster(text, "r.csv").entries]
    assert areas == ["TPS 002, Desa Bali Sari, Kecamatan Baebunta Selatan",
                     "TPS 014, Desa/Kelurahan Sumber Wangi, Kec. Baebunta",
                     "Kecamatan Baebunta Selatan", None]


def test_an_area_column_and_area_parts_are_not_both_taken() -> None:
    assert problems("Nama,Wilayah,Kecamatan\nA,Desa X,Y\n") == [
        "r.csv:1:3: the area comes from column 2 or from the columns 3 (TPS, Desa/Kelurahan, Kecamatan), not both"]


def test_an_area_part_that_cannot_be_printed_is_named_at_its_cell() -> None:
    assert problems("Nama,TPS,Kecamatan\nA,1,中\n") == [
        "r.csv:2:3: roster row 2 Kecamatan: '中' (U+4E2D) cannot be printed in a pact "
        "(pakta prints Latin letters, punctuation and common symbols, the same in every PDF viewer)"]


def test_a_column_given_twice() -> None:
    assert problems("Nama,Jabatan,position\nA,B,C\n") == [
        "r.csv:1:3: column 'position' gives the position again (column 2 gives it first)"]


def test_title_rows_above_the_header_are_skipped_with_a_notice() -> None:
    roster = parse_roster("DAFTAR ANGGOTA PPS,,\nDesa Sumber Wangi,,\n,,\nNo,Nama,NIK\n1,Ayu," + NIK + "\n", "r.csv")
    assert [e.row for e in roster.entries] == [5]
    assert roster.notices == ("r.csv: the header is row 4; rows 1-2 above it skipped",
                              "r.csv: columns pakta does not use are ignored: 'No' (1)")
    assert problems("just,some,words\n1,2,3\n") == [
        "r.csv:1:1: no header row: none of the first rows names a column pakta knows (Nama, NIK, NIP, Jabatan, ...)"]


def test_a_value_under_no_header_is_refused_but_empty_trailing_cells_are_not() -> None:
    assert [e.party.name for e in parse_roster("Nama,NIK\nA," + NIK + ",,\n", "r.csv").entries] == ["A"]
    assert problems("Nama,NIK\nA," + NIK + ",oops\n") == [
        "r.csv:2:3: a value in column 3, which has no header; give the column a header or clear the cell"]


@pytest.mark.parametrize("typed", ["7,32212E+15", "7.32212E+15", "7.32212e15"])
def test_an_identity_number_in_scientific_notation_is_refused_with_a_hint(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_roster(f'Nama;NIK\nA;{typed}\n', "r.csv")
    assert [str(p) for p in caught.value.problems] == [
        f"r.csv:2:2: NIK '{typed}' is in scientific notation: Excel took the number for a quantity and its last "
        "digits are lost"]
    assert caught.value.hint is not None and "format the column as Text" in caught.value.hint


def test_one_number_for_two_people_names_both_rows() -> None:
    assert problems(f"Nama,NIK\nAyu,{NIK}\nMade,{NIK2}\nBudi,{NIK}\n") == [
        "r.csv:4:2: same NIK as row 2 (Ayu): a NIK belongs to one person; one of the two rows is wrong"]
    assert problems(f"Nama,NIP\nAyu,{NIP}\nBudi,{NIP}\n") == [
        "r.csv:3:2: same NIP as row 2 (Ayu): a NIP belongs to one person; one of the two rows is wrong"]


def test_the_same_person_twice_is_called_that() -> None:
    for column, number, other in (("NIP", NIP, "197501012000031002"), ("NIK", NIK, NIK2), ("Jabatan", "Ketua", "")):
        assert problems(f"Nama,{column}\nAyu,{number}\nMade,{other}\nAyu,{number}\n") == [
            "r.csv:4:1: row 4 repeats row 2: the same person twice (Ayu); delete one of the two rows"]
    # the same number and name with another detail is still one person, not two
    assert problems(f"Nama,NIK,Jabatan\nAyu,{NIK},Ketua\nayu,{NIK},Anggota\n") == [
        "r.csv:3:2: same NIK and name as row 2: the same person twice (ayu), with different details; "
        "keep one of the two rows"]
    # two people with one name and no number to tell them apart
    assert problems("Nama,Jabatan\nBudi,Ketua\nBudi,Anggota\n") == [
        "r.csv:3:1: same file name as row 2 (budi.pdf): two people with one name need a NIP or NIK to tell "
        "them apart"]


def test_empty_roster() -> None:
    assert problems("") == ["r.csv:1:1: the roster is empty"]
    assert problems("name,nik\n\n") == ["r.csv:2:1: the roster has a header but no people"]


def test_output_names_are_safe_and_never_reveal_a_nik() -> None:
    (entry,) = parse_roster('name,nik\n"../../etc/Ni Luh ""Ayu"" & Co",5171044508900003\n', "r.csv").entries
    assert "/" not in entry.stem and ".." not in entry.stem
    assert entry.stem.startswith("etc-ni-luh-ayu-co-")
    assert "5171044508900003" not in entry.stem
    assert output_stem(entry.party) == entry.stem
    assert slugify("Ñoño Ça") == "nono-ca"


def test_windows_1252_csv_is_read_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("Nama;Jabatan\nAndré Ñúñez “Ayu”;Anggota\n".encode("cp1252"))
    roster = load_roster(path)
    assert roster.entries[0].party.name == "André Ñúñez “Ayu”"
    assert roster.notices == (f"{path} is not UTF-8; read it as Windows-1252, what Excel saves as plain \"CSV\" "
                              "(save as \"CSV UTF-8\" to be sure of every letter)",)
    path.write_bytes(b"Nama\nA\x81B\n")  # 0x81 is no letter in Windows-1252 either
    with pytest.raises(ValidationError, match="1 problem"):
        load_roster(path)


# -- workbooks ---------------------------------------------------------------------------------------


def test_a_workbooks_first_sheet_or_the_named_one(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "people.xlsx", [["Nama Lengkap", "NIK"], ["Ayu", NIK]],
                          more={"Cadangan": [["Nama", "NIK"], ["Made", NIK2]]})
    assert [e.party.name for e in load_roster(path).entries] == ["Ayu"]
    assert [e.party.name for e in load_roster(path, sheet="Cadangan").entries] == ["Made"]
    with pytest.raises(InputError) as caught:
        load_roster(path, sheet="cadangan")
    assert caught.value.message == f"{path}: no sheet named 'cadangan'"
    assert caught.value.hint == "the workbook's sheets: 'Sheet1', 'Cadangan'"


def test_a_workbook_is_known_by_its_bytes_not_its_name(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "people.csv", [["Nama"], ["Ayu"]])
    assert [e.party.name for e in load_roster(path).entries] == ["Ayu"]


def test_workbook_places_read_as_excel_names_them(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "people.xlsx", [["DAFTAR"], [], ["No", "Nama", "NIK"], [1, "Ayu", "123"]],
                          title="Anggota PPS")
    with pytest.raises(ValidationError) as caught:
        load_roster(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}[Anggota PPS]:4:C: NIK must have 16 digits, '123' has 3"]


def test_whole_numbers_excel_stored_as_numbers_are_their_digits(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "people.xlsx", [["Nama", "NIK", "TPS", "No. SK"],
                                                     ["Ayu", int(NIK), 2, 12.0]])
    (entry,) = load_roster(path).entries
    assert entry.party.nik == NIK  # exact in the file: 16 digits that are not Excel's zeroed tail
    assert entry.party.area == "TPS 002" and entry.party.decree == "12"


@pytest.mark.parametrize(("value", "message"), [
    (7322122203685350, "a number of more than 15 digits stored as a number (7.32212e+15): Excel keeps 15 digits "
                       "of a number, so its last digits are lost"),
    (7.32212220368535e15, "a number of more than 15 digits stored as a number (7.32212e+15)"),
    (1.98609262015051e17, "a number of more than 15 digits stored as a number (1.98609e+17)"),
    (dt.datetime(2023, 3, 12), "Excel turned this cell into a date or time (2023-03-12 00:00:00)"),
    (3.5, "Excel stored this cell as a number with a fraction (3.5)"),
    (True, "Excel turned this cell into TRUE, a true/false value"),
])
def test_what_excel_changed_beyond_recovery_is_refused(tmp_path: Path, value: object, message: str) -> None:
    path = write_workbook(tmp_path / "people.xlsx", [["Nama", "NIK", "Email"], ["Ayu", value, value]])
    with pytest.raises(ValidationError) as caught:
        load_roster(path)
    (found,) = [str(p) for p in caught.value.problems]  # the ignored Email column holds the same, unread
    assert found.startswith(f"{path}[Sheet1]:2:B: {message}")
    assert caught.value.hint is not None and "format the column as Text" in caught.value.hint


def test_workbooks_pakta_cannot_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "people.xls"
    old.write_bytes(workbook.OLE_MAGIC + b"\0" * 100)
    with pytest.raises(InputError, match=r"Excel 97-2003 workbook \(\.xls\)"):
        load_roster(old)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 and then nothing of a zip")
    with pytest.raises(InputError, match="a damaged workbook"):
        load_roster(broken)
    not_excel = tmp_path / "other.xlsx"
    with zipfile.ZipFile(not_excel, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    with pytest.raises(InputError, match="not an Excel workbook pakta can read"):
        load_roster(not_excel)
    good = write_workbook(tmp_path / "good.xlsx", [["Nama"], ["Ayu"]])
    damaged = tmp_path / "damaged.xlsx"  # a sheet whose XML breaks off: found while its rows are read
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            broken = data.replace(b"</sheetData>", b"<row r='3'><c")
            target.writestr(info, broken if "sheet1" in info.filename else data)
    with pytest.raises(InputError, match="not an Excel workbook pakta can read"):
        load_roster(damaged)
    monkeypatch.setattr(workbook, "MAX_ROWS", 1)
    with pytest.raises(InputError, match=r"good.xlsx\[Sheet1\]: more than 1 rows"):
        load_roster(good)
    monkeypatch.setattr(workbook, "MAX_UNPACKED", 1000)
    with pytest.raises(InputError, match="unpacks to more than"):
        load_roster(good)


def test_sheet_is_for_workbooks(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Nama\nAyu\n")
    with pytest.raises(InputError, match=r"a sheet \(Sheet1\) was named, but this roster is CSV") as caught:
        load_roster(path, sheet="Sheet1")
    from pakta_cli.cli.wording import worded

    assert worded(caught.value) == (f"{path}: --sheet Sheet1 names a sheet, but this roster is CSV, not a workbook",
                                    "leave out --sheet, or give the .xlsx workbook")  # the command line's words
