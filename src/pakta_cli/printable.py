"""Text as people see it: what a signature stamp can print, and how text from a document is shown.

A stamp prints the Windows-1252 letters (`coverage.CHARACTERS`): all the Latin letters Indonesian
names use, with é, ñ, ü, curly quotes and the dash; a name for a key is refused here when the stamp
would misprint it. (A pact's pages print more: their limit is `pakta_cli.coverage.unprintable`.)
`visible` makes text from documents and certificates safe to put on a terminal.
"""

from __future__ import annotations

import unicodedata

ENCODING = "cp1252"
_INVISIBLE = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))


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


def visible(text: str) -> str:
    """`text` from a document, a certificate or a file name, safe to show on a terminal.

    A control character is an escape sequence that can repaint the screen (a FAIL shown as a green
    VALID), a format character can reorder what follows it (a right-to-left override), a line break
    can forge a line of its own: each is shown as its `\\x..`/`\\u....` escape instead.
    """
    if text.isprintable():
        return text
    return "".join(char if char == " " or unicodedata.category(char) not in _INVISIBLE
                   else (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}") for char in text)
