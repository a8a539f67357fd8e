"""`pakta render --roster` with rosters as offices keep them: each bad one is one line at its cell, a hint,
exit code 2, no traceback and nothing written; what is read but worth knowing is one note on stderr."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from pakta_cli.render import DEFINITION_NAME
from tests.cli.test_render_cli import roster_definition  # noqa: F401 (fixture)
from tests.conftest import listing, one_error, run_cli
from tests.workbooks import write_workbook

NIK = "7322122203685356"
NIK2 = "7322125209907713"
OFFICE_HEADER = ["No", "Nama Lengkap", "NIK", "Jabatan", "TPS", "Desa/Kelurahan", "Kecamatan", "No. SK", "Email"]


def office_row(number: int, name: str, nik: object) -> list[object]:
    return [number, name, nik, "Anggota KPPS", 2, "Desa Bali Sari", "Baebunta Selatan", "3/PPS/2024", "a@b.id"]


def test_an_office_workbook_renders_with_one_note_naming_the_ignored_columns(
        roster_definition: Path, tmp_path: Path) -> None:  # noqa: F811
    people = write_workbook(tmp_path / "people.xlsx", [
        ["DAFTAR NAMA ANGGOTA KPPS"], [], OFFICE_HEADER,
        office_row(1, "Sudirman Latif", NIK), office_row(2, "Ni Putu Eka Yanti", NIK2)], title="KPPS")
    out = tmp_path / "out"
    code, _, err = run_cli("render", roster_definition, "--roster", people, "-o", out, "-j", "1")
    assert code == 0, err
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert notes == [f"note: {people}[KPPS]: the header is row 3; row 1 above it skipped",
                     f"note: {people}[KPPS]: columns pakta does not use are ignored: 'No' (A), 'Email' (I)"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert [(p["row"], p["name"], p["nik"]) for p in manifest["pacts"]] == [
        (4, "Sudirman Latif", NIK), (5, "Ni Putu Eka Yanti", NIK2)]
    embedded = PdfReader(out / manifest["pacts"][0]["file"]).attachments[DEFINITION_NAME][0]
    signer = json.loads(embedded)["parties"][0]
    assert signer["area"] == "TPS 002, Desa Bali Sari, Kecamatan Baebunta Selatan"
    assert signer["decree"] == "3/PPS/2024" and signer["position"] == "Anggota KPPS"


def test_sheet_chooses_the_sheet(roster_definition: Path, tmp_path: Path) -> None:  # noqa: F811
    people = write_workbook(tmp_path / "people.xlsx", [["Catatan"], ["kosong"]],
                            more={"Anggota": [["Nama", "NIK"], ["Sudirman Latif", NIK]]})
    code, out, err = run_cli("check", roster_definition, "--roster", people, "--sheet", "Anggota")
    assert code == 0, err
    assert "lists 1 person" in out


def _numbers_as_excel_stores_them(people: Path) -> None:
    write_workbook(people, [OFFICE_HEADER, office_row(1, "Sudirman Latif", 7322122203685350)])


def _scientific_csv(people: Path) -> None:
    people.write_text(f"Nama;NIK\nSudirman Latif;7,32212E+15\nNi Putu Eka Yanti;{NIK2}\n")


def _date_decree(people: Path) -> None:
    write_workbook(people, [["Nama", "NIK", "No. SK"], ["Sudirman Latif", NIK, dt.datetime(2024, 3, 12)]])


def _same_nik(people: Path) -> None:
    people.write_text(f"Nama,NIK\nSudirman Latif,{NIK}\nNi Putu Eka Yanti,{NIK2}\nArifin Panjaitan,{NIK}\n")


def _same_nip(people: Path) -> None:
    write_workbook(people, [["Nama", "NIP"], ["Ayu", "197501012000031002"], ["Made", "197501012000031002"]])


def _same_person(people: Path) -> None:
    people.write_text(f"Nama,NIK\nSudirman Latif,{NIK}\nNi Putu Eka Yanti,{NIK2}\nSudirman Latif,{NIK}\n")


def _old_workbook(people: Path) -> None:
    people.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)


def _damaged_workbook(people: Path) -> None:
    people.write_bytes(b"PK\x03\x04" + b"\0" * 64)


def _area_twice(people: Path) -> None:
    people.write_text("Nama,Wilayah,Kecamatan\nSudirman Latif,Desa Bali Sari,Baebunta Selatan\n")


def _no_header(people: Path) -> None:
    people.write_text("DAFTAR ANGGOTA\nSudirman Latif\n")


def _not_text(people: Path) -> None:
    people.write_bytes(b"Nama\nSudirman\x81Latif\n")


BAD: list[tuple[str, str, Callable[[Path], None], str, str | None]] = [
    ("nik-number", "people.xlsx", _numbers_as_excel_stores_them,
     "people.xlsx[Sheet1]:2:C: a number of more than 15 digits stored as a number (7.32212e+15): Excel keeps 15 "
     "digits of a number, so its last digits are lost", "format the column as Text"),
    ("nik-scientific", "people.csv", _scientific_csv,
     "people.csv:2:2: NIK '7,32212E+15' is in scientific notation: Excel took the number for a quantity and its "
     "last digits are lost", "format the column as Text"),
    ("decree-date", "people.xlsx", _date_decree,
     "people.xlsx[Sheet1]:2:C: Excel turned this cell into a date or time (2024-03-12 00:00:00)",
     "format the column as Text"),
    ("same-nik", "people.csv", _same_nik,
     "people.csv:4:2: same NIK as row 2 (Sudirman Latif): a NIK belongs to one person; one of the two rows is "
     "wrong", None),
    ("same-nip", "people.xlsx", _same_nip,
     "people.xlsx[Sheet1]:3:B: same NIP as row 2 (Ayu): a NIP belongs to one person", None),
    ("same-person", "people.csv", _same_person,
     "people.csv:4:1: row 4 repeats row 2: the same person twice (Sudirman Latif); delete one of the two rows",
     None),
    ("xls", "people.xls", _old_workbook, "people.xls: an Excel 97-2003 workbook (.xls), which pakta does not read",
     "Excel Workbook (*.xlsx)"),
    ("damaged", "people.xlsx", _damaged_workbook, "people.xlsx: a damaged workbook", "save it as .xlsx again"),
    ("area-twice", "people.csv", _area_twice, "people.csv:1:3: the area comes from column 2 or from the columns 3",
     None),
    ("no-header", "people.csv", _no_header, "people.csv:1:1: no header row", None),
    ("not-text", "people.csv", _not_text, "people.csv:2:9: not UTF-8 text (byte 0x81", "save the file as UTF-8"),
]


@pytest.mark.parametrize(("name", "file", "make", "message", "hint"), BAD, ids=[b[0] for b in BAD])
def test_each_bad_roster_is_one_line_exit_2_and_writes_nothing(
        roster_definition: Path, tmp_path: Path, name: str, file: str,  # noqa: F811
        make: Callable[[Path], None], message: str, hint: str | None) -> None:
    people = tmp_path / file
    make(people)
    before = listing(tmp_path)
    code, out, err = run_cli("render", roster_definition, "--roster", people, "-o", tmp_path / "out", "--force")
    one_error(code, err, f"{tmp_path}/{message}")
    assert (hint in err) if hint else "hint:" not in err
    assert "Traceback" not in out + err
    assert listing(tmp_path) == before


def test_a_sheet_that_is_not_there(roster_definition: Path, tmp_path: Path) -> None:  # noqa: F811
    people = write_workbook(tmp_path / "people.xlsx", [["Nama"], ["Ayu"]])
    before = listing(tmp_path)
    code, _, err = run_cli("render", roster_definition, "--roster", people, "--sheet", "Cadangan",
                           "-o", tmp_path / "out")
    one_error(code, err, f"{people}: no sheet named 'Cadangan'")
    assert "hint: the workbook's sheets: 'Sheet1'" in err and listing(tmp_path) == before


def test_sheet_with_a_csv_roster(roster_definition: Path, tmp_path: Path) -> None:  # noqa: F811
    before = listing(tmp_path)
    code, _, err = run_cli("render", roster_definition, "--roster", tmp_path / "people.csv", "--sheet", "Sheet1",
                           "-o", tmp_path / "out")
    one_error(code, err, "--sheet Sheet1 names a sheet, but this roster is CSV, not a workbook")
    assert listing(tmp_path) == before


def test_the_example_workbook_through_a_real_process(tmp_path: Path) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    result = subprocess.run([sys.executable, "-m", "pakta_cli", "check", str(examples / "adhoc-pps-2024.yaml"),
                             "--roster", str(examples / "adhoc-kpps-2024-roster.xlsx")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "lists 7 people" in result.stdout
    assert "columns pakta does not use are ignored: 'No' (A), 'No. HP' (I)" in result.stderr
