"""Rosters: one person a row, as offices keep them: an Excel workbook (.xlsx), or the CSV Excel saves.

Each cell is wrapped as a YAML scalar node with its row and column as the mark, so a roster is
checked by exactly the same code as a party written in YAML, and errors read `file:row:column`
(`people.xlsx[Sheet1]:4:B` in a workbook, as Excel names the cell).

The header row is the first row that names a column pakta knows; rows above it (a title, a blank
line) are skipped with a notice. Headers are matched without regard to case, spaces or punctuation,
in English or as Indonesian offices write them (`Nama Lengkap`, `Pangkat/Golongan`, `No. SK`).
Columns pakta does not use (`No`, `Email`, `HP`) are ignored and named in one notice: a roster is
kept for more than pacts. The library returns notices; the command line prints them.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from yaml.error import Mark
from yaml.nodes import Node, ScalarNode

from pakta_cli.definition import workbook
from pakta_cli.definition.loader import (
    SHARED,
    UTF16_BOMS,
    _Reader,
    decode_text,
    read_input,
    read_party_fields,
)
from pakta_cli.definition.model import DEFAULT_FONT, Party
from pakta_cli.errors import InputError, Location, Problem, ValidationError, column_letters
from pakta_cli.i18n import N_, _
from pakta_cli.identity_numbers import same_name

# The parts of an ad hoc body's area, smallest first, as an address is written: each is printed with
# its label unless the cell already starts with it, and they join into the party's `area` with ", ":
# TPS `2` + Desa `Bali Sari` + Kecamatan `Baebunta Selatan` -> "TPS 002, Desa Bali Sari, Kecamatan Baebunta Selatan".
AREA_PARTS = {"tps": "TPS", "desa": "Desa", "kelurahan": "Kelurahan", "desa_kelurahan": "Desa/Kelurahan",
              "kecamatan": "Kecamatan"}
_ALREADY_LABELLED = re.compile(r"^(tps|desa|kel(urahan)?|kec(amatan)?)\b\.?", re.IGNORECASE)
# Every header pakta understands, by the field (or area part) it fills; matched after `_normalise`.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "Nama", "Nama Lengkap", "Nama Lengkap dan Gelar", "Nama Anggota", "Nama Petugas",
             "Nama Pegawai"),
    "nip": ("nip", "NIP Baru", "NI PPPK", "NIP/NI PPPK"),
    "nik": ("nik", "No. NIK", "Nomor NIK", "No. KTP", "Nomor KTP", "NIK KTP", "Nomor Induk Kependudukan"),
    "rank": ("rank", "Pangkat", "Golongan", "Pangkat/Golongan", "Pangkat/Gol.", "Golongan Ruang",
             "Pangkat/Golongan Ruang"),
    "position": ("position", "Jabatan", "Kedudukan"),
    "unit": ("unit", "Unit Kerja", "Instansi", "Instansi/Unit Kerja", "Satuan Kerja", "Satker"),
    "area": ("area", "Wilayah", "Wilayah Kerja", "Wilayah Tugas"),
    "decree": ("decree", "SK", "No. SK", "Nomor SK", "SK Pengangkatan", "No. SK Pengangkatan",
               "Nomor SK Pengangkatan", "Nomor Surat Keputusan"),
    "key_id": ("key_id", "Key ID"),
    "meterai": ("meterai", "Meterai"),
    "tps": ("TPS", "No. TPS", "Nomor TPS"),
    "desa": ("Desa",),
    "kelurahan": ("Kelurahan",),
    "desa_kelurahan": ("Desa/Kelurahan", "Kelurahan/Desa", "Desa/Kel."),
    "kecamatan": ("Kecamatan", "Kec."),
}
SCIENTIFIC = re.compile(r"^[+-]?\d+([.,]\d*)?[eE][+-]?\d+$")
IDENTITY_HINT = ("the NIK and NIP columns must hold text: " + workbook.AS_TEXT_HINT
                 + "; for a CSV, do this in the workbook and export it again")
HEADER_SEARCH = 20  # rows looked at for the header, below a title or two


def _normalise(header: str) -> str:
    """`Pangkat / Golongan`, `pangkat_golongan` and `PANGKAT-GOLONGAN` are one header."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", header).casefold())


KNOWN = {_normalise(alias): key for key, aliases in HEADERS.items() for alias in aliases}
DISPLAY = {_normalise(alias): alias for aliases in HEADERS.values() for alias in aliases}


@dataclass(frozen=True)
class RosterEntry:
    """One roster row: the person who signs, and the file name their pact gets."""

    row: int
    party: Party
    stem: str


