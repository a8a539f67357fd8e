"""Writing outputs safely: never half a file, never over an existing one unless asked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pakta_cli.errors import InputError, OutputExistsError


def check_writable(path: Path, *, force: bool) -> None:
    if path.exists() and not force:
        raise OutputExistsError(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a file name")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: folder does not exist", hint="create it first, or choose another -o")


def atomic_write(path: Path, data: bytes, *, force: bool = False, mode: int | None = None) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place."""
    check_writable(path, force=force)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(temp_name, mode)
        if force:
            os.replace(temp_name, path)
        else:
            # link() refuses an existing target, so a file created meanwhile is never clobbered
            try:
                os.link(temp_name, path)
            except FileExistsError:
                raise OutputExistsError(path) from None
            finally:
                os.unlink(temp_name)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
