"""Write `adhoc-kpps-2024-roster.xlsx`: a KPPS roster laid out as an election office keeps one in Excel.

    python examples/make_roster_workbook.py [OUT.xlsx]

A title above the header, Indonesian headers, a running number and a phone column pakta ignores,
the area split into TPS, Desa/Kelurahan and Kecamatan, the TPS typed as a number, and the NIK
column formatted as Text (so Excel keeps all 16 digits). The file is written the same, byte for
byte, on every run (fixed dates, stored zip entries), so the committed workbook can always be
made again from this script; `tests/test_examples.py` checks that it is.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
OUT = HERE / "adhoc-kpps-2024-roster.xlsx"
WHEN = dt.datetime(2024, 1, 20, 9, 0, 0)
DECREE = "Keputusan PPS Desa Bali Sari Nomor 3 Tahun 2024"
# people and numbers are invented (see README.md); the NIKs carry real-looking birth dates
PEOPLE = [
    ("Sudirman Latif", "7322122203685356", "Ketua KPPS", "0812-4455-1001"),
    ("Ni Putu Eka Yanti", "7322125209907713", "Anggota KPPS", "0813-4455-1002"),
    ("Arifin Panjaitan", "7322120412940349", "Anggota KPPS", "0852-4455-1003"),
    ("Yosefina Bua' Rante", "7322126712057100", "Anggota KPPS", "0853-4455-1004"),
    ("Supriyadi", "7322122311756914", "Anggota KPPS", "0821-4455-1005"),
    ("Hj. Andi Besse Tenri", "7322124807886620", "Anggota KPPS", "0822-4455-1006"),
    ("Muh. Ilham Syahputra", "7322121909020003", "Anggota KPPS", "0823-4455-1007"),
]


def build() -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "KPPS TPS 002"
    sheet.append(["DAFTAR NAMA ANGGOTA KPPS TPS 002 DESA BALI SARI KECAMATAN BAEBUNTA SELATAN"])
    sheet.append(["PEMILIHAN UMUM TAHUN 2024"])
    sheet.append([])
    sheet.append(["No", "Nama Lengkap", "NIK", "Jabatan", "TPS", "Desa/Kelurahan", "Kecamatan", "No. SK", "No. HP"])
    for number, (name, nik, position, phone) in enumerate(PEOPLE, start=1):
        sheet.append([number, name, nik, position, 2, "Desa Bali Sari", "Baebunta Selatan", DECREE, phone])
        sheet.cell(sheet.max_row, 3).number_format = "@"  # Text: what keeps a NIK's 16 digits in Excel
    for column, width in zip("ABCDEFGHI", (5, 26, 20, 16, 6, 18, 20, 48, 16), strict=True):
        sheet.column_dimensions[column].width = width
    book.properties.creator = "KPU Kabupaten Luwu Utara"
    book.properties.created = book.properties.modified = WHEN
    return book


def reproducible(book: Workbook) -> bytes:
    """The workbook's zip with a fixed date on every entry and no compression, so every run gives these bytes.

    openpyxl stamps the save time into docProps/core.xml as the modified date; it becomes WHEN too.
    """
    saved = io.BytesIO()
    book.save(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + WHEN.isoformat().encode() + b"Z", data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=WHEN.timetuple()[:6]), data)
    return out.getvalue()


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    path.write_bytes(reproducible(build()))
    print(f"wrote {path}")
