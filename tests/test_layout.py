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


def definition(commitments: int = 2, extra: str = "", logo: bool = False, meterai: str = "") -> str:
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
    {"meterai: true" if "signer" in meterai else ""}
  - role: superior
    name: I Made Sukarta
    {"meterai: true" if "superior" in meterai else ""}
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


@pytest.mark.parametrize("count", range(12, 47))  # every place the first two pages can break
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
    if count >= 30:
        assert pages >= 2 and "Butir komitmen nomor 1 " in page_text(path, 1)
    if page > 1:  # what moved left the page before no more than a third empty
        frame_top, frame_bottom = MARGINS["top"], 297 * mm - MARGINS["bottom"]
        assert frame_bottom - lowest_text(path, page - 1) <= (frame_bottom - frame_top) / 3


def lowest_text(path: Path, page: int) -> float:
    """Where the last line of the body ends on a page, in points from the top (the footer left out)."""
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                           capture_output=True, text=True, check=True).stdout
    bottoms = [float(y) for y in re.findall(r'<word [^>]*yMax="([\d.]+)"', boxes)]
    return max(y for y in bottoms if y < 297 * mm - MARGINS["bottom"] + 1)


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


def word_boxes(path: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) in points from the top left, as pdftotext reads the page."""
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                           capture_output=True, text=True, check=True).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', boxes)
    return [(word, float(a), float(b), float(c), float(d)) for a, b, c, d, word in found]


def drawn_inside(path: Path, page: int, rect: list[float], height: float) -> int:
    """How many pixels are not white inside a PDF rectangle (x0 y0 x1 y1, from the bottom left)."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "144", "-f", str(page), "-l", str(page), "-singlefile", str(path),
                    str(path.with_suffix(""))], check=True)
    scale = 2  # 144 dpi
    with Image.open(path.with_suffix(".png")) as image:
        box = (round(rect[0] * scale) + 1, round((height - rect[3]) * scale) + 1,
               round(rect[2] * scale) - 1, round((height - rect[1]) * scale) - 1)
        return sum(1 for value in image.convert("L").crop(box).tobytes() if value < 250)


@pytest.mark.parametrize("who", ["signer", "superior", "signer superior"])
def test_a_meterai_box_sits_beside_the_signature_field_never_under_it(who: str, tmp_path: Path) -> None:
    pdf, path = render_text(definition(meterai=who), tmp_path)
    fields = signature_fields(pdf)
    words = word_boxes(path, 1)
    boxes = [w for w in words if w[0] == "METERAI"]
    assert len(boxes) == len(who.split())
    for role in ("signer", "superior"):
        _, rect = fields[f"pakta-{role}-1"]
        assert rect[2] - rect[0] <= layout.SIGNATURE_WIDTH + 0.01
        assert rect[3] - rect[1] == pytest.approx(layout.SIGNATURE_HEIGHT, abs=0.01)
        assert drawn_inside(path, 1, rect, 297 * mm) == 0  # nothing is drawn where the stamp will go
        top, bottom = 297 * mm - rect[3], 297 * mm - rect[1]
        beside = [b for b in boxes if top <= b[2] and b[4] <= bottom and 0 < rect[0] - b[3] < 25 * mm]
        assert len(beside) == (1 if role in who else 0), f"the {role}'s meterai is not left of its field"
    signer, superior = fields["pakta-signer-1"][1], fields["pakta-superior-1"][1]
    assert superior[2] < signer[0] and signer[1] == superior[1]  # still one row, spaces lined up


def test_a_meterai_keeps_a_lone_signers_field_centred_under_its_heading(tmp_path: Path) -> None:
    text = definition(meterai="signer").replace("  - role: superior\n    name: I Made Sukarta\n", "")
    pdf, path = render_text(text, tmp_path)
    rect = signature_fields(pdf)["pakta-signer-1"][1]
    heading = next(w for w in word_boxes(path, 1) if w[0] == "membuat")  # "Yang membuat pernyataan,"
    line = [w for w in word_boxes(path, 1) if abs(w[2] - heading[2]) < 1]
    assert (line[0][1] + line[-1][3]) / 2 == pytest.approx((rect[0] + rect[2]) / 2, abs=2)


def test_a_paragraph_in_signatures_goes_with_the_row_after_it() -> None:
    with pytest.raises(InputError, match="goes with the <row> after it"):
        build('<signatures><row><block><name>N</name></block></row><p>Saksi-saksi</p></signatures>')
    with pytest.raises(InputError, match="holds <row> and <p> elements, not <title>"):
        build("<signatures><title>x</title></signatures>")


