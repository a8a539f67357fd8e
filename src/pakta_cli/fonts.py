"""The faces a pact is set in, shipped inside pakta and embedded (subset) in every PDF.

The PDF standard fonts are not embedded: each viewer draws them with whatever it has, and one drew
Times as a condensed DejaVu. So a pact carries its own letters, in free faces metric-compatible
with what Indonesian offices type in (a line breaks where Word would break it):

| `font:`   | what offices call it | shipped face (licence)                                          |
| `arial`   | Arial                | Liberation Sans 2.1 (SIL OFL 1.1)                               |
| `times`   | Times New Roman      | Liberation Serif 2.1 (SIL OFL 1.1)                              |
| `bookman` | Bookman Old Style    | Pakta Bonum: TeX Gyre Bonum 2.004 as TrueType (GUST Font License) |

ReportLab embeds TrueType outlines only, and TeX Gyre Bonum ships with CFF ones, so
`tools/build_fonts.py` converts it and renames it as its licence asks (see fonts/README.md).
What these faces can print is what a definition may contain: `coverage_data` writes it down as data
(`fonts/coverage.json`), which the loader checks every printed value against (`pakta_cli.coverage`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from io import BytesIO
from pathlib import Path

import pakta_cli.rl_pinned  # noqa: F401  ReportLab's own defaults, before any other ReportLab module

from reportlab.lib.fonts import ps2tt, tt2ps
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from pakta_cli import coverage as letters
from pakta_cli.definition.model import DEFAULT_FONT, FONTS

CHOICES, DEFAULT = FONTS, DEFAULT_FONT  # the model lists the choices, as it lists the papers

FOLDED = frozenset("\t\n\r")  # white space a paragraph folds into a space: never drawn itself


@dataclass(frozen=True)
class Family:
    """One choice of `font:`: the shipped files and the size the body is set in."""

    files: str  # file name prefix in pakta_cli/fonts: PREFIX-Regular.ttf, -Bold, -Italic, -BoldItalic
    office_name: str  # what a clerk knows it as
    size: float  # body size in points
    leading: float  # body line distance in points


FAMILIES: dict[str, Family] = {
    # Arial and Bookman are wide faces: at 11 pt they read as large as Times at 12 pt. The line
    # distance is a word processor's single spacing (about 1.15 of the size).
    "arial": Family("LiberationSans", "Arial", 11, 12.75),
    "times": Family("LiberationSerif", "Times New Roman", 12, 13.75),
    "bookman": Family("PaktaBonum", "Bookman Old Style", 11, 12.75),
}
FACES = ("Regular", "Bold", "Italic", "BoldItalic")


@dataclass(frozen=True)
class Faces:
    """The registered ReportLab font names of one family; `<b>` and `<i>` pick among them."""

    regular: str
    bold: str
    italic: str
    bold_italic: str
    family: Family


@cache
def faces(choice: str) -> Faces:
    """Register one family's four faces with ReportLab (once per process) and name them."""
    family = FAMILIES[choice]
    names = [f"pakta-{choice}-{face.lower()}" for face in FACES]
    folder = resources.files("pakta_cli") / "fonts"
    for name, face in zip(names, FACES, strict=True):
        data = BytesIO((folder / f"{family.files}-{face}.ttf").read_bytes())
        data.name = f"{family.files}-{face}.ttf"  # ReportLab names errors by it
        pdfmetrics.registerFont(PinnedTTFont(name, data, letters=choice))
    pdfmetrics.registerFontFamily(f"pakta-{choice}", normal=names[0], bold=names[1], italic=names[2],
                                  boldItalic=names[3])
    return Faces(names[0], names[1], names[2], names[3], family)


def bold_of(font_name: str) -> str:
    """The bold face of the family `font_name` belongs to (as `<b>` would choose it)."""
    family, _, italic = ps2tt(font_name)
    return str(tt2ps(family, 1, italic))


@cache
def coverage(choice: str) -> frozenset[str]:
    """What a pact in this family may print: the letters (`pakta_cli.coverage`) every face of the
    family can draw, since a name set in bold must print too."""
    registered = faces(choice)
    sets = [set(pdfmetrics.getFont(name).face.charToGlyph)
            for name in (registered.regular, registered.bold, registered.italic, registered.bold_italic)]
    return frozenset(c for c in map(chr, set.intersection(*sets)) if letters.letter(c)) | FOLDED


class _Scratch:
    """Stands for a document when working out subsets (ReportLab keys its state by document)."""


