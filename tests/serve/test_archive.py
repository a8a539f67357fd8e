"""The archive: an index by pact id that keeps up with the folder, and the page a QR code opens."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pakta_cli.certificates import load_certificate
from pakta_cli.serve.archive import Archive
from pakta_cli.serve.pages import PageImages
from pakta_cli.verify import Policy, verify_bytes
from tests.conftest import make_identity
from tests.serve.conftest import NIK, Pacts, client


@pytest.fixture
def archive_dir(pacts: Pacts, tmp_path: Path) -> Path:
    """An office's folder: a finished pact and its half-signed copy, a tampered one, two more, and junk."""
    folder = tmp_path / "arsip"
    (folder / "2024" / "pps").mkdir(parents=True)
    shutil.copy(pacts.valid, folder / "2024" / "valid.pdf")
    shutil.copy(pacts.incomplete, folder / "2024" / "pps" / "incomplete.pdf")
    shutil.copy(pacts.tampered, folder / "2024" / "tampered.PDF")
    shutil.copy(pacts.nik, folder / "nik.pdf")
    shutil.copy(pacts.script, folder / "script.pdf")
    (folder / "notes.pdf").write_text("not a pdf")
    (folder / "readme.txt").write_text("ignored")
    (folder / ".hidden").mkdir()
    shutil.copy(pacts.valid, folder / ".hidden" / "copy.pdf")
    return folder


def pact_id(path: Path, policy: Policy) -> str:
    found = verify_bytes(path.read_bytes(), policy).pact_id
    assert found is not None
    return found


def test_a_sync_verifies_only_what_is_new_or_changed(pacts: Pacts, archive_dir: Path, tmp_path: Path) -> None:
    archive = Archive(archive_dir, tmp_path / "cache" / "index.sqlite3", pacts.policy())
    assert archive.sync() == 6  # the hidden folder and the .txt are not the archive's
    assert archive.sync() == 0
    valid = archive_dir / "2024" / "valid.pdf"
    os.utime(valid, ns=(time.time_ns(), valid.stat().st_mtime_ns + 10**9))
    (archive_dir / "script.pdf").unlink()
    assert archive.sync() == 1
    assert archive.count() == 5
    assert archive.sync(full=True) == 5


def test_a_pact_is_found_by_its_id_the_best_copy_first(pacts: Pacts, archive_dir: Path, tmp_path: Path) -> None:
    archive = Archive(archive_dir, tmp_path / "index.sqlite3", pacts.policy())
    archive.sync()
    found = archive.lookup(pact_id(pacts.valid, pacts.policy()))
    assert [(e.path, e.status.value, e.signed, e.required) for e in found] == [
        ("2024/valid.pdf", "VALID", 2, 2), ("2024/pps/incomplete.pdf", "INCOMPLETE", 1, 2),
        ("2024/tampered.PDF", "FAIL", 2, 2)]  # changed after signing, so still the same pact as rendered
    assert archive.lookup("0" * 32) == []


