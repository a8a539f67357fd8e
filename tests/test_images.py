"""Images: a pact holds only the pixels pakta decoded (`pakta_cli.images`), and verify accepts no other
image data (`pakta_cli.verify.shape`).

An adversary found logos that PDF readers draw differently while pakta said VALID, even with
`--reproduce --definition`: a JPEG whose restart markers make pdf.js show a red "SAH" shield and
libjpeg (poppler, MuPDF, Ghostscript) a black "BATAL" one (JPEG-1), and a JPEG whose component ids
make some readers skip the colour transform (JPEG-2). Both are built here from Pillow images, as the
adversary built them. Also here: a `.jpg` logo reproduces (BUG-1), a logo of 13000 x 13000 pixels is
refused before it is decoded (DOS-4), and every way an image can depart from pakta's form FAILs.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont

from pakta_cli import images
from pakta_cli.errors import InputError
from pakta_cli.layout import BuildContext, build
from pakta_cli.pactfile import LOGO_PREFIX, MAX_IMAGE_PIXELS
from pakta_cli.pdf import writer
from pakta_cli.pdf.reader import Document
from pakta_cli.pdf.syntax import Name, Ref, Stream
from tests import test_attacks
from tests.attacks import prepared
from tests.attacks.forge import body_of
from tests.conftest import verify_in_bounded_memory
from tests.test_attacks import ONE_PARTY, SIGNER, rendered, sign_prepared, verdict
from tests.test_attacks_prepared import assert_fails_saying

putu = test_attacks.putu
LOGO = ONE_PARTY.replace("  address:", "  logo: {name}\n  address:")
needs_mupdf = pytest.mark.skipif(shutil.which("mutool") is None and not os.environ.get("CI"),
                                 reason="needs MuPDF's mutool (CI installs it)")


# -- hostile JPEGs, made from Pillow images as the adversary made them ----------------------------------


def shield(word: str, colour: tuple[int, int, int]) -> Image.Image:
    """A logo: a coloured shield with a white word, on white (its first rows are white)."""
    image = Image.new("RGB", (240, 264), "white")
    draw = ImageDraw.Draw(image)
    draw.polygon([(20, 16), (220, 16), (220, 170), (120, 250), (20, 170)], fill=colour)
    draw.text((120, 110), word, fill="white", font=ImageFont.load_default(size=56), anchor="mm")
    return image


def _segments(jpeg: bytes) -> tuple[bytes, bytes]:
    """(the markers up to and including the scan header, the entropy-coded data to the end)."""
    at = 2
    while jpeg[at + 1] != 0xDA:
        at += 2 + int.from_bytes(jpeg[at + 2 : at + 4], "big")
    end = at + 2 + int.from_bytes(jpeg[at + 2 : at + 4], "big")
    return jpeg[:end], jpeg[end:]


def restart_splice(shown: Image.Image, hidden: Image.Image) -> bytes:
    """JPEG-1: one JPEG holding two pictures. Both are coded with the same tables, one restart
    interval a row of blocks: the first row, then `hidden`'s rows each behind RST7, then `shown`'s
    behind RST0, RST1... libjpeg takes RST7 for a restart it already passed and skips to RST0, so it
    decodes `shown`; a decoder that ignores restart numbers (pdf.js) decodes `hidden`."""
    def rows(image: Image.Image) -> tuple[bytes, list[bytes]]:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=90, subsampling=0, restart_marker_rows=1)
        head, data = _segments(out.getvalue())
        return head, re.split(rb"\xff[\xd0-\xd7]", data.removesuffix(b"\xff\xd9"))

    head, shown_rows = rows(shown)
    hidden_head, hidden_rows = rows(hidden)
    assert head == hidden_head and shown_rows[0] == hidden_rows[0], "the two must share tables and first row"
    spliced = head + shown_rows[0] + b"".join(b"\xff\xd7" + row for row in hidden_rows[1:])
    spliced += b"".join(bytes([0xFF, 0xD0 + n % 8]) + row for n, row in enumerate(shown_rows[1:]))
    return spliced + b"\xff\xd9"


def rgb_ids(image: Image.Image) -> bytes:
    """JPEG-2: RGB samples in three components numbered 'R', 'G', 'B', with no JFIF or Adobe marker
    to say whether they are YCbCr: poppler and libjpeg read the ids as RGB, MuPDF applies YCbCr."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, keep_rgb=True)
    head, data = _segments(out.getvalue())
    at, kept = 2, [b"\xff\xd8"]
    while at < len(head):
        marker, length = head[at + 1], int.from_bytes(head[at + 2 : at + 4], "big")
        segment = bytearray(head[at : at + 2 + length])
        if marker in (0xC0, 0xDA):  # the frame and the scan name the components: 'R', 'G', 'B'
            first, step = (10, 3) if marker == 0xC0 else (5, 2)
            for n, cid in enumerate(b"RGB"):
                segment[first + step * n] = cid
        if marker not in (0xE0, 0xEE):  # no JFIF, no Adobe marker
            kept.append(bytes(segment))
        at += 2 + length
    return b"".join(kept) + data


