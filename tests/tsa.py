"""A real timestamp authority for the tests: OpenSSL's own (`openssl ts -reply`) behind a small HTTP
handler on 127.0.0.1, with a TSA certificate from a test CA.

The handler hands each request body to `openssl ts -reply` and sends back what OpenSSL answered.
What a test may ask of it (`TimestampServer.mode`) is how a real TSA goes wrong: "ok"; "slow" (it
answers after the client gave up); "error" (HTTP 500); "reject" (an RFC 3161 rejection status);
"garbage" (not a response); "other_imprint" and "other_nonce" (OpenSSL stamps a request other than
the one sent, so its token is a real one that answers another question).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HAVE_OPENSSL = shutil.which("openssl") is not None


@dataclass(frozen=True)
class TsaFiles:
    folder: Path
    root: Path  # the TSA's CA certificate (PEM): what an auditor trusts for time
    cert: Path  # the TSA's certificate
    key: Path
    config: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Otoritas Waktu Uji"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_tsa(folder: Path, *, name: str = "TSA Uji", time_stamping: bool = True) -> TsaFiles:
    """A CA (RSA, as most TSAs use) and a TSA certificate it issued, with an OpenSSL ts config.

    `time_stamping=False` gives the TSA a certificate without the timeStamping usage: OpenSSL refuses
    to sign with one, so that TSA signs through `openssl cms` instead (see `TimestampServer`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    ca_key = rsa.generate_private_key(65537, 2048)
    ca_name = _name(f"{name} Root CA")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now)
          .not_valid_after(now + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(65537, 2048)
    builder = (x509.CertificateBuilder().subject_name(_name(name)).issuer_name(ca_name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now)
               .not_valid_after(now + dt.timedelta(days=1825))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
    if time_stamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    cert = builder.sign(ca_key, hashes.SHA256())
    files = TsaFiles(folder, folder / "tsa-root.crt", folder / "tsa.crt", folder / "tsa.key", folder / "tsa.cnf")
    files.root.write_bytes(_pem(ca))
    files.cert.write_bytes(_pem(cert))
    (folder / "chain.pem").write_bytes(_pem(ca))
    files.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    (folder / "serial").write_text("01\n")
    files.config.write_text(f"""\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/chain.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
other_policies = 1.3.6.1.4.1.99999.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")
    return files


class TimestampServer:
    """OpenSSL's TSA on 127.0.0.1; `url` to ask it, `mode` to make it misbehave, `requests` counted."""

    def __init__(self, files: TsaFiles) -> None:
        self.files = files
        self.mode = "ok"
        self.delay = 0.0  # seconds the "slow" mode waits
        self.requests = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                query = self.rfile.read(length)
                with server._lock:
                    server.requests += 1
                status, body = server.answer(query)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/timestamp-reply")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the "slow" mode): nothing to tell it

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/tsa"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> TimestampServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

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
        return 200, self.reply(query)

    def reply(self, query: bytes) -> bytes:
        with tempfile.TemporaryDirectory() as scratch:
            request = Path(scratch) / "q.tsq"
            response = Path(scratch) / "r.tsr"
            request.write_bytes(query)
            subprocess.run(["openssl", "ts", "-reply", "-config", str(self.files.config), "-queryfile", str(request),
                            "-out", str(response)], check=True, capture_output=True, timeout=30)
            return response.read_bytes()


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
def running_tsa(folder: Path, **kwargs: object) -> Iterator[TimestampServer]:
    with TimestampServer(make_tsa(folder, **kwargs)) as server:  # type: ignore[arg-type]
        yield server