@dataclass(frozen=True)
class Roster:
    """The people of a roster, and what a clerk should know about how it was read (one line each)."""

    entries: tuple[RosterEntry, ...]
    notices: tuple[str, ...] = ()


def slugify(text: str) -> str:
    """A file-name-safe ASCII slug: `Ni Luh "Ayu" Putu` -> `ni-luh-ayu-putu`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].strip("-") or "pact"


def output_stem(party: Party) -> str:
    """Stable and safe: a NIP is public on the document; a NIK is personal data, so only a hash of it."""
    if party.nip:
        return party.nip
    stem = slugify(party.name)
    if party.nik:
        stem += "-" + hashlib.sha256(party.nik.encode()).hexdigest()[:8]
    return stem


@dataclass
class _Table:
    """Rows of raw cell values from a CSV or a sheet, and how to name a place in them."""

    source: str
    rows: Iterator[tuple[int, Sequence[object]]]
    sheet: str | None = None
    notices: list[str] = field(default_factory=list)

    def where(self, row: int, column: int | None = None) -> Location:
        return Location(self.source, row, column, self.sheet)

    @property
    def name(self) -> str:
        return self.source if self.sheet is None else f"{self.source}[{self.sheet}]"

    def column(self, index: int) -> str:
        return column_letters(index) if self.sheet is not None else str(index)


def _cell(source: str, row: int, column: int, value: str) -> ScalarNode:
    mark = Mark(source, 0, row - 1, column - 1, None, 0)
    return ScalarNode("tag:yaml.org,2002:str", value, mark, mark)


def load_roster(path: Path, others: Sequence[Party] = (), *, sheet: str | None = None,
                font: str = DEFAULT_FONT) -> Roster:
    """Read a roster file: an .xlsx workbook (its first sheet, or `sheet`) or CSV text.

    The kind is told by the bytes, not the name: a workbook saved as `people.csv` is still read.
    `others` are the definition's parties that stay beside each row (see `parse_roster`).
    """
    data = read_input(path, N_("roster"))
    if workbook.is_workbook(data):
        read = workbook.read_sheet(data, path, sheet)
        return _parse_table(_Table(str(path), read.rows, read.title), others, font)
    workbook.refuse_old_workbook(data, path)
    if sheet is not None:
        raise InputError(_("{path}: a sheet ({sheet}) was named, but this roster is CSV, not a workbook").format(
                             path=path, sheet=sheet),
                         hint=_("name no sheet, or give the .xlsx workbook"), about="sheet_of_csv", path=path,
                         sheet=sheet)
    text, notice = _decode(data, path)
    table = _csv_table(text, str(path))
    if notice:
        table.notices.append(notice)
    return _parse_table(table, others, font)


def parse_roster(text: str, source: str, others: Sequence[Party] = (), font: str = DEFAULT_FONT) -> Roster:
    """Parse CSV roster text; every bad cell is reported, not just the first.

    `others` are the definition's parties that stay beside each row (superior, witnesses): a row
    with one of their NIP, NIK or key id would let that person sign one pact twice.
    """
    return _parse_table(_csv_table(text, source), others, font)


def _decode(data: bytes, path: Path) -> tuple[str, str | None]:
    """UTF-8 as the definition is; else Windows-1252, what Excel's plain "CSV" is on Indonesian Windows."""
    try:
        return decode_text(data, path), None
    except ValidationError as not_utf8:
        if data.startswith(UTF16_BOMS):
            raise
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:  # not Windows-1252 either: the UTF-8 error names the first bad byte
            raise not_utf8 from None
        return text, _('{path} is not UTF-8; read it as Windows-1252, what Excel saves as plain "CSV" (save as '
                       '"CSV UTF-8" to be sure of every letter)').format(path=path)


def _csv_table(text: str, source: str) -> _Table:
    first_line = text.split("\n", 1)[0]
    # Excel writes `,` or `;` (by locale) for CSV and a tab for "Unicode Text": the most frequent wins
    delimiter = max(",;\t", key=first_line.count) if any(d in first_line for d in ",;\t") else ","
    # strict: a quote that is never closed is an error, not one cell swallowing the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def rows() -> Iterator[tuple[int, Sequence[object]]]:
        line = 0
        while True:
            row = line + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _csv_problem(source, row, exc) from None
            line = reader.line_num
            yield row, cells

    return _Table(source, rows())


@dataclass
class _Columns:
    """What the header row says: the column of each field, and of each area part."""

    fields: dict[int, str]
    width: int


