"""Build step for the fonts pakta ships in `src/pakta_cli/fonts/` (run it only to refresh them).

    apt-get install fonts-liberation2 fonts-texgyre && pip install '.[fonts]'
    python tools/build_fonts.py

Liberation Sans and Liberation Serif (SIL OFL 1.1) are copied unchanged from Debian's
fonts-liberation2. TeX Gyre Bonum (GUST Font License, an instance of the LPPL 1.3c) ships only as
OpenType with CFF outlines, which ReportLab cannot embed, so its four faces are converted to
TrueType outlines here: the cubic curves become quadratic ones within 1/1000 em (fontTools' cu2qu),
nothing else is drawn differently. A converted font is a derived work, and the GUST Font License
asks derived works to carry new font and file names, so the result is named Pakta Bonum
(`PaktaBonum-*.ttf`), says in its name table what was done and where the original is, and the
licence files travel beside it. The output is byte-for-byte the same on every run.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

LIBERATION = Path("/usr/share/fonts/truetype/liberation2")
TEX_GYRE = Path("/usr/share/texmf/fonts/opentype/public/tex-gyre")
TEX_GYRE_DOC = Path("/usr/share/texmf/doc/fonts/tex-gyre")
OUT = Path(__file__).resolve().parent.parent / "src" / "pakta_cli" / "fonts"
FACES = ("Regular", "Bold", "Italic", "BoldItalic")
MAX_ERROR = 1.0  # font units (1/1000 em): far below what a printer or a screen can show
CHANGES = ("Pakta Bonum is TeX Gyre Bonum 2.004 with its CFF outlines converted to TrueType (quadratic) "
           "outlines by fontTools' cu2qu within 1/1000 em, and its names changed as the GUST Font License "
           "asks of derived works. Original: https://www.gust.org.pl/projects/e-foundry/tex-gyre/bonum "
           "(also on CTAN, fonts/tex-gyre). No support for this conversion is implied from the original authors.")


def convert_bonum(source: Path, target: Path) -> None:
    font = TTFont(source, recalcTimestamp=False)
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # CFF contours run counter-clockwise, TrueType ones clockwise
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\0\1\0\0"
    for record in font["name"].names:
        text = record.toUnicode().replace("TeXGyreBonum", "PaktaBonum").replace("TeX Gyre Bonum", "Pakta Bonum")
        if record.nameID == 5:
            text += "; TrueType conversion for pakta"
        record.string = text
    for platform, encoding, language in ((1, 0, 0), (3, 1, 0x409)):
        font["name"].setName(CHANGES, 10, platform, encoding, language)
    font.save(target)


def main() -> int:
    missing = [p for p in (LIBERATION, TEX_GYRE, TEX_GYRE_DOC) if not p.is_dir()]
    if missing:
        print(f"missing {', '.join(map(str, missing))}: apt-get install fonts-liberation2 fonts-texgyre",
              file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    for family in ("Sans", "Serif"):
        for face in FACES:
            shutil.copyfile(LIBERATION / f"Liberation{family}-{face}.ttf", OUT / f"Liberation{family}-{face}.ttf")
    for face in FACES:
        convert_bonum(TEX_GYRE / f"texgyrebonum-{face.lower()}.otf", OUT / f"PaktaBonum-{face}.ttf")
    shutil.copyfile(TEX_GYRE_DOC / "GUST-FONT-LICENSE.txt", OUT / "GUST-FONT-LICENSE.txt")
    for path in sorted(OUT.glob("*.ttf")):
        print(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
