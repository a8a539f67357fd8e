"""The visible stamp a signature draws in its party's signature block, as PDF operators.

    Ditandatangani secara elektronik oleh:
    [QR]  I GEDE PUTRA WIRAWAN, S.H.        (bold; two lines at most)
          Ketua KPU Provinsi Bali            (the jabatan the certificate names)
          NIP 19860926 201505 1 001
          2 Desember 2026 05:04 WIB
          ID kunci 3f2a9c0d1b7e4a55

A pure function of what the signature itself states (the signer's name, jabatan and NIP from the
certificate, the signing time and zone from /M, the key id), of the pact's verify_url and id (the
QR code opens `verify_url/pact/<id>`, the page `pakta serve` answers), and of the pact's own fonts:
`pakta sign` draws it and `pakta verify` draws it again and requires the same bytes, so a stamp is
never a place where a signer can paint over what the other parties signed.

The letters are set in the pact's own embedded face (render puts every Windows-1252 letter in the
first subset of its regular and bold fonts and names them in the form's /DR), so every font of a
signed pact is embedded and the stamp reads like the pact. Widths and codes come from those font
objects, never from a font engine: sign and verify need no ReportLab. Text is at least 7 pt; the
stamp is centred in its block; the QR code is vector rectangles. Operators are written
uncompressed and strings as hex, so sign and verify produce the same bytes whatever zlib a machine
has, and no name can put a PDF keyword into the stamp's bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pakta_cli.coverage import CHARACTERS
from pakta_cli.dates import long_time
from pakta_cli.identity_numbers import group_nip
from pakta_cli.pdf import cmap
from pakta_cli.pdf.reader import Document
from pakta_cli.pdf.syntax import PdfError, Ref, Stream
from pakta_cli.zones import zone_of

STAMP_HEADING = "Ditandatangani secara elektronik oleh:"
RESOURCES = ("PaktaStamp", "PaktaStampBold")  # their names in the form's /DR /Font
SIZE = 7.0  # points: no smaller anywhere, QR code included
LEADING = 8.0
PAD = 2.0
GAP = 3.0  # between the QR code and the text
MAX_CMAP = 64 << 10
ELLIPSIS = "\u2026"  # in Windows-1252, so in every stamp font


@dataclass(frozen=True)
class StampFont:
    """One of the pact's fonts as the stamp uses it: each letter's code, and each code's width."""

    ref: Ref
    codes: Mapping[str, int]
    widths: dict[int, float]  # code -> width in thousandths of the size

    def printable(self, text: str) -> str:
        """`text` with every letter the subset lacks folded to its base letter, or shown as `?`."""
        out = []
        for char in text:
            if char in self.codes:
                out.append(char)
                continue
            folded = "".join(c for c in unicodedata.normalize("NFKD", char) if c in self.codes)
            out.append(folded or "?")
        return "".join(out)

    def width(self, text: str, size: float) -> float:
        return sum(self.widths.get(self.codes[c], 0.0) for c in text) * size / 1000

    def encode(self, text: str) -> bytes:
        return b"<" + bytes(self.codes[c] for c in text).hex().upper().encode("ascii") + b">"


@dataclass(frozen=True)
class StampFonts:
    regular: StampFont
    bold: StampFont

    @property
    def resources(self) -> dict[str, Any]:
        """The stamp form's /Resources: the pact's own font objects, by reference."""
        return {"Font": {"F1": self.regular.ref, "F2": self.bold.ref}}


def fonts_of(doc: Document, form: dict[str, Any], revision: int) -> StampFonts:
    """The stamp's fonts as the form's /DR names them (PdfError when the pact holds no usable ones)."""
    resources = doc.resolve(form.get("DR"), revision)
    fonts = doc.resolve(resources.get("Font"), revision) if isinstance(resources, dict) else None
    if not isinstance(fonts, dict):
        raise PdfError("the form names no fonts for the stamp (/DR)")
    refs = tuple(fonts.get(name) for name in RESOURCES)
    # each signature's rebuild asks again: the same font and character-map objects give the same fonts
    used = [*refs, *(doc.resolve(ref, revision).get("ToUnicode") if isinstance(doc.resolve(ref, revision), dict)
                     else None for ref in refs)]
    key = ("stamp fonts", tuple(doc.entry(ref.num, revision) if isinstance(ref, Ref) else ref for ref in used))
    found: StampFonts | None = doc.memo.get(key)
    if found is None:
        found = doc.memo[key] = StampFonts(*(_font(doc, ref, revision) for ref in refs))
    return found


