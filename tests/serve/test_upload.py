"""Uploading a pact to the page and to the API: the same verdict `pakta verify` gives, shown safely."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pakta_cli.verify import verify_bytes
from tests.serve.conftest import NIK, SCRIPT_NAME, Pacts, client


def upload(test_client, path: Path, url: str = "/api/verify", name: str | None = None):  # type: ignore[no-untyped-def]
    return test_client.post(url, files={"file": (name or path.name, path.read_bytes(), "application/pdf")})


def test_the_api_answers_what_pakta_verify_answers(pacts: Pacts) -> None:
    with client(pacts) as c:
        for path in (pacts.valid, pacts.incomplete, pacts.tampered):
            response = upload(c, path)
            assert response.status_code == 200
            assert response.json() == verify_bytes(path.read_bytes(), pacts.policy(), name=path.name).to_json()
        assert [upload(c, p).json()["status"] for p in (pacts.valid, pacts.incomplete, pacts.tampered)] == [
            "VALID", "INCOMPLETE", "FAIL"]


def test_the_api_takes_the_pdf_as_the_body_too(pacts: Pacts) -> None:
    with client(pacts) as c:
        response = c.post("/api/verify?name=mine.pdf", content=pacts.valid.read_bytes(),
                          headers={"content-type": "application/pdf"})
    assert response.json()["status"] == "VALID"
    assert response.json()["path"] == "mine.pdf"


def test_a_file_that_is_not_a_pdf_fails_with_its_reason(pacts: Pacts) -> None:
    with client(pacts) as c:
        response = c.post("/api/verify", files={"file": ("notes.txt", b"just some text", "text/plain")})
        page = c.post("/", files={"file": ("notes.txt", b"just some text", "text/plain")})
    assert response.json()["status"] == "FAIL"
    assert response.json()["reasons"][0]["key"] == "not_pdf"
    assert 'data-status="FAIL"' in page.text
    assert "bukan berkas PDF" in page.text and "not a PDF file" in page.text


def test_the_page_shows_the_state_the_signers_and_every_reason_in_both_languages(pacts: Pacts) -> None:
    with client(pacts) as c:
        valid = upload(c, pacts.valid, "/").text
        incomplete = upload(c, pacts.incomplete, "/").text
        tampered = upload(c, pacts.tampered, "/").text
    assert 'data-status="VALID"' in valid and "SAH" in valid
    assert "Ni Luh Ayu Sukmawati" in valid and "I Made Wiratama" in valid
    assert "NIP 19860926 201505 1 001" in valid and "Pakta Integritas" in valid and "2 Januari 2024" in valid
    assert 'id="reasons"' not in valid
    assert 'data-status="INCOMPLETE"' in incomplete and "BELUM LENGKAP" in incomplete
    assert "belum menandatangani" in incomplete
    assert 'data-status="FAIL"' in tampered and "GAGAL" in tampered
    assert "tanda tangannya tidak sah" in tampered and "sudah menandatangani" not in tampered
    verdict = verify_bytes(pacts.tampered.read_bytes(), pacts.policy())
    for _, message in verdict.failures:  # every reason, each language beside the other
        assert _escaped(message.id) in tampered and _escaped(message.en) in tampered


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_names_are_escaped_never_markup(pacts: Pacts) -> None:
    with client(pacts) as c:
        page = upload(c, pacts.script, "/", name='<img src=x onerror=alert(1)>.pdf').text
    assert 'data-status="VALID"' in page
    assert "<script>alert" not in page and "<b>Ketua" not in page and "<img src=x" not in page
    assert _escaped(SCRIPT_NAME) in page
    assert "&lt;b&gt;Ketua&lt;/b&gt;" in page


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text = ""
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text += data.strip()


def _pages(pacts: Pacts) -> Iterator[tuple[str, str]]:
    with client(pacts) as c:
        yield "index", c.get("/").text
        yield "verdict", upload(c, pacts.tampered, "/").text
        yield "404", c.get("/nothing/here").text


@pytest.mark.parametrize("kind", ["index", "verdict", "404"])
def test_pages_load_nothing_from_elsewhere_and_run_no_inline_code(pacts: Pacts, kind: str) -> None:
    html = dict(_pages(pacts))[kind]
    parser = _Tags()
    parser.feed(html)
    assert parser.script_text == ""  # no inline script or style element
    for tag, attrs in parser.tags:
        assert not any(name.startswith("on") or name == "style" for name in attrs), (tag, attrs)
        for name in ("src", "href", "action"):
            if attrs.get(name):
                assert str(attrs[name]).startswith("/"), (tag, attrs)  # this server's, never a CDN's
    assert {tag for tag, _ in parser.tags} >= {"script", "link"}


def test_every_answer_carries_a_strict_content_security_policy(pacts: Pacts) -> None:
    with client(pacts) as c:
        answers = [c.get("/"), c.get("/static/app.js"), c.get("/nothing"), upload(c, pacts.valid),
                   c.get("/pact/" + "0" * 32)]
    for response in answers:
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    assert answers[0].headers["cache-control"] == "no-store"


def test_an_upload_over_the_limit_is_refused_before_it_is_verified(pacts: Pacts) -> None:
    big = b"%PDF-1.7\n" + b"0" * 150_000
    with client(pacts, max_upload=100 << 10) as c:
        api = c.post("/api/verify", files={"file": ("big.pdf", big, "application/pdf")})
        page = c.post("/", files={"file": ("big.pdf", big, "application/pdf")})
        # a chunked body claims no length: it is counted as it arrives
        chunked = c.post("/api/verify", content=iter([big[:80_000], big[80_000:]]),
                         headers={"content-type": "application/pdf"})
        fits = upload(c, pacts.valid)
    assert api.status_code == 413 and api.json()["error"]["key"] == "too_large"
    assert page.status_code == 413 and "berkas lebih besar dari 100 KB" in page.text
    assert chunked.status_code == 413
    assert fits.json()["status"] == "VALID"


def test_a_request_without_a_file_is_told_so(pacts: Pacts) -> None:
    with client(pacts) as c:
        empty = c.post("/api/verify", content=b"", headers={"content-type": "application/pdf"})
        other_field = c.post("/api/verify", files={"other": ("x.pdf", b"%PDF-", "application/pdf")})
        broken = c.post("/api/verify", content=b"--x\r\nnonsense", headers={"content-type": "multipart/form-data"})
    assert empty.status_code == 400 and empty.json()["error"]["key"] == "no_file"
    assert other_field.status_code == 400 and other_field.json()["error"]["key"] == "no_file"
    assert broken.status_code == 400 and broken.json()["error"]["key"] == "bad_form"


def test_an_upload_is_never_written_to_disk(pacts: Pacts) -> None:
    """Not even as a temporary file deleted at once: every open for writing during the upload is caught."""
    written: list[str] = []
    watching = [False]

    def hook(event: str, args: tuple[object, ...]) -> None:
        if watching[0] and event == "open":
            path, mode, flags = args
            if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                    isinstance(flags, int) and flags & (0o1 | 0o2 | 0o100)):  # O_WRONLY | O_RDWR | O_CREAT
                written.append(str(path))

    sys.addaudithook(hook)
    data = pacts.valid.read_bytes() + b"\n" * (2 << 20)  # over Starlette's 1 MB spooling threshold
    with client(pacts) as c:
        watching[0] = True
        try:
            page = c.post("/", files={"file": ("big.pdf", data, "application/pdf")})
        finally:
            watching[0] = False
    assert page.status_code == 200 and 'data-status="FAIL"' in page.text  # trailing bytes after the last revision
    assert written == []


def test_no_page_shows_a_whole_nik(pacts: Pacts) -> None:
    with client(pacts) as c:
        page = upload(c, pacts.nik, "/").text
    assert NIK not in page
    assert "5171********0003" in page
    assert re.search(r"Komang Ayu Lestari", page)


def test_errors_are_pages_or_json_never_tracebacks(pacts: Pacts, monkeypatch: pytest.MonkeyPatch) -> None:
    from pakta_cli.serve import app as app_module

    def broken(outcome: object) -> object:
        raise RuntimeError("secret detail of the server")

    monkeypatch.setattr(app_module, "verdict_view", broken)
    with client(pacts, raise_server_exceptions=False) as c:
        crashed = upload(c, pacts.valid, "/")
        wrong_method = c.get("/api/verify")
        wrong_method_page = c.put("/")
        missing = c.get("/static/../../etc/passwd")
    assert crashed.status_code == 500 and "Terjadi galat" in crashed.text
    assert "secret detail" not in crashed.text and "Traceback" not in crashed.text
    assert crashed.headers["content-security-policy"].startswith("default-src 'none'")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]["key"] == "http_405"
    assert wrong_method_page.status_code == 405 and "Metode tidak diizinkan" in wrong_method_page.text
    assert missing.status_code == 404 and "root:" not in missing.text


def test_a_form_of_many_parts_is_refused_before_it_costs(pacts: Pacts) -> None:
    """Parsing happens in the server's own process, before any worker's time limit: a 20 MB form of a
    million empty parts took 40 s and 650 MB. Past the few parts and headers a browser sends, it is a
    bad form, and the file part after them is never reached."""
    from pakta_cli.serve import upload

    boundary = b"x"
    empty = b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n"
    body = empty * 400_000 + b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.pdf\"\r\n\r\n" \
        + pacts.valid.read_bytes() + b"\r\n--x--\r\n"
    with pytest.raises(upload.UploadError) as refused:
        upload._file_part(body, boundary)
    assert refused.value.key == "bad_form"
    headers = b"--x\r\n" + b"".join(b"X-%d: y\r\n" % n for n in range(50)) + b"\r\n\r\n--x--\r\n"
    with pytest.raises(upload.UploadError):
        upload._file_part(headers, boundary)
    one = b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.pdf\"\r\n\r\n%PDF-\r\n--x--\r\n"
    assert upload._file_part(one, boundary) == (b"%PDF-", "p.pdf")
