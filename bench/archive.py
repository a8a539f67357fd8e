"""Long-term archiving: `pakta archive --tsa` (PAdES B-LTA) against pyHanko's stock document timestamp,
same files, same TSA, same run; and what an archive timestamp costs `pakta verify`.

    python bench/archive.py [--count N]

N two-party pacts (a staff member and the same superior, certificates from one institution CA)
are rendered and signed once. OpenSSL's own TSA (`openssl ts -reply` behind pakta's local HTTP
handler, as in bench/sign.py) answers both:

- stock pyHanko: `PdfTimeStamper.timestamp_pdf` in a plain loop, one document timestamp per pact
  (it stores no certificates or CRLs: less work than an archive);
- pakta: `archive_file` per pact, as `pakta archive --crl CA.crl --tsa URL --out-dir` runs it: the
  integrity checks verify runs, a store with every certificate and the CA's CRL, and the archive
  timestamp; then the same without `--tsa` (B-LT), to show what the timestamp itself costs.

Then `verify_paths` (what `pakta verify` runs, one process, re-rendering as by default) over the
signed pacts and over their B-LTA copies. Only the superior signs (one signature is all an archive
needs), so every pact, archived or not, must be INCOMPLETE with its signature valid; pyHanko must
validate the first archived copy's document timestamp.

Prints pacts per second and the ratios.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test helpers make keys and pacts

from tests.conftest import MADE, make_ca, make_identity, rendered_pact
from tests.tsa import TimestampServer, make_tsa

from pakta_cli.archive import archive_file, load_crls
from pakta_cli.ca import CertificateAuthority
from pakta_cli.localtsa import available
from pakta_cli.sign import SignJob, SignOptions, load_credentials, sign_files
from pakta_cli.timestamps import Authority
from pakta_cli.verify import Policy, verify_paths


def make_signed(root: Path, count: int) -> tuple[list[Path], CertificateAuthority]:
    ca = make_ca(root / "ca")
    superior = make_identity(root / "keys", MADE["name"], MADE["nip"], ca, position=MADE["position"], passphrase=None)
    staff = [{"role": "signer", "name": f"Staf Sekretariat {i:04d}", "nip": f"19900101201501{1 + i % 2}{i % 1000:03d}",
              "position": "Pengadministrasi Umum"} for i in range(count)]
    pdfs = [rendered_pact(root / "in", [person, MADE], name=f"{i:04d}.pdf", signing_order="any")
            for i, person in enumerate(staff)]
    (root / "signed").mkdir()
    signed = [root / "signed" / pdf.name for pdf in pdfs]
    outcomes = sign_files([SignJob(pdf, out) for pdf, out in zip(pdfs, signed, strict=True)],
                          load_credentials(superior[0], None, superior[1]), SignOptions(party="pakta-superior-1"),
                          workers=1)
    if not all(o.ok for o in outcomes):
        sys.exit("signing the corpus failed")
    return signed, ca


def stock_pyhanko(files: list[Path], out: Path, url: str) -> float:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
    from pyhanko.sign.timestamps import HTTPTimeStamper

    stamper = PdfTimeStamper(HTTPTimeStamper(url))
    started = time.perf_counter()
    for path in files:
        result = io.BytesIO()
        stamper.timestamp_pdf(IncrementalPdfFileWriter(io.BytesIO(path.read_bytes())), "sha512", output=result)
        (out / path.name).write_bytes(result.getvalue())
    return time.perf_counter() - started


def pakta(files: list[Path], out: Path, crl: Path, url: str | None) -> float:
    started = time.perf_counter()
    crls = load_crls([crl])
    authority = Authority(url) if url else None
    for path in files:
        archive_file(path, out / path.name, crls, [], authority=authority)
    return time.perf_counter() - started


def verified(files: list[Path], policy: Policy) -> float:
    started = time.perf_counter()
    verdicts = [verdict for _, verdict, _ in verify_paths(files, policy, jobs=1)]
    elapsed = time.perf_counter() - started
    bad = [v.path for v in verdicts if v.status.value != "INCOMPLETE"]  # the staff member is still to sign
    if bad or len(verdicts) != len(files):
        sys.exit(f"not INCOMPLETE with a valid signature: {bad[:3]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="pacts to archive (default 100)")
    args = parser.parse_args()
    if not available():
        sys.exit("needs openssl on the PATH for the local timestamp authority")
    with tempfile.TemporaryDirectory(prefix="pakta-bench-archive-") as temp:
        root = Path(temp)
        print(f"rendering and signing {args.count} pacts ...", flush=True)
        signed, ca = make_signed(root, args.count)
        runs = {name: root / name for name in ("stock", "lta", "lt")}
        for folder in runs.values():
            folder.mkdir()
        with TimestampServer(make_tsa(root / "tsa")) as tsa:
            stock = stock_pyhanko(signed, runs["stock"], tsa.url)
            lta = pakta(signed, runs["lta"], ca.paths.crl, tsa.url)
            lt = pakta(signed, runs["lt"], ca.paths.crl, None)
        tsa_root = root / "tsa" / "tsa-root.crt"
        _pyhanko_accepts(runs["lta"] / signed[0].name, tsa_root)
        from cryptography import x509

        policy = Policy((ca.cert,), reproduce=True,
                        tsa_trust=(x509.load_pem_x509_certificate(tsa_root.read_bytes()),))
        plain = verified(signed, policy)
        archived = verified(sorted(runs["lta"].iterdir()), policy)
    rate = {name: args.count / seconds for name, seconds in
            (("stock", stock), ("lta", lta), ("lt", lt), ("plain", plain), ("archived", archived))}
    print(f"archive timestamp, stock pyHanko PdfTimeStamper:  {rate['stock']:6.1f} pacts/s")
    print(f"pakta archive --crl --tsa (B-LTA), 1 process:     {rate['lta']:6.1f} pacts/s  "
          f"({rate['lta'] / rate['stock']:.2f}x stock)")
    print(f"pakta archive --crl (B-LT, no timestamp):         {rate['lt']:6.1f} pacts/s  "
          f"(the timestamp costs {100 * (1 - rate['lta'] / rate['lt']):.0f}%)")
    print(f"pakta verify, signed pacts:                       {rate['plain']:6.1f} pacts/s")
    print(f"pakta verify, the same pacts archived (B-LTA):    {rate['archived']:6.1f} pacts/s  "
          f"({rate['archived'] / rate['plain']:.2f}x)")


def _pyhanko_accepts(path: Path, tsa_root: Path) -> None:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    with path.open("rb") as handle:
        (stamp,) = PdfFileReader(handle).embedded_timestamp_signatures
        status = validate_pdf_timestamp(stamp, ValidationContext(trust_roots=[load_cert_from_pemder(str(tsa_root))]))
    if not (status.intact and status.valid and status.trusted):
        sys.exit(f"{path}: pyHanko does not accept the archive timestamp")


if __name__ == "__main__":
    main()
