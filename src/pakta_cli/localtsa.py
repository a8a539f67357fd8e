"""A timestamp authority on this computer: OpenSSL's own (`openssl ts -reply`) behind a small HTTP
handler on 127.0.0.1. For `pakta demo`, the tests and the signing bench, never for real pacts: a
timestamp is worth what the authority's clock and key custody are worth, and this one's are the
demo's. An office that wants its own TSA runs a real one (see the README, "Choosing a TSA").

The handler hands each request to a fresh `openssl ts -reply` process and sends back its answer;
`answer` is the one place a test changes to make the authority misbehave.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

MAX_QUERY = 8192  # a request is an imprint and a nonce: a few hundred bytes


def available() -> bool:
    """Whether `openssl` is on the PATH."""
    return shutil.which("openssl") is not None


@dataclass(frozen=True)
class TsaFiles:
    folder: Path
    cert: Path  # the TSA's certificate (PEM)
    key: Path
    chain: Path  # the certificates above it, embedded in each token
    config: Path  # the `openssl ts` configuration


def tsa_certificate(name: str, issuer: x509.Certificate, issuer_key: Ed25519PrivateKey | rsa.RSAPrivateKey,
                    key: rsa.RSAPrivateKey, *, days: int = 1825, time_stamping: bool = True) -> x509.Certificate:
    """A certificate for a timestamp authority: not a CA, signing only, and (RFC 3161 2.3) an extended
    key usage that is timeStamping alone and critical; `time_stamping=False` leaves that out."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                                 x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(issuer.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now)
        .not_valid_after(min(now + dt.timedelta(days=days), issuer.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
    )
    if time_stamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    algorithm = None if isinstance(issuer_key, Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(issuer_key, algorithm)


def write_tsa(folder: Path, cert: x509.Certificate, key: rsa.RSAPrivateKey, chain: list[x509.Certificate]) -> TsaFiles:
    """The files `openssl ts -reply` signs with, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    files = TsaFiles(folder, folder / "tsa.crt", folder / "tsa.key", folder / "tsa-chain.pem", folder / "tsa.cnf")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    files.key.chmod(0o600)
    files.chain.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain))
    (folder / "tsa-serial").write_text("01\n")
    files.config.write_text(f"""\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {folder}
serial = $dir/tsa-serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/tsa-chain.pem
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


class LocalTsa:
    """OpenSSL's TSA on 127.0.0.1 while the `with` block lasts; `url` to ask it, `requests` answered."""

    def __init__(self, files: TsaFiles) -> None:
        self.files = files
        self.requests = 0
        self._lock = threading.Lock()
        self._openssl = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                if not 0 < length <= MAX_QUERY:
                    self.send_error(413 if length else 400)
                    return
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
                    pass  # the client gave up waiting: nothing to tell it

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/tsa"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LocalTsa:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, query: bytes) -> tuple[int, bytes]:
        """(HTTP status, body) for one request."""
        try:
            return 200, self.reply(query)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            return 400, b"bad request"

    def reply(self, query: bytes) -> bytes:
        """OpenSSL's RFC 3161 response to `query`: one `openssl ts` at a time, as each reads and
        writes the serial-number file."""
        with self._openssl, tempfile.TemporaryDirectory() as scratch:
            request, response = Path(scratch) / "q.tsq", Path(scratch) / "r.tsr"
            request.write_bytes(query)
            subprocess.run(["openssl", "ts", "-reply", "-config", str(self.files.config), "-queryfile", str(request),
                            "-out", str(response)], check=True, capture_output=True, timeout=30)
            return response.read_bytes()
