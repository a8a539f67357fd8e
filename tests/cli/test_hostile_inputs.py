"""Every command given what a hurried clerk, official or auditor gives it.

Each case asserts what the project promises for bad input: exit code 2 (never 3, never a
traceback), one `error:` line naming the file, and nothing left behind: no output, no temporary
file, no folder the run created. Paths have spaces and non-ASCII letters, as real folders do.
"""

from __future__ import annotations

import codecs
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import (
    AYU,
    PASSPHRASE,
    listing,
    make_ca,
    make_identity,
    one_error,
    pact_definition,
    rendered_pact,
    run_cli,
    sha256,
)

run = run_cli
UNWRITABLE = Path("/proc")  # a folder nobody, not even root, can create files in
needs_proc = pytest.mark.skipif(not (UNWRITABLE / "self").exists(), reason="needs Linux /proc")


@pytest.fixture
def place(tmp_path: Path) -> Path:
    folder = tmp_path / "Bali – Denpasar"
    folder.mkdir()
    return folder


@pytest.fixture
def definition(place: Path) -> Path:
    path = place / "pakta ü.yaml"
    path.write_text(pact_definition(), encoding="utf-8")
    return path


@pytest.fixture
def roster_definition(place: Path) -> Path:
    path = place / "adhoc.yaml"
    path.write_text(pact_definition([{"role": "superior", "name": "I Made Wiratama"}]), encoding="utf-8")
    return path


def no_internal_error(code: int, err: str) -> None:
    assert code != 3 and "internal error" not in err and "Traceback" not in err, err


# --- render: outputs that cannot be written --------------------------------------------------------


@needs_proc
def test_render_into_an_unwritable_folder_is_one_line(definition: Path) -> None:
    code, _, err = run("render", definition, "-o", UNWRITABLE / "pakta.pdf")
    no_internal_error(code, err)
    one_error(code, err, f"{UNWRITABLE / 'pakta.pdf'}: cannot write here")


def test_render_under_a_file_says_it_is_a_file(definition: Path, place: Path) -> None:
    (place / "catatan").write_text("not a folder")
    before = listing(place)
    code, _, err = run("render", definition, "-o", place / "catatan" / "pakta.pdf")
    one_error(code, err, f"{place / 'catatan'}: is a file, not a folder")
    assert listing(place) == before


def test_render_onto_a_folder_does_not_suggest_force(definition: Path, place: Path) -> None:
    (place / "out.pdf").mkdir()
    code, _, err = run("render", definition, "-o", place / "out.pdf")
    one_error(code, err, "is a folder, expected a file name")
    assert "--force" not in err


def test_render_gives_a_readable_file(definition: Path, place: Path) -> None:
    """A pact is a document to share: the usual 0666-less-umask mode, not mkstemp's 0600."""
    old = os.umask(0o022)
    try:
        code, _, err = run("render", definition, "-o", place / "pakta.pdf")
    finally:
        os.umask(old)
    assert code == 0, err
    assert (place / "pakta.pdf").stat().st_mode & 0o777 == 0o644


def test_roster_render_under_a_file_is_one_line(roster_definition: Path, place: Path) -> None:
    (place / "people.csv").write_text("name,nik\nI Made Suarjana,5171041203850001\n")
    (place / "catatan").write_text("not a folder")
    before = listing(place)
    code, _, err = run("render", roster_definition, "--roster", place / "people.csv",
                       "-o", place / "catatan" / "pps")
    no_internal_error(code, err)
    one_error(code, err, f"{place / 'catatan' / 'pps'}: cannot create this folder")
    assert listing(place) == before


@needs_proc
def test_roster_render_into_an_unwritable_folder_is_one_line(roster_definition: Path, place: Path) -> None:
    (place / "people.csv").write_text("name,nik\nI Made Suarjana,5171041203850001\n")
    code, _, err = run("render", roster_definition, "--roster", place / "people.csv", "-o", UNWRITABLE)
    no_internal_error(code, err)
    one_error(code, err, f"{UNWRITABLE}: cannot write here")


