"""Rendering: identical bytes every time, the source embedded, one signature field per party."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from pakta_cli.definition import parse_definition
from pakta_cli.render import (
    DEFINITION_NAME,
    LOGO_PREFIX,
    MANIFEST_NAME,
    MARGINS,
    canonical_definition,
    render,
    reproduce,
)

DEFINITION = """\
pakta: 1
template: pakta-integritas
institution:
  name: Komisi Pemilihan Umum Provinsi Bali
  address: Jl. Tjok Agung Tresna No. 4, Denpasar
place: Denpasar
date: 2024-01-02
context: penyelenggaraan Pemilu Serentak Tahun 2024
commitments:
  - Berperan secara pro aktif dalam upaya pencegahan dan pemberantasan KKN;
  - Bersikap transparan, jujur, obyektif, dan akuntabel dalam melaksanakan tugas;
parties:
  - role: signer
    name: Ni Luh "Ayu" & <Putu>
    nip: 198609262015051001
    position: Sekretaris
  - role: witness
    name: I Wayan Saksi
"""


def pact(text: str = DEFINITION, base: Path = Path(".")):  # type: ignore[no-untyped-def]
    return parse_definition(text, "t.yaml", base)


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_same_pact_same_bytes() -> None:
    assert render(pact()).pdf == render(pact()).pdf


def test_a_changed_word_changes_the_bytes() -> None:
    assert render(pact()).pdf != render(pact(DEFINITION.replace("Sekretaris", "Bendahara"))).pdf


def test_text_prints_as_typed_and_never_as_markup(tmp_path: Path) -> None:
    text = pdftotext(render(pact()).pdf, tmp_path)
    assert 'Ni Luh "Ayu" & <Putu>' in text
    assert "PAKTA INTEGRITAS" in text and "Denpasar, 2 Januari 2024" in text
    assert "19860926 201505 1 001" in text
    assert "BSrE" not in text


def test_embedded_definition_and_manifest(tmp_path: Path) -> None:
    rendered = render(pact())
    path = tmp_path / "p.pdf"
    path.write_bytes(rendered.pdf)
    attachments = PdfReader(path).attachments
    definition = attachments[DEFINITION_NAME][0]
    manifest = json.loads(attachments[MANIFEST_NAME][0])
    assert definition == canonical_definition(pact())
    assert manifest["definition"]["sha256"] == hashlib.sha256(definition).hexdigest()
    assert manifest["template"]["name"] == "pakta-integritas"
    assert [p["field"] for p in manifest["parties"]] == ["pakta-signer-1", "pakta-witness-1"]
    assert manifest["parties"][0]["nip"] == "198609262015051001"
    # the embedded definition parses back into the same pact
    assert canonical_definition(parse_definition(definition.decode(), "e", Path("."))) == definition


def test_one_empty_signature_field_per_party_inside_its_block(tmp_path: Path) -> None:
    path = tmp_path / "p.pdf"
    path.write_bytes(render(pact()).pdf)
    reader = PdfReader(path)
    fields = reader.get_fields() or {}
    assert sorted(fields) == ["pakta-signer-1", "pakta-witness-1"]
    assert all(f.get("/FT") == "/Sig" and "/V" not in f for f in fields.values())
    widgets = {a.get_object()["/T"]: a.get_object() for page in reader.pages for a in page.get("/Annots", [])}
    signer_rect = [float(v) for v in widgets["pakta-signer-1"]["/Rect"]]
    witness_rect = [float(v) for v in widgets["pakta-witness-1"]["/Rect"]]
    assert signer_rect[1] > witness_rect[3]  # the signer's block comes first, above the witness
    assert signer_rect[0] > float(reader.pages[0].mediabox.width) / 2  # right-aligned, as the form has it


def test_reproduce_with_logo(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 40), "red").save(tmp_path / "kop.png")
    text = DEFINITION.replace("  address:", "  logo: kop.png\n  address:")
    rendered = render(pact(text, tmp_path))
    logo = (tmp_path / "kop.png").read_bytes()
    template = rendered.manifest["template"]
    assert reproduce(rendered.definition, {LOGO_PREFIX + "kop.png": logo}, name=template["name"],
                     sha256=template["sha256"]) == rendered.pdf
    assert b'"logo": "kop.png"' in rendered.definition


def test_f4_paper(tmp_path: Path) -> None:
    path = tmp_path / "p.pdf"
    path.write_bytes(render(pact(DEFINITION.replace("place:", "paper: F4\nplace:"))).pdf)
    box = PdfReader(path).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (215, 330)


def test_english(tmp_path: Path) -> None:
    text = pdftotext(render(pact(DEFINITION.replace("place:", "language: en\nplace:"))).pdf, tmp_path)
    assert "INTEGRITY PACT" in text and "Denpasar, 2 January 2024" in text
    assert "Page" not in text and "Halaman" not in text  # one page needs no number
    many = "".join(f"  - Commitment number {i}, long enough to fill a whole line of the page.\n" for i in range(40))
    longer = DEFINITION.replace("place:", "language: en\nplace:").replace("commitments:\n", "commitments:\n" + many)
    assert "Page 1 of 2" in pdftotext(render(pact(longer)).pdf, tmp_path)


def test_the_footer_claims_no_signature_and_names_no_program(tmp_path: Path) -> None:
    """An unsigned pact printed for wet signatures must not say it is signed electronically."""
    text = pdftotext(render(pact()).pdf, tmp_path)
    assert "ditandatangani" not in text.lower() and "pakta verify" not in text and "Halaman" not in text
    footer = text.split("\f")[0].strip().splitlines()[-1]
    assert "Yang membuat pernyataan" not in footer and "I Wayan Saksi" in footer  # the page ends with the body
    url = DEFINITION.replace("place:", "verify_url: https://kpu-bali.go.id/cek\nplace:")
    lines = pdftotext(render(pact(url)).pdf, tmp_path).split("\f")[0].strip().splitlines()
    assert lines[-1].strip() == "Keaslian dokumen ini dapat diperiksa di https://kpu-bali.go.id/cek"


def test_a_template_may_write_its_own_footer(tmp_path: Path) -> None:
    template = (Path(__file__).parent.parent / "templates" / "pakta-integritas.xml.j2").read_text()
    (tmp_path / "mine.xml.j2").write_text(template.replace("{{ m.footer() }}", "<footer>Arsip KPU Bali</footer>"))
    text = pdftotext(render(pact(DEFINITION.replace("pakta-integritas", "mine.xml.j2"), tmp_path)).pdf, tmp_path)
    assert text.strip().splitlines()[-1].strip() == "Arsip KPU Bali"


def test_the_same_bytes_in_another_process(tmp_path: Path) -> None:
    """Fonts are subset per document: nothing a process did before may change a pact's bytes."""
    import sys

    (tmp_path / "p.yaml").write_text(DEFINITION)
    render(pact(DEFINITION.replace("Sekretaris", "Bendahara")))  # this process has rendered something else
    script = ("import sys; from pathlib import Path; from pakta_cli.definition import load_definition; "
              "from pakta_cli.render import render; "
              "sys.stdout.buffer.write(render(load_definition(Path(sys.argv[1]))).pdf)")
    # and nothing the machine's environment says: build tools set SOURCE_DATE_EPOCH, and ReportLab reads
    # any of its settings from RL_<name> (an auditor's machine must re-render what a clerk's rendered)
    home = tmp_path / "home"  # and ReportLab's settings file, read from the home folder
    home.mkdir()
    (home / ".reportlab_settings").write_text("paraFontSizeHeightOffset=0\nttfAsciiReadable=0\n"
                                               "canvas_baseColor='black'\nspaceShrinkage=0.2\n")
    hostile = {"SOURCE_DATE_EPOCH": "1700000000", "RL_pageCompression": "0", "RL_invariant": "0", "RL_useA85": "1",
               "RL_defaultPageSize": "letter", "TZ": "America/New_York", "LC_ALL": "C", "HOME": str(home)}
    for seed, extra in (("1", {}), ("2", {}), ("3", hostile)):
        child = subprocess.run([sys.executable, "-c", script, str(tmp_path / "p.yaml")], capture_output=True,
                               check=True, env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin", **extra}).stdout
        assert child == render(pact(DEFINITION, tmp_path)).pdf, extra


def test_long_pacts_flow_onto_more_pages(tmp_path: Path) -> None:
    many = "".join(f"  - Butir komitmen nomor {i} yang cukup panjang untuk mengisi satu baris penuh.\n"
                   for i in range(60))
    text = pdftotext(render(pact(DEFINITION.replace("commitments:\n", "commitments:\n" + many))).pdf, tmp_path)
    assert "Halaman 2 dari" in text
    pages = text.split("\f")
    # the name is never separated from its signature block heading
    page_with_name = next(p for p in pages if 'Ni Luh "Ayu"' in p and "Yang membuat pernyataan" in p)
    assert re.search(r"Yang membuat pernyataan", page_with_name)


@pytest.mark.parametrize("bad", ["{{ nope }}", "{% if %}"])
def test_template_errors_are_one_line(tmp_path: Path, bad: str) -> None:
    from pakta_cli.errors import InputError

    (tmp_path / "mine.xml.j2").write_text(f"<pact>{bad}</pact>")
    with pytest.raises(InputError) as caught:
        render(pact(DEFINITION.replace("pakta-integritas", "mine.xml.j2"), tmp_path))
    assert "template" in caught.value.message and "\n" not in caught.value.message


def test_a_line_too_long_for_its_column_still_wraps(tmp_path: Path) -> None:
    """Short lines are drawn directly; one that does not fit must fall back to a wrapping paragraph."""
    long_name = "Anak Agung Ngurah Gede Bagus Putra Wirawan Kusuma Dharma Yudha Sastra Negara Wijaya"
    path = tmp_path / "long.pdf"
    path.write_bytes(render(pact(DEFINITION.replace('Ni Luh "Ayu" & <Putu>', long_name))).pdf)
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', boxes)
    right_margin = 595.28 - MARGINS["right"]
    assert all(float(x_max) <= right_margin + 1 for _, x_max, _ in words)  # nothing runs off the text frame
    printed = [word for _, _, word in words]
    assert all(printed.count(part) >= 1 for part in long_name.split())


def test_template_hash_covers_the_shared_macros(monkeypatch: pytest.MonkeyPatch) -> None:
    from pakta_cli import templates

    source = templates.builtin_source("pakta-integritas")
    assert source is not None
    before = source.sha256
    original = templates._builtin_file

    def edited(name: str) -> str:
        text = original(name)
        return text.replace("Nama", "Nama Lengkap") if name == "_macros.xml.j2" else text

    monkeypatch.setattr(templates, "_builtin_file", edited)
    assert source.sha256 != before  # the template's own text is unchanged; its macros are not
