"""The documents as a KPU clerk files them: one page where the paper form has one, on A4 and on F4,
every font embedded, and pages that are drawn (rendered to PNG by poppler, as a viewer would).

Page counts come from the pictures pdftoppm makes, not from the PDF's own page tree.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from pakta_cli.definition import Pact, load_definition, load_roster
from pakta_cli.render import render
from tests.test_examples import STANDARD_PAKTA

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ADHOC = EXAMPLES / "adhoc-pps-2024.yaml"
ROSTER = EXAMPLES / "adhoc-pps-2024-roster.csv"
KEDIRI = EXAMPLES / "kpu-kediri-2026"
PAPERS = ("A4", "F4")
FONTS = ("arial", "times", "bookman")
# the 49/2011 standard set and one more point, as many units sign it, with the superior's block
STANDARD = [point.format(institution="Komisi Pemilihan Umum Kabupaten Kediri") for point in STANDARD_PAKTA]
EIGHT_POINTS = [*STANDARD[:-1], "Menjaga netralitas dan tidak memihak kepada peserta Pemilu dan Pemilihan dalam "
                "melaksanakan tugas;", STANDARD[-1]]


def pages(pact: Pact, folder: Path, name: str) -> list[Image.Image]:
    """The pact's pages as pdftoppm draws them (a blank page would be all white)."""
    pdf = folder / f"{name}.pdf"
    pdf.write_bytes(render(pact).pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "20", str(pdf), str(folder / name)], check=True)
    drawn = []
    for png in sorted(folder.glob(f"{name}-*.png")):
        with Image.open(png) as image:
            drawn.append(image.convert("L"))
    assert all(page.getextrema()[0] < 128 for page in drawn), f"{name}: a page is blank"
    return drawn


def fonts_of(pact: Pact, folder: Path) -> list[list[str]]:
    """pdffonts' rows: name, type, encoding, embedded, subset, unicode."""
    pdf = folder / "fonts.pdf"
    pdf.write_bytes(render(pact).pdf)
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def eight_points() -> Pact:
    pact = load_definition(KEDIRI / "pakta-integritas.yaml")
    assert [p.role for p in pact.parties] == ["signer", "superior"]
    return replace(pact, commitments=tuple(EIGHT_POINTS))


def longest_roster_row() -> Pact:
    """The roster row whose pact is tallest: the longest name, area, position and decree."""
    entries = load_roster(ROSTER).entries
    row = max(entries, key=lambda e: sum(len(getattr(e.party, k) or "") for k in ("name", "area", "position",
                                                                                  "decree")))
    return load_definition(ADHOC, roster=True).with_signer(row.party)


ONE_PAGE = {
    "pakta-integritas, 8 points, signer and superior": eight_points,
    "pakta-integritas, the 49/2011 standard set": lambda: load_definition(KEDIRI / "pakta-integritas.yaml"),
    "pernyataan-bebas-benturan-kepentingan": lambda: load_definition(
        KEDIRI / "pernyataan-bebas-benturan-kepentingan.yaml"),
    "ad hoc roster pact, 11 points, longest row": longest_roster_row,
}


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("case", list(ONE_PAGE))
def test_what_paper_has_on_one_page_is_one_page(case: str, paper: str, font: str, tmp_path: Path) -> None:
    pact = replace(ONE_PAGE[case](), paper=paper, font=font)
    assert len(pages(pact, tmp_path, "pact")) == 1


@pytest.mark.parametrize("paper", PAPERS)
def test_every_roster_pact_is_one_page(paper: str, tmp_path: Path) -> None:
    pact = replace(load_definition(ADHOC, roster=True), paper=paper)
    entries = load_roster(ROSTER).entries
    assert len(entries) >= 60
    for entry in entries:
        assert len(pages(pact.with_signer(entry.party), tmp_path, entry.stem)) == 1, entry.party.name


EXPECTED_PAGES = {  # the statement and its annex; pacts with many signers or witnesses
    "perjanjian-kinerja.yaml": 2,
    "kpu-bali-2024.yaml": 2,
    "bawaslu-netralitas-asn.yaml": 2,
    "pakta-integritas.yaml": 1,
    "pernyataan-bebas-benturan-kepentingan.yaml": 1,
}


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("example", sorted(p.name for p in [*EXAMPLES.glob("*.yaml"), *KEDIRI.glob("*.yaml")]
                                           if p.name != ADHOC.name))
def test_each_example_on_each_paper(example: str, paper: str, tmp_path: Path) -> None:
    path = next(p for p in [*EXAMPLES.glob("*.yaml"), *KEDIRI.glob("*.yaml")] if p.name == example)
    pact = replace(load_definition(path), paper=paper)
    drawn = pages(pact, tmp_path, "pact")
    assert len(drawn) == EXPECTED_PAGES[example]
    width, height = drawn[0].size
    assert height / width == pytest.approx(297 / 210 if paper == "A4" else 330 / 215, abs=0.02)


@pytest.mark.parametrize("font", FONTS)
def test_every_font_of_an_unsigned_pact_is_embedded(font: str, tmp_path: Path) -> None:
    # the statement, the annex's bold headings and the stamp letters in /DR: every face a pact uses
    pact = replace(load_definition(KEDIRI / "perjanjian-kinerja.yaml"), font=font)
    rows = fonts_of(pact, tmp_path)
    family = {"arial": "LiberationSans", "times": "LiberationSerif", "bookman": "PaktaBonum"}[font]
    assert len(rows) >= 2
    for row in rows:
        name, embedded, subset = row[0], row[-5], row[-4]
        assert name.split("+")[1].startswith(family), row
        assert (embedded, subset) == ("yes", "yes"), row



@pytest.mark.parametrize("paper", PAPERS)
def test_witnesses_stand_under_their_heading_on_the_signers_page(paper: str, tmp_path: Path) -> None:
    """Bawaslu's pact: one signer, six witnesses. They used to sit alone on page 2 with no heading."""
    from pypdf import PdfReader

    pact = replace(load_definition(EXAMPLES / "bawaslu-netralitas-asn.yaml"), paper=paper)
    pdf = tmp_path / "pact.pdf"
    pdf.write_bytes(render(pact).pdf)
    first = subprocess.run(["pdftotext", "-raw", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert first.index("Yang membuat pernyataan,") < first.index("Saksi-saksi") < first.index("Saksi 1,")
    on_page = {}
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        for annotation in page.get("/Annots", []):
            on_page[str(annotation.get_object()["/T"])] = number
    assert on_page["pakta-signer-1"] == 1
    assert on_page["pakta-witness-1"] == on_page["pakta-witness-2"] == 1  # the first row, under the heading
    witnesses = [on_page[f"pakta-witness-{n}"] for n in range(1, 7)]
    assert witnesses == sorted(witnesses) and witnesses[-1] <= 2  # in order, on the two pages
