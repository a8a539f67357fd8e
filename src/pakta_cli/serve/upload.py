"""An uploaded PDF, read into memory and never further: no temporary file, not even one deleted at once.

Starlette's form parser spools a file part of more than 1 MB to a temporary file on disk; a pact
someone checks may be personal data, and the server promises to keep nothing. So the body is read
here, counted as it arrives (the `Content-Length` a client claims is checked first, but a chunked
body is counted too), and a multipart form is parsed in memory with python-multipart's streaming
parser. The page's form posts multipart; scripts may post the PDF itself (`Content-Type:
application/pdf`).
"""

from __future__ import annotations

import re

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

FORM_SLACK = 64 << 10  # a multipart body carries its headers and boundaries besides the file
FIELD = b"file"
NAME_LIMIT = 120


class UploadError(Exception):
    """A request that carries no usable PDF; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, key: str, indonesian: str, english: str) -> None:
        super().__init__(english)
        self.status, self.key, self.indonesian, self.english = status, key, indonesian, english


def describe_size(size: int) -> str:
    """`20 MB`, `512 KB`: a size limit as a person reads it."""
    if size >= 1 << 20:
        return f"{size / (1 << 20):.3g} MB"
    return f"{size / (1 << 10):.3g} KB"


def too_large(limit: int) -> UploadError:
    size = describe_size(limit)
    return UploadError(413, "too_large", f"berkas lebih besar dari {size}", f"the file is larger than {size}")


async def read_upload(request: Request, limit: int) -> tuple[bytes, str]:
    """(the PDF's bytes, the name it was sent with) from a multipart form or a bare body."""
    content_type = request.headers.get("content-type", "")
    kind, params = parse_options_header(content_type)
    multipart = kind == b"multipart/form-data"
    ceiling = limit + (FORM_SLACK if multipart else 0)
    claimed = request.headers.get("content-length", "")
    if claimed.isdigit() and int(claimed) > ceiling:
        raise too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > ceiling:
            raise too_large(limit)
    if multipart:  # parsing megabytes takes a while: not on the event loop, which serves everyone
        data, name = await run_in_threadpool(_file_part, bytes(body), params.get(b"boundary", b""))
    else:
        data, name = bytes(body), request.query_params.get("name", "")
    if len(data) > limit:
        raise too_large(limit)
    if not data:
        raise UploadError(400, "no_file", "tidak ada berkas yang dikirim", "no file was sent")
    return data, _display_name(name)


MAX_PARTS = 8  # the page's form has one part: the file
MAX_HEADERS = 8  # headers of one part (a browser sends two)
MAX_HEADER = 4096  # bytes of one header's name or value


class _Refused(Exception):
    """A form larger in parts or headers than any the page sends."""


def _file_part(body: bytes, boundary: bytes) -> tuple[bytes, str]:
    """The `file` part of a multipart/form-data body, parsed in memory."""
    if not boundary:
        raise UploadError(400, "bad_form", "formulir tidak terbaca", "the form cannot be read")
    parts: list[tuple[dict[bytes, bytes], bytearray]] = []
    header = [b"", b""]

    def on_part_begin() -> None:
        # the page sends one part; a form of a million empty parts parsed in the server's own process
        # took 40 s and 650 MB before any time limit applied: past a few parts, the form is refused
        if len(parts) >= MAX_PARTS:
            raise _Refused
        parts.append(({}, bytearray()))

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]
        if len(header[0]) > MAX_HEADER:
            raise _Refused

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]
        if len(header[1]) > MAX_HEADER:
            raise _Refused

    def on_header_end() -> None:
        if len(parts[-1][0]) >= MAX_HEADERS:
            raise _Refused
        parts[-1][0][header[0].lower()] = header[1]
        header[:] = [b"", b""]

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1][1].extend(data[start:end])

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_part_data": on_part_data})
    try:
        parser.write(body)
        parser.finalize()
    except (MultipartParseError, _Refused):
        raise UploadError(400, "bad_form", "formulir tidak terbaca", "the form cannot be read") from None
    for headers, data in parts:
        _, options = parse_options_header(headers.get(b"content-disposition", b""))
        if options.get(b"name") == FIELD:
            return bytes(data), options.get(b"filename", b"").decode("utf-8", "replace")
    raise UploadError(400, "no_file", "tidak ada berkas yang dikirim", "no file was sent")


def _display_name(name: str) -> str:
    """The file's own name as the sender gave it, for the page: no folders, no control characters."""
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name[:NAME_LIMIT] + "…" if len(name) > NAME_LIMIT else name) or "unggahan.pdf"