def _font(doc: Document, ref: Any, revision: int) -> StampFont:
    font = doc.resolve(ref, revision)
    if not isinstance(ref, Ref) or not isinstance(font, dict):
        raise PdfError("a stamp font the form names is not a font object")
    first, widths = font.get("FirstChar"), font.get("Widths")
    to_unicode = doc.resolve(font.get("ToUnicode"), revision)
    if type(first) is not int or not isinstance(widths, list) or not isinstance(to_unicode, Stream):
        raise PdfError("a stamp font without /FirstChar, /Widths or /ToUnicode")
    codes = cmap.characters(doc.decode(to_unicode, MAX_CMAP))
    measured = {first + index: float(width) for index, width in enumerate(widths) if type(width) in (int, Decimal)}
    if any(char not in codes for char in CHARACTERS):
        raise PdfError("a stamp font that cannot print every letter a stamp may hold")
    return StampFont(ref, codes, measured)


@dataclass(frozen=True)
class StampText:
    """What a stamp says, all of it from the signature (certificate and /M)."""

    name: str
    position: str | None  # the jabatan (the certificate's title)
    nip: str | None
    signed_at: dt.datetime  # aware, in the zone the official signed in
    key_id: str


def qr_address(verify_url: str | None, pact_id: str) -> str | None:
    """What the QR code opens: the pact's own page on the verification service."""
    return f"{verify_url.rstrip('/')}/pact/{pact_id}" if verify_url else None


QR_BORDER = 2  # the quiet zone scanners need, in modules
_QR_FORMAT_MASK_M = 0  # qrcode's code for error correction level M in the format bits


@lru_cache(maxsize=16)
def _qr_modules(url: str, mask: int | None) -> tuple[tuple[bool, ...], ...]:
    """The QR code of `url` at level M, bordered; with the lowest-penalty mask unless `mask` is given.

    Choosing the mask is nine-tenths of the work (the code is laid out and scored eight times), so
    the verifier, which must draw the signer's stamp again, reads the mask from that stamp.
    """
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QR_BORDER, mask_pattern=mask)
    code.add_data(url)
    code.make(fit=True)
    return tuple(tuple(bool(m) for m in row) for row in code.get_matrix())


@lru_cache(maxsize=16)
def _qr_operators(url: str, size: float, mask: int | None) -> bytes:
    """The QR code as filled rectangles (one per run of dark modules in a row), `size` points square."""
    matrix = _qr_modules(url, mask)
    count = len(matrix)
    module = size / count
    parts: list[str] = []
    for row_index, row in enumerate(matrix):
        y = size - (row_index + 1) * module
        column = 0
        while column < count:
            if row[column]:
                start = column
                while column < count and row[column]:
                    column += 1
                parts.append(f"{start * module:.3f} {y:.3f} {(column - start) * module:.3f} {module:.3f} re")
            else:
                column += 1
    return ("\n".join(parts) + "\nf\n").encode("ascii")


_QR_BLOCK = re.compile(rb"\nq 1 0 0 1 [0-9.]+ [0-9.]+ cm\n((?:[0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+ re\n){1,20000})f\n")


def _format_bits(data: int) -> int:
    """The 15 format bits of a QR code for 5 data bits: BCH(15,5) with generator 0x537, masked (ISO 18004 7.9)."""
    remainder = data << 10
    for shift in range(4, -1, -1):
        if remainder & (1 << (shift + 10)):
            remainder ^= 0x537 << shift
    return ((data << 10) | remainder) ^ 0x5412


def qr_mask_drawn(content: bytes) -> int | None:
    """The mask of the QR code a stamp's operators draw, read from its format bits (None if none is drawn).

    Any of the eight masks encodes the same address; the rest of the stamp is still drawn again and
    compared byte for byte, so this only spares the verifier the choosing.
    """
    found = _QR_BLOCK.search(content)
    if found is None:
        return None
    lines = found.group(1).splitlines()
    first = lines[0].split()
    module, top = float(first[3]), float(first[1])  # the first run is in the code's top row
    if module <= 0:
        return None
    row_eight = top - 8 * module
    top_row: list[tuple[float, float]] = []  # (x, width): starts and ends with a finder pattern
    eighth: list[tuple[float, float]] = []
    for line in lines:  # rows come top down: read up to row 8, which holds the format bits
        x, y, width = (float(v) for v in line.split(b" ", 3)[:3])
        if abs(y - top) < module / 2:
            top_row.append((x, width))
        elif abs(y - row_eight) < module / 2:
            eighth.append((x, width))
        elif y < row_eight:
            break
    left = top_row[0][0]
    count = round((top_row[-1][0] + top_row[-1][1] - left) / module)
    dark = {(8, column) for x, width in eighth
            for column in range(round((x - left) / module), round((x + width - left) / module))}
    if count < 21:
        return None
    cells = [(8, count - i - 1) if i < 8 else (8, 15 - i) if i < 9 else (8, 15 - i - 1) for i in range(15)]
    for mask in range(8):
        bits = _format_bits((_QR_FORMAT_MASK_M << 3) | mask)
        if all(((bits >> i) & 1 == 1) == (cell in dark) for i, cell in enumerate(cells)):
            return mask
    return None


