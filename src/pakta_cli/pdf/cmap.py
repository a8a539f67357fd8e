"""A font's /ToUnicode CMap, read: which one-byte code draws which character.

The stamp a signature draws is set in the pact's own embedded font (the form's /DR names it), so
sign and verify need to know which code of that subset prints each letter; the CMap a font carries
says so. Only what pakta's fonts hold is read (one-byte codes, `bfchar` and `bfrange` to single
characters); anything else, or more than 256 codes, is an error, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from pakta_cli.pdf.syntax import PdfError

_SECTION = re.compile(rb"(\d+)\s+begin(bfchar|bfrange)(.*?)end\2", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")
MAX_CODES = 256


def _value(digits: bytes) -> int:
    return int(digits, 16) if digits else -1


@lru_cache(maxsize=64)
def characters(cmap: bytes) -> Mapping[str, int]:
    """Each character the CMap maps to, with the (first) one-byte code that prints it.

    Read once per process for each CMap: pakta's fonts are the same few subsets in every pact.
    """
    found: dict[str, int] = {}

    def add(code: int, unicode: int) -> None:
        if not 0 <= code <= 0xFF or not 0 <= unicode <= 0x10FFFF or 0xD800 <= unicode <= 0xDFFF:
            raise PdfError("a /ToUnicode entry that is no one-byte code to one character")
        if unicode:  # code 0 maps to nothing: the subset's .notdef
            found.setdefault(chr(unicode), code)

    total = 0
    for match in _SECTION.finditer(cmap):
        numbers = [_value(m.group(1)) for m in _HEX.finditer(match.group(3))]
        if match.group(2) == b"bfchar":
            if len(numbers) % 2:
                raise PdfError("a /ToUnicode bfchar without its character")
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
        else:
            if len(numbers) % 3:
                raise PdfError("a /ToUnicode bfrange of other than three values")
            pairs = []
            for low, high, first in zip(numbers[::3], numbers[1::3], numbers[2::3], strict=True):
                if not 0 <= low <= high <= 0xFF:
                    raise PdfError("a /ToUnicode bfrange outside one-byte codes")
                pairs += [(code, first + code - low) for code in range(low, high + 1)]
        total += len(pairs)
        if total > MAX_CODES:
            raise PdfError("a /ToUnicode map of more codes than a one-byte font has")
        for code, unicode in pairs:
            add(code, unicode)
    return MappingProxyType(found)