def test_a_templates_own_words_must_be_printable_too() -> None:
    with pytest.raises(InputError, match=r"the template prints '中' \(U\+4E2D\), which cannot be printed in a pact "
                       r"\(pakta prints Latin letters"):
        build("<p>Pakta 中</p>")
    with pytest.raises(InputError, match=r"U\+E000.*pakta prints Latin letters"):  # a font's private glyphs
        build("<p>Pakta \ue000</p>")
    build("<p>Nguyễn Thị Đỗ, Łódź, Čapek</p>")  # Arial prints far more than Windows-1252


ANNEX = """\
pakta: 1
template: perjanjian-kinerja
institution:
  name: Komisi Pemilihan Umum Kabupaten Kediri
place: Kediri
date: 2026-01-08
parties:
  - role: signer
    name: Bambang Sugiarto
    nip: "197603222002121004"
  - role: superior
    name: Endang Retnowati
    nip: "196907151993032002"
targets:
{targets}
programs:
  - {{program: Program Dukungan Manajemen, budget: 6482350000}}
  - {{program: Program Penyelenggaraan Pemilu, budget: 1275600000}}
"""


def annex(goals: dict[str, int]) -> str:
    rows = [f"  - {{goal: {goal}, indicator: Indikator {goal} nomor {n} yang diukur setiap triwulan dan "
            f"dilaporkan kepada pimpinan, target: {n}%}}" for goal, count in goals.items() for n in range(1, count + 1)]
    return ANNEX.format(targets="\n".join(rows))


def test_a_goal_with_sixty_indicators_flows_over_pages_under_a_repeated_heading(tmp_path: Path) -> None:
    goal = "Meningkatnya kualitas penyelenggaraan Pemilu yang berintegritas"
    pdf, path = render_text(annex({goal: 60}), tmp_path)
    pages = len(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Kids"])
    annex_pages = range(2, pages + 1)
    assert len(annex_pages) >= 3
    for number in annex_pages:
        text = page_text(path, number)
        if "Indikator" in text.replace("Indikator Kinerja", ""):
            assert "No Sasaran Strategis Indikator Kinerja Target" in text, f"page {number} has no heading"
    for number in annex_pages[1:]:  # the goal goes on under the heading of every later page
        if f"{goal} nomor" in page_text(path, number):
            assert f"{goal} (lanjutan)" in page_text(path, number)
    for number in annex_pages[:-1]:  # a long goal never leaves a hole: the page before is full
        assert lowest_text(path, number) > 297 * mm - MARGINS["bottom"] - 30 * mm
    everything = " ".join(page_text(path, n) for n in annex_pages)
    assert all(f"nomor {n} yang" in everything for n in range(1, 61))


@pytest.mark.parametrize("count", range(20, 32))
def test_the_annex_signatures_stand_with_the_end_of_the_table(count: int, tmp_path: Path) -> None:
    pdf, path = render_text(annex({"Sasaran pertama": count // 2, "Sasaran kedua": count - count // 2}), tmp_path)
    pages = len(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Kids"])
    last = page_text(path, pages)
    assert "PIHAK KEDUA" in last and "Bambang Sugiarto" in last
    assert "Program Penyelenggaraan Pemilu" in last and "Jumlah 7.757.950.000" in last  # never alone


@pytest.mark.parametrize(("change", "key"), [
    (lambda t: t.replace("nomor 2 yang", "nomor 2 yang " + "sangat panjang " * 600), "targets item 2 indicator"),
    (lambda t: t.replace("    name: Endang Retnowati\n", "    name: Endang Retnowati\n    position: "
                         + "Jabatan " * 700 + "\n"), "parties item 2 position"),
    (lambda t: t.replace("  name: Komisi Pemilihan Umum Kabupaten Kediri",
                         "  name: Komisi " + "Pemilihan Umum " * 500), "institution name"),
])
def test_what_cannot_fit_on_a_page_is_named_by_its_key(change, key: str) -> None:  # type: ignore[no-untyped-def]
    text = change(annex({"Sasaran": 3}))
    with pytest.raises(InputError) as caught:
        render(parse_definition(text, "t.yaml", EXAMPLES))
    assert caught.value.message == f"layout: {key} is too long to fit on one page"


def test_a_letterhead_line_a_little_too_long_is_set_smaller_not_broken(tmp_path: Path) -> None:
    text = definition(logo=True, extra="font: bookman").replace(
        "address: Jl. Tjok Agung Tresna, Renon, Denpasar", "address: Jl. Pamenang No. 1, Ngasem, Kabupaten Kediri, "
        "Jawa Timur 64182")
    _, path = render_text(text, tmp_path)
    words = {w[0]: w for w in word_boxes(path, 1)}
    assert words["Jl."][2] == pytest.approx(words["64182"][2], abs=1)  # one line: the postcode is not alone
