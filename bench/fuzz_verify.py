"""Differential fuzzing of `pakta verify` for longer than the test suite's minute.

    python bench/fuzz_verify.py [--minutes N] [--seed S]

Mutates signed pacts the three ways an attacker can (someone edits the signed file; the last signer
writes the change into their own revision; the clerk changes the rendered pact and everyone signs
it as pakta signs), verifies each mutant, and for every one pakta calls VALID compares page count
and page text in poppler, pypdf and MuPDF with the honest pact's (`tests/fuzzing.py`). Prints the
mutants tried, how many were VALID, and the differentials (VALID while a reader shows otherwise);
exits 1 if there is any differential.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test helpers forge and read pacts

from tests import fuzzing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    started = time.perf_counter()
    result = fuzzing.run(args.minutes * 60, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(f"seed {args.seed}, {elapsed:.0f} s, readers {', '.join(fuzzing.readers())}")
    print(f"mutants tried: {result.tried} ({result.tried / elapsed:.1f}/s)")
    print(f"VALID mutants: {result.valid}")
    print(f"differentials: {len(result.differential)}")
    for kind, count in sorted(result.by_kind.items(), key=lambda item: -item[1]):
        print(f"  {count:6d}  {kind}")
    for line in result.differential:
        print(f"DIFFERENTIAL {line}")
    return 1 if result.differential else 0


if __name__ == "__main__":
    sys.exit(main())
