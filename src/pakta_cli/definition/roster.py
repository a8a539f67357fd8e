"""Rosters: one person a row, as Excel exports CSV (`,` or `;`, UTF-8 with or without BOM).

Each cell is wrapped as a YAML scalar node with its row and column as the mark, so a roster is
checked by exactly the same code as a party written in YAML, and errors read `file:row:column`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from yaml.error import Mark
from yaml.nodes import Node, ScalarNode

from pakta_cli.definition.loader import PARTY_FIELDS, SHARED, _Reader, read_party_fields, read_text_file
from pakta_cli.definition.model import DEFAULT_FONT, Party
from pakta_cli.errors import Location, Problem, ValidationError

HEADER_ALIASES = {"nama": "name", "jabatan": "position", "pangkat": "rank", "golongan": "rank", "unit_kerja": "unit"}


@dataclass(frozen=True)
class RosterEntry:
    """One roster row: the person who signs, and the file name their pact gets."""

    row: int
    party: Party
    stem: str


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


def _cell(source: str, row: int, column: int, value: str) -> ScalarNode:
    mark = Mark(source, 0, row - 1, column - 1, None, 0)
    return ScalarNode("tag:yaml.org,2002:str", value, mark, mark)


def parse_roster(text: str, source: str, others: Sequence[Party] = (), font: str = DEFAULT_FONT) -> list[RosterEntry]:
    """Parse roster text; every bad cell is reported, not just the first.

    `others` are the definition's parties that stay beside each row (superior, witnesses): a row
    with one of their NIP, NIK or key id would let that person sign one pact twice. `font` is the
    pact's: a name must be printable in it.
    """
    first_line = text.split("\n", 1)[0]
    # Excel writes `,` or `;` (by locale) for CSV and a tab for "Unicode Text": the most frequent wins
    delimiter = max(",;\t", key=first_line.count) if any(d in first_line for d in ",;\t") else ","
    reader = _Reader(source, font)
    # strict: a quote that is never closed is an error, not one cell swallowing the rest of the file
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(rows)
    except StopIteration:
        raise ValidationError([Problem(Location(source, 1, 1), "the roster is empty")]) from None
    except csv.Error as exc:
        raise _csv_problem(source, 1, exc) from None
    columns: dict[int, str] = {}
    for index, raw in enumerate(header, start=1):
        name = raw.strip().lower().replace(" ", "_")
        name = HEADER_ALIASES.get(name, name)
        if not name:
            continue
        if name not in PARTY_FIELDS:
            reader.fail(
                _cell(source, 1, index, raw),
                f"unknown column {raw!r}; a roster's columns are: {', '.join(PARTY_FIELDS)}",
            )
        elif name in columns.values():
            reader.fail(_cell(source, 1, index, raw), f"column {raw!r} appears twice")
        else:
            columns[index] = name
    if "name" not in columns.values():
        reader.fail(_cell(source, 1, 1, ""), "the header row has no 'name' column")
    if reader.problems:
        raise ValidationError(reader.problems)

    entries: list[RosterEntry] = []
    stems: dict[str, int] = {}
    line = rows.line_num
    while True:
        row = line + 1
        try:
            cells = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _csv_problem(source, row, exc) from None
        line = rows.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            extra = _cell(source, row, len(header) + 1, "")
            reader.fail(extra, f"row has {len(cells)} cells, the header {len(header)}")
            continue
        fields: dict[str, Node] = {}
        for index, name in columns.items():
            value = cells[index - 1].strip() if index - 1 < len(cells) else ""
            if value or name == "name":
                fields[name] = _cell(source, row, index, value)
        party = read_party_fields(reader, fields, f"roster row {row}", role="signer")
        if party is None:
            continue
        clash = next(((key, label, other) for key, label in SHARED for other in others
                      if getattr(party, key) is not None and getattr(party, key) == getattr(other, key)), None)
        if clash:
            key, label, other = clash
            reader.fail(fields[key], f"same {label} as the definition's {other.role} {other.name}: "
                        "one person is one party")
            continue
        stem = output_stem(party)
        if stem in stems:
            reader.fail(_cell(source, row, 1, ""), f"same file name as row {stems[stem]} ({stem}.pdf): "
                        "two people with one name need a nip or nik column to tell them apart")
            continue
        stems[stem] = row
        entries.append(RosterEntry(row, party, stem))
    if reader.problems:
        raise ValidationError(reader.problems)
    if not entries:
        raise ValidationError([Problem(Location(source, 2, 1), "the roster has a header but no people")])
    return entries


def _csv_problem(source: str, row: int, exc: csv.Error) -> ValidationError:
    """A row the CSV reader cannot split, most often a quote that is opened and never closed."""
    if "end of data" in str(exc):
        message = 'a quoted cell starts here and its closing " is missing'
    else:
        message = f"cannot read this row: {exc}"
    return ValidationError([Problem(Location(source, row), message)],
                           hint='inside a quoted cell, write a " as ""')


def load_roster(path: Path, others: Sequence[Party] = (), font: str = DEFAULT_FONT) -> list[RosterEntry]:
    return parse_roster(read_text_file(path, "roster"), str(path), others, font)