def test_other_trust_verifies_the_archive_again(pacts: Pacts, archive_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite3"
    Archive(archive_dir, index, pacts.policy()).sync()
    _, stranger = make_identity(tmp_path / "keys", "Orang Lain", "198001012010011001")
    wider = Policy((*pacts.policy().trust, load_certificate(stranger)))
    assert Archive(archive_dir, index, wider).sync() == 6


def wait_ready(test_client: TestClient) -> None:
    """The index is built in the background: wait for it (bounded)."""
    for _ in range(600):
        if test_client.get("/healthz").json()["archive"]["state"] == "ready":
            return
        time.sleep(0.05)
    raise AssertionError("the archive was not indexed")


def test_the_qr_page_shows_the_archived_pact_verified_now(pacts: Pacts, archive_dir: Path, tmp_path: Path) -> None:
    ident = pact_id(pacts.valid, pacts.policy())
    with client(pacts, archive=archive_dir, cache_dir=tmp_path / "cache") as c:
        wait_ready(c)
        page = c.get(f"/pact/{ident}")
        image = c.get(f"/pact/{ident}/page/1.png")
        again = c.get(f"/pact/{ident}/page/1.png")
        original = c.get(f"/pact/{ident}/pdf")
        as_json = c.get(f"/api/pact/{ident}")
        no_page = c.get(f"/pact/{ident}/page/9.png")
    assert page.status_code == 200 and 'data-status="VALID"' in page.text
    assert "Ni Luh Ayu Sukmawati" in page.text and "NIP 19860926 201505 1 001" in page.text
    assert f'src="/pact/{ident}/page/1.png"' in page.text and "/page/2.png" not in page.text
    assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")
    assert again.content == image.content
    assert original.content == pacts.valid.read_bytes()
    assert original.headers["content-disposition"] == f'attachment; filename="pakta-{ident}.pdf"'
    assert as_json.json()["status"] == "VALID" and as_json.json()["pact_id"] == ident
    assert no_page.status_code == 404


def test_a_changed_archive_file_is_verified_again_when_opened(pacts: Pacts, archive_dir: Path,
                                                              tmp_path: Path) -> None:
    ident = pact_id(pacts.valid, pacts.policy())
    with client(pacts, archive=archive_dir, cache_dir=tmp_path / "cache") as c:
        wait_ready(c)
        (archive_dir / "2024" / "valid.pdf").write_bytes(pacts.nik.read_bytes())  # no longer this pact
        page = c.get(f"/pact/{ident}")
        original = c.get(f"/pact/{ident}/pdf")
    assert 'data-status="INCOMPLETE"' in page.text  # the half-signed copy is what is left of it
    assert original.content == pacts.incomplete.read_bytes()


def test_ids_are_checked_and_never_reach_the_filesystem(pacts: Pacts, archive_dir: Path, tmp_path: Path) -> None:
    with client(pacts, archive=archive_dir, cache_dir=tmp_path / "cache") as c:
        wait_ready(c)
        unknown = c.get("/pact/" + "ab" * 16)
        bad = [c.get(path) for path in ("/pact/xyz", "/pact/..%2F..%2Fetc%2Fpasswd", "/pact/valid.pdf",
                                        "/pact/" + "a" * 33, "/pact/%2e%2e/pdf")]
        upper = c.get("/pact/" + "AB" * 16, follow_redirects=False)
        api_unknown = c.get("/api/pact/" + "ab" * 16)
    assert unknown.status_code == 404 and "Pakta tidak ada di arsip" in unknown.text
    assert all(r.status_code in (400, 404) for r in bad), [r.status_code for r in bad]
    assert all("root:" not in r.text and "%PDF" not in r.text for r in bad)
    assert upper.status_code == 308 and upper.headers["location"] == "/pact/" + "ab" * 16
    assert api_unknown.status_code == 404 and api_unknown.json()["error"]["key"] == "not_archived"


def test_without_an_archive_a_pact_address_says_so(pacts: Pacts) -> None:
    with client(pacts) as c:
        page = c.get("/pact/" + "ab" * 16)
        health = c.get("/healthz").json()
    assert page.status_code == 404 and "tidak menyimpan arsip" in page.text
    assert health["status"] == "ok" and health["archive"] is None


def test_archived_pages_mask_every_nik(pacts: Pacts, archive_dir: Path, tmp_path: Path) -> None:
    ident = pact_id(pacts.nik, pacts.policy())
    with client(pacts, archive=archive_dir, cache_dir=tmp_path / "cache") as c:
        wait_ready(c)
        page = c.get(f"/pact/{ident}").text
        as_json = c.get(f"/api/pact/{ident}").text
    assert "Komang Ayu Lestari" in page and "5171********0003" in page
    assert NIK not in page and NIK not in as_json


def test_the_page_cache_stays_within_its_bound(pacts: Pacts, tmp_path: Path) -> None:
    import asyncio

    pages = PageImages(tmp_path / "pages", max_bytes=1)

    async def draw_three() -> list[bytes]:
        return [await pages.image(pacts.valid, pages.key(name, 1, 1, 1), 1) for name in ("a", "b", "c")]

    drawn = asyncio.run(draw_three())
    assert all(png.startswith(b"\x89PNG") for png in drawn)
    assert [p.name for p in (tmp_path / "pages").iterdir()] == [pages.key("c", 1, 1, 1).name]


def test_links_honour_the_root_path(pacts: Pacts) -> None:
    with client(pacts, root_path="/verifikasi") as c:
        page = c.get("/verifikasi/").text
        script = c.get("/verifikasi/static/app.js")
    assert 'href="/verifikasi/static/app.css' in page and 'action="/verifikasi/"' in page
    assert script.status_code == 200
