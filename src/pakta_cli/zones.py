"""Time zones as Indonesian officials write them: WIB (UTC+7), WITA (UTC+8), WIT (UTC+9).

The signer's stamp and /M carry the zone the official signed in; the verdict shows the time the
same way, so an auditor reads the same clock on the page and in the report.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from pakta_cli.errors import InputError
from pakta_cli.i18n import _

_ZONE_LABELS = {7: "WIB", 8: "WITA", 9: "WIT"}
_ZONE_NAMES = {
    "wib": 7, "asia/jakarta": 7, "asia/pontianak": 7,
    "wita": 8, "asia/makassar": 8, "asia/ujung_pandang": 8,
    "wit": 9, "asia/jayapura": 9,
    "utc": 0, "z": 0,
}
DEFAULT_ZONE = "Asia/Jakarta"


@dataclass(frozen=True)
class SigningZone:
    """The time zone a signer signs in: the stamp shows its label, /M its offset."""

    label: str
    offset_minutes: int

    @property
    def tzinfo(self) -> dt.timezone:
        return dt.timezone(dt.timedelta(minutes=self.offset_minutes), self.label)


def zone_label(minutes: int) -> str:
    """WIB, WITA or WIT for Indonesia's three zones, else UTC or +HH:MM."""
    if minutes % 60 == 0 and minutes // 60 in _ZONE_LABELS:
        return _ZONE_LABELS[minutes // 60]
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def parse_zone(text: str) -> SigningZone:
    """WIB / WITA / WIT, an IANA name (Asia/Makassar) or an offset (+08:00, -0300).

    Indonesia has no daylight saving time, so a zone is a fixed offset; other IANA names take the
    offset they have now.
    """
    value = text.strip()
    known = _ZONE_NAMES.get(value.lower())
    if known is not None:
        return SigningZone(zone_label(known * 60), known * 60)
    if value[:1] in "+-" and value[1:].replace(":", "").isdigit():
        digits = value[1:].replace(":", "")
        if len(digits) in (2, 4):
            minutes = int(digits[:2]) * 60 + (int(digits[2:]) if len(digits) == 4 else 0)
            if minutes <= 14 * 60:
                minutes = -minutes if value[0] == "-" else minutes
                return SigningZone(zone_label(minutes), minutes)
    try:
        from zoneinfo import ZoneInfo

        offset = dt.datetime.now(ZoneInfo(value)).utcoffset()
    except Exception:
        raise InputError(_("unknown time zone {text!r}").format(text=text),
                         hint=_("use WIB, WITA, WIT, an IANA name such as Asia/Makassar, or +08:00")) from None
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return SigningZone(zone_label(minutes), minutes)


def default_zone() -> SigningZone:
    return parse_zone(os.environ.get("PAKTA_TIMEZONE") or DEFAULT_ZONE)


def format_signing_time(moment: dt.datetime, zone: SigningZone) -> str:
    return moment.astimezone(zone.tzinfo).strftime("%Y-%m-%d %H:%M:%S ") + zone.label


def zone_of(moment: dt.datetime) -> SigningZone:
    """The zone a time is written in (its offset, named WIB/WITA/WIT where it is one of those)."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return SigningZone(zone_label(minutes), minutes)


def describe_time(moment: dt.datetime) -> str:
    """`2026-11-23 08:13 WIB`: a time in its own offset, named as Indonesians name it."""
    return moment.strftime("%Y-%m-%d %H:%M ") + zone_of(moment).label


def parse_moment(text: str) -> dt.datetime:
    """A moment a person types: `2026-05-01`, `2026-05-01T10:00`, `2026-05-01 10:00 WITA` or with an
    offset (`+08:00`); without a zone, in the default one (`default_zone`). Aware."""
    from pakta_cli.errors import InputError

    words = text.strip().split()
    zone = parse_zone(words.pop()) if len(words) == 3 or (len(words) == 2 and ":" not in words[-1]) else None
    try:
        moment = dt.datetime.fromisoformat("T".join(words))
    except ValueError:
        raise InputError(_("{text!r} is not a date and time").format(text=text),
                         hint=_("write it as 2026-05-01, 2026-05-01T10:00 or 2026-05-01 10:00 WITA")) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=(zone or default_zone()).tzinfo)
    return moment
