"""Images a pact draws (the letterhead logo, template <image>s): checked before anything is rendered.

ReportLab opens an image only when it draws the page, so a text file named logo.png, an SVG or a
truncated PNG would surface as a Pillow traceback halfway through a batch. Decoding it once here
turns that into one line at the definition's `file:line:col`, reported by `pakta check` too.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FORMATS = ("PNG", "JPEG", "GIF")  # what ReportLab draws through Pillow without a conversion step


@lru_cache(maxsize=32)
def _problem(path: Path, size: int, mtime: int) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            kind = image.format
            image.load()
    except UnidentifiedImageError:
        return "not an image pakta can draw (use PNG or JPEG)"
    except (OSError, ValueError, SyntaxError) as exc:
        return f"damaged image ({exc})"
    if kind not in FORMATS:
        return f"a {kind} image; use PNG or JPEG"
    return None


def image_problem(path: Path) -> str | None:
    """Why `path` cannot be drawn as an image, or None when it can."""
    try:
        stat = path.stat()
    except OSError as exc:
        return f"cannot read it ({exc.strerror})"
    return _problem(path.resolve(), stat.st_size, stat.st_mtime_ns)
