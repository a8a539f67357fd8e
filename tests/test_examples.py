"""Every example renders through the CLI and reads as its definition says: title, each commitment,
each party's name and the Indonesian date. The examples are what a clerk copies first, so a
template change that drops a line of wording fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from pakta_cli.cli.app import app
from pakta_cli.definition import load_definition, load_roster
from pakta_cli.templates import long_date, thousands

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SINGLE = sorted(p for p in EXAMPLES.rglob("*.yaml") if not p.name.startswith("adhoc-"))
ADHOC = EXAMPLES / "adhoc-pps-2024.yaml"
ROSTERS = [EXAMPLES / "adhoc-pps-2024-roster.csv", EXAMPLES / "adhoc-pps-2024-roster-excel.csv"]

DEFAULT_TITLES = {
    "pakta-integritas": "PAKTA INTEGRITAS",
    "pernyataan-bebas-benturan-kepentingan": "PERNYATAAN BEBAS BENTURAN KEPENTINGAN",
}
# domain.md's 49/2011 standard set, as the built-in prints it for one signer ("..." = the institution)
STANDARD_PAKTA = [
    "Berperan secara pro aktif dalam upaya pencegahan dan pemberantasan KKN serta tidak melibatkan diri "
    "dalam perbuatan tercela;",
    "Tidak meminta atau menerima pemberian secara langsung atau tidak langsung berupa suap, hadiah, bantuan, "
    "atau bentuk lainnya yang tidak sesuai dengan ketentuan yang berlaku;",
    "Bersikap transparan, jujur, obyektif, dan akuntabel dalam melaksanakan tugas;",
    "Menghindari pertentangan kepentingan (conflict of interest) dalam pelaksanaan tugas;",
    "Memberi contoh dalam kepatuhan terhadap peraturan perundang-undangan dalam melaksanakan tugas, terutama "
    "kepada pegawai yang berada di bawah pengawasan saya dan sesama pegawai di lingkungan kerja saya secara "
    "konsisten;",
    "Akan menyampaikan informasi penyimpangan integritas di {institution} serta turut menjaga kerahasiaan saksi "
    "atas pelanggaran peraturan yang dilaporkannya;",
    "Bila saya melanggar hal-hal tersebut di atas, saya siap menghadapi konsekuensinya.",
]
STANDARD_BENTURAN = [
    "Tidak memiliki hubungan keluarga sampai derajat ketiga",
    "Tidak memiliki kepentingan keuangan maupun kepentingan bisnis",
    "Akan segera melaporkan kepada atasan langsung apabila di kemudian hari timbul benturan kepentingan",
    "Bersedia menerima sanksi",
]
PK_OPENING = (
    "Dalam rangka mewujudkan manajemen pemerintahan yang efektif, transparan dan akuntabel serta berorientasi "
    "pada hasil, kami yang bertanda tangan di bawah ini:"
)

runner = CliRunner()


def words(text: str) -> str:
    """Whitespace-normalised, so a line break in the PDF equals a space in the definition."""
    return " ".join(text.split())


def pdf_text(path: Path, *pages: int) -> str:
    """Text in drawing order (-raw): the default mode may move a word of a justified line elsewhere."""
    span = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    result = subprocess.run(["pdftotext", "-raw", *span, str(path), "-"], capture_output=True, text=True, check=True)
    return words(result.stdout)


def invoke(*args: str) -> None:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Each single-pact example rendered once through `pakta render`."""
    out = tmp_path_factory.mktemp("examples")
    pdfs = {}
    for definition in SINGLE:
        target = out / f"{definition.parent.name}-{definition.stem}.pdf"
        invoke("render", str(definition), "-o", str(target))
        pdfs[definition] = target
    return pdfs


def test_the_examples_are_all_there() -> None:
    names = {str(p.relative_to(EXAMPLES)) for p in SINGLE}
    assert names == {
        "kpu-bali-2024.yaml",
        "bawaslu-netralitas-asn.yaml",
        "kpu-kediri-2026/perjanjian-kinerja.yaml",
        "kpu-kediri-2026/pakta-integritas.yaml",
        "kpu-kediri-2026/pernyataan-bebas-benturan-kepentingan.yaml",
    }


@pytest.mark.parametrize("definition", SINGLE, ids=lambda p: p.stem)
def test_example_passes_check(definition: Path) -> None:
    invoke("check", str(definition))


@pytest.mark.parametrize("roster", ROSTERS, ids=lambda p: p.stem)
def test_roster_example_passes_check(roster: Path) -> None:
    invoke("check", str(ADHOC), "--roster", str(roster))


