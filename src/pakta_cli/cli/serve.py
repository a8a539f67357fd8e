"""`pakta serve`: the public verification page, on uvicorn. Parse, load trust, bind, run.

The socket is bound here, before uvicorn starts, so an address in use is one line and exit code 2
like every other bad input, instead of uvicorn's log and exit 1. Processes (the verification
workers and the archive indexer's pool) start from a forkserver: the web server runs threads, and
a process forked from a threaded one may inherit a held lock.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Annotated

import typer

from pakta_cli.cli.language import command
from pakta_cli.cli.trusting import CrlOption, TrustOption, TsaTrustOption, load_trust_options, load_tsa_trust
from pakta_cli.i18n import N_, _, ngettext

SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]?)i?b?", re.IGNORECASE)
UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
MAX_UPLOAD_CEILING = 256 << 20  # what pakta verify reads of one file at most
SPARE_WORKERS = 2  # see pakta_cli.serve.pool: slow files run at the least priority on these


def serve(
    trust: TrustOption = None,
    crl: CrlOption = None,
    tsa_trust: TsaTrustOption = None,
    archive: Annotated[
        Path | None,
        typer.Option("--archive", help=N_("The institution's folder of signed pacts: /pact/<id> shows them."),
                     metavar="DIR"),
    ] = None,
    host: Annotated[str, typer.Option("--host", help=N_("Address to listen on."))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help=N_("Port to listen on."))] = 8000,
    max_upload: Annotated[str, typer.Option("--max-upload", help=N_("Largest PDF accepted (20MB, 512KB...)."),
                                            metavar="SIZE")] = "20MB",
    timeout: Annotated[float, typer.Option("--timeout", min=0.1,
        help=N_("Seconds one file may take to verify."))] = 10.0,
    workers: Annotated[int, typer.Option("--workers", "-j", min=0, help=N_("Verification processes; 0 "
                                                                           "means one per core and "
                                                                           "two spare (for files that "
                                                                           "run slow)."))] = 0,
    root_path: Annotated[str, typer.Option("--root-path", help=N_("The path prefix a reverse proxy "
                                                                  "serves this under (/verifikasi); "
                                                                  "the proxy strips it."), metavar="PATH")] = "",
    cache_dir: Annotated[
        Path | None,
        typer.Option("--cache-dir", help=N_("Where the archive's index and page images are kept. "
                                            "[default: $XDG_CACHE_HOME/pakta/serve/<archive>]"),
                     metavar="DIR", show_default=False),
    ] = None,
    rescan: Annotated[float, typer.Option("--rescan", min=0, help=N_("Seconds between looks at the "
                                                                     "archive folder for new and "
                                                                     "changed files; 0: only at start."))] = 300.0,
    reindex: Annotated[bool, typer.Option("--reindex", help=N_("Verify every archived file again at start."))] = False,
) -> None:
    import multiprocessing

    import uvicorn

    from pakta_cli.certificates import display_name
    from pakta_cli.cli.console import note
    from pakta_cli.errors import InputError
    from pakta_cli.parallel import default_jobs
    from pakta_cli.serve import ServeConfig, create_app
    from pakta_cli.serve.archive import default_cache
    from pakta_cli.serve.pages import PageImages
    from pakta_cli.verify import Policy

    time_roots = load_tsa_trust(tsa_trust)
    roots, crls = load_trust_options(trust, crl, "serve")
    limit = parse_size(max_upload)
    if root_path and (not root_path.startswith("/") or root_path.endswith("/")):
        raise InputError(_("--root-path {root_path!r}: give a path that starts with / and does not "
                           "end with one").format(root_path=root_path),
                         hint=_("for example --root-path /verifikasi"))
    if archive is not None:
        if not archive.is_dir():
            raise InputError(_("{archive}: not a folder").format(archive=archive),
                             hint=_("--archive names the folder of signed pacts"))
        archive = archive.resolve()
        cache_dir = (cache_dir or default_cache(archive)).resolve()
        if not PageImages(cache_dir).available:
            note(_("note: pdftoppm not found (apt-get install poppler-utils): archived pacts are "
                   "shown without their pages"))
    config = ServeConfig(
        policy=Policy(tuple(roots), tuple(crls), reproduce=True, tsa_trust=tuple(time_roots)),
        trusted=tuple(dict.fromkeys(display_name(root.subject) for root in roots)),
        archive=archive, cache_dir=cache_dir, max_upload=limit, timeout=timeout,
        workers=workers or default_jobs() + SPARE_WORKERS, rescan=rescan, reindex=reindex,
    )
    sock = bind(host, port)
    multiprocessing.set_start_method("forkserver", force=True)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{sock.getsockname()[1]}{root_path}/"
    trusted = ngettext("{count} trusted certificate", "{count} trusted certificates", len(roots)).format(
        count=len(roots))
    where = _("archive {folder}").format(folder=archive) if archive else _("no archive")
    note(f"pakta serve: {address} ({trusted}, {where})")
    server = uvicorn.Server(uvicorn.Config(
        create_app(config), root_path=root_path, proxy_headers=True, server_header=False,
        timeout_graceful_shutdown=5, log_level="info", limit_concurrency=config.backlog * 4))
    server.run(sockets=[sock])


def parse_size(text: str) -> int:
    """`20MB`, `512KB`, `1.5M` or a number of bytes; between 1 KB and 256 MB."""
    from pakta_cli.errors import InputError

    match = SIZE.fullmatch(text.strip())
    if not match:
        raise InputError(_("--max-upload {text!r}: not a size").format(text=text),
                         hint=_("for example --max-upload 20MB"))
    size = int(float(match.group(1)) * UNITS[match.group(2).lower()])
    if not 1 << 10 <= size <= MAX_UPLOAD_CEILING:
        raise InputError(_("--max-upload {text!r}: give a size between 1KB and 256MB").format(text=text))
    return size


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or one line saying why not."""
    from pakta_cli.errors import InputError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(_("--host {host}: {strerror}").format(host=host, strerror=exc.strerror)) from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        raise InputError(f"{host}:{port}: {exc.strerror or exc}",
                         hint=_("choose another --port, or stop what listens there")) from None
    sock.set_inheritable(True)
    return sock


def register(app: typer.Typer) -> None:
    """Add this module's commands to the pakta app."""
    command(app, "serve", N_("Serve the public verification page: upload a pact, or open an archived one by "
                             "its QR code."))(serve)
