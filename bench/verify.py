"""Verification throughput: `pakta verify` against pyHanko's `validate_pdf_signature`, same files, same run.

    python bench/verify.py [--count N] [--jobs J] [--corpus DIR]

A corpus of N two-party pacts with a verify_url (a staff member and the same superior, both with certificates from
one institution CA, the root the auditor trusts) is rendered and signed with `pakta sign` once
(kept in --corpus DIR to reuse it). 3% of the files are spoiled the ways audits meet them: one
byte of page content changed after signing, signed by the staff member only, or the superior's
signature made with a look-alike certificate nobody trusts (1% each).

- stock pyHanko: `PdfFileReader` + `validate_pdf_signature` for every embedded signature, in a
  plain loop in one process, with one shared `ValidationContext(trust_roots=[CA])`; a file counts
  as valid when it holds both signatures and each one's `bottom_line` holds.
- pakta (library): `verify_paths` (what `pakta verify` runs) with one process, then with J; each
  twice: as `pakta verify` runs by default (every pact re-rendered and compared to the byte, which
  pyHanko does not do) and as `--no-reproduce` runs (the checks pyHanko's match, and more).
- pakta (command): `pakta verify DIR --trust CA --json --jobs J` as a whole process (start-up,
  file walk, process pool, JSON on stdout).
- one file: `pakta verify one.pdf --trust CA` as a whole process, the median of several runs
  (what a script that checks files one at a time pays), with and without `--no-reproduce`, next
  to `pakta --version`.

Prints pacts per second and the ratios, and checks that pyHanko and pakta judged every file the
same way (and each spoiled file as invalid).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test helpers make keys and pacts

from tests.conftest import MADE, make_ca, make_identity, rendered_pact

from pakta_cli.certificates import load_certificate
from pakta_cli.parallel import default_jobs, run_parallel
from pakta_cli.sign import SignOptions, load_credentials, sign_pdf
from pakta_cli.verify import Policy, verify_paths

KINDS = ("valid", "content changed", "half signed", "untrusted superior")


def kind_of(index: int) -> str:
    """1% of each spoiled kind, spread through the corpus."""
    return KINDS[index % 100 - 36] if 37 <= index % 100 <= 39 else "valid"


def _make_one(job: tuple[int, str]) -> tuple[str, str]:
    """Render, sign and (maybe) spoil pact `index` in `folder`; returns (file, kind)."""
    index, folder_name = job
    folder = Path(folder_name)
    kind = kind_of(index)
    person = {"role": "signer", "name": f"Staf Sekretariat {index:04d}",
              "nip": f"19900101201501{1 + index % 2}{index % 1000:03d}", "position": "Pengadministrasi Umum"}
    # with a verify_url, as real pacts have: every stamp then holds a QR code, which verify draws again
    pdf = rendered_pact(folder / "rendered", [person, MADE], name=f"{index:04d}.pdf",
                        verify_url="https://kpu-bali.go.id/pakta")
    staff_key, staff_cert = make_identity(folder / "keys", person["name"], person["nip"], _ca(folder),
                                          passphrase=None, stem=f"staff-{index:04d}")
    data = sign_pdf(pdf.read_bytes(), load_credentials(staff_key, None, staff_cert), SignOptions()).pdf
    if kind != "half signed":
        superior = ("impostor" if kind == "untrusted superior" else "made")
        key, cert = folder / "keys" / f"{superior}.key", folder / "keys" / f"{superior}.crt"
        data = sign_pdf(data, load_credentials(key, None, cert), SignOptions()).pdf
    if kind == "content changed":
        at = data.index(b"stream", data.index(b"/Contents", data.index(b"/Type /Page"))) + 40
        data = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
    target = folder / "corpus" / f"{index:04d}.pdf"
    target.write_bytes(data)
    pdf.unlink()
    return str(target), kind


_CA_CACHE: dict[str, object] = {}


def _ca(folder: Path) -> object:
    if str(folder) not in _CA_CACHE:
        from pakta_cli.ca import load_ca

        _CA_CACHE[str(folder)] = load_ca(folder / "ca" / "ca", None)
    return _CA_CACHE[str(folder)]


def make_corpus(folder: Path, count: int, jobs: int) -> tuple[list[Path], dict[str, str], Path]:
    """The corpus (reused when `folder` already holds one this size); returns files, kinds, CA cert."""
    index_file = folder / "corpus.json"
    if index_file.exists():
        index = json.loads(index_file.read_text())
        if index["count"] == count and index.get("qr"):
            files = sorted((folder / "corpus").glob("*.pdf"))
            return files, index["kinds"], folder / "ca" / "ca.crt"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "corpus").mkdir(exist_ok=True)
    ca = make_ca(folder / "ca", passphrase=None)
    make_identity(folder / "keys", MADE["name"], MADE["nip"], ca, passphrase=None, stem="made")
    # same names and NIP as the superior, a key and certificate of its own, self-signed: not trusted
    make_identity(folder / "keys", MADE["name"], MADE["nip"], passphrase=None, stem="impostor")
    kinds: dict[str, str] = {}
    started = time.perf_counter()
    for _, (path, kind) in run_parallel(_make_one, [(i, str(folder)) for i in range(count)], jobs=jobs):
        kinds[Path(path).name] = kind
    print(f"  made {count} signed pacts in {time.perf_counter() - started:.1f} s", flush=True)
    index_file.write_text(json.dumps({"count": count, "kinds": kinds, "qr": True}))
    return sorted((folder / "corpus").glob("*.pdf")), kinds, folder / "ca" / "ca.crt"


def stock_pyhanko(files: list[Path], ca_cert: Path) -> tuple[float, dict[str, bool]]:
    """pyHanko's documented validation path in a plain loop; returns seconds and verdicts."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # it logs a traceback per untrusted signer
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(ca_cert))])
    verdicts: dict[str, bool] = {}
    started = time.perf_counter()
    for path in files:
        try:
            reader = PdfFileReader(io.BytesIO(path.read_bytes()))
            signatures = reader.embedded_signatures
            ok = len(signatures) == 2 and all(validate_pdf_signature(s, context).bottom_line for s in signatures)
        except Exception:
            ok = False
        verdicts[path.name] = ok
    return time.perf_counter() - started, verdicts


