"""Pages of archived pacts as PNG images, drawn by poppler's `pdftoppm` and kept in a bounded cache.

A person holding a printed pact compares it by eye with the signed original; the page shows the
original's pages as a printer would draw them. `pdftoppm` is the same renderer the README's pictures
and the tests use. Drawing is bounded three ways: at most `MAX_PAGES` pages of a pact, a few
drawings at once (`concurrency`), each killed after `timeout` seconds; the cache is bounded by its
total size, the least recently used images going first.

A cache file is named by a digest of the archived file's path, mtime and size and the page number,
so a file that changes is drawn again, and nothing from a request names a file here.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_PAGES = 20
WIDTH = 1000  # pixels: sharp on a phone held upright, small on the wire (~100-200 KB a page)


class PageUnavailable(Exception):
    """The page cannot be drawn (no such page, a damaged file, pdftoppm missing or too slow)."""


@dataclass
class PageImages:
    folder: Path
    max_bytes: int = 256 << 20
    timeout: float = 20.0
    concurrency: int = 2
    program: str | None = field(default_factory=lambda: shutil.which("pdftoppm"))

    def __post_init__(self) -> None:
        self._gate = asyncio.Semaphore(self.concurrency)

    @property
    def available(self) -> bool:
        return self.program is not None

    def key(self, relative: str, mtime_ns: int, size: int, page: int) -> Path:
        digest = hashlib.sha256(f"{relative}\0{mtime_ns}\0{size}".encode()).hexdigest()[:40]
        return self.folder / f"{digest}-{page}.png"

    async def image(self, pdf: Path, cached: Path, page: int) -> bytes:
        """The PNG of `page` (1-based) of `pdf`, drawn once and then read from `cached`."""
        if self.program is None or not 1 <= page <= MAX_PAGES:
            raise PageUnavailable()
        with contextlib.suppress(FileNotFoundError):
            data = cached.read_bytes()
            os.utime(cached)  # recently used: kept longer
            return data
        async with self._gate:
            if not cached.exists():  # another request may have drawn it while this one waited
                await self._draw(pdf, cached, page)
        try:
            return cached.read_bytes()
        except FileNotFoundError:
            raise PageUnavailable() from None

    async def _draw(self, pdf: Path, cached: Path, page: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.folder, prefix=".draw-") as scratch:
            out = Path(scratch) / "page"
            process = await asyncio.create_subprocess_exec(
                str(self.program), "-png", "-singlefile", "-f", str(page), "-l", str(page),
                "-scale-to", str(WIDTH), "--", str(pdf), str(out),
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL)
            try:
                code = await asyncio.wait_for(process.wait(), self.timeout)
            except TimeoutError:
                process.kill()
                await process.wait()
                raise PageUnavailable() from None
            drawn = out.with_suffix(".png")
            if code != 0 or not drawn.exists():
                raise PageUnavailable()
            os.replace(drawn, cached)
        self._prune(keep=cached)

    def _prune(self, keep: Path) -> None:
        """Drop the least recently used images (never `keep`, just drawn) until the cache fits in `max_bytes`."""
        files = []
        for entry in os.scandir(self.folder):
            if entry.is_file() and entry.name.endswith(".png") and entry.path != str(keep):
                info = entry.stat()
                files.append((info.st_mtime_ns, info.st_size, entry.path))
        total = sum(size for _, size, _ in files) + keep.stat().st_size
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            total -= size
