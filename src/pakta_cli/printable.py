"""What a pact's fonts can print: the Windows-1252 (WinAnsi) letters of the PDF standard fonts.

Pages are set in Times and stamps in Helvetica, the standard PDF fonts every viewer has, so pacts
stay small and render the same everywhere. Those fonts print Windows-1252 (all the Latin letters
Indonesian names use, with é, ñ, ü, curly quotes and the dash), and ReportLab draws a black box for
anything else. Text a pact would misprint is refused where it is typed, never printed as ■.
"""

from __future__ import annotations

ENCODING = "cp1252"


def unprintable(text: str) -> tuple[int, str] | None:
    """The index and character of the first thing in `text` the fonts cannot print, or None."""
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError as exc:
        return exc.start, text[exc.start]
    return None


def describe(char: str) -> str:
    """`'Ł' (U+0141)`, as a message names a character."""
    return f"{char!r} (U+{ord(char):04X})"
