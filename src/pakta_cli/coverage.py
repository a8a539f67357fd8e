"""What a pact can print, as data: checking a definition needs no font engine.

A pact prints Latin script: the letters of Indonesian and of the names its people carry (é, ñ,
Vietnamese tones, Polish and Czech letters), punctuation, currency and a few symbols. Not other
scripts (a Cyrillic "а" looks like a Latin "a" and would make two names that read alike differ),
not the Private Use Area (a font's small capitals and old-style digits draw words no text
extraction can read), not combining marks, format or control characters (invisible, or drawn
differently by each reader). `LETTERS` says which code points those are.

`fonts/coverage.json` lists, for each `font:` choice, the code point ranges of `LETTERS` that every
face of the family (regular, bold, italic, bold italic) has a glyph for. `pakta_cli.fonts.write_coverage`
makes it from the font files; a test keeps it equal to what ReportLab reads from them. The
definition loader checks every printed value against it, so `pakta check` and `pakta verify
--definition` load neither ReportLab nor the fonts.

`CHARACTERS`, the Windows-1252 letters, are what a signature stamp can print; render puts them
first in every face it embeds, in this order (see `pakta_cli.fonts`).
"""

from __future__ import annotations

import bisect
import json
import unicodedata
from functools import cache
from importlib import resources

from pakta_cli.i18n import _

FOLDED = frozenset("\t\n\r")  # white space a paragraph folds into a space: never drawn itself
# every printable Windows-1252 letter, ASCII first (ReportLab keeps those at their own codes), then
# the rest in code order
CHARACTERS = "".join(chr(c) for c in range(0x20, 0x7F)) + "".join(
    ch for ch in bytes(range(0x80, 0x100)).decode("cp1252", errors="ignore") if ch.isprintable())
# the blocks a pact may print from (each still limited to what the family's fonts draw)
_BLOCKS = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2010, 0x2027),  # dashes, quotation marks, bullets, ellipsis
    (0x2030, 0x205E),  # per mille, primes, guillemets
    (0x20A0, 0x20C0),  # currency signs
    (0x2100, 0x218B),  # letterlike symbols (No., TM, degrees) and number forms (fractions, Roman numerals)
    (0x2190, 0x2199),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x25A0, 0x25FF),  # geometric shapes (squares, circles, for check boxes and bullets)
)
_DRAWN = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
                    "Sm", "Sc", "Sk", "So", "Zs"))


def letter(char: str) -> bool:
    """Whether `char` is one pakta may print, before asking whether a font has it (see above)."""
    code = ord(char)
    return any(start <= code <= end for start, end in _BLOCKS) and unicodedata.category(char) in _DRAWN


@cache
def _ranges(choice: str) -> tuple[list[int], list[int]]:
    data = json.loads((resources.files("pakta_cli") / "fonts" / "coverage.json").read_text(encoding="utf-8"))
    pairs = data[choice]
    return [start for start, _ in pairs], [end for _, end in pairs]


def printable(char: str, choice: str) -> bool:
    if char in FOLDED:
        return True
    starts, ends = _ranges(choice)
    code = ord(char)
    at = bisect.bisect_right(starts, code) - 1
    return at >= 0 and code <= ends[at]


def unprintable(text: str, choice: str) -> tuple[int, str] | None:
    """The index and character of the first thing in `text` the family cannot print, or None."""
    bad = {char for char in set(text) if not printable(char, choice)}  # a page of text has few letters
    if not bad:
        return None
    index = min(text.index(char) for char in bad)
    return index, text[index]


def why_unprintable(char: str, choice: str) -> str:
    """Why `char` cannot be printed, in words for the person who typed it."""
    if letter(char):
        return _("the {choice} font has no such letter").format(choice=choice)
    if unicodedata.category(char) in ("Mn", "Mc", "Me"):
        return _("a combining mark: type the letter with its accent as one letter")
    return _("pakta prints Latin letters, punctuation and common symbols, the same in every PDF viewer")


def ranges(characters: frozenset[str]) -> list[list[int]]:
    """Code points as [start, end] ranges, ascending: the file's form."""
    codes = sorted(ord(c) for c in characters if c not in FOLDED)
    out: list[list[int]] = []
    for code in codes:
        if out and out[-1][1] == code - 1:
            out[-1][1] = code
        else:
            out.append([code, code])
    return out


# The longest word a pact prints. A line of the body holds about ninety letters, so a longer word is
# never prose (a long web address is a hundred), and ReportLab's cost to break one unbreakable word
# over lines grows with the square of its length: one 97,000-letter word made each render, and each
# verify that re-renders, take ten seconds.
MAX_WORD = 120


def overlong_word(text: str) -> str | None:
    """The first word of `text` longer than MAX_WORD, or None."""
    return next((word for word in text.split() if len(word) > MAX_WORD), None)


def why_overlong(word: str) -> str:
    return _("a word of {count:,} letters ({start}...); a line holds at most {most}: put spaces in it").format(
        count=len(word), start=word[:20], most=MAX_WORD)
