"""Signed documents as an office prints and files them (issue 9): every built-in document on A4 and
F4, signed by every party, drawn by poppler.

- a signature draws only inside its party's field: outside every field's rectangle, each page is the
  same pixel for pixel before and after signing (the stamp never covers body text or a meterai box);
- every font of a signed pact is embedded (the stamp is set in the pact's own fonts);
- a Perjanjian Kinerja's two parties sign once each, and each stamp shows on the statement and on the
  annex, where both parties' blocks stand;
- the signed pact is VALID, its rendering reproduced, and pyHanko's validator agrees.
"""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from pakta_cli.definition import Pact, load_definition, load_roster
from pakta_cli.render import render
from pakta_cli.verify import Policy, verify_bytes
from tests.signing import signed_by_everyone

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
KEDIRI = EXAMPLES / "kpu-kediri-2026"
DPI = 50


def _ad_hoc() -> Pact:
    first = load_roster(EXAMPLES / "adhoc-pps-2024-roster.csv").entries[0]
    return load_definition(EXAMPLES / "adhoc-pps-2024.yaml", roster=True).with_signer(first.party)


DOCUMENTS = {
    "pakta-integritas": lambda: load_definition(KEDIRI / "pakta-integritas.yaml"),
    "pakta-integritas with witnesses": lambda: load_definition(EXAMPLES / "bawaslu-netralitas-asn.yaml"),
    "pakta-integritas ad hoc": _ad_hoc,
    "pernyataan-bebas-benturan-kepentingan (meterai)": lambda: load_definition(
        KEDIRI / "pernyataan-bebas-benturan-kepentingan.yaml"),
    "perjanjian-kinerja": lambda: load_definition(KEDIRI / "perjanjian-kinerja.yaml"),
}


def pages(pdf: bytes, folder: Path, stem: str) -> list[Image.Image]:
    path = folder / f"{stem}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), str(path), str(folder / stem)], check=True)
    return [Image.open(p).convert("L") for p in sorted(folder.glob(f"{stem}-*.png"))]


def field_boxes(pdf: bytes) -> dict[int, list[tuple[float, float, float, float]]]:
    """Page index -> the rectangles (in points) of every signature widget on it."""
    from pypdf import PdfReader

    boxes: dict[int, list[tuple[float, float, float, float]]] = {}
    for index, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        for annot in page.get("/Annots", []):
            rect = [float(v) for v in annot.get_object()["/Rect"]]
            boxes.setdefault(index, []).append((rect[0], rect[1], rect[2], rect[3]))
    return boxes


def _mask(image: Image.Image, boxes: list[tuple[float, float, float, float]], height_pt: float) -> Image.Image:
    """The page with every field's rectangle painted white (1 px of slack for anti-aliasing)."""
    out = image.copy()
    scale = DPI / 72
    for x1, y1, x2, y2 in boxes:
        out.paste(255, (int(x1 * scale) - 1, int((height_pt - y2) * scale) - 1,
                        int(x2 * scale) + 2, int((height_pt - y1) * scale) + 2))
    return out


@pytest.mark.parametrize("paper", ["A4", "F4"])
@pytest.mark.parametrize("document", list(DOCUMENTS))
def test_a_signature_draws_only_in_its_field(document: str, paper: str, tmp_path: Path) -> None:
    pact = replace(DOCUMENTS[document](), paper=paper)
    unsigned = render(pact).pdf
    signed, certificates = signed_by_everyone(pact, unsigned)
    from cryptography import x509

    policy = Policy(tuple(x509.load_der_x509_certificate(der) for der in certificates), reproduce=True)
    verdict = verify_bytes(signed, policy)
    assert verdict.ok, verdict.reasons
    before, after = pages(unsigned, tmp_path, "before"), pages(signed, tmp_path, "after")
    assert len(before) == len(after)
    boxes = field_boxes(unsigned)
    height = {"A4": 841.8898, "F4": 935.433}[paper]
    stamped = 0
    for index, (old, new) in enumerate(zip(before, after, strict=True)):
        # nothing outside the fields changed: no body text, meterai box or other stamp is covered
        assert ImageChops.difference(_mask(old, boxes.get(index, []), height),
                                     _mask(new, boxes.get(index, []), height)).getbbox() is None, index
        if ImageChops.difference(old, new).getbbox() is not None:
            stamped += 1
    assert stamped == len(boxes)  # every page with a signature block shows a stamp


