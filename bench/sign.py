"""Batch-signing throughput: `pakta sign` against pyHanko's stock `sign_pdf`, same files, same run.

    python bench/sign.py [--count N] [--jobs J] [--no-qr] [--no-tsa]

N pacts are rendered once (each a different staff member who signs, plus the same superior, with
`signing_order: any` so that the superior may sign first), then the superior signs all of them:

- stock pyHanko: `PdfSigner.sign_pdf` in a plain loop in one process, with the signer loaded once
  and the comparable visible stamp (pyHanko's QR stamp style with the same text), reading each
  file and writing its signed copy;
- pakta: the batch path `pakta sign --out-dir` runs (`sign.sign_files`), first with one process,
  then over J processes (default: all cores), also reading and writing every file.

With `openssl` on the PATH, pakta signs the same files again with a timestamp authority (OpenSSL's
`openssl ts -reply` behind pakta's local HTTP handler, `pakta_cli.localtsa`): one token per pact,
at most `timestamps.CONCURRENCY` requests at a time, against the same runs without one. A local
TSA costs one `openssl` process per token; a remote one adds its round trip instead.

Prints pacts per second for each and the ratios. Every output of both is checked to carry one
signature covering the whole file, and the first of each is validated with pyHanko's validator.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test helpers make keys and pacts

from tests.conftest import MADE, make_identity, rendered_pact

from pakta_cli.localtsa import available
from pakta_cli.parallel import default_jobs
from pakta_cli.sign import SignJob, SignOptions, load_credentials, sign_files
from pakta_cli.timestamps import CONCURRENCY, Authority

VERIFY_URL = "https://kpu-bali.go.id/verifikasi-pakta"
FIELD = "pakta-superior-1"


def make_pacts(folder: Path, count: int, qr: bool) -> list[Path]:
    staff = [{"role": "signer", "name": f"Staf Sekretariat {i:04d}", "nip": f"19900101201501{1 + i % 2}{i % 1000:03d}",
              "position": "Pengadministrasi Umum"} for i in range(count)]
    return [rendered_pact(folder, [person, MADE], verify_url=VERIFY_URL if qr else None, name=f"{i:04d}.pdf",
                          signing_order="any") for i, person in enumerate(staff)]


def stock_pyhanko(pdfs: list[Path], out: Path, key: Path, cert: Path, qr: bool) -> float:
    """pyHanko's documented path, called in a plain loop; returns seconds."""
    from pyhanko import stamp
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load(str(key), str(cert))
    text = "Ditandatangani secara elektronik oleh:\n%(signer)s\n%(ts)s"
    style = stamp.QRStampStyle(stamp_text=text) if qr else stamp.TextStampStyle(stamp_text=text)
    meta = signers.PdfSignatureMetadata(field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha512")
    started = time.perf_counter()
    for pdf in pdfs:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf.read_bytes()))
        pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style)
        result = pdf_signer.sign_pdf(writer, appearance_text_params={"url": VERIFY_URL} if qr else None)
        (out / pdf.name).write_bytes(result.getvalue())
    return time.perf_counter() - started


def pakta(pdfs: list[Path], out: Path, key: Path, cert: Path, workers: int, tsa: str | None = None) -> float:
    """`pakta sign PDFS --out-dir OUT --jobs W [--tsa URL]` minus the argument parsing; returns seconds."""
    started = time.perf_counter()
    credentials = load_credentials(key, None, cert)
    options = SignOptions(tsa=Authority(tsa) if tsa else None)
    if tsa:  # as the command does: one request at a time per process, at most CONCURRENCY processes
        workers = min(workers, CONCURRENCY)
    outcomes = sign_files([SignJob(pdf, out / pdf.name) for pdf in pdfs], credentials, options, workers=workers)
    elapsed = time.perf_counter() - started
    failed = [o for o in outcomes if not o.ok]
    if failed:
        sys.exit(f"pakta failed: {failed[0].error}")
    return elapsed