def many_scans(extra: int) -> bytes:
    """A progressive JPEG with `extra` copies of its last scan appended: each one more pass over the image."""
    out = io.BytesIO()
    shield("KPU", (200, 20, 30)).save(out, "JPEG", quality=90, progressive=True)
    jpeg = out.getvalue().removesuffix(b"\xff\xd9")
    last = jpeg[jpeg.rindex(b"\xff\xda"):]
    return jpeg + last * extra + b"\xff\xd9"


# -- what readers draw --------------------------------------------------------------------------------


def drawn(pdf: bytes, folder: Path) -> dict[str, Image.Image]:
    """The letterhead logo of page 1 (72 dpi: 1 pixel a point) as poppler and MuPDF draw it."""
    path = folder / "drawn.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", "-singlefile", str(path),
                    str(folder / "poppler")], check=True, capture_output=True)
    subprocess.run(["mutool", "draw", "-q", "-r", "72", "-o", str(folder / "mupdf.png"), str(path), "1"],
                   check=True, capture_output=True)
    box = (84, 54, 158, 112)  # 3 cm from the left, 2 cm from the top: the logo's column
    return {name: Image.open(folder / f"{name}.png").convert("RGB").crop(box) for name in ("poppler", "mupdf")}


def count(image: Image.Image, colour: str) -> int:
    tests = {"red": lambda r, g, b: r > 150 and g < 80 and b < 80,
             "green": lambda r, g, b: g > 120 and r < 100,
             "dark": lambda r, g, b: r < 60 and g < 60 and b < 60}
    data = image.tobytes()
    return sum(1 for n in range(0, len(data), 3) if tests[colour](*data[n : n + 3]))


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two drawings, per sample (0 to 255)."""
    x, y = a.tobytes(), b.tobytes()
    return sum(abs(p - q) for p, q in zip(x, y, strict=True)) / len(x)


def image_objects(pdf: bytes) -> dict[int, Stream]:
    """The image XObjects of a rendered pact, by object number."""
    doc = Document(pdf)
    found = {num: doc.get(num) for num in doc.revisions[0].entries}
    return {num: value for num, value in found.items() if isinstance(value, Stream)
            and value.dict.get("Subtype") == "Image"}


def logo_objects(pdf: bytes) -> tuple[int, int | None]:
    """The object numbers of a one-logo pact's image and of its soft mask (None without one)."""
    objects = image_objects(pdf)
    masks = {ref.num for s in objects.values() if isinstance(ref := s.dict.get("SMask"), Ref)}
    (image,) = set(objects) - masks
    return image, next(iter(masks), None)


def logo_pact(folder: Path, name: str, data: bytes) -> bytes:
    (folder / name).write_bytes(data)
    return rendered(LOGO.format(name=name), folder)


# -- JPEG-1 and JPEG-2: every reader draws the pixels pakta decoded --------------------------------------


@needs_mupdf
def test_a_colour_transform_jpeg_embedded_as_it_is_draws_two_ways(tmp_path: Path) -> None:
    """The premise of the next test: JPEG-2 embedded as ReportLab embeds a .jpg (/DCTDecode, the
    file's own bytes) is red in poppler and green in MuPDF."""
    from reportlab.pdfgen.canvas import Canvas

    (tmp_path / "logo.jpg").write_bytes(rgb_ids(shield("KPU", (200, 20, 30))))
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(595, 842))
    canvas.drawImage(str(tmp_path / "logo.jpg"), 85, 842 - 57 - 47, 43, 47)
    canvas.save()
    assert b"/DCTDecode" in out.getvalue()
    views = drawn(out.getvalue(), tmp_path)
    assert count(views["poppler"], "red") > 500 and count(views["poppler"], "green") == 0
    assert count(views["mupdf"], "green") > 500 and count(views["mupdf"], "red") == 0


