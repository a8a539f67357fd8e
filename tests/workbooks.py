"""Excel workbooks for roster tests, made at test time with openpyxl (the library pakta reads them with).

A value is written as Excel would store it: a str is a text cell, an int or float a number cell
(what a NIK becomes when typed without an apostrophe), a date a date cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

Rows = Sequence[Sequence[object]]


def write_workbook(path: Path, rows: Rows, *, title: str = "Sheet1", more: dict[str, Rows] | None = None) -> Path:
    """A workbook whose first sheet `title` holds `rows` (row 1 first); `more` adds sheets after it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for name, other in (more or {}).items():
        extra = book.create_sheet(name)
        for row in other:
            extra.append(list(row))
    book.save(path)
    return path