def _wrap(text: str, font: StampFont, width: float, most: int) -> list[str]:
    """`text` in at most `most` lines of `width`; what does not fit ends in an ellipsis."""
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if font.width(candidate, SIZE) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > most:
        lines = [*lines[: most - 1], _shorten(" ".join(lines[most - 1 :]), font, width, cut=True)]
    return [_shorten(piece, font, width) for piece in lines]


def _shorten(text: str, font: StampFont, width: float, *, cut: bool = False) -> str:
    """`text` as it is when it fits `width` (and was not `cut`), else shortened to fit with an ellipsis."""
    if not cut and font.width(text, SIZE) <= width:
        return text

    def fits(length: int) -> bool:
        return font.width(text[:length].rstrip(" ,.") + ELLIPSIS, SIZE) <= width

    # the longest prefix that fits, found by halving: a prefix's width never shrinks as it grows, and a
    # certificate's name has no length limit, so a name of 100,000 letters costs 17 measures, not 100,000
    low, high = 0, len(text)  # fits(low) or low == 0; the answer is at most high
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip(" ,.") + ELLIPSIS


def stamp_content(width: float, height: float, text: StampText, qr_url: str | None, fonts: StampFonts,
                  qr_mask: int | None = None) -> bytes:
    """PDF operators for the stamp in a `width` x `height` block (see the module docstring)."""
    regular, bold = fonts.regular, fonts.bold
    signed = text.signed_at
    details = [regular.printable(f"NIP {group_nip(text.nip)}")] if text.nip else []
    details += [regular.printable(long_time(signed, zone_of(signed).label)),
                regular.printable(f"ID kunci {text.key_id}")]
    body_height = height - 2 * PAD - LEADING  # below the heading
    qr_size = min(body_height, width * 0.34) if qr_url else 0.0
    column = width - 2 * PAD - (qr_size + GAP if qr_url else 0.0)
    room = max(int(body_height // LEADING), len(details) + 1)
    name_lines = _wrap(bold.printable(text.name), bold, column, 2 if room - len(details) >= 3 else 1)
    spare = room - len(details) - len(name_lines)
    position_lines = _wrap(regular.printable(text.position), regular, column, min(2, spare)) \
        if text.position and spare > 0 else []
    lines = [(line, bold) for line in name_lines] + [(line, regular) for line in position_lines + details]

    heading = regular.printable(STAMP_HEADING)
    ops = [b"q", b"0 0 0 rg"]
    heading_y = height - PAD - SIZE
    ops.append(_text(regular, "F1", heading, (width - regular.width(heading, SIZE)) / 2, heading_y))
    text_width = max(font.width(line, SIZE) for line, font in lines)
    block_width = (qr_size + GAP if qr_url else 0.0) + text_width
    left = (width - block_width) / 2
    block_height = LEADING * len(lines)
    top = PAD + (body_height + block_height) / 2  # the text block centred in the room below the heading
    if qr_url:
        qr_bottom = PAD + (body_height - qr_size) / 2
        ops.append(b"q 1 0 0 1 %.3f %.3f cm" % (left, qr_bottom))
        ops.append(_qr_operators(qr_url, round(qr_size, 3), qr_mask).rstrip(b"\n"))
        ops.append(b"Q")
        left += qr_size + GAP
    y = top - SIZE
    for line, font in lines:
        ops.append(_text(font, "F2" if font is bold else "F1", line, left, y))
        y -= LEADING
    ops.append(b"Q")
    return b"\n".join(ops) + b"\n"


def _text(font: StampFont, resource: str, line: str, x: float, y: float) -> bytes:
    return b"BT /%s %.1f Tf %.3f %.3f Td %s Tj ET" % (resource.encode(), SIZE, x, y, font.encode(line))


def shown(content: bytes, fonts: StampFonts) -> list[str]:
    """The lines a stamp shows, in order, as text (for tests, and for reading a stamp back)."""
    by_code = {name: {code: char for char, code in font.codes.items()}
               for name, font in (("F1", fonts.regular), ("F2", fonts.bold))}
    return ["".join(by_code[m.group(1).decode()][b] for b in bytes.fromhex(m.group(2).decode()))
            for m in _SHOWN.finditer(content)]


_SHOWN = re.compile(rb"/(F[12]) [0-9.]+ Tf [0-9.-]+ [0-9.-]+ Td <([0-9A-F]*)> Tj")