def check(folder: Path, cert: Path, tsa_root: Path | None = None) -> None:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    files = sorted(folder.iterdir())
    for index, path in enumerate(files):
        reader = PdfFileReader(io.BytesIO(path.read_bytes()))
        (sig,) = reader.embedded_signatures
        if index == 0:
            time_trust = ValidationContext(trust_roots=[load_cert_from_pemder(str(tsa_root))]) if tsa_root else None
            status = validate_pdf_signature(sig, ValidationContext(trust_roots=[load_cert_from_pemder(str(cert))]),
                                            ts_validation_context=time_trust)
            if not status.bottom_line:
                sys.exit(f"{path}: not valid:\n{status.pretty_print_details()}")
        elif sig.field_name != FIELD:
            sys.exit(f"{path}: signed in {sig.field_name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="pacts to sign (default 300)")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="pakta's processes (default: all cores)")
    parser.add_argument("--no-qr", action="store_true", help="pacts without verify_url (a stamp with no QR code)")
    parser.add_argument("--no-tsa", action="store_true", help="skip the runs with a local timestamp authority")
    args = parser.parse_args()
    qr = not args.no_qr
    with_tsa = available() and not args.no_tsa
    with tempfile.TemporaryDirectory(prefix="pakta-bench-sign-") as temp:
        root = Path(temp)
        print(f"rendering {args.count} pacts{' with a verify_url (QR stamp)' if qr else ''} ...", flush=True)
        pdfs = make_pacts(root / "in", args.count, qr)
        key, cert = make_identity(root / "keys", MADE["name"], MADE["nip"], passphrase=None, stem="made")
        runs = {name: root / name for name in ("stock", "pakta-1", "pakta-n")}
        for folder in runs.values():
            folder.mkdir()
        stock = stock_pyhanko(pdfs, runs["stock"], key, cert, qr)
        one = pakta(pdfs, runs["pakta-1"], key, cert, 1)
        many = pakta(pdfs, runs["pakta-n"], key, cert, args.jobs)
        timed = [("stock", stock), ("pakta-1", one), ("pakta-n", many)]
        if with_tsa:
            from tests.tsa import TimestampServer, make_tsa

            with TimestampServer(make_tsa(root / "tsa")) as tsa:
                for name, workers in (("tsa-1", 1), ("tsa-n", args.jobs)):
                    runs[name] = root / name
                    runs[name].mkdir()
                    timed.append((name, pakta(pdfs, runs[name], key, cert, workers, tsa.url)))
                if tsa.requests != 2 * args.count:
                    sys.exit(f"the TSA answered {tsa.requests} requests for {2 * args.count} signatures")
        for name, folder in runs.items():
            check(folder, cert, root / "tsa" / "tsa-root.crt" if name.startswith("tsa") else None)
    rate = {name: args.count / seconds for name, seconds in timed}
    print(f"stock pyHanko sign_pdf, plain loop, 1 process : {rate['stock']:8.1f} pacts/s")
    print(f"pakta sign, 1 process                         : {rate['pakta-1']:8.1f} pacts/s"
          f"   ({rate['pakta-1'] / rate['stock']:.1f}x stock)")
    print(f"{f'pakta sign, {args.jobs} processes':<46}: {rate['pakta-n']:8.1f} pacts/s"
          f"   ({rate['pakta-n'] / rate['stock']:.1f}x stock)")
    if with_tsa:
        print(f"pakta sign --tsa (local OpenSSL), 1 process   : {rate['tsa-1']:8.1f} pacts/s"
              f"   ({rate['tsa-1'] / rate['pakta-1']:.2f}x without)")
        jobs = min(args.jobs, CONCURRENCY)
        print(f"{f'pakta sign --tsa (local OpenSSL), {jobs} processes':<46}: {rate['tsa-n']:8.1f} pacts/s"
              f"   ({rate['tsa-n'] / rate['pakta-n']:.2f}x without)")


if __name__ == "__main__":
    main()
