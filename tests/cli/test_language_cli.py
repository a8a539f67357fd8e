"""pakta speaks one language per run: Indonesian for a clerk, English for an observer.

The language comes from `--lang`, else PAKTA_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG:
id_ID gives Indonesian), else English. Tables show one language; `--json` keeps both for scripts;
a document's own language is its definition's, whatever the interface speaks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pakta_cli import i18n
from tests.conftest import make_identity, pact_definition, rendered_pact, run_cli, signed_pact

# words that only an English sentence holds: none may reach an Indonesian reader
ENGLISH = (" the ", " not found", "already", " signed by ", "error:", "hint:", "note:", "Usage:", "Options")


@pytest.mark.parametrize(("environment", "language"), [
    ({}, "en"),
    ({"LANG": "id_ID.UTF-8"}, "id"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LC_ALL": "id_ID.UTF-8", "LANG": "en_US.UTF-8"}, "id"),
    ({"LC_ALL": "C.UTF-8", "LANG": "id_ID.UTF-8"}, "en"),  # LC_ALL, when set, decides, as POSIX says
    ({"LC_MESSAGES": "id_ID", "LANG": "en_US"}, "id"),
    ({"PAKTA_LANG": "en", "LANG": "id_ID.UTF-8"}, "en"),
    ({"PAKTA_LANG": "id", "LC_ALL": "C"}, "id"),
    ({"PAKTA_LANG": "fr", "LANG": "id_ID.UTF-8"}, "id"),  # a language pakta does not speak is passed over
])
def test_the_language_comes_from_the_environment(environment: dict[str, str], language: str) -> None:
    assert i18n.from_environment(environment) == language


def _pakta(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PAKTA_LANG", "LANG", "LC_ALL", "LC_MESSAGES")}
    return subprocess.run([sys.executable, "-m", "pakta_cli", *map(str, args)], capture_output=True, text=True,
                          env={**clean, "NO_COLOR": "1", "COLUMNS": "80", **(env or {})}, timeout=300)


def test_lang_overrides_the_environment_for_errors_and_hints(tmp_path: Path) -> None:
    missing = tmp_path / "tidak-ada.yaml"
    indonesian = _pakta("render", missing, env={"LANG": "en_US.UTF-8", "PAKTA_LANG": "en"})
    assert indonesian.returncode == 2 and indonesian.stderr.startswith("error: ")
    said = _pakta("--lang", "id", "render", missing, env={"PAKTA_LANG": "en"})
    assert said.returncode == 2
    assert said.stderr.splitlines() == [f"galat: {missing}: definisi tidak ditemukan", "petunjuk: periksa jalur berkas"]
    assert _pakta("--lang=en", "render", missing, env={"LANG": "id_ID.UTF-8"}).stderr.startswith("error: ")


def test_help_and_usage_errors_speak_indonesian() -> None:
    page = _pakta("--lang", "id", "verify", "--help")
    assert page.returncode == 0
    assert page.stdout.startswith("Penggunaan: pakta verify [OPSI]")
    assert "Opsi" in page.stdout and "Verifikasi" in page.stdout
    group = _pakta("--lang", "id", "--help")
    assert "Perintah:" in group.stdout and "  sign " in group.stdout and "Commands" not in group.stdout
    usage = _pakta("--lang", "id", "sign")
    assert usage.returncode == 2
    assert "Galat: Argumen 'PACT.pdf...' belum diberikan." in usage.stderr
    assert "Penggunaan: pakta sign" in usage.stderr and "Usage" not in usage.stderr
    wrong = _pakta("--lang", "id", "verfy")
    assert wrong.returncode == 2 and "Galat: Perintah 'verfy' tidak ada." in wrong.stderr


def test_a_bad_lang_is_a_usage_error() -> None:
    said = _pakta("--lang", "fr", "check", "pakta.yaml")
    assert said.returncode == 2 and "'fr'" in said.stderr


@pytest.fixture
def collecting(tmp_path: Path) -> tuple[Path, Path]:
    """A pact the signer has signed and the superior has not (INCOMPLETE), and a trust root."""
    from tests.conftest import AYU, MADE

    key, cert = make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], passphrase=None)
    pact = rendered_pact(tmp_path, [{**AYU}, {**MADE}])
    return signed_pact(tmp_path, pact, [(key, cert)], passphrase=None), cert


def test_a_verdict_table_speaks_one_language(collecting: tuple[Path, Path]) -> None:
    pact, cert = collecting
    indonesian = _pakta("--lang", "id", "verify", pact, "--trust", cert)
    english = _pakta("--lang", "en", "verify", pact, "--trust", cert)
    assert indonesian.returncode == english.returncode == 1
    assert "belum ditandatangani oleh I Made Wiratama" in indonesian.stdout
    assert "not yet signed" not in indonesian.stdout and " / " not in indonesian.stdout
    assert "1 dokumen: 0 SAH, 1 BELUM LENGKAP, 0 GAGAL" in indonesian.stdout + indonesian.stderr
    assert "not yet signed by I Made Wiratama" in english.stdout and "belum" not in english.stdout
    assert "1 document: 0 VALID, 1 INCOMPLETE, 0 FAIL" in english.stdout + english.stderr
    for word in ENGLISH:
        assert word not in indonesian.stdout + indonesian.stderr, word


def test_json_carries_both_languages_whatever_the_interface(collecting: tuple[Path, Path]) -> None:
    pact, cert = collecting
    outputs = [json.loads(_pakta("--lang", lang, "verify", pact, "--trust", cert, "--json").stdout)
               for lang in ("id", "en")]
    assert outputs[0] == outputs[1]
    (reason,) = outputs[0]["documents"][0]["reasons"]
    assert reason["key"] == "not_yet_signed" and reason["id"].startswith("belum ditandatangani")
    assert reason["en"].startswith("not yet signed")


def test_the_document_keeps_its_own_language(tmp_path: Path) -> None:
    """The interface's language never reaches a pact: the same definition gives the same bytes."""
    definition = tmp_path / "pakta.yaml"
    definition.write_text(pact_definition())
    made = {}
    for lang in ("id", "en"):
        code, _, err = run_cli("--lang", lang, "render", definition, "-o", tmp_path / f"{lang}.pdf")
        assert code == 0, err
        made[lang] = (tmp_path / f"{lang}.pdf").read_bytes()
    assert made["id"] == made["en"]


def test_the_office_errors_a_clerk_meets_are_all_indonesian(tmp_path: Path) -> None:
    """A clerk who reads little English meets these on a normal day: none may fall back to English."""
    definition = tmp_path / "pakta.yaml"
    definition.write_text(pact_definition())
    (tmp_path / "rusak.yaml").write_text("pakta: 1\ntemplate: [\n")
    (tmp_path / "daftar.csv").write_text("nama,nik\nBudi,123\n")
    runs = [
        ("render", tmp_path / "rusak.yaml"),
        ("render", definition, "--roster", tmp_path / "daftar.csv", "-o", tmp_path / "out"),
        ("check", tmp_path / "tidak-ada.yaml"),
        ("sign", tmp_path / "tidak-ada.pdf", "--key", tmp_path / "k.key", "--in-place"),
        ("verify", tmp_path, "--trust", tmp_path / "tidak-ada.crt"),
        ("keys", "show", tmp_path / "tidak-ada.crt"),
    ]
    for args in runs:
        said = _pakta("--lang", "id", *args)
        assert said.returncode == 2, (args, said.stderr)
        assert said.stderr.startswith("galat: "), (args, said.stderr)
        for word in ENGLISH:
            assert word not in said.stderr, (args, word, said.stderr)