@pytest.mark.parametrize("definition", SINGLE, ids=lambda p: p.stem)
def test_example_shows_title_commitments_parties_and_date(definition: Path, rendered: dict[Path, Path]) -> None:
    pact = load_definition(definition)
    text = pdf_text(rendered[definition])
    title = pact.title or DEFAULT_TITLES.get(pact.template, f"PERJANJIAN KINERJA TAHUN {pact.year}")
    assert words(title) in text
    if pact.commitments:
        expected = list(pact.commitments)
    elif pact.template == "pakta-integritas":
        expected = [c.format(institution=pact.institution.name) for c in STANDARD_PAKTA]
    elif pact.template == "pernyataan-bebas-benturan-kepentingan":
        expected = STANDARD_BENTURAN
    else:
        expected = [PK_OPENING]
    for commitment in expected:
        assert words(commitment) in text
    for party in pact.parties:
        assert words(party.name) in text
    assert f"{pact.place}, {long_date(pact.date)}" in text
    assert "BSrE" not in text


def test_performance_agreement_has_both_parties_and_its_annex_on_page_two(rendered: dict[Path, Path]) -> None:
    definition = EXAMPLES / "kpu-kediri-2026" / "perjanjian-kinerja.yaml"
    pact = load_definition(definition)
    first, second = pact.parties
    statement, annex = pdf_text(rendered[definition], 1), pdf_text(rendered[definition], 2)
    assert "selanjutnya disebut PIHAK PERTAMA" in statement
    assert "selaku atasan pihak pertama, selanjutnya disebut PIHAK KEDUA" in statement
    assert "LAMPIRAN PERJANJIAN KINERJA TAHUN 2026" in annex
    for heading in ("Sasaran Strategis", "Indikator Kinerja", "Target", "Program", "Anggaran (Rp)", "Jumlah"):
        assert heading in annex
    for target in pact.targets:
        assert words(target.indicator) in annex
    for program in pact.programs:
        assert thousands(program.budget) in annex
    assert "7.757.950.000" in annex  # the total row
    for party in (first, second):  # both parties sign the annex too (a second widget of their field)
        assert party.name in statement and party.name in annex
    assert "ditandatangani secara elektronik" not in annex  # an unsigned printout claims no signature


def test_roster_renders_one_pact_per_person_with_their_name(tmp_path: Path) -> None:
    roster = ROSTERS[0]
    out = tmp_path / "adhoc"
    invoke("render", str(ADHOC), "--roster", str(roster), "--jobs", "2", "-o", str(out))
    entries = load_roster(roster).entries
    assert len(entries) >= 60
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(f"{e.stem}.pdf" for e in entries)
    for entry in entries:
        text = pdf_text(out / f"{entry.stem}.pdf")
        assert entry.party.name in text
        assert entry.party.nik and entry.party.nik in text  # ad hoc documents carry the NIK (domain.md), and no NIP
        assert "Pemilu merupakan titik awal strategis bagi perbaikan kualitas demokrasi" in text
    assert any('"' in e.party.name and "&" in e.party.name for e in entries)


def test_excel_roster_with_semicolons_and_bom_renders(tmp_path: Path) -> None:
    roster = ROSTERS[1]
    assert roster.read_bytes().startswith(b"\xef\xbb\xbfname;")
    out = tmp_path / "excel"
    invoke("render", str(ADHOC), "--roster", str(roster), "-o", str(out))
    entries = load_roster(roster).entries
    assert len(entries) == 5
    for entry in entries:
        assert entry.party.name in pdf_text(out / f"{entry.stem}.pdf")


def test_workbook_roster_renders_and_its_script_makes_it_again(tmp_path: Path) -> None:
    """The example .xlsx is a binary file: the script beside it must give it back byte for byte."""
    workbook = EXAMPLES / "adhoc-kpps-2024-roster.xlsx"
    again = tmp_path / "again.xlsx"
    subprocess.run([sys.executable, str(EXAMPLES / "make_roster_workbook.py"), str(again)], check=True,
                   capture_output=True)
    assert again.read_bytes() == workbook.read_bytes()
    out = tmp_path / "kpps"
    invoke("render", str(ADHOC), "--roster", str(workbook), "-o", str(out))
    entries = load_roster(workbook).entries
    assert [e.row for e in entries] == list(range(5, 12))  # below the title and the header
    for entry in entries:
        text = words(pdf_text(out / f"{entry.stem}.pdf"))
        assert entry.party.name in text and "TPS 002, Desa Bali Sari, Kecamatan Baebunta Selatan" in text


def test_first_page_is_not_blank_and_shows_the_logo(rendered: dict[Path, Path], tmp_path: Path) -> None:
    pdf = rendered[EXAMPLES / "kpu-bali-2024.yaml"]
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(tmp_path / "page")], check=True)
    with Image.open(tmp_path / "page.png") as image:
        page = image.convert("RGB")
    width, height = page.size
    ink = sum(page.convert("L").histogram()[:128]) / (width * height)
    assert 0.01 < ink < 0.5, f"page 1 is {ink:.1%} ink"
    # the logo (red and gold) sits at the top left of the letterhead
    corner = page.crop((0, 0, width // 3, height // 6)).tobytes()
    pixels = zip(corner[0::3], corner[1::3], corner[2::3], strict=True)
    red = sum(1 for r, g, b in pixels if r > 150 and g < 90 and b < 90)
    assert red > 50
