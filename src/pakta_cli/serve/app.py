"""The verification web application: Starlette routes over the worker pool, the archive index and the pages.

Routes (all relative to the root path the server is mounted at):

    GET  /                     the upload page
    POST /                     the upload form: the same page with the verdict
    POST /api/verify           a PDF in (multipart `file`, or the body itself), Verdict.to_json() out
    GET  /pact/<id>            an archived pact: its live verdict, its pages, a link to the original
    GET  /pact/<id>/page/N.png page N of it, drawn by pdftoppm and cached
    GET  /pact/<id>/pdf        the signed original, as a download
    GET  /api/pact/<id>        its live verdict as JSON (NIKs masked)
    GET  /healthz              liveness, workers, the archive index's state
    GET  /static/<name>        the stylesheet and the script, from memory

Every answer carries a strict Content-Security-Policy (scripts and styles from this server only,
no inline code, nothing from elsewhere) and is not cached unless it is a static file. An error is
a page (JSON under /api/ and /healthz), never a traceback. A pact id is 32 lowercase hex digits
and is only ever a key into the index; no part of a request path reaches the filesystem.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pakta_cli import __version__
from pakta_cli.serve.archive import Archive, Entry, Indexer, default_cache
from pakta_cli.serve.facts import masked
from pakta_cli.serve.pages import MAX_PAGES, PageImages, PageUnavailable
from pakta_cli.serve.pool import Busy, TimedOut, WorkerDied, WorkerPool
from pakta_cli.serve.upload import UploadError, describe_size, read_upload
from pakta_cli.serve.views import environment, failed_verdict, static_files, verdict_view
from pakta_cli.serve.worker import Outcome, verify_upload
from pakta_cli.verify import Policy

log = logging.getLogger("uvicorn.error")  # uvicorn's own log, so the server's lines read alike

PACT_ID = re.compile(r"[0-9a-f]{32}")
PACT_ID_ANY_CASE = re.compile(r"[0-9a-fA-F]{32}")
MAX_ARCHIVED_FILE = 64 << 20
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
    ("cache-control", "no-store"),  # verdicts name people: no shared cache keeps them
)
PROBLEMS = {
    400: (("Permintaan tidak sah", "Bad request"),
          ("Permintaan ini tidak dapat dipahami.", "This request cannot be understood.")),
    404: (("Halaman tidak ditemukan", "Page not found"),
          ("Tidak ada halaman di alamat ini.", "There is no page at this address.")),
    405: (("Metode tidak diizinkan", "Method not allowed"),
          ("Alamat ini tidak menerima permintaan semacam ini.", "This address does not accept this kind of request.")),
    500: (("Terjadi galat", "Something went wrong"),
          ("Server mengalami galat. Silakan coba lagi.", "The server ran into an error. Please try again.")),
    503: (("Server sedang sibuk", "The server is busy"),
          ("Terlalu banyak pemeriksaan berjalan saat ini. Coba lagi sebentar lagi.",
           "Too many checks are running right now. Please try again in a moment.")),
}
BAD_ID = (("Kode pakta tidak sah", "Not a pact id"),
          ("Alamat pakta berakhir dengan kode 32 karakter (0-9, a-f). Periksa kembali alamatnya, atau unggah PDF-nya.",
           "A pact's address ends in a 32-character code (0-9, a-f). Check the address, or upload the PDF."))
NOT_ARCHIVED = (("Pakta tidak ada di arsip", "Pact not in the archive"),
                ("Server ini tidak menyimpan pakta dengan kode ini. Jika Anda memegang PDF-nya, unggah untuk "
                 "memeriksanya.",
                 "This server keeps no pact with this id. If you have its PDF, upload it to check it."))
NO_ARCHIVE = (("Server ini tidak menyimpan arsip", "This server keeps no archive"),
              ("Pakta hanya dapat diperiksa dengan mengunggah PDF-nya.",
               "Pacts can only be checked by uploading their PDF."))
INDEXING = (("Arsip sedang disiapkan", "The archive is being indexed"),
            ("Pakta ini belum ditemukan, tetapi arsip belum selesai diindeks. Coba lagi beberapa menit lagi.",
             "This pact was not found yet, but the archive is still being indexed. Try again in a few minutes."))


class Problem(Exception):
    """An answer that is not the page asked for: a status and its title and text, each in two languages."""

    def __init__(self, status: int, title: tuple[str, str], text: tuple[str, str], key: str) -> None:
        super().__init__(title[1])
        self.status, self.title, self.text, self.key = status, title, text, key


@dataclass(frozen=True)
class ServeConfig:
    """What `pakta serve` was started with."""

    policy: Policy
    trusted: tuple[str, ...] = ()  # the trust roots as the footer names them
    archive: Path | None = None
    cache_dir: Path | None = None  # the archive's index and page images
    max_upload: int = 20 << 20
    timeout: float = 10.0  # seconds a worker may spend on one file
    workers: int = 2
    backlog: int = 64  # requests that may wait for a worker before the next is told "busy"
    rescan: float = 300.0  # seconds between two looks at the archive folder; 0: only at start
    reindex: bool = False  # verify every archived file again at start
    page_cache_bytes: int = 256 << 20


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response, error pages included (a header already set is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Service:
    """The application's state and its handlers."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.pool: WorkerPool[Outcome] = WorkerPool(verify_upload, config.policy, workers=config.workers,
                                                    timeout=config.timeout, backlog=config.backlog)
        self.archive: Archive | None = None
        self.indexer: Indexer | None = None
        self.pages: PageImages | None = None
        if config.archive is not None:
            cache = config.cache_dir or default_cache(config.archive)
            self.archive = Archive(config.archive, cache / "index.sqlite3", config.policy, jobs=config.workers)
            self.indexer = Indexer(self.archive, interval=config.rescan, full=config.reindex, log=log.info)
            self.pages = PageImages(cache / "pages", max_bytes=config.page_cache_bytes)

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        self.pool.start()
        if self.indexer is not None:
            self.indexer.start()
        try:
            yield
        finally:
            if self.indexer is not None:
                self.indexer.stop()
            self.pool.close()

    # -- presenting ---------------------------------------------------------------------------------

    def page(self, request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = environment().get_template(template).render(
            root=request.scope.get("root_path", ""), version=__version__, trusted=self.config.trusted,
            max_upload=self.config.max_upload, max_upload_text=describe_size(self.config.max_upload), **values)
        return HTMLResponse(html, status)

    def problem(self, request: Request, problem: Problem) -> Response:
        headers = {"retry-after": "5"} if problem.status == 503 else {}
        if _relative_path(request).startswith(("/api/", "/healthz")):
            return JSONResponse({"error": {"key": problem.key, "id": problem.text[0], "en": problem.text[1]}},
                                problem.status, headers=headers)
        response = self.page(request, "error.html", problem.status, title=problem.title, text=problem.text,
                             code=problem.status)
        response.headers.update(headers)
        return response

    # -- verifying ----------------------------------------------------------------------------------

    async def verify(self, data: bytes, name: str) -> Outcome:
        try:
            return await self.pool.run(data, name)
        except Busy:
            raise Problem(503, *PROBLEMS[503], "busy") from None
        except TimedOut:
            seconds = f"{self.config.timeout:g}"
            return failed_verdict(name, "timeout", f"pemeriksaan melebihi batas waktu {seconds} detik",
                                  f"verification took longer than the {seconds} s limit")
        except WorkerDied:
            return failed_verdict(name, "worker_died", "pemeriksaan terhenti (berkas terlalu berat?)",
                                  "verification stopped (too heavy a file?)")

    async def index(self, request: Request) -> Response:
        return self.page(request, "index.html", view=None, error=None)

    async def upload(self, request: Request) -> Response:
        try:
            data, name = await read_upload(request, self.config.max_upload)
        except UploadError as exc:
            return self.page(request, "index.html", exc.status, view=None, error=exc)
        outcome = await self.verify(data, name)
        return self.page(request, "index.html", view=verdict_view(outcome), error=None)

    async def api_verify(self, request: Request) -> Response:
        try:
            data, name = await read_upload(request, self.config.max_upload)
        except UploadError as exc:
            return JSONResponse({"error": {"key": exc.key, "id": exc.indonesian, "en": exc.english}}, exc.status)
        outcome = await self.verify(data, name)
        return JSONResponse(outcome.verdict.to_json())

    # -- the archive --------------------------------------------------------------------------------

    def _archive(self, request: Request) -> Archive:
        if self.archive is None:
            raise Problem(404, *NO_ARCHIVE, "no_archive")
        return self.archive

    async def archived(self, request: Request, pact_id: str) -> tuple[Archive, Entry, Outcome]:
        """The archived copy of this pact to show, verified now; Problem when there is none."""
        archive = self._archive(request)
        for entry in await run_in_threadpool(archive.lookup, pact_id):
            try:
                data, info = await run_in_threadpool(_read_archived, archive.path_of(entry))
            except OSError:
                await run_in_threadpool(archive.forget, entry.path)
                continue
            outcome = await self.verify(data, f"{pact_id}.pdf")
            await run_in_threadpool(archive.record, entry.path, info, outcome.verdict)
            if outcome.verdict.pact_id == pact_id:
                return archive, Entry(entry.path, info.st_mtime_ns, info.st_size, pact_id,
                                      outcome.verdict.status, entry.signed, entry.required), outcome
        if archive.status.state in ("starting", "indexing"):
            raise Problem(404, *INDEXING, "indexing")
        raise Problem(404, *NOT_ARCHIVED, "not_archived")

    async def current(self, request: Request, pact_id: str) -> tuple[Archive, Entry]:
        """The file to draw or download: the index's best copy while it is unchanged, else a live look."""
        archive = self._archive(request)
        entries = await run_in_threadpool(archive.lookup, pact_id)
        if entries:
            entry = entries[0]
            with contextlib.suppress(OSError):
                info = await run_in_threadpool(os.stat, archive.path_of(entry))
                if (info.st_mtime_ns, info.st_size) == (entry.mtime_ns, entry.size):
                    return archive, entry
        archive, entry, _ = await self.archived(request, pact_id)
        return archive, entry

    async def pact_page(self, request: Request) -> Response:
        pact_id = _pact_id(request)
        _, _, outcome = await self.archived(request, pact_id)
        view = verdict_view(outcome)
        drawable = min(view.pages, MAX_PAGES) if self.pages is not None and self.pages.available else 0
        return self.page(request, "pact.html", view=view, pages=range(1, drawable + 1),
                         more_pages=view.pages - drawable if drawable else 0)

    async def pact_json(self, request: Request) -> Response:
        pact_id = _pact_id(request)
        _, _, outcome = await self.archived(request, pact_id)
        return JSONResponse(masked(outcome.verdict.to_json()))

    async def pact_image(self, request: Request) -> Response:
        pact_id = _pact_id(request)
        number = int(request.path_params["page"])
        archive, entry = await self.current(request, pact_id)
        if self.pages is None:
            raise Problem(404, *PROBLEMS[404], "not_found")
        try:
            png = await self.pages.image(archive.path_of(entry),
                                         self.pages.key(entry.path, entry.mtime_ns, entry.size, number), number)
        except PageUnavailable:
            raise Problem(404, *PROBLEMS[404], "no_page") from None
        return Response(png, media_type="image/png", headers={"cache-control": "private, max-age=300"})

    async def pact_pdf(self, request: Request) -> Response:
        pact_id = _pact_id(request)
        archive, entry = await self.current(request, pact_id)
        try:
            data, _ = await run_in_threadpool(_read_archived, archive.path_of(entry))
        except OSError:
            raise Problem(404, *NOT_ARCHIVED, "not_archived") from None
        return Response(data, media_type="application/pdf",
                        headers={"content-disposition": f'attachment; filename="pakta-{pact_id}.pdf"'})

    # -- the rest -----------------------------------------------------------------------------------

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "pakta": __version__, "workers": self.pool.size,
                             "waiting": self.pool.waiting,
                             "archive": self.archive.status.to_json() if self.archive else None})

    async def static(self, request: Request) -> Response:
        found = static_files().get(request.path_params["name"])
        if found is None:
            raise Problem(404, *PROBLEMS[404], "not_found")
        data, media_type = found
        return Response(data, media_type=media_type, headers={"cache-control": "public, max-age=86400"})

    async def on_problem(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return self.problem(request, exc)

    async def on_redirect(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Redirect)
        return RedirectResponse(exc.target, 308)

    async def on_http(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        title, text = PROBLEMS.get(exc.status_code, PROBLEMS[400])
        return self.problem(request, Problem(exc.status_code, title, text, "http_" + str(exc.status_code)))

    async def on_error(self, request: Request, exc: Exception) -> Response:
        log.error("internal error on %s: %s: %s", request.url.path, type(exc).__name__, exc)
        return self.problem(request, Problem(500, *PROBLEMS[500], "internal_error"))


def create_app(config: ServeConfig) -> ASGIApp:
    """The whole web application, security headers around it."""
    service = Service(config)
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        Problem: service.on_problem, Redirect: service.on_redirect, HTTPException: service.on_http,
        Exception: service.on_error}
    app = Starlette(
        routes=[
            Route("/", service.index, methods=["GET"]),
            Route("/", service.upload, methods=["POST"]),
            Route("/api/verify", service.api_verify, methods=["POST"]),
            Route("/pact/{pact_id}", service.pact_page, methods=["GET"]),
            Route("/pact/{pact_id}/page/{page:int}.png", service.pact_image, methods=["GET"]),
            Route("/pact/{pact_id}/pdf", service.pact_pdf, methods=["GET"]),
            Route("/api/pact/{pact_id}", service.pact_json, methods=["GET"]),
            Route("/healthz", service.healthz, methods=["GET"]),
            Route("/static/{name}", service.static, methods=["GET"]),
        ],
        exception_handlers=handlers,
        lifespan=service.lifespan,
    )
    app.state.service = service
    return SecurityHeaders(app)


def _pact_id(request: Request) -> str:
    """The request's pact id, checked: 32 lowercase hex digits (an upper-case one is sent to its lower case)."""
    pact_id = str(request.path_params["pact_id"])
    if PACT_ID.fullmatch(pact_id):
        return pact_id
    if PACT_ID_ANY_CASE.fullmatch(pact_id):
        # a QR code in alphanumeric mode is upper case; the id is the same
        raise Redirect(request.scope.get("root_path", "") + _relative_path(request).replace(pact_id, pact_id.lower()))
    raise Problem(400, *BAD_ID, "bad_id")


class Redirect(Exception):
    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def _relative_path(request: Request) -> str:
    """The request's path below the root path the application is mounted at."""
    path, root = request.url.path, request.scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def _read_archived(path: Path) -> tuple[bytes, os.stat_result]:
    """An archived file's bytes and its stat, read together; OSError for anything but a regular file."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ARCHIVED_FILE:
            raise OSError(f"{path}: not a regular file of a pact's size")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(MAX_ARCHIVED_FILE + 1), info
    finally:
        os.close(fd)
