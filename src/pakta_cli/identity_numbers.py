"""Indonesian identity numbers: NIP (civil servants and contract staff) and NIK (every resident).

Checks catch typos without rejecting real numbers: a contract-staff (PPPK) number puts a code
where a civil servant's NIP has the appointment month, so digits 13-14 are never forced to be a month.
"""

from __future__ import annotations

import datetime as dt
import re

from pakta_cli.i18n import _

_SEPARATORS = re.compile(r"[\s.\-]")


def normalise(number: str) -> str:
    """Drop the spaces, dots and dashes people group numbers with."""
    return _SEPARATORS.sub("", number)


def same_name(a: str | None, b: str) -> bool:
    """Whether two spellings name the same person: case and runs of spaces do not count."""
    return a is not None and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# titles written before a name (gelar depan: academic, professional, religious); degrees come after a comma
TITLES_BEFORE = frozenset({"prof", "dr", "dra", "drs", "drg", "ir", "ns", "apt", "h", "hj", "kh", "ust", "hc"})


def bare_name(name: str) -> str:
    """A person's name without the titles around it, case and spacing: the part before the first comma
    (the degrees, gelar belakang, follow one), less the titles before it. `Dra. Endang Retnowati, M.Si.`
    and `Endang Retnowati` are the same person; `Endang Retnowati` and `Endang Sulastri` are not."""
    words = name.split(",")[0].split()
    while len(words) > 1 and words[0].endswith("."):
        parts = [part.casefold() for part in words[0].split(".") if part]
        if not parts or not ("".join(parts) in TITLES_BEFORE or all(part in TITLES_BEFORE for part in parts)):
            break
        words.pop(0)
    return " ".join(words).casefold()


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def nip_problem(number: str) -> str | None:
    """Why `number` cannot be a NIP, or None when it can."""
    digits = normalise(number)
    if not digits.isdigit():
        return _("NIP {number!r} must contain only digits").format(number=number)
    if len(digits) != 18:
        return _("NIP must have 18 digits, {number!r} has {count}").format(number=number, count=len(digits))
    if _date_or_none(int(digits[0:4]), int(digits[4:6]), int(digits[6:8])) is None:
        return _("NIP {digits}: digits 1-8 must be a birth date YYYYMMDD, {date} is not a real date").format(
                   digits=digits, date=digits[:8])
    if not 1900 <= int(digits[0:4]) <= dt.date.today().year:
        return _("NIP {digits}: birth year {year} is not plausible").format(digits=digits, year=digits[:4])
    if digits[14] not in "12":
        return _("NIP {digits}: digit 15 is the gender code and must be 1 or 2, not {digit}").format(
                   digits=digits, digit=digits[14])
    return None


def nik_problem(number: str) -> str | None:
    """Why `number` cannot be a NIK, or None when it can (day + 40 for women)."""
    digits = normalise(number)
    if not digits.isdigit():
        return _("NIK {number!r} must contain only digits").format(number=number)
    if len(digits) != 16:
        return _("NIK must have 16 digits, {number!r} has {count}").format(number=number, count=len(digits))
    day, month = int(digits[6:8]), int(digits[8:10])
    if day > 40:
        day -= 40
    # The year has two digits; 2000 is a leap year so 29 February always passes here.
    if _date_or_none(2000, month, day) is None:
        return _("NIK {digits}: digits 7-12 must be a birth date DDMMYY (day + 40 for women)").format(digits=digits)
    return None


def mask_nik(nik: str) -> str:
    """A NIK as tables and messages show it: personal data (UU 27/2022), so only its region and last digits."""
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:] if len(nik) > 8 else "*" * len(nik)


def group_nip(digits: str) -> str:
    """`198609262015051001` -> `19860926 201505 1 001`, as NIPs are printed."""
    if len(digits) != 18:
        return digits
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
