"""Writing outputs safely: never half a file, never over an existing one unless asked, never over a
signature, and never over a change another process made meanwhile.

Every OS error while writing (a read-only or vanished folder, a full disk, a path under a file)
becomes one line naming the path, never a traceback.

Two officials may sign one pact in a shared folder at the same moment. `exclusive` serialises
every pakta process that replaces the same file: each holds an advisory lock (`flock`) on a lock
file beside it (`.NAME.pakta-lock`, removed afterwards), reads the file only once it holds the
lock, and `replace_file` checks, just before the atomic rename, that the file is still
byte-for-byte what it read. So a signature that was reported as made is never overwritten by
another pakta. On a network share the lock is as good as the share's lock support (NFSv4 and SMB
with byte-range locks honour it; some NAS mounts silently do not): the unchanged-check before the
rename still catches a writer that slipped through, except within the rename's own instant. On a
system without `fcntl` (Windows) only that check remains.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pakta_cli.errors import InputError, OutputExistsError, SignedOutputError
from pakta_cli.i18n import N_, _

# what marks a PDF as signed: a signature dictionary, or a second revision (an incremental update)
_SIGNATURE = b"/ByteRange"
_REVISION_ENDS = (b"startxref", b"%%EOF")
_CHUNK = 1 << 20

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_WAIT = 120.0  # seconds to wait for another pakta that is writing the same file


def cannot_write(path: Path, exc: OSError) -> InputError:
    """The one-line error for an output that the OS refused."""
    return InputError(_("{path}: cannot write here: {reason}").format(
                          path=path, reason=exc.strerror or exc),
                      hint=_("check that the folder exists and you may write to it, or choose another output"))


def default_mode() -> int:
    """The mode a new file gets from open(): 0666 less the umask (mkstemp would give 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def check_writable(path: Path, *, force: bool) -> None:
    if path.is_dir():
        raise InputError(_("{path}: is a folder, expected a file name").format(path=path))
    if path.exists() and not force:
        raise OutputExistsError(path)
    if path.exists() and not path.is_file():  # a device or FIFO: replacing it is never what was meant
        raise InputError(_("{path}: is not a regular file").format(path=path),
                         hint=_("choose a file name for the output"))
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise InputError(_("{parent}: is a file, not a folder").format(parent=parent),
                         hint=_("choose another output"), about="other_output")
    if not parent.is_dir():
        raise InputError(_("{parent}: folder does not exist").format(parent=parent),
                         hint=_("create it first, or choose another output"), about="missing_folder")


def make_folder(path: Path) -> bool:
    """Create an output folder (and its parents); True when it did not exist before."""
    if path.exists():
        if not path.is_dir():
            raise InputError(_("{path}: exists and is not a folder").format(path=path))
        return False
    try:
        path.mkdir(parents=True)
    except FileExistsError:  # a parent is a file, or another process made it meanwhile
        if path.is_dir():
            return False
        raise InputError(_("{path}: cannot create this folder: part of its path is a file").format(path=path)) from None
    except NotADirectoryError:
        raise InputError(_("{path}: cannot create this folder: part of its path is a file").format(path=path)) from None
    except OSError as exc:
        raise InputError(_("{path}: cannot create this folder: {reason}").format(
                             path=path, reason=exc.strerror or exc)) from None
    return True


def atomic_write(path: Path, data: bytes, *, force: bool = False, mode: int | None = None) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place.

    Without `mode` the file gets the usual mode of a new file (0666 less the umask). Replacing a file
    (`force`) happens under its lock, and never destroys a signature: a signed PDF is replaced only
    by a file that begins with all of its bytes (the same pact with a signature more).
    """
    check_writable(path, force=force)
    if force:  # replacing: never at the same time as another pakta replacing the same file
        with exclusive(path):
            if path.is_file() and is_signed(path) and not data.startswith(read_file(path, N_("file"))):
                raise SignedOutputError([path])
            _write_new(path, data, force=True, mode=mode)
    else:
        _write_new(path, data, force=False, mode=mode)


def _temporary(path: Path, data: bytes, mode: int | None) -> str:
    """`data` in a new temporary file beside `path` (same folder, so a rename is atomic); its name."""
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    with _or_discarded(path, temp_name):
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp_name, default_mode() if mode is None else mode)
    return temp_name


@contextlib.contextmanager
def _or_discarded(path: Path, temp_name: str) -> Iterator[None]:
    """On any failure, the temporary file goes and an OS error becomes one line naming `path`."""
    try:
        yield
    except BaseException as exc:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise cannot_write(path, exc) from None
        raise


def _write_new(path: Path, data: bytes, *, force: bool, mode: int | None) -> None:
    temp_name = _temporary(path, data, mode)
    with _or_discarded(path, temp_name):
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


def lock_path(path: Path) -> Path:
    real = Path(os.path.realpath(path))  # a file reached through a symbolic link has one lock, its own
    return real.with_name(f".{real.name}.pakta-lock")


def one_name(path: Path) -> Path:
    """The file itself, for replacing it in place: a symbolic link is followed (so the link still leads to
    the new content), and a file with several hard links is refused: a rename gives the new content
    to one name only, and a signature made through the other name would land in a file nobody opens."""
    real = Path(os.path.realpath(path))
    try:
        links = os.stat(real).st_nlink
    except OSError:
        return real  # reading it says why it cannot be used
    if links > 1:
        raise InputError(_("{path}: the file has {links} names (hard links); replacing it in place would "
                           "leave the others behind").format(path=path, links=links),
                         hint=_("sign it into another file"), about="hard_links")
    return real


@contextlib.contextmanager
def exclusive(path: Path, *, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the lock for replacing `path` (see the module docstring); at most `wait` seconds to get it."""
    if fcntl is None:  # pragma: no cover - Windows: the unchanged-check in replace_file remains
        yield
        return
    lock = lock_path(path)
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise cannot_write(path, exc) from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise InputError(_("{path}: another pakta is still writing this file").format(path=path),
                                         hint=_("wait until it finishes; if none runs, remove {name}").format(
                                                  name=lock.name)) from None
                    time.sleep(0.01)
            # the holder before us removes the lock file when it is done: then ours is stale, start again
            try:
                same = os.stat(lock).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def read_file(path: Path, what: str) -> bytes:
    """The bytes of an input file, or one line saying why not (missing, a folder, unreadable)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(_("{path}: {what} not found").format(path=path, what=_(what))) from None
    except IsADirectoryError:
        raise InputError(_("{path}: is a folder, not a {what}").format(path=path, what=_(what))) from None
    except OSError as exc:
        raise InputError(_("{path}: cannot read the {what}: {reason}").format(
                             path=path, what=_(what), reason=exc.strerror or exc)) from None


class ChangedMeanwhile(InputError):
    """The file changed between reading it and replacing it: another writer got there first."""


def replace_file(path: Path, read: bytes, data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` with `data`, only if it still holds exactly `read` (call it inside `exclusive`)."""
    temp_name = _temporary(path, data, mode)
    with _or_discarded(path, temp_name):
        try:
            now = path.read_bytes()
        except FileNotFoundError:
            now = None
        if now != read:
            raise ChangedMeanwhile(_("{path}: the file changed while pakta was working on it; nothing "
                                     "was written").format(path=path),
                                   hint=_("run the command again: it starts from the file as it is now"))
        os.replace(temp_name, path)


def update_file(path: Path, change: Callable[[bytes], bytes], *, what: str, mode: int | None = None,
                attempts: int = 3) -> tuple[bytes, bytes]:
    """Read `path` under its lock, replace it with `change(bytes)`; return (what was read, what was written).

    A writer that is not pakta (and so ignores the lock) may still change the file meanwhile: then
    the work starts again from the new content, a few times, before giving up with a clear message.
    """
    path = one_name(path)
    for attempt in range(attempts):
        with exclusive(path):
            read = read_file(path, what)
            data = change(read)
            try:
                replace_file(path, read, data, mode=mode)
            except ChangedMeanwhile:
                if attempt + 1 == attempts:
                    raise
                continue
            return read, data
    raise AssertionError("unreachable")  # pragma: no cover


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
