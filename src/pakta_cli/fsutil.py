"""Writing outputs safely: never half a file, never over an existing one unless asked, never over a signature.

Every OS error while writing (a read-only or vanished folder, a full disk, a path under a file)
becomes one line naming the path, never a traceback.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pakta_cli.errors import InputError, OutputExistsError, SignedOutputError

# what marks a PDF as signed: a signature dictionary, or a second revision (an incremental update)
_SIGNATURE = b"/ByteRange"
_REVISION_ENDS = (b"startxref", b"%%EOF")
_CHUNK = 1 << 20


def cannot_write(path: Path, exc: OSError) -> InputError:
    """The one-line error for an output that the OS refused."""
    return InputError(f"{path}: cannot write here: {exc.strerror or exc}",
                      hint="check that the folder exists and you may write to it, or choose another output")


def default_mode() -> int:
    """The mode a new file gets from open(): 0666 less the umask (mkstemp would give 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def check_writable(path: Path, *, force: bool) -> None:
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a file name")
    if path.exists() and not force:
        raise OutputExistsError(path)
    if path.exists() and not path.is_file():  # a device or FIFO: replacing it is never what was meant
        raise InputError(f"{path}: is not a regular file", hint="choose a file name for the output")
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise InputError(f"{parent}: is a file, not a folder", hint="choose another -o")
    if not parent.is_dir():
        raise InputError(f"{parent}: folder does not exist", hint="create it first, or choose another -o")


def make_folder(path: Path) -> bool:
    """Create an output folder (and its parents); True when it did not exist before."""
    if path.exists():
        if not path.is_dir():
            raise InputError(f"{path}: exists and is not a folder")
        return False
    try:
        path.mkdir(parents=True)
    except FileExistsError:  # a parent is a file, or another process made it meanwhile
        if path.is_dir():
            return False
        raise InputError(f"{path}: cannot create this folder: part of its path is a file") from None
    except NotADirectoryError:
        raise InputError(f"{path}: cannot create this folder: part of its path is a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot create this folder: {exc.strerror or exc}") from None
    return True


def atomic_write(path: Path, data: bytes, *, force: bool = False, mode: int | None = None) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place.

    Without `mode` the file gets the usual mode of a new file (0666 less the umask).
    """
    check_writable(path, force=force)
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp_name, default_mode() if mode is None else mode)
        if force:
            os.replace(temp_name, path)
        else:
            # link() refuses an existing target, so a file created meanwhile is never clobbered
            try:
                os.link(temp_name, path)
            except FileExistsError:
                raise OutputExistsError(path) from None
            except OSError:  # no hard links here (a FAT memory stick, some network shares)
                if os.path.lexists(path):
                    raise OutputExistsError(path) from None
                os.replace(temp_name, path)
            else:
                os.unlink(temp_name)
    except BaseException as exc:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise cannot_write(path, exc) from None
        raise


def is_signed(path: Path) -> bool:
    """Whether the file at `path` may carry a signature, decided from its bytes alone and conservatively.

    A PDF that holds a signature dictionary (`/ByteRange`) or more than one revision (more than one
    `startxref` or `%%EOF`) counts as signed: it may hold what an official signed, which no re-render
    can give back. The file is read in chunks, so a large one costs memory of one chunk; a file that
    cannot be read counts as signed, since what cannot be checked must not be overwritten.
    """
    overlap = max(len(t) for t in (_SIGNATURE, *_REVISION_ENDS)) - 1
    counts = dict.fromkeys(_REVISION_ENDS, 0)
    tail = b""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                window = tail + chunk
                if _SIGNATURE in window:
                    return True
                for token in _REVISION_ENDS:  # a token wholly inside `tail` was counted in the last round
                    counts[token] += window.count(token) - tail.count(token)
                if any(count > 1 for count in counts.values()):
                    return True
                tail = window[-overlap:]
    except OSError:
        return True
    return False


def refuse_signed(paths: Iterable[Path]) -> None:
    """Refuse before anything is written when an output would replace a signed PDF, with or without --force."""
    signed = [path for path in paths if path.is_file() and is_signed(path)]
    if signed:
        raise SignedOutputError(signed)
