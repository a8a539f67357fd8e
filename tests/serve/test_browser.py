"""The verification page in a real browser: Debian's headless Chromium, driven by selenium, against
`pakta serve` run as a person runs it (its own process, on 127.0.0.1, with an archive).

It uploads a VALID pact, a tampered one and a file that is not a PDF and reads each verdict off
the page; then it does what a journalist with a printed pact does: reads the QR code off the signed
page (pdftoppm draws it, zbarimg decodes it) and opens the address, where the archived original's
verdict and pages must show. Each page is saved as a PNG in pytest's tmp dir and checked not blank.

Needs chromium, chromium-driver, zbar-tools and poppler-utils (.ci/run installs them). Without
them the test is skipped on a developer's machine and fails in CI, where it must run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from pakta_cli.verify import verify_bytes
from tests.serve.conftest import Pacts, make_pacts

TOOLS = ("chromium", "chromedriver", "zbarimg", "pdftoppm")
missing = [tool for tool in TOOLS if shutil.which(tool) is None]
if missing:
    if os.environ.get("CI"):
        pytest.fail(f"the browser test needs {', '.join(missing)} (apt-get install chromium chromium-driver "
                    "zbar-tools poppler-utils)", pytrace=False)
    pytest.skip(f"{', '.join(missing)} not installed", allow_module_level=True)

from selenium import webdriver  # noqa: E402  (only once the browser is known to be there)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WAIT = 60  # seconds a page may take to show a verdict on a loaded two-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Pacts]]:
    """`pakta serve` with an archive of pacts whose stamps point at it."""
    folder = tmp_path_factory.mktemp("browser")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    pacts = make_pacts(folder / "pacts", verify_url=base)
    archive = folder / "arsip"
    archive.mkdir()
    shutil.copy(pacts.valid, archive / "valid.pdf")
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "pakta_cli", "serve", "--trust", str(pacts.trust), "--archive", str(archive),
         "--cache-dir", str(folder / "cache"), "--port", str(port), "--workers", "2", "--rescan", "0"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as answer:
                    if json.load(answer)["archive"]["state"] == "ready":
                        break
            except OSError:
                pass
            assert server.poll() is None, (folder / "serve.log").read_text()
            time.sleep(0.1)
        else:
            raise AssertionError("pakta serve did not get ready: " + (folder / "serve.log").read_text())
        yield base, pacts
    finally:
        server.terminate()
        server.wait(30)
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}", "--window-size=412,915"):
        options.add_argument(flag)  # a phone's width: the page is read on phones
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def upload(driver: webdriver.Chrome, base: str, path: Path) -> tuple[str, str]:
    """Choose `path` on the upload page (the page sends it by itself); (data-status, verdict text)."""
    driver.get(base + "/")
    driver.find_element(By.ID, "file").send_keys(str(path))
    verdict = WebDriverWait(driver, WAIT).until(lambda d: d.find_elements(By.ID, "verdict"))[0]
    return str(verdict.get_attribute("data-status")), verdict.text


def screenshot(driver: webdriver.Chrome, folder: Path, name: str) -> Path:
    """The whole page as a PNG, checked to hold a picture (not one flat colour)."""
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(412, min(max(height, 600), 6000))
    path = folder / f"{name}.png"
    assert driver.save_screenshot(str(path))
    with Image.open(path) as image:
        grey = image.convert("L")
        low, high = grey.getextrema()
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert high - low > 100, f"{path} is blank"
    assert colours is None or len(colours) > 20, f"{path} is nearly blank"
    driver.set_window_size(412, 915)
    return path


def reasons(driver: webdriver.Chrome) -> list[str]:
    return [item.get_attribute("data-key") or "" for item in driver.find_elements(By.CSS_SELECTOR, "#reasons li")]


def test_uploads_show_their_verdicts(site: tuple[str, Pacts], browser: webdriver.Chrome, tmp_path: Path) -> None:
    base, pacts = site
    status, text = upload(browser, base, pacts.valid)
    assert status == "VALID" and "SAH" in text
    assert "Ni Luh Ayu Sukmawati" in browser.find_element(By.TAG_NAME, "main").text
    screenshot(browser, tmp_path, "valid")

    status, text = upload(browser, base, pacts.tampered)
    assert status == "FAIL" and "GAGAL" in text
    expected = [message.key for _, message in verify_bytes(pacts.tampered.read_bytes(), pacts.policy()).failures]
    assert reasons(browser) == expected
    screenshot(browser, tmp_path, "tampered")

    not_pdf = tmp_path / "surat.txt"
    not_pdf.write_text("Ini bukan PDF.")
    status, text = upload(browser, base, not_pdf)
    assert status == "FAIL" and "GAGAL" in text
    assert reasons(browser) == ["not_pdf"]
    assert "bukan berkas PDF" in browser.find_element(By.ID, "reasons").text
    screenshot(browser, tmp_path, "not-pdf")


def qr_urls(pdf: Path, folder: Path) -> list[str]:
    """What a phone reads off the signed page: pdftoppm draws page 1, zbarimg decodes its QR codes."""
    subprocess.run(["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf),
                    str(folder / "page")], check=True)
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(folder / "page.png")], capture_output=True,
                           text=True, check=False)
    return sorted(set(found.stdout.split()))


def test_the_qr_code_on_a_signed_page_opens_the_archived_pact(site: tuple[str, Pacts], browser: webdriver.Chrome,
                                                              tmp_path: Path) -> None:
    base, pacts = site
    pact_id = verify_bytes(pacts.valid.read_bytes(), pacts.policy()).pact_id
    scanned = qr_urls(pacts.valid, tmp_path)
    assert scanned, "no QR code read off the signed page"
    # every stamp's QR code opens the pact's own page: verify_url + "/pact/<id>", the same from each signer
    assert scanned == [f"{base}/pact/{pact_id}"]
    url = scanned[0]

    browser.get(url)
    verdict = WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.ID, "verdict"))[0]
    assert verdict.get_attribute("data-status") == "VALID" and "SAH" in verdict.text
    assert browser.find_element(By.ID, "pact-id").text == pact_id
    WebDriverWait(browser, WAIT).until(lambda d: d.execute_script(
        "var i = document.querySelector('.pages img'); return i && i.complete && i.naturalWidth > 0;"))
    assert browser.find_element(By.ID, "download").get_attribute("href") == f"{url}/pdf"
    screenshot(browser, tmp_path, "archived")