def pakta_library(files: list[Path], ca_cert: Path, jobs: int, *, reproduce: bool = True
                  ) -> tuple[float, dict[str, bool]]:
    policy = Policy((load_certificate(ca_cert),), reproduce=reproduce)
    started = time.perf_counter()
    verdicts = {files[i].name: verdict.ok for i, verdict, _ in verify_paths(files, policy, jobs=jobs)}
    return time.perf_counter() - started, verdicts


def pakta_command(folder: Path, ca_cert: Path, jobs: int) -> tuple[float, dict[str, bool]]:
    command = [sys.executable, "-m", "pakta_cli", "verify", str(folder), "--trust", str(ca_cert), "--json",
               "--jobs", str(jobs)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"pakta verify failed: {result.stderr.decode()}")
    documents = json.loads(result.stdout)["documents"]
    return elapsed, {Path(d["path"]).name: d["ok"] for d in documents}


def one_file_process(path: Path, ca_cert: Path, runs: int = 7) -> tuple[float, float, float]:
    """Median wall time of `pakta verify ONE --trust CA`, then with --no-reproduce, and of `pakta --version`."""
    def median(command: list[str]) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    pakta = [sys.executable, "-m", "pakta_cli"]
    one = [*pakta, "verify", str(path), "--trust", str(ca_cert)]
    return median(one), median([*one, "--no-reproduce"]), median([*pakta, "--version"])


def agree(name: str, theirs: dict[str, bool], ours: dict[str, bool], kinds: dict[str, str]) -> None:
    differ = sorted(f for f in kinds if theirs.get(f) != ours.get(f))
    wrong = sorted(f for f in kinds if ours.get(f) != (kinds[f] == "valid"))
    if differ or wrong:
        sys.exit(f"{name}: judged differently from pyHanko: {differ[:5]}; against the corpus: {wrong[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="pacts to verify (default 1000)")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="pakta's processes (default: all cores)")
    parser.add_argument("--corpus", type=Path, help="keep the signed corpus here and reuse it next time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pakta-bench-verify-") as temp:
        folder = args.corpus or Path(temp)
        print(f"corpus: {args.count} two-party pacts in {folder}", flush=True)
        files, kinds, ca_cert = make_corpus(folder, args.count, default_jobs())
        spoiled = sum(1 for k in kinds.values() if k != "valid")
        stock, stock_verdicts = stock_pyhanko(files, ca_cert)
        one, one_verdicts = pakta_library(files, ca_cert, 1)
        many, many_verdicts = pakta_library(files, ca_cert, args.jobs)
        quick, quick_verdicts = pakta_library(files, ca_cert, 1, reproduce=False)
        quick_many, quick_many_verdicts = pakta_library(files, ca_cert, args.jobs, reproduce=False)
        command, command_verdicts = pakta_command(folder / "corpus", ca_cert, args.jobs)
        agree("pakta, 1 process", stock_verdicts, one_verdicts, kinds)
        agree(f"pakta, {args.jobs} processes", stock_verdicts, many_verdicts, kinds)
        agree("pakta --no-reproduce, 1 process", stock_verdicts, quick_verdicts, kinds)
        agree(f"pakta --no-reproduce, {args.jobs} processes", stock_verdicts, quick_many_verdicts, kinds)
        agree("pakta verify", stock_verdicts, command_verdicts, kinds)
        single, single_quick, version = one_file_process(files[0], ca_cert)
    count = len(files)
    print(f"{count} files, {spoiled} spoiled; pyHanko and pakta judged every file the same way "
          f"({sum(stock_verdicts.values())} valid)")
    print(f"{os.cpu_count()} CPUs; pakta runs {args.jobs} processes")
    rows = [
        ("stock pyHanko validate_pdf_signature, 1 process", count / stock),
        ("pakta verify_paths, 1 process (re-renders every pact)", count / one),
        (f"pakta verify_paths, {args.jobs} processes (re-renders)", count / many),
        ("pakta verify_paths --no-reproduce, 1 process", count / quick),
        (f"pakta verify_paths --no-reproduce, {args.jobs} processes", count / quick_many),
        (f"pakta verify DIR --json --jobs {args.jobs} (whole process)", count / command),
    ]
    for label, rate in rows:
        print(f"{label:<58}: {rate:8.1f} pacts/s   ({rate / rows[0][1]:4.1f}x stock)")
    print(f"{'pakta verify one.pdf (whole process, median)':<58}: {single * 1000:8.0f} ms"
          f"   (--no-reproduce: {single_quick * 1000:.0f} ms; pakta --version: {version * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
