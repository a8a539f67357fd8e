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