def _find_header(table: _Table, reader: _Reader) -> tuple[int, Sequence[object]]:
    """The first row that names a column pakta knows; rows above it are a title and are skipped."""
    skipped: list[int] = []
    for row, cells in table.rows:
        texts = [_plain(value) for value in cells]
        if any(_normalise(text) in KNOWN for text in texts):
            if skipped:
                span = (_("row {first}") if len(skipped) == 1 else _("rows {first}-{last}")).format(
                    first=skipped[0], last=skipped[-1])
                table.notices.append(_("{table}: the header is row {row}; {span} above it skipped").format(
                    table=table.name, row=row, span=span))
            return row, texts
        if any(texts):
            skipped.append(row)
            if len(skipped) >= HEADER_SEARCH:
                break
    if not skipped:
        raise ValidationError([Problem(table.where(1, 1), _("the roster is empty"))])
    reader.problems.append(Problem(table.where(skipped[0], 1), _("no header row: none of the first "
                                                                 "rows names a column pakta knows "
                                                                 "(Nama, NIK, NIP, Jabatan, ...)")))
    raise ValidationError(reader.problems)


def _plain(value: object) -> str:
    return "" if value is None else str(value).strip()


def _read_header(table: _Table, reader: _Reader, row: int, header: Sequence[object]) -> _Columns:
    fields: dict[int, str] = {}
    ignored: list[str] = []
    for index, raw in enumerate(header, start=1):
        label = _plain(raw)
        key = KNOWN.get(_normalise(label))
        if not label:
            continue
        if key is None:
            close = difflib.get_close_matches(_normalise(label), KNOWN, n=1, cutoff=0.8)
            ignored.append(f"{label!r} ({table.column(index)}"
                           + (f", not {DISPLAY[close[0]]!r}?)" if close else ")"))
        elif key in fields.values():
            first = next(i for i, k in fields.items() if k == key)
            reader.fail(_cell(table.source, row, index, label),
                        _("column {label!r} gives the {key} again (column {first} gives it first)").format(
                            label=label, key=key, first=table.column(first)))
        else:
            fields[index] = key
    area = [i for i, k in fields.items() if k == "area"]
    parts = [i for i, k in fields.items() if k in AREA_PARTS]
    if area and parts:
        reader.fail(_cell(table.source, row, max(area[0], parts[0]), ""),
                    _("the area comes from column {column} or from the columns {columns} "
                      "(TPS, Desa/Kelurahan, Kecamatan), not both").format(
                        column=table.column(area[0]),
                        columns=', '.join(table.column(i) for i in parts)))
    if "name" not in fields.values():
        reader.fail(_cell(table.source, row, 1, ""), _("the header row has no name column (Nama, Nama "
                                                       "Lengkap, name)"))
    if reader.problems:
        raise ValidationError(reader.problems)
    if ignored:
        table.notices.append(_("{table}: columns pakta does not use are ignored: {columns}").format(
            table=table.name, columns=", ".join(ignored)))
    return _Columns(fields, len(header))


@dataclass
class _Seen:
    """The rows read so far, to refuse one person twice and one number for two people."""

    parties: dict[Party, int] = field(default_factory=dict)
    numbers: dict[tuple[str, str], tuple[int, Party]] = field(default_factory=dict)
    stems: dict[str, int] = field(default_factory=dict)


def _parse_table(table: _Table, others: Sequence[Party], font: str = DEFAULT_FONT) -> Roster:
    reader = _Reader(table.source, table.sheet, font)
    hints: set[str] = set()
    header_row, header = _find_header(table, reader)
    columns = _read_header(table, reader, header_row, header)
    entries: list[RosterEntry] = []
    seen = _Seen()
    for row, cells in table.rows:
        fields = _row_fields(table, reader, hints, columns, row, cells)
        if fields is None:
            continue
        party = read_party_fields(reader, fields, f"roster row {row}", role="signer")
        if party is None:
            continue
        entry = _one_person_once(table, reader, seen, others, fields, RosterEntry(row, party, output_stem(party)))
        if entry is not None:
            entries.append(entry)
    if reader.problems:
        raise ValidationError(reader.problems, hint="; ".join(sorted(hints)) or None)
    if not entries:
        raise ValidationError([Problem(table.where(header_row + 1, 1), _("the roster has a header but "
                                                                         "no people"))])
    return Roster(tuple(entries), tuple(table.notices))


