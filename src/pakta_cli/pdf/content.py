"""Page content in the operators pakta's pages use, each with the operands it takes, and nothing else.

Viewers agree on well-formed content; they part where it is not: an operator with one operand too
many or too few, an inline image, a compatibility section (`BX ... EX`) one viewer skips and another
draws, a comment, a colour space or graphics state the page's resources do not hold. And some
operators draw nothing while text extraction still reads words (text render mode 3, a font size of
0, a white fill, a scale to nothing, a clip of no area), some draw what extraction never reads
(glyph outlines as curves), and some numbers one reader takes as doubles and another wraps as
integers, or clamps where another does not (a colour of 40000). So page content must be a sequence
of operations from this grammar, each font and image it names one the page's resources hold.
ReportLab writes nothing outside it for any pact; another writer's content, however a viewer would
take it, is not a pact's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WS = rb"[\x00\t\n\x0c\r ]"
# Every quantifier is possessive (`*+`, `++`): a run of digits or of operands splits into operations
# one way only, so a line that fails to match fails at once instead of trying every split.
_N = rb"[+-]?+(?:\d{1,4}+(?:\.\d{0,6}+)?+|\.\d{1,6}+)"  # a number: pages are under 10,000 pt, 6 decimals at most
_S = rb"(?:[1-9]\d{0,3}+(?:\.\d{0,6}+)?+)"  # a scale of 1 or more: nothing drawn shrinks to a dot
_SIZE = rb"(?:[3-9]|[1-9]\d)(?:\.\d{0,6}+)?+"  # a font size people read: 3 to 99 pt
_C = rb"(?:0?\.[0-8]\d{0,5}+|0?\.90{0,5}+|0(?:\.0{0,6}+)?+)"  # a colour component, 0 to .9
_NAME = rb"/[A-Za-z0-9_.+-]{1,64}+"
_LITERAL = rb"\((?:[^()\\]|\\[nrtbf()\\]|\\[0-7]{1,3}|\\\r?\n)*+\)"  # no nested parentheses: ReportLab escapes them
_HEX = rb"<[0-9A-Fa-f]*+>"
_STRING = rb"(?:" + _LITERAL + rb"|" + _HEX + rb")"
_SPACE = _WS + rb"++"


def _operands(*kinds: bytes) -> bytes:
    return b"".join(kind + _SPACE for kind in kinds)


# each operation: its operands, white space, the operator, white space (the last one's may be none).
# What pakta's pages draw and nothing more: text in dark colours at readable sizes, upright and
# unscaled; straight line segments (`m l S`), rectangles (`re`); images placed by an upright scale.
# No curves, no clipping, no CMYK, no other text render mode: each is a way to paint what text
# extraction does not read, or to read what is not painted, and pakta never uses them.
_OPERATIONS = [
    rb"(?:q|Q|BT|ET|T\*|n)",
    _operands(_S, b"0", b"0", _S, _N, _N) + rb"cm",
    _operands(b"1", b"0", b"0", b"1", _N, _N) + rb"Tm",
    _operands(_N, _N) + rb"m" + _SPACE + _operands(_N, _N) + rb"l" + _SPACE + rb"S",  # one line segment
    _operands(_N, _N, _N, _N) + rb"re" + _SPACE + rb"(?:f\*?+|S)",
    _operands(_C, _C, _C) + rb"(?:rg|RG)",
    _operands(_C) + rb"(?:g|G)",
    _operands(_N, _N) + rb"(?:Td|TD)",
    _operands(_N) + rb"(?:w|J|j|M|TL|Tw|Tc|Ts)",
    rb"0" + _SPACE + rb"Tr",  # fill text: never stroke only, invisible (3) or a clip (4-7)
    rb"(?P<font>" + _NAME + rb")" + _SPACE + _SIZE + _SPACE + rb"Tf",
    rb"(?P<image>" + _NAME + rb")" + _SPACE + rb"Do",
    _STRING + _WS + rb"*+(?:Tj|')",
    rb"\[" + _WS + rb"*+(?:(?:" + _STRING + rb"|" + _N + rb")" + _WS + rb"*+)*+\]" + _WS + rb"*+TJ",
    rb"\[" + _WS + rb"*+(?:" + _N + _WS + rb"*+)*+\]" + _WS + rb"*+" + _N + _SPACE + rb"d",
]
_OPERATION = re.compile(rb"(?:" + b"|".join(_OPERATIONS) + rb")(?:" + _WS + rb"++|\Z)")
_LEADING = re.compile(_WS + rb"*+")


@dataclass(frozen=True)
class ContentProblem:
    offset: int  # in the decoded content
    reason: str


def content_problem(data: bytes, fonts: frozenset[str], images: frozenset[str]) -> ContentProblem | None:
    """Why `data` is not page content as pakta writes it (see the module docstring), or None.

    `fonts` and `images` are the names the page's resources hold (without the slash).
    """
    pos = _LEADING.match(data).end()  # type: ignore[union-attr]
    match_at = _OPERATION.match
    while pos < len(data):
        operation = match_at(data, pos)
        if operation is None:
            return ContentProblem(pos, f"an operation pakta's pages never hold: {_excerpt(data, pos)!r}")
        named = operation.lastgroup
        if named is not None:  # a font or an image, by its name in the page's resources
            name = operation.group(named)[1:].decode("ascii")
            if name not in (fonts if named == "font" else images):
                return ContentProblem(pos, f"it names a {named} the page's resources do not hold (/{name})")
        pos = operation.end()
    return None


def _excerpt(data: bytes, offset: int) -> str:
    return data[offset : offset + 24].decode("latin-1").split("\n")[0]
