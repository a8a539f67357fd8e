"""PDF syntax: the values a PDF holds, and a lexer that parses them from bytes.

Values: dict (`PdfDict`, name keys without the slash), list, `Name`, bytes (strings), int,
Decimal (reals), bool, None, `Ref`, `Stream`. Compare values with `same`, which unlike `==` keeps
`true` apart from `1` and a name apart from a string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

WHITESPACE = b"\x00\t\n\x0c\r "
DELIMITERS = b"()<>[]{}/%"
MAX_DEPTH = 64  # nesting deeper than this is an attack on the parser, never a pact
MAX_VALUES = 200_000  # values in one object: a pact's largest array (glyph widths, page list) holds hundreds

WS = re.compile(rb"[\x00\t\n\x0c\r ]*")
# possessive (`*+`, `++`): white space and comments are never given back, so a token that fails to
# follow a long run of them fails at once instead of retrying every way to split the run
_WS_COMMENTS = re.compile(rb"(?:[\x00\t\n\x0c\r ]++|%[^\r\n]*+)*+")
REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
_STRING_SPECIAL = re.compile(rb"[()\\]")
_ESCAPES = {
    ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f",
    ord("("): b"(", ord(")"): b")", ord("\\"): b"\\",
}


class PdfError(Exception):
    """The bytes are not a PDF this reader accepts; the message says where and why."""


class Name(str):
    """A PDF name, decoded (`/Type` is Name("Type")); kept apart from strings, which are bytes."""

    __slots__ = ()


class Ref(NamedTuple):
    num: int
    gen: int

    def __str__(self) -> str:
        return f"{self.num} {self.gen} R"


class PdfDict(dict[str, Any]):
    """A dictionary that remembers the byte span of each value, so /Contents can be located."""

    __slots__ = ("spans",)

    def __init__(self) -> None:
        super().__init__()
        self.spans: dict[str, tuple[int, int]] = {}


@dataclass(frozen=True)
class Stream:
    """A stream object: its dictionary and where its raw (still encoded) data sits in the file."""

    dict: PdfDict
    start: int
    end: int


def same(a: Any, b: Any) -> bool:
    """Structural equality that keeps types apart (`true` is not `1`, a name is not a string)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Stream):
        return a.start == b.start and a.end == b.end and same(a.dict, b.dict)
    return bool(a == b)


