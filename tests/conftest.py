"""Shared test material: keys, certificates, an institution CA, rendered and signed pacts.

Everything is made at test time (no private key is ever committed). The helpers are plain
functions so any test module can import them (`from tests.conftest import make_identity`); the
fixtures at the bottom wrap the common cases.

    make_ca(folder, institution=...) -> CertificateAuthority          # PREFIX.key/.crt/.crl in folder
    make_identity(folder, name, nip=None, ca=None, ...) -> (key_path, cert_path)
    rendered_pact(folder, parties=..., verify_url=None) -> pdf path
    signed_pact(folder, pdf, [(key_path, cert_path), ...]) -> pdf path   # each signs in turn

Keys are encrypted with PASSPHRASE; `keys_env` puts it in PAKTA_PASSPHRASE for CLI runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization

from pakta_cli.ca import CertificateAuthority, init_ca
from pakta_cli.certificates import BACKDATE, Identity, build_certificate
from pakta_cli.definition import parse_definition
from pakta_cli.keys import KeyPaths, encode_private_key, generate_key
from pakta_cli.render import render
from pakta_cli.sign import SignJob, SignOptions, load_credentials, sign_file
from pakta_cli.zones import parse_zone

# the suite reads pakta's English; a developer whose locale is id_ID gets the same runs (the language
# tests choose theirs explicitly)
os.environ["PAKTA_LANG"] = "en"

PASSPHRASE = b"kata sandi rahasia"
INSTITUTION = "Komisi Pemilihan Umum Provinsi Bali"

# People the pacts name; NIPs are well-formed (birth date, appointment month, gender digit).
AYU = {"role": "signer", "name": "Ni Luh Ayu Sukmawati", "nip": "198609262015051001", "position": "Sekretaris"}
MADE = {"role": "superior", "name": "I Made Wiratama", "nip": "197501012000031002", "position": "Ketua"}
WITNESS = {"role": "witness", "name": "Saksi Tanpa NIP"}
DEFAULT_PARTIES: tuple[dict[str, Any], ...] = (AYU, MADE)


def make_ca(folder: Path, institution: str = INSTITUTION, *, prefix: str = "ca",
            passphrase: bytes | None = PASSPHRASE) -> CertificateAuthority:
    """An institution CA in `folder` (PREFIX.key, PREFIX.crt, empty PREFIX.crl), loaded."""
    folder.mkdir(parents=True, exist_ok=True)
    return init_ca(folder / prefix, institution, passphrase)


def make_identity(
    folder: Path,
    name: str,
    nip: str | None = None,
    ca: CertificateAuthority | None = None,
    *,
    position: str | None = None,
    institution: str | None = INSTITUTION,
    unit: str | None = None,
    stem: str | None = None,
    passphrase: bytes | None = PASSPHRASE,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> tuple[Path, Path]:
    """An official's key and certificate in `folder`: self-signed, or issued by `ca`.

    `not_before` / `not_after` make certificates that are not valid yet or have expired.
    """
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    key = generate_key()
    identity = Identity(name, nip, position, institution, unit)
    cert = build_certificate(
        key.public_key(), identity.subject(),
        signing_key=ca.key if ca else key, issuer=ca.cert if ca else None,
        not_before=not_before or now - BACKDATE, not_after=not_after or now + dt.timedelta(days=365),
    )
    paths = KeyPaths.for_prefix(folder / (stem or _slug(name)))
    paths.key.write_bytes(encode_private_key(key, passphrase))
    paths.key.chmod(0o600)
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return paths.key, paths.cert


def _slug(name: str) -> str:
    return "-".join("".join(c for c in word.lower() if c.isalnum()) for word in name.split()) or "official"


def pact_definition(parties: Sequence[dict[str, Any]] = DEFAULT_PARTIES, *, verify_url: str | None = None,
                    signing_order: str | None = None) -> str:
    """A small Pakta Integritas definition (YAML) with these parties (signed in turn unless `signing_order`)."""
    mapping: dict[str, Any] = {
        "pakta": 1,
        "template": "pakta-integritas",
        "institution": {"name": INSTITUTION, "address": "Jl. Tjok Agung Tresna No. 4, Denpasar"},
        "place": "Denpasar",
        "date": "2024-01-02",
        "context": "penyelenggaraan Pemilu Serentak Tahun 2024",
        "commitments": ["Bersikap transparan, jujur, obyektif, dan akuntabel dalam melaksanakan tugas;"],
        "parties": [dict(p) for p in parties],
    }
    if verify_url:
        mapping["verify_url"] = verify_url
    if signing_order:
        mapping["signing_order"] = signing_order
    return yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False)


def rendered_pact(folder: Path, parties: Sequence[dict[str, Any]] = DEFAULT_PARTIES, *,
                  verify_url: str | None = None, name: str = "pakta.pdf", signing_order: str | None = None) -> Path:
    """Render a pact with these parties (dicts as in a definition: role, name, nip, key_id...)."""
    folder.mkdir(parents=True, exist_ok=True)
    pact = parse_definition(pact_definition(parties, verify_url=verify_url, signing_order=signing_order),
                            "test.yaml", folder)
    path = folder / name
    path.write_bytes(render(pact).pdf)
    return path


def signed_pact(folder: Path, pdf: Path, signers: Sequence[tuple[Path, Path]], *, name: str | None = None,
                party: str | None = None, zone: str = "WITA", chain: Sequence[Path] = (),
                passphrase: bytes | None = PASSPHRASE) -> Path:
    """`pdf` signed by each (key, cert) in turn, one incremental update each; returns the last file."""
    current = pdf
    for index, (key_path, cert_path) in enumerate(signers, start=1):
        target = folder / (name if name and index == len(signers) else f"{pdf.stem}-signed-{index}.pdf")
        credentials = load_credentials(key_path, passphrase, cert_path, chain)
        sign_file(SignJob(current, target), credentials, SignOptions(party=party, zone=parse_zone(zone)))
        current = target
    return current


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(*args: str | Path, input: str | None = None) -> tuple[int, str, str]:
    """`pakta ARGS...` through typer's CliRunner: (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from pakta_cli.cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args], input=input)
    return result.exit_code, result.stdout, result.stderr