@pytest.mark.parametrize("document", list(DOCUMENTS))
def test_every_font_of_a_signed_pact_is_embedded(document: str, tmp_path: Path) -> None:
    pact = DOCUMENTS[document]()
    signed, _ = signed_by_everyone(pact, render(pact).pdf)
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert rows and all(row[-5:-3] == ["yes", "yes"] for row in rows), listing


def test_both_parties_sign_the_performance_agreement_and_its_annex(tmp_path: Path) -> None:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pypdf import PdfReader

    pact = load_definition(KEDIRI / "perjanjian-kinerja.yaml")
    signed, certificates = signed_by_everyone(pact, render(pact).pdf)
    reader = PdfReader(io.BytesIO(signed))
    assert len(reader.pages) == 2
    for field in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        field = field.get_object()
        kids = [kid.get_object() for kid in field["/Kids"]]
        pages = sorted(reader.get_page_number(kid["/P"]) for kid in kids)
        assert pages == [0, 1], field["/T"]  # one widget on the statement, one on the annex
        assert "/V" in field and all("/AP" in kid for kid in kids)  # one signature, a stamp in each
    for index in range(2):
        text = reader.pages[index].extract_text()
        assert text.count("Ditandatangani secara elektronik oleh") in (0, 2)  # annotation text is not page text
    paths = []
    for number, der in enumerate(certificates):
        path = tmp_path / f"{number}.crt"
        path.write_bytes(der)
        paths.append(path)
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(p)) for p in paths])
    statuses = [validate_pdf_signature(s, context) for s in PdfFileReader(io.BytesIO(signed)).embedded_signatures]
    assert len(statuses) == 2 and all(s.intact and s.valid and s.trusted for s in statuses)
    # pyHanko's own change policy knows a signature field with one widget only: the second party's
    # stamps on their two widgets read to it as unexplained changes after the first signature (the
    # README says so, and how to check such a pact with pyHanko); the last signature it accepts whole
    assert statuses[1].bottom_line


@pytest.mark.parametrize("font", ["arial", "times", "bookman"])
def test_every_font_a_pact_embeds_is_one_pakta_pins_whatever_letters_it_prints(font: str, tmp_path: Path) -> None:
    """Each face is embedded in fixed subsets, so two pacts with other words hold the same font
    programs, and each is one the verifier knows (`fonts/pins.json`), italics and rare letters too."""
    from pakta_cli import fontpins
    from pakta_cli.pdf.reader import Document
    from pakta_cli.pdf.syntax import Ref

    def font_programs(name: str) -> dict[str, str | None]:
        pact = load_definition(KEDIRI / "pakta-integritas.yaml")
        party = replace(pact.parties[0], name=name)
        pdf = render(replace(pact, font=font, parties=(party, *pact.parties[1:]))).pdf
        doc = Document(pdf)
        found = {}
        for num in sorted(doc.revisions[0].entries):
            item = doc.get(num, 1)
            if isinstance(item, dict) and item.get("Type") == "Font":
                found[fontpins.fingerprint(doc, Ref(num, 0), 1)] = fontpins.pinned(doc, Ref(num, 0), 1)
        return found

    plain = font_programs("Ni Luh Ayu Sukmawati")
    rare = font_programs("Łukasz Čapek René Đoàn" if font != "bookman" else "Łukasz Čapek René")
    assert all(rare.values()) and all(plain.values()), (plain, rare)  # every one is pinned
    assert set(plain) < set(rare)  # the rare letters added a subset; the others are the same programs