def _row_fields(table: _Table, reader: _Reader, hints: set[str], columns: _Columns, row: int,
                cells: Sequence[object]) -> dict[str, Node] | None:
    """One row's cells as located text nodes by field; None for a blank row or one with a bad cell."""
    if not any(_plain(value) for value in cells):
        return None
    beyond = [i for i, value in enumerate(cells[columns.width:], start=columns.width + 1) if _plain(value)]
    if beyond:
        reader.fail(_cell(table.source, row, beyond[0], ""),
                    _("a value in column {column}, which has no header; give the column a header or "
                      "clear the cell").format(column=table.column(beyond[0])))
        return None
    fields: dict[str, Node] = {}
    bad = False
    for index, key in columns.fields.items():
        value = cells[index - 1] if index - 1 < len(cells) else None
        text = workbook.cell_text(value)
        node = _cell(table.source, row, index, (text or "").strip())
        if text is None:
            reader.fail(node, workbook.why_not_text(value))
            hints.add(IDENTITY_HINT if key in ("nip", "nik") else workbook.AS_TEXT_HINT)
            bad = True
        elif key in ("nip", "nik") and SCIENTIFIC.match(text.strip()):
            reader.fail(node, _("{number} {text!r} is in scientific notation: Excel took the "
                                "number for a quantity and its last digits are lost").format(
                                  number=key.upper(), text=text.strip()))
            hints.add(IDENTITY_HINT)
            bad = True
        elif node.value or key == "name":
            fields[key] = node
    before = len(reader.problems)
    area = _join_area(reader, row, fields)
    if bad or len(reader.problems) > before:
        return None
    if area is not None:
        fields["area"] = area
    return fields


def _join_area(reader: _Reader, row: int, fields: dict[str, Node]) -> Node | None:
    """TPS, Desa/Kelurahan and Kecamatan cells as one `area`, located at the first of them."""
    parts: list[tuple[Node, str]] = []
    for key, label in AREA_PARTS.items():
        node = fields.pop(key, None)
        if node is None:
            continue
        text = reader.text(node, f"roster row {row} {label}")
        if text is None:
            continue
        if key == "tps" and text.isdigit():
            text = text.zfill(3)  # TPS numbers are printed with three digits: TPS 002
        parts.append((node, text if _ALREADY_LABELLED.match(text) else f"{label} {text}"))
    if not parts:
        return None
    first = parts[0][0]
    joined = ", ".join(text for _where, text in parts)
    return ScalarNode("tag:yaml.org,2002:str", joined, first.start_mark, first.end_mark)


def _one_person_once(table: _Table, reader: _Reader, seen: _Seen, others: Sequence[Party],
                     fields: dict[str, Node], entry: RosterEntry) -> RosterEntry | None:
    """One person is one party: refuse a row that repeats a person, or shares a NIP, NIK or key id."""
    party, row = entry.party, entry.row
    name_cell = fields["name"]
    if party in seen.parties:
        earlier = seen.parties[party]
        reader.fail(name_cell, _("row {row} repeats row {earlier}: the same person twice ({name}); "
                                 "delete one of the two rows").format(row=row, earlier=earlier, name=party.name))
        return None
    for key, label in SHARED:
        value = getattr(party, key)
        other = next((o for o in others if value is not None and getattr(o, key) == value), None)
        if other is not None:
            reader.fail(fields[key], _("same {label} as the definition's {role} {name}: one person is "
                                       "one party").format(label=label, role=other.role, name=other.name))
            return None
        if value is not None and (key, value) in seen.numbers:
            earlier, first = seen.numbers[(key, value)]
            if same_name(first.name, party.name):
                reader.fail(fields[key], _("same {label} and name as row {earlier}: the same person "
                                           "twice ({name}), with different details; keep one of the two rows").format(
                                             label=label, earlier=earlier, name=party.name))
            else:
                reader.fail(fields[key], _("same {label} as row {earlier} ({name}): a {label} belongs "
                                           "to one person; one of the two rows is wrong").format(
                                             label=label, earlier=earlier, name=first.name))
            return None
    if entry.stem in seen.stems:
        reader.fail(_cell(table.source, row, 1, ""), _("same file name as row {earlier} "
                                                       "({stem}.pdf): two people with one name need a "
                                                       "NIP or NIK to tell them apart").format(
                                                         earlier=seen.stems[entry.stem],
                                                         stem=entry.stem))
        return None
    seen.parties[party] = row
    for key, _label in SHARED:
        if getattr(party, key) is not None:
            seen.numbers[(key, getattr(party, key))] = (row, party)
    seen.stems[entry.stem] = row
    return entry


def _csv_problem(source: str, row: int, exc: csv.Error) -> ValidationError:
    """A row the CSV reader cannot split, most often a quote that is opened and never closed."""
    if "end of data" in str(exc):
        message = 'a quoted cell starts here and its closing " is missing'
    else:
        message = f"cannot read this row: {exc}"
    return ValidationError([Problem(Location(source, row), message)],
                           hint=_('inside a quoted cell, write a " as ""'))
