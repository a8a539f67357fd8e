"""Page content in the operators pakta's pages use, each with the operands it takes, and nothing else.

Viewers agree on well-formed content; they part where it is not: an operator with one operand too
many or too few, an inline image, a compatibility section (`BX ... EX`) one viewer skips and another
draws, a comment, a colour space or graphics state the page's resources do not hold. And some
operators draw nothing while text extraction still reads words (text render mode 3, a font size of
0, horizontal scaling 0). So page content must be a sequence of operations from this grammar, each
font and image it names one the page's resources hold. ReportLab writes nothing outside it for any
pact; another writer's content, however a viewer would take it, is not a pact's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WS = rb"[\x00\t\n\x0c\r ]"
_N = rb"[+-]?(?:\d+\.?\d*|\.\d+)"  # a number
_P = rb"(?:\+?(?:\d*[1-9]\d*\.?\d*|\d*\.\d*[1-9]\d*))"  # a number above zero
_NAME = rb"/[A-Za-z0-9_.+-]{1,64}"
_LITERAL = rb"\((?:[^()\\]|\\[nrtbf()\\]|\\[0-7]{1,3}|\\\r?\n)*+\)"  # no nested parentheses: ReportLab escapes them
_HEX = rb"<[0-9A-Fa-f]*>"
_STRING = rb"(?:" + _LITERAL + rb"|" + _HEX + rb")"


def _numbers(count: int) -> bytes:
    return b"".join(_N + _WS + b"+" for _ in range(count))


# each operation: its operands, white space, the operator, white space (the last one's may be none)
_OPERATIONS = [
    rb"(?:q|Q|BT|ET|T\*|n|S|s|f\*?|F|B\*?|b\*?|h|W\*?)",
    _numbers(6) + rb"(?:cm|Tm|c)",
    _numbers(4) + rb"(?:re|v|y|k|K)",
    _numbers(3) + rb"(?:rg|RG)",
    _numbers(2) + rb"(?:m|l|Td|TD)",
    _numbers(1) + rb"(?:w|J|j|M|TL|Tw|Tc|Ts|g|G)",
    rb"[0-2]" + _WS + rb"+Tr",  # fill, stroke, or both: never invisible (3) or a clip only (4-7)
    rb"(?P<font>" + _NAME + rb")" + _WS + rb"+" + _P + _WS + rb"+Tf",  # a size above 0
    rb"(?P<image>" + _NAME + rb")" + _WS + rb"+Do",
    _STRING + _WS + rb"*(?:Tj|')",
    _numbers(2) + _STRING + _WS + rb"*\"",
    rb"\[" + _WS + rb"*(?:(?:" + _STRING + rb"|" + _N + rb")" + _WS + rb"*)*\]" + _WS + rb"*TJ",
    rb"\[" + _WS + rb"*(?:" + _N + _WS + rb"*)*\]" + _WS + rb"*" + _N + _WS + rb"+d",
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
