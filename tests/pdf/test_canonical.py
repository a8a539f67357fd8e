"""What a repairing reader would take for PDF structure inside a stream's data (`pdf.canonical`)."""

from __future__ import annotations

import pytest

from pakta_cli.pdf.canonical import holds_pdf_structure


@pytest.mark.parametrize(("data", "found"), [
    (b"7 0 obj", True),
    (b"\x00\xff7\n0\r\nobj<<", True),
    (b"7 0%a comment a parser skips\nobj", True),  # a comment is white space to a PDF parser
    (b"7\n%one\n%two\n0 obj", True),
    (b"endobj", True), (b"xref", True), (b"trailer", True), (b"%%EOF", True), (b"stream", True),
    (b"%PDF-1.7", True),  # a whole document's start: a saved attachment opens as a PDF
    (b"70obj", False), (b"7 0 object", False), (b"17 obj", False), (b"\x89PNG\r\n\x1a\n", False),
])
def test_structure_a_repairing_reader_would_find(data: bytes, found: bool) -> None:
    assert holds_pdf_structure(b"\x01\x02" + data + b"\x03") is found
