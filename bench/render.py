"""Rendering throughput: pakta against the same page built directly with ReportLab, in one run.

    python bench/render.py [--count N] [--people N]

1. Per core: N renders of the bundled ad hoc pact (first roster person) through pakta (Jinja,
   layout markup, embedded source, signature fields, embedded font subsets) against N builds of the same page
   written directly in ReportLab Platypus with the same embedded fonts (the baseline: what a hand-written
   script would do).
2. Cores: a roster batch of P people through `pakta render --roster` with --jobs 1 and with all
   cores (the whole command path: roster parsing, process pool, files, manifest).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pakta_cli.definition import Pact, load_definition, load_roster
from pakta_cli.parallel import default_jobs
from pakta_cli.render import render

ROOT = Path(__file__).resolve().parent.parent
ROSTER_EXAMPLE = ROOT / "examples" / "adhoc-pps-2024.yaml"
ROSTER = ROOT / "examples" / "adhoc-pps-2024-roster.csv"


FONT_FILES = ROOT / "src" / "pakta_cli" / "fonts"


def register_fonts() -> None:
    """What a hand-written script does to embed Arial's metric twin: register the TrueType files
    (the same files pakta ships), once per process."""
    for name, face in (("Sans", "Regular"), ("Sans-Bold", "Bold")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_FILES / f"LiberationSans-{face}.ttf")))
    pdfmetrics.registerFontFamily("Sans", normal="Sans", bold="Sans-Bold", italic="Sans", boldItalic="Sans-Bold")


def direct_reportlab(pact: Pact) -> bytes:
    """The baseline: the same page as pakta-integritas renders for one roster person, written
    straight in Platypus as a hand-written script would (Paragraphs, Tables, the same embedded
    Liberation Sans at 11 pt, the same margins and signature space)."""
    register_fonts()
    body = ParagraphStyle("b", fontName="Sans", fontSize=11, leading=12.75, alignment=TA_JUSTIFY, spaceAfter=3)
    center = ParagraphStyle("c", parent=body, alignment=TA_CENTER, spaceAfter=0)
    title = ParagraphStyle("t", parent=center, fontName="Sans-Bold", fontSize=14, leading=16, spaceAfter=1)
    head = ParagraphStyle("h", parent=center, fontName="Sans-Bold", fontSize=14, leading=17)
    small = ParagraphStyle("s", parent=center, fontSize=10, leading=12.5)
    cell = ParagraphStyle("cell", parent=body, spaceAfter=0)
    item = ParagraphStyle("i", parent=body, leftIndent=18, bulletIndent=0, spaceAfter=1, bulletFontName="Sans",
                          bulletFontSize=11)
    signer = next(p for p in pact.parties if p.role == "signer")
    name = pact.institution.name.upper()
    split = name.find(" KABUPATEN")
    lines = [Paragraph(escape(name[:split]), head), Paragraph(escape(name[split + 1:]), head),
             Paragraph(escape(pact.institution.address or ""), small)]
    logo = Image(str(Path(pact.base_dir) / (pact.institution.logo or "")), width=16.5 * mm, height=16.5 * mm)
    plain = [("FONTNAME", (0, 0), (-1, -1), "Sans")]  # a Table's own default is Helvetica, never embedded
    letterhead = Table([[logo, lines, []]], colWidths=[26 * mm, 108 * mm, 26 * mm],
                       style=[*plain, ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    rule = Table([[[]]], colWidths=[160 * mm], rowHeights=[4],
                 style=[*plain, ("LINEABOVE", (0, 0), (-1, -1), 1.6, "black"),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.5, "black")])
    flow: list[Flowable] = [letterhead, rule, Spacer(1, 6), Paragraph(escape(pact.title or ""), title),
                            Paragraph(f"Nomor: {escape(pact.number or '')}", center), Spacer(1, 8),
                            Paragraph("Saya yang bertanda tangan di bawah ini:", body)]
    rows = [["Nama", signer.name], ["NIK", signer.nik], ["Jabatan", signer.position], ["Wilayah Kerja", signer.area],
            ["Nomor SK", signer.decree], ["Instansi (Unit Kerja)", pact.institution.name]]
    table = Table([[Paragraph(escape(label), cell), Paragraph(":", cell), Paragraph(escape(str(value)), cell)]
                   for label, value in rows], colWidths=[45 * mm, 4 * mm, 111 * mm])
    table.setStyle(TableStyle([*plain, ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5)]))
    flow += [table, Spacer(1, 4),
             Paragraph(f"Dalam rangka {escape(pact.context or '')}, dengan ini menyatakan bahwa saya:", body)]
    flow += [Paragraph(escape(c), item, bulletText=f"{i}.") for i, c in enumerate(pact.commitments, 1)]
    closing = "Demikian Pakta Integritas ini saya buat dengan sebenar-benarnya tanpa paksaan dari pihak mana pun."
    block = [Paragraph(f"{escape(pact.place)}, {pact.date.day} Januari {pact.date.year}", center),
             Paragraph("Yang membuat pernyataan,", center), Spacer(1, 24 * mm),
             Paragraph(f"<b><u>{escape(signer.name)}</u></b>", center)]
    flow.append(KeepTogether([Spacer(1, 4), Paragraph(closing, body), Spacer(1, 8),
                              Table([[[], block]], colWidths=[80 * mm, 80 * mm], style=plain)]))
    out = BytesIO()
    pad = 6  # SimpleDocTemplate's frame pads its text by 6 pt: the text area is pakta's
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=3 * cm - pad, rightMargin=2 * cm - pad,
                            topMargin=2 * cm - pad, bottomMargin=2 * cm - pad, invariant=1, initialFontName="Sans")
    doc.build(flow)  # one page: no footer (pakta prints Halaman X dari Y only past one page)
    return out.getvalue()


def paired_rates(first, second, count: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Alternate the two sides so that load from other processes falls on both alike."""
    first()
    second()  # warm caches (fonts, compiled template) for both sides alike
    spent = [0.0, 0.0]
    for _ in range(count):
        for side, func in enumerate((first, second)):
            start = time.perf_counter()
            func()
            spent[side] += time.perf_counter() - start
    return count / spent[0], count / spent[1]


