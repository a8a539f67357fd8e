"""The layout markup: strict about what it accepts, literal about text, and careful at page ends.

A page break must never part a signature from its name, and a template typo must be an error
rather than a silently different document.
"""

from __future__ import annotations

import re
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.units import mm

from pakta_cli import layout
from pakta_cli.definition import parse_definition
from pakta_cli.errors import InputError
from pakta_cli.render import MARGINS, render

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAME = 'Ni Luh "Ayu" & <Putu>'


def definition(commitments: int = 2, extra: str = "", logo: bool = False) -> str:
    line = "yang cukup panjang untuk memenuhi satu baris penuh di halaman, supaya daftar ini mengalir;"
    items = "\n".join(f"  - Butir komitmen nomor {n} {line}" for n in range(1, commitments + 1))
    return f"""\
pakta: 1
template: pakta-integritas
institution:
  name: Komisi Pemilihan Umum Provinsi Bali
  address: Jl. Tjok Agung Tresna, Renon, Denpasar
{"  logo: logo-kpu.png" if logo else ""}
place: Denpasar
date: 2024-01-02
{extra}
commitments:
{items}
parties:
  - role: signer
    name: {NAME!r}
    nip: "198609262015051001"
    position: Kepala Subbagian Teknis
  - role: superior
    name: I Made Sukarta
"""


def render_text(text: str, tmp_path: Path, base: Path = EXAMPLES) -> tuple[bytes, Path]:
    pdf = render(parse_definition(text, "t.yaml", base)).pdf
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    return pdf, path


def page_text(path: Path, page: int) -> str:
    result = subprocess.run(["pdftotext", "-raw", "-f", str(page), "-l", str(page), str(path), "-"],
                            capture_output=True, text=True, check=True)
    return " ".join(result.stdout.split())


def signature_fields(pdf: bytes) -> dict[str, tuple[int, list[float]]]:
    """Each signature field's page (from 1) and rectangle; ReportLab writes one flat page list."""
    reader = PdfFileReader(BytesIO(pdf))
    fields = {}
    for number, page in enumerate(reader.root["/Pages"]["/Kids"], start=1):
        for annotation in page.get_object().get("/Annots", []):
            widget = annotation.get_object()
            if widget.get("/FT") == "/Sig":
                fields[str(widget["/T"])] = (number, [float(v) for v in widget["/Rect"]])
    return fields


