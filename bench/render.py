"""Rendering throughput: pakta against the same page built directly with ReportLab, in one run.

    python bench/render.py [--count N] [--people N]

1. Per core: N renders of a bundled pact through pakta (YAML already loaded; Jinja, layout markup,
   embedded source, signature fields, page footers) against N builds of the same page written
   directly in ReportLab Platypus (the baseline: what a hand-written script would do).
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
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pakta_cli.batch import default_jobs
from pakta_cli.definition import Pact, load_definition
from pakta_cli.render import render

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "kpu-bali-2024.yaml"
ROSTER_EXAMPLE = ROOT / "examples" / "adhoc-pps-2024.yaml"


def direct_reportlab(pact: Pact) -> bytes:
    """The baseline: the same page as pakta-integritas, written straight in Platypus."""
    body = ParagraphStyle("b", fontName="Times-Roman", fontSize=12, leading=15, alignment=TA_JUSTIFY, spaceAfter=6)
    center = ParagraphStyle("c", parent=body, alignment=TA_CENTER, spaceAfter=0)
    title = ParagraphStyle("t", parent=center, fontName="Times-Bold", fontSize=14, leading=18)
    cell = ParagraphStyle("cell", parent=body, fontSize=11, leading=13.5, spaceAfter=0)
    item = ParagraphStyle("i", parent=body, leftIndent=22, bulletIndent=4, spaceAfter=4)
    signer = next(p for p in pact.parties if p.role == "signer")
    head = [Paragraph(f"<b>{escape(pact.institution.name.upper())}</b>", title),
            Paragraph(escape(pact.institution.address or ""), center)]
    if pact.institution.logo:
        logo = Image(str(Path(pact.base_dir) / pact.institution.logo), width=22 * mm, height=22 * mm)
        flow: list[Flowable] = [Table([[logo, head]], colWidths=[28 * mm, 120 * mm])]
    else:
        flow = list(head)
    flow += [
        Table([[""]], colWidths=[155 * mm], rowHeights=[3], style=[("LINEBELOW", (0, 0), (-1, -1), 1.6, "black")]),
        Spacer(1, 10),
        Paragraph("PAKTA INTEGRITAS", title),
        Paragraph(f"Nomor: {pact.number or '-'}", center),
        Spacer(1, 10),
        Paragraph("Saya yang bertanda tangan di bawah ini:", body),
    ]
    rows = [["Nama", ":", signer.name], ["NIP", ":", signer.nip or "-"], ["Jabatan", ":", signer.position or "-"],
            ["Instansi (Unit Kerja)", ":", signer.unit or pact.institution.name]]
    table = Table([[Paragraph(escape(str(c)), cell) for c in r] for r in rows], colWidths=[38 * mm, 4 * mm, 110 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    flow += [table, Spacer(1, 6), Paragraph(f"Dalam rangka {pact.context}, dengan ini menyatakan bahwa saya:", body)]
    flow += [Paragraph(escape(c), item, bulletText=f"{i}.") for i, c in enumerate(pact.commitments, 1)]
    flow.append(Paragraph("Demikian Pakta Integritas ini saya buat dengan sebenar-benarnya.", body))
    block = [Paragraph(f"{pact.place}, {pact.date}", center), Paragraph("Yang membuat pernyataan,", center),
             Spacer(1, 24 * mm), Paragraph(f"<b><u>{escape(signer.name)}</u></b>", center)]
    flow.append(KeepTogether([Table([["", block]], colWidths=[80 * mm, 80 * mm])]))
    witnesses = [[Paragraph(f"Saksi {i},", center), Spacer(1, 24 * mm),
                  Paragraph(f"<b><u>{escape(w.name)}</u></b>", center)]
                 for i, w in enumerate((p for p in pact.parties if p.role == "witness"), 1)]
    for start in range(0, len(witnesses), 2):
        pair = witnesses[start:start + 2]
        flow.append(KeepTogether([Table([pair], colWidths=[160 * mm / len(pair)] * len(pair))]))
    out = BytesIO()

    def footer(canvas, doc):  # type: ignore[no-untyped-def]
        canvas.setFont("Times-Roman", 8)
        canvas.drawRightString(A4[0] - 2.5 * cm, 1.2 * cm, f"Halaman {doc.page}")

    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=3 * cm, rightMargin=2.5 * cm, topMargin=2.5 * cm,
                            bottomMargin=2.5 * cm, invariant=1)
    doc.build(flow, onFirstPage=footer, onLaterPages=footer)
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

    pact = load_definition(EXAMPLE)
    pakta_rate, direct_rate = paired_rates(lambda: render(pact), lambda: direct_reportlab(pact), args.count)
    print(f"per core   pakta render      {pakta_rate:7.1f} pacts/s  ({EXAMPLE.name}, {args.count} renders)")
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
