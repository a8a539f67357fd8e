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

from reportlab.lib.fonts import ps2tt, tt2ps
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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
        pdfmetrics.registerFont(TTFont(name, data))
    pdfmetrics.registerFontFamily(f"pakta-{choice}", normal=names[0], bold=names[1], italic=names[2],
                                  boldItalic=names[3])
    return Faces(names[0], names[1], names[2], names[3], family)


def bold_of(font_name: str) -> str:
    """The bold face of the family `font_name` belongs to (as `<b>` would choose it)."""
    family, _, italic = ps2tt(font_name)
    return str(tt2ps(family, 1, italic))


@cache
def coverage(choice: str) -> frozenset[str]:
    """The characters every face of the family can draw: a name set in bold must print too."""
    registered = faces(choice)
    sets = [set(pdfmetrics.getFont(name).face.charToGlyph)
            for name in (registered.regular, registered.bold, registered.italic, registered.bold_italic)]
    return frozenset(map(chr, set.intersection(*sets))) | FOLDED


def coverage_data() -> str:
    """`fonts/coverage.json` as it must be for the shipped font files (see `pakta_cli.coverage`)."""
    from pakta_cli import coverage as printable_ranges

    table = {choice: printable_ranges.ranges(coverage(choice)) for choice in FAMILIES}
    return json.dumps(table, separators=(",", ":")) + "\n"


def write_coverage() -> None:
    """Write `fonts/coverage.json` again, after the font files changed."""
    path = Path(str(resources.files("pakta_cli") / "fonts" / "coverage.json"))
    path.write_text(coverage_data(), encoding="utf-8")
