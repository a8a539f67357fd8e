"""Excel workbooks (.xlsx) as rosters: one sheet read into rows of cell values, and those values as text.

openpyxl reads the file (see pyproject.toml for why that reader). What Excel did to a cell is
undone only where it can be undone exactly: a whole number Excel stored as a number is its digits;
a number it can no longer give back exactly (one of more than 15 digits, whose tail Excel zeroes,
or one kept in scientific notation), a fraction, or a date it made of what was typed is refused,
with the hint that ends it for good: format the column as Text.

A workbook is a zip of XML written by whoever made it, so its size is bounded before it is opened,
and the rows and columns read are bounded too (Excel's own limits, and a roster's width).
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pakta_cli.errors import InputError
from pakta_cli.i18n import _

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), which openpyxl does not read
MAX_UNPACKED = 64 << 20  # all parts of the workbook unpacked: far above a regency's tens of thousands of rows
MAX_PARTS = 10_000
MAX_ROWS = 1_048_576  # Excel's own last row
MAX_COLUMNS = 256  # a roster's columns; cells further right are not read
EXACT_DIGITS = 15  # Excel keeps 15 significant digits of a number and zeroes the rest as it is typed
AS_TEXT_HINT = ("in Excel, format the column as Text (Format Cells > Number > Text) and type the values again "
                "(or start each with an apostrophe: '7322122203685356), then save the workbook again")


@dataclass(frozen=True)
class Sheet:
    """One sheet's rows: (row number as Excel shows it, the cells' values from column A)."""

    title: str
    rows: Iterator[tuple[int, Sequence[object]]]


def is_workbook(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def refuse_old_workbook(data: bytes, path: Path) -> None:
    """An .xls is not a CSV either: say what it is instead of reporting its bytes as bad text."""
    if data.startswith(OLE_MAGIC):
        raise InputError(_("{path}: an Excel 97-2003 workbook (.xls), which pakta does not read").format(path=path),
                         hint=_('in Excel: Save As, "Excel Workbook (*.xlsx)" or "CSV UTF-8 (Comma delimited)"'))


def read_sheet(data: bytes, path: Path, sheet: str | None) -> Sheet:
    """The named sheet, or the first; every row is read now, so the workbook is closed on return."""
    import openpyxl  # here: only a workbook roster pays for it

    _check_size(data, path)
    try:
        with warnings.catch_warnings():  # openpyxl warns about styles and extensions it skips: not the clerk's concern
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                chosen = book.worksheets[_choose([ws.title for ws in book.worksheets], path, sheet)]
                chosen.reset_dimensions()  # a wrong <dimension> must not hide rows: read what the sheet holds
                rows = list(_rows(chosen.iter_rows(max_col=MAX_COLUMNS, values_only=True), path, chosen.title))
            finally:
                book.close()
    except InputError:
        raise
    except Exception as exc:  # a damaged or foreign zip fails in many ways inside openpyxl; each is this one line
        raise InputError(_("{path}: not an Excel workbook pakta can read ({kind}: {exc})").format(
                             path=path, kind=type(exc).__name__, exc=exc),
                         hint=_("open it in Excel or LibreOffice and save it as .xlsx, or as CSV UTF-8")) from None
    return Sheet(chosen.title, iter(rows))


def _choose(titles: Sequence[str], path: Path, sheet: str | None) -> int:
    """The index of the sheet to read: the named one, or the first."""
    if not titles:
        raise InputError(_("{path}: the workbook has no worksheet").format(path=path))
    if sheet is None:
        return 0
    if sheet not in titles:
        raise InputError(_("{path}: no sheet named {sheet!r}").format(path=path, sheet=sheet),
                         hint=_("the workbook's sheets: {sheets}").format(
                                  sheets=', '.join(repr(title) for title in titles)))
    return titles.index(sheet)


def _rows(values: Iterator[tuple[object, ...]], path: Path, title: str) -> Iterator[tuple[int, Sequence[object]]]:
    for number, row in enumerate(values, start=1):
        if number > MAX_ROWS:
            raise InputError(_("{path}[{title}]: more than {limit:,} rows, more than Excel holds").format(
                                 path=path, title=title, limit=MAX_ROWS))
        yield number, row


def _check_size(data: bytes, path: Path) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(_("{path}: a damaged workbook ({exc})").format(path=path, exc=exc),
                         hint=_("open it in Excel or LibreOffice and save it as .xlsx again")) from None
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED:
        raise InputError(_("{path}: the workbook unpacks to more than {limit} MiB").format(
                             path=path, limit=MAX_UNPACKED >> 20),
                         hint=_("split the roster into several workbooks"))


def cell_text(value: object) -> str | None:
    """A cell's value as the text a clerk typed, or None when Excel changed it beyond recovery."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: a bool is an int to Python
        return None
    if isinstance(value, int):
        digits = str(abs(value))
        if len(digits) > EXACT_DIGITS and not digits[EXACT_DIGITS:].strip("0"):
            return None  # the tail Excel zeroes: the real digits there are lost
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 10**EXACT_DIGITS:
        return str(int(value))
    return None


def why_not_text(value: object) -> str:
    """What Excel made of a cell that `cell_text` refuses, in the clerk's words."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return _("Excel turned this cell into a date or time ({value}); what was typed is lost").format(value=value)
    if isinstance(value, bool):
        return _("Excel turned this cell into {value}, a true/false value").format(
                   value=str(value).upper())
    if isinstance(value, int | float) and abs(value) >= 10**EXACT_DIGITS:
        return (_("a number of more than {digits} digits stored as a number ({value:.6g}): "
                  "Excel keeps {digits} digits of a number, so its last digits are lost").format(
                    digits=EXACT_DIGITS, value=value))
    return _("Excel stored this cell as a number with a fraction ({value}), not as the text typed").format(
               value=value)
