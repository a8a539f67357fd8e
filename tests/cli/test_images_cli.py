"""Logos through the command line, as a clerk and an auditor meet them: a `.jpg` logo reproduces,
a huge one is one line and exit 2 with nothing written, a forged JPEG image is FAIL with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.attacks.identities import careless_pakta_sign, self_signed
from tests.conftest import AYU, MADE, listing, make_identity, one_error, pact_definition, run_cli
from tests.test_images import jpeg_logo, shield


def logo_definition(folder: Path, logo: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pakta.yaml"
    path.write_text(pact_definition().replace("  address:", f"  logo: {logo}\n  address:"))
    return path


@pytest.mark.usefixtures("keys_env")
def test_a_pact_with_a_jpg_logo_reproduces(tmp_path: Path) -> None:
    """BUG-1: ReportLab named a JPEG after its path, and --reproduce renders from a temporary folder."""
    definition = logo_definition(tmp_path / "clerk", "logo-kpu.jpg")
    shield("KPU", (200, 20, 30)).save(definition.parent / "logo-kpu.jpg", quality=90)
    pdf = tmp_path / "pakta.pdf"
    assert run_cli("render", definition, "-o", pdf)[0] == 0
    people = [make_identity(tmp_path / "keys", p["name"], p["nip"], position=p["position"]) for p in (AYU, MADE)]
    signed = pdf
    for n, (key, _) in enumerate(people, start=1):
        out = tmp_path / f"signed-{n}.pdf"
        code, _, err = run_cli("sign", signed, "--key", key, "-o", out)
        assert code == 0, err
        signed = out
    trust = [arg for _, cert in people for arg in ("--trust", str(cert))]
    code, out, err = run_cli("verify", signed, *trust, "--reproduce", "--definition", definition)
    assert code == 0, out + err
    assert out.startswith("VALID\t")


def test_render_refuses_a_logo_of_13000_by_13000_pixels(tmp_path: Path) -> None:
    definition = logo_definition(tmp_path, "logo-kpu.png")
    Image.new("1", (13_000, 13_000)).save(tmp_path / "logo-kpu.png")  # half a megabyte of PNG
    before = listing(tmp_path)
    for command in ("render", "check"):
        code, out, err = run_cli(command, definition)
        one_error(code, err, "pakta.yaml:5:9: logo 'logo-kpu.png': 13000 x 13000 pixels, more than an image "
                             "pakta draws may have (10 million)")
        assert "hint: scale the image down (a logo needs about 600 pixels across) and render again" in err
        assert "Traceback" not in out + err
    assert listing(tmp_path) == before


def test_verify_fails_a_signed_pact_whose_logo_is_a_jpeg_image(tmp_path: Path) -> None:
    putu = self_signed("Putu Contoh", "198609262015051001", "Sekretaris")
    (tmp_path / "pakta.pdf").write_bytes(careless_pakta_sign(jpeg_logo(tmp_path), "pakta-signer-1", putu))
    (tmp_path / "putu.crt").write_bytes(putu.pem())
    code, out, _ = run_cli("verify", tmp_path / "pakta.pdf", "--trust", tmp_path / "putu.crt")
    assert code == 1
    assert out.startswith("FAIL\t")
    assert "its data is /DCTDecode, not the pixels pakta writes (/FlateDecode): PDF readers may draw it " \
           "differently" in " ".join(out.split())


@pytest.mark.parametrize(("name", "payload"), [("pakta-asli.pdf", b""),
                                               ("logo-kpu.png", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")])
def test_a_logo_is_only_a_picture(name: str, payload: bytes, tmp_path: Path) -> None:
    """The pact carries its logo file as it is, and viewers list and open attachments: a PNG with a
    whole other pact appended decodes to the same pixels, and one named .pdf opens as a document."""
    definition = logo_definition(tmp_path, name)
    shield("KPU", (200, 20, 30)).save(tmp_path / "plain.png")
    (tmp_path / name).write_bytes((tmp_path / "plain.png").read_bytes() + payload)
    before = listing(tmp_path)
    code, _, err = run_cli("render", definition)
    said = ("a logo file is named .png, .jpg or .gif, not 'pakta-asli.pdf'" if payload == b"" else
            "the file holds bytes a PDF reader takes for a PDF document or its objects besides the picture")
    one_error(code, err, f"pakta.yaml:5:9: logo '{name}': {said}")
    assert "hint: save the picture again as a plain PNG" in err
    assert listing(tmp_path) == before


def test_verify_fails_a_pact_whose_logo_file_carries_a_pdf(tmp_path: Path) -> None:
    """The same logo swapped into a rendered pact's attachment, by hand: verify says so, even unsigned."""
    import re
    import zlib

    from tests.attacks import prepared

    definition = logo_definition(tmp_path, "logo-kpu.png")
    shield("KPU", (200, 20, 30)).save(tmp_path / "logo-kpu.png")
    assert run_cli("render", definition, "-o", tmp_path / "pakta.pdf")[0] == 0
    pdf = (tmp_path / "pakta.pdf").read_bytes()
    polyglot = (tmp_path / "logo-kpu.png").read_bytes() + pdf  # the whole pact again, after IEND
    number = next(n for n, text in prepared.objects_of(pdf).items() if b"/EmbeddedFile" in text
                  and zlib.decompress(text.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0])
                  == (tmp_path / "logo-kpu.png").read_bytes())
    head = prepared.objects_of(pdf)[number].split(b"stream\n", 1)[0]
    packed = zlib.compress(polyglot)
    head = re.sub(rb"/Length \d+", b"/Length %d" % len(packed), head)
    head = re.sub(rb"/Size \d+", b"/Size %d" % len(polyglot), head)
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(prepared.rewritten(pdf, {number: head + b"stream\n" + packed + b"\nendstream"}))
    cert = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], passphrase=None)[1]
    code, out, _ = run_cli("verify", forged, "--trust", cert, "--no-reproduce")
    assert code == 1 and out.startswith("FAIL\t")
    assert "the embedded logo file pakta-logo-logo-kpu.png is not only a picture: the file holds bytes" in out
