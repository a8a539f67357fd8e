"""The visible stamp a signature draws in its party's signature block, as PDF operators.

A pure function of what the signature itself states (the signer's name and NIP from the
certificate, the signing time and zone from /M, the key id) and of the pact's verify_url, so
`pakta sign` draws it and `pakta verify` draws it again and requires the same bytes: a stamp is
never a place where a signer can paint over what the other parties signed.

The fonts are the standard Helvetica and Helvetica-Bold with WinAnsiEncoding (every viewer has
them), the QR code is vector rectangles; no images, no other resources. The operators are written
uncompressed, so that sign and verify produce the same bytes whatever zlib a machine has.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from pakta_cli.zones import SigningZone, format_signing_time

STAMP_HEADING = "Ditandatangani secara elektronik oleh:"


def stamp_lines(name: str, nip: str | None, signed_at: dt.datetime, zone: SigningZone,
                kid: str) -> list[tuple[str, bool]]:
    """The stamp's lines and whether each is bold: heading, name, NIP, signing time, key id."""
    from pakta_cli.definition.identity import group_nip

    lines = [(STAMP_HEADING, False), (name, True)]
    if nip:
        lines.append((f"NIP {group_nip(nip)}", False))
    lines.append((format_signing_time(signed_at, zone), False))
    lines.append((f"ID kunci {kid}", False))
    return lines


@lru_cache(maxsize=16)
def _qr_operators(url: str, size: float) -> bytes:
    """The QR code for `url` as filled rectangles (one per run of dark modules in a row)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)  # a quiet zone for scanners
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
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


def _pdf_text(text: str) -> bytes:
    """A PDF hex string in WinAnsiEncoding (what the standard fonts use); characters outside it
    are folded to their base letter, or shown as '?'. The signature dictionary's /Name keeps them.

    Hex, never a literal string: a certificate's name then can never put a PDF keyword (`obj`,
    `endstream`) into the stamp's bytes, where a viewer repairing a file might read it as structure.
    """
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore")
            out += folded or b"?"
    return b"<" + out.hex().upper().encode("ascii") + b">"


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if stringWidth(candidate, font, size) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def stamp_content(width: float, height: float, lines: Sequence[tuple[str, bool]], qr_url: str | None) -> bytes:
    """PDF operators for the visible stamp: the QR code at the left (when there is a URL) and the
    lines at its right, in the largest size from 7.5 pt down that fits the box."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 2.0
    ops = bytearray(b"q\n0 0 0 rg\n")
    text_left = pad
    if qr_url:
        qr_size = max(min(height - 2 * pad, width * 0.42), 1.0)
        ops += b"q 1 0 0 1 %.3f %.3f cm\n" % (pad, (height - qr_size) / 2)
        ops += _qr_operators(qr_url, round(qr_size, 3))
        ops += b"Q\n"
        text_left = pad + qr_size + 4
    text_width = width - text_left - pad
    size = 7.5
    while True:
        wrapped = [(piece, bold) for text, bold in lines
                   for piece in _wrap(text, "Helvetica-Bold" if bold else "Helvetica", size, text_width)]
        leading = size * 1.18
        if leading * len(wrapped) <= height - 2 * pad or size <= 4.0:
            break
        size -= 0.25
    block = leading * len(wrapped)
    y = (height + block) / 2 - size
    for text, bold in wrapped:
        font = "Helvetica-Bold" if bold else "Helvetica"
        shrink = min(1.0, text_width / max(stringWidth(text, font, size), 0.01))
        ops += b"BT /%s %.2f Tf %.3f %.3f Td " % (b"F2" if bold else b"F1", size * shrink, text_left, y)
        ops += _pdf_text(text) + b" Tj ET\n"
        y -= leading
    ops += b"Q\n"
    return bytes(ops)