@needs_mupdf
@pytest.mark.parametrize(("jpeg", "shows"), [
    (lambda: restart_splice(shield("BATAL", (30, 30, 30)), shield("SAH", (200, 20, 30))), "dark"),
    (lambda: rgb_ids(shield("KPU", (200, 20, 30))), "red"),
], ids=["JPEG-1 restart markers", "JPEG-2 component ids"])
def test_a_hostile_jpeg_logo_is_embedded_as_its_pixels(jpeg: Callable[[], bytes], shows: str, tmp_path: Path) -> None:
    data = jpeg()
    pdf = logo_pact(tmp_path, "logo-kpu.png", data)  # a .png name, as the adversary used: read by content
    (image,) = image_objects(pdf).values()
    assert image.dict["Filter"] == ["FlateDecode"] and b"/DCTDecode" not in pdf
    decoded = Image.open(io.BytesIO(data)).convert("RGB")
    assert Document(pdf).decode(image) == decoded.tobytes()  # exactly the pixels Pillow decodes
    views = drawn(pdf, tmp_path)
    assert difference(views["poppler"], views["mupdf"]) < 8
    for view in views.values():
        assert count(view, shows) > 500
        assert count(view, "red" if shows == "dark" else "green") == 0


def test_a_pact_whose_logo_is_a_jpeg_image_fails(tmp_path: Path, putu: Any) -> None:
    """A preparer who swaps the rendered logo for JPEG data gets FAIL, however the signatures hold."""
    v = verdict(sign_prepared(jpeg_logo(tmp_path), SIGNER, putu), putu)
    assert_fails_saying(v, "as_rendered", "its data is /dctdecode, not the pixels pakta writes (/flatedecode)")
    assert "datanya berupa /dctdecode" in " ".join(c.detail.lower() for c in v.checks)


# -- every departure from the images pakta writes --------------------------------------------------------


