"""What each shipped type family can print, as data: checking a definition needs no font engine.

`fonts/coverage.json` lists, for each `font:` choice, the code point ranges every face of the
family (regular, bold, italic, bold italic) has a glyph for. `pakta_cli.fonts.write_coverage` makes
it from the font files; a test keeps it equal to what ReportLab reads from them. The definition
loader checks every printed value against it, so `pakta check` and `pakta verify --definition`
load neither ReportLab nor the fonts.
"""

from __future__ import annotations

import bisect
import json
from functools import cache
from importlib import resources

FOLDED = frozenset("\t\n\r")  # white space a paragraph folds into a space: never drawn itself


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
    for index, char in enumerate(text):
        if not printable(char, choice):
            return index, char
    return None


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
