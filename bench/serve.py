"""The verification page under load: `pakta serve` answering concurrent uploads, against `pakta verify`
on the same files, in the same run; then the same load with hostile uploads mixed in.

    python bench/serve.py [--requests 200] [--concurrency 16] [--pacts 20] [--hostile 4] [--workers W]

Everything runs on 127.0.0.1 and stops by itself: a fixed number of requests, each with a timeout.

A corpus of --pacts two-party pacts (each staff member signs with the same superior, self-signed
certificates the server trusts) is rendered and signed once; the requests cycle through it.

- `pakta verify DIR --json` over --requests files (the same pacts, as many as there are requests),
  as a whole process on all cores: pacts per second, the baseline for the server's requests/s.
- `pakta verify one.pdf` as a whole process, several times: what a script that checks one file at a
  time pays, the baseline for a request's latency.
- `pakta serve` (its own process, default workers): --requests uploads of the pacts through
  POST /api/verify, --concurrency at a time: requests/s, p50 and p95 latency, every verdict VALID.
- the same uploads again with --hostile hostile uploads spread among them: an incremental update of
  100,000 small objects (10 MB), which keeps the verifier busy past the server's time limit. The
  p95 of the honest uploads must stay within 2x of the run without them (exit code 1 if not).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test helpers make keys and pacts

import httpx2
from tests.attacks.pdf import many_objects
from tests.conftest import MADE, make_identity, rendered_pact, signed_pact

from pakta_cli.parallel import default_jobs

HOSTILE_OBJECTS = 100_000
REQUEST_TIMEOUT = 120.0


def make_corpus(folder: Path, count: int) -> tuple[list[Path], Path]:
    """`count` signed two-party pacts and the folder of the certificates that signed them."""
    keys = folder / "keys"
    made = make_identity(keys, MADE["name"], MADE["nip"], passphrase=None, stem="made")
    pacts = []
    for index in range(count):
        person = {"role": "signer", "name": f"Staf Sekretariat {index:03d}",
                  "nip": f"19900101201501{1 + index % 2}{index:03d}", "position": "Pengadministrasi Umum"}
        staff = make_identity(keys, person["name"], person["nip"], passphrase=None, stem=f"staff-{index:03d}")
        pdf = rendered_pact(folder / "rendered", [person, MADE], name=f"{index:03d}.pdf",
                            verify_url="https://verifikasi.example.go.id")
        pacts.append(signed_pact(folder / "rendered", pdf, [staff, made], name=f"{index:03d}-signed.pdf",
                                 passphrase=None))
    return pacts, keys


def hostile(valid: bytes, objects: int = HOSTILE_OBJECTS) -> bytes:
    """A signed pact with an incremental update of `objects` small objects: cheap to make, slow to judge."""
    return many_objects(valid, objects)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def cli_batch(folder: Path, keys: Path, jobs: int) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pakta_cli", "verify", str(folder), "--trust", str(keys),
                             "--json", "--jobs", str(jobs)], capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"pakta verify failed: {result.stderr.decode()[-2000:]}")
    return elapsed


def cli_one_file(path: Path, keys: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pakta_cli", "verify", str(path), "--trust", str(keys)],
                       capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def start_server(keys: Path, folder: Path, workers: int | None) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "pakta_cli", "serve", "--trust", str(keys), "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if server.poll() is not None:
            sys.exit("pakta serve stopped: " + (folder / "serve.log").read_text()[-2000:])
        try:
            if httpx2.get(base + "/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    server.terminate()
    sys.exit("pakta serve did not start")


Result = tuple[str, float, str]  # (file name, latency in seconds, verdict or HTTP status)


async def load(base: str, uploads: list[tuple[str, bytes]], concurrency: int) -> tuple[float, list[Result]]:
    """Send every upload, `concurrency` at a time; (seconds, [(name, latency, verdict)])."""
    gate = asyncio.Semaphore(concurrency)
    results: list[Result] = []
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, limits=limits) as client:

        async def one(name: str, data: bytes) -> None:
            async with gate:
                started = time.perf_counter()
                response = await client.post("/api/verify", files={"file": (name, data, "application/pdf")})
                latency = time.perf_counter() - started
                status = response.json().get("status", str(response.status_code)) if response.status_code in (
                    200, 503) else str(response.status_code)
                results.append((name, latency, status))

        started = time.perf_counter()
        await asyncio.gather(*(one(name, data) for name, data in uploads))
        return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="honest uploads per run (default 200)")
    parser.add_argument("--concurrency", type=int, default=16, help="uploads in flight at once (default 16)")
    parser.add_argument("--pacts", type=int, default=20, help="distinct signed pacts they cycle through")
    parser.add_argument("--hostile", type=int, default=4, help="hostile uploads mixed into the second run")
    parser.add_argument("--workers", type=int, help="pakta serve --workers (default: its own)")
    args = parser.parse_args()
    jobs = default_jobs()
    with tempfile.TemporaryDirectory(prefix="pakta-bench-serve-") as temp:
        folder = Path(temp)
        started = time.perf_counter()
        pacts, keys = make_corpus(folder, args.pacts)
        print(f"corpus: {len(pacts)} signed two-party pacts in {time.perf_counter() - started:.1f} s", flush=True)
        files = [pacts[i % len(pacts)] for i in range(args.requests)]
        same = folder / "same-files"
        same.mkdir()
        for index, path in enumerate(files):
            shutil.copy(path, same / f"{index:04d}.pdf")
        batch = cli_batch(same, keys, jobs)
        singles = cli_one_file(pacts[0], keys, 7)

        server, base = start_server(keys, folder, args.workers)
        try:
            honest = [(path.name, path.read_bytes()) for path in files]
            asyncio.run(load(base, honest[: args.concurrency], args.concurrency))  # warm the workers
            calm_time, calm = asyncio.run(load(base, honest, args.concurrency))
            bad = hostile(pacts[0].read_bytes())
            step = max(len(honest) // (args.hostile + 1), 1)
            mixed = list(honest)
            for n in range(args.hostile):
                mixed.insert((n + 1) * step + n, (f"hostile-{n}.pdf", bad))
            _, mixed_results = asyncio.run(load(base, mixed, args.concurrency))
            workers = httpx2.get(base + "/healthz").json()["workers"]
        finally:
            server.terminate()
            server.wait(30)

    wrong = [r for r in calm + [r for r in mixed_results if not r[0].startswith("hostile")] if r[2] != "VALID"]
    if wrong:
        sys.exit(f"{len(wrong)} honest uploads were not judged VALID: {wrong[:3]}")
    calm_latency = [latency for _, latency, _ in calm]
    others = [latency for name, latency, _ in mixed_results if not name.startswith("hostile")]
    hostiles = [(latency, status) for name, latency, status in mixed_results if name.startswith("hostile")]
    rate_serve, rate_cli = len(calm) / calm_time, len(files) / batch
    p95_calm, p95_mixed = percentile(calm_latency, 0.95), percentile(others, 0.95)
    ms = 1000
    print(f"{os.cpu_count()} CPUs; pakta serve with {workers} workers; {args.requests} uploads, "
          f"{args.concurrency} at a time, over 127.0.0.1")
    print(f"{'pakta verify DIR --json (whole process, all cores)':<56}: {rate_cli:7.1f} pacts/s")
    print(f"{'pakta serve, POST /api/verify':<56}: {rate_serve:7.1f} requests/s  "
          f"({rate_serve / rate_cli:.2f}x pakta verify DIR)")
    print(f"{'pakta verify one.pdf (whole process): p50 / p95':<56}: {statistics.median(singles) * ms:5.0f} / "
          f"{percentile(singles, 0.95) * ms:5.0f} ms")
    print(f"{'pakta serve, one upload at concurrency ' + str(args.concurrency) + ': p50 / p95':<56}: "
          f"{statistics.median(calm_latency) * ms:5.0f} / {p95_calm * ms:5.0f} ms  "
          f"(p50 {statistics.median(calm_latency) / statistics.median(singles):.2f}x pakta verify one.pdf)")
    print(f"{'with ' + str(args.hostile) + ' hostile uploads mixed in: p50 / p95':<56}: "
          f"{statistics.median(others) * ms:5.0f} / {p95_mixed * ms:5.0f} ms  "
          f"(p95 {p95_mixed / p95_calm:.2f}x without)")
    print(f"{'the hostile uploads (' + str(len(bad) >> 20) + ' MB each)':<56}: "
          + ", ".join(f"{status} after {latency:.1f} s" for latency, status in hostiles))
    if p95_mixed > 2 * p95_calm:
        sys.exit(f"the hostile uploads raised the others' p95 {p95_mixed / p95_calm:.2f}x (more than 2x)")


if __name__ == "__main__":
    main()