def shield_png(alpha: bool = False) -> bytes:
    image = shield("KPU", (200, 20, 30))
    if alpha:  # the white around the shield made transparent: an RGB image and a gray soft mask
        image = image.convert("RGBA")
        image.putalpha(image.convert("L").point(lambda v: 0 if v > 250 else 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


Change = Callable[[dict[str, Any], bytes], tuple[dict[str, Any], bytes]]


def replaced(pdf: bytes, number: int, change: Change) -> bytes:
    """`pdf` rewritten in pakta's form with stream `number` changed: `change` takes the stream's
    entries and decoded data and gives new entries and the data to write."""
    doc = Document(pdf)
    stream = doc.get(number)
    assert isinstance(stream, Stream)
    entries, data = change({k: v for k, v in stream.dict.items() if k != "Length"}, doc.decode(stream))
    return prepared.rewritten(pdf, {number: body_of(writer.indirect(number, entries, data))})


def swapped(pdf: bytes, which: str, change: Change) -> bytes:
    """`pdf` with its logo's image, or its soft mask (`which` = "mask"), changed."""
    image, mask = logo_objects(pdf)
    number = mask if which == "mask" else image
    assert number is not None
    return replaced(pdf, number, change)


def jpeg_logo(folder: Path) -> bytes:
    """A pact whose logo a preparer swapped for JPEG-1's data, as a /DCTDecode image of its size."""
    pdf = logo_pact(folder, "logo.png", shield_png())
    jpeg = restart_splice(shield("BATAL", (30, 30, 30)), shield("SAH", (200, 20, 30)))
    return swapped(pdf, "image", lambda entries, pixels: ({**entries, "Filter": [Name("DCTDecode")]}, jpeg))


def flate(entries: dict[str, Any], pixels: bytes) -> tuple[dict[str, Any], bytes]:
    return entries, zlib.compress(pixels)


def entries(**changes: Any) -> Change:
    return lambda old, pixels: flate({**old, **changes}, pixels)


def filtered(name: str) -> Change:
    return lambda old, pixels: ({**old, "Filter": [Name(name)]}, b"\x00" * 64)


def _samples_short(old: dict[str, Any], pixels: bytes) -> tuple[dict[str, Any], bytes]:
    return flate(old, pixels[:-1])


def _bomb(old: dict[str, Any], pixels: bytes) -> tuple[dict[str, Any], bytes]:
    packer = zlib.compressobj(9)
    return old, b"".join(packer.compress(bytes(1 << 20)) for _ in range(64)) + packer.flush()


def _cmyk(old: dict[str, Any], pixels: bytes) -> tuple[dict[str, Any], bytes]:
    return flate({**old, "ColorSpace": Name("DeviceCMYK")}, pixels + pixels[: len(pixels) // 3])


def _rgb_mask(old: dict[str, Any], pixels: bytes) -> tuple[dict[str, Any], bytes]:
    return flate({**old, "ColorSpace": Name("DeviceRGB")}, pixels * 3)


def _wider_mask(old: dict[str, Any], pixels: bytes) -> tuple[dict[str, Any], bytes]:
    return flate({**old, "Width": old["Width"] + 1}, pixels + bytes(old["Height"]))


DEPARTURES: dict[str, tuple[str, Change, str]] = {
    "JPEG 2000": ("image", filtered("JPXDecode"), "its data is /jpxdecode"),
    "JBIG2": ("image", filtered("JBIG2Decode"), "its data is /jbig2decode"),
    "fax": ("image", filtered("CCITTFaxDecode"), "its data is /ccittfaxdecode"),
    "LZW": ("image", filtered("LZWDecode"), "its data is /lzwdecode"),
    "run length": ("image", filtered("RunLengthDecode"), "its data is /runlengthdecode"),
    "hex over deflate": ("image", lambda old, pixels: (
        {**old, "Filter": [Name("ASCIIHexDecode"), Name("FlateDecode")]}, zlib.compress(pixels).hex().encode()),
        "its data is /asciihexdecode /flatedecode"),
    "CMYK": ("image", _cmyk, "its colour space is not /devicergb or /devicegray"),
    "a palette": ("image", entries(ColorSpace=[Name("Indexed"), Name("DeviceRGB"), 0, b"\x00\x00\x00"]),
                  "its colour space is not /devicergb or /devicegray"),
    "16-bit samples": ("image", entries(BitsPerComponent=16), "its /bitspercomponent is not what pakta renders"),
    "colours inverted by /Decode": ("image", entries(Decode=[1, 0, 1, 0, 1, 0]), "holds /decode, which pakta never"),
    "a colour-key /Mask": ("image", entries(Mask=[0, 0, 0, 0, 0, 0]), "holds /mask, which pakta never"),
    "/Interpolate": ("image", entries(Interpolate=True), "holds /interpolate, which pakta never"),
    "a predictor": ("image", entries(DecodeParms={"Predictor": 15, "Columns": 240, "Colors": 3}),
                    "holds /decodeparms, which pakta never"),
    "more pixels than pakta draws": ("image", entries(Width=20_000, Height=20_000), "more than the 10 million"),
    "a sample short": ("image", _samples_short, "its data is 190079 bytes, not the 190080 bytes"),
    "a deflate bomb": ("image", _bomb, "its data cannot be read: a compressed stream inflates to more than"),
    "an RGB soft mask": ("mask", _rgb_mask, "is a soft mask that is not gray"),
    "a soft mask of another size": ("mask", _wider_mask, "its soft mask is not the size of the image"),
    "a JPEG soft mask": ("mask", filtered("DCTDecode"), "its data is /dctdecode"),
    "a soft mask inverted by /Decode": ("mask", entries(Decode=[1, 0]), "its /decode is not what pakta renders"),
    "a soft mask with a soft mask": ("mask", lambda old, pixels: flate({**old, "SMask": Ref(1, 0)}, pixels),
                                     "holds /smask, which pakta never"),
}


@pytest.fixture(scope="module")
def alpha_pact(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A pact whose logo has transparency: an RGB image and its gray soft mask."""
    return logo_pact(tmp_path_factory.mktemp("alpha"), "logo.png", shield_png(alpha=True))


def test_the_pact_the_departures_start_from_is_as_rendered(alpha_pact: bytes, putu: Any) -> None:
    unchanged = swapped(alpha_pact, "image", flate)
    assert unchanged == prepared.rewritten(alpha_pact)
    assert next(c for c in verdict(unchanged, putu).checks if c.name == "as_rendered").ok


@pytest.mark.parametrize("departure", DEPARTURES)
def test_an_image_pakta_does_not_write_fails(departure: str, alpha_pact: bytes, putu: Any) -> None:
    which, change, says = DEPARTURES[departure]
    assert_fails_saying(verdict(swapped(alpha_pact, which, change), putu), "as_rendered", says)


# -- what pakta makes of each kind of image file --------------------------------------------------------


def _saved(image: Image.Image, kind: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def _palette_with_transparency() -> bytes:
    image = shield("KPU", (200, 20, 30)).convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    return _saved(image, "PNG", transparency=image.getpixel((0, 0)))


def _gray16() -> bytes:
    return _saved(Image.frombytes("I;16", (2, 1), bytes([0x00, 0x80, 0xFF, 0xFF])), "PNG")


def _rotated_by_exif() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored lying on its side; a viewer turns it 90 degrees clockwise
    return _saved(shield("KPU", (200, 20, 30)).transpose(Image.Transpose.ROTATE_90), "JPEG", exif=exif)


KINDS: dict[str, tuple[Callable[[], bytes], str, bool, tuple[int, int]]] = {
    "RGB PNG": (lambda: shield_png(), "DeviceRGB", False, (240, 264)),
    "PNG with alpha": (lambda: shield_png(alpha=True), "DeviceRGB", True, (240, 264)),
    "opaque RGBA PNG": (lambda: _saved(shield("KPU", (200, 20, 30)).convert("RGBA"), "PNG"), "DeviceRGB", False,
                        (240, 264)),
    "palette PNG with a transparent colour": (_palette_with_transparency, "DeviceRGB", True, (240, 264)),
    "gray with alpha": (lambda: _saved(Image.new("LA", (4, 4), (90, 128)), "PNG"), "DeviceGray", True, (4, 4)),
    "1-bit PNG": (lambda: _saved(Image.new("1", (8, 2), 1), "PNG"), "DeviceGray", False, (8, 2)),
    "16-bit gray PNG": (_gray16, "DeviceGray", False, (2, 1)),
    "CMYK JPEG": (lambda: _saved(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG"), "DeviceRGB", False, (8, 8)),
    "JPEG turned by its EXIF orientation": (_rotated_by_exif, "DeviceRGB", False, (240, 264)),
    "GIF": (lambda: _saved(shield("KPU", (200, 20, 30)).convert("P"), "GIF"), "DeviceRGB", False, (240, 264)),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_image_becomes_8_bit_rgb_or_gray_pixels_that_verify_accepts(kind: str, tmp_path: Path,
                                                                         putu: Any) -> None:
    make, colour_space, has_mask, size = KINDS[kind]
    pdf = logo_pact(tmp_path, "logo.png", make())  # whatever its format: pixels decide, not the name
    number, mask = logo_objects(pdf)
    image = image_objects(pdf)[number]
    assert (image.dict["ColorSpace"], image.dict["Width"], image.dict["Height"], image.dict["BitsPerComponent"]) \
        == (colour_space, *size, 8)
    assert (mask is not None) == has_mask
    assert next(c for c in verdict(pdf, putu).checks if c.name == "as_rendered").ok


def test_sixteen_bit_gray_keeps_its_high_byte_and_exif_turns_the_picture(tmp_path: Path) -> None:
    pdf = logo_pact(tmp_path, "gray.png", _gray16())
    (gray,) = image_objects(pdf).values()
    assert Document(pdf).decode(gray) == bytes([0x80, 0xFF])
    turned = images.load(_written(tmp_path / "turned.jpg", _rotated_by_exif())).image
    assert turned.size == (240, 264)
    assert turned.getpixel((120, 240))[0] > 150  # the shield's point at the bottom, as a person sees it


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- BUG-1: the same picture gives the same bytes, whatever its file's name and folder -----------------


def test_a_jpeg_logo_gives_the_same_pact_from_any_folder(tmp_path: Path) -> None:
    data = _saved(shield("KPU", (200, 20, 30)), "JPEG", quality=90)
    here, there = tmp_path / "here", tmp_path / "there" / "deeper"
    there.mkdir(parents=True)
    here.mkdir()
    first = logo_pact(here, "logo-kpu.jpg", data)
    assert first == logo_pact(there, "logo-kpu.jpg", data)
    assert b"/DCTDecode" not in first


# -- limits: checked before a pixel is decoded ------------------------------------------------------------


def test_too_many_pixels_are_refused_from_the_header(tmp_path: Path) -> None:
    side = int(MAX_IMAGE_PIXELS**0.5) + 1
    path = _written(tmp_path / "big.png", _saved(Image.new("1", (side, side)), "PNG"))
    with pytest.raises(images.ImageProblem, match=rf"{side} x {side} pixels, more than an image pakta draws") as got:
        images.load(path)
    assert got.value.hint == images.SCALE_DOWN


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    with path.open("wb") as out:
        out.truncate(17 << 20)
    with pytest.raises(images.ImageProblem, match="more than an image pakta draws may be"):
        images.load(path)


def test_a_progressive_jpeg_of_too_many_scans_is_refused(tmp_path: Path) -> None:
    assert images.load(_written(tmp_path / "honest.jpg", many_scans(0))).width == 240
    assert images.load(_written(tmp_path / "some.jpg", many_scans(images.MAX_JPEG_SCANS - 20))).width == 240
    with pytest.raises(images.ImageProblem, match=f"more than {images.MAX_JPEG_SCANS} scans"):
        images.load(_written(tmp_path / "hostile.jpg", many_scans(images.MAX_JPEG_SCANS)))


def test_the_largest_image_pakta_draws_is_one_verify_accepts(tmp_path: Path, putu: Any) -> None:
    """The limits agree: an image at the pixel cap, with a soft mask, renders and is as rendered."""
    side = int(MAX_IMAGE_PIXELS**0.5)
    image = Image.new("RGBA", (side, side), (200, 20, 30, 255))
    image.paste((0, 0, 0, 0), (0, 0, 16, 16))
    pdf = logo_pact(tmp_path, "logo.png", _saved(image, "PNG"))
    assert next(c for c in verdict(pdf, putu).checks if c.name == "as_rendered").ok


def test_the_images_of_one_pact_together_have_a_limit(tmp_path: Path) -> None:
    side = int(MAX_IMAGE_PIXELS**0.5)
    for n in range(3):  # three images at the cap: 90 MB of RGB samples
        Image.new("RGB", (side, side), (n, 0, 0)).save(tmp_path / f"{n}.png")
    markup = "<pact>" + "".join(f'<image src="{n}.png"/>' for n in range(3)) + "</pact>"
    with pytest.raises(InputError, match="the pact's images hold more than 64 MiB of pixels together"):
        build(markup, BuildContext(base_dir=tmp_path, frame_width=400))


# -- DOS-4: a pact whose embedded logo is a bomb -------------------------------------------------------


def bomb_logo(pdf: bytes) -> bytes:
    """`pdf` with its embedded logo file (what --reproduce renders from) swapped for a PNG of
    13000 x 13000 pixels, half a megabyte of file."""
    data = _saved(Image.new("1", (13_000, 13_000)), "PNG")
    doc = Document(pdf)
    specs = [doc.get(num) for num in doc.revisions[0].entries]
    (number,) = [spec["EF"]["F"].num for spec in specs if isinstance(spec, dict) and spec.get("Type") == "Filespec"
                 and spec["F"].startswith(LOGO_PREFIX.encode())]
    return replaced(pdf, number, lambda entries, logo: (
        {**entries, "Params": {"Size": len(data)}}, zlib.compress(data)))


def test_reproducing_a_pact_with_a_bomb_for_a_logo_fails_in_bounded_memory(tmp_path: Path) -> None:
    """It took 14.6 s and 1.7 GB: Pillow decoded what its own limit allows, ReportLab compressed it."""
    pdf = logo_pact(tmp_path, "logo-kpu.png", shield_png())
    status, reasons = verify_in_bounded_memory(_written(tmp_path / "bomb.pdf", bomb_logo(pdf)), reproduce=True)
    assert status == "FAIL"
    assert any("logo 'logo-kpu.png': 13000 x 13000 pixels, more than an image pakta draws may have (10 million)"
               in reason for reason in reasons), reasons