def synthetic_roster(path: Path, people: int) -> None:
    """Valid, invented NIKs: region 3506 (Kediri), birth date, sequence."""
    rng = random.Random(7)
    lines = ["name,nik,position,area"]
    for i in range(people):
        day = rng.randint(1, 28) + (40 if i % 2 else 0)
        nik = f"350601{day:02d}{rng.randint(1, 12):02d}{rng.randint(60, 99):02d}{i % 10000:04d}"
        lines.append(f"Anggota {i:05d},{nik},Anggota KPPS,TPS {i % 900 + 1:03d}")
    path.write_text("\n".join(lines) + "\n")


def batch_seconds(definition: Path, roster: Path, out: Path, jobs: int) -> float:
    from typer.testing import CliRunner

    from pakta_cli.cli.app import app

    start = time.perf_counter()
    result = CliRunner().invoke(app, ["render", str(definition), "--roster", str(roster), "-o", str(out),
                                      "--jobs", str(jobs)])
    elapsed = time.perf_counter() - start
    if result.exit_code != 0:
        sys.exit(f"batch failed: {result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="renders per side for the per-core figure")
    parser.add_argument("--people", type=int, default=600, help="roster size for the multi-core figure")
    args = parser.parse_args()

    pact = load_definition(ROSTER_EXAMPLE, roster=True).with_signer(load_roster(ROSTER).entries[0].party)
    pakta_rate, direct_rate = paired_rates(lambda: render(pact), lambda: direct_reportlab(pact), args.count)
    print(f"per core   pakta render      {pakta_rate:7.1f} pacts/s  ({ROSTER_EXAMPLE.name}, first roster person, "
          f"{args.count} renders)")
    print(f"per core   direct ReportLab  {direct_rate:7.1f} pacts/s  (same page, hand-written Platypus)")
    print(f"per core   ratio pakta/direct  {pakta_rate / direct_rate:5.2f}x   (target >= 0.90x)")

    cores = default_jobs()
    with tempfile.TemporaryDirectory() as folder:
        roster = Path(folder) / "roster.csv"
        synthetic_roster(roster, args.people)
        one = batch_seconds(ROSTER_EXAMPLE, roster, Path(folder) / "one", 1)
        many = batch_seconds(ROSTER_EXAMPLE, roster, Path(folder) / "many", cores)
        same = all((Path(folder) / "one" / f).read_bytes() == (Path(folder) / "many" / f).read_bytes()
                   for f in os.listdir(Path(folder) / "one"))
    print(f"roster     --jobs 1          {args.people / one:7.1f} pacts/s  ({args.people} people)")
    print(f"roster     --jobs {cores:<2}         {args.people / many:7.1f} pacts/s")
    print(f"roster     speed-up          {one / many:7.2f}x   (target >= 1.8x on 2 cores; identical bytes: {same})")


if __name__ == "__main__":
    main()
