"""Dates as Indonesian offices write them: `2 Januari 2024`, `Selasa`, and a signing time with its zone.

One home for the month and day names: templates print the pact's date with them, the stamp the
signing time.
"""

from __future__ import annotations

import datetime as dt

MONTHS = {
    "id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni",
           "Juli", "Agustus", "September", "Oktober", "November", "Desember"],
    "en": ["January", "February", "March", "April", "May", "June",
           "July", "August", "September", "October", "November", "December"],
}
DAYS = {
    "id": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def long_date(value: dt.date, language: str = "id") -> str:
    """`2 Januari 2024` (or `2 January 2024`)."""
    return f"{value.day} {MONTHS[language][value.month - 1]} {value.year}"


def weekday(value: dt.date, language: str = "id") -> str:
    return DAYS[language][value.weekday()]


def long_time(moment: dt.datetime, zone_label: str) -> str:
    """`2 Desember 2026 05:04 WIB`: a signing time as a stamp shows it, in the signer's own zone."""
    return f"{long_date(moment.date())} {moment:%H:%M} {zone_label}"
