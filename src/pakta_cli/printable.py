"""What a signature stamp can print: the Windows-1252 (WinAnsi) letters of the PDF standard fonts.

The stamp `pakta sign` draws is set in Helvetica, a standard PDF font, with WinAnsiEncoding: all the
Latin letters Indonesian names use, with é, ñ, ü, curly quotes and the dash. A name for a key is
refused here when the stamp would misprint it. (A pact's pages are set in embedded fonts that print
more: their limit is `pakta_cli.coverage.unprintable`.)
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