def refs_in(value: Any, out: set[int] | None = None) -> set[int]:
    """Every object number a value refers to (stream data is not looked into)."""
    found = set() if out is None else out
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Ref):
            found.add(item.num)
        elif isinstance(item, Stream):
            stack.extend(item.dict.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


_TOKENS = re.compile(
    rb"(?:[\x00\t\n\x0c\r ]++|%[^\r\n]*+)*+"  # whitespace and comments before a token (possessive)
    rb"(?:(?P<ref>(?P<num_>\d+)[\x00\t\n\x0c\r ]+(?P<gen_>\d+)[\x00\t\n\x0c\r ]+R(?!" + REGULAR + rb"))"
    rb"|(?P<num>[+-]?(?:\d+\.?\d*|\.\d+))(?!" + REGULAR + rb")"
    rb"|(?P<name>/" + REGULAR + rb"*)"
    rb"|(?P<open><<|\[)"
    rb"|(?P<close>>>|\])"
    rb"|(?P<hex><[0-9A-Fa-f\x00\t\n\x0c\r ]*>)"
    rb"|(?P<str>\()"
    rb"|(?P<kw>" + REGULAR + rb"+))"
)
_KEYWORDS: dict[bytes, Any] = {b"true": True, b"false": False, b"null": None}
_NUMBER_TEXT = rb"[+-]?(?:\d+\.?\d*|\.\d+)"
# `[` white space, numbers apart by white space, `]`: no comment, reference or anything else inside
_NUMBER_ARRAY = re.compile(rb"\[[\x00\t\n\x0c\r ]*+(?:" + _NUMBER_TEXT + rb"(?![^\x00\t\n\x0c\r \]])"
                           rb"[\x00\t\n\x0c\r ]*+)*+\]")
_NUMBER = re.compile(_NUMBER_TEXT)
_FAST_ARRAY = 64 << 10  # bytes: a longer array of numbers takes the general way, value by value
_NAMES: dict[bytes, Name] = {}


@dataclass
class Budget:
    """Values a whole document may still hold: parsing is most of what a verify costs, so a file
    of a hundred thousand small objects is refused at the cost of an honest pact, not parsed."""

    remaining: int
    limit: int


class Lexer:
    """Parses direct objects from a byte string at a given offset.

    One regular expression tokenises, and containers are built with an explicit stack: no
    recursion (a deeply nested file cannot exhaust Python's stack) and few Python calls per token,
    which is most of what verifying a pact costs. With a `budget`, every value parsed is counted
    against it.
    """

    def __init__(self, data: bytes, budget: Budget | None = None) -> None:
        self.data = data
        self.budget = budget
        self._left = 0  # what the last value left of its allowance

    def skip(self, pos: int) -> int:
        match = _WS_COMMENTS.match(self.data, pos)
        return match.end() if match else pos

    def value(self, pos: int, refs: list[int] | None = None) -> tuple[Any, int]:
        """Parse one value starting at `pos` (after whitespace); return it and the offset after it.

        `refs`, when given, collects the object number of every reference met on the way, so that
        who-refers-to-what needs no second walk over the parsed value.
        """
        shared = self.budget
        if shared is not None and shared.remaining <= 0:
            raise PdfError(f"the document holds more than {shared.limit} PDF values (a pact holds a few "
                           "thousand)")
        cap = MAX_VALUES if shared is None else min(MAX_VALUES, shared.remaining)
        try:
            return self._parse(pos, refs, cap)
        finally:
            if shared is not None:
                shared.remaining -= cap - self._left

    def _parse(self, pos: int, refs: list[int] | None, cap: int) -> tuple[Any, int]:
        """`value` for at most `cap` values; what is left of `cap` stays in `_left`, however it ends."""
        data = self.data
        match_at = _TOKENS.match
        # a frame: [container, pending dictionary key or None, offset where the container starts]
        stack: list[list[Any]] = []
        budget = cap
        try:
            while True:
                budget -= 1
                if budget < 0:  # bounded memory: a hostile array of millions of numbers is refused early
                    if self.budget is not None and cap < MAX_VALUES:
                        raise PdfError(f"the document holds more than {self.budget.limit} PDF values (a pact "
                                       "holds a few thousand)")
                    raise PdfError(f"an object at byte {pos} holds more than {MAX_VALUES} values")
                match = match_at(data, pos)
                if match is None:
                    pos = self.skip(pos)  # name what follows the white space, not the white space
                    if pos >= len(data):
                        raise PdfError("unexpected end of file")
                    raise PdfError(f"unexpected {chr(data[pos])!r} at byte {pos}")
                kind = match.lastgroup
                if kind is None:
                    if match.end() >= len(data):
                        raise PdfError("unexpected end of file")
                    raise PdfError(f"unexpected {chr(data[match.end()])!r} at byte {match.end()}")
                start, pos = match.start(kind), match.end()
                value: Any
                if kind == "open":
                    if len(stack) >= MAX_DEPTH:
                        raise PdfError(f"objects nested too deeply at byte {start}")
                    numbers = _NUMBER_ARRAY.match(data, start, start + _FAST_ARRAY) if data[start] == 0x5B else None
                    if numbers is None:
                        stack.append([PdfDict() if data[start] == 0x3C else [], None, start])
                        continue
                    # an array of numbers only (a font's widths, a box): read in one go, each number a value
                    texts = _NUMBER.findall(numbers.group())
                    budget -= len(texts)
                    if budget < 0:
                        continue  # said at the top of the loop
                    value = [Decimal(t.decode("ascii")) if b"." in t else int(t) for t in texts]
                    kind, pos = "array", numbers.end()
                if kind == "array":
                    pass
                elif kind == "close":
                    if not stack:
                        raise PdfError(f"unexpected {match.group(kind).decode()} at byte {start}")
                    closer = start
                    container, pending, start = stack.pop()
                    if isinstance(container, dict) != (data[closer] == 0x3E):
                        raise PdfError(f"mismatched {match.group(kind).decode()} at byte {closer}")
                    if pending is not None:
                        raise PdfError(f"dictionary key /{pending} without a value at byte {closer}")
                    value = container
                elif kind == "ref":
                    value = Ref(int(match.group("num_")), int(match.group("gen_")))
                    if refs is not None:
                        refs.append(value.num)
                elif kind == "num":
                    text = match.group(kind)
                    if b"." in text:
                        try:
                            value = Decimal(text.decode("ascii"))
                        except InvalidOperation:
                            raise PdfError(f"bad number at byte {start}") from None
                    else:
                        value = int(text)
                elif kind == "name":
                    raw = match.group(kind)
                    value = _NAMES.get(raw)
                    if value is None:
                        value = Name(_decode_name(raw[1:], start))
                        if len(_NAMES) < 4096:  # the names pakta files use; never grows without bound
                            _NAMES[raw] = value
                elif kind == "hex":
                    digits = match.group(kind)[1:-1].translate(None, WHITESPACE)
                    value = bytes.fromhex((digits + b"0" if len(digits) % 2 else digits).decode("ascii"))
                elif kind == "str":
                    value, pos = self._literal(pos)
                else:
                    word = match.group(kind)
                    if word not in _KEYWORDS:
                        raise PdfError(f"unexpected keyword {word[:20].decode('latin-1')!r} at byte {start}")
                    value = _KEYWORDS[word]
                if not stack:
                    return value, pos
                frame = stack[-1]
                container = frame[0]
                if type(container) is list:
                    container.append(value)
                elif frame[1] is None:
                    if kind != "name":
                        raise PdfError(f"dictionary key expected at byte {start}")
                    if value in container:
                        raise PdfError(f"duplicate key /{value} at byte {start}")
                    frame[1] = str(value)
                else:
                    key = frame[1]
                    container[key] = value
                    container.spans[key] = (start, pos)
                    frame[1] = None
        finally:
            self._left = budget

    def _literal(self, pos: int) -> tuple[bytes, int]:
        data = self.data
        out = bytearray()
        level = 1
        while True:
            match = _STRING_SPECIAL.search(data, pos)
            if match is None:
                raise PdfError("unterminated string")
            out += data[pos : match.start()]
            pos = match.end()
            char = data[match.start()]
            if char == 0x28:
                level += 1
                out.append(char)
            elif char == 0x29:
                level -= 1
                if level == 0:
                    return bytes(out), pos
                out.append(char)
            else:  # backslash
                if pos >= len(data):
                    raise PdfError("unterminated string")
                nxt = data[pos]
                if nxt in _ESCAPES:
                    out += _ESCAPES[nxt]
                    pos += 1
                elif 0x30 <= nxt <= 0x37:
                    digits = re.match(rb"[0-7]{1,3}", data[pos : pos + 3])
                    assert digits is not None
                    out.append(int(digits.group(), 8) & 0xFF)
                    pos += len(digits.group())
                elif nxt == 0x0D:
                    pos += 2 if data.startswith(b"\r\n", pos) else 1
                elif nxt == 0x0A:
                    pos += 1
                else:
                    out.append(nxt)
                    pos += 1


def _decode_name(raw: bytes, pos: int) -> str:
    if b"#" in raw:
        try:
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        except ValueError:
            raise PdfError(f"bad name at byte {pos}") from None
    return raw.decode("latin-1")