def build(body: str) -> None:
    layout.build(f"<pact>{body}</pact>", layout.BuildContext(base_dir=EXAMPLES, frame_width=155 * mm))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<paragraph>x</paragraph>", "unknown element <paragraph>"),
        ('<p colour="red">x</p>', "<p> has no attribute 'colour'"),
        ('<p align="middle">x</p>', "must be one of left, center, right, justify, not 'middle'"),
        ("<p>a <font>b</font></p>", "<font> is not allowed inside <p>"),
        ('<list style="roman"><item>x</item></list>', "not 'roman'"),
        ("<list><li>x</li></list>", "<list> holds <item> elements, not <li>"),
        ('<table widths="50%,50%"><tr><td>a</td><td>b</td><td>c</td></tr></table>', "2 widths for 3 columns"),
        ('<table><tr><td rowspan="3">a</td></tr><tr/></table>', "reaches below the last row"),
        ('<letterhead><line bold="yes">x</line></letterhead>', "not 'yes'"),
        ('<letterhead logo="missing.png"><line>x</line></letterhead>', "image not found"),
        ("<signatures><row><block><sign/></block></row></signatures>", "needs party="),
        ('<signatures><row><block party="a"><sign/></block><block party="a"><sign/></block></row></signatures>',
         "two signature spaces for the same party field 'a'"),
        ('<signatures><row><block position="middle"/></row></signatures>', "not 'middle'"),
        ("<pagebreak>now</pagebreak>", "takes no content"),
        ('<spacer height="tall"/>', "is not a length"),
    ],
)
def test_markup_errors_name_what_is_wrong(body: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        build(body)
    assert message in str(caught.value)


def test_markup_that_is_not_xml_reports_line_and_column() -> None:
    with pytest.raises(InputError, match=r"layout markup:1:\d+: not well-formed"):
        layout.build("<pact><p>open</pact>", layout.BuildContext(base_dir=EXAMPLES, frame_width=400))


def test_the_vocabulary_builds() -> None:
    build(
        '<letterhead logo="logo-kpu.png"><line size="14" bold="true">A</line><line size="10">B</line></letterhead>'
        '<title align="center">T</title><subtitle>S</subtitle><p indent="5mm">x <b>b</b> <i>i</i> <u>u</u>'
        " x<sup>2</sup> H<sub>2</sub>O<br/>y</p>"
        '<identity label-width="30%" indent="1cm"><row label="Nama">N</row></identity>'
        '<list style="alpha" start="27"><item>a</item></list><list style="dash"><item>d</item></list>'
        '<table widths="10%,90%" header="1"><tr><td>No</td><td>X</td></tr>'
        '<tr><td rowspan="2">1</td><td align="right">a</td></tr><tr><td>b</td></tr></table>'
        '<spacer height="3mm"/><pagebreak/><image src="logo-kpu.png" height="10mm" align="left"/>'
        '<signatures><row><block party="p"><line>L</line><sign meterai="true"/><name>N</name></block>'
        '<block><line>L2</line><name>M</name></block></row></signatures><footer>F</footer>'
    )


def test_text_prints_as_typed_never_as_markup(tmp_path: Path) -> None:
    text = definition().replace("Butir komitmen nomor 1", 'Tidak <b>menerima</b> & "hadiah" nomor 1')
    _, path = render_text(text, tmp_path)
    page = page_text(path, 1)
    assert NAME in page
    assert 'Tidak <b>menerima</b> & "hadiah" nomor 1' in page


@pytest.mark.parametrize("count", range(14, 41))  # every place the page can break
def test_long_lists_flow_and_a_signature_stays_with_its_name(count: int, tmp_path: Path) -> None:
    pdf, path = render_text(definition(count), tmp_path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.findall(r"Pages:\s+(\d+)", info)[0])
    fields = signature_fields(pdf)
    page, (_, bottom, _, top) = fields["pakta-signer-1"]
    here = page_text(path, page)
    # the heading above the space, the name and NIP below it, and the closing before it: one page
    for text in ("Denpasar, 2 Januari 2024", "Yang membuat pernyataan,", NAME, "NIP 19860926 201505 1 001",
                 "Demikian Pakta Integritas ini saya buat"):
        assert text in here, f"{text!r} is not on page {page} with the signature space"
    assert fields["pakta-superior-1"][0] == page and "I Made Sukarta" in here
    assert top - bottom == pytest.approx(layout.SIGNATURE_HEIGHT, abs=0.1)
    everything = " ".join(page_text(path, n) for n in range(1, pages + 1))
    assert f"{count}. Butir komitmen nomor {count} " in everything
    if count >= 26:
        assert pages >= 2 and "Butir komitmen nomor 1 " in page_text(path, 1)


def test_signature_spaces_in_a_row_line_up(tmp_path: Path) -> None:
    pdf, _ = render_text(definition(), tmp_path)
    fields = signature_fields(pdf)
    signer, superior = fields["pakta-signer-1"][1], fields["pakta-superior-1"][1]
    assert signer[1] == superior[1] and signer[3] == superior[3]
    assert superior[2] < signer[0]  # Mengetahui at the left, the declarant at the right


@pytest.mark.parametrize(("paper", "size"), [("A4", (210, 297)), ("F4", (215, 330))])
def test_paper_size(paper: str, size: tuple[int, int], tmp_path: Path) -> None:
    _, path = render_text(definition(extra=f"paper: {paper}"), tmp_path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.findall(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)[0])
    assert (round(width / mm), round(height / mm)) == size


def test_letterhead_with_logo_is_centred_on_the_text_frame(tmp_path: Path) -> None:
    _, path = render_text(definition(logo=True), tmp_path)
    boxes = subprocess.run(["pdftotext", "-bbox-layout", "-f", "1", "-l", "1", str(path), "-"],
                           capture_output=True, text=True, check=True).stdout
    line = re.search(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>\s*<word[^>]*>KOMISI</word>', boxes)
    assert line is not None
    centre = (float(line[1]) + float(line[2])) / 2
    frame_centre = MARGINS["left"] + (210 * mm - MARGINS["left"] - MARGINS["right"]) / 2
    assert centre == pytest.approx(frame_centre, abs=1.5)
