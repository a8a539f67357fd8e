"""Pacts for the verification page's tests, made once per session: valid, half signed, tampered,
with hostile names, with a NIK; and the page's app driven in-process (Starlette's TestClient).

    pacts.valid / .incomplete / .tampered / .script / .nik    signed PDFs (paths)
    pacts.trust                                              the folder of the signers' certificates
    pacts.verify_url                                         what the pacts' stamps encode
    client(pacts, ...)                                       a TestClient of pakta serve, started
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from pakta_cli.serve import ServeConfig, create_app
from pakta_cli.trust import load_trust
from pakta_cli.verify import Policy
from tests.conftest import AYU, MADE, make_identity, rendered_pact, signed_pact

VERIFY_URL = "https://verifikasi.kpu-bali.example.go.id"
SCRIPT_NAME = 'Ni Luh <script>alert("x")</script> & Co'
NIK = "5171044509860003"


@dataclass(frozen=True)
class Pacts:
    folder: Path
    trust: Path
    valid: Path
    incomplete: Path
    tampered: Path
    script: Path
    nik: Path
    verify_url: str = VERIFY_URL

    def policy(self) -> Policy:
        return Policy(tuple(load_trust([self.trust])))


def tamper(data: bytes) -> bytes:
    """One byte of the first page's content changed after signing."""
    at = data.index(b"stream", data.index(b"/Contents", data.index(b"/Type /Page"))) + 40
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def make_pacts(folder: Path, verify_url: str = VERIFY_URL) -> Pacts:
    keys = folder / "keys"
    ayu = make_identity(keys, AYU["name"], AYU["nip"], position=AYU["position"])
    made = make_identity(keys, MADE["name"], MADE["nip"], position=MADE["position"])
    pdf = rendered_pact(folder / "rendered", verify_url=verify_url)
    valid = signed_pact(folder / "rendered", pdf, [ayu, made], name="valid.pdf")
    incomplete = signed_pact(folder / "rendered", pdf, [ayu], name="incomplete.pdf")
    tampered = folder / "rendered" / "tampered.pdf"
    tampered.write_bytes(tamper(valid.read_bytes()))
    hostile = {"role": "signer", "name": SCRIPT_NAME, "nip": "199001012015011001", "position": "<b>Ketua</b>"}
    script_key = make_identity(keys, SCRIPT_NAME, hostile["nip"], stem="script")
    script_pdf = rendered_pact(folder / "script", [hostile], verify_url=verify_url, name="script.pdf")
    script = signed_pact(folder / "script", script_pdf, [script_key], name="script-signed.pdf")
    member = {"role": "signer", "name": "Komang Ayu Lestari", "nik": NIK, "position": "Anggota PPS"}
    nik_key = make_identity(keys, member["name"], stem="komang")
    nik_pdf = rendered_pact(folder / "nik", [member], verify_url=verify_url, name="nik.pdf")
    nik = signed_pact(folder / "nik", nik_pdf, [nik_key], name="nik-signed.pdf", party=member["name"])
    return Pacts(folder, keys, valid, incomplete, tampered, script, nik, verify_url)


@pytest.fixture(scope="session")
def pacts(tmp_path_factory: pytest.TempPathFactory) -> Pacts:
    return make_pacts(tmp_path_factory.mktemp("serve-pacts"))


@contextlib.contextmanager
def client(pacts: Pacts, **options: Any) -> Iterator[TestClient]:
    """pakta serve in-process with one worker (lifespan run: the pool started and stopped around the test)."""
    settings: dict[str, Any] = {"policy": pacts.policy(), "trusted": ("KPU Provinsi Bali",), "workers": 1,
                                "timeout": 60.0, "rescan": 0, **options}
    root_path = settings.pop("root_path", "")
    raise_errors = settings.pop("raise_server_exceptions", True)
    with TestClient(create_app(ServeConfig(**settings)), root_path=root_path,
                    raise_server_exceptions=raise_errors) as test_client:
        yield test_client