def one_error(code: int, err: str, text: str) -> None:
    """A refusal as pakta reports one: exit 2 and exactly one `error:` line, which says `text`."""
    assert code == 2, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    assert text in errors[0], err


def verify_in_bounded_memory(path: Path, *, reproduce: bool = False) -> tuple[str, list[str]]:
    """`path`'s verdict (status, reasons), from a child process whose address space is capped at 1 GB
    (an honest verify needs about a tenth of that): exceeding it is a MemoryError, never a verdict;
    a hang is caught by the timeout, which only a hang can reach."""
    script = (
        "import json, resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from pathlib import Path\n"
        "from pakta_cli.verify import Policy, verify_file\n"
        "v = verify_file(Path(sys.argv[1]), Policy((), reproduce=sys.argv[2] == 'reproduce'))\n"
        "print(json.dumps([v.status.value, list(v.reasons)]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(path), "reproduce" if reproduce else "-"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    status, reasons = json.loads(result.stdout)
    return status, reasons


def listing(folder: Path) -> list[str]:
    """Every file below `folder` (hidden temp files included), to prove nothing was left behind."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --- the tools the tests read pacts with ---------------------------------------------------------

POPPLER = ("pdftotext", "pdftoppm", "pdfinfo", "pdfdetach")  # how viewers and users read a pact back


def pytest_configure(config: pytest.Config) -> None:
    """Without poppler-utils half the suite would fail one test at a time; stop at once and say why."""
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.exit(f"poppler-utils is missing ({', '.join(missing)} not on PATH): install it "
                    "(apt-get install poppler-utils) and run the tests again", returncode=pytest.ExitCode.USAGE_ERROR)


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def keys_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """PAKTA_PASSPHRASE set for the test's keys (CliRunner and subprocess runs inherit it)."""
    env = {"PAKTA_PASSPHRASE": PASSPHRASE.decode(), "PAKTA_TIMEZONE": "WITA"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield env


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return make_ca(tmp_path / "ca")


@pytest.fixture
def ayu(tmp_path: Path) -> tuple[Path, Path]:
    """The signer of the default pact, self-signed (matched by NIP)."""
    return make_identity(tmp_path / "keys", AYU["name"], AYU["nip"], position=AYU["position"])


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, Path]:
    """The superior of the default pact, self-signed (matched by NIP)."""
    return make_identity(tmp_path / "keys", MADE["name"], MADE["nip"], position=MADE["position"])


@pytest.fixture
def pact(tmp_path: Path) -> Path:
    """The default pact (Ayu signs, Made is the superior), unsigned."""
    return rendered_pact(tmp_path / "pacts")
