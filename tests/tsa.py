"""A real timestamp authority for the tests: OpenSSL's own (`pakta_cli.localtsa`, `openssl ts -reply`
behind an HTTP handler on 127.0.0.1), with a TSA certificate from a test CA.

What a test may ask of it (`TimestampServer.mode`) is how a real TSA goes wrong: "ok"; "slow" (it
answers after the client gave up); "error" (HTTP 500); "reject" (an RFC 3161 rejection status);
"garbage" (not a response); "other_imprint" and "other_nonce" (OpenSSL stamps a request other than
the one sent, so its token is a real one that answers another question).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from pakta_cli.localtsa import LocalTsa, available, tsa_certificate, write_tsa

HAVE_OPENSSL = available()
# the tests that need OpenSSL's TSA: skipped without openssl, except in CI, which installs it (.ci/run)
needs_openssl = pytest.mark.skipif(not HAVE_OPENSSL and not os.environ.get("CI"), reason="openssl is not installed")


@dataclass(frozen=True)
class TsaFiles:
    folder: Path  # tsa.crt, tsa.key, tsa.cnf: what OpenSSL signs with
    root: Path  # the TSA's CA certificate (PEM): what an auditor trusts for time
    config: Path


def make_tsa(folder: Path, *, name: str = "TSA Uji", time_stamping: bool = True) -> TsaFiles:
    """A CA (RSA, as most TSAs use) and a TSA certificate it issued, with an OpenSSL ts config.

    `time_stamping=False` gives the TSA a certificate without the timeStamping usage: OpenSSL refuses
    to sign with one, so the tests that need such tokens make them with pyHanko's test TSA.
    """
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    ca_key = rsa.generate_private_key(65537, 2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{name} Root CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now)
          .not_valid_after(now + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(65537, 2048)
    cert = tsa_certificate(name, ca, ca_key, key, time_stamping=time_stamping)
    files = write_tsa(folder, cert, key, [ca])
    root = folder / "tsa-root.crt"
    root.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return TsaFiles(folder, root, files.config)


class TimestampServer(LocalTsa):
    """pakta's local TSA with a `mode` to make it misbehave (see the module docstring)."""

    def __init__(self, files: TsaFiles) -> None:
        from pakta_cli.localtsa import TsaFiles as Written

        folder = files.folder
        super().__init__(Written(folder, folder / "tsa.crt", folder / "tsa.key", folder / "tsa-chain.pem",
                                 files.config))
        self.files = files  # type: ignore[assignment]
        self.mode = "ok"
        self.delay = 0.0  # seconds the "slow" mode waits

    def answer(self, query: bytes) -> tuple[int, bytes]:
        mode = self.mode
        if mode == "slow":
            time.sleep(self.delay)
        if mode == "error":
            return 500, b"internal error"
        if mode == "garbage":
            return 200, b"\x30\x03\x02\x01"
        if mode == "other_imprint":
            query = _other_request(query, imprint=True)
        elif mode == "other_nonce":
            query = _other_request(query, imprint=False)
        elif mode == "reject":
            query = _other_request(query, imprint=False, policy="1.3.6.1.4.1.99999.77")
        return super().answer(query)


def _other_request(query: bytes, *, imprint: bool, policy: str | None = None) -> bytes:
    """The same request with another imprint, another nonce, or a policy the TSA does not serve."""
    from asn1crypto import core, tsp

    request = tsp.TimeStampReq.load(query)
    if imprint:
        request["message_imprint"]["hashed_message"] = bytes(64)
    else:
        request["nonce"] = core.Integer(request["nonce"].native + 1)
    if policy is not None:
        request["req_policy"] = policy
    return request.dump(force=True)


@contextmanager
def running_tsa(folder: Path) -> Iterator[TimestampServer]:
    with TimestampServer(make_tsa(folder)) as server:
        yield server