def test_huge_jobs_does_not_start_a_process_per_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--jobs 100000` once started a hundred thousand processes (the pool starts them all)."""
    import concurrent.futures

    from pakta_cli import parallel

    asked: list[int] = []

    class Recording(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, max_workers: int) -> None:
            asked.append(max_workers)
            super().__init__(max_workers=max_workers)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Recording)  # the pool imports it when it runs
    results = dict(parallel.run_parallel(abs, [-1, -2, -3], jobs=100_000))
    assert results == {0: 1, 1: 2, 2: 3}
    assert asked and asked[0] <= parallel.MAX_JOBS_PER_CORE * parallel.default_jobs()
    assert asked[0] <= 2  # three items make one chunk: two processes at most


def test_ctrl_c_during_a_roster_render_leaves_nothing(roster_definition: Path, place: Path) -> None:
    """SIGINT while pacts render: exit 130, one line, and neither the staging folder nor the
    output folder this run created is left behind."""
    rows = [f"Orang Nomor {i},732212{i % 28 + 1:02d}0590{i:04d}" for i in range(4000)]
    (place / "people.csv").write_text("name,nik\n" + "\n".join(rows) + "\n")
    out = place / "pps – keluar"
    process = subprocess.Popen(
        [sys.executable, "-m", "pakta_cli", "render", str(roster_definition), "--roster", str(place / "people.csv"),
         "-o", str(out), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.is_dir() and any(out.glob(".pakta-render-*"))):
        time.sleep(0.02)
    assert process.poll() is None, "the render ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err.decode()
    assert not out.exists(), listing(out)


# --- rosters as spreadsheets save them --------------------------------------------------------------


def test_roster_with_an_unclosed_quote_is_an_error_at_its_row(roster_definition: Path, place: Path) -> None:
    """Without strict CSV the quote swallowed the rest of the file into one person's name."""
    roster = place / "people.csv"
    roster.write_text('name,nik\nI Made Suarjana,5171041203850001\n"Ni Kadek Ayu,5171045705900002\n'
                      "Sitorus Pane,1271021111790004\n")
    code, _, err = run("check", roster_definition, "--roster", roster)
    one_error(code, err, f"{roster}:3: a quoted cell starts here and its closing \" is missing")


def test_roster_saved_as_excel_unicode_text_is_read(roster_definition: Path, place: Path) -> None:
    roster = place / "people.txt"
    text = "name\tnik\tposition\r\nI Made Suarjana\t5171041203850001\tKetua PPS\r\n"
    roster.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    code, out, err = run("check", roster_definition, "--roster", roster)
    assert code == 0, err
    assert "lists 1 person" in out


def test_roster_in_windows_1252_is_read_with_a_note(roster_definition: Path, place: Path) -> None:
    """Excel's plain "CSV" on Indonesian Windows is Windows-1252: read, and said so in one line."""
    roster = place / "people.csv"
    roster.write_bytes("name;nik\nJosé Marí;5171041203850001\n".encode("cp1252"))
    code, out, err = run("check", roster_definition, "--roster", roster)
    assert code == 0, err
    assert err.splitlines() == [f"note: {roster} is not UTF-8; read it as Windows-1252, what Excel saves as plain "
                                "\"CSV\" (save as \"CSV UTF-8\" to be sure of every letter)"]
    assert "lists 1 person" in out


def test_roster_in_neither_utf8_nor_windows_1252_points_at_the_byte(roster_definition: Path, place: Path) -> None:
    roster = place / "people.csv"
    roster.write_bytes("name;nik\nJosé Marí;5171041203850001\n".encode("cp1252").replace(b"\xed", b"\x81"))
    code, _, err = run("check", roster_definition, "--roster", roster)
    one_error(code, err, f"{roster}:2:4: not UTF-8 text (byte 0xe9")
    assert "hint: save the file as UTF-8" in err


# --- keys and the CA ------------------------------------------------------------------------------


def test_keys_generate_into_a_folder_asks_for_a_name(place: Path) -> None:
    (place / "kunci").mkdir()
    before = listing(place)
    code, _, err = run("keys", "generate", "-o", place / "kunci", "--name", "Ayu", "--no-passphrase")
    one_error(code, err, f"{place / 'kunci'}: is a folder; -o takes a PREFIX")
    assert f"hint: -o {place / 'kunci' / 'NAME'}" in err
    assert listing(place) == before


def test_ca_init_into_a_folder_asks_for_a_name(place: Path) -> None:
    before = listing(place)
    code, _, err = run("ca", "init", "-o", place, "--institution", "KPU", "--no-passphrase")
    one_error(code, err, f"{place}: is a folder; -o takes a PREFIX")
    assert listing(place) == before


@pytest.mark.parametrize("command", [
    ["keys", "generate", "--name", "Ayu"],
    ["ca", "init", "--institution", "KPU"],
])
def test_days_past_the_year_9999_is_a_usage_error(place: Path, command: list[str]) -> None:
    code, _, err = run(*command, "-o", place / "x", "--no-passphrase", "--days", "99999999")
    no_internal_error(code, err)
    assert code == 2 and "--days" in err
    assert listing(place) == []


@needs_proc
def test_keys_generate_into_an_unwritable_folder_writes_nothing(place: Path) -> None:
    code, _, err = run("keys", "generate", "-o", UNWRITABLE / "ayu", "--name", "Ayu", "--no-passphrase")
    no_internal_error(code, err)
    one_error(code, err, "cannot write here")


def test_passphrase_file_that_is_a_folder_reads_well(place: Path) -> None:
    code, _, err = run("keys", "generate", "-o", place / "ayu", "--name", "Ayu", "--passphrase-file", place)
    one_error(code, err, f"{place}: is a folder, not a passphrase file")
    assert "file file" not in err


def test_keys_show_a_damaged_request(place: Path) -> None:
    request = place / "ayu.csr"
    request.write_text("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")
    code, _, err = run("keys", "show", request)
    no_internal_error(code, err)
    one_error(code, err, f"{request}: damaged certificate signing request")


def test_a_cut_key_file_is_not_called_a_wrong_passphrase(place: Path) -> None:
    key, _ = make_identity(place, "Ayu", stem="ayu")
    cut = place / "cut.key"
    cut.write_bytes(key.read_bytes()[:100])
    code, _, err = run("keys", "show", cut, "--passphrase-file", _passphrase_file(place))
    one_error(code, err, f"{cut}: damaged key file")


def test_a_public_key_is_not_a_signing_key(place: Path, keys_env: dict[str, str]) -> None:
    from cryptography.hazmat.primitives import serialization

    from pakta_cli.keys import load_private_key

    key, _ = make_identity(place, AYU["name"], AYU["nip"], stem="ayu")
    public = place / "ayu-public.pem"
    public.write_bytes(load_private_key(key, PASSPHRASE).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    pdf = rendered_pact(place)
    code, _, err = run("sign", pdf, "--key", public, "--cert", place / "ayu.crt", "-o", place / "out.pdf")
    one_error(code, err, f"{public}: is a public key, not a private key")
    assert not (place / "out.pdf").exists()


def test_ca_crl_that_is_a_folder(place: Path) -> None:
    make_ca(place, prefix="kpu", passphrase=None)
    (place / "kpu.crl").unlink()
    (place / "kpu.crl").mkdir()
    code, _, err = run("ca", "crl", "--ca", place / "kpu")
    no_internal_error(code, err)
    one_error(code, err, f"{place / 'kpu.crl'}: is a folder, not a CRL")


# --- sign ---------------------------------------------------------------------------------------------


def test_sign_out_dir_under_a_file(place: Path, keys_env: dict[str, str]) -> None:
    key, _ = make_identity(place / "keys", AYU["name"], AYU["nip"], stem="ayu")
    pdf = rendered_pact(place / "pacts")
    (place / "catatan").write_text("not a folder")
    before = sha256(pdf)
    code, _, err = run("sign", pdf, "--key", key, "--out-dir", place / "catatan" / "signed")
    no_internal_error(code, err)
    one_error(code, err, f"{place / 'catatan' / 'signed'}: cannot create this folder")
    assert sha256(pdf) == before


@needs_proc
def test_sign_into_an_unwritable_folder(place: Path, keys_env: dict[str, str]) -> None:
    key, _ = make_identity(place / "keys", AYU["name"], AYU["nip"], stem="ayu")
    pdf = rendered_pact(place / "pacts")
    code, _, err = run("sign", pdf, "--key", key, "-o", UNWRITABLE / "signed.pdf")
    no_internal_error(code, err)
    one_error(code, err, "cannot write here")
    code, _, err = run("sign", pdf, "--key", key, "--out-dir", UNWRITABLE / "signed")
    no_internal_error(code, err)
    one_error(code, err, "cannot create this folder")


def test_sign_with_a_missing_key_names_the_key(place: Path, keys_env: dict[str, str]) -> None:
    pdf = rendered_pact(place)
    code, _, err = run("sign", pdf, "--key", place / "nobody.key", "-o", place / "out.pdf")
    one_error(code, err, f"{place / 'nobody.key'}: key not found")


def test_sign_batch_where_every_file_fails_says_so(place: Path, keys_env: dict[str, str]) -> None:
    key, _ = make_identity(place / "keys", AYU["name"], AYU["nip"], stem="ayu")
    (place / "kosong.pdf").write_bytes(b"")
    (place / "teks.pdf").write_text("bukan PDF")
    code, _, err = run("sign", place / "kosong.pdf", place / "teks.pdf", "--key", key, "--out-dir", place / "out")
    assert code == 2, err
    assert "error: none of the 2 pacts was signed" in err and "the others were" not in err
    assert not (place / "out").exists()


# --- verify's inputs (the parts outside verify.py) --------------------------------------------------


def test_verify_trust_an_empty_file_or_a_crl(place: Path) -> None:
    ca = make_ca(place, prefix="kpu", passphrase=None)
    pdf = rendered_pact(place)
    (place / "kosong.crt").write_bytes(b"")
    code, _, err = run("verify", pdf, "--trust", place / "kosong.crt")
    one_error(code, err, f"{place / 'kosong.crt'}: the file is empty, not a certificate")
    code, _, err = run("verify", pdf, "--trust", ca.paths.crl)
    one_error(code, err, f"{ca.paths.crl}: is a revocation list (CRL), not a certificate")
    assert "hint: pass a CRL with --crl" in err


def test_verify_manifest_that_is_a_folder_or_hand_edited(place: Path) -> None:
    _, cert = make_identity(place, AYU["name"], AYU["nip"], stem="ayu", passphrase=None)
    pdf = rendered_pact(place)
    code, _, err = run("verify", pdf, "--trust", cert, "--manifest", place)
    one_error(code, err, f"{place}: is a folder, not a manifest")
    assert f"hint: --manifest takes the file: {place / 'manifest.json'}" in err
    broken = place / "manifest.json"
    broken.write_text('{"pakta_batch": 1,\n "pacts": [}\n')
    code, _, err = run("verify", pdf, "--trust", cert, "--manifest", broken)
    one_error(code, err, f"{broken}:2:12: not a pakta manifest.json")
    broken.write_text('{"pakta_batch": 1, "pacts": [{"file": "a.pdf"}, 5]}')
    code, _, err = run("verify", pdf, "--trust", cert, "--manifest", broken)
    one_error(code, err, f"{broken}: pacts item 2 is not a pact entry")


def _passphrase_file(folder: Path) -> Path:
    path = folder / "sandi.txt"
    path.write_bytes(PASSPHRASE + b"\r\n")
    return path