class PinnedTTFont(TTFont):  # type: ignore[misc]
    """A face that embeds its letters in fixed subsets, so that every pact holds the same font programs.

    ReportLab gives each letter the next free code the first time a document uses it, so a subset's
    program depends on the order of a pact's words. Here the family's letters (`coverage`) are
    dealt into blocks once, in a fixed order: the first block is `letters.CHARACTERS` (what a stamp
    prints) and what else fills the first subset, each next block fills one subset. The first time a
    document uses a letter, its whole block is assigned, in order, in a subset of its own. Each
    subset is then one of a few known programs, which `pakta_cli.fontpins` recognises.
    """

    def __init__(self, name: str, data: BytesIO, *, letters: str) -> None:
        super().__init__(name, data)
        self._family = letters
        # every pact embeds the same few subsets: each font program is made once per process
        made: dict[tuple[int, ...], bytes] = {}
        make = self.face.makeSubset

        def make_subset(subset: list[int]) -> bytes:
            key = tuple(subset)
            if key not in made:
                made[key] = make(subset)
            return made[key]

        self.face.makeSubset = make_subset

    @property
    def blocks(self) -> tuple[str, ...]:
        return _blocks(self.fontName, self._family)

    def splitString(self, text: str | bytes, doc: object, encoding: str = "utf-8") -> list[tuple[int, bytes]]:
        if isinstance(text, bytes):
            text = text.decode(encoding)
        state = self.state.get(doc)
        if state is None:
            super().splitString(self.blocks[0], doc)
            state = self.state[doc]
        index = _block_index(self.fontName, self._family)
        wanted = sorted({index[c] for c in text if ord(c) not in state.assignments and c in index})
        for block in wanted:
            if state.nextCode & 0xFF:  # start the block on a subset of its own
                state.nextCode = ((state.nextCode >> 8) + 1) << 8
            super().splitString(self.blocks[block], doc)
        return super().splitString(text, doc, encoding)  # type: ignore[no-any-return]


@cache
def _blocks(face: str, choice: str) -> tuple[str, ...]:
    """`face`'s letters dealt into subsets, as ReportLab deals them when given in this order."""
    font = pdfmetrics.getFont(face)
    first = [c for c in letters.CHARACTERS if ord(c) in font.face.charToGlyph]
    # a no-break space is drawn as a space (ReportLab's rule): it has no code of its own
    rest = sorted(c for c in coverage(choice) if c not in FOLDED and c != "\xa0" and c not in set(letters.CHARACTERS))
    scratch = _Scratch()
    TTFont.splitString(font, "".join(first + rest), scratch)
    assignments = font.state[scratch].assignments
    del font.state[scratch]
    dealt: dict[int, list[str]] = {}
    for char in first + rest:
        dealt.setdefault(assignments[ord(char)] >> 8, []).append(char)
    return tuple("".join(dealt[index]) for index in sorted(dealt))


@cache
def _block_index(face: str, choice: str) -> dict[str, int]:
    return {char: index for index, block in enumerate(_blocks(face, choice)) for char in block}


def coverage_data() -> str:
    """`fonts/coverage.json` as it must be for the shipped font files (see `pakta_cli.coverage`)."""
    from pakta_cli import coverage as printable_ranges

    table = {choice: printable_ranges.ranges(coverage(choice)) for choice in FAMILIES}
    return json.dumps(table, separators=(",", ":")) + "\n"


def write_coverage() -> None:
    """Write `fonts/coverage.json` and `fonts/pins.json` again, after the font files (or ReportLab) changed."""
    folder = Path(str(resources.files("pakta_cli") / "fonts"))
    (folder / "coverage.json").write_text(coverage_data(), encoding="utf-8")
    (folder / "pins.json").write_text(pins_data(), encoding="utf-8")


def pins_data() -> str:
    """`fonts/pins.json` as it must be: the fingerprint of every subset of every face (`pakta_cli.fontpins`).

    Each face is drawn with every letter it may print, block by block, so ReportLab embeds each of
    its subsets once; the fingerprints are read back the way the verifier reads a pact's fonts.
    """
    from reportlab.pdfgen.canvas import Canvas

    from pakta_cli import fontpins
    from pakta_cli.pdf.reader import Document
    from pakta_cli.pdf.syntax import Ref

    table: dict[str, str] = {}
    for choice, family in FAMILIES.items():
        registered = faces(choice)
        for face, suffix in zip((registered.regular, registered.bold, registered.italic, registered.bold_italic),
                                FACES, strict=True):
            out = BytesIO()
            canvas = Canvas(out, invariant=1)
            for block in pdfmetrics.getFont(face).blocks:
                canvas.setFont(face, 10)
                canvas.drawString(10, 10, block)
            canvas.save()
            doc = Document(out.getvalue())
            for num in sorted(doc.revisions[0].entries):
                item = doc.get(num, 1)
                if isinstance(item, dict) and item.get("Subtype") == "TrueType":
                    tag = str(item.get("BaseFont"))[:6]
                    index = sum((ord(letter) - 65) * 26 ** power for power, letter in enumerate(reversed(tag)))
                    table[fontpins.fingerprint(doc, Ref(num, 0), 1)] = f"{family.files}-{suffix}, subset {index}"
    return json.dumps(dict(sorted(table.items())), indent=0) + "\n"
