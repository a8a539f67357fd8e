"""Images a pact draws (the letterhead logo, a template's <image>): decoded here into the pixels
pakta embeds, and nothing else.

A PDF reader draws an embedded JPEG with its own decoder, and decoders disagree on crafted files:
restart markers one decoder honours and another skips, a colour transform one applies and another
does not, so one file showed a red "SAH" logo in pdf.js and a black "BATAL" one in poppler. So
pakta never embeds an image file's bytes. It decodes the file once, with Pillow, under limits
checked before any pixel is decoded, and the PDF holds only 8-bit RGB or gray samples (alpha as a
gray soft mask), deflated: data every reader draws alike, and the only image data `verify` accepts
(`pakta_cli.verify.shape`). ReportLab names such an image after its pixels, never its path, so the
same picture gives the same bytes from any folder (`verify --reproduce` renders from a temporary one).

A JPEG's pixels are those Pillow's libjpeg-turbo decodes, whose releases keep them the same for the
same file: `--reproduce` on an auditor's machine relies on that.
"""

from __future__ import annotations

import os
import stat
import warnings
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from pakta_cli.errors import InputError
from pakta_cli.i18n import _
from pakta_cli.pactfile import MAX_IMAGE_FILE, MAX_IMAGE_PIXELS

if TYPE_CHECKING:
    from PIL.Image import Image

FORMATS = ("PNG", "JPEG", "GIF")  # the decoders Pillow may try; no other format's parser sees the file
# A progressive JPEG is decoded once per scan, each over the whole image: libjpeg's standard scripts
# write 10 (6 for gray), while a hostile file of many tiny scans could cost minutes.
MAX_JPEG_SCANS = 100
SCALE_DOWN = "scale the image down (a logo needs about 600 pixels across) and render again"


class ImageProblem(InputError):
    """An image pakta will not draw; `problem` says why without the path (the definition's line names it)."""

    def __init__(self, path: Path, problem: str, hint: str | None = None) -> None:
        super().__init__(f"{path}: {problem}", hint=hint)
        self.problem = problem


@dataclass(frozen=True, eq=False)
class Picture:
    """Pixels as pakta embeds them: mode RGB or L, or RGBA or LA when some pixel is not opaque."""

    image: Image
    samples: int  # bytes the PDF's image and soft mask hold decoded

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height


class _Refused(Exception):
    def __init__(self, problem: str, hint: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.hint = hint


def load(path: Path) -> Picture:
    """The pixels of the image file at `path`, or ImageProblem saying why pakta will not draw it."""
    return load_file(path)[1]


def load_file(path: Path) -> tuple[bytes, Picture]:
    """The bytes of the image file at `path` and its pixels (`load`), read once."""
    try:
        # opened without blocking and checked before reading: /dev/zero, a FIFO or a terminal named as an
        # image must not fill the memory or wait for ever; at most one byte more than the limit is read
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ImageProblem(path, _("not a regular file"))
            data = handle.read(MAX_IMAGE_FILE + 1)
        if len(data) > MAX_IMAGE_FILE:
            raise ImageProblem(path, _("a file of more than {limit} MiB, more than an image pakta draws may "
                                       "be").format(limit=MAX_IMAGE_FILE >> 20), SCALE_DOWN)
    except FileNotFoundError:
        raise ImageProblem(path, _("image not found")) from None
    except OSError as exc:
        raise ImageProblem(path, _("cannot read it ({strerror})").format(strerror=exc.strerror)) from None
    try:
        return data, _decode(data)
    except _Refused as refused:
        raise ImageProblem(path, refused.problem, refused.hint) from None



@lru_cache(maxsize=2)  # by content: a roster batch, or verify --reproduce of a folder, decodes its logo once
def _decode(data: bytes) -> Picture:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit comes next
            image = Image.open(BytesIO(data), formats=FORMATS)
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise _Refused(_("{width} x {height} pixels, more than an image pakta draws may have "
                             "({limit} million)").format(
                               width=width, height=height, limit=MAX_IMAGE_PIXELS // 1000000), SCALE_DOWN)
        if image.format == "JPEG" and _jpeg_scans(data) > MAX_JPEG_SCANS:
            raise _Refused(_("a progressive JPEG of more than {limit} scans").format(
                               limit=MAX_JPEG_SCANS),
                           _("save it again as a PNG, or as a JPEG that is not progressive"))
        image.load()
        return _pixels(ImageOps.exif_transpose(image))
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours
        raise _Refused(_("more pixels than an image pakta draws may have ({limit} million)").format(
                           limit=MAX_IMAGE_PIXELS // 1000000),
                       SCALE_DOWN) from None
    except UnidentifiedImageError:
        raise _Refused(_("not an image pakta can draw (use PNG or JPEG)")) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise _Refused(_("damaged image ({exc})").format(exc=exc)) from None


def _pixels(image: Image) -> Picture:
    """8-bit RGB or gray samples, as a person sees the image: the camera's orientation applied by
    the caller; palette, CMYK and 16-bit samples as RGB or gray; transparency as alpha, dropped
    when every pixel is opaque (so an opaque picture needs no soft mask)."""
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):  # 16-bit gray: keep the high byte
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    gray = image.mode in ("1", "L", "LA", "La")
    alpha = image.mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in image.info
    mode = ("L" if gray else "RGB") + ("A" if alpha else "")
    pixels = image.convert(mode)
    if alpha and pixels.getchannel("A").getextrema() == (255, 255):
        pixels = pixels.convert(mode[:-1])
    pixels.info.clear()  # nothing for ReportLab to read as a transparent colour or a resolution
    channels = len(pixels.getbands())
    return Picture(pixels, pixels.width * pixels.height * channels)


def _jpeg_scans(data: bytes) -> int:
    """How many scans (SOS markers) a JPEG holds, counted by walking its segments; stops past the limit."""
    scans, at, end = 0, 2, len(data)
    while at + 4 <= end and scans <= MAX_JPEG_SCANS:
        if data[at] != 0xFF:
            return scans  # damaged: the decoder says how
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker == 0xD9:
            return scans
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            at += 2
            continue
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
        if marker != 0xDA:
            continue
        scans += 1
        while True:  # entropy-coded data: 0xFF is followed by 0x00 (stuffing) or a restart marker
            at = data.find(b"\xff", at)
            if at < 0 or at + 1 >= end:
                return scans
            if data[at + 1] == 0x00 or 0xD0 <= data[at + 1] <= 0xD7:
                at += 2
                continue
            break
    return scans


LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")


def logo_file_problem(name: str, data: bytes) -> str | None:
    """Why a logo file may not travel in a pact, or None. The pact carries the file as it is, so a viewer
    lists it among the attachments and opens it when asked: it must be named and be what it is, a
    picture, and not also another PDF (a PNG with a whole pact appended still decodes to the same
    pixels)."""
    from pakta_cli.pdf.canonical import holds_pdf_structure

    if not name.lower().endswith(LOGO_SUFFIXES):
        return _("a logo file is named .png, .jpg or .gif, not {name}").format(name=repr(name))
    if holds_pdf_structure(data):
        return _("the file holds bytes a PDF reader takes for a PDF document or its objects besides the picture")
    return None
